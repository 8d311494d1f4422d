package api_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"github.com/wenzhou-subsidy/subsidy/api"
	"github.com/wenzhou-subsidy/subsidy/app"
	"github.com/wenzhou-subsidy/subsidy/models"
	"github.com/wenzhou-subsidy/subsidy/store/storetest"
)

// fields lists the fields a problem names.
func fields(p api.Problem) []string {
	var out []string
	for _, f := range p.Errors {
		out = append(out, f.Field)
	}
	slices.Sort(out)
	return out
}

// forecastAnswer reads a forecast's answer: a difference may be below zero,
// which models.Money, made to read input, refuses.
type forecastAnswer struct {
	app.Forecast
	Changes *struct {
		Difference                 string
		Gainers, Losers, Unchanged int
	} `json:"changes"`
}

func auditCount(t *testing.T, h *harness) int {
	t.Helper()
	return len(decode[struct {
		Entries []models.AuditEntry `json:"entries"`
	}](t, h.must(200, "admin", "GET", "/v1/audit?limit=1000", "")).Entries)
}

// TestForecast: the forecast of POST /v1/forecasts on the seeded registry,
// beside a reform, then the run it foretells, after which nothing is due.
func TestForecast(t *testing.T) {
	forEachDB(t, func(t *testing.T, h *harness) {
		h.seed()
		h.must(201, "tax", "PUT", "/v1/enterprises/"+entA+"/credit-years/2025",
			`{"investment":"1000000.00","fiscal_subsidy":"0.00","education_surcharge":"30000.00","local_education_surcharge":"20000.00"}`)
		before := auditCount(t, h)

		body := `{"grant_year":2025,"as_of":"2025-06-30","overrides":{"donation-match.cap":"1000000.00","surcharge-credit.rate":"0.25"}}`
		answer := decode[forecastAnswer](t, h.must(200, "finance", "POST", "/v1/forecasts", body))
		if c := answer.Changes; c == nil || c.Difference != "-500000.00" || c.Gainers != 0 || c.Losers != 1 || c.Unchanged != 1 {
			t.Errorf("changes %+v", c)
		}
		f := answer.Forecast
		leqing := models.LocalFinanceBureau("330382")
		want := app.Forecast{
			AsOf: models.MustDate("2025-06-30"), GrantYear: 2025, Rules: []string{"cert-grant", "donation-match"}, Ruleset: f.Ruleset,
			Overrides: f.Overrides,
			Baseline: app.ForecastFigures{
				Total: models.Yuan(1700000), Subjects: 2,
				ByRule: []app.RuleFigure{{Rule: "cert-grant", Total: models.Yuan(200000), Subjects: 1}, {Rule: "donation-match", Total: models.Yuan(1500000), Subjects: 1}},
				ByPayer: []app.PayerFigure{
					{Payer: models.CityFinanceBureau, Total: models.Yuan(1500000), Subjects: 1},
					{Payer: leqing, Total: models.Yuan(200000), Subjects: 1},
				},
				Credit: app.CreditFigure{Year: 2025, Offset: models.Yuan(50000), OffsetEducation: models.Yuan(30000), OffsetLocal: models.Yuan(20000), CarryOut: models.Yuan(250000), Enterprises: 1},
			},
			Reform: &app.ForecastFigures{
				Total: models.Yuan(1200000), Subjects: 2,
				ByRule: []app.RuleFigure{{Rule: "cert-grant", Total: models.Yuan(200000), Subjects: 1}, {Rule: "donation-match", Total: models.Yuan(1000000), Subjects: 1}},
				ByPayer: []app.PayerFigure{
					{Payer: models.CityFinanceBureau, Total: models.Yuan(1000000), Subjects: 1},
					{Payer: leqing, Total: models.Yuan(200000), Subjects: 1},
				},
				Credit: app.CreditFigure{Year: 2025, Offset: models.Yuan(50000), OffsetEducation: models.Yuan(30000), OffsetLocal: models.Yuan(20000), CarryOut: models.Yuan(200000), Enterprises: 1},
			},
		}
		if diff := cmp.Diff(want, f, cmpModels); diff != "" {
			t.Errorf("forecast (-want +got):\n%s", diff)
		}
		if got := string(f.Overrides["donation-match.cap"]); got != `"1000000.00"` {
			t.Errorf("overrides echoed %s", f.Overrides)
		}
		// Empty overrides are no reform: the answer is the one without them.
		plain := h.must(200, "finance", "POST", "/v1/forecasts", `{"grant_year":2025,"as_of":"2025-06-30"}`).Body.String()
		empty := h.must(200, "finance", "POST", "/v1/forecasts", `{"grant_year":2025,"as_of":"2025-06-30","overrides":{}}`).Body.String()
		if empty != plain || strings.Contains(empty, `"reform"`) || strings.Contains(empty, `"overrides"`) {
			t.Errorf("forecast with empty overrides:\n%s\nwithout:\n%s", empty, plain)
		}
		if f := decode[app.Forecast](t, h.must(200, "finance", "POST", "/v1/forecasts", `{"grant_year":2025,"as_of":"2025-06-30","overrides":{}}`)); !cmp.Equal(want.Baseline, f.Baseline, cmpModels) {
			t.Errorf("baseline with empty overrides %+v", f.Baseline)
		}
		// A forecast writes nothing: no payout, no run, no audit entry.
		if n := auditCount(t, h); n != before {
			t.Errorf("the forecast left %d audit entries", n-before)
		}
		if list := decode[payoutList](t, h.must(200, "finance", "GET", "/v1/payouts", "")); len(list.Payouts) != 0 {
			t.Errorf("the forecast recorded %d payouts", len(list.Payouts))
		}

		// The run records what the baseline foretold; then nothing is due.
		run := decode[runAnswer](t, h.must(201, "finance", "POST", "/v1/payout-runs", `{"as_of":"2025-06-30","grant_year":2025}`))
		if run.Run.CreatedTotal != want.Baseline.Total || run.Run.CreatedCount != 2 {
			t.Errorf("the run recorded %s in %d payouts, the forecast said %s", run.Run.CreatedTotal, run.Run.CreatedCount, want.Baseline.Total)
		}
		f = decode[app.Forecast](t, h.must(200, "finance", "POST", "/v1/forecasts", `{"grant_year":2025,"as_of":"2025-06-30"}`))
		if !f.Baseline.Total.IsZero() || f.Baseline.Subjects != 0 || len(f.Baseline.ByPayer) != 0 || f.Reform != nil || f.Changes != nil {
			t.Errorf("forecast after the run %+v", f)
		}
		if f.Baseline.Credit.Offset != models.Yuan(50000) {
			t.Errorf("the credit is not a payout: it stays %+v", f.Baseline.Credit)
		}

		// A budget for next year: as_of may be in the future for a forecast.
		f = decode[app.Forecast](t, h.must(200, "admin", "POST", "/v1/forecasts", `{"grant_year":2026,"as_of":"2026-06-30","rules":["donation-match"]}`))
		if len(f.Baseline.ByRule) != 1 || f.Baseline.ByRule[0].Rule != "donation-match" {
			t.Errorf("2026 forecast %+v", f.Baseline)
		}
		h.must(403, "tax", "POST", "/v1/forecasts", `{}`)
		h.must(403, "enterprise", "POST", "/v1/forecasts", `{}`)
	})
}

