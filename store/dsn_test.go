package store_test

import (
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/wenzhou-subsidy/subsidy/models"
	"github.com/wenzhou-subsidy/subsidy/store"
	"github.com/wenzhou-subsidy/subsidy/store/storetest"
)

func TestRedactDSN(t *testing.T) {
	for _, tc := range []struct {
		name, dsn, want string
	}{
		{"URL with user:password@",
			"postgres://app:s3cret@db.example:5432/subsidy?sslmode=require",
			"postgres://app:xxxxx@db.example:5432/subsidy?sslmode=require"},
		{"URL with ?password= and sslpassword",
			"postgresql://app@db.example/subsidy?sslmode=verify-full&password=s3cret&sslpassword=k3y",
			"postgresql://app@db.example/subsidy?sslmode=verify-full&password=xxxxx&sslpassword=xxxxx"},
		{"URL with a percent-encoded ?password= (pgx decodes it)",
			"postgres://app@db.example/subsidy?pass%77ord=s3cret&%73slpassword=k3y&sslmode=disable",
			"postgres://app@db.example/subsidy?pass%77ord=xxxxx&%73slpassword=xxxxx&sslmode=disable"},
		{"URL with ?PASSWORD=",
			"postgres://app@db.example/subsidy?PASSWORD=s3cret&SslPassword=k3y",
			"postgres://app@db.example/subsidy?PASSWORD=xxxxx&SslPassword=xxxxx"},
		{"URL that does not parse, with a percent-encoded ?password=",
			"postgres://app@db.example:port/subsidy?pass%77ord=s3cret",
			"postgres://app:xxxxx@db.example:port/subsidy?pass%77ord=xxxxx"},
		{"URL without a password",
			"postgres://postgres@127.0.0.1:5432/test?sslmode=disable",
			"postgres://postgres@127.0.0.1:5432/test?sslmode=disable"},
		{"URL that does not parse",
			"postgres://app:s3c:r@t@db.example:port/subsidy?password=s3cret",
			"postgres://app:xxxxx@db.example:port/subsidy?password=xxxxx"},
		{"keyword/value settings",
			"host=127.0.0.1 user=postgres password=s3cret dbname=test",
			"host=127.0.0.1 user=postgres password=xxxxx dbname=test"},
		{"keyword/value, quoted with a space and an escaped quote",
			`host=db password = 'a b\' s3cret' sslpassword=k3y dbname=test`,
			`host=db password = xxxxx sslpassword=xxxxx dbname=test`},
		{"keyword/value, an escaped space",
			`password=a\ s3cret host=db`,
			`password=xxxxx host=db`},
		{"keyword/value, an unterminated quote",
			`host=db password='a s3cret`,
			`host=db password=xxxxx`},
		{"keyword/value, names in capitals",
			"host=db PASSWORD=s3cret SSLPassword = 'k3y' dbname=test",
			"host=db PASSWORD=xxxxx SSLPassword = xxxxx dbname=test"},
		{"SQLite path", "/var/lib/subsidy/subsidy.db", "/var/lib/subsidy/subsidy.db"},
		{"SQLite memory", ":memory:", ":memory:"},
		{"SQLite with the driver's password",
			"file:subsidy.db?_auth_user=admin&_auth_pass=s3cret&mode=rw",
			"file:subsidy.db?_auth_user=admin&_auth_pass=xxxxx&mode=rw"},
		{"SQLite with the driver's password, percent-encoded",
			"file:subsidy.db?_auth_user=admin&_auth_p%61ss=s3cret",
			"file:subsidy.db?_auth_user=admin&_auth_p%61ss=xxxxx"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := store.RedactDSN(tc.dsn); got != tc.want {
				t.Errorf("RedactDSN(%q) = %q, want %q", tc.dsn, got, tc.want)
			}
		})
	}
}

// A PostgreSQL DSN that cannot be opened is reported as PostgreSQL, with
// its password masked, and never becomes a SQLite file.
func TestOpenFailuresHidePasswords(t *testing.T) {
	t.Chdir(t.TempDir()) // where a DSN taken for a file name would be created
	for _, tc := range []struct {
		name, dsn, masked string
	}{
		{"URL that does not parse", "postgres://app:s3cret@127.0.0.1:port/x", "postgres://app:xxxxx@127.0.0.1:port/x"},
		{"URL of no server", "postgres://app:s3cret@127.0.0.1:1/x?sslmode=disable&connect_timeout=5",
			"postgres://app:xxxxx@127.0.0.1:1/x?sslmode=disable&connect_timeout=5"},
		{"keyword/value settings of no server", "host=127.0.0.1 port=1 user=app password=s3cret dbname=x sslmode=disable",
			"host=127.0.0.1 port=1 user=app password=xxxxx dbname=x sslmode=disable"},
		{"URL of no server, with a percent-encoded ?password=", "postgres://app@127.0.0.1:1/x?sslmode=disable&connect_timeout=5&pass%77ord=s3cret",
			"postgres://app@127.0.0.1:1/x?sslmode=disable&connect_timeout=5&pass%77ord=xxxxx"},
		{"keyword/value settings of no server, PASSWORD in capitals", "host=127.0.0.1 port=1 user=app PASSWORD=s3cret dbname=x sslmode=disable",
			"host=127.0.0.1 port=1 user=app PASSWORD=xxxxx dbname=x sslmode=disable"},
		{"keyword/value settings that do not parse", "host=127.0.0.1 password='s3cret", "host=127.0.0.1 password=xxxxx"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := store.Open(ctxT(), tc.dsn, store.Options{})
			if err == nil {
				t.Fatal("Open succeeded")
			}
			msg := err.Error()
			if strings.Contains(msg, "s3cret") || !strings.HasPrefix(msg, "open postgres database "+tc.masked+": ") {
				t.Errorf("error = %q, want it to start with the masked DSN %q and hide the password", msg, tc.masked)
			}
			if entries, _ := os.ReadDir("."); len(entries) > 0 {
				t.Errorf("Open created %s: the DSN was taken for a SQLite file", entries[0].Name())
			}
		})
	}
}

// Keyword/value settings open PostgreSQL.
func TestOpenKeywordValue(t *testing.T) {
	u, err := url.Parse(storetest.DSN(t, storetest.Postgres))
	check(t, err)
	settings := []string{"host=" + u.Hostname(), "user=" + u.User.Username(), "dbname=" + strings.TrimPrefix(u.Path, "/")}
	if u.Port() != "" {
		settings = append(settings, "port="+u.Port())
	}
	if pw, ok := u.User.Password(); ok {
		settings = append(settings, fmt.Sprintf("password='%s'", strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(pw)))
	}
	for k, vs := range u.Query() { // sslmode, and the test's schema as search_path
		settings = append(settings, k+"="+vs[0])
	}
	s := storetest.OpenDSN(t, strings.Join(settings, " "), store.Options{})
	if got := s.Dialect(); got != "postgres" {
		t.Fatalf("dialect = %q, want postgres", got)
	}
	code := creditCode(1)
	putEnterprise(t, s, models.EnterpriseRecord{CreditCode: code})
	_, err = s.GetEnterprise(ctxT(), code)
	check(t, err)
}
