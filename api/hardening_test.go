package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/wenzhou-subsidy/subsidy/api"
	"github.com/wenzhou-subsidy/subsidy/app"
	"github.com/wenzhou-subsidy/subsidy/models"
	"github.com/wenzhou-subsidy/subsidy/store/storetest"
)

// A certification list saved by Excel on Chinese Windows is GB18030 (GBK):
// it is read as such, and its bad lines are named by the list's own
// headers, with an unknown county and a day that does not exist said so.
func TestImportGBKList(t *testing.T) {
	forEachDB(t, func(t *testing.T, h *harness) {
		utf8List := "序号,企业名称,统一社会信用代码,所在地,认定日期\n1,示例电气有限公司,91330382MA2AB3C47E,乐清市,2024年3月1日\n"
		gbk, err := simplifiedchinese.GBK.NewEncoder().String(utf8List)
		if err != nil {
			t.Fatal(err)
		}
		sum := decode[models.ImportSummary](t, h.must(200, "finance", "POST", "/v1/certifications/import?level=省级", gbk, "Content-Type", "text/csv"))
		if sum.Rows != 1 || sum.EnterprisesCreated != 1 {
			t.Errorf("import %+v", sum)
		}
		e := decode[app.EnterpriseView](t, h.must(200, "finance", "GET", "/v1/enterprises/91330382MA2AB3C47E", ""))
		if e.Name != "示例电气有限公司" || e.Region != "330382" || len(e.Certifications) != 1 || e.Certifications[0].Level != models.LevelProvince {
			t.Errorf("imported %+v", e)
		}

		bad, _ := simplifiedchinese.GBK.NewEncoder().String("企业名称,统一社会信用代码,所在地,认定日期\n某公司,91330302MA2C000012,火星,2024年13月1日\n")
		p := decode[api.Problem](t, h.must(400, "finance", "POST", "/v1/certifications/import?level=市级", bad))
		got := map[string]string{}
		for _, f := range p.Errors {
			got[f.Field] = f.Message
		}
		if !strings.Contains(got["lines[2].所在地"], "未知的县（市、区）：火星") || !strings.Contains(got["lines[2].认定日期"], "没有这一天：2024年13月1日") {
			t.Errorf("bad lines %v", got)
		}
		en := decode[api.Problem](t, h.must(400, "finance", "POST", "/v1/certifications/import?level=市级", bad, "Accept-Language", "en"))
		for _, f := range en.Errors {
			if f.Field == "lines[2].所在地" && !strings.Contains(f.Message, "unknown county") || f.Field == "lines[2].认定日期" && !strings.Contains(f.Message, "no such date") {
				t.Errorf("English: %+v", f)
			}
		}
	})
}

// A body that does not arrive in time is 408, and the answer names no
// socket address or network error.
func TestSlowBodyIs408(t *testing.T) {
	st := storetest.Open(t, "sqlite")
	srv := testServer(t, testService(t, st, app.Options{}), st)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: srv, ReadTimeout: 200 * time.Millisecond}
	go hs.Serve(ln)
	defer hs.Close()

	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /v1/evaluate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"subject\":")
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	answer, _ := io.ReadAll(conn)
	text := string(answer)
	if !strings.HasPrefix(text, "HTTP/1.1 408") {
		t.Fatalf("answer:\n%s", text)
	}
	if strings.Contains(text, "127.0.0.1") || strings.Contains(text, "i/o timeout") || strings.Contains(text, "read tcp") || !strings.Contains(text, "请求体未能在时限内送达") {
		t.Errorf("the 408 tells too much or too little:\n%s", text)
	}
}

