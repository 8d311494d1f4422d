// Package ruletest runs the test cases of a rule directory against a loaded
// engine, as OPA's tester runs policy tests beside its evaluator: each case
// is a subject in the policy's terms, decoded as the API decodes it, with the
// output the rule must give. It imports engine and models, never api: the
// request decoder is passed in.
package ruletest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/wenzhou-subsidy/subsidy/engine"
	"github.com/wenzhou-subsidy/subsidy/models"
)

// CasesDir is where a rule directory keeps its test cases: one file per
// rule, each a list of cases written in the policy's terms.
const CasesDir = "cases"

// DecodeFunc turns a POST /v1/evaluate body into a checked request, as the
// API does (api.Decoder.Evaluate).
type DecodeFunc func(body []byte, today models.Date) (models.EvaluateRequest, error)

// CaseResult is the outcome of one rule test case.
type CaseResult struct {
	File     string   `json:"file"`
	Rule     string   `json:"rule"`
	Name     string   `json:"name"`
	Failures []string `json:"failures,omitempty"` // empty when the case passed
	// Result is the rule's result when the case's request was evaluated
	// (nil when it was refused or never built): what coverage counts.
	Result *models.RuleResult `json:"-"`
}

type caseFileYAML struct {
	Rule  string     `yaml:"rule"`
	Cases []caseYAML `yaml:"cases"`
}

type caseYAML struct {
	Name      string               `yaml:"name"`
	AsOf      string               `yaml:"as_of"`
	Overrides map[string]yaml.Node `yaml:"overrides"`
	Input     yaml.Node            `yaml:"input"`
	Output    *caseOutputYAML      `yaml:"output"`
	// Errors lists the JSON paths of the fields the input must be refused
	// for, instead of an output.
	Errors []string `yaml:"errors"`
}

type caseOutputYAML struct {
	Eligible   *bool           `yaml:"eligible"`
	Amount     string          `yaml:"amount"`
	Conditions map[string]bool `yaml:"conditions"`
	Ledger     []ledgerRowYAML `yaml:"ledger"`
}

type ledgerRowYAML struct {
	Year            int    `yaml:"year"`
	CarryIn         string `yaml:"carry_in"`
	Generated       string `yaml:"generated"`
	Reversed        string `yaml:"reversed"`
	Clawback        string `yaml:"clawback"`
	Payable         string `yaml:"payable"`
	Offset          string `yaml:"offset"`
	OffsetEducation string `yaml:"offset_education"`
	OffsetLocal     string `yaml:"offset_local"`
	CarryOut        string `yaml:"carry_out"`
	Qualified       *bool  `yaml:"qualified"`
	// Conditions, when given, are exactly the year's reported conditions.
	Conditions map[string]bool `yaml:"conditions"`
}

// RunCases runs every case in fsys's cases directory against eng, decoding
// each input with decode. A case file that cannot be read is an error; a
// case that fails is a CaseResult with failures.
func RunCases(eng *engine.Engine, fsys fs.FS, decode DecodeFunc) ([]CaseResult, error) {
	names, err := fs.Glob(fsys, CasesDir+"/*.yaml")
	if err != nil {
		return nil, fmt.Errorf("find cases: %w", err)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("no case files in %s/", CasesDir)
	}
	var out []CaseResult
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("read cases %s: %w", name, err)
		}
		var cf caseFileYAML
		if err := engine.DecodeStrictYAML(data, &cf); err != nil {
			return nil, fmt.Errorf("cases %s: %w", name, err)
		}
		if _, ok := eng.RuleSubject(cf.Rule); !ok {
			return nil, fmt.Errorf("cases %s: unknown rule %q", name, cf.Rule)
		}
		for _, c := range cf.Cases {
			res := CaseResult{File: path.Base(name), Rule: cf.Rule, Name: c.Name}
			res.Result, res.Failures = runCase(eng, cf.Rule, &c, decode)
			out = append(out, res)
		}
	}
	return out, nil
}

// runCase runs one case: it returns the rule's result, if the request was
// evaluated, and the case's failures.
func runCase(eng *engine.Engine, ruleID string, c *caseYAML, decode DecodeFunc) (*models.RuleResult, []string) {
	if c.Name == "" {
		return nil, []string{"the case has no name"}
	}
	if (c.Output == nil) == (len(c.Errors) == 0) {
		return nil, []string{"a case gives either output or errors"}
	}
	body, err := caseRequest(ruleID, c)
	if err != nil {
		return nil, []string{err.Error()}
	}
	asOf, err := models.ParseDate(c.AsOf)
	if err != nil {
		return nil, []string{"as_of: " + err.Error()}
	}
	req, err := decode(body, asOf)
	var resp models.EvaluateResponse
	if err == nil {
		resp, err = eng.Evaluate(req, models.LangZh)
	}
	var result *models.RuleResult
	if err == nil && len(resp.Results) == 1 {
		result = &resp.Results[0]
	}
	switch {
	case len(c.Errors) > 0:
		return result, compareErrors(c.Errors, err)
	case err != nil:
		return nil, []string{"evaluation failed: " + err.Error()}
	case result == nil:
		return nil, []string{fmt.Sprintf("want one result, got %d", len(resp.Results))}
	}
	return result, compareResult(c.Output, *result)
}

