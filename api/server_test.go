package api

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/labstack/echo/v4"

	"github.com/wenzhou-subsidy/subsidy/app"
	"github.com/wenzhou-subsidy/subsidy/engine"
	"github.com/wenzhou-subsidy/subsidy/models"
	"github.com/wenzhou-subsidy/subsidy/store/storetest"
)

// FixedNow is the clock of the test servers: 2025-06-30 10:00 in Wenzhou.
func FixedNow() time.Time { return time.Date(2025, 6, 30, 10, 0, 0, 0, models.Wenzhou) }

// shippedRules are the rules the tests use, loaded once.
var shippedRules = sync.OnceValues(func() (*engine.Engine, error) { return engine.Load(os.DirFS("../rules")) })

// MustEngine returns the shipped rules.
func MustEngine(tb testing.TB) *engine.Engine {
	tb.Helper()
	e, err := shippedRules()
	if err != nil {
		tb.Fatal(err)
	}
	return e
}

// newPublicServer is a server without a store, with its log in buf.
func newPublicServer(tb testing.TB, buf io.Writer) *Server {
	tb.Helper()
	if buf == nil {
		buf = io.Discard
	}
	svc := app.New(MustEngine(tb), nil, app.Options{Now: FixedNow})
	s, err := NewServer(slog.New(slog.NewJSONHandler(buf, nil)), svc, nil, Options{})
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// do sends one request to h and returns the recorded response, which the
// OpenAPI document must describe.
func do(tb testing.TB, h http.Handler, method, path string, body []byte, headers ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	CheckAnswer(tb, req, body, rec)
	return rec
}

func readFile(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func decodeProblem(tb testing.TB, rec *httptest.ResponseRecorder) Problem {
	tb.Helper()
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, ProblemContentType) {
		tb.Fatalf("Content-Type = %q, want %s; body %s", ct, ProblemContentType, rec.Body)
	}
	var p Problem
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
		tb.Fatalf("problem: %v: %s", err, rec.Body)
	}
	return p
}

// TestEvaluateExamples posts each example request of testdata/evaluate and
// checks the figures its README gives.
func TestEvaluateExamples(t *testing.T) {
	s := newPublicServer(t, nil)
	type result struct {
		Eligible bool
		Amount   string
	}
	tests := []struct {
		file string
		want map[string]result
	}{
		{"enterprise-province.json", map[string]result{"cert-grant": {true, "200000.00"}, "surcharge-credit": {true, "50000.00"}}},
		{"enterprise-province-top-up.json", map[string]result{"cert-grant": {true, "150000.00"}}},
		{"enterprise-member-unit.json", map[string]result{"cert-grant": {false, "0.00"}, "surcharge-credit": {true, "90000.00"}}},
		{"credit-multi-year.json", map[string]result{"cert-grant": {false, "0.00"}, "surcharge-credit": {true, "87348.84"}}},
		{"university.json", map[string]result{"donation-match": {true, "1500000.00"}}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			rec := do(t, s, http.MethodPost, "/v1/evaluate", readFile(t, "../testdata/evaluate/"+tt.file))
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			var resp models.EvaluateResponse
			if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
				t.Fatal(err)
			}
			got := map[string]result{}
			for _, r := range resp.Results {
				got[r.Rule] = result{r.Eligible, r.Amount.String()}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("results (-want +got):\n%s", diff)
			}
			if resp.Ruleset != s.engine.Ruleset() {
				t.Errorf("ruleset %v, want %v", resp.Ruleset, s.engine.Ruleset())
			}
		})
	}
}