// TestForecastRefusals: bad rules, years and overrides are 400 naming each
// field; a forecast over an empty registry is an honest zero.
func TestForecastRefusals(t *testing.T) {
	forEachDB(t, func(t *testing.T, h *harness) {
		for body, want := range map[string][]string{
			`{"overrides":{"cert-grant.nope":1,"donation-match.cap":"abc","nothing":true}}`: {"overrides.cert-grant.nope", "overrides.donation-match.cap", "overrides.nothing"},
			`{"rules":["surcharge-credit","cert-grant","cert-grant"]}`:                      {"rules[0]", "rules[2]"},
			`{"grant_year":1999,"as_of":"2025-02-30"}`:                                      {"as_of", "grant_year"},
			`{"grant_year":2101,"overrides":{"surcharge-credit.rate":"-1"}}`:                {"grant_year"},
			`{"rules":["donation-match"],"overrides":{"surcharge-credit.rate":"x"}}`:        {"overrides.surcharge-credit.rate"},
			`{"budget":1}`: {"budget"},
		} {
			p := decode[api.Problem](t, h.must(400, "finance", "POST", "/v1/forecasts", body))
			if diff := cmp.Diff(want, fields(p)); diff != "" {
				t.Errorf("%s (-want +got):\n%s", body, diff)
			}
		}
		answer := decode[forecastAnswer](t, h.must(200, "finance", "POST", "/v1/forecasts", `{"overrides":{"donation-match.cap":"1.00"}}`))
		f := answer.Forecast
		zero := app.ForecastFigures{
			ByRule:  []app.RuleFigure{{Rule: "cert-grant"}, {Rule: "donation-match"}},
			ByPayer: []app.PayerFigure{},
			Credit:  app.CreditFigure{Year: 2025},
		}
		if diff := cmp.Diff(zero, f.Baseline, cmpModels); diff != "" || f.Reform == nil || answer.Changes == nil || answer.Changes.Difference != "0.00" || answer.Changes.Unchanged != 0 {
			t.Errorf("forecast over an empty registry (-want +got):\n%s\nchanges %+v", diff, answer.Changes)
		}
	})
}

