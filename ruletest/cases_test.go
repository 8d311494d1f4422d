package ruletest_test

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"github.com/wenzhou-subsidy/subsidy/engine"
	"github.com/wenzhou-subsidy/subsidy/models"
	"github.com/wenzhou-subsidy/subsidy/ruletest"
)

// testRules is a rule directory with one small rule and its cases, one of
// which fails on purpose.
const testRules = "testdata/rules"

func mustEngine(tb testing.TB, fsys fs.FS) *engine.Engine {
	tb.Helper()
	eng, err := engine.Load(fsys)
	if err != nil {
		tb.Fatal(err)
	}
	return eng
}

// decode reads a request body as plain JSON: enough for the cases here (the
// API's strict decoder is api's to test).
func decode(body []byte, today models.Date) (models.EvaluateRequest, error) {
	var raw struct {
		AsOf      models.Date                `json:"as_of"`
		Rules     []string                   `json:"rules"`
		Overrides map[string]json.RawMessage `json:"overrides"`
		Subject   json.RawMessage            `json:"subject"`
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		return models.EvaluateRequest{}, fmt.Errorf("decode request: %w", err)
	}
	req := models.EvaluateRequest{AsOf: raw.AsOf, Rules: raw.Rules, Overrides: raw.Overrides}
	if req.AsOf.IsZero() {
		req.AsOf = today
	}
	var head struct {
		Kind string `json:"kind"`
	}
	if err := json.Unmarshal(raw.Subject, &head); err != nil {
		return req, fmt.Errorf("decode subject: %w", err)
	}
	target, err := req.Subject.Variant(head.Kind)
	if err != nil {
		return req, err
	}
	if err := json.Unmarshal(raw.Subject, target); err != nil {
		return req, fmt.Errorf("decode subject: %w", err)
	}
	return req, nil
}

// withCases returns the test rules with cases/grant.yaml replaced.
func withCases(tb testing.TB, cases string) fstest.MapFS {
	tb.Helper()
	fsys := fstest.MapFS{}
	for _, name := range []string{"ruleset.yaml", "grant.yaml"} {
		data, err := os.ReadFile(testRules + "/" + name)
		if err != nil {
			tb.Fatal(err)
		}
		fsys[name] = &fstest.MapFile{Data: data}
	}
	if cases != "" {
		fsys["cases/grant.yaml"] = &fstest.MapFile{Data: []byte(cases)}
	}
	return fsys
}

func TestRunCases(t *testing.T) {
	fsys := os.DirFS(testRules)
	got, err := ruletest.RunCases(mustEngine(t, fsys), fsys, decode)
	if err != nil {
		t.Fatal(err)
	}
	// What each case gave, and whether its request was evaluated.
	type outcome struct {
		ruletest.CaseResult
		Evaluated bool
	}
	want := []outcome{
		{ruletest.CaseResult{File: "grant.yaml", Rule: "grant", Name: "温州企业、持有认定：补助 5 万"}, true},
		{ruletest.CaseResult{File: "grant.yaml", Rule: "grant", Name: "杭州企业：不予补助"}, true},
		{ruletest.CaseResult{File: "grant.yaml", Rule: "grant", Name: "期望的金额有误（此用例应失败）", Failures: []string{"amount: want 60000.00, got 50000.00"}}, true},
		{ruletest.CaseResult{File: "grant.yaml", Rule: "grant", Name: "未知的覆盖参数：拒绝"}, false},
	}
	var outcomes []outcome
	for _, r := range got {
		outcomes = append(outcomes, outcome{r, r.Result != nil})
		outcomes[len(outcomes)-1].Result = nil
	}
	if diff := cmp.Diff(want, outcomes); diff != "" {
		t.Errorf("RunCases (-want +got):\n%s", diff)
	}
}

func TestRunCasesFailures(t *testing.T) {
	const input = `
    input: {kind: enterprise, credit_code: 91330382MA2AB3C47E, name: 示例电气有限公司, region: "330382",
            certifications: [{level: city, certified_on: 2024-03-01}]}`
	tests := []struct {
		name  string
		cases string
		want  []string
	}{
		{
			name:  "wrong conditions",
			cases: "rule: grant\ncases:\n  - name: c\n    as_of: 2025-06-30" + input + "\n    output: {eligible: true, amount: \"50000.00\", conditions: {registered: true}}",
			want:  []string{"conditions: want map[registered:true], got map[certified:true registered:true]"},
		},
		{
			name:  "both output and errors",
			cases: "rule: grant\ncases:\n  - name: c\n    as_of: 2025-06-30" + input + "\n    output: {eligible: true, amount: \"50000.00\"}\n    errors: [subject]",
			want:  []string{"a case gives either output or errors"},
		},
		{
			name:  "errors wanted, output given",
			cases: "rule: grant\ncases:\n  - name: c\n    as_of: 2025-06-30" + input + "\n    errors: [subject.region]",
			want:  []string{"want the input refused for [subject.region], got <nil>"},
		},
		{
			name:  "no name",
			cases: "rule: grant\ncases:\n  - as_of: 2025-06-30" + input + "\n    output: {eligible: true, amount: \"50000.00\"}",
			want:  []string{"the case has no name"},
		},
		{
			name:  "bad as_of",
			cases: "rule: grant\ncases:\n  - name: c\n    as_of: 2025-02-30" + input + "\n    output: {eligible: true, amount: \"50000.00\"}",
			want:  []string{`as_of: invalid date "2025-02-30": not a calendar date`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := withCases(t, tt.cases)
			got, err := ruletest.RunCases(mustEngine(t, fsys), fsys, decode)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 {
				t.Fatalf("got %d results, want 1", len(got))
			}
			if diff := cmp.Diff(tt.want, got[0].Failures); diff != "" {
				t.Errorf("failures (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRunCasesErrors(t *testing.T) {
	tests := []struct {
		name    string
		cases   string
		wantErr string
	}{
		{"no case files", "", "no case files in cases/"},
		{"unknown rule", "rule: grnat\ncases: []\n", `cases cases/grant.yaml: unknown rule "grnat"`},
		{"unknown key", "rule: grant\ncaces: []\n", "cases cases/grant.yaml: yaml: unmarshal errors:\n  line 2: field caces not found in type ruletest.caseFileYAML"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := withCases(t, tt.cases)
			_, err := ruletest.RunCases(mustEngine(t, fsys), fsys, decode)
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("RunCases error = %v, want %q", err, tt.wantErr)
			}
		})
	}
}

func TestSummary(t *testing.T) {
	text, failed := ruletest.Summary([]ruletest.CaseResult{
		{Rule: "grant", Name: "passes"},
		{Rule: "grant", Name: "fails", Failures: []string{"amount: want 60000.00, got 50000.00", "eligible: want false, got true"}},
	})
	want := `ok   grant: passes
FAIL grant: fails
       amount: want 60000.00, got 50000.00
       eligible: want false, got true
2 cases, 1 passed, 1 failed
`
	if text != want || failed != 1 {
		t.Errorf("Summary = %d failed,\n%s\nwant 1 failed,\n%s", failed, text, want)
	}
}
