package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wenzhou-subsidy/subsidy/api"
	"github.com/wenzhou-subsidy/subsidy/app"
	"github.com/wenzhou-subsidy/subsidy/models"
	"github.com/wenzhou-subsidy/subsidy/store"
	"github.com/wenzhou-subsidy/subsidy/store/storetest"
)

// The registry the service tests use.
const (
	entA    = "91330382MA2AB3C47E" // 乐清, province level
	entB    = "91330302MA2C000012" // 鹿城, city level by import
	entC    = "91330303MA2C00002K" // 龙湾, a member unit of A
	outside = "91330304MA2C000035" // another enterprise, never ours
	uniCode = "wzvtc"
)

// harness is a server on a real store with a key of every role, and a
// second finance key: the approver, as four eyes need (the first, the
// clerk, starts the payout runs).
type harness struct {
	t    *testing.T
	srv  http.Handler
	st   *store.Store
	svc  *app.Service
	keys map[string]string // role (or "approver") → secret
}

func newHarness(t *testing.T, kind string) *harness {
	t.Helper()
	return newHarnessWith(t, kind, app.Options{})
}

// newHarnessWith is newHarness with service options (its clock is the
// harness's).
func newHarnessWith(t *testing.T, kind string, opts app.Options) *harness {
	t.Helper()
	st := storetest.Open(t, kind)
	opts.Now = api.FixedNow
	svc := testService(t, st, opts)
	h := &harness{t: t, srv: testServer(t, svc, st), st: st, svc: svc, keys: map[string]string{}}
	for role, subject := range map[string]string{
		models.RoleAdmin: "", models.RoleFinance: "", models.RoleTax: "",
		models.RoleEnterprise: entA, models.RoleUniversity: uniCode,
	} {
		h.keys[role] = h.newKey(role, subject)
	}
	h.keys[approver] = h.newKey(models.RoleFinance, "")
	return h
}

// testService is the use cases over st with the shipped rules, on the
// tests' clock (api.FixedNow) unless opts has its own.
func testService(tb testing.TB, st models.Store, opts app.Options) *app.Service {
	tb.Helper()
	if opts.Now == nil {
		opts.Now = api.FixedNow
	}
	return app.New(api.MustEngine(tb), st, opts)
}

