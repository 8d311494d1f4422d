package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// verifyCredit answers POST /v1/credit-verifications: the offset an
// enterprise claimed for a year against the offset the ledger allows,
// recorded with its verdict.
func (s *Server) verifyCredit(c echo.Context) error {
	var claim models.CreditClaim
	if err := s.decodeBody(c, &claim); err != nil {
		return err
	}
	v, err := s.app.VerifyCredit(c.Request().Context(), actorOf(c), claim, langOf(c))
	if err != nil {
		return err
	}
	return respond(c, http.StatusCreated, v)
}

// listVerifications answers GET /v1/enterprises/{credit_code}/credit-verifications.
func (s *Server) listVerifications(c echo.Context) error {
	code, err := creditCodeParam(c)
	if err != nil {
		return err
	}
	list, err := s.app.Verifications(c.Request().Context(), code)
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, map[string]any{"verifications": list})
}

// listAudit answers GET /v1/audit?entity=&entity_id=&key_id=&after=&limit= (admin).
func (s *Server) listAudit(c echo.Context) error {
	limit, after, err := pageParams(c)
	if err != nil {
		return err
	}
	list, err := s.app.Audit(c.Request().Context(), models.AuditFilter{
		Entity: c.QueryParam("entity"), EntityID: c.QueryParam("entity_id"), KeyID: c.QueryParam("key_id"),
		AfterID: after, Limit: limit,
	})
	if err != nil {
		return err
	}
	next := nextAfter(list, limit, func(e models.AuditEntry) int64 { return e.ID })
	return respond(c, http.StatusOK, map[string]any{"entries": list, "next_after": next})
}