// caseRequest builds the POST /v1/evaluate body of a case.
func caseRequest(ruleID string, c *caseYAML) ([]byte, error) {
	subject, err := engine.YAMLToJSON(&c.Input)
	if err != nil {
		return nil, fmt.Errorf("input: %w", err)
	}
	overrides := map[string]json.RawMessage{}
	for k, v := range c.Overrides {
		raw, err := engine.YAMLToJSON(&v)
		if err != nil {
			return nil, fmt.Errorf("overrides %s: %w", k, err)
		}
		overrides[k] = raw
	}
	return json.Marshal(map[string]any{
		"as_of": c.AsOf, "rules": []string{ruleID}, "overrides": overrides, "subject": json.RawMessage(subject),
	})
}

func compareErrors(want []string, err error) []string {
	var me *models.Error
	if !errors.As(err, &me) || me.Code != models.CodeInvalid {
		return []string{fmt.Sprintf("want the input refused for %v, got %v", want, err)}
	}
	var got []string
	for _, f := range me.Fields {
		got = append(got, f.Field)
	}
	slices.Sort(got)
	got = slices.Compact(got)
	w := slices.Sorted(slices.Values(want))
	if !slices.Equal(got, w) {
		return []string{fmt.Sprintf("refused fields: want %v, got %v (%v)", w, got, err)}
	}
	return nil
}

func compareResult(want *caseOutputYAML, got models.RuleResult) []string {
	var fails []string
	failf := func(format string, args ...any) { fails = append(fails, fmt.Sprintf(format, args...)) }
	if want.Eligible == nil || want.Amount == "" {
		failf("output needs eligible and amount")
		return fails
	}
	if got.Eligible != *want.Eligible {
		failf("eligible: want %v, got %v", *want.Eligible, got.Eligible)
	}
	checkMoney(failf, "amount", want.Amount, got.Amount)
	// Whatever the case says, a subject that is not eligible must fail a
	// condition (a decision carries its reason), and an eligible one may
	// fail none.
	failed := false
	for _, c := range got.Conditions {
		failed = failed || !c.Passed
	}
	if got.Eligible == failed {
		failf("eligible is %v but a condition failed: %v", got.Eligible, failed)
	}
	if want.Conditions != nil {
		if gotConds := conditionMap(got.Conditions); !maps.Equal(want.Conditions, gotConds) {
			failf("conditions: want %v, got %v", want.Conditions, gotConds)
		}
	}
	if want.Ledger != nil {
		if len(want.Ledger) != len(got.Ledger) {
			failf("ledger: want %d rows, got %d", len(want.Ledger), len(got.Ledger))
			return fails
		}
		for i, w := range want.Ledger {
			g := got.Ledger[i]
			at := fmt.Sprintf("ledger[%d]", i)
			if w.Year != g.Year {
				failf("%s.year: want %d, got %d", at, w.Year, g.Year)
			}
			for _, f := range []struct {
				name string
				want string
				got  models.Money
			}{
				{"carry_in", w.CarryIn, g.CarryIn}, {"generated", w.Generated, g.Generated},
				{"reversed", w.Reversed, g.Reversed}, {"clawback", w.Clawback, g.Clawback},
				{"payable", w.Payable, g.Payable}, {"offset", w.Offset, g.Offset},
				{"offset_education", w.OffsetEducation, g.OffsetEducation},
				{"offset_local", w.OffsetLocal, g.OffsetLocal}, {"carry_out", w.CarryOut, g.CarryOut},
			} {
				checkMoney(failf, at+"."+f.name, f.want, f.got)
			}
			if w.Qualified != nil && *w.Qualified != g.Qualified {
				failf("%s.qualified: want %v, got %v", at, *w.Qualified, g.Qualified)
			}
			if w.Conditions != nil {
				if gotConds := conditionMap(g.Conditions); !maps.Equal(w.Conditions, gotConds) {
					failf("%s.conditions: want %v, got %v", at, w.Conditions, gotConds)
				}
			}
		}
	}
	return fails
}

func conditionMap(conds []models.ConditionResult) map[string]bool {
	out := map[string]bool{}
	for _, c := range conds {
		out[c.ID] = c.Passed
	}
	return out
}

func checkMoney(failf func(string, ...any), name, want string, got models.Money) {
	w, err := models.ParseMoney(want)
	if err != nil {
		failf("%s: expected value: %v", name, err)
		return
	}
	if w != got {
		failf("%s: want %s, got %s", name, w, got)
	}
}

// Summary formats case results one line each, and a last line with totals.
func Summary(results []CaseResult) (string, int) {
	var b strings.Builder
	failed := 0
	for _, r := range results {
		status := "ok  "
		if len(r.Failures) > 0 {
			status = "FAIL"
			failed++
		}
		fmt.Fprintf(&b, "%s %s: %s\n", status, r.Rule, r.Name)
		for _, f := range r.Failures {
			fmt.Fprintf(&b, "       %s\n", f)
		}
	}
	fmt.Fprintf(&b, "%d cases, %d passed, %d failed\n", len(results), len(results)-failed, failed)
	return b.String(), failed
}
