package app

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/wenzhou-subsidy/subsidy/engine"
	"github.com/wenzhou-subsidy/subsidy/models"
)

// Forecasts (资金测算): what a payout run would record now, without
// recording it, under the shipped rules (the baseline) and, with overrides,
// under a reform beside it — the registry screened as a run screens it,
// with what is already recorded subtracted as a run would. The donation
// match of a grant year is computed from the donations of the year before,
// so a forecast made during that year is the figure the budget of the next
// (下一年度部门预算安排配比经费) needs. Beside the payouts, a forecast sums the
// revenue forgone through the surcharge credit (税式支出) in the grant year.

// Forecast is the answer of a forecast.
type Forecast struct {
	AsOf      models.Date                `json:"as_of"`
	GrantYear int                        `json:"grant_year"`
	Rules     []string                   `json:"rules"`
	Ruleset   models.Ruleset             `json:"ruleset"`
	Overrides map[string]json.RawMessage `json:"overrides,omitempty"`
	Baseline  ForecastFigures            `json:"baseline"`
	Reform    *ForecastFigures           `json:"reform,omitempty"`
	Changes   *ForecastChanges           `json:"changes,omitempty"`
}

// ForecastFigures are the totals of one scenario.
type ForecastFigures struct {
	// Total is what a run would record; Subjects counts the subjects with
	// an amount above zero.
	Total    models.Money  `json:"total"`
	Subjects int           `json:"subjects"`
	ByRule   []RuleFigure  `json:"by_rule"`
	ByPayer  []PayerFigure `json:"by_payer"`
	Credit   CreditFigure  `json:"credit"`
	// Skipped counts the evaluations the rules refused for a registered
	// subject's facts (as a run would skip them): a subject once per rule.
	Skipped int `json:"skipped"`
}

// RuleFigure is one rule's part of a scenario: every rule asked for, in
// the order asked.
type RuleFigure struct {
	Rule     string       `json:"rule"`
	Total    models.Money `json:"total"`
	Subjects int          `json:"subjects"`
}

// PayerFigure is one payer's part of a scenario: the payers with an
// amount due, in code order.
type PayerFigure struct {
	Payer    models.Payer `json:"payer"`
	Total    models.Money `json:"total"`
	Subjects int          `json:"subjects"`
}

// CreditFigure is the surcharge credit of the grant year over the
// registered enterprises: the sums of their ledger rows for the year
// (an enterprise without a credit year recorded for it has no row and adds
// nothing). Offset is the revenue forgone; Enterprises counts those whose
// offset is above zero.
type CreditFigure struct {
	Year            int          `json:"year"`
	Offset          models.Money `json:"offset"`
	OffsetEducation models.Money `json:"offset_education"`
	OffsetLocal     models.Money `json:"offset_local"`
	CarryOut        models.Money `json:"carry_out"`
	Enterprises     int          `json:"enterprises"`
}

// ForecastChanges compare the reform with the baseline: Difference is the
// reform's total less the baseline's; among the subjects with an amount
// above zero in either, Gainers get more under the reform, Losers less.
type ForecastChanges struct {
	Difference models.Money `json:"difference"`
	Gainers    int          `json:"gainers"`
	Losers     int          `json:"losers"`
	Unchanged  int          `json:"unchanged"`
}

// dueKey is what a forecast sums amounts by.
type dueKey struct {
	rule, subject string
	payer         models.Payer
}

// scenario is what one scenario found so far; the evaluating stage adds
// the credit and the skipped subjects, the third stage the amounts due.
type scenario struct {
	overrides *engine.Overrides // nil for the baseline
	due       map[dueKey]models.Money
	credit    CreditFigure
	skipped   int
}

// Forecast screens the registry as a payout run with the same as_of, rules
// and grant_year would, and returns what it would record now, under the
// shipped rules and, when the request has overrides, under them too.
// Nothing is written.
func (s *Service) Forecast(ctx context.Context, req models.ForecastRequest) (Forecast, error) {
	f, _, err := s.forecast(ctx, req)
	return f, err
}

