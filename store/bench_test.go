package store_test

import (
	"testing"
	"time"

	"github.com/wenzhou-subsidy/subsidy/models"
	"github.com/wenzhou-subsidy/subsidy/store/storetest"
)

// BenchmarkRecordPayouts records a run of 30,000 candidates on a fresh
// database and then runs it again (recording nothing), per iteration:
//
//	go test ./store -run '^$' -bench RecordPayouts
func BenchmarkRecordPayouts(b *testing.B) {
	const n = 30000
	cands := make([]models.PayoutCandidate, n)
	for i := range cands {
		cands[i] = models.PayoutCandidate{Rule: "cert-grant", Subject: creditCode(i), SubjectName: "企业", Level: models.Levels[i%3], GrantYear: 2025,
			Total: models.Yuan(100000), Payer: models.LocalFinanceBureau("330382"), RulesetVersion: "v1", RulesetDigest: "sha256:0123456789abcdef",
			Decision: []byte(`{"rule":"cert-grant","eligible":true,"amount":"100000.00","conditions":[{"id":"certified","passed":true}]}`)}
	}
	for _, kind := range storetest.Kinds(b) {
		b.Run(kind, func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				s := storetest.Open(b, kind)
				run := newRun(b, s)
				b.StartTimer()
				start := time.Now()
				created, err := s.RecordPayouts(ctxT(), finance, run.ID, cands)
				check(b, err)
				first := time.Since(start)
				again, err := s.RecordPayouts(ctxT(), finance, run.ID, cands)
				check(b, err)
				if len(created) != n || len(again) != 0 {
					b.Fatalf("created %d then %d, want %d then 0", len(created), len(again), n)
				}
				b.Logf("%s: %d candidates recorded in %v, again in %v", kind, n, first, time.Since(start)-first)
			}
		})
	}
}
