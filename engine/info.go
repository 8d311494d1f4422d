package engine

import (
	"slices"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// ruleInfo describes a compiled rule for the catalogue (GET /v1/rules): the
// expressions as written and every dated parameter value.
func ruleInfo(r *rule) models.RuleInfo {
	info := models.RuleInfo{
		ID: r.id, Title: r.title, Subject: r.subject, File: r.file, Citation: r.citation,
		Amount: r.amount.src, Parameters: []models.ParameterInfo{},
		Definitions: defInfos(r.defs), Conditions: condInfos(r.conds),
	}
	for _, p := range r.params {
		pi := models.ParameterInfo{
			Name: p.name, Key: r.id + "." + p.name, Type: p.decl.Type, Enum: p.decl.Enum,
			Description: p.decl.Description, Interpretation: p.decl.Interpretation,
		}
		for _, v := range p.values {
			pi.Values = append(pi.Values, models.DatedValue{From: v.from, Value: v.raw})
		}
		info.Parameters = append(info.Parameters, pi)
	}
	if r.payout != nil {
		info.Payout = &models.PayoutDeclInfo{Payer: r.payout.payer}
		if r.payout.items != nil {
			info.Payout.Items = r.payout.items.src
		}
	}
	if r.ledger != nil {
		info.CreditLedger = &models.CreditLedgerInfo{
			Allocation: allocationParam, Definitions: defInfos(r.ledger.defs),
			Conditions: condInfos(r.ledger.conds), Generated: r.ledger.generated.src, Reversed: r.ledger.reversed.src,
		}
	}
	return info
}

func defInfos(defs []definition) []models.DefinitionInfo {
	out := []models.DefinitionInfo{}
	for _, d := range defs {
		out = append(out, models.DefinitionInfo{Name: d.name, Expr: d.src})
	}
	return out
}

func condInfos(conds []condition) []models.ConditionInfo {
	out := []models.ConditionInfo{}
	for _, c := range conds {
		ci := models.ConditionInfo{ID: c.id, Expr: c.src, Message: c.message}
		if c.applies != nil {
			ci.AppliesIf = c.applies.src
		}
		out = append(out, ci)
	}
	return out
}

// describe is the rule's info with the parameter values in force on asOf.
func (r *rule) describe(asOf models.Date) models.RuleInfo {
	info := r.info
	info.Parameters = slices.Clone(info.Parameters)
	for i, p := range r.params {
		if j := inForceAt(p.values, asOf); j >= 0 {
			info.Parameters[i].InForce = p.values[j].raw
		}
	}
	return info
}
