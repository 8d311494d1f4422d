package engine

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"

	"github.com/expr-lang/expr/vm"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// Evaluate evaluates the request's subject against the requested rules (by
// default every rule for its kind), with messages in lang. A request the
// engine finds wrong gives a *models.Error with code invalid that names
// every bad field; any other error is a fault in a rule file or the engine.
func (e *Engine) Evaluate(req models.EvaluateRequest, lang string) (models.EvaluateResponse, error) {
	return e.EvaluateUnder(req, nil, lang)
}

// EvaluateUnder is Evaluate under overrides parsed beforehand by
// ParseOverrides (nil for none), which stand for the request's own: a
// request with overrides of its own is refused. It spares evaluations of
// many subjects under one reform the parsing and binding of the same
// values each time.
func (e *Engine) EvaluateUnder(req models.EvaluateRequest, o *Overrides, lang string) (models.EvaluateResponse, error) {
	if o != nil && len(req.Overrides) > 0 {
		return models.EvaluateResponse{}, fmt.Errorf("evaluate: overrides given twice, parsed and in the request")
	}
	p, fields := e.plan(req)
	if len(fields) > 0 {
		return models.EvaluateResponse{}, models.InvalidInput(fields...)
	}
	if o != nil {
		p.echo = o.echo
	}
	resp := models.EvaluateResponse{
		AsOf:      req.AsOf,
		Ruleset:   e.ruleset,
		Overrides: p.echo,
		Results:   make([]models.RuleResult, 0, len(p.rules)),
	}
	var subject any
	if req.Subject.Enterprise != nil {
		subject = req.Subject.Enterprise
	} else {
		subject = req.Subject.University
	}
	ev := evaluations.Get().(*evaluation)
	defer func() {
		clear(ev.env)
		evaluations.Put(ev)
	}()
	ev.lang = lang
	for _, r := range p.rules {
		var seg *segment
		if o != nil {
			seg = o.segment(r, req.AsOf)
		} else {
			seg = r.segmentFor(req.AsOf, p.overrides[r])
		}
		res, err := r.evaluate(ev, subject, req.AsOf, seg)
		if errors.Is(err, models.ErrOverflow) {
			// Amounts each within bounds can still add up past what is
			// exact: the client's numbers, not a fault of ours.
			return models.EvaluateResponse{}, models.InvalidInput(models.Field("subject", "too_large_sum"))
		}
		if err != nil {
			return models.EvaluateResponse{}, err
		}
		resp.Results = append(resp.Results, res)
	}
	return resp, nil
}

// segmentFor returns the parameter values in force on asOf, with overrides
// replacing them, or nil when some parameter has no value then.
func (r *rule) segmentFor(asOf models.Date, overrides map[string]any) *segment {
	if len(overrides) == 0 {
		if i := inForceAt(r.segments, asOf); i >= 0 {
			return r.segments[i]
		}
		return nil
	}
	values, _ := r.valuesAt(asOf)
	maps.Copy(values, overrides)
	if len(values) < len(r.params) {
		return nil
	}
	return r.bind(asOf, values)
}

// evaluation is the scratch state of one Evaluate call: one expr VM and one
// environment, reused by every program it runs. They come from a pool, so
// that a steady stream of evaluations allocates neither.
type evaluation struct {
	vm   vm.VM
	env  map[string]any
	lang string
}

var evaluations = sync.Pool{New: func() any { return &evaluation{env: make(map[string]any, 32)} }}

// runBlock runs a block and returns its slots.
func (ev *evaluation) runBlock(b *block) ([]any, error) {
	out, err := ev.vm.Run(b.prog, ev.env)
	if err != nil {
		return nil, err
	}
	return out.([]any), nil
}

// evaluate runs one rule: definitions, then the credit ledger if the rule
// has one, then the conditions and, when they all pass, the amount.
func (r *rule) evaluate(ev *evaluation, subject any, asOf models.Date, seg *segment) (models.RuleResult, error) {
	res := models.RuleResult{Rule: r.id, Title: r.title.In(ev.lang), Citation: r.citation}
	if r.ledger != nil {
		res.Ledger = []models.LedgerRow{}
	}
	if seg == nil {
		res.Conditions = []models.ConditionResult{r.notInForce(asOf, ev.lang)}
		return res, nil
	}
	// Names a previous rule left in env do no harm: a rule's programs read
	// only the names it sets here.
	ev.env[varSubject] = subject
	ev.env[varAsOf] = asOf
	for _, v := range seg.values {
		ev.env[v.name] = v.value
	}
	if r.ledger != nil {
		slots, err := ev.runBlock(r.defBlock)
		if err != nil {
			return res, fmt.Errorf("rule %s: definitions: %w", r.id, err)
		}
		for i, d := range r.defs {
			ev.env[d.name] = slots[i]
		}
		rows, err := r.ledger.run(ev, subject.(*models.Enterprise), seg)
		if err != nil {
			return res, fmt.Errorf("rule %s: credit ledger: %w", r.id, err)
		}
		res.Ledger = rows
		refs := make([]*models.LedgerRow, len(rows))
		for i := range rows {
			refs[i] = &rows[i]
		}
		ev.env[varLedger] = refs
	}
	slots, err := ev.runBlock(r.condBlock)
	if err != nil {
		return res, fmt.Errorf("rule %s: conditions: %w", r.id, err)
	}
	res.Conditions, res.Eligible = conditionResults(r.condBlock, slots, seg.ruleMsgs, ev.lang)
	if res.Eligible {
		res.Amount = slots[r.condBlock.conditionalAt(0)].(models.Money)
		if r.payout != nil {
			var items any
			if r.payout.items != nil {
				items = slots[r.condBlock.conditionalAt(1)]
			}
			if res.Payout, err = r.payout.info(res.Amount, items); err != nil {
				return res, fmt.Errorf("rule %s: payout: %w", r.id, err)
			}
		}
	}
	return res, nil
}