// TestEvaluateContractShape checks the contract's response fields by name:
// money as two-decimal strings, the ledger's fields, the echoed overrides.
func TestEvaluateContractShape(t *testing.T) {
	s := newPublicServer(t, nil)
	rec := do(t, s, http.MethodPost, "/v1/evaluate", readFile(t, "../testdata/evaluate/enterprise-province.json"))
	var raw map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &raw); err != nil {
		t.Fatal(err)
	}
	if raw["as_of"] != "2025-06-30" {
		t.Errorf("as_of = %v", raw["as_of"])
	}
	results := raw["results"].([]any)
	credit := results[1].(map[string]any)
	if credit["rule"] != "surcharge-credit" {
		t.Fatalf("second result is %v", credit["rule"])
	}
	row := credit["ledger"].([]any)[0].(map[string]any)
	for _, f := range []string{"carry_in", "generated", "reversed", "clawback", "payable", "offset", "offset_education", "offset_local", "carry_out"} {
		if v, ok := row[f].(string); !ok || !strings.Contains(v, ".") || len(v)-strings.Index(v, ".") != 3 {
			t.Errorf("ledger %s = %#v, want a two-decimal string", f, row[f])
		}
	}
	cond := results[0].(map[string]any)["conditions"].([]any)[0].(map[string]any)
	if _, ok := cond["message"].(string); !ok || cond["id"] != "registered-in-wenzhou" {
		t.Errorf("first condition %v", cond)
	}

	rec = do(t, s, http.MethodPost, "/v1/evaluate", readFile(t, "../testdata/evaluate/enterprise-province-top-up.json"))
	if err := json.Unmarshal(rec.Body.Bytes(), &raw); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]any{"cert-grant.stacking": "top_up"}, raw["overrides"]); diff != "" {
		t.Errorf("overrides echo (-want +got):\n%s", diff)
	}
}

// TestEvaluateDefaultsAsOf: without as_of the server's today (in Wenzhou) is used.
func TestEvaluateDefaultsAsOf(t *testing.T) {
	s := newPublicServer(t, nil)
	body := bytes.Replace(readFile(t, "../testdata/evaluate/university.json"), []byte(`"as_of": "2025-06-30",`), nil, 1)
	rec := do(t, s, http.MethodPost, "/v1/evaluate", body)
	var resp models.EvaluateResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
		t.Fatalf("%v: %s", err, rec.Body)
	}
	if resp.AsOf.String() != "2025-06-30" {
		t.Errorf("as_of = %s, want the server's today 2025-06-30", resp.AsOf)
	}
}

// TestEvaluateErrorsOmitted: 20,000 empty certifications list the first
// 100 bad fields and count the rest in errors_omitted, exactly.
func TestEvaluateErrorsOmitted(t *testing.T) {
	s := newPublicServer(t, nil)
	body := func(n int) []byte {
		return []byte(`{"as_of":"2025-06-30","subject":{"kind":"enterprise","credit_code":"91330382MA2AB3C47E","name":"x","region":"330382","certifications":[` +
			strings.TrimSuffix(strings.Repeat(`{},`, n), ",") + `]}}`)
	}
	// What one empty certification is refused for (its level and date).
	one := decodeProblem(t, do(t, s, http.MethodPost, "/v1/evaluate", body(1)))
	perEntry := len(one.Errors)
	if perEntry == 0 || one.ErrorsOmitted != 0 {
		t.Fatalf("one empty certification: %+v", one)
	}
	const n = 20000
	p := decodeProblem(t, do(t, s, http.MethodPost, "/v1/evaluate", body(n)))
	if len(p.Errors) != models.MaxFieldErrors || p.ErrorsOmitted != n*perEntry-models.MaxFieldErrors {
		t.Errorf("%d listed, %d omitted; want %d and %d", len(p.Errors), p.ErrorsOmitted, models.MaxFieldErrors, n*perEntry-models.MaxFieldErrors)
	}
	if len(p.Errors) < perEntry || !cmp.Equal(p.Errors[:perEntry], one.Errors) {
		t.Errorf("listed first %v, want the first entry's %v", p.Errors, one.Errors)
	}
}

