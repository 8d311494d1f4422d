package input

import (
	"os"
	"testing"

	"github.com/wenzhou-subsidy/subsidy/engine"
)

// mustEngine loads the shipped rules.
func mustEngine(tb testing.TB) *engine.Engine {
	tb.Helper()
	e, err := engine.Load(os.DirFS("../rules"))
	if err != nil {
		tb.Fatal(err)
	}
	return e
}

func readFile(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}