// conditionResults reads a block's condition slots: a condition that does
// not apply is left out. It reports whether every applicable one passed.
func conditionResults(b *block, slots []any, msgs []models.Text, lang string) ([]models.ConditionResult, bool) {
	_, out, all := appendConditionResults(make([]models.ConditionResult, 0, len(b.conds)), b, slots, msgs, lang)
	return out, all
}

// appendConditionResults is conditionResults appending to buf; it returns
// buf grown, the block's results (a slice of it) and whether all passed.
func appendConditionResults(buf []models.ConditionResult, b *block, slots []any, msgs []models.Text, lang string) ([]models.ConditionResult, []models.ConditionResult, bool) {
	start := len(buf)
	all := true
	for i, c := range b.conds {
		if !slots[b.appliesAt(i)].(bool) {
			continue
		}
		passed := slots[b.passedAt(i)].(bool)
		all = all && passed
		buf = append(buf, models.ConditionResult{ID: c.id, Passed: passed, Message: msgs[i].In(lang)})
	}
	return buf, buf[start:len(buf):len(buf)], all
}

// info splits an eligible grant into its payout items (the value of the
// items expression, or one item); the items must add up to the amount.
func (pb *payoutBlock) info(amount models.Money, items any) (*models.PayoutInfo, error) {
	info := &models.PayoutInfo{Payer: pb.payer, Items: []models.PayoutItem{{Amount: amount}}}
	if items == nil {
		return info, nil
	}
	info.Items = items.([]models.PayoutItem)
	total := models.Money{}
	for _, it := range info.Items {
		total = total.Add(it.Amount)
	}
	if total != amount {
		return nil, fmt.Errorf("items add up to %s, not the amount %s", total, amount)
	}
	return info, nil
}

// inForceID is the condition a rule fails, alone, when some parameter has
// no value on the evaluation date; no rule file may use it.
const inForceID = "in-force"

// notInForce is the condition a rule fails when some parameter has no value
// on the evaluation date.
func (r *rule) notInForce(asOf models.Date, lang string) models.ConditionResult {
	first := ""
	if len(r.segments) > 0 {
		first = r.segments[0].from.String()
	}
	msg := models.Text{
		Zh: fmt.Sprintf("评估日 %s 本规则已生效（参数自 %s 起适用）", asOf, first),
		En: fmt.Sprintf("the rule is in force on %s (its parameters apply from %s)", asOf, first),
	}
	return models.ConditionResult{ID: inForceID, Passed: false, Message: msg.In(lang)}
}

// moneySlot reads an amount slot of a block; nil (a conditional expression
// not evaluated) is zero.
func moneySlot(v any) models.Money {
	m, _ := v.(models.Money)
	return m
}

// run computes the credit ledger over the enterprise's credit years in year
// order: per year the per-year definitions and conditions, the credit
// generated (only in a qualifying year) and reversed, then the arithmetic of
// ledgerRow, carrying each year's carry_out into the next.
func (lb *ledgerBlock) run(ev *evaluation, ent *models.Enterprise, seg *segment) ([]models.LedgerRow, error) {
	years := make([]*models.CreditYear, len(ent.CreditYears))
	for i := range ent.CreditYears {
		years[i] = &ent.CreditYears[i]
	}
	slices.SortFunc(years, func(a, b *models.CreditYear) int { return a.Year - b.Year })
	allocation := seg.values[lb.allocation].value.(string)
	rows := make([]models.LedgerRow, 0, len(years))
	// One backing array for every year's conditions: one allocation, not one a year.
	condsBuf := make([]models.ConditionResult, 0, len(years)*len(lb.conds))
	carry := ent.CreditCarryIn
	for _, y := range years {
		ev.env[varYear] = y
		slots, err := ev.runBlock(lb.year)
		if err != nil {
			return nil, fmt.Errorf("year %d: %w", y.Year, err)
		}
		var conds []models.ConditionResult
		var qualified bool
		condsBuf, conds, qualified = appendConditionResults(condsBuf, lb.year, slots, seg.yearMsgs, ev.lang)
		in := ledgerYear{
			year: y.Year, education: y.EducationSurcharge, localEducation: y.LocalEducationSurcharge,
			generated: moneySlot(slots[lb.year.conditionalAt(0)]), reversed: moneySlot(slots[lb.year.extraAt(0)]),
		}
		if in.generated.IsNegative() || in.reversed.IsNegative() {
			return nil, fmt.Errorf("year %d: generated %s and reversed %s must not be negative", y.Year, in.generated, in.reversed)
		}
		row, err := ledgerRow(carry, in, allocation)
		if err != nil {
			return nil, err
		}
		row.Qualified, row.Conditions = qualified, conds
		rows = append(rows, row)
		carry = row.CarryOut
	}
	return rows, nil
}