// testServer is the API over svc, its Idempotency-Keys kept in idem, its
// log dropped.
func testServer(tb testing.TB, svc *app.Service, idem api.Idempotency) *api.Server {
	tb.Helper()
	srv, err := api.NewServer(slog.New(slog.DiscardHandler), svc, idem, api.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	return srv
}

// approver is the harness's second finance key, which approves what the
// "finance" key's runs record.
const approver = "approver"

func (h *harness) newKey(role, subject string) string {
	key, err := h.svc.CreateKey(h.t.Context(), models.Actor{KeyID: "test", Role: models.RoleAdmin}, models.KeyEntry{Role: role, Subject: subject, Label: "test"})
	if err != nil {
		h.t.Fatal(err)
	}
	return key.Secret
}

// do sends a request with the key of role ("" for none).
func (h *harness) do(role, method, path, body string, headers ...string) *httptest.ResponseRecorder {
	h.t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if role != "" {
		req.Header.Set("Authorization", "Bearer "+h.keys[role])
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	h.srv.ServeHTTP(rec, req)
	api.CheckAnswer(h.t, req, []byte(body), rec)
	return rec
}

// must sends a request and fails the test unless the status is want.
func (h *harness) must(want int, role, method, path, body string, headers ...string) *httptest.ResponseRecorder {
	h.t.Helper()
	rec := h.do(role, method, path, body, headers...)
	if rec.Code != want {
		h.t.Fatalf("%s %s as %s: status %d, want %d: %s", method, path, role, rec.Code, want, rec.Body)
	}
	return rec
}

func decode[T any](t *testing.T, rec *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatalf("decode %T: %v: %s", v, err, rec.Body)
	}
	return v
}

type payoutList struct {
	Payouts []models.Payout `json:"payouts"`
}

type runAnswer struct {
	ID      int64            `json:"id"`
	Run     models.PayoutRun `json:"run"`
	Created []models.Payout  `json:"created"`
}

// seed registers A (province), C (A's wholly owned unit) and the university
// with one donation.
func (h *harness) seed() {
	h.must(201, "finance", "PUT", "/v1/enterprises/"+entA, `{"name":"示例电气有限公司","region":"330382"}`)
	h.must(201, "finance", "POST", "/v1/enterprises/"+entA+"/certifications", `{"level":"province","certified_on":"2024-03-01"}`)
	h.must(201, "finance", "PUT", "/v1/enterprises/"+entC, `{"name":"成员单位","region":"330303","parent":{"credit_code":"`+entA+`","ownership_pct":"100"}}`)
	h.must(201, "finance", "PUT", "/v1/universities/"+uniCode, `{"name":"温州职业技术学院","ownership":"public","affiliation":"city"}`)
	h.must(201, "finance", "POST", "/v1/universities/"+uniCode+"/donations", `{"amount":"3000000.00","form":"cash","via_foundation":true,"arrived_on":"2024-05-06"}`)
}

func forEachDB(t *testing.T, test func(t *testing.T, h *harness)) {
	for _, kind := range storetest.Kinds(t) {
		t.Run(kind, func(t *testing.T) {
			test(t, newHarness(t, kind))
		})
	}
}

// TestFinanceFlow walks a finance officer through the service: register,
// import a certification list, run payouts (免申即享), approve, pay, reject,
// export the transfer list.
func TestFinanceFlow(t *testing.T) {
	forEachDB(t, func(t *testing.T, h *harness) {
		h.seed()
		h.must(200, "finance", "PUT", "/v1/enterprises/"+entA, `{"name":"示例电气有限公司","region":"330382"}`)

		// A published city-level list: B is new, A's row is not a new certification.
		csv := "\ufeff序号,企业名称,统一社会信用代码,所在地,认定日期\n" +
			"1,鹿城机械有限公司," + entB + ",鹿城区,2024年6月1日\n" +
			"2,示例电气有限公司," + entA + ",乐清市,2024/3/1\n"
		sum := decode[models.ImportSummary](t, h.must(200, "finance", "POST", "/v1/certifications/import?level=市级", csv, "Content-Type", "text/csv"))
		if diff := cmp.Diff(models.ImportSummary{Rows: 2, EnterprisesCreated: 1, CertificationsCreated: 2}, sum); diff != "" {
			t.Errorf("import (-want +got):\n%s", diff)
		}
		// The same list again changes nothing.
		sum = decode[models.ImportSummary](t, h.must(200, "finance", "POST", "/v1/certifications/import?level=city", csv))
		if sum.Duplicates != 2 || sum.CertificationsCreated != 0 {
			t.Errorf("re-import: %+v", sum)
		}
		// A list with bad rows is refused whole, every bad row named.
		bad := "统一社会信用代码,企业名称,注册地,认定等级,认定日期\n" +
			"91330381MA2C00004Q,瑞安汽摩,330381,省级,2024-09-01\n" +
			"91330381MA2C00004X,坏代码,330381,省级,2024-09-01\n" +
			"91330326MA2C00007D,平阳,火星,县级,2024-13-01\n"
		p := decode[api.Problem](t, h.must(400, "finance", "POST", "/v1/certifications/import", bad))
		var fields []string
		for _, f := range p.Errors {
			fields = append(fields, f.Field)
		}
		if diff := cmp.Diff([]string{"lines[3].统一社会信用代码", "lines[4].注册地", "lines[4].认定等级", "lines[4].认定日期"}, fields); diff != "" {
			t.Errorf("bad rows (-want +got):\n%s", diff)
		}
		h.must(404, "finance", "GET", "/v1/enterprises/91330381MA2C00004Q", "")

		// The run records A's province grant, B's city grant (A's city
		// certification is dated 2024-03-01 too: cumulative pays it) and the
		// university's match; C holds no certification of its own.
		run := decode[runAnswer](t, h.must(201, "finance", "POST", "/v1/payout-runs", `{"as_of":"2025-06-30","grant_year":2024}`))
		got := map[string]string{}
		for _, p := range run.Created {
			got[fmt.Sprintf("%s %s %s%d", p.Rule, p.Subject, p.Level, p.GrantYear)] = p.Amount.String() + " " + p.Payer.Name + " " + p.Status
		}
		want := map[string]string{
			"cert-grant " + entA + " province0":   "200000.00 乐清市财政局 pending",
			"cert-grant " + entA + " city0":       "50000.00 乐清市财政局 pending",
			"cert-grant " + entB + " city0":       "50000.00 鹿城区财政局 pending",
			"donation-match " + uniCode + " 2024": "0.00",
		}
		delete(want, "donation-match "+uniCode+" 2024") // basis 2023: nothing arrived then
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("first run (-want +got):\n%s", diff)
		}
		if run.Run.CreatedTotal.String() != "300000.00" || run.Run.Screened != 4 {
			t.Errorf("run summary %+v", run.Run)
		}
		// Grant year 2025 matches 2024's donations; a second run records nothing.
		run = decode[runAnswer](t, h.must(201, "finance", "POST", "/v1/payout-runs", `{"as_of":"2025-06-30","grant_year":2025}`))
		if len(run.Created) != 1 || run.Created[0].Amount.String() != "1500000.00" || run.Created[0].Payer != models.CityFinanceBureau {
			t.Fatalf("grant year 2025: %+v", run.Created)
		}
		run = decode[runAnswer](t, h.must(201, "finance", "POST", "/v1/payout-runs", `{"as_of":"2025-06-30","grant_year":2025}`))
		if len(run.Created) != 0 {
			t.Errorf("second run created %+v", run.Created)
		}
		// New donations for 2024 raise the match: only the difference is recorded.
		h.must(201, "finance", "POST", "/v1/universities/"+uniCode+"/donations", `{"amount":"2000000.00","form":"cash","via_foundation":true,"arrived_on":"2024-08-01"}`)
		run = decode[runAnswer](t, h.must(201, "finance", "POST", "/v1/payout-runs", `{"as_of":"2025-06-30","rules":["donation-match"],"grant_year":2025}`))
		if len(run.Created) != 1 || run.Created[0].Amount.String() != "1000000.00" || run.Created[0].Seq != 2 {
			t.Fatalf("difference run: %+v", run.Created)
		}

		list := decode[payoutList](t, h.must(200, "finance", "GET", "/v1/payouts?subject="+entA+"&rule=cert-grant", ""))
		if len(list.Payouts) != 2 {
			t.Fatalf("A's payouts: %+v", list.Payouts)
		}
		province := list.Payouts[0]
		if province.Level != models.LevelProvince {
			province = list.Payouts[1]
		}
		id := fmt.Sprint(province.ID)
		one := decode[models.Payout](t, h.must(200, "finance", "GET", "/v1/payouts/"+id, ""))
		var dec struct {
			Ruleset    models.Ruleset           `json:"ruleset"`
			Conditions []models.ConditionResult `json:"conditions"`
		}
		if err := json.Unmarshal(one.Decision, &dec); err != nil || len(dec.Conditions) != 3 || dec.Ruleset.Digest != one.RulesetDigest {
			t.Errorf("decision %s (%v)", one.Decision, err)
		}

		// pending → approved → paid; anything else is 409. The clerk who
		// started the run does not approve it (four eyes): the approver does.
		h.must(409, "finance", "POST", "/v1/payouts/"+id+"/paid", "")
		if p := decode[models.Payout](t, h.must(200, approver, "POST", "/v1/payouts/"+id+"/approve", "")); p.Status != models.PayoutApproved || p.ApprovedAt == nil {
			t.Errorf("approved: %+v", p)
		}
		h.must(409, approver, "POST", "/v1/payouts/"+id+"/approve", "{}")
		h.must(409, approver, "POST", "/v1/payouts/"+id+"/reject", `{"reason":"too late"}`)
		h.must(200, "finance", "POST", "/v1/payouts/"+id+"/paid", "{}")
		h.must(400, "finance", "POST", "/v1/payouts/"+id+"/paid", `{"note":"x"}`)

		// Rejecting needs a reason; a rejected payout is never recorded again.
		list = decode[payoutList](t, h.must(200, "finance", "GET", "/v1/payouts?subject="+entB, ""))
		bID := fmt.Sprint(list.Payouts[0].ID)
		h.must(400, approver, "POST", "/v1/payouts/"+bID+"/reject", `{"reason":"  "}`)
		h.must(400, approver, "POST", "/v1/payouts/"+bID+"/reject", ``)
		if p := decode[models.Payout](t, h.must(200, approver, "POST", "/v1/payouts/"+bID+"/reject", `{"reason":"企业已注销"}`)); p.Status != models.PayoutRejected || p.Reason != "企业已注销" {
			t.Errorf("rejected: %+v", p)
		}
		run = decode[runAnswer](t, h.must(201, "finance", "POST", "/v1/payout-runs", `{"as_of":"2025-06-30"}`))
		if len(run.Created) != 0 {
			t.Errorf("a run after the rejection created %+v", run.Created)
		}

		// The transfer list of 乐清市财政局's paid payouts.
		rec := h.must(200, "finance", "GET", "/v1/payouts/export?payer=330382&status=paid", "")
		body := rec.Body.String()
		if !strings.HasPrefix(body, "\ufeff付款编号,") || !strings.Contains(body, "\n"+id+",330382,乐清市财政局,"+entA+",示例电气有限公司,,,,200000.00,产教融合型企业认定一次性补助,省级,,已支付,未登记收款账户,") {
			t.Errorf("export:\n%s", body)
		}
		if strings.Count(body, "\n") != 3 || !strings.Contains(body, "\n合计,,,,共 1 笔,,,,200000.00,") {
			t.Errorf("export has %d lines, want a header, one row and the total:\n%s", strings.Count(body, "\n"), body)
		}
		if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
			t.Errorf("export Content-Type %q", ct)
		}

		// Every write is in the audit trail, with the record before and after.
		audit := decode[struct {
			Entries []models.AuditEntry `json:"entries"`
		}](t, h.must(200, "admin", "GET", "/v1/audit?entity=payout&entity_id="+id, ""))
		var actions []string
		for _, e := range audit.Entries {
			actions = append(actions, e.Action)
			if e.KeyID == "" || e.Role != models.RoleFinance || len(e.After) == 0 {
				t.Errorf("audit entry %+v", e)
			}
		}
		if len(actions) != 3 {
			t.Errorf("payout %s audit actions %v, want create and two transitions", id, actions)
		}
	})
}