// TestEvaluateErrors covers every class of bad input: each is a 4xx problem
// document naming the bad fields, never a 5xx.
func TestEvaluateErrors(t *testing.T) {
	s := newPublicServer(t, nil)
	const ent = `"kind":"enterprise","credit_code":"91330382MA2AB3C47E","name":"示例","region":"330382"`
	tests := []struct {
		name       string
		method     string
		path       string
		body       string
		wantStatus int
		wantFields []string
		wantDetail string
	}{
		{"malformed JSON", "POST", "/v1/evaluate", `{"subject":`, 400, nil, "请求体不是有效的 JSON：请求体为空或不完整"},
		{"not an object", "POST", "/v1/evaluate", `[1,2]`, 400, []string{""}, ""},
		{"trailing data", "POST", "/v1/evaluate", `{"subject":{` + ent + `}} {}`, 400, nil, "请求体不是有效的 JSON：JSON 值之后还有多余的内容"},
		{"empty body", "POST", "/v1/evaluate", ``, 400, nil, "请求体不是有效的 JSON：请求体为空或不完整"},
		{"no subject", "POST", "/v1/evaluate", `{}`, 400, []string{"subject"}, ""},
		{"unknown kind", "POST", "/v1/evaluate", `{"subject":{"kind":"person"}}`, 400, []string{"subject.kind"}, ""},
		{"unknown top-level field", "POST", "/v1/evaluate", `{"as_off":"2025-01-01","subject":{` + ent + `}}`, 400, []string{"as_off"}, ""},
		{"unknown nested field", "POST", "/v1/evaluate", `{"subject":{` + ent + `,"credit_years":[{"year":2024,"investment":"1","fiscal_subsidy":"0","education_surcharge":"0","local_education_surcharge":"0","withdrawm":"1"}]}}`, 400, []string{"subject.credit_years[0].withdrawm"}, ""},
		{"wrong type", "POST", "/v1/evaluate", `{"subject":{"kind":"enterprise","credit_code":91330382,"name":"x","region":"330382"}}`, 400, []string{"subject.credit_code"}, ""},
		{"money with three decimals", "POST", "/v1/evaluate", `{"subject":{` + ent + `,"credit_carry_in":"1.005"}}`, 400, []string{"subject.credit_carry_in"}, ""},
		{"negative money", "POST", "/v1/evaluate", `{"subject":{` + ent + `,"credit_carry_in":-1}}`, 400, []string{"subject.credit_carry_in"}, ""},
		{"bad date", "POST", "/v1/evaluate", `{"as_of":"2025-02-30","subject":{` + ent + `}}`, 400, []string{"as_of"}, ""},
		{"bad check character", "POST", "/v1/evaluate", `{"subject":{"kind":"enterprise","credit_code":"91330382MA2AB3C47F","name":"x","region":"330382"}}`, 400, []string{"subject.credit_code"}, ""},
		{"bad enum", "POST", "/v1/evaluate", `{"subject":{` + ent + `,"certifications":[{"level":"county","certified_on":"2024-01-01"}]}}`, 400, []string{"subject.certifications[0].level"}, ""},
		{"year out of range", "POST", "/v1/evaluate", `{"subject":{"kind":"university","code":"u","name":"u","ownership":"public","affiliation":"city","grant_year":1999}}`, 400, []string{"subject.grant_year"}, ""},
		{"year twice", "POST", "/v1/evaluate", `{"subject":{` + ent + `,"credit_years":[{"year":2024,"investment":"1","fiscal_subsidy":"0","education_surcharge":"0","local_education_surcharge":"0"},{"year":2024,"investment":"1","fiscal_subsidy":"0","education_surcharge":"0","local_education_surcharge":"0"}]}}`, 400, []string{"subject.credit_years[1].year"}, ""},
		{"subsidy above investment", "POST", "/v1/evaluate", `{"subject":{` + ent + `,"credit_years":[{"year":2024,"investment":"1","fiscal_subsidy":"2","education_surcharge":"0","local_education_surcharge":"0"}]}}`, 400, []string{"subject.credit_years[0].fiscal_subsidy"}, ""},
		{"ownership above 100", "POST", "/v1/evaluate", `{"subject":{` + ent + `,"parent":{"credit_code":"91330302145200011C","ownership_pct":"100.01"}}}`, 400, []string{"subject.parent.ownership_pct"}, ""},
		{"unknown rule", "POST", "/v1/evaluate", `{"rules":["cert-grant","nope"],"subject":{` + ent + `}}`, 400, []string{"rules[1]"}, ""},
		{"rule of another kind", "POST", "/v1/evaluate", `{"rules":["donation-match"],"subject":{` + ent + `}}`, 400, []string{"rules[0]"}, ""},
		{"unknown override", "POST", "/v1/evaluate", `{"overrides":{"cert-grant.nope":1},"subject":{` + ent + `}}`, 400, []string{"overrides.cert-grant.nope"}, ""},
		{"bad override value", "POST", "/v1/evaluate", `{"overrides":{"cert-grant.stacking":"stacked"},"subject":{` + ent + `}}`, 400, []string{"overrides.cert-grant.stacking"}, ""},
		{"every bad field at once", "POST", "/v1/evaluate", string(readFile(t, "../testdata/evaluate/bad-input.json")), 400, []string{
			"overrides.cert-grant.nope", "overrides.surcharge-credit.rate", "rules[2]",
			"subject.certifications[0].level", "subject.certifications[0].revoked_on", "subject.credit_code",
			"subject.credit_years[0].fiscal_subsidy", "subject.credit_years[1].education_surcharge",
			"subject.credit_years[1].local_education_surcharge", "subject.credit_years[1].year",
			"subject.parent.ownership_pct", "subject.region", "subject.registered_capital",
		}, ""},
		{"too large", "POST", "/v1/evaluate", `{"subject":{` + ent + `,"name":"` + strings.Repeat("x", DefaultBodyLimit) + `"}}`, 413, nil, ""},
		{"wrong method", "GET", "/v1/evaluate", ``, 405, nil, ""},
		{"no such path", "GET", "/v1/nothing", ``, 404, nil, ""},
		{"unknown rule in catalogue", "GET", "/v1/rules/nope", ``, 404, nil, ""},
		{"bad as_of in catalogue", "GET", "/v1/rules?as_of=tomorrow", ``, 400, []string{"as_of"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := do(t, s, tt.method, tt.path, []byte(tt.body))
			if rec.Code != tt.wantStatus {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.wantStatus, rec.Body)
			}
			p := decodeProblem(t, rec)
			if p.Status != tt.wantStatus || p.Title == "" || p.Detail == "" || p.RequestID == "" || p.Instance != strings.Split(tt.path, "?")[0] {
				t.Errorf("problem %+v", p)
			}
			if tt.wantFields != nil {
				var got []string
				for _, f := range p.Errors {
					got = append(got, f.Field)
					if f.Message == "" || f.Code == "" {
						t.Errorf("field %s has no message or code", f.Field)
					}
				}
				if diff := cmp.Diff(tt.wantFields, got); diff != "" {
					t.Errorf("fields (-want +got):\n%s", diff)
				}
			}
			if tt.wantDetail != "" && p.Detail != tt.wantDetail {
				t.Errorf("detail %q, want %q", p.Detail, tt.wantDetail)
			}
		})
	}
}

