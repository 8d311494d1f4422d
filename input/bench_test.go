package input

import (
	"testing"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// BenchmarkDecodeEvaluate: the strict reading, validation and engine checks
// of a typical POST /v1/evaluate body.
func BenchmarkDecodeEvaluate(b *testing.B) {
	dec := NewDecoder(mustEngine(b))
	body := readFile(b, "../testdata/evaluate/enterprise-province.json")
	today := models.MustDate("2025-06-30")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := dec.Evaluate(body, today); err != nil {
			b.Fatal(err)
		}
	}
}
