package app

import (
	"context"
	"fmt"

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

// EnterpriseEvaluation evaluates every enterprise rule on a registered
// enterprise's recorded facts, as of asOf: what the enterprise, or an
// officer, sees.
func (s *Service) EnterpriseEvaluation(ctx context.Context, actor models.Actor, code string, asOf models.Date, lang string) (models.EvaluateResponse, error) {
	if _, err := s.Enterprise(ctx, actor, code); err != nil {
		return models.EvaluateResponse{}, err
	}
	facts, err := s.store.EnterpriseFacts(ctx, code)
	if err != nil {
		return models.EvaluateResponse{}, err
	}
	resp, err := s.engine.Evaluate(models.EvaluateRequest{AsOf: asOf, Subject: models.Subject{Enterprise: &facts}}, lang)
	if err != nil {
		return resp, fmt.Errorf("evaluate %s: %w", code, err)
	}
	return resp, nil
}

// UniversityEvaluation evaluates the university rules on a registered
// university's recorded donations for grantYear, as of asOf.
func (s *Service) UniversityEvaluation(ctx context.Context, actor models.Actor, code string, asOf models.Date, grantYear int, lang string) (models.EvaluateResponse, error) {
	if _, err := s.University(ctx, actor, code); err != nil {
		return models.EvaluateResponse{}, err
	}
	facts, err := s.store.UniversityFacts(ctx, code)
	if err != nil {
		return models.EvaluateResponse{}, err
	}
	facts.GrantYear = grantYear
	resp, err := s.engine.Evaluate(models.EvaluateRequest{AsOf: asOf, Subject: models.Subject{University: &facts}}, lang)
	if err != nil {
		return resp, fmt.Errorf("evaluate %s: %w", code, err)
	}
	return resp, nil
}