// TestTaxFlow walks a tax officer through the service: record credit
// years, read the ledger, verify claims.
func TestTaxFlow(t *testing.T) {
	forEachDB(t, func(t *testing.T, h *harness) {
		h.seed()
		h.must(201, "tax", "PUT", "/v1/enterprises/"+entA+"/credit-years/2024", `{"investment":"1000000.00","fiscal_subsidy":"0.00","education_surcharge":"30000.00","local_education_surcharge":"20000.00"}`)
		h.must(201, "tax", "PUT", "/v1/enterprises/"+entA+"/credit-years/2025", `{"investment":"0","fiscal_subsidy":"0","withdrawn":"0","education_surcharge":"180000.00","local_education_surcharge":"120000.00"}`)
		h.must(400, "tax", "PUT", "/v1/enterprises/"+entA+"/credit-years/2026", `{"investment":"1","fiscal_subsidy":"2","education_surcharge":"0","local_education_surcharge":"0"}`)
		h.must(400, "tax", "PUT", "/v1/enterprises/"+entA+"/credit-years/1999", `{"investment":"1","fiscal_subsidy":"0","education_surcharge":"0","local_education_surcharge":"0"}`)
		h.must(404, "tax", "PUT", "/v1/enterprises/"+outside+"/credit-years/2024", `{"investment":"1","fiscal_subsidy":"0","education_surcharge":"0","local_education_surcharge":"0"}`)
		// C, A's wholly owned member unit, invests in 2024 only.
		h.must(201, "tax", "PUT", "/v1/enterprises/"+entC+"/credit-years/2024", `{"investment":"100000.00","fiscal_subsidy":"0.00","education_surcharge":"6000.00","local_education_surcharge":"4000.00"}`)

		type ledger struct {
			Amount models.Money       `json:"amount"`
			Ledger []models.LedgerRow `json:"ledger"`
		}
		l := decode[ledger](t, h.must(200, "tax", "GET", "/v1/enterprises/"+entA+"/credit-ledger", ""))
		rows := map[int]string{}
		for _, r := range l.Ledger {
			rows[r.Year] = fmt.Sprintf("%s+%s→%s/%s/%s→%s", r.CarryIn, r.Generated, r.Offset, r.OffsetEducation, r.OffsetLocal, r.CarryOut)
		}
		want := map[int]string{
			2024: "0.00+300000.00→50000.00/30000.00/20000.00→250000.00",
			2025: "250000.00+0.00→250000.00/150000.00/100000.00→0.00",
		}
		if diff := cmp.Diff(want, rows); diff != "" {
			t.Errorf("A's ledger (-want +got):\n%s", diff)
		}
		l = decode[ledger](t, h.must(200, "tax", "GET", "/v1/enterprises/"+entC+"/credit-ledger", ""))
		if len(l.Ledger) != 1 || l.Ledger[0].Generated.String() != "30000.00" || !l.Ledger[0].Qualified {
			t.Errorf("member unit ledger: %+v", l.Ledger)
		}

		tests := []struct {
			claimed, verdict, allowed, difference string
		}{
			{"50000.00", models.VerdictMatch, "50000.00", "0.00"},
			{"60000.00", models.VerdictOverClaimed, "50000.00", "10000.00"},
			{"40000.5", models.VerdictUnderClaimed, "50000.00", "9999.50"},
		}
		for _, tt := range tests {
			v := decode[models.CreditVerification](t, h.must(201, "tax", "POST", "/v1/credit-verifications",
				`{"credit_code":"`+entA+`","year":2024,"claimed_offset":"`+tt.claimed+`"}`))
			if v.Verdict != tt.verdict || v.AllowedOffset.String() != tt.allowed || v.Difference.String() != tt.difference || v.LedgerRow.Year != 2024 || v.RulesetDigest == "" {
				t.Errorf("claim %s: %+v", tt.claimed, v)
			}
		}
		h.must(404, "tax", "POST", "/v1/credit-verifications", `{"credit_code":"`+entA+`","year":2023,"claimed_offset":"1"}`)
		h.must(400, "tax", "POST", "/v1/credit-verifications", `{"credit_code":"`+entA+`","year":2024,"claimed_offset":"1","note":"x"}`)
		list := decode[struct {
			Verifications []models.CreditVerification `json:"verifications"`
		}](t, h.must(200, "tax", "GET", "/v1/enterprises/"+entA+"/credit-verifications", ""))
		if len(list.Verifications) != 3 {
			t.Errorf("%d verifications recorded, want 3", len(list.Verifications))
		}
	})
}

