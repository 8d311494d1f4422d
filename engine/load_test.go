package engine_test

import (
	"bytes"
	"errors"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wenzhou-subsidy/subsidy/engine"
)

var update = flag.Bool("update", false, "rewrite the golden files testdata/broken/*/want.txt from the current errors")

// brokenDir holds one directory per broken-rules case: a ruleset.yaml (or
// none), one or more broken rule files, and want.txt, the exact text of
// the error engine.Load returns for the directory.
const brokenDir = "../testdata/broken"

// TestLoadBroken loads each broken rule directory and compares the error
// text with its golden file. A golden file holds the text wanted: each
// problem names its file and line, the rule and the parameter, definition
// or condition, and an expression error carries expr's (line:column) and
// caret. Run with -update to rewrite the golden files from the current
// errors, and read every changed file against that before keeping it.
func TestLoadBroken(t *testing.T) {
	tests := []struct {
		dir  string
		what string
	}{
		{"yaml-syntax-error", "a YAML syntax error"},
		{"unknown-top-level-key", "the typo condtions for conditions"},
		{"unknown-name", "a typo of a parameter as a function's argument in a definition"},
		{"unknown-name-in-comparison", "a typo of a parameter as an operand of >= in a condition"},
		{"unknown-subject-field", "subject.regoin in a condition"},
		{"unknown-subject-field-in-function", "a typo of a field of subject.credit_years inside sum_money(map(…))"},
		{"condition-not-bool", "a condition that gives an amount"},
		{"amount-not-money", "an amount that gives a decimal"},
		{"float-money-divided", "due / 2"},
		{"float-money-times-float", "mul_half_up(amount, rate) * 0.5"},
		{"float-inside-function", "due / 2 as an argument of min_money"},
		{"float-int-division", "len(…) / 2, expr's float division of two ints"},
		{"float-literal", "a float literal on the second line of a multi-line expression"},
		{"money-equals-string", `due == "15000.00"`},
		{"unknown-placeholder", "{regoin_prefix} in a message"},
		{"unknown-parameter-type", "type: text"},
		{"money-three-decimals", `a money value "50000.001"`},
		{"money-by-level-missing-national", "a money_by_level value without national"},
		{"duplicate-rule-id", "the id grant in grant.yaml and grant-copy.yaml"},
		{"duplicate-condition-id", "two conditions registered-in-wenzhou"},
		{"condition-id-in-force", "a condition with the engine's id in-force"},
		{"file-name-differs-from-id", "id cert-grant in grant.yaml"},
		{"missing-ruleset", "no ruleset.yaml"},
		{"two-values-same-date", "rate with two values from 2024-01-01"},
		{"ledger-without-allocation", "a credit ledger in a rule without the parameter allocation"},
		{"ledger-allocation-not-enum", "the parameter allocation declared as a string"},
		{"several-problems", "three problems in each of grant.yaml and match.yaml, all reported, by file and line"},
	}
	// Every directory has a case here, so that none is silently skipped.
	entries, err := os.ReadDir(brokenDir)
	if err != nil {
		t.Fatal(err)
	}
	var dirs, listed []string
	for _, e := range entries {
		if e.IsDir() {
			dirs = append(dirs, e.Name())
		}
	}
	for _, tt := range tests {
		listed = append(listed, tt.dir)
	}
	slices.Sort(listed)
	if diff := cmp.Diff(listed, dirs); diff != "" {
		t.Errorf("directories in %s (-listed +present):\n%s", brokenDir, diff)
	}

	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			dir := filepath.Join(brokenDir, tt.dir)
			e, err := engine.Load(os.DirFS(dir))
			if err == nil {
				t.Fatalf("Load succeeded with %d rules, want an error for %s", len(e.RuleIDs()), tt.what)
			}
			if e != nil {
				t.Errorf("Load returned an engine with its error")
			}
			var le *engine.LoadError
			if !errors.As(err, &le) {
				t.Errorf("error is %T, want *engine.LoadError", err)
			}
			got := err.Error() + "\n"
			golden := filepath.Join(dir, "want.txt")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./engine -run TestLoadBroken -update to write it)", err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("Load error for %s (-want +got):\n%s", tt.what, diff)
			}
		})
	}
}

