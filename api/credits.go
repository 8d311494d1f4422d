package api

import (
	"context"
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// ledgerAnswer is the answer of GET /v1/enterprises/{code}/credit-ledger.
type ledgerAnswer struct {
	CreditCode string                   `json:"credit_code"`
	AsOf       models.Date              `json:"as_of"`
	Ruleset    models.Ruleset           `json:"ruleset"`
	Eligible   bool                     `json:"eligible"`
	Amount     models.Money             `json:"amount"`
	Conditions []models.ConditionResult `json:"conditions"`
	Ledger     []models.LedgerRow       `json:"ledger"`
}

// creditLedger answers GET /v1/enterprises/{credit_code}/credit-ledger: the
// ledger over every stored year, computed by the shipped rules, as of
// ?as_of (default today).
func (s *Server) creditLedger(c echo.Context) error {
	rec, err := s.ownEnterprise(c)
	if err != nil {
		return err
	}
	code := rec.CreditCode
	asOf, err := s.asOfParam(c)
	if err != nil {
		return err
	}
	res, ruleset, err := s.creditResult(c.Request().Context(), code, asOf, langOf(c))
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, ledgerAnswer{
		CreditCode: code, AsOf: asOf, Ruleset: ruleset, Eligible: res.Eligible,
		Amount: res.Amount, Conditions: res.Conditions, Ledger: res.Ledger,
	})
}

// creditResult evaluates the surcharge credit over an enterprise's stored
// years (and its registered parent's certifications).
func (s *Server) creditResult(ctx context.Context, code string, asOf models.Date, lang string) (models.RuleResult, models.Ruleset, error) {
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

type verificationBody struct {
	CreditCode    string       `json:"credit_code" validate:"creditcode"`
	Year          int          `json:"year" validate:"year"`
	ClaimedOffset models.Money `json:"claimed_offset"`
	AsOf          models.Date  `json:"as_of,omitempty"`
}

// verifyCredit answers POST /v1/credit-verifications: the offset an
// enterprise claimed for a year against the offset the ledger allows,
// recorded with its verdict.
func (s *Server) verifyCredit(c echo.Context) error {
	var b verificationBody
	if err := s.decodeBody(c, &b); err != nil {
		return err
	}
	if b.AsOf.IsZero() {
		b.AsOf = s.today()
	}
	ctx := c.Request().Context()
	res, ruleset, err := s.creditResult(ctx, b.CreditCode, b.AsOf, langOf(c))
	if err != nil {
		return err
	}
	var row *models.LedgerRow
	for i := range res.Ledger {
		if res.Ledger[i].Year == b.Year {
			row = &res.Ledger[i]
		}
	}
	if row == nil {
		return models.Errorf(models.CodeNotFound, "企业 %s 未登记 %d 年度的抵免数据", "no credit year %[2]d is recorded for enterprise %[1]s", b.CreditCode, b.Year)
	}
	v := models.CreditVerification{
		CreditCode: b.CreditCode, Year: b.Year, ClaimedOffset: b.ClaimedOffset, AllowedOffset: row.Offset,
		LedgerRow: *row, AsOf: b.AsOf, RulesetVersion: ruleset.Version, RulesetDigest: ruleset.Digest,
		KeyID: actorOf(c).KeyID,
	}
	switch c := b.ClaimedOffset.Cmp(row.Offset); {
	case c == 0:
		v.Verdict = models.VerdictMatch
	case c > 0:
		v.Verdict, v.Difference = models.VerdictOverClaimed, b.ClaimedOffset.Sub(row.Offset)
	default:
		v.Verdict, v.Difference = models.VerdictUnderClaimed, row.Offset.Sub(b.ClaimedOffset)
	}
	rec, err := s.store.RecordVerification(ctx, actorOf(c), v)
	if err != nil {
		return err
	}
	return respond(c, http.StatusCreated, rec)
}

// listVerifications answers GET /v1/enterprises/{credit_code}/credit-verifications.
func (s *Server) listVerifications(c echo.Context) error {
	code, err := creditCodeParam(c)
	if err != nil {
		return err
	}
	list, err := s.store.ListVerifications(c.Request().Context(), code)
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, map[string]any{"verifications": nonNil(list)})
}

// listAudit answers GET /v1/audit?entity=&entity_id=&key_id=&after=&limit= (admin).
func (s *Server) listAudit(c echo.Context) error {
	limit, err := limitParam(c)
	if err != nil {
		return err
	}
	after, err := afterParam(c)
	if err != nil {
		return err
	}
	list, err := s.store.ListAudit(c.Request().Context(), models.AuditFilter{
		Entity: c.QueryParam("entity"), EntityID: c.QueryParam("entity_id"), KeyID: c.QueryParam("key_id"),
		AfterID: after, Limit: limit,
	})
	if err != nil {
		return err
	}
	var next int64
	if len(list) == limit {
		next = list[len(list)-1].ID
	}
	return respond(c, http.StatusOK, map[string]any{"entries": nonNil(list), "next_after": next})
}

// enterpriseEvaluation answers GET /v1/enterprises/{credit_code}/evaluation:
// every enterprise rule evaluated on the registered facts, as of ?as_of —
// what an enterprise checking its eligibility, or an officer, sees.
func (s *Server) enterpriseEvaluation(c echo.Context) error {
	rec, err := s.ownEnterprise(c)
	if err != nil {
		return err
	}
	asOf, err := s.asOfParam(c)
	if err != nil {
		return err
	}
	facts, err := s.store.EnterpriseFacts(c.Request().Context(), rec.CreditCode)
	if err != nil {
		return err
	}
	resp, err := s.engine.Evaluate(models.EvaluateRequest{AsOf: asOf, Subject: models.Subject{Enterprise: &facts}}, langOf(c))
	if err != nil {
		return fmt.Errorf("evaluate %s: %w", rec.CreditCode, err)
	}
	return respond(c, http.StatusOK, resp)
}

// universityEvaluation answers GET /v1/universities/{code}/evaluation: the
// university rules on the registered donations, for ?grant_year (default
// the year of ?as_of).
func (s *Server) universityEvaluation(c echo.Context) error {
	rec, err := s.ownUniversity(c)
	if err != nil {
		return err
	}
	asOf, err := s.asOfParam(c)
	if err != nil {
		return err
	}
	grantYear := asOf.Year()
	if text := c.QueryParam("grant_year"); text != "" {
		if grantYear, err = strconv.Atoi(text); err != nil || grantYear < 2000 || grantYear > 2100 {
			return models.InvalidInput(models.Field("grant_year", "year"))
		}
	}
	facts, err := s.store.UniversityFacts(c.Request().Context(), rec.Code)
	if err != nil {
		return err
	}
	facts.GrantYear = grantYear
	resp, err := s.engine.Evaluate(models.EvaluateRequest{AsOf: asOf, Subject: models.Subject{University: &facts}}, langOf(c))
	if err != nil {
		return fmt.Errorf("evaluate %s: %w", rec.Code, err)
	}
	return respond(c, http.StatusOK, resp)
}