// TestAccess checks the 401/403/404 rules of the service for each role.
func TestAccess(t *testing.T) {
	forEachDB(t, func(t *testing.T, h *harness) {
		h.seed()
		h.must(201, "finance", "PUT", "/v1/enterprises/"+outside, `{"name":"别家","region":"330304"}`)
		h.must(201, "finance", "PUT", "/v1/universities/wzu", `{"name":"温州大学","ownership":"public","affiliation":"province"}`)
		run := decode[runAnswer](t, h.must(201, "finance", "POST", "/v1/payout-runs", `{"as_of":"2025-06-30","grant_year":2025}`))
		ids := map[string]string{}
		for _, p := range run.Created {
			ids[p.Subject] = fmt.Sprint(p.ID)
		}
		revoked := h.newKey(models.RoleAdmin, "")
		var revokedID string
		keys, _ := h.st.ListKeys(t.Context())
		for _, k := range keys {
			revokedID = k.ID
		}
		if _, err := h.st.RevokeKey(t.Context(), models.Actor{KeyID: "test"}, revokedID); err != nil {
			t.Fatal(err)
		}

		type route struct{ method, path, body string }
		routes := map[string]route{
			"list enterprises":  {"GET", "/v1/enterprises", ""},
			"own enterprise":    {"GET", "/v1/enterprises/" + entA, ""},
			"other enterprise":  {"GET", "/v1/enterprises/" + outside, ""},
			"own ledger":        {"GET", "/v1/enterprises/" + entA + "/credit-ledger", ""},
			"other ledger":      {"GET", "/v1/enterprises/" + outside + "/credit-ledger", ""},
			"own credit years":  {"GET", "/v1/enterprises/" + entA + "/credit-years", ""},
			"put enterprise":    {"PUT", "/v1/enterprises/" + entA, `{"name":"示例电气有限公司","region":"330382"}`},
			"put credit year":   {"PUT", "/v1/enterprises/" + entA + "/credit-years/2024", `{"investment":"1","fiscal_subsidy":"0","education_surcharge":"0","local_education_surcharge":"0"}`},
			"own university":    {"GET", "/v1/universities/" + uniCode, ""},
			"other university":  {"GET", "/v1/universities/wzu", ""},
			"payout runs":       {"POST", "/v1/payout-runs", `{"as_of":"2025-06-30"}`},
			"list payouts":      {"GET", "/v1/payouts", ""},
			"own payout":        {"GET", "/v1/payouts/" + ids[entA], ""},
			"university payout": {"GET", "/v1/payouts/" + ids[uniCode], ""},
			"approve":           {"POST", "/v1/payouts/" + ids[entA] + "/approve", ""},
			"verify":            {"POST", "/v1/credit-verifications", `{"credit_code":"` + entA + `","year":2024,"claimed_offset":"0"}`},
			"audit":             {"GET", "/v1/audit", ""},
			"forecast":          {"POST", "/v1/forecasts", `{"as_of":"2025-06-30"}`},
			"budgets":           {"GET", "/v1/budgets", ""},
			"put budget":        {"PUT", "/v1/budgets/330382/2026", `{"amount":"1"}`},
			"export":            {"GET", "/v1/payouts/export?format=xlsx", ""},
		}
		want := map[string]map[string]int{
			// route:            admin, finance, tax, enterprise, university, no key, revoked key
			"list enterprises":  {"admin": 200, "finance": 200, "tax": 200, "enterprise": 403, "university": 403},
			"own enterprise":    {"admin": 200, "finance": 200, "tax": 200, "enterprise": 200, "university": 403},
			"other enterprise":  {"admin": 200, "finance": 200, "tax": 200, "enterprise": 404, "university": 403},
			"own ledger":        {"admin": 200, "finance": 200, "tax": 200, "enterprise": 200, "university": 403},
			"other ledger":      {"admin": 200, "finance": 200, "tax": 200, "enterprise": 404, "university": 403},
			"own credit years":  {"admin": 200, "finance": 200, "tax": 200, "enterprise": 200, "university": 403},
			"put enterprise":    {"admin": 200, "finance": 200, "tax": 403, "enterprise": 403, "university": 403},
			"put credit year":   {"admin": 201, "finance": 200, "tax": 200, "enterprise": 403, "university": 403},
			"own university":    {"admin": 200, "finance": 200, "tax": 403, "enterprise": 403, "university": 200},
			"other university":  {"admin": 200, "finance": 200, "tax": 403, "enterprise": 403, "university": 404},
			"payout runs":       {"admin": 201, "finance": 201, "tax": 403, "enterprise": 403, "university": 403},
			"list payouts":      {"admin": 200, "finance": 200, "tax": 403, "enterprise": 200, "university": 200},
			"own payout":        {"admin": 200, "finance": 200, "tax": 403, "enterprise": 200, "university": 404},
			"university payout": {"admin": 200, "finance": 200, "tax": 403, "enterprise": 404, "university": 200},
			"approve":           {"admin": 200, "finance": 409, "tax": 403, "enterprise": 403, "university": 403},
			"verify":            {"admin": 201, "finance": 403, "tax": 201, "enterprise": 403, "university": 403},
			"audit":             {"admin": 200, "finance": 403, "tax": 403, "enterprise": 403, "university": 403},
			"forecast":          {"admin": 200, "finance": 200, "tax": 403, "enterprise": 403, "university": 403},
			"budgets":           {"admin": 200, "finance": 200, "tax": 403, "enterprise": 403, "university": 403},
			"put budget":        {"admin": 201, "finance": 200, "tax": 403, "enterprise": 403, "university": 403},
			"export":            {"admin": 200, "finance": 200, "tax": 403, "enterprise": 403, "university": 403},
		}
		for _, name := range []string{"list enterprises", "own enterprise", "other enterprise", "own ledger", "other ledger",
			"own credit years", "put enterprise", "put credit year", "own university", "other university", "payout runs",
			"list payouts", "own payout", "university payout", "approve", "verify", "audit", "forecast", "budgets", "put budget", "export"} {
			r := routes[name]
			for _, role := range []string{"admin", "finance", "tax", "enterprise", "university"} {
				if rec := h.do(role, r.method, r.path, r.body); rec.Code != want[name][role] {
					t.Errorf("%s as %s: %d, want %d: %s", name, role, rec.Code, want[name][role], rec.Body)
				}
			}
			if rec := h.do("", r.method, r.path, r.body); rec.Code != 401 || rec.Header().Get("WWW-Authenticate") == "" {
				t.Errorf("%s without a key: %d", name, rec.Code)
			}
			req := httptest.NewRequest(r.method, r.path, strings.NewReader(r.body))
			req.Header.Set("Authorization", "Bearer "+revoked)
			rec := httptest.NewRecorder()
			h.srv.ServeHTTP(rec, req)
			if rec.Code != 401 {
				t.Errorf("%s with a revoked key: %d", name, rec.Code)
			}
		}
		// A subject key's list of payouts holds only its own.
		list := decode[payoutList](t, h.must(200, "enterprise", "GET", "/v1/payouts", ""))
		for _, p := range list.Payouts {
			if p.Subject != entA {
				t.Errorf("the enterprise key sees %s's payout", p.Subject)
			}
		}
		h.must(404, "enterprise", "GET", "/v1/payouts?subject="+outside, "")
		// Public routes need no key.
		h.must(200, "", "GET", "/healthz", "")
		h.must(200, "", "GET", "/v1/rules", "")
	})
}

