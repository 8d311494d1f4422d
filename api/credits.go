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
