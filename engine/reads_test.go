package engine_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wenzhou-subsidy/subsidy/models"
)

func TestParametersRead(t *testing.T) {
	e := mustEngine(t)
	allCredit := []string{"allocation", "assessment_day", "controlling_pct", "credit_from", "exclude_fiscal_subsidy", "qualifying_levels", "rate", "wholly_owned_pct"}
	withYear := func(investment string) *models.Enterprise {
		ent := enterprise()
		ent.CreditYears[0].Investment = money(investment)
		return ent
	}
	tests := []struct {
		name    string
		rule    string
		asOf    string
		subject models.Subject
		want    []string
	}{
		{
			name: "cert-grant, eligible: every parameter",
			rule: "cert-grant", asOf: "2025-06-30", subject: models.Subject{Enterprise: enterprise()},
			want: []string{"amounts", "plan_period", "region_prefix", "stacking"},
		},
		{
			name: "cert-grant, not in force: nothing",
			rule: "cert-grant", asOf: "2023-06-30", subject: models.Subject{Enterprise: enterprise()},
			want: nil,
		},
		{
			name: "surcharge-credit, no credit year: the rule's definitions only",
			rule: "surcharge-credit", asOf: "2025-06-30",
			subject: models.Subject{Enterprise: func() *models.Enterprise { ent := enterprise(); ent.CreditYears = nil; return ent }()},
			want:    []string{"controlling_pct", "wholly_owned_pct"},
		},
		{
			name: "surcharge-credit, the offset covers both surcharges: no split, allocation not read",
			rule: "surcharge-credit", asOf: "2025-06-30", subject: models.Subject{Enterprise: withYear("1000000.00")},
			want: allCredit[1:],
		},
		{
			name: "surcharge-credit, a partial offset split by the allocation mode",
			rule: "surcharge-credit", asOf: "2025-06-30", subject: models.Subject{Enterprise: withYear("100000.00")},
			want: allCredit,
		},
		{
			name: "donation-match, eligible: every parameter",
			rule: "donation-match", asOf: "2025-06-30", subject: models.Subject{University: university()},
			want: []string{"basis_lag", "cap", "grant_years", "ratio"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := e.Evaluate(models.EvaluateRequest{AsOf: date(tt.asOf), Rules: []string{tt.rule}, Subject: tt.subject}, models.LangZh)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, e.ParametersRead(resp.Results[0])); diff != "" {
				t.Errorf("ParametersRead (-want +got):\n%s", diff)
			}
		})
	}
}
