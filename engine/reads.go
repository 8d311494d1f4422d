package engine

import (
	"slices"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// resolveReads finds, once at load, the parameters each expression of the
// rule reads: those it names and those of the definitions it names.
func (r *rule) resolveReads() {
	// What each name stands for: a parameter itself, a definition what its
	// expression reads.
	via := map[string][]string{}
	for _, p := range r.params {
		via[p.name] = []string{p.name}
	}
	resolve := func(p *program) {
		var reads []string
		for name := range identifiers(p.src) {
			reads = append(reads, via[name]...)
		}
		slices.Sort(reads)
		p.reads = slices.Compact(reads)
	}
	defs := func(ds []definition) {
		for i := range ds {
			resolve(&ds[i].program)
			via[ds[i].name] = ds[i].reads
		}
	}
	conds := func(cs []condition) {
		for i := range cs {
			resolve(&cs[i].program)
			if cs[i].applies != nil {
				resolve(cs[i].applies)
			}
		}
	}
	defs(r.defs)
	if r.ledger != nil {
		defs(r.ledger.defs)
		conds(r.ledger.conds)
		resolve(&r.ledger.generated)
		resolve(&r.ledger.reversed)
	}
	conds(r.conds)
	resolve(&r.amount)
	if r.payout != nil && r.payout.items != nil {
		resolve(r.payout.items)
	}
}

// ParametersRead returns, sorted, the parameters of a rule that the
// evaluation giving res read: those named, directly or through definitions,
// by an expression it ran. It ran the definitions, every applies_if, the
// conditions that applied (those in the result), and the amount and payout
// items of an eligible subject; per ledger row the same of the per-year part
// (generated in a qualifying year); and it read the allocation mode for a
// row whose offset it split (above zero, below the payable). A rule not in
// force read nothing. It serves rule-test coverage, not evaluation: res must
// be a result of this engine, and nothing is recorded while evaluating.
func (e *Engine) ParametersRead(res models.RuleResult) []string {
	r, ok := e.byID[res.Rule]
	if !ok || (len(res.Conditions) == 1 && res.Conditions[0].ID == inForceID) {
		return nil
	}
	read := map[string]bool{}
	run := func(p *program) {
		for _, name := range p.reads {
			read[name] = true
		}
	}
	runConds := func(conds []condition, results []models.ConditionResult) {
		for i := range conds {
			if conds[i].applies != nil {
				run(conds[i].applies)
			}
			if slices.ContainsFunc(results, func(c models.ConditionResult) bool { return c.ID == conds[i].id }) {
				run(&conds[i].program)
			}
		}
	}
	for i := range r.defs {
		run(&r.defs[i].program)
	}
	if lb := r.ledger; lb != nil {
		for _, row := range res.Ledger {
			for i := range lb.defs {
				run(&lb.defs[i].program)
			}
			runConds(lb.conds, row.Conditions)
			if row.Qualified {
				run(&lb.generated)
			}
			run(&lb.reversed)
			if row.Offset.IsPositive() && row.Offset != row.Payable {
				read[allocationParam] = true
			}
		}
	}
	runConds(r.conds, res.Conditions)
	if res.Eligible {
		run(&r.amount)
		if r.payout != nil && r.payout.items != nil {
			run(r.payout.items)
		}
	}
	names := make([]string, 0, len(read))
	for _, p := range r.params {
		if read[p.name] {
			names = append(names, p.name)
		}
	}
	return names
}
