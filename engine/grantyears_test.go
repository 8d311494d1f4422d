package engine_test

import (
	"testing"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// TestGrantYears: the years a rule grants in come from its year_range
// parameter, in force on the date asked; rules without one have none.
func TestGrantYears(t *testing.T) {
	e := mustEngine(t)
	tests := []struct {
		rule, asOf string
		want       models.YearRange
		ok         bool
	}{
		{models.RuleDonationMatch, "2025-06-30", models.YearRange{From: 2024, To: 2026}, true},
		{models.RuleDonationMatch, "2023-12-31", models.YearRange{}, false}, // before the rule's values
		{models.RuleCertGrant, "2025-06-30", models.YearRange{}, false},
		{"no-such-rule", "2025-06-30", models.YearRange{}, false},
	}
	for _, tt := range tests {
		got, ok := e.GrantYears(tt.rule, date(tt.asOf))
		if got != tt.want || ok != tt.ok {
			t.Errorf("GrantYears(%s, %s) = %v, %v; want %v, %v", tt.rule, tt.asOf, got, ok, tt.want, tt.ok)
		}
	}
}