// TestBudgets: budgets are set, listed with what is committed, audited,
// and an approval that would overspend is 409 naming what remains.
func TestBudgets(t *testing.T) {
	forEachDB(t, func(t *testing.T, h *harness) {
		h.seed()
		b := decode[models.Budget](t, h.must(201, "finance", "PUT", "/v1/budgets/330382/2025", `{"amount":"150000.00"}`))
		if b.Payer != models.LocalFinanceBureau("330382") || b.Amount != models.Yuan(150000) || !b.Committed.IsZero() || b.Remaining != models.Yuan(150000) {
			t.Errorf("budget %+v", b)
		}
		run := decode[runAnswer](t, h.must(201, "finance", "POST", "/v1/payout-runs", `{"as_of":"2025-06-30","grant_year":2025}`))
		ids := map[string]string{}
		for _, p := range run.Created {
			ids[p.Subject] = fmt.Sprint(p.ID)
		}
		// A's 200,000 does not fit 乐清's 150,000; the payout stays pending.
		p := decode[api.Problem](t, h.must(409, approver, "POST", "/v1/payouts/"+ids[entA]+"/approve", ""))
		if !strings.Contains(p.Detail, "乐清市财政局（330382）2025 年度预算指标 150,000.00 元，已占用 0.00 元，可用余额 150,000.00 元") || !strings.Contains(p.Detail, "200,000.00 元") {
			t.Errorf("over budget: %s", p.Detail)
		}
		p = decode[api.Problem](t, h.must(409, approver, "POST", "/v1/payouts/"+ids[entA]+"/approve", "", "Accept-Language", "en"))
		if !strings.Contains(p.Detail, "the 150,000.00 yuan remaining do not cover payout "+ids[entA]+" of 200,000.00 yuan") {
			t.Errorf("over budget, in English: %s", p.Detail)
		}
		if got := decode[models.Payout](t, h.must(200, "finance", "GET", "/v1/payouts/"+ids[entA], "")); got.Status != models.PayoutPending {
			t.Errorf("refused payout is %s", got.Status)
		}
		// The city has no 2025 budget: its match is not limited.
		h.must(200, approver, "POST", "/v1/payouts/"+ids[uniCode]+"/approve", "")
		h.must(200, "finance", "PUT", "/v1/budgets/330382/2025", `{"amount":"200000.00"}`)
		h.must(200, approver, "POST", "/v1/payouts/"+ids[entA]+"/approve", "")
		h.must(201, "admin", "PUT", "/v1/budgets/330300/2026", `{"amount":0}`)

		type budgets struct {
			Budgets []models.Budget `json:"budgets"`
		}
		list := decode[budgets](t, h.must(200, "finance", "GET", "/v1/budgets?year=2025", ""))
		if len(list.Budgets) != 1 || list.Budgets[0].Committed != models.Yuan(200000) || !list.Budgets[0].Remaining.IsZero() {
			t.Errorf("2025 budgets %+v", list.Budgets)
		}
		if all := decode[budgets](t, h.must(200, "finance", "GET", "/v1/budgets", "")); len(all.Budgets) != 2 {
			t.Errorf("every budget %+v", all.Budgets)
		}
		audit := decode[struct {
			Entries []models.AuditEntry `json:"entries"`
		}](t, h.must(200, "admin", "GET", "/v1/audit?entity=budget&entity_id=330382/2025", ""))
		if len(audit.Entries) != 2 || audit.Entries[1].Action != "update" || !bytes.Contains(audit.Entries[1].After, []byte(`"amount":"200000.00"`)) {
			t.Errorf("budget audit %+v", audit.Entries)
		}

		for path, want := range map[string][]string{
			"/v1/budgets/330399/2025":   {"payer"},
			"/v1/budgets/330382/1999":   {"year"},
			"/v1/budgets/330382/2101":   {"year"},
			"/v1/budgets/330382/+2025":  {"year"},
			"/v1/budgets/330382/02025":  {"year"},
			"/v1/budgets/330382/2025.0": {"year"},
			"/v1/budgets/+330382/2025":  {"payer"},
			"/v1/budgets/乐清/二〇二五":       {"payer", "year"},
		} {
			p := decode[api.Problem](t, h.must(400, "finance", "PUT", path, `{"amount":"1.00"}`))
			if diff := cmp.Diff(want, fields(p)); diff != "" {
				t.Errorf("%s (-want +got):\n%s", path, diff)
			}
		}
		for _, body := range []string{`{"amount":"-1.00"}`, `{"amount":-1}`, `{"amount":"1.001"}`, `{}`} {
			if p := decode[api.Problem](t, h.must(400, "finance", "PUT", "/v1/budgets/330382/2025", body)); !slices.Equal(fields(p), []string{"amount"}) {
				t.Errorf("%s: %+v", body, p.Errors)
			}
		}
		h.must(400, "finance", "GET", "/v1/budgets?year=1999", "")
		h.must(400, "finance", "GET", "/v1/budgets?year=%2B2025", "")
		h.must(403, "tax", "PUT", "/v1/budgets/330382/2025", `{"amount":"1.00"}`)
		h.must(403, "enterprise", "GET", "/v1/budgets", "")
	})
}