// TestConcurrentPayoutRuns: 16 runs at once record each amount exactly once.
func TestConcurrentPayoutRuns(t *testing.T) {
	forEachDB(t, func(t *testing.T, h *harness) {
		h.seed()
		h.must(200, "finance", "POST", "/v1/certifications/import?level=city&certified_on=2024-06-01",
			"统一社会信用代码,企业名称,注册地\n"+entB+",鹿城机械,330302\n91330381MA2C00004Q,瑞安汽摩,330381\n")
		var wg sync.WaitGroup
		codes := make(chan int, 16)
		for i := 0; i < 16; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				codes <- h.do("finance", "POST", "/v1/payout-runs", `{"as_of":"2025-06-30","grant_year":2025}`).Code
			}()
		}
		wg.Wait()
		close(codes)
		for c := range codes {
			if c != http.StatusCreated {
				t.Errorf("a concurrent run answered %d", c)
			}
		}
		list := decode[payoutList](t, h.must(200, "finance", "GET", "/v1/payouts?limit=1000", ""))
		count := map[string]int{}
		total := models.Money{}
		for _, p := range list.Payouts {
			count[fmt.Sprintf("%s/%s/%s/%d", p.Rule, p.Subject, p.Level, p.GrantYear)]++
			total = total.Add(p.Amount)
		}
		for key, n := range count {
			if n != 1 {
				t.Errorf("%s recorded %d times", key, n)
			}
		}
		// A province 200,000; B and 瑞安 city 50,000 each; the match 1,500,000.
		if len(count) != 4 || total.String() != "1800000.00" {
			t.Errorf("recorded %v totalling %s, want 4 payouts totalling 1800000.00", count, total)
		}
	})
}

// TestConcurrentCreditYears: concurrent writers of credit years lose nothing.
func TestConcurrentCreditYears(t *testing.T) {
	forEachDB(t, func(t *testing.T, h *harness) {
		h.seed()
		var wg sync.WaitGroup
		for i := 0; i < 16; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				body := fmt.Sprintf(`{"investment":"%d.00","fiscal_subsidy":"0","education_surcharge":"1","local_education_surcharge":"1"}`, 1000+i)
				if rec := h.do("tax", "PUT", fmt.Sprintf("/v1/enterprises/%s/credit-years/%d", entA, 2010+i%8), body); rec.Code != 200 && rec.Code != 201 {
					t.Errorf("write %d: %d %s", i, rec.Code, rec.Body)
				}
			}(i)
		}
		wg.Wait()
		years := decode[struct {
			CreditYears []models.CreditYearRecord `json:"credit_years"`
		}](t, h.must(200, "tax", "GET", "/v1/enterprises/"+entA+"/credit-years", ""))
		if len(years.CreditYears) != 8 {
			t.Errorf("%d years stored, want 8", len(years.CreditYears))
		}
	})
}

// TestIdempotency: a retried POST with the same Idempotency-Key returns the
// first answer and creates nothing.
func TestIdempotency(t *testing.T) {
	forEachDB(t, func(t *testing.T, h *harness) {
		h.seed()
		body := `{"level":"national","certified_on":"2025-01-02"}`
		path := "/v1/enterprises/" + entA + "/certifications"
		first := h.must(201, "finance", "POST", path, body, "Idempotency-Key", "k-1")
		again := h.must(201, "finance", "POST", path, body, "Idempotency-Key", "k-1")
		if again.Body.String() != first.Body.String() || again.Header().Get("Idempotent-Replayed") != "true" {
			t.Errorf("retry answered %s, first %s", again.Body, first.Body)
		}
		certs := decode[struct {
			Certifications []models.CertificationRecord `json:"certifications"`
		}](t, h.must(200, "finance", "GET", path, ""))
		if len(certs.Certifications) != 2 {
			t.Errorf("%d certifications, want 2 (the retry created one)", len(certs.Certifications))
		}
		h.must(409, "finance", "POST", path, `{"level":"city","certified_on":"2025-01-02"}`, "Idempotency-Key", "k-1")
		// Keys are per API key: another finance key may use the same one.
		h.keys["finance"] = h.newKey(models.RoleFinance, "")
		h.must(201, "finance", "POST", path, `{"level":"national","certified_on":"2025-01-03"}`, "Idempotency-Key", "k-1")
		// A refused request is answered the same way again.
		bad := h.must(400, "finance", "POST", path, `{"level":"x"}`, "Idempotency-Key", "k-2")
		if again := h.must(400, "finance", "POST", path, `{"level":"x"}`, "Idempotency-Key", "k-2"); again.Body.String() != bad.Body.String() {
			t.Errorf("replayed 400 differs")
		}
		// A key that is not one is refused, in either language.
		for _, tc := range []struct{ key, lang, message string }{
			{"bad key", "", "Idempotency-Key 应为1至200个可见 ASCII 字符"},
			{strings.Repeat("k", 201), "en", "must be 1 to 200 visible ASCII characters"},
		} {
			p := decode[api.Problem](t, h.must(400, "finance", "POST", path, body, "Idempotency-Key", tc.key, "Accept-Language", tc.lang))
			if diff := cmp.Diff([]api.ProblemField{{Field: "Idempotency-Key", Code: "idempotency_key", Message: tc.message}}, p.Errors); diff != "" {
				t.Errorf("Idempotency-Key %.10q (-want +got):\n%s", tc.key, diff)
			}
		}
		// Payout runs too.
		run := h.must(201, "finance", "POST", "/v1/payout-runs", `{"as_of":"2025-06-30"}`, "Idempotency-Key", "run-1")
		if h.must(201, "finance", "POST", "/v1/payout-runs", `{"as_of":"2025-06-30"}`, "Idempotency-Key", "run-1").Body.String() != run.Body.String() {
			t.Error("the replayed run differs")
		}
	})
}

