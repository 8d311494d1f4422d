package engine_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/wenzhou-subsidy/subsidy/engine"
	"github.com/wenzhou-subsidy/subsidy/models"
)

// cmpModels compares the exact types of models by their text.
var cmpModels = cmp.Options{
	cmp.Transformer("Money", func(m models.Money) string { return m.String() }),
	cmp.Transformer("Date", func(d models.Date) string { return d.String() }),
}

func mustEngine(tb testing.TB) *engine.Engine {
	tb.Helper()
	e, err := engine.Load(os.DirFS("../rules"))
	if err != nil {
		tb.Fatal(err)
	}
	return e
}

func date(s string) models.Date   { return models.MustDate(s) }
func money(s string) models.Money { return models.MustMoney(s) }

// enterprise returns a Wenzhou enterprise certified at province level on
// 2024-03-01, with the city grant already paid and one credit year.
func enterprise() *models.Enterprise {
	return &models.Enterprise{
		Kind:       models.KindEnterprise,
		CreditCode: "91330382MA2AB3C47E",
		Name:       "示例电气有限公司",
		Region:     "330382",
		Certifications: []models.Certification{
			{Level: models.LevelProvince, CertifiedOn: date("2024-03-01")},
		},
		GrantsReceived: []models.GrantReceived{{Level: models.LevelCity, Amount: money("50000.00")}},
		CreditYears: []models.CreditYear{{
			Year: 2024, Investment: money("1000000.00"),
			EducationSurcharge: money("30000.00"), LocalEducationSurcharge: money("20000.00"),
		}},
	}
}

// university returns a city-owned public university with 3,000,000 of
// foundation cash that arrived in 2023, asking for the 2024 match.
func university() *models.University {
	arrived := date("2023-05-06")
	return &models.University{
		Kind: models.KindUniversity, Code: "wzvtc", Name: "温州职业技术学院",
		Ownership: "public", Affiliation: "city", GrantYear: 2024,
		Donations: []models.Donation{{Amount: money("3000000.00"), Form: "cash", ViaFoundation: true, ArrivedOn: &arrived}},
	}
}

func raw(s string) json.RawMessage { return json.RawMessage(s) }

// summary is what most tests compare: each rule's decision.
type summary struct {
	Rule     string
	Eligible bool
	Amount   string
}

func summarize(resp models.EvaluateResponse) []summary {
	var out []summary
	for _, r := range resp.Results {
		out = append(out, summary{r.Rule, r.Eligible, r.Amount.String()})
	}
	return out
}

func TestEvaluateDefaultRules(t *testing.T) {
	e := mustEngine(t)
	tests := []struct {
		name    string
		subject models.Subject
		want    []summary
	}{
		{
			name:    "enterprise: the enterprise rules",
			subject: models.Subject{Enterprise: enterprise()},
			want: []summary{
				{"cert-grant", true, "200000.00"},
				{"surcharge-credit", true, "50000.00"},
			},
		},
		{
			name:    "university: the university rules",
			subject: models.Subject{University: university()},
			want:    []summary{{"donation-match", true, "1500000.00"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := e.Evaluate(models.EvaluateRequest{AsOf: date("2025-06-30"), Subject: tt.subject}, models.LangZh)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, summarize(resp)); diff != "" {
				t.Errorf("results (-want +got):\n%s", diff)
			}
			if resp.Ruleset != e.Ruleset() {
				t.Errorf("ruleset = %v, want %v", resp.Ruleset, e.Ruleset())
			}
			if resp.AsOf != date("2025-06-30") {
				t.Errorf("as_of = %s", resp.AsOf)
			}
			if resp.Overrides != nil {
				t.Errorf("overrides = %v, want none", resp.Overrides)
			}
		})
	}
}