// TestLanguages: Chinese by default, English when Accept-Language prefers it.
func TestLanguages(t *testing.T) {
	s := newPublicServer(t, nil)
	body := readFile(t, "../testdata/evaluate/university.json")
	tests := []struct {
		header string
		want   string
	}{
		{"", "学校为市属公办高校"},
		{"en", "The school is a city-owned public university"},
		{"en-US,en;q=0.9", "The school is a city-owned public university"},
		{"zh-CN,zh;q=0.9,en;q=0.8", "学校为市属公办高校"},
		{"fr", "学校为市属公办高校"},
		{"fr, en;q=0.5", "The school is a city-owned public university"},
	}
	for _, tt := range tests {
		rec := do(t, s, http.MethodPost, "/v1/evaluate", body, "Accept-Language", tt.header)
		var resp models.EvaluateResponse
		if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
			t.Fatal(err)
		}
		if got := resp.Results[0].Conditions[0].Message; got != tt.want {
			t.Errorf("Accept-Language %q: message %q, want %q", tt.header, got, tt.want)
		}
	}
	rec := do(t, s, http.MethodPost, "/v1/evaluate", []byte(`{`), "Accept-Language", "en")
	if p := decodeProblem(t, rec); p.Title != "Invalid request" {
		t.Errorf("English problem title %q", p.Title)
	}
}