// TestIdempotentReplayHeaders: a replay is the answer the client first
// received, with the headers that describe it: an application's ETag and
// Location, a payout run's Location and, answered at once, its
// Preference-Applied.
func TestIdempotentReplayHeaders(t *testing.T) {
	forEachDB(t, func(t *testing.T, h *harness) {
		h.seed()
		for i, tc := range []struct {
			role, path, body string
			status           int
			headers          []string // sent, name and value
			replayed         []string // headers the replay repeats
		}{
			{"enterprise", "/v1/applications", nationalBody, 201, nil, []string{"ETag", "Location"}},
			{"finance", "/v1/payout-runs", `{"as_of":"2025-06-30","grant_year":2025}`, 201, nil, []string{"Location"}},
			{"finance", "/v1/payout-runs", `{"as_of":"2025-06-30","grant_year":2024}`, 202, []string{"Prefer", "respond-async"}, []string{"Location", "Preference-Applied"}},
		} {
			headers := append([]string{"Idempotency-Key", fmt.Sprintf("replay-%d", i)}, tc.headers...)
			first := h.must(tc.status, tc.role, "POST", tc.path, tc.body, headers...)
			again := h.must(tc.status, tc.role, "POST", tc.path, tc.body, headers...)
			if again.Body.String() != first.Body.String() || again.Header().Get("Idempotent-Replayed") != "true" {
				t.Errorf("POST %s: replayed %v %s, first %s", tc.path, again.Header(), again.Body, first.Body)
			}
			for _, name := range append(tc.replayed, "Content-Type") {
				if want, got := first.Header().Values(name), again.Header().Values(name); len(want) == 0 || !slices.Equal(want, got) {
					t.Errorf("POST %s: %s first %q, replayed %q", tc.path, name, want, got)
				}
			}
			if tc.status == 202 {
				waitRun(t, h, h.srv, decode[models.PayoutRun](t, first).ID, models.RunCompleted)
			}
		}
	})
}

// TestRegistryReads covers the reads and corrections of the registry.
func TestRegistryReads(t *testing.T) {
	forEachDB(t, func(t *testing.T, h *harness) {
		h.seed()
		view := decode[struct {
			models.EnterpriseRecord
			Certifications []models.CertificationRecord `json:"certifications"`
		}](t, h.must(200, "enterprise", "GET", "/v1/enterprises/"+entA, ""))
		if view.Name != "示例电气有限公司" || len(view.Certifications) != 1 {
			t.Fatalf("enterprise view %+v", view)
		}
		certID := fmt.Sprint(view.Certifications[0].ID)
		// A revocation is an audited correction.
		h.must(400, "finance", "PUT", "/v1/enterprises/"+entA+"/certifications/"+certID, `{"level":"province","certified_on":"2024-03-01","revoked_on":"2024-02-01"}`)
		rec := decode[models.CertificationRecord](t, h.must(200, "finance", "PUT", "/v1/enterprises/"+entA+"/certifications/"+certID, `{"level":"province","certified_on":"2024-03-01","revoked_on":"2024-12-01"}`))
		if rec.RevokedOn == nil || rec.RevokedOn.String() != "2024-12-01" {
			t.Errorf("revoked %+v", rec)
		}
		h.must(404, "finance", "PUT", "/v1/enterprises/"+entC+"/certifications/"+certID, `{"level":"province","certified_on":"2024-03-01"}`)
		audit := decode[struct {
			Entries []models.AuditEntry `json:"entries"`
		}](t, h.must(200, "admin", "GET", "/v1/audit?entity=certification&entity_id="+certID, ""))
		if n := len(audit.Entries); n != 2 || !bytes.Contains(audit.Entries[1].Before, []byte(`"revoked_on":null`)) {
			t.Errorf("certification audit: %+v", audit.Entries)
		}
		// Pages of enterprises, in code order.
		page := decode[struct {
			Enterprises []models.EnterpriseRecord `json:"enterprises"`
			NextAfter   string                    `json:"next_after"`
		}](t, h.must(200, "finance", "GET", "/v1/enterprises?limit=1", ""))
		if len(page.Enterprises) != 1 || page.NextAfter != page.Enterprises[0].CreditCode {
			t.Errorf("first page %+v", page)
		}
		h.must(400, "finance", "GET", "/v1/enterprises?limit=0", "")
		h.must(400, "finance", "GET", "/v1/enterprises/not-a-code", "")
		h.must(400, "finance", "PUT", "/v1/enterprises/"+entA, `{"name":"x","region":"330382","parent":{"credit_code":"`+entA+`","ownership_pct":"100"}}`)
		// A pledge that arrives is corrected, not re-entered.
		uni := decode[struct {
			Donations []models.DonationRecord `json:"donations"`
		}](t, h.must(200, "university", "GET", "/v1/universities/"+uniCode, ""))
		donID := fmt.Sprint(uni.Donations[0].ID)
		d := decode[models.DonationRecord](t, h.must(200, "finance", "PUT", "/v1/universities/"+uniCode+"/donations/"+donID, `{"amount":"3000000.00","form":"cash","via_foundation":true,"arrived_on":"2024-05-07"}`))
		if d.ArrivedOn.String() != "2024-05-07" {
			t.Errorf("donation %+v", d)
		}
		h.must(400, "finance", "POST", "/v1/universities/"+uniCode+"/donations", `{"amount":"1","form":"cash"}`)
		h.must(404, "finance", "POST", "/v1/universities/nowhere/donations", `{"amount":"1","form":"cash","via_foundation":true}`)
	})
}

// TestHealthNeedsTheDatabase: /healthz is 503 once the database is gone.
func TestHealthNeedsTheDatabase(t *testing.T) {
	h := newHarness(t, storetest.SQLite)
	h.must(200, "", "GET", "/healthz", "")
	if err := h.st.Close(); err != nil {
		t.Fatal(err)
	}
	p := decode[api.Problem](t, h.must(503, "", "GET", "/healthz", ""))
	if p.Type != "urn:subsidy:problem:unavailable" {
		t.Errorf("problem %+v", p)
	}
}