// A subject key cannot tell another subject's payout from a missing one:
// both answers read the same, but for the id.
func TestOthersPayoutReadsAsMissing(t *testing.T) {
	forEachDB(t, func(t *testing.T, h *harness) {
		h.seed()
		run := decode[runAnswer](t, h.must(201, "finance", "POST", "/v1/payout-runs", runAsOf))
		var uniPayout int64
		for _, p := range run.Created {
			if p.Subject == uniCode {
				uniPayout = p.ID
			}
		}
		other := decode[api.Problem](t, h.must(404, "enterprise", "GET", fmt.Sprintf("/v1/payouts/%d", uniPayout), ""))
		missing := decode[api.Problem](t, h.must(404, "enterprise", "GET", "/v1/payouts/99999", ""))
		if strings.Replace(other.Detail, fmt.Sprint(uniPayout), "N", 1) != strings.Replace(missing.Detail, "99999", "N", 1) || other.Title != missing.Title {
			t.Errorf("another's payout %q, a missing one %q", other.Detail, missing.Detail)
		}
		if other.Detail != fmt.Sprintf("未找到补助发放记录 %d", uniPayout) {
			t.Errorf("detail %q", other.Detail)
		}
		for _, p := range []api.Problem{
			decode[api.Problem](t, h.must(404, "", "GET", "/v1/rules/nope", "")),
			decode[api.Problem](t, h.must(404, "enterprise", "GET", "/v1/enterprises/"+outside, "")),
		} {
			if strings.ContainsAny(strings.Fields(p.Detail)[0], "abcdefghijklmnopqrstuvwxyz") {
				t.Errorf("English in a Chinese message: %q", p.Detail)
			}
		}
	})
}

// unavailableStore is a database that is down.
type unavailableStore struct{ models.Store }

var errDown = models.Errorf(models.CodeUnavailable, "数据库暂不可用", "the database is unavailable")

func (unavailableStore) GetEnterprise(context.Context, string) (models.EnterpriseRecord, error) {
	return models.EnterpriseRecord{}, errDown
}
func (unavailableStore) Ping(context.Context) error { return nil }
func (unavailableStore) CheckWritable(context.Context) error {
	return errDown
}

// While the database is unreachable, read-only or full, the answer is 503
// with Retry-After, and /healthz says so.
func TestUnavailableDatabaseIs503(t *testing.T) {
	h := newHarness(t, "sqlite")
	h.srv = testServer(t, testService(t, unavailableStore{Store: h.st}, app.Options{}), h.st)
	for _, path := range []string{"/v1/enterprises/" + entA, "/healthz"} {
		rec := h.must(503, "finance", "GET", path, "")
		if rec.Header().Get("Retry-After") == "" {
			t.Errorf("%s: no Retry-After", path)
		}
	}
}

// Names take no control characters or bidirectional overrides: they end up
// in pages, logs and spreadsheets.
func TestNamesAreOneLine(t *testing.T) {
	forEachDB(t, func(t *testing.T, h *harness) {
		for _, name := range []string{"示例\n电气", "示例\x1b[31m", "示例\u202e电气"} {
			quoted, _ := json.Marshal(name)
			body := fmt.Sprintf(`{"name":%s,"region":"330382"}`, quoted)
			p := decode[api.Problem](t, h.must(400, "finance", "PUT", "/v1/enterprises/"+entA, body))
			if len(p.Errors) != 1 || p.Errors[0].Field != "name" || p.Errors[0].Code != "text" {
				t.Errorf("%q: %+v", name, p.Errors)
			}
		}
	})
}

// HEAD answers every GET route like GET, without the body: every route
// without path parameters, some with them, refusals too.
func TestHeadOnServiceRoutes(t *testing.T) {
	forEachDB(t, func(t *testing.T, h *harness) {
		h.seed()
		h.must(201, "finance", "POST", "/v1/payout-runs", `{"as_of":"2025-06-30","grant_year":2025}`)
		var paths []string
		for _, r := range h.srv.(*api.Server).Routes() {
			if r.Method == http.MethodGet && !strings.Contains(r.Path, ":") {
				paths = append(paths, r.Path)
			}
		}
		if len(paths) < 13 {
			t.Fatalf("only %d GET routes without parameters: %v", len(paths), paths)
		}
		paths = append(paths,
			"/v1/enterprises/"+entA, "/v1/enterprises/"+entA+"/certifications", "/v1/enterprises/"+entA+"/evaluation",
			"/v1/universities/"+uniCode+"/donations", "/v1/payouts/1", "/v1/payout-runs/1", "/v1/rules/cert-grant",
			"/v1/payouts/export?payer=330382&format=xlsx", "/v1/payouts?limit=1",
			"/v1/payouts/999", "/v1/enterprises/not-a-code", "/v1/nothing-here", "/v1/keys/x/revoke")
		api.CheckHeadLikeGet(t, h.srv, paths, "Authorization", "Bearer "+h.keys["admin"])
		// Without a key: 401 with WWW-Authenticate.
		api.CheckHeadLikeGet(t, h.srv, []string{"/v1/payouts"})
	})
}