func TestEvaluateNamedRules(t *testing.T) {
	e := mustEngine(t)
	resp, err := e.Evaluate(models.EvaluateRequest{
		AsOf: date("2025-06-30"), Rules: []string{"surcharge-credit"}, Subject: models.Subject{Enterprise: enterprise()},
	}, models.LangZh)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]summary{{"surcharge-credit", true, "50000.00"}}, summarize(resp)); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}
	want := []models.LedgerRow{{
		Year: 2024, Generated: money("300000.00"), Payable: money("50000.00"), Offset: money("50000.00"),
		OffsetEducation: money("30000.00"), OffsetLocal: money("20000.00"), CarryOut: money("250000.00"), Qualified: true,
	}}
	if diff := cmp.Diff(want, resp.Results[0].Ledger, cmpModels, cmpopts.IgnoreFields(models.LedgerRow{}, "Conditions")); diff != "" {
		t.Errorf("ledger (-want +got):\n%s", diff)
	}
}

func TestEvaluateInvalid(t *testing.T) {
	e := mustEngine(t)
	ent := models.Subject{Enterprise: enterprise()}
	tests := []struct {
		name    string
		req     models.EvaluateRequest
		want    []models.FieldError
		wantErr string
	}{
		{
			name: "a rule of the other kind",
			req:  models.EvaluateRequest{Rules: []string{"donation-match"}, Subject: ent},
			want: []models.FieldError{{Field: "rules[0]", Code: "rule_kind", Text: models.Text{
				Zh: "规则 donation-match 不适用于企业", En: "rule donation-match does not apply to a subject of kind enterprise"}}},
			wantErr: "invalid: the request has invalid fields; rules[0]: rule donation-match does not apply to a subject of kind enterprise",
		},
		{
			name: "an unknown rule",
			req:  models.EvaluateRequest{Rules: []string{"cert-grant", "cert-grants"}, Subject: ent},
			want: []models.FieldError{{Field: "rules[1]", Code: "unknown_rule", Text: models.Text{
				Zh: "未知规则 cert-grants", En: "unknown rule cert-grants"}}},
			wantErr: "invalid: the request has invalid fields; rules[1]: unknown rule cert-grants",
		},
		{
			name: "a rule listed twice",
			req:  models.EvaluateRequest{Rules: []string{"cert-grant", "cert-grant"}, Subject: ent},
			want: []models.FieldError{{Field: "rules[1]", Code: "duplicate", Text: models.Text{
				Zh: "cert-grant 重复出现", En: "cert-grant is listed twice"}}},
			wantErr: "invalid: the request has invalid fields; rules[1]: cert-grant is listed twice",
		},
		{
			name: "an override of an unknown parameter",
			req:  models.EvaluateRequest{Overrides: map[string]json.RawMessage{"cert-grant.amount": raw(`"1.00"`)}, Subject: ent},
			want: []models.FieldError{{Field: "overrides.cert-grant.amount", Code: "unknown_param", Text: models.Text{
				Zh: "未知参数 cert-grant.amount", En: "unknown parameter cert-grant.amount"}}},
			wantErr: "invalid: the request has invalid fields; overrides.cert-grant.amount: unknown parameter cert-grant.amount",
		},
		{
			name:    "an override of a parameter of an unknown rule",
			req:     models.EvaluateRequest{Overrides: map[string]json.RawMessage{"cert.stacking": raw(`"top_up"`)}, Subject: ent},
			wantErr: "invalid: the request has invalid fields; overrides.cert.stacking: unknown parameter cert.stacking",
		},
		{
			name:    "an override key without a parameter",
			req:     models.EvaluateRequest{Overrides: map[string]json.RawMessage{"cert-grant": raw(`"top_up"`)}, Subject: ent},
			wantErr: "invalid: the request has invalid fields; overrides.cert-grant: unknown parameter cert-grant",
		},
		{
			name: "an override of the wrong enum value",
			req:  models.EvaluateRequest{Overrides: map[string]json.RawMessage{"cert-grant.stacking": raw(`"stacked"`)}, Subject: ent},
			want: []models.FieldError{{Field: "overrides.cert-grant.stacking", Code: "param_value", Text: models.Text{
				Zh: "参数取值无效：应为以下之一：cumulative, top_up, highest_only",
				En: "invalid parameter value: want one of cumulative, top_up, highest_only"}}},
			wantErr: "invalid: the request has invalid fields; overrides.cert-grant.stacking: invalid parameter value: want one of cumulative, top_up, highest_only",
		},
		{
			name:    "an override of the wrong JSON type",
			req:     models.EvaluateRequest{Overrides: map[string]json.RawMessage{"cert-grant.stacking": raw(`1`)}, Subject: ent},
			wantErr: "invalid: the request has invalid fields; overrides.cert-grant.stacking: invalid parameter value: want one of cumulative, top_up, highest_only",
		},
		{
			name:    "a rate above its maximum",
			req:     models.EvaluateRequest{Overrides: map[string]json.RawMessage{"surcharge-credit.rate": raw(`"1.5"`)}, Subject: ent},
			wantErr: "invalid: the request has invalid fields; overrides.surcharge-credit.rate: invalid parameter value: 1.5 is above the maximum 1",
		},
		{
			name: "a rate that is not a decimal",
			req:  models.EvaluateRequest{Overrides: map[string]json.RawMessage{"surcharge-credit.rate": raw(`"30%"`)}, Subject: ent},
			want: []models.FieldError{{Field: "overrides.surcharge-credit.rate", Code: "param_value", Text: models.Text{
				Zh: `参数取值无效："30%"：不是普通的十进制数`,
				En: `invalid parameter value: invalid decimal "30%": not a plain decimal number`}}},
			wantErr: `invalid: the request has invalid fields; overrides.surcharge-credit.rate: invalid parameter value: invalid decimal "30%": not a plain decimal number`,
		},
		{
			name:    "amounts without national",
			req:     models.EvaluateRequest{Overrides: map[string]json.RawMessage{"cert-grant.amounts": raw(`{"city":"1","province":"2"}`)}, Subject: ent},
			wantErr: `invalid: the request has invalid fields; overrides.cert-grant.amounts: invalid parameter value: missing key "national"`,
		},
		{
			name:    "a cap with three decimals",
			req:     models.EvaluateRequest{Overrides: map[string]json.RawMessage{"donation-match.cap": raw(`"5000000.001"`)}, Subject: ent},
			wantErr: `invalid: the request has invalid fields; overrides.donation-match.cap: invalid parameter value: invalid amount "5000000.001": more than 2 decimals`,
		},
		{
			name:    "a null override",
			req:     models.EvaluateRequest{Overrides: map[string]json.RawMessage{"donation-match.cap": raw(`null`)}, Subject: ent},
			wantErr: `invalid: the request has invalid fields; overrides.donation-match.cap: invalid parameter value: must not be null`,
		},
		{
			name:    "a period ending before it starts",
			req:     models.EvaluateRequest{Overrides: map[string]json.RawMessage{"cert-grant.plan_period": raw(`{"from":"2024-01-01","to":"2023-12-31"}`)}, Subject: ent},
			wantErr: `invalid: the request has invalid fields; overrides.cert-grant.plan_period: invalid parameter value: to 2023-12-31 is before from 2024-01-01`,
		},
		{
			name: "every problem at once, overrides by key",
			req: models.EvaluateRequest{
				Rules: []string{"nope", "donation-match"},
				Overrides: map[string]json.RawMessage{
					"surcharge-credit.rate": raw(`"2"`),
					"cert-grant.stacking":   raw(`"stacked"`),
				},
				Subject: ent,
			},
			wantErr: "invalid: the request has invalid fields" +
				"; rules[0]: unknown rule nope" +
				"; rules[1]: rule donation-match does not apply to a subject of kind enterprise" +
				"; overrides.cert-grant.stacking: invalid parameter value: want one of cumulative, top_up, highest_only" +
				"; overrides.surcharge-credit.rate: invalid parameter value: 2 is above the maximum 1",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := tt.req
			req.AsOf = date("2025-06-30")
			resp, err := e.Evaluate(req, models.LangZh)
			if err == nil {
				t.Fatalf("Evaluate succeeded (%v), want error %q", summarize(resp), tt.wantErr)
			}
			if err.Error() != tt.wantErr {
				t.Errorf("error:\n got %q\nwant %q", err, tt.wantErr)
			}
			if models.CodeOf(err) != models.CodeInvalid {
				t.Errorf("code = %s, want invalid", models.CodeOf(err))
			}
			var me *models.Error
			if errors.As(err, &me) && tt.want != nil {
				if diff := cmp.Diff(tt.want, me.Fields); diff != "" {
					t.Errorf("fields (-want +got):\n%s", diff)
				}
			}
			if diff := cmp.Diff(models.EvaluateResponse{}, resp, cmpModels); diff != "" {
				t.Errorf("response with the error (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEvaluateRequestChecks(t *testing.T) {
	e := mustEngine(t)
	ent := enterprise()
	ent.Parent = &models.Parent{CreditCode: ent.CreditCode}
	ent.CreditYears = append(ent.CreditYears, models.CreditYear{Year: 2024, Investment: money("1.00"), FiscalSubsidy: money("2.00")})
	revoked := date("2024-02-01")
	ent.Certifications[0].RevokedOn = &revoked
	// The subject's own fields are input's to check (a revocation before
	// the certification, a parent that is itself, a year listed twice): the
	// engine evaluates such a subject as it is and names what only it knows.
	_, err := e.Evaluate(models.EvaluateRequest{Subject: models.Subject{Enterprise: ent}}, models.LangEn)
	want := "invalid: the request has invalid fields; as_of: is required"
	if err == nil || err.Error() != want {
		t.Errorf("error:\n got %v\nwant %s", err, want)
	}

	_, err = e.Evaluate(models.EvaluateRequest{AsOf: date("2025-06-30")}, models.LangEn)
	want = "invalid: the request has invalid fields; subject.kind: must be enterprise or university"
	if err == nil || err.Error() != want {
		t.Errorf("error for no subject:\n got %v\nwant %s", err, want)
	}
}

func TestEvaluateOverrides(t *testing.T) {
	e := mustEngine(t)
	overrides := map[string]json.RawMessage{
		"cert-grant.stacking":               raw(`"top_up"`),
		"cert-grant.amounts":                raw(`{"city": "50000", "province": 200000.5, "national": "500000.00"}`),
		"cert-grant.plan_period":            raw(`{"to": "2027-12-31", "from": "2024-01-01"}`),
		"surcharge-credit.rate":             raw(`"0.3"`),
		"surcharge-credit.allocation":       raw(`"education_first"`),
		"donation-match.ratio":              raw(`0.50`),
		"donation-match.cap":                raw(`1000000`),
		"donation-match.grant_years":        raw(`{"from": 2024, "to": 2026}`),
		"surcharge-credit.credit_from":      raw(`"2019-01-01"`),
		"surcharge-credit.wholly_owned_pct": raw(`100`),
	}
	resp, err := e.Evaluate(models.EvaluateRequest{
		AsOf: date("2025-06-30"), Overrides: overrides, Subject: models.Subject{Enterprise: enterprise()},
	}, models.LangZh)
	if err != nil {
		t.Fatal(err)
	}
	// Echoed canonically: money with two decimals, decimals as written,
	// objects in their declared order.
	want := map[string]string{
		"cert-grant.stacking":               `"top_up"`,
		"cert-grant.amounts":                `{"city":"50000.00","province":"200000.50","national":"500000.00"}`,
		"cert-grant.plan_period":            `{"from":"2024-01-01","to":"2027-12-31"}`,
		"surcharge-credit.rate":             `"0.3"`,
		"surcharge-credit.allocation":       `"education_first"`,
		"donation-match.ratio":              `"0.50"`,
		"donation-match.cap":                `"1000000.00"`,
		"donation-match.grant_years":        `{"from":2024,"to":2026}`,
		"surcharge-credit.credit_from":      `"2019-01-01"`,
		"surcharge-credit.wholly_owned_pct": `"100"`,
	}
	got := map[string]string{}
	for k, v := range resp.Overrides {
		got[k] = string(v)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("echoed overrides (-want +got):\n%s", diff)
	}
	// top_up: province 200000.50 less the city grant paid, 50000.00.
	if diff := cmp.Diff([]summary{{"cert-grant", true, "150000.50"}, {"surcharge-credit", true, "50000.00"}}, summarize(resp)); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}
}

// TestEvaluateOverrideChangesResult checks that an override is used and
// shown in the condition messages, for this evaluation only.
func TestEvaluateOverrideChangesResult(t *testing.T) {
	e := mustEngine(t)
	req := models.EvaluateRequest{AsOf: date("2025-06-30"), Subject: models.Subject{University: university()}}
	withRatio := req
	withRatio.Overrides = map[string]json.RawMessage{"donation-match.ratio": raw(`"0.6"`), "donation-match.cap": raw(`"1000000.00"`)}

	for _, tc := range []struct {
		name       string
		req        models.EvaluateRequest
		wantAmount string
		wantInMsg  []string // the parameter values the message shows
	}{
		{"shipped values", req, "1500000.00", []string{"1:0.5", "5000000.00"}},
		{"overridden", withRatio, "1000000.00", []string{"1:0.6", "1000000.00"}},
		{"shipped values again", req, "1500000.00", []string{"1:0.5", "5000000.00"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := e.Evaluate(tc.req, models.LangEn)
			if err != nil {
				t.Fatal(err)
			}
			res := resp.Results[0]
			if res.Amount.String() != tc.wantAmount {
				t.Errorf("amount = %s, want %s", res.Amount, tc.wantAmount)
			}
			last := res.Conditions[len(res.Conditions)-1]
			for _, w := range tc.wantInMsg {
				if !strings.Contains(last.Message, w) {
					t.Errorf("message %q does not show %s", last.Message, w)
				}
			}
		})
	}
}

func TestEvaluateEnglish(t *testing.T) {
	e := mustEngine(t)
	tests := []struct {
		name      string
		subject   models.Subject
		lang      string
		wantTitle string
		want      []models.ConditionResult
	}{
		{
			name: "cert-grant in English", subject: models.Subject{Enterprise: enterprise()}, lang: models.LangEn,
			wantTitle: "One-off grant to certified industry-education integration enterprises",
			want: []models.ConditionResult{
				{ID: "registered-in-wenzhou", Passed: true, Message: "The enterprise is registered in Wenzhou (division code starting 3303)"},
				{ID: "certified-in-plan-period", Passed: true, Message: "Certified at city, province or national level within the plan period (2024-01-01 to 2027-12-31), on or before the evaluation date and not revoked by then"},
				{ID: "grant-not-yet-paid", Passed: true, Message: "A grant is still unpaid for a level certified (each level is paid once per enterprise; amounts - city 50000.00, province 200000.00, national 500000.00 yuan)"},
			},
		},
		{
			name: "cert-grant in Chinese", subject: models.Subject{Enterprise: enterprise()}, lang: models.LangZh,
			wantTitle: "产教融合型企业认定一次性补助",
			want: []models.ConditionResult{
				{ID: "registered-in-wenzhou", Passed: true, Message: "企业在温州市注册（行政区划代码以 3303 开头）"},
				{ID: "certified-in-plan-period", Passed: true, Message: "在实施期（2024-01-01至2027-12-31）内通过市级、省级或国家级产教融合型企业认定，认定日不晚于评估日，且截至评估日未被撤销"},
				{ID: "grant-not-yet-paid", Passed: true, Message: "尚有未领取的认定补助（每个等级每家企业只补助一次；标准：市级50000.00元、省级200000.00元、国家级500000.00元）"},
			},
		},
		{
			name: "an unknown language falls back to Chinese", subject: models.Subject{Enterprise: enterprise()}, lang: "fr",
			wantTitle: "产教融合型企业认定一次性补助",
			want: []models.ConditionResult{
				{ID: "registered-in-wenzhou", Passed: true, Message: "企业在温州市注册（行政区划代码以 3303 开头）"},
				{ID: "certified-in-plan-period", Passed: true, Message: "在实施期（2024-01-01至2027-12-31）内通过市级、省级或国家级产教融合型企业认定，认定日不晚于评估日，且截至评估日未被撤销"},
				{ID: "grant-not-yet-paid", Passed: true, Message: "尚有未领取的认定补助（每个等级每家企业只补助一次；标准：市级50000.00元、省级200000.00元、国家级500000.00元）"},
			},
		},
		{
			name: "donation-match in English", subject: models.Subject{University: university()}, lang: models.LangEn,
			wantTitle: "City matching grant for donations to city-owned public universities",
			want: []models.ConditionResult{
				{ID: "city-owned-public", Passed: true, Message: "The school is a city-owned public university"},
				{ID: "grant-year-in-window", Passed: true, Message: "The grant year lies within 2024 to 2026"},
				{ID: "foundation-cash-in-basis-year", Passed: true, Message: "Cash received through the foundation and arrived in the previous year, matched 1:0.5, gives an amount above zero (at most 5000000.00 yuan per school a year)"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := e.Evaluate(models.EvaluateRequest{AsOf: date("2025-06-30"), Subject: tt.subject}, tt.lang)
			if err != nil {
				t.Fatal(err)
			}
			res := resp.Results[0]
			if res.Title != tt.wantTitle {
				t.Errorf("title = %q, want %q", res.Title, tt.wantTitle)
			}
			if diff := cmp.Diff(tt.want, res.Conditions); diff != "" {
				t.Errorf("conditions (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEvaluateLedgerConditionsInEnglish(t *testing.T) {
	e := mustEngine(t)
	resp, err := e.Evaluate(models.EvaluateRequest{
		AsOf: date("2025-06-30"), Rules: []string{"surcharge-credit"}, Subject: models.Subject{Enterprise: enterprise()},
	}, models.LangEn)
	if err != nil {
		t.Fatal(err)
	}
	want := []models.ConditionResult{
		{ID: "year-covered", Passed: true, Message: "The year falls within the credit's term (from 2019-01-01)"},
		{ID: "certified-at-year-end", Passed: true, Message: "On 31 December of the year the enterprise holds a certification in force (province, national), or it is a member unit of a group enterprise that does"},
	}
	if diff := cmp.Diff(want, resp.Results[0].Ledger[0].Conditions); diff != "" {
		t.Errorf("ledger conditions (-want +got):\n%s", diff)
	}
}

func TestEvaluateNotInForce(t *testing.T) {
	e := mustEngine(t)
	tests := []struct {
		name    string
		asOf    string
		subject models.Subject
		lang    string
		want    models.RuleResult
	}{
		{
			name: "cert-grant the day before its parameters", asOf: "2023-12-31",
			subject: models.Subject{Enterprise: enterprise()}, lang: models.LangEn,
			want: models.RuleResult{Rule: "cert-grant", Conditions: []models.ConditionResult{
				{ID: "in-force", Message: "the rule is in force on 2023-12-31 (its parameters apply from 2024-01-01)"},
			}},
		},
		{
			name: "donation-match in Chinese", asOf: "2023-06-30",
			subject: models.Subject{University: university()}, lang: models.LangZh,
			want: models.RuleResult{Rule: "donation-match", Conditions: []models.ConditionResult{
				{ID: "in-force", Message: "评估日 2023-06-30 本规则已生效（参数自 2024-01-01 起适用）"},
			}},
		},
		{
			name: "surcharge-credit before 2019", asOf: "2018-12-31",
			subject: models.Subject{Enterprise: enterprise()}, lang: models.LangEn,
			want: models.RuleResult{Rule: "surcharge-credit", Ledger: []models.LedgerRow{}, Conditions: []models.ConditionResult{
				{ID: "in-force", Message: "the rule is in force on 2018-12-31 (its parameters apply from 2019-01-01)"},
			}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := e.Evaluate(models.EvaluateRequest{AsOf: date(tt.asOf), Rules: []string{tt.want.Rule}, Subject: tt.subject}, tt.lang)
			if err != nil {
				t.Fatal(err)
			}
			if len(resp.Results) != 1 {
				t.Fatalf("got %d results", len(resp.Results))
			}
			got := resp.Results[0]
			if diff := cmp.Diff(tt.want, got, cmpModels, cmpopts.IgnoreFields(models.RuleResult{}, "Title", "Citation")); diff != "" {
				t.Errorf("result (-want +got):\n%s", diff)
			}
		})
	}

	// On the first day the rule is in force.
	resp, err := e.Evaluate(models.EvaluateRequest{AsOf: date("2024-01-01"), Rules: []string{"cert-grant"}, Subject: models.Subject{Enterprise: enterprise()}}, models.LangEn)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range resp.Results[0].Conditions {
		if c.ID == "in-force" {
			t.Errorf("on 2024-01-01: %+v", c)
		}
	}
}

// staggeredRule has two parameters that take effect on different dates:
// cap on 2024-01-01 and rate on 2025-01-01 (or the other way round).
const staggeredRule = `id: staggered
title: {zh: 测试, en: Test}
subject: enterprise
citation: {document: 测试文件, clause: 第一条, text: 给予补助。}
parameters:
  cap:
    type: money
    description: {zh: 上限, en: Cap}
    values:
      - from: %s
        value: "100.00"
  rate:
    type: decimal
    description: {zh: 比例, en: Rate}
    values:
      - from: %s
        value: "0.5"
conditions:
  - id: registered
    expr: subject.region != ""
    message: {zh: 已注册, en: Registered}
amount: min_money(mul_half_up(subject.credit_carry_in, rate), cap)
`

// TestEvaluateOverrideBeforeInForce checks that overriding the one
// parameter that has no value yet on as_of puts the rule in force (the
// README: an override replaces every dated value), whichever parameter it
// is.
func TestEvaluateOverrideBeforeInForce(t *testing.T) {
	tests := []struct {
		name                string
		capFrom, rateFrom   string
		override, overValue string
	}{
		{"the later parameter sorts last", "2024-01-01", "2025-01-01", "staggered.rate", `"0.5"`},
		{"the later parameter sorts first", "2025-01-01", "2024-01-01", "staggered.cap", `"100.00"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, filepath.Join(dir, "ruleset.yaml"), "version: \"1\"\n")
			writeFile(t, filepath.Join(dir, "staggered.yaml"), fmt.Sprintf(staggeredRule, tt.capFrom, tt.rateFrom))
			e, err := engine.Load(os.DirFS(dir))
			if err != nil {
				t.Fatal(err)
			}
			ent := enterprise()
			ent.CreditCarryIn = money("50.00")
			req := models.EvaluateRequest{AsOf: date("2024-06-30"), Subject: models.Subject{Enterprise: ent}}

			// Without the override the rule is not in force yet.
			resp, err := e.Evaluate(req, models.LangEn)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]summary{{"staggered", false, "0.00"}}, summarize(resp)); diff != "" {
				t.Errorf("without the override (-want +got):\n%s", diff)
			}

			req.Overrides = map[string]json.RawMessage{tt.override: raw(tt.overValue)}
			resp, err = e.Evaluate(req, models.LangEn)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]summary{{"staggered", true, "25.00"}}, summarize(resp)); diff != "" {
				t.Errorf("with %s overridden (-want +got):\n%s\nconditions: %+v", tt.override, diff, resp.Results[0].Conditions)
			}
		})
	}
}

func writeFile(tb testing.TB, path, content string) {
	tb.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		tb.Fatal(err)
	}
}

// concurrencyRequests returns varied requests: both kinds, several as_of
// dates, levels, grants, ledgers and overrides.
func concurrencyRequests() []models.EvaluateRequest {
	var reqs []models.EvaluateRequest
	levels := []string{models.LevelCity, models.LevelProvince, models.LevelNational}
	stackings := []string{"cumulative", "top_up", "highest_only"}
	for i := 0; i < 48; i++ {
		ent := enterprise()
		ent.Certifications[0].Level = levels[i%3]
		ent.Certifications[0].CertifiedOn = date(fmt.Sprintf("%d-03-01", 2023+i%4))
		if i%4 == 0 {
			ent.GrantsReceived = nil
		}
		ent.CreditCarryIn = models.Fen(int64(i) * 12345)
		ent.CreditYears = nil
		for y := 0; y < 1+i%3; y++ {
			ent.CreditYears = append(ent.CreditYears, models.CreditYear{
				Year:                    2023 + y,
				Investment:              models.Fen(int64(1000003 * (i + y + 1))),
				FiscalSubsidy:           models.Fen(int64(1000 * i)),
				Withdrawn:               models.Fen(int64(7 * i * y * 100000)),
				EducationSurcharge:      models.Fen(int64(30001 * (i + 1))),
				LocalEducationSurcharge: models.Fen(int64(20003 * (y + 1))),
			})
		}
		req := models.EvaluateRequest{AsOf: date(fmt.Sprintf("%d-06-30", 2024+i%3)), Subject: models.Subject{Enterprise: ent}}
		if i%2 == 1 {
			req.Overrides = map[string]json.RawMessage{
				"cert-grant.stacking":         raw(fmt.Sprintf("%q", stackings[i%3])),
				"surcharge-credit.rate":       raw(fmt.Sprintf(`"0.%d"`, 10+i)),
				"surcharge-credit.allocation": raw(`"education_first"`),
			}
		}
		reqs = append(reqs, req)

		uni := university()
		uni.GrantYear = 2023 + i%5
		uni.Donations[0].Amount = models.Fen(int64(i+1) * 100_000_001)
		ureq := models.EvaluateRequest{AsOf: date("2025-06-30"), Subject: models.Subject{University: uni}}
		if i%3 == 0 {
			ureq.Overrides = map[string]json.RawMessage{"donation-match.ratio": raw(fmt.Sprintf(`"0.%d"`, 1+i%9))}
		}
		reqs = append(reqs, ureq)
	}
	return reqs
}

// TestEvaluateConcurrent evaluates the same engine from 8 goroutines, 200
// times each, and compares every response with the sequential one. Run
// with -race.
func TestEvaluateConcurrent(t *testing.T) {
	e := mustEngine(t)
	reqs := concurrencyRequests()
	langs := []string{models.LangZh, models.LangEn}
	want := make([]models.EvaluateResponse, len(reqs)*len(langs))
	for i := range want {
		resp, err := e.Evaluate(reqs[i/2], langs[i%2])
		if err != nil {
			t.Fatalf("request %d: %v", i/2, err)
		}
		want[i] = resp
	}

	const goroutines, perGoroutine = 8, 200
	var wg sync.WaitGroup
	errs := make(chan string, goroutines*perGoroutine)
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; n < perGoroutine; n++ {
				i := (g*perGoroutine + n*7) % len(want)
				got, err := e.Evaluate(reqs[i/2], langs[i%2])
				if err != nil {
					errs <- fmt.Sprintf("goroutine %d, request %d: %v", g, i/2, err)
					continue
				}
				if diff := cmp.Diff(want[i], got, cmpModels); diff != "" {
					errs <- fmt.Sprintf("goroutine %d, request %d (-sequential +concurrent):\n%s", g, i/2, diff)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	n := 0
	for msg := range errs {
		if n++; n <= 5 {
			t.Error(msg)
		}
	}
	if n > 5 {
		t.Errorf("… and %d more mismatches", n-5)
	}
}

// TestEvaluateAmountsTooLargeToCompute: inputs each within bounds can add up
// past what is exact; that is the client's input, refused with a 400, never
// a wrapped number or a 500.
func TestEvaluateAmountsTooLargeToCompute(t *testing.T) {
	eng := mustEngine(t)
	arrived := models.MustDate("2024-05-06")
	uni := &models.University{Kind: models.KindUniversity, Code: "u", Name: "u", Ownership: "public", Affiliation: "city", GrantYear: 2025}
	for range 10000 {
		uni.Donations = append(uni.Donations, models.Donation{Amount: models.MaxMoney, Form: "cash", ViaFoundation: true, ArrivedOn: &arrived})
	}
	_, err := eng.Evaluate(models.EvaluateRequest{
		AsOf: models.MustDate("2025-06-30"), Subject: models.Subject{University: uni},
		Overrides: map[string]json.RawMessage{"donation-match.ratio": raw(`"10"`)},
	}, models.LangEn)
	var me *models.Error
	if !errors.As(err, &me) || me.Code != models.CodeInvalid || len(me.Fields) != 1 || me.Fields[0].Code != "too_large_sum" {
		t.Fatalf("error %v, want invalid input too_large_sum", err)
	}
}
