package app

import (
	"context"
	"fmt"
	"slices"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// Evaluate evaluates a checked request (POST /v1/evaluate): nothing is
// stored. Bad input the engine finds is CodeInvalid.
func (s *Service) Evaluate(req models.EvaluateRequest, lang string) (models.EvaluateResponse, error) {
	resp, err := s.engine.Evaluate(req, lang)
	for _, r := range resp.Results {
		s.metrics.Evaluated(r.Rule, r.Eligible)
	}
	return resp, err
}

// Catalogue lists the loaded rules with the values in force on asOf.
func (s *Service) Catalogue(asOf models.Date) models.Catalogue { return s.engine.Catalogue(asOf) }

// RuleAnswer is one rule of the catalogue.
type RuleAnswer struct {
	Ruleset models.Ruleset  `json:"ruleset"`
	AsOf    models.Date     `json:"as_of"`
	Rule    models.RuleInfo `json:"rule"`
}

// Rule describes one loaded rule with the values in force on asOf.
func (s *Service) Rule(id string, asOf models.Date) (RuleAnswer, error) {
	info, ok := s.engine.Rule(id, asOf)
	if !ok {
		return RuleAnswer{}, models.RuleNotFound(id)
	}
	return RuleAnswer{Ruleset: s.engine.Ruleset(), AsOf: asOf, Rule: info}, nil
}

// SubjectEvaluation is a registered subject's evaluation that does not
// contradict its payouts: each result lists the payouts recorded for the
// rule (in any status: a rejected one counts as received, as payout runs
// count it) and what a payout run would still record.
type SubjectEvaluation struct {
	AsOf    models.Date     `json:"as_of"`
	Ruleset models.Ruleset  `json:"ruleset"`
	Results []SubjectResult `json:"results"`
}

// SubjectResult is one rule's result for a registered subject.
type SubjectResult struct {
	models.RuleResult
	// Recorded lists the payouts recorded for the rule (for the donation
	// match, for the grant year asked), with their status and, when
	// rejected, the reason; absent for a rule that does not pay out.
	Recorded []RecordedPayout `json:"recorded,omitempty"`
	// Due is what a payout run would record now: the amount less what is
	// recorded; absent for a rule that does not pay out.
	Due *models.Money `json:"due,omitempty"`
}

// RecordedPayout is a payout as its subject sees it in its evaluation.
type RecordedPayout struct {
	ID        int64        `json:"id"`
	Level     string       `json:"level,omitempty"`
	GrantYear int          `json:"grant_year,omitempty"`
	Amount    models.Money `json:"amount"`
	Status    string       `json:"status"`
	Reason    string       `json:"reason,omitempty"`
}

// EnterpriseEvaluation evaluates every enterprise rule on a registered
// enterprise's recorded facts, as of asOf: what the enterprise, or an
// officer, sees. The grants recorded for it count as received.
func (s *Service) EnterpriseEvaluation(ctx context.Context, actor models.Actor, code string, asOf models.Date, lang string) (SubjectEvaluation, error) {
	if err := canRead(actor, models.KindEnterprise, code); err != nil {
		return SubjectEvaluation{}, err
	}
	facts, err := s.store.EnterpriseFacts(ctx, code)
	if err != nil {
		return SubjectEvaluation{}, err
	}
	resp, err := s.engine.Evaluate(models.EvaluateRequest{AsOf: asOf, Subject: models.Subject{Enterprise: &facts}}, lang)
	if err != nil {
		return SubjectEvaluation{}, fmt.Errorf("evaluate %s: %w", code, err)
	}
	// The grant's amount already leaves out the levels recorded (they are
	// its grants received): what is due is the amount.
	return s.withPayouts(ctx, code, 0, resp, func(r models.RuleResult, _ models.Money) models.Money { return r.Amount })
}

// UniversityEvaluation evaluates the university rules on a registered
// university's recorded donations for grantYear, as of asOf. The match
// recorded for the grant year counts as received.
func (s *Service) UniversityEvaluation(ctx context.Context, actor models.Actor, code string, asOf models.Date, grantYear int, lang string) (SubjectEvaluation, error) {
	if err := canRead(actor, models.KindUniversity, code); err != nil {
		return SubjectEvaluation{}, err
	}
	facts, err := s.store.UniversityFacts(ctx, code)
	if err != nil {
		return SubjectEvaluation{}, err
	}
	facts.GrantYear = grantYear
	resp, err := s.engine.Evaluate(models.EvaluateRequest{AsOf: asOf, Subject: models.Subject{University: &facts}}, lang)
	if err != nil {
		return SubjectEvaluation{}, fmt.Errorf("evaluate %s: %w", code, err)
	}
	// The match is the whole amount the rule allows for the grant year; a
	// run records only what exceeds what is recorded.
	return s.withPayouts(ctx, code, grantYear, resp, func(r models.RuleResult, recorded models.Money) models.Money {
		return models.MaxOf(r.Amount.Sub(recorded), models.Money{})
	})
}

// withPayouts adds to each result of a rule that pays out the payouts
// recorded for the subject (for grantYear, when it is set) and what is
// still due.
func (s *Service) withPayouts(ctx context.Context, subject string, grantYear int, resp models.EvaluateResponse,
	due func(r models.RuleResult, recorded models.Money) models.Money) (SubjectEvaluation, error) {
	payouts, err := s.store.ListPayouts(ctx, models.PayoutFilter{Subject: subject})
	if err != nil {
		return SubjectEvaluation{}, err
	}
	out := SubjectEvaluation{AsOf: resp.AsOf, Ruleset: resp.Ruleset, Results: make([]SubjectResult, len(resp.Results))}
	paying := s.engine.PayoutRules()
	for i, r := range resp.Results {
		out.Results[i].RuleResult = r
		if !slices.Contains(paying, r.Rule) {
			continue
		}
		var recorded models.Money
		out.Results[i].Recorded = []RecordedPayout{}
		for _, p := range payouts {
			if p.Rule != r.Rule || (grantYear != 0 && p.GrantYear != grantYear) {
				continue
			}
			recorded = recorded.Add(p.Amount)
			out.Results[i].Recorded = append(out.Results[i].Recorded, RecordedPayout{
				ID: p.ID, Level: p.Level, GrantYear: p.GrantYear, Amount: p.Amount, Status: p.Status, Reason: p.Reason,
			})
		}
		d := due(r, recorded)
		out.Results[i].Due = &d
	}
	return out, nil
}
