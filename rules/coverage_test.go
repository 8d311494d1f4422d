package rules_test

import (
	"testing"

	"github.com/wenzhou-subsidy/subsidy/ruletest"
)

// TestCoverage fails when the shipped cases leave a gap: a condition of a
// shipped rule (its own or a credit-ledger year's) never seen passing or
// never seen failing, or a parameter no case read. A new condition or
// parameter comes with the cases that exercise it; bin/subsidy test
// --coverage prints the whole report.
func TestCoverage(t *testing.T) {
	eng, results := mustRunCases(t)
	cov := ruletest.CoverageOf(eng, results)
	gaps := cov.Gaps()
	for _, gap := range gaps {
		t.Error(gap)
	}
	if len(gaps) > 0 {
		t.Log("\n" + cov.Report())
	}
}
