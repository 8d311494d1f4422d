package app

import (
	"context"
	"fmt"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// CreditLedger is an enterprise's surcharge credit over every recorded year.
type CreditLedger struct {
	CreditCode string                   `json:"credit_code"`
	AsOf       models.Date              `json:"as_of"`
	Ruleset    models.Ruleset           `json:"ruleset"`
	Eligible   bool                     `json:"eligible"`
	Amount     models.Money             `json:"amount"`
	Conditions []models.ConditionResult `json:"conditions"`
	Ledger     []models.LedgerRow       `json:"ledger"`
}

// CreditLedger computes an enterprise's credit ledger with the shipped
// rules over every stored year (and its registered parent's certifications).
func (s *Service) CreditLedger(ctx context.Context, actor models.Actor, code string, asOf models.Date, lang string) (CreditLedger, error) {
	if err := canRead(actor, models.KindEnterprise, code); err != nil {
		return CreditLedger{}, err
	}
	res, ruleset, err := s.creditResult(ctx, code, asOf, lang)
	if err != nil {
		return CreditLedger{}, err
	}
	return CreditLedger{
		CreditCode: code, AsOf: asOf, Ruleset: ruleset, Eligible: res.Eligible,
		Amount: res.Amount, Conditions: res.Conditions, Ledger: res.Ledger,
	}, nil
}

// creditResult evaluates the surcharge credit on an enterprise's records.
func (s *Service) creditResult(ctx context.Context, code string, asOf models.Date, lang string) (models.RuleResult, models.Ruleset, error) {
	facts, err := s.store.EnterpriseFacts(ctx, code)
	if err != nil {
		return models.RuleResult{}, models.Ruleset{}, err
	}
	resp, err := s.engine.Evaluate(models.EvaluateRequest{
		AsOf: asOf, Rules: []string{models.RuleSurchargeCredit}, Subject: models.Subject{Enterprise: &facts},
	}, lang)
	if err != nil {
		return models.RuleResult{}, models.Ruleset{}, fmt.Errorf("credit ledger of %s: %w", code, err)
	}
	return resp.Results[0], resp.Ruleset, nil
}

// VerifyCredit checks the offset an enterprise claimed for a year against
// the offset its ledger allows, and records the verdict.
func (s *Service) VerifyCredit(ctx context.Context, actor models.Actor, claim models.CreditClaim, lang string) (models.CreditVerification, error) {
	if claim.AsOf.IsZero() {
		claim.AsOf = s.Today()
	}
	res, ruleset, err := s.creditResult(ctx, claim.CreditCode, claim.AsOf, lang)
	if err != nil {
		return models.CreditVerification{}, err
	}
	var row *models.LedgerRow
	for i := range res.Ledger {
		if res.Ledger[i].Year == claim.Year {
			row = &res.Ledger[i]
		}
	}
	if row == nil {
		return models.CreditVerification{}, models.NotFound("企业 %s 的 %d 年度抵免数据", "credit year %[2]d of enterprise %[1]s", claim.CreditCode, claim.Year)
	}
	v := models.CreditVerification{
		CreditCode: claim.CreditCode, Year: claim.Year, ClaimedOffset: claim.ClaimedOffset, AllowedOffset: row.Offset,
		LedgerRow: *row, AsOf: claim.AsOf, RulesetVersion: ruleset.Version, RulesetDigest: ruleset.Digest,
		KeyID: actor.KeyID,
	}
	v.Verdict, v.Difference = verdict(claim.ClaimedOffset, row.Offset)
	return s.store.RecordVerification(ctx, actor, v)
}

// verdict compares a claimed offset with the allowed one.
func verdict(claimed, allowed models.Money) (string, models.Money) {
	switch c := claimed.Cmp(allowed); {
	case c > 0:
		return models.VerdictOverClaimed, claimed.Sub(allowed)
	case c < 0:
		return models.VerdictUnderClaimed, allowed.Sub(claimed)
	}
	return models.VerdictMatch, models.Money{}
}

// Verifications lists an enterprise's credit verifications.
func (s *Service) Verifications(ctx context.Context, code string) ([]models.CreditVerification, error) {
	list, err := s.store.ListVerifications(ctx, code)
	return nonNil(list), err
}