// TestConcurrentApprovalsWithinBudget: sixteen approvals at once against a
// budget that fits five of them: five are approved, eleven refused, and the
// budget is never overspent.
func TestConcurrentApprovalsWithinBudget(t *testing.T) {
	forEachDB(t, func(t *testing.T, h *harness) {
		list := "统一社会信用代码,企业名称,注册地\n"
		for i := range 16 {
			list += fmt.Sprintf("%s,鹿城企业%d,330302\n", creditCodeOf("330302", i), i)
		}
		h.must(200, "finance", "POST", "/v1/certifications/import?level=city&certified_on=2024-06-01", list)
		run := decode[runAnswer](t, h.must(201, "finance", "POST", "/v1/payout-runs", `{"as_of":"2025-06-30","grant_year":2025}`))
		if len(run.Created) != 16 {
			t.Fatalf("the run created %d payouts", len(run.Created))
		}
		h.must(201, "finance", "PUT", "/v1/budgets/330302/2025", `{"amount":"275000.00"}`)
		codes := make([]int, len(run.Created))
		var wg sync.WaitGroup
		for i, p := range run.Created {
			wg.Go(func() { codes[i] = h.do(approver, "POST", fmt.Sprintf("/v1/payouts/%d/approve", p.ID), "").Code })
		}
		wg.Wait()
		count := map[int]int{}
		for _, c := range codes {
			count[c]++
		}
		if diff := cmp.Diff(map[int]int{200: 5, 409: 11}, count); diff != "" {
			t.Errorf("answers (-want +got):\n%s", diff)
		}
		b := decode[struct {
			Budgets []models.Budget `json:"budgets"`
		}](t, h.must(200, "finance", "GET", "/v1/budgets?year=2025", ""))
		if b.Budgets[0].Committed != models.Yuan(250000) || b.Budgets[0].Remaining != models.Yuan(25000) {
			t.Errorf("budget %+v", b.Budgets[0])
		}
	})
}

// creditCodeOf is the i-th valid credit code of a region in these tests.
func creditCodeOf(region string, i int) string {
	first17 := fmt.Sprintf("91%sMA2D%05d", region, i)
	c, ok := models.CreditCodeCheckChar(first17)
	if !ok {
		panic(first17)
	}
	return first17 + string(c)
}