// TestLoadErrorSorted checks that the problems of several files are all
// reported, ordered by file and then line.
func TestLoadErrorSorted(t *testing.T) {
	_, err := engine.Load(os.DirFS(filepath.Join(brokenDir, "several-problems")))
	var le *engine.LoadError
	if !errors.As(err, &le) {
		t.Fatalf("error is %T (%v), want *engine.LoadError", err, err)
	}
	type at struct {
		File string
		Line int
	}
	var got []at
	for _, p := range le.Problems {
		got = append(got, at{p.File, p.Line})
	}
	sorted := slices.IsSortedFunc(got, func(a, b at) int {
		if a.File != b.File {
			if a.File < b.File {
				return -1
			}
			return 1
		}
		return a.Line - b.Line
	})
	if !sorted {
		t.Errorf("problems are not sorted by file and line: %v", got)
	}
	files := map[string]int{}
	for _, p := range got {
		files[p.File]++
	}
	if diff := cmp.Diff(map[string]int{"grant.yaml": 3, "match.yaml": 3}, files); diff != "" {
		t.Errorf("problems per file (-want +got):\n%s", diff)
	}
}

func TestLoadShippedRules(t *testing.T) {
	e, err := engine.Load(os.DirFS("../rules"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"cert-grant", "donation-match", "surcharge-credit"}, e.RuleIDs()); diff != "" {
		t.Errorf("rule ids (-want +got):\n%s", diff)
	}
	rs := e.Ruleset()
	if rs.Version == "" {
		t.Error("ruleset version is empty")
	}
	if !regexp.MustCompile(`^sha256:[0-9a-f]{64}$`).MatchString(rs.Digest) {
		t.Errorf("digest %q is not sha256:<64 hex digits>", rs.Digest)
	}
}

// TestLoadDigest checks that the ruleset digest is stable for the same
// files and changes when one byte of a rule file changes.
func TestLoadDigest(t *testing.T) {
	shipped, err := engine.Load(os.DirFS("../rules"))
	if err != nil {
		t.Fatal(err)
	}
	dir := copyRules(t, "../rules")
	same, err := engine.Load(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	if same.Ruleset() != shipped.Ruleset() {
		t.Errorf("digest of a copy of the rules = %v, want %v", same.Ruleset(), shipped.Ruleset())
	}

	tests := []struct {
		name string
		file string
		edit func([]byte) []byte
	}{
		{"one byte of a comment in a rule file", "cert-grant.yaml", func(b []byte) []byte {
			// The first letter after the first "# ": the rule itself is unchanged.
			i := bytes.Index(b, []byte("# "))
			if i < 0 || !('a' <= b[i+2] && b[i+2] <= 'z' || 'A' <= b[i+2] && b[i+2] <= 'Z') {
				t.Fatal("cert-grant.yaml has no comment starting with a letter")
			}
			b[i+2] ^= 0x20 // toggle the letter's case
			return b
		}},
		{"one byte of a value in a rule file", "donation-match.yaml", func(b []byte) []byte {
			if !bytes.Contains(b, []byte(`value: "0.5"`)) {
				t.Fatal(`no value: "0.5" in donation-match.yaml`)
			}
			return bytes.Replace(b, []byte(`value: "0.5"`), []byte(`value: "0.6"`), 1)
		}},
		{"a trailing newline", "surcharge-credit.yaml", func(b []byte) []byte { return append(b, '\n') }},
		{"one byte of the manifest", "ruleset.yaml", func(b []byte) []byte {
			return bytes.Replace(b, []byte("# The ruleset's"), []byte("# the ruleset's"), 1)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := copyRules(t, "../rules")
			path := filepath.Join(dir, tt.file)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			changed := tt.edit(slices.Clone(data))
			if bytes.Equal(changed, data) {
				t.Fatal("the edit changed nothing")
			}
			if err := os.WriteFile(path, changed, 0o644); err != nil {
				t.Fatal(err)
			}
			e, err := engine.Load(os.DirFS(dir))
			if err != nil {
				t.Fatal(err)
			}
			if e.Ruleset().Digest == shipped.Ruleset().Digest {
				t.Errorf("digest unchanged (%s) after changing %s", e.Ruleset().Digest, tt.file)
			}
			if e.Ruleset().Version != shipped.Ruleset().Version {
				t.Errorf("version = %q, want %q", e.Ruleset().Version, shipped.Ruleset().Version)
			}
		})
	}
}

// copyRules copies the *.yaml files at the top of src into a new temporary
// directory and returns it.
func copyRules(tb testing.TB, src string) string {
	tb.Helper()
	dir := tb.TempDir()
	names, err := fs.Glob(os.DirFS(src), "*.yaml")
	if err != nil {
		tb.Fatal(err)
	}
	if len(names) == 0 {
		tb.Fatalf("no rule files in %s", src)
	}
	for _, name := range names {
		data, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return dir
}
