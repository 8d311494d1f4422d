package engine_test

import (
	"fmt"
	"testing"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// The floor benchmarks: one for each engine benchmark of bench_test.go, on
// the same subjects and as_of, running the hand-written decisions of
// floor_test.go. What the engine does once at load (parse the rule files,
// compile, render the messages of each parameter set) is done here before
// the timer; what it does per request is in the loop: the cross-field
// checks, every condition, the message selection, the citation, the
// ledger, the payout items and the response with its results slice.
//
//	go test ./engine -run '^$' -bench . -benchmem

// floorBench is the setup done once, as Engine.Load does: the shipped
// parameters with their messages, and the ruleset the response names.
type floorBench struct {
	params  floorParams
	ruleset models.Ruleset
}

func newFloorBench(b *testing.B) *floorBench {
	b.Helper()
	p, err := newFloorParams(nil)
	if err != nil {
		b.Fatal(err)
	}
	return &floorBench{params: p, ruleset: benchEngine(b).Ruleset()}
}

// benchFloor runs eval once to check it, then in the timed loop.
func benchFloor(b *testing.B, eval func() (models.EvaluateResponse, error)) {
	b.Helper()
	if _, err := eval(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := eval(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFloorCertGrant is BenchmarkCertGrant's floor.
func BenchmarkFloorCertGrant(b *testing.B) {
	f := newFloorBench(b)
	ent, rules := typicalEnterprise(), []string{models.RuleCertGrant}
	benchFloor(b, func() (models.EvaluateResponse, error) {
		return floorEvaluateEnterprise(ent, asOf, f.ruleset, &f.params, rules)
	})
}

// BenchmarkFloorCreditMemberUnit5Years is BenchmarkCreditMemberUnit5Years' floor.
func BenchmarkFloorCreditMemberUnit5Years(b *testing.B) {
	f := newFloorBench(b)
	ent, rules := memberUnit(), []string{models.RuleSurchargeCredit}
	benchFloor(b, func() (models.EvaluateResponse, error) {
		return floorEvaluateEnterprise(ent, asOf, f.ruleset, &f.params, rules)
	})
}

// BenchmarkFloorDonationMatch20 is BenchmarkDonationMatch20's floor (no
// rules named: every rule for a university).
func BenchmarkFloorDonationMatch20(b *testing.B) {
	f := newFloorBench(b)
	u := benchUniversity(20)
	benchFloor(b, func() (models.EvaluateResponse, error) {
		return floorEvaluateUniversity(u, asOf, f.ruleset, &f.params, nil)
	})
}

// BenchmarkFloorTypicalEnterpriseAllRules is
// BenchmarkTypicalEnterpriseAllRules' floor: no rules named, so cert-grant
// and surcharge-credit, collected into one response.
func BenchmarkFloorTypicalEnterpriseAllRules(b *testing.B) {
	f := newFloorBench(b)
	ent := typicalEnterprise()
	benchFloor(b, func() (models.EvaluateResponse, error) {
		return floorEvaluateEnterprise(ent, asOf, f.ruleset, &f.params, nil)
	})
}

// BenchmarkFloorCreditYears is BenchmarkCreditYears' floor.
func BenchmarkFloorCreditYears(b *testing.B) {
	f := newFloorBench(b)
	for _, n := range []int{1, 5, 20} {
		b.Run(fmt.Sprintf("years=%d", n), func(b *testing.B) {
			ent, rules := floorCreditYearsSubject(n), []string{models.RuleSurchargeCredit}
			benchFloor(b, func() (models.EvaluateResponse, error) {
				return floorEvaluateEnterprise(ent, asOf, f.ruleset, &f.params, rules)
			})
		})
	}
}
