package ruletest

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/wenzhou-subsidy/subsidy/engine"
	"github.com/wenzhou-subsidy/subsidy/models"
)

// Coverage is what the cases exercised of each rule, as `opa test
// --coverage` reports for policies: every condition should be seen both
// passing and failing, and every parameter read, by some case.
type Coverage struct {
	Cases int            `json:"cases"` // the cases whose request was evaluated
	Rules []RuleCoverage `json:"rules"`
}

// RuleCoverage is the coverage of one rule: its conditions in file order
// (the rule's own, then the per-year ones of a credit ledger) and its
// parameters by name.
type RuleCoverage struct {
	Rule       string              `json:"rule"`
	Conditions []ConditionCoverage `json:"conditions"`
	Parameters []ParameterCoverage `json:"parameters"`
}

// ConditionCoverage counts the cases in which a condition was seen passing
// and failing. A condition that did not apply (its applies_if false) counts
// as neither; a per-year condition counts once a case, whatever the number
// of years.
type ConditionCoverage struct {
	ID      string `json:"id"`
	PerYear bool   `json:"per_year,omitempty"`
	Passing int    `json:"passing"`
	Failing int    `json:"failing"`
}

// ParameterCoverage counts the cases whose evaluation read a parameter
// (engine.Engine.ParametersRead).
type ParameterCoverage struct {
	Name string `json:"name"`
	Read int    `json:"read"`
}

// CoverageOf measures the coverage of every rule of eng by the results of
// its cases. It reads only the results, so that evaluating stays as fast
// with coverage as without.
func CoverageOf(eng *engine.Engine, results []CaseResult) Coverage {
	cov := Coverage{Rules: []RuleCoverage{}}
	byRule := map[string]*RuleCoverage{}
	for _, id := range eng.RuleIDs() {
		info, _ := eng.Rule(id, models.Date{})
		rc := RuleCoverage{Rule: id, Conditions: []ConditionCoverage{}, Parameters: []ParameterCoverage{}}
		for _, c := range info.Conditions {
			rc.Conditions = append(rc.Conditions, ConditionCoverage{ID: c.ID})
		}
		if info.CreditLedger != nil {
			for _, c := range info.CreditLedger.Conditions {
				rc.Conditions = append(rc.Conditions, ConditionCoverage{ID: c.ID, PerYear: true})
			}
		}
		for _, p := range info.Parameters {
			rc.Parameters = append(rc.Parameters, ParameterCoverage{Name: p.Name})
		}
		cov.Rules = append(cov.Rules, rc)
	}
	for i := range cov.Rules {
		byRule[cov.Rules[i].Rule] = &cov.Rules[i]
	}
	for _, r := range results {
		rc := byRule[r.Rule]
		if r.Result == nil || rc == nil {
			continue
		}
		cov.Cases++
		rc.count(r.Result, eng.ParametersRead(*r.Result))
	}
	return cov
}

// count adds one case's result to the rule's coverage.
func (rc *RuleCoverage) count(res *models.RuleResult, read []string) {
	for i := range rc.Conditions {
		c := &rc.Conditions[i]
		var passed, failed bool
		seen := func(conds []models.ConditionResult) {
			for _, r := range conds {
				if r.ID == c.ID {
					passed, failed = passed || r.Passed, failed || !r.Passed
				}
			}
		}
		if c.PerYear {
			for _, row := range res.Ledger {
				seen(row.Conditions)
			}
		} else {
			seen(res.Conditions)
		}
		if passed {
			c.Passing++
		}
		if failed {
			c.Failing++
		}
	}
	for i := range rc.Parameters {
		for _, name := range read {
			if name == rc.Parameters[i].Name {
				rc.Parameters[i].Read++
			}
		}
	}
}

// what names a condition in a report: "condition ID" or "per-year condition ID".
func (c ConditionCoverage) what() string {
	if c.PerYear {
		return "per-year condition " + c.ID
	}
	return "condition " + c.ID
}

// Gaps lists, one line each, every condition never seen passing or never
// seen failing and every parameter never read.
func (cov Coverage) Gaps() []string {
	var gaps []string
	for _, rc := range cov.Rules {
		for _, c := range rc.Conditions {
			var never []string
			if c.Passing == 0 {
				never = append(never, "passing")
			}
			if c.Failing == 0 {
				never = append(never, "failing")
			}
			if len(never) > 0 {
				gaps = append(gaps, fmt.Sprintf("%s: %s never seen %s", rc.Rule, c.what(), strings.Join(never, " or ")))
			}
		}
		for _, p := range rc.Parameters {
			if p.Read == 0 {
				gaps = append(gaps, fmt.Sprintf("%s: parameter %s never read", rc.Rule, p.Name))
			}
		}
	}
	return gaps
}

// Report formats the coverage for a reader: per rule, each condition with
// ✔ for an outcome seen (in how many cases) or ✘ for one never seen, each
// parameter read (in how many cases) or never, then the gaps counted.
func (cov Coverage) Report() string {
	var b strings.Builder
	fmt.Fprintf(&b, "coverage of %d evaluated cases\n", cov.Cases)
	// seen says "✔ passing in 3" or "✘ passing never seen".
	seen := func(what string, n int, never string) string {
		if n == 0 {
			return "✘ " + never
		}
		return fmt.Sprintf("✔ %s in %d", what, n)
	}
	for _, rc := range cov.Rules {
		fmt.Fprintf(&b, "%s\n", rc.Rule)
		tw := tabwriter.NewWriter(&b, 2, 4, 2, ' ', 0)
		for _, c := range rc.Conditions {
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", c.what(), seen("passing", c.Passing, "passing never seen"), seen("failing", c.Failing, "failing never seen"))
		}
		for _, p := range rc.Parameters {
			fmt.Fprintf(tw, "  parameter %s\t%s\n", p.Name, seen("read", p.Read, "never read"))
		}
		tw.Flush()
	}
	if gaps := len(cov.Gaps()); gaps > 0 {
		fmt.Fprintf(&b, "%d gap(s): outcomes never seen or parameters never read (✘)\n", gaps)
	} else {
		b.WriteString("every condition seen passing and failing, every parameter read\n")
	}
	return b.String()
}