// TestFourEyes: the key that started a run may not approve or reject its
// payouts, nor the approver mark them paid, whatever the role; a server
// without four eyes lets one key do it all.
func TestFourEyes(t *testing.T) {
	forEachDB(t, func(t *testing.T, h *harness) {
		h.seed()
		run := decode[runAnswer](t, h.must(201, "finance", "POST", "/v1/payout-runs", `{"as_of":"2025-06-30","grant_year":2025}`))
		id := fmt.Sprint(run.Created[0].ID)
		p := decode[api.Problem](t, h.must(403, "finance", "POST", "/v1/payouts/"+id+"/approve", ""))
		if !strings.Contains(p.Detail, "审核与经办分离") || !strings.Contains(p.Detail, "经办人不能审核") {
			t.Errorf("four eyes: %s", p.Detail)
		}
		h.must(403, "finance", "POST", "/v1/payouts/"+id+"/reject", `{"reason":"重复"}`)
		approved := decode[models.Payout](t, h.must(200, approver, "POST", "/v1/payouts/"+id+"/approve", ""))
		if approved.ApprovedBy == "" {
			t.Errorf("approved_by not recorded: %+v", approved)
		}
		p = decode[api.Problem](t, h.must(403, approver, "POST", "/v1/payouts/"+id+"/paid", "", "Accept-Language", "en"))
		if !strings.Contains(p.Detail, "four eyes") {
			t.Errorf("four eyes, in English: %s", p.Detail)
		}
		h.must(200, "finance", "POST", "/v1/payouts/"+id+"/paid", "")
		// Staff see who approved; the subject does not.
		if p := decode[models.Payout](t, h.must(200, "finance", "GET", "/v1/payouts/"+id, "")); p.ApprovedBy != approved.ApprovedBy {
			t.Errorf("finance reads approved_by %q", p.ApprovedBy)
		}
		own := decode[payoutList](t, h.must(200, "enterprise", "GET", "/v1/payouts", ""))
		if len(own.Payouts) == 0 || own.Payouts[0].ApprovedBy != "" {
			t.Errorf("the enterprise reads %+v", own.Payouts)
		}

		// Admin keys too.
		h.must(201, "finance", "PUT", "/v1/enterprises/"+entB, `{"name":"鹿城机械","region":"330302"}`)
		h.must(201, "finance", "POST", "/v1/enterprises/"+entB+"/certifications", `{"level":"city","certified_on":"2024-06-01"}`)
		run = decode[runAnswer](t, h.must(201, "admin", "POST", "/v1/payout-runs", `{"as_of":"2025-06-30","grant_year":2025}`))
		id = fmt.Sprint(run.Created[0].ID)
		h.must(403, "admin", "POST", "/v1/payouts/"+id+"/approve", "")
		h.must(200, "finance", "POST", "/v1/payouts/"+id+"/approve", "")
		h.must(200, "admin", "POST", "/v1/payouts/"+id+"/paid", "")
	})
	t.Run("off", func(t *testing.T) {
		h := newHarnessWith(t, storetest.SQLite, app.Options{NoFourEyes: true})
		h.seed()
		run := decode[runAnswer](t, h.must(201, "finance", "POST", "/v1/payout-runs", `{"as_of":"2025-06-30","grant_year":2025}`))
		id := fmt.Sprint(run.Created[0].ID)
		h.must(200, "finance", "POST", "/v1/payouts/"+id+"/approve", "")
		h.must(200, "finance", "POST", "/v1/payouts/"+id+"/paid", "")
	})
}