// forecast is Forecast with the scenarios behind it: the baseline and, with
// overrides, the reform.
func (s *Service) forecast(ctx context.Context, req models.ForecastRequest) (Forecast, []*scenario, error) {
	// The request's field checks (a transport that decoded it ran them
	// already), the screening's and the overrides', all reported at once.
	fields := s.input.Validator().Check(&req)
	var bad *models.Error
	if errors.As(s.input.Screening(&req.AsOf, &req.GrantYear, &req.Rules, s.Today(), true), &bad) {
		fields = append(fields, bad.Fields...)
	}
	overrides, ofields := s.engine.ParseOverrides(req.Overrides)
	if fields = append(fields, ofields...); len(fields) > 0 {
		return Forecast{}, nil, models.InvalidInput(fields...)
	}
	grantYear := *req.GrantYear
	scenarios := []*scenario{{due: map[dueKey]models.Money{}, credit: CreditFigure{Year: grantYear}}}
	if len(req.Overrides) > 0 {
		scenarios = append(scenarios, &scenario{overrides: overrides, due: map[dueKey]models.Money{}, credit: CreditFigure{Year: grantYear}})
	}

	// The credit is read from the enterprises' pass, with the grant rules.
	passes := s.passesOf(append(slices.Clone(req.Rules), models.RuleSurchargeCredit))
	evaluate := func(bt *runBatch) error {
		for _, subj := range bt.subjects {
			for _, rule := range bt.rules {
				// The baseline's result stands for the reform's when the
				// overrides leave the rule as it is.
				var base subjectResult
				for i, sc := range scenarios {
					res := base
					if i == 0 || sc.overrides.Touches(rule) {
						var err error
						if res, err = s.evaluateFor(sc, rule, subj, req.AsOf, grantYear); err != nil {
							return err
						}
					}
					if i == 0 {
						base = res
						bt.cands = append(bt.cands, res.cands...)
					} else {
						bt.reform = append(bt.reform, res.cands...)
					}
					sc.add(res)
				}
			}
		}
		return nil
	}
	take := func(bt runBatch) error {
		for i, cands := range [][]models.PayoutCandidate{bt.cands, bt.reform}[:len(scenarios)] {
			if len(cands) == 0 {
				continue
			}
			due, err := s.store.PayoutsDue(ctx, cands)
			if err != nil {
				return err
			}
			for j, c := range cands {
				if due[j].IsPositive() {
					k := dueKey{rule: c.Rule, subject: c.Subject, payer: c.Payer}
					scenarios[i].due[k] = scenarios[i].due[k].Add(due[j])
				}
			}
		}
		return nil
	}
	if err := s.pipeline(ctx, passes, grantYear, evaluate, take); err != nil {
		return Forecast{}, nil, err
	}

	out := Forecast{
		AsOf: req.AsOf, GrantYear: grantYear, Rules: req.Rules, Ruleset: s.engine.Ruleset(), Overrides: overrides.Canonical(),
		Baseline: scenarios[0].figures(req.Rules),
	}
	if len(scenarios) > 1 {
		reform := scenarios[1].figures(req.Rules)
		out.Reform, out.Changes = &reform, changes(scenarios[0], scenarios[1])
	}
	return out, scenarios, nil
}

// subjectResult is what one rule finds for one subject in a scenario:
// the candidates of a grant rule, or the credit ledger row of the grant
// year; skipped when the rules refused the subject's facts.
type subjectResult struct {
	cands   []models.PayoutCandidate
	row     *models.LedgerRow
	skipped bool
}

