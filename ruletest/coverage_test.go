package ruletest_test

import (
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wenzhou-subsidy/subsidy/ruletest"
)

func TestCoverageOf(t *testing.T) {
	fsys := os.DirFS(testRules)
	eng := mustEngine(t, fsys)
	results, err := ruletest.RunCases(eng, fsys, decode)
	if err != nil {
		t.Fatal(err)
	}
	cov := ruletest.CoverageOf(eng, results)
	// Three cases evaluated (the fourth is refused): two eligible, one
	// registered elsewhere; no subject has a parent.
	want := ruletest.Coverage{Cases: 3, Rules: []ruletest.RuleCoverage{{
		Rule: "grant",
		Conditions: []ruletest.ConditionCoverage{
			{ID: "registered", Passing: 2, Failing: 1},
			{ID: "certified", Passing: 3},
			{ID: "parent-certified"},
		},
		Parameters: []ruletest.ParameterCoverage{
			{Name: "amount", Read: 2},
			{Name: "parent_levels"},
			{Name: "region_prefix", Read: 3},
		},
	}}}
	if diff := cmp.Diff(want, cov); diff != "" {
		t.Errorf("CoverageOf (-want +got):\n%s", diff)
	}
	wantGaps := []string{
		"grant: condition certified never seen failing",
		"grant: condition parent-certified never seen passing or failing",
		"grant: parameter parent_levels never read",
	}
	if diff := cmp.Diff(wantGaps, cov.Gaps()); diff != "" {
		t.Errorf("Gaps (-want +got):\n%s", diff)
	}
	wantReport := `coverage of 3 evaluated cases
grant
  condition registered        ✔ passing in 2        ✔ failing in 1
  condition certified         ✔ passing in 3        ✘ failing never seen
  condition parent-certified  ✘ passing never seen  ✘ failing never seen
  parameter amount            ✔ read in 2
  parameter parent_levels     ✘ never read
  parameter region_prefix     ✔ read in 3
3 gap(s): outcomes never seen or parameters never read (✘)
`
	if diff := cmp.Diff(wantReport, cov.Report()); diff != "" {
		t.Errorf("Report (-want +got):\n%s", diff)
	}
}