// TestCarryInSurvivesCorrections: correcting an enterprise's name, as the
// contract's PUT body does, leaves its credit carry-in as it was; the
// carry-in has its own audited call.
func TestCarryInSurvivesCorrections(t *testing.T) {
	forEachDB(t, func(t *testing.T, h *harness) {
		h.seed()
		rec := decode[models.EnterpriseRecord](t, h.must(200, "tax", "PUT", "/v1/enterprises/"+entA+"/credit-carry-in", `{"credit_carry_in":"80000.00"}`))
		if rec.CreditCarryIn.String() != "80000.00" {
			t.Fatalf("carry-in %s", rec.CreditCarryIn)
		}
		h.must(200, "finance", "PUT", "/v1/enterprises/"+entA, `{"name":"示例电气股份有限公司","region":"330382"}`)
		got := decode[models.EnterpriseRecord](t, h.must(200, "tax", "GET", "/v1/enterprises/"+entA, ""))
		if got.Name != "示例电气股份有限公司" || got.CreditCarryIn.String() != "80000.00" {
			t.Errorf("after the name correction: %+v", got)
		}
		h.must(400, "finance", "PUT", "/v1/enterprises/"+entA, `{"name":"x","region":"330382","credit_carry_in":"0"}`)
		h.must(400, "tax", "PUT", "/v1/enterprises/"+entA+"/credit-carry-in", `{"credit_carry_in":"-1"}`)
		h.must(404, "tax", "PUT", "/v1/enterprises/"+outside+"/credit-carry-in", `{"credit_carry_in":"1"}`)
		h.must(403, "enterprise", "PUT", "/v1/enterprises/"+entA+"/credit-carry-in", `{"credit_carry_in":"1"}`)
		l := decode[struct {
			Ledger []models.LedgerRow `json:"ledger"`
		}](t, h.must(200, "tax", "GET", "/v1/enterprises/"+entA+"/credit-ledger", ""))
		if len(l.Ledger) != 0 {
			t.Errorf("ledger %+v", l.Ledger)
		}
	})
}

// TestUniversityCodesAreNotCreditCodes: payouts name their subject by code,
// so a university may not take an enterprise's kind of code.
func TestUniversityCodesAreNotCreditCodes(t *testing.T) {
	forEachDB(t, func(t *testing.T, h *harness) {
		p := decode[api.Problem](t, h.must(400, "finance", "PUT", "/v1/universities/"+entA, `{"name":"x","ownership":"public","affiliation":"city"}`))
		if len(p.Errors) != 1 || p.Errors[0].Field != "code" {
			t.Errorf("problem %+v", p)
		}
		if _, err := h.svc.CreateKey(t.Context(), models.Actor{KeyID: "test"}, models.KeyEntry{Role: models.RoleUniversity, Subject: entA}); models.CodeOf(err) != models.CodeInvalid {
			t.Errorf("a university key for a credit code: %v", err)
		}
	})
}

// TestPayoutRunRefusals: a run speaks for today or the past, and names each
// rule once.
func TestPayoutRunRefusals(t *testing.T) {
	forEachDB(t, func(t *testing.T, h *harness) {
		for body, field := range map[string]string{
			`{"as_of":"2025-07-01"}`:                            "as_of",
			`{"rules":["cert-grant","cert-grant"]}`:             "rules[1]",
			`{"rules":["surcharge-credit"]}`:                    "rules[0]",
			`{"as_of":"2025-06-30","grant_year":1999}`:          "grant_year",
			`{"as_of":"2025-06-30","rules":["donation-match"]}`: "",
		} {
			rec := h.do("finance", "POST", "/v1/payout-runs", body)
			if field == "" {
				if rec.Code != 201 {
					t.Errorf("%s: %d %s", body, rec.Code, rec.Body)
				}
				continue
			}
			if rec.Code != 400 {
				t.Errorf("%s: %d, want 400", body, rec.Code)
				continue
			}
			if p := decode[api.Problem](t, rec); len(p.Errors) != 1 || p.Errors[0].Field != field {
				t.Errorf("%s: %+v, want the field %s", body, p.Errors, field)
			}
		}
	})
}

// TestRegistryEvaluation: an enterprise or university checks what it is
// eligible for on its registered facts.
func TestRegistryEvaluation(t *testing.T) {
	forEachDB(t, func(t *testing.T, h *harness) {
		h.seed()
		resp := decode[models.EvaluateResponse](t, h.must(200, "enterprise", "GET", "/v1/enterprises/"+entA+"/evaluation", ""))
		got := map[string]string{}
		for _, r := range resp.Results {
			got[r.Rule] = r.Amount.String()
		}
		if diff := cmp.Diff(map[string]string{"cert-grant": "200000.00", "surcharge-credit": "0.00"}, got); diff != "" {
			t.Errorf("enterprise (-want +got):\n%s", diff)
		}
		h.must(404, "enterprise", "GET", "/v1/enterprises/"+entC+"/evaluation", "")
		resp = decode[models.EvaluateResponse](t, h.must(200, "university", "GET", "/v1/universities/"+uniCode+"/evaluation?grant_year=2025", ""))
		if len(resp.Results) != 1 || resp.Results[0].Amount.String() != "1500000.00" {
			t.Errorf("university: %+v", resp.Results)
		}
		resp = decode[models.EvaluateResponse](t, h.must(200, "finance", "GET", "/v1/universities/"+uniCode+"/evaluation", ""))
		if resp.Results[0].Eligible { // grant year 2025 by default is the year of as_of: 2024's cash counts
			if resp.Results[0].Amount.String() != "1500000.00" {
				t.Errorf("default grant year: %+v", resp.Results[0])
			}
		} else {
			t.Errorf("default grant year 2025 not eligible: %+v", resp.Results[0])
		}
		h.must(400, "finance", "GET", "/v1/universities/"+uniCode+"/evaluation?grant_year=twenty", "")
		h.must(403, "enterprise", "GET", "/v1/universities/"+uniCode+"/evaluation", "")
	})
}

