package engine

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestIdentifiers(t *testing.T) {
	tests := []struct {
		src  string
		want []string
	}{
		{"subject.region startsWith region_prefix and due >= amout", []string{"amout", "due", "region_prefix", "subject"}},
		{"year.investment - year.fiscal_subsidy", []string{"year"}},
		{`sum_money(map(filter(subject.donations, .form == "cash"), .amount))`, []string{"subject", "sum_money"}},
		{"mul_half_up(amount, rate)", []string{"amount", "mul_half_up", "rate"}},
		{"let twice = rate; twice", []string{"rate", "twice"}},
		{"due >", nil},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			var got []string
			for name := range identifiers(tt.src) {
				got = append(got, name)
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
				t.Errorf("identifiers (-want +got):\n%s", diff)
			}
		})
	}
}

// TestUsesBroken checks that a failed name is found as a name only, not as
// a field after a dot or a part of a longer name.
func TestUsesBroken(t *testing.T) {
	c := &compiler{broken: map[string]bool{"investment": true}}
	tests := []struct {
		src  string
		want bool
	}{
		{"investment > 0", true},
		{"min_money(investment, cap)", true},
		{"year.investment > 0", false},
		{"investment_total > 0", false},
		{"any(subject.credit_years, .investment > 0)", false},
	}
	for _, tt := range tests {
		if got := c.usesBroken(tt.src); got != tt.want {
			t.Errorf("usesBroken(%q) = %v, want %v", tt.src, got, tt.want)
		}
	}
}
