package rules_test

import (
	"sync"
	"testing"

	"github.com/wenzhou-subsidy/subsidy/engine"
	"github.com/wenzhou-subsidy/subsidy/input"
	"github.com/wenzhou-subsidy/subsidy/rules"
	"github.com/wenzhou-subsidy/subsidy/ruletest"
)

// minCasesPerRule is the least number of cases each shipped rule must have.
const minCasesPerRule = 15

// casesRun is the shipped rules and the results of every case in cases/.
type casesRun struct {
	eng     *engine.Engine
	results []ruletest.CaseResult
}

// runCases loads the shipped rules and runs every case, decoding inputs
// exactly as the API does: once for the tests that read the results
// (TestCases, TestCoverage).
var runCases = sync.OnceValues(func() (casesRun, error) {
	eng, err := engine.Load(rules.FS)
	if err != nil {
		return casesRun{}, err
	}
	results, err := ruletest.RunCases(eng, rules.FS, input.NewDecoder(eng).Evaluate)
	return casesRun{eng, results}, err
})

// mustRunCases returns the shipped rules and the results of every case.
func mustRunCases(t *testing.T) (*engine.Engine, []ruletest.CaseResult) {
	t.Helper()
	run, err := runCases()
	if err != nil {
		t.Fatal(err)
	}
	return run.eng, run.results
}

// TestCases runs every rule test case in cases/ against the shipped rules.
// Run one rule's cases with go test ./rules -run 'TestCases/cert-grant'.
func TestCases(t *testing.T) {
	eng, results := mustRunCases(t)
	perRule := map[string]int{}
	for _, r := range results {
		perRule[r.Rule]++
		t.Run(r.Rule+"/"+r.Name, func(t *testing.T) {
			for _, f := range r.Failures {
				t.Error(f)
			}
		})
	}
	for _, id := range eng.RuleIDs() {
		if perRule[id] < minCasesPerRule {
			t.Errorf("rule %s has %d cases, want at least %d", id, perRule[id], minCasesPerRule)
		}
	}
}