// TestEvaluationShowsPayouts: a registered subject's own evaluation does not
// contradict its payouts: what a run recorded is listed with its status (and
// reason), counts as received, and is no longer due.
func TestEvaluationShowsPayouts(t *testing.T) {
	forEachDB(t, func(t *testing.T, h *harness) {
		h.seed()
		type result struct {
			Rule     string `json:"rule"`
			Eligible bool   `json:"eligible"`
			Amount   string `json:"amount"`
			Due      string `json:"due"`
			Recorded []struct {
				ID     int64  `json:"id"`
				Amount string `json:"amount"`
				Status string `json:"status"`
				Reason string `json:"reason"`
			} `json:"recorded"`
		}
		type answer struct {
			Results []result `json:"results"`
		}
		byRule := func(a answer) map[string]result {
			out := map[string]result{}
			for _, r := range a.Results {
				out[r.Rule] = r
			}
			return out
		}
		before := byRule(decode[answer](t, h.must(200, "enterprise", "GET", "/v1/enterprises/"+entA+"/evaluation", "")))
		if g := before["cert-grant"]; !g.Eligible || g.Due != "200000.00" || len(g.Recorded) != 0 {
			t.Errorf("before the run: %+v", g)
		}
		if c := before["surcharge-credit"]; c.Due != "" || c.Recorded != nil {
			t.Errorf("the credit pays nothing out: %+v", c)
		}
		run := decode[runAnswer](t, h.must(201, "finance", "POST", "/v1/payout-runs", `{"as_of":"2025-06-30","grant_year":2025}`))
		var grantID, matchID int64
		for _, p := range run.Created {
			switch p.Subject {
			case entA:
				grantID = p.ID
			case uniCode:
				matchID = p.ID
			}
		}
		h.must(200, "admin", "POST", fmt.Sprintf("/v1/payouts/%d/approve", grantID), "")
		after := byRule(decode[answer](t, h.must(200, "enterprise", "GET", "/v1/enterprises/"+entA+"/evaluation", "")))
		g := after["cert-grant"]
		if g.Eligible || g.Due != "0.00" || len(g.Recorded) != 1 || g.Recorded[0].ID != grantID || g.Recorded[0].Status != "approved" || g.Recorded[0].Amount != "200000.00" {
			t.Errorf("after the run: %+v", g)
		}

		uni := "/v1/universities/" + uniCode + "/evaluation?grant_year=2025"
		m := byRule(decode[answer](t, h.must(200, "university", "GET", uni, "")))["donation-match"]
		if !m.Eligible || m.Amount != "1500000.00" || m.Due != "0.00" || len(m.Recorded) != 1 || m.Recorded[0].Status != "pending" {
			t.Errorf("a pending match: %+v", m)
		}
		h.must(200, "approver", "POST", fmt.Sprintf("/v1/payouts/%d/reject", matchID), `{"reason":"捐赠票据待核实"}`)
		m = byRule(decode[answer](t, h.must(200, "university", "GET", uni, "")))["donation-match"]
		if m.Due != "0.00" || m.Recorded[0].Status != "rejected" || m.Recorded[0].Reason != "捐赠票据待核实" {
			t.Errorf("a rejected match counts as received, with its reason: %+v", m)
		}
		if other := byRule(decode[answer](t, h.must(200, "university", "GET", "/v1/universities/"+uniCode+"/evaluation?grant_year=2026", "")))["donation-match"]; len(other.Recorded) != 0 {
			t.Errorf("another grant year lists this year's payouts: %+v", other)
		}
	})
}

// TestImportMalformedCSV: a CSV syntax error is a 400 naming the line.
func TestImportMalformedCSV(t *testing.T) {
	forEachDB(t, func(t *testing.T, h *harness) {
		bad := "统一社会信用代码,企业名称,注册地,认定等级,认定日期\n" +
			entB + ",鹿城机械,330302,市级,2024-06-01\n" +
			`ab"c,x,330382,city,2024-03-01` + "\n"
		p := decode[api.Problem](t, h.must(400, "finance", "POST", "/v1/certifications/import", bad))
		if len(p.Errors) != 1 || p.Errors[0].Field != "lines[3]" || p.Errors[0].Code != "csv_syntax" {
			t.Errorf("problem %+v", p.Errors)
		}
		h.must(400, "finance", "POST", "/v1/certifications/import", "统一社会信用代码,企业名称,注册地,认定等级,认定日期\n\"abc,x")
		h.must(400, "finance", "POST", "/v1/certifications/import", "统一社会信用代码,企业名称,注册地,认定等级,认定日期\n"+entB+",a\x00b,330302,市级,2024-06-01\n")
		h.must(400, "finance", "GET", "/v1/payouts?subject=%00", "")
		h.must(400, "finance", "GET", "/v1/enterprises?region=%C3%28", "")
	})
}

// TestImportErrorsOmitted: a certification list of 1 MiB of bad lines
// lists the first 100 bad fields and counts the rest in errors_omitted,
// exactly.
func TestImportErrorsOmitted(t *testing.T) {
	forEachDB(t, func(t *testing.T, h *harness) {
		const header = "统一社会信用代码,企业名称,所在地,认定等级,认定日期\n"
		line := func(i int) string { return fmt.Sprintf("bad%07d,,火星,县级,2024-13-01\n", i) }
		// What one such line is refused for: its code, name, county,
		// level and date.
		one := decode[api.Problem](t, h.must(400, "finance", "POST", "/v1/certifications/import", header+line(0)))
		perLine := len(one.Errors)
		if perLine == 0 || one.ErrorsOmitted != 0 {
			t.Fatalf("one bad line: %+v", one)
		}
		var b strings.Builder
		b.WriteString(header)
		lines := 0
		for b.Len()+len(line(lines)) <= api.DefaultBodyLimit {
			b.WriteString(line(lines))
			lines++
		}
		p := decode[api.Problem](t, h.must(400, "finance", "POST", "/v1/certifications/import", b.String()))
		if want := lines*perLine - models.MaxFieldErrors; len(p.Errors) != models.MaxFieldErrors || p.ErrorsOmitted != want {
			t.Errorf("%d lines: %d listed, %d omitted; want %d and %d", lines, len(p.Errors), p.ErrorsOmitted, models.MaxFieldErrors, want)
		}
		if len(p.Errors) < perLine || !cmp.Equal(p.Errors[:perLine], one.Errors) {
			t.Errorf("listed first %v, want the first line's %v", p.Errors, one.Errors)
		}
	})
}

// TestDonationReceiptsOnce: a donation receipt is recorded once per
// university, through the registry as through applications.
func TestDonationReceiptsOnce(t *testing.T) {
	forEachDB(t, func(t *testing.T, h *harness) {
		h.seed()
		path := "/v1/universities/" + uniCode + "/donations"
		d := decode[models.DonationRecord](t, h.must(201, "finance", "POST", path, `{"amount":"100.00","form":"cash","via_foundation":true,"arrived_on":"2024-05-06","receipt_no":"浙财0031207"}`))
		if d.ReceiptNo != "浙财0031207" {
			t.Errorf("recorded %+v", d)
		}
		h.must(409, "finance", "POST", path, `{"amount":"200.00","form":"cash","via_foundation":true,"arrived_on":"2024-05-07","receipt_no":"浙财0031207"}`)
		h.must(201, "finance", "POST", path, `{"amount":"200.00","form":"cash","via_foundation":true,"arrived_on":"2024-05-07"}`)
		h.must(201, "finance", "POST", path, `{"amount":"300.00","form":"cash","via_foundation":true,"arrived_on":"2024-05-08"}`) // no receipt, twice
		// An application cannot bring a receipt the registry holds.
		p := decode[api.Problem](t, h.must(400, "university", "POST", "/v1/applications",
			`{"rule":"donation-match","grant_year":2025,"donations":[{"amount":"1.00","form":"cash","via_foundation":true,"arrived_on":"2024-05-06","receipt_no":"浙财0031207"}]}`))
		if len(p.Errors) != 1 || p.Errors[0].Field != "donations[0].receipt_no" {
			t.Errorf("problem %+v", p.Errors)
		}
	})
}
