package engine

import (
	"fmt"
	"maps"
	"slices"

	"github.com/expr-lang/expr"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// Evaluate evaluates the request's subject against the requested rules (by
// default every rule for its kind), with messages in lang. A request the
// engine finds wrong gives a *models.Error with code invalid that names
// every bad field; any other error is a fault in a rule file or the engine.
func (e *Engine) Evaluate(req models.EvaluateRequest, lang string) (models.EvaluateResponse, error) {
	p, fields := e.plan(req)
	if len(fields) > 0 {
		return models.EvaluateResponse{}, models.InvalidInput(fields...)
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
	for _, r := range p.rules {
		seg := r.segmentFor(req.AsOf, p.overrides[r])
		res, err := r.evaluate(subject, req.AsOf, seg, lang)
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
		i, _ := slices.BinarySearchFunc(r.segments, asOf, func(s *segment, d models.Date) int {
			if s.from.After(d) {
				return 1
			}
			return -1
		})
		if i == 0 {
			return nil
		}
		return r.segments[i-1]
	}
	values, _ := r.valuesAt(asOf)
	maps.Copy(values, overrides)
	if len(values) < len(r.params) {
		return nil
	}
	return r.bind(asOf, values)
}

// evaluate runs one rule: definitions, then the credit ledger if the rule
// has one, then the conditions and, when they all pass, the amount.
func (r *rule) evaluate(subject any, asOf models.Date, seg *segment, lang string) (models.RuleResult, error) {
	res := models.RuleResult{Rule: r.id, Title: r.title.In(lang), Citation: r.citation}
	if r.ledger != nil {
		res.Ledger = []models.LedgerRow{}
	}
	if seg == nil {
		res.Conditions = []models.ConditionResult{r.notInForce(asOf, lang)}
		return res, nil
	}
	env := make(map[string]any, len(seg.values)+len(r.defs)+8)
	env[varSubject] = subject
	env[varAsOf] = asOf
	for _, v := range seg.values {
		env[v.name] = v.value
	}
	if err := runDefs(r.defs, env); err != nil {
		return res, fmt.Errorf("rule %s: %w", r.id, err)
	}
	if r.ledger != nil {
		rows, err := r.ledger.run(subject.(*models.Enterprise), env, seg, lang)
		if err != nil {
			return res, fmt.Errorf("rule %s: credit ledger: %w", r.id, err)
		}
		res.Ledger = rows
		env[varLedger] = rows
	}
	conds, passed, err := runConds(r.conds, seg.ruleMsgs, env, lang)
	if err != nil {
		return res, fmt.Errorf("rule %s: %w", r.id, err)
	}
	res.Conditions = conds
	res.Eligible = passed
	if passed {
		if res.Amount, err = runMoney(r.amount, env); err != nil {
			return res, fmt.Errorf("rule %s: amount: %w", r.id, err)
		}
		if r.payout != nil {
			if res.Payout, err = r.payout.run(res.Amount, env); err != nil {
				return res, fmt.Errorf("rule %s: payout: %w", r.id, err)
			}
		}
	}
	return res, nil
}

// run splits an eligible grant into its payout items; the items must add
// up to the amount exactly.
func (pb *payoutBlock) run(amount models.Money, env map[string]any) (*models.PayoutInfo, error) {
	info := &models.PayoutInfo{Payer: pb.payer, Items: []models.PayoutItem{{Amount: amount}}}
	if pb.items == nil {
		return info, nil
	}
	v, err := expr.Run(pb.items.prog, env)
	if err != nil {
		return nil, err
	}
	info.Items = v.([]models.PayoutItem)
	total := models.Money{}
	for _, it := range info.Items {
		total = total.Add(it.Amount)
	}
	if total != amount {
		return nil, fmt.Errorf("items add up to %s, not the amount %s", total, amount)
	}
	return info, nil
}

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
	return models.ConditionResult{ID: "in-force", Passed: false, Message: msg.In(lang)}
}

func runDefs(defs []definition, env map[string]any) error {
	for _, d := range defs {
		v, err := expr.Run(d.prog, env)
		if err != nil {
			return fmt.Errorf("definition %s: %w", d.name, err)
		}
		env[d.name] = v
	}
	return nil
}

// runConds evaluates conditions; one that does not apply is left out. It
// reports whether every applicable condition passed.
func runConds(conds []condition, msgs []models.Text, env map[string]any, lang string) ([]models.ConditionResult, bool, error) {
	out := make([]models.ConditionResult, 0, len(conds))
	all := true
	for i, c := range conds {
		if c.applies != nil {
			ok, err := expr.Run(c.applies.prog, env)
			if err != nil {
				return nil, false, fmt.Errorf("condition %s applies_if: %w", c.id, err)
			}
			if !ok.(bool) {
				continue
			}
		}
		v, err := expr.Run(c.prog, env)
		if err != nil {
			return nil, false, fmt.Errorf("condition %s: %w", c.id, err)
		}
		passed := v.(bool)
		all = all && passed
		out = append(out, models.ConditionResult{ID: c.id, Passed: passed, Message: msgs[i].In(lang)})
	}
	return out, all, nil
}

func runMoney(p program, env map[string]any) (models.Money, error) {
	v, err := expr.Run(p.prog, env)
	if err != nil {
		return models.Money{}, err
	}
	return v.(models.Money), nil
}

// run computes the credit ledger over the enterprise's credit years in year
// order: per year the per-year definitions and conditions, the credit
// generated (only in a qualifying year) and reversed, then the arithmetic of
// ledgerRow, carrying each year's carry_out into the next.
func (lb *ledgerBlock) run(ent *models.Enterprise, env map[string]any, seg *segment, lang string) ([]models.LedgerRow, error) {
	years := slices.Clone(ent.CreditYears)
	slices.SortFunc(years, func(a, b models.CreditYear) int { return a.Year - b.Year })
	allocation := ""
	for _, v := range seg.values {
		if v.name == lb.allocation {
			allocation = v.value.(string)
		}
	}
	rows := make([]models.LedgerRow, 0, len(years))
	carry := ent.CreditCarryIn
	for _, y := range years {
		env[varYear] = y
		if err := runDefs(lb.defs, env); err != nil {
			return nil, fmt.Errorf("year %d: %w", y.Year, err)
		}
		conds, qualified, err := runConds(lb.conds, seg.yearMsgs, env, lang)
		if err != nil {
			return nil, fmt.Errorf("year %d: %w", y.Year, err)
		}
		in := ledgerYear{year: y.Year, education: y.EducationSurcharge, localEducation: y.LocalEducationSurcharge}
		if qualified {
			if in.generated, err = runMoney(lb.generated, env); err != nil {
				return nil, fmt.Errorf("year %d: generated: %w", y.Year, err)
			}
		}
		if in.reversed, err = runMoney(lb.reversed, env); err != nil {
			return nil, fmt.Errorf("year %d: reversed: %w", y.Year, err)
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