// TestRequestIDAndLogs: every request gets an id of the server's own (a
// client's X-Request-Id is not taken: the audit trail records the id),
// echoed in the header and the problem, and one structured log line with
// method, path, status, latency and the id.
func TestRequestIDAndLogs(t *testing.T) {
	var logs storetest.SyncBuffer
	s := newPublicServer(t, &logs)
	rec := do(t, s, http.MethodGet, "/healthz", nil, RequestIDHeader, "client-id-1")
	if got := rec.Header().Get(RequestIDHeader); got == "client-id-1" || len(got) != 24 {
		t.Errorf("request id %q, want one of the server's", got)
	}
	rec = do(t, s, http.MethodPost, "/v1/evaluate", []byte(`{}`), RequestIDHeader, "bad id with spaces")
	id := rec.Header().Get(RequestIDHeader)
	if id == "" || strings.Contains(id, " ") {
		t.Errorf("generated request id %q", id)
	}
	if p := decodeProblem(t, rec); p.RequestID != id {
		t.Errorf("problem request_id %q, header %q", p.RequestID, id)
	}
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("want 2 log lines, got %d:\n%s", len(lines), logs.String())
	}
	var entry map[string]any
	if err := json.Unmarshal([]byte(lines[1]), &entry); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]any{"msg": "request", "method": "POST", "path": "/v1/evaluate", "status": 400.0, "request_id": id} {
		if entry[k] != want {
			t.Errorf("log %s = %v, want %v", k, entry[k], want)
		}
	}
	if _, ok := entry["latency"]; !ok {
		t.Error("log has no latency")
	}
}

// TestPanicRecovered: a panic is logged with its stack and answered 500
// without internals.
func TestPanicRecovered(t *testing.T) {
	var logs storetest.SyncBuffer
	s := newPublicServer(t, &logs)
	s.echo.GET("/boom", func(c echo.Context) error { panic("secret internal detail") })
	rec := do(t, s, http.MethodGet, "/boom", nil)
	if rec.Code != http.StatusInternalServerError {
		t.Fatalf("status %d", rec.Code)
	}
	p := decodeProblem(t, rec)
	if strings.Contains(rec.Body.String(), "secret") {
		t.Errorf("the answer leaks the panic: %s", rec.Body)
	}
	if p.Detail == "" || p.Errors == nil {
		t.Errorf("a 500 problem needs a detail and a list of errors: %s", rec.Body)
	}
	if !strings.Contains(logs.String(), "secret internal detail") || !strings.Contains(logs.String(), p.RequestID) {
		t.Errorf("the log lacks the panic or the request id:\n%s", logs.String())
	}
}

// TestRulesCatalogue checks GET /v1/rules and /v1/rules/{id}.
func TestRulesCatalogue(t *testing.T) {
	s := newPublicServer(t, nil)
	rec := do(t, s, http.MethodGet, "/v1/rules", nil)
	var cat models.Catalogue
	if err := json.Unmarshal(rec.Body.Bytes(), &cat); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range cat.Rules {
		ids = append(ids, r.ID)
		if r.Citation.Document != "温发改社〔2024〕172号" || r.Citation.Text == "" || len(r.Conditions) == 0 || len(r.Parameters) == 0 {
			t.Errorf("rule %s lacks its citation, conditions or parameters", r.ID)
		}
		for _, p := range r.Parameters {
			if len(p.Values) == 0 || len(p.InForce) == 0 {
				t.Errorf("%s: no dated values or value in force", p.Key)
			}
		}
	}
	if diff := cmp.Diff([]string{"cert-grant", "donation-match", "surcharge-credit"}, ids); diff != "" {
		t.Errorf("rules (-want +got):\n%s", diff)
	}
	if cat.Ruleset != s.engine.Ruleset() || cat.AsOf.String() != "2025-06-30" {
		t.Errorf("ruleset %v as_of %v", cat.Ruleset, cat.AsOf)
	}

	rec = do(t, s, http.MethodGet, "/v1/rules/surcharge-credit?as_of=2018-01-01", nil)
	var one app.RuleAnswer
	if err := json.Unmarshal(rec.Body.Bytes(), &one); err != nil {
		t.Fatal(err)
	}
	if one.Rule.ID != "surcharge-credit" || one.Rule.CreditLedger == nil || len(one.Rule.Citation.Related) == 0 {
		t.Errorf("rule %+v", one.Rule)
	}
	for _, p := range one.Rule.Parameters {
		if len(p.InForce) != 0 {
			t.Errorf("%s is in force on 2018-01-01: %s", p.Key, p.InForce)
		}
	}
}