// evaluateFor evaluates one rule on one subject under a scenario's rules.
// For the surcharge credit, only an enterprise with a credit year recorded
// for year has a row of that year: the others are not evaluated.
func (s *Service) evaluateFor(sc *scenario, rule string, subj models.Subject, asOf models.Date, year int) (subjectResult, error) {
	if rule != models.RuleSurchargeCredit {
		cands, skip, err := s.candidates(rule, asOf, sc.overrides, subj, false)
		if err != nil {
			return subjectResult{}, fmt.Errorf("rule %s: %w", rule, err)
		}
		return subjectResult{cands: cands, skipped: skip != nil}, nil
	}
	e := subj.Enterprise
	if !slices.ContainsFunc(e.CreditYears, func(y models.CreditYear) bool { return y.Year == year }) {
		return subjectResult{}, nil
	}
	resp, err := s.engine.EvaluateUnder(models.EvaluateRequest{
		AsOf: asOf, Rules: []string{models.RuleSurchargeCredit}, Subject: subj,
	}, sc.overrides, models.LangZh)
	if models.CodeOf(err) == models.CodeInvalid {
		return subjectResult{skipped: true}, nil
	}
	if err != nil {
		return subjectResult{}, fmt.Errorf("credit ledger of %s: %w", e.CreditCode, err)
	}
	for i, row := range resp.Results[0].Ledger {
		if row.Year == year {
			return subjectResult{row: &resp.Results[0].Ledger[i]}, nil
		}
	}
	return subjectResult{}, nil
}

// add counts a subject's result in the scenario: its skip and its credit
// row (the amounts due are added once the store says what is due).
func (sc *scenario) add(r subjectResult) {
	if r.skipped {
		sc.skipped++
	}
	if row := r.row; row != nil {
		c := &sc.credit
		c.Offset = c.Offset.Add(row.Offset)
		c.OffsetEducation = c.OffsetEducation.Add(row.OffsetEducation)
		c.OffsetLocal = c.OffsetLocal.Add(row.OffsetLocal)
		c.CarryOut = c.CarryOut.Add(row.CarryOut)
		if row.Offset.IsPositive() {
			c.Enterprises++
		}
	}
}

// figures sums a scenario by rule (every rule of rules, in order) and by
// payer (those with an amount due, in code order).
func (sc *scenario) figures(rules []string) ForecastFigures {
	f := ForecastFigures{Credit: sc.credit, Skipped: sc.skipped, ByRule: make([]RuleFigure, len(rules)), ByPayer: []PayerFigure{}}
	for i, r := range rules {
		f.ByRule[i].Rule = r
	}
	subjects := map[string]bool{}
	type ruleSubject struct{ rule, subject string }
	byRule := map[ruleSubject]bool{}
	byPayer := map[models.Payer]*PayerFigure{}
	payerSubjects := map[string]bool{}
	for k, amount := range sc.due {
		f.Total = f.Total.Add(amount)
		subjects[k.subject] = true
		if i := slices.Index(rules, k.rule); i >= 0 {
			f.ByRule[i].Total = f.ByRule[i].Total.Add(amount)
			if !byRule[ruleSubject{k.rule, k.subject}] {
				byRule[ruleSubject{k.rule, k.subject}] = true
				f.ByRule[i].Subjects++
			}
		}
		p := byPayer[k.payer]
		if p == nil {
			p = &PayerFigure{Payer: k.payer}
			byPayer[k.payer] = p
		}
		p.Total = p.Total.Add(amount)
		if key := k.payer.Code + "\x00" + k.subject; !payerSubjects[key] {
			payerSubjects[key] = true
			p.Subjects++
		}
	}
	f.Subjects = len(subjects)
	for _, payer := range slices.SortedFunc(maps.Keys(byPayer), func(a, b models.Payer) int { return strings.Compare(a.Code, b.Code) }) {
		f.ByPayer = append(f.ByPayer, *byPayer[payer])
	}
	return f
}

// bySubject totals a scenario's amounts per subject.
func (sc *scenario) bySubject() map[string]models.Money {
	out := map[string]models.Money{}
	for k, amount := range sc.due {
		out[k.subject] = out[k.subject].Add(amount)
	}
	return out
}

// changes compares the reform with the baseline, subject by subject.
func changes(baseline, reform *scenario) *ForecastChanges {
	before, after := baseline.bySubject(), reform.bySubject()
	var c ForecastChanges
	seen := map[string]bool{}
	for _, amounts := range []map[string]models.Money{before, after} {
		for subject := range amounts {
			if seen[subject] {
				continue
			}
			seen[subject] = true
			switch cmp.Compare(after[subject].Fen(), before[subject].Fen()) {
			case 1:
				c.Gainers++
			case -1:
				c.Losers++
			default:
				c.Unchanged++
			}
			c.Difference = c.Difference.Add(after[subject]).Sub(before[subject])
		}
	}
	return &c
}
