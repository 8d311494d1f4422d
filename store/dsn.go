package store

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
)

// A DSN names the database in one of three forms:
//
//	postgres://user:password@host:5432/db?sslmode=disable   a PostgreSQL URL (or postgresql://)
//	host=127.0.0.1 user=postgres dbname=test                PostgreSQL keyword/value settings (libpq's)
//	/var/lib/subsidy/subsidy.db                             anything else: a SQLite file
//
// A DSN that starts with "word=" is keyword/value settings, never a file
// name: a SQLite file whose name starts so is opened as "./word=…".

// keywordValue matches the start of libpq keyword/value settings.
var keywordValue = regexp.MustCompile(`^\s*[A-Za-z_]+\s*=`)

// isPostgresURL reports whether dsn is a postgres:// or postgresql:// URL.
func isPostgresURL(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// dialectOf says which database dsn names.
func dialectOf(dsn string) dialect {
	if isPostgresURL(dsn) || keywordValue.MatchString(dsn) {
		return dialectPostgres
	}
	return dialectSQLite
}

// The settings that hold passwords: PostgreSQL's password and sslpassword
// (of the client key), and the SQLite driver's _auth_pass. Their names are
// matched in any case: masking a setting the driver would not read costs
// nothing.
var (
	// in a URL's query, or a SQLite path's parameters, once the name is
	// decoded as the drivers decode it (pass%77ord is password)
	querySecrets = []string{"password", "sslpassword", "_auth_pass"}
	// in keyword/value settings: a value is quoted ('…', with \' and \\
	// escapes; an unterminated quote hides the rest) or runs to the next
	// unescaped space
	keywordSecret = regexp.MustCompile(`((?:^|\s)(?i:password|sslpassword)\s*=\s*)('(?:\\.|[^'\\])*'|'[\s\S]*|(?:\\.|[^\s\\])*)`)
)

// mask replaces a password.
const mask = "xxxxx"

// RedactDSN returns dsn with every password in it masked, for messages and
// logs: the password of a URL's user and its password parameters, the
// password settings of keyword/value settings, and a SQLite file's
// _auth_pass parameter. The rest is kept (a URL as net/url writes it).
func RedactDSN(dsn string) string {
	switch {
	case isPostgresURL(dsn):
		return redactURL(dsn)
	case keywordValue.MatchString(dsn):
		return keywordSecret.ReplaceAllString(dsn, "${1}"+mask)
	}
	path, query, ok := strings.Cut(dsn, "?")
	if !ok {
		return dsn
	}
	return path + "?" + redactQuery(query)
}

// redactQuery masks the values of the password parameters of a URL's
// query, named as written or percent-encoded; the rest is kept as written.
func redactQuery(query string) string {
	params := strings.Split(query, "&")
	for i, p := range params {
		name, _, ok := strings.Cut(p, "=")
		if !ok {
			continue
		}
		decoded, err := url.QueryUnescape(name)
		if err != nil {
			decoded = name
		}
		if slices.ContainsFunc(querySecrets, func(secret string) bool { return strings.EqualFold(decoded, secret) }) {
			params[i] = name + "=" + mask
		}
	}
	return strings.Join(params, "&")
}

// redactURL masks the passwords of a PostgreSQL URL. A URL that does not
// parse has everything between "://" and its last "@" masked but the user
// name, since where its password ends cannot be known.
func redactURL(dsn string) string {
	u, err := url.Parse(dsn)
	if err == nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), mask)
		}
		u.RawQuery = redactQuery(u.RawQuery)
		return u.String()
	}
	scheme, rest, _ := strings.Cut(dsn, "://")
	if at := strings.LastIndex(rest, "@"); at >= 0 {
		user, _, _ := strings.Cut(rest[:at], ":")
		rest = user + ":" + mask + rest[at:]
	}
	if path, query, ok := strings.Cut(rest, "?"); ok {
		rest = path + "?" + redactQuery(query)
	}
	return scheme + "://" + rest
}

// postgresConfig parses a PostgreSQL URL or keyword/value settings.
//
// It asks PostgreSQL to plan every statement for its actual parameters
// (plan_cache_mode=force_custom_plan) unless the DSN says otherwise. pgx
// prepares and reuses statements, and after a few runs PostgreSQL may switch
// a statement to a generic plan; for the store's IN lists of a thousand
// codes a generic plan compares every row with every code (no hashing of the
// list) and a screening chunk goes from milliseconds to seconds.
func postgresConfig(dsn string) (*pgx.ConnConfig, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		// pgx's message quotes the DSN, masked pgx's way; Open names it
		// masked by RedactDSN, so only pgx's reason is kept.
		if reason := errors.Unwrap(err); reason != nil {
			return nil, fmt.Errorf("not a valid PostgreSQL URL or keyword/value settings: %w", reason)
		}
		return nil, errors.New("not a valid PostgreSQL URL or keyword/value settings")
	}
	if _, set := cfg.RuntimeParams["plan_cache_mode"]; !set {
		cfg.RuntimeParams["plan_cache_mode"] = "force_custom_plan"
	}
	return cfg, nil
}

// sqliteDSN adds mattn/go-sqlite3's connection settings to a file path:
// write-ahead logging so readers never wait for the writer, a generous busy
// timeout, foreign keys (off by default in SQLite) and transactions that take
// the write lock at BEGIN, so that two writers queue instead of one failing
// with SQLITE_BUSY when it tries to upgrade a read lock.
func sqliteDSN(path string) string {
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return path + sep + fmt.Sprintf("_journal_mode=WAL&_busy_timeout=%d&_foreign_keys=1&_txlock=immediate",
		sqliteBusyTimeout.Milliseconds())
}