// TestConcurrentEvaluate sends many requests at once (run with -race): every
// answer equals the one given alone.
func TestConcurrentEvaluate(t *testing.T) {
	s := newPublicServer(t, nil)
	files := []string{"enterprise-province.json", "enterprise-member-unit.json", "credit-multi-year.json", "university.json", "bad-input.json"}
	want := map[string]string{}
	bodies := map[string][]byte{}
	for _, f := range files {
		bodies[f] = readFile(t, "../testdata/evaluate/"+f)
		want[f] = stripRequestID(do(t, s, http.MethodPost, "/v1/evaluate", bodies[f]).Body.String())
	}
	var wg sync.WaitGroup
	errs := make(chan string, 1000)
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				f := files[(g+i)%len(files)]
				got := stripRequestID(do(t, s, http.MethodPost, "/v1/evaluate", bodies[f]).Body.String())
				if got != want[f] {
					errs <- f
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for f := range errs {
		t.Errorf("%s: a concurrent answer differs from the sequential one", f)
	}
}

// stripRequestID removes the one field that differs between two answers.
func stripRequestID(body string) string {
	if i := strings.Index(body, `"request_id":"`); i >= 0 {
		j := strings.Index(body[i+14:], `"`)
		return body[:i] + body[i+14+j+1:]
	}
	return body
}

// TestHeadAnswersLikeGet: every GET route answers HEAD with the same status
// and headers and no body; HEAD of a POST route is 405, without a body.
func TestHeadAnswersLikeGet(t *testing.T) {
	s := newPublicServer(t, nil)
	CheckHeadLikeGet(t, s, []string{"/healthz", "/openapi.json", "/v1/rules", "/v1/rules/cert-grant", "/v1/rules/nope", "/v1/rules?as_of=x", "/v1/evaluate"})
}

// CheckHeadLikeGet fails t unless HEAD of each path, sent to h over HTTP,
// is answered as GET is - the same status, Content-Type and Content-Length
// (or none, as GET's answer when it is chunked) - and without a body.
func CheckHeadLikeGet(t *testing.T, h http.Handler, paths []string, headers ...string) {
	t.Helper()
	srv := httptest.NewServer(h)
	defer srv.Close()
	for _, path := range paths {
		get, body, _ := onWire(t, srv, http.MethodGet, path, headers)
		head, headBody, after := onWire(t, srv, http.MethodHead, path, headers)
		for _, name := range []string{echo.HeaderContentType, echo.HeaderContentLength} {
			if head.Header.Get(name) != get.Header.Get(name) {
				t.Errorf("HEAD %s: %s %q, GET's %q", path, name, head.Header.Get(name), get.Header.Get(name))
			}
		}
		if head.StatusCode != get.StatusCode || len(headBody) != 0 || len(after) != 0 {
			t.Errorf("HEAD %s: %d with %q and %q after it; GET: %d", path, head.StatusCode, headBody, after, get.StatusCode)
		}
		if get.Header.Get(echo.HeaderContentLength) != "" && get.Header.Get(echo.HeaderContentLength) != strconv.Itoa(len(body)) {
			t.Errorf("GET %s: Content-Length %s of a body of %d bytes", path, get.Header.Get(echo.HeaderContentLength), len(body))
		}
	}
}

// onWire sends one request to srv on a connection of its own and reads
// what comes back until the server closes it: the answer, its body and
// whatever the server sent after the answer.
func onWire(t *testing.T, srv *httptest.Server, method, path string, headers []string) (resp *http.Response, body, after []byte) {
	t.Helper()
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(20 * time.Second))
	req := httptest.NewRequest(method, srv.URL+path, nil)
	req.Close = true // the server closes the connection after its answer
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	if err := req.Write(conn); err != nil {
		t.Fatal(err)
	}
	sent, err := io.ReadAll(conn)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	r := bufio.NewReader(bytes.NewReader(sent))
	if resp, err = http.ReadResponse(r, req); err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	if body, err = io.ReadAll(resp.Body); err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	after, _ = io.ReadAll(r)
	return resp, body, after
}