// TestPayees: payee accounts are written with the registry entries, read
// whole by finance and admin and masked by anyone else, kept by a
// correction that leaves them out, and audited.
func TestPayees(t *testing.T) {
	forEachDB(t, func(t *testing.T, h *harness) {
		h.seed()
		payee := `{"account_name":"示例电气有限公司","account_no":"6222021203001234567","bank_name":"中国工商银行乐清支行"}`
		rec := decode[models.EnterpriseRecord](t, h.must(200, "finance", "PUT", "/v1/enterprises/"+entA, `{"name":"示例电气有限公司","region":"330382","payee":`+payee+`}`))
		whole := &models.Payee{AccountName: "示例电气有限公司", AccountNo: "6222021203001234567", BankName: "中国工商银行乐清支行"}
		masked := &models.Payee{AccountName: "示例电气有限公司", AccountNo: "***************4567", BankName: "中国工商银行乐清支行"}
		if !cmp.Equal(rec.Payee, whole) {
			t.Errorf("PUT answered %+v", rec.Payee)
		}
		h.must(200, "finance", "PUT", "/v1/enterprises/"+entA, `{"name":"示例电气有限公司","region":"330382"}`)
		for role, want := range map[string]*models.Payee{"finance": whole, "admin": whole, "enterprise": masked, "tax": masked} {
			got := decode[models.EnterpriseRecord](t, h.must(200, role, "GET", "/v1/enterprises/"+entA, ""))
			if !cmp.Equal(got.Payee, want) {
				t.Errorf("%s reads %+v, want %+v", role, got.Payee, want)
			}
		}
		for role, want := range map[string]*models.Payee{"finance": whole, "tax": masked} {
			list := decode[struct {
				Enterprises []models.EnterpriseRecord `json:"enterprises"`
			}](t, h.must(200, role, "GET", "/v1/enterprises?region=330382", ""))
			if !cmp.Equal(list.Enterprises[0].Payee, want) {
				t.Errorf("%s lists %+v", role, list.Enterprises[0].Payee)
			}
		}
		h.must(200, "finance", "PUT", "/v1/universities/"+uniCode, `{"name":"温州职业技术学院","ownership":"public","affiliation":"city","payee":{"account_name":"温州职业技术学院","account_no":"33050162000000001234","bank_name":"中国建设银行温州分行"}}`)
		if u := decode[models.UniversityRecord](t, h.must(200, "university", "GET", "/v1/universities/"+uniCode, "")); u.Payee == nil || u.Payee.AccountNo != "****************1234" {
			t.Errorf("the university reads %+v", u.Payee)
		}
		if u := decode[models.UniversityRecord](t, h.must(200, "finance", "GET", "/v1/universities/"+uniCode, "")); u.Payee == nil || u.Payee.AccountNo != "33050162000000001234" {
			t.Errorf("finance reads %+v", u.Payee)
		}
		// The audit trail (admin only) records the change whole.
		audit := decode[struct {
			Entries []models.AuditEntry `json:"entries"`
		}](t, h.must(200, "admin", "GET", "/v1/audit?entity=enterprise&entity_id="+entA, ""))
		if !bytes.Contains(audit.Entries[len(audit.Entries)-2].After, []byte(`"account_no":"6222021203001234567"`)) {
			t.Errorf("audit %s", audit.Entries[len(audit.Entries)-2].After)
		}

		p := decode[api.Problem](t, h.must(400, "finance", "PUT", "/v1/enterprises/"+entA,
			`{"name":"x","region":"330382","payee":{"account_name":"  ","account_no":"6222-0212","bank_name":"工商银行\n乐清支行"}}`))
		if diff := cmp.Diff([]string{"payee.account_name", "payee.account_no", "payee.bank_name"}, fields(p)); diff != "" {
			t.Errorf("bad payee (-want +got):\n%s", diff)
		}
		p = decode[api.Problem](t, h.must(400, "finance", "PUT", "/v1/universities/"+uniCode,
			`{"name":"x","ownership":"public","affiliation":"city","payee":{"account_no":"123456789012345678901234567890123","bank_name":"x","iban":"y"}}`))
		if diff := cmp.Diff([]string{"payee.account_name", "payee.account_no", "payee.iban"}, fields(p)); diff != "" {
			t.Errorf("bad university payee (-want +got):\n%s", diff)
		}
	})
}

