package api

import (
	"net/http"
	"testing"
)

// BenchmarkDecodeEvaluate: the strict decoding, validation and engine checks
// of a typical POST /v1/evaluate body.
func BenchmarkDecodeEvaluate(b *testing.B) {
	s := newPublicServer(b, nil)
	body := readFile(b, "../testdata/evaluate/enterprise-province.json")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.decoder.Evaluate(body, s.today()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEvaluateEndpoint: a whole POST /v1/evaluate through the server's
// handler (middleware, decoding, evaluation, JSON answer), without the network.
func BenchmarkEvaluateEndpoint(b *testing.B) {
	s := newPublicServer(b, nil)
	body := readFile(b, "../testdata/evaluate/enterprise-province.json")
	b.ReportAllocs()
	for b.Loop() {
		if rec := do(s, http.MethodPost, "/v1/evaluate", body); rec.Code != http.StatusOK {
			b.Fatal(rec.Code)
		}
	}
}
