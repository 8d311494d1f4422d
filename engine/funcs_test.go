package engine

import (
	"os"
	"regexp"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestLibraryDocumented checks that rules/README.md lists every function of
// the expression library, with its arguments and its doc line, and no other.
func TestLibraryDocumented(t *testing.T) {
	readme, err := os.ReadFile("../rules/README.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := regexp.MustCompile("(?m)^\\| `([a-z_]+)\\((.*)\\)` \\| (.*) \\|$").FindAllStringSubmatch(string(readme), -1)
	documented := map[string][2]string{}
	for _, m := range rows {
		documented[m[1]] = [2]string{m[2], m[3]}
	}
	want := map[string][2]string{}
	for _, f := range library {
		if f.operator == "" {
			want[f.name] = [2]string{f.args, f.doc}
		}
	}
	if diff := cmp.Diff(want, documented); diff != "" {
		t.Errorf("functions in rules/README.md (-library +README):\n%s", diff)
	}
}