// TestTransferListExport: the transfer list as a workbook and as CSV, with
// payees, words, the total, and every formula-like text escaped.
func TestTransferListExport(t *testing.T) {
	forEachDB(t, func(t *testing.T, h *harness) {
		h.seed()
		h.must(200, "finance", "PUT", "/v1/enterprises/"+entA, `{"name":"示例电气有限公司","region":"330382","payee":{"account_name":"示例电气有限公司","account_no":"6222021203001234567","bank_name":"中国工商银行乐清支行"}}`)
		h.must(201, "finance", "PUT", "/v1/universities/-wz", `{"name":"=1+2","ownership":"public","affiliation":"city"}`)
		h.must(201, "finance", "POST", "/v1/universities/-wz/donations", `{"amount":"0.02","form":"cash","via_foundation":true,"arrived_on":"2024-05-06"}`)
		run := decode[runAnswer](t, h.must(201, "finance", "POST", "/v1/payout-runs", `{"as_of":"2025-06-30","grant_year":2025}`))
		for _, p := range run.Created {
			h.must(200, approver, "POST", fmt.Sprintf("/v1/payouts/%d/approve", p.ID), "")
		}
		if len(run.Created) != 3 {
			t.Fatalf("the run created %+v", run.Created)
		}
		ids := map[string]string{}
		for _, p := range run.Created {
			ids[p.Subject] = fmt.Sprint(p.ID)
		}
		digest := run.Created[0].RulesetDigest
		version := run.Created[0].RulesetVersion
		want := [][]string{
			{"付款编号", "付款单位代码", "付款单位", "统一社会信用代码/高校代码", "企业/高校", "收款人户名", "收款账号", "开户行", "金额（元）", "补助项目", "认定等级", "补助年度", "状态", "备注", "规则集版本", "规则集摘要"},
			{ids[entA], "330382", "乐清市财政局", entA, "示例电气有限公司", "示例电气有限公司", "6222021203001234567", "中国工商银行乐清支行", "200000.00", "产教融合型企业认定一次性补助", "省级", "", "已审核", "", version, digest},
			{ids["-wz"], "330300", "温州市财政局", "'-wz", "'=1+2", "", "", "", "0.01", "市属公办高校社会捐赠配比补助", "", "2025", "已审核", "未登记收款账户", version, digest},
			{ids[uniCode], "330300", "温州市财政局", uniCode, "温州职业技术学院", "", "", "", "1500000.00", "市属公办高校社会捐赠配比补助", "", "2025", "已审核", "未登记收款账户", version, digest},
			{"合计", "", "", "", "共 3 笔", "", "", "", "1700000.01", "", "", "", "", "", "", ""},
		}

		rec := h.must(200, "finance", "GET", "/v1/payouts/export", "")
		if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") || !strings.Contains(rec.Header().Get("Content-Disposition"), `filename="payouts-approved.csv"`) {
			t.Errorf("CSV headers %v", rec.Header())
		}
		rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(rec.Body.String(), "\ufeff"))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, rows); diff != "" {
			t.Errorf("CSV (-want +got):\n%s", diff)
		}

		rec = h.must(200, "finance", "GET", "/v1/payouts/export?format=xlsx", "")
		if ct := rec.Header().Get("Content-Type"); ct != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" || !strings.Contains(rec.Header().Get("Content-Disposition"), `filename="payouts-approved.xlsx"`) {
			t.Errorf("xlsx headers %v", rec.Header())
		}
		f, err := excelize.OpenReader(bytes.NewReader(rec.Body.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		sheet := f.GetSheetName(0)
		got, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		for i := range want { // GetRows drops trailing empty cells
			n := len(want[i])
			for n > 0 && want[i][n-1] == "" {
				n--
			}
			want[i] = want[i][:n]
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("xlsx (-want +got):\n%s", diff)
		}
		if shown, _ := f.GetCellValue(sheet, "I5"); shown != "1,700,000.01" {
			t.Errorf("the total shows as %q", shown)
		}
		id, _ := f.GetCellStyle(sheet, "I2")
		if st, err := f.GetStyle(id); err != nil || (st.NumFmt != 4 && (st.CustomNumFmt == nil || *st.CustomNumFmt != "#,##0.00")) {
			t.Errorf("amount style %+v (%v)", st, err)
		}
		if panes, err := f.GetPanes(sheet); err != nil || !panes.Freeze || panes.YSplit != 1 {
			t.Errorf("panes %+v (%v)", panes, err)
		}

		// One payer's list; bad parameters are 400 naming each.
		rec = h.must(200, "finance", "GET", "/v1/payouts/export?payer=330382&status=approved&format=csv", "")
		if n := strings.Count(rec.Body.String(), "\n"); n != 3 {
			t.Errorf("乐清's list has %d lines, want a header, one row and the total", n)
		}
		p := decode[api.Problem](t, h.must(400, "finance", "GET", "/v1/payouts/export?payer=330399&status=done&format=pdf", ""))
		if diff := cmp.Diff([]string{"format", "payer", "status"}, fields(p)); diff != "" {
			t.Errorf("bad export (-want +got):\n%s", diff)
		}
		h.must(403, "enterprise", "GET", "/v1/payouts/export?format=xlsx", "")
		if rec := h.must(200, "finance", "GET", "/v1/payouts/export?status=rejected", ""); !strings.Contains(rec.Body.String(), "合计,,,,共 0 笔,,,,0.00,") {
			t.Errorf("an empty list: %s", rec.Body)
		}
	})
}
