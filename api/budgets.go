package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/wenzhou-subsidy/subsidy/input"
	"github.com/wenzhou-subsidy/subsidy/models"
)

// putBudget answers PUT /v1/budgets/{payer}/{year} {"amount"}.
func (s *Server) putBudget(c echo.Context) error {
	payer, perr := input.Payer("payer", c.Param("payer"))
	year, yerr := input.Year("year", c.Param("year"), 0)
	if err := joinInvalid(perr, yerr); err != nil {
		return err
	}
	entry := models.BudgetEntry{Payer: payer.Code, Year: year}
	if err := s.decodeBody(c, &entry); err != nil {
		return err
	}
	b, created, err := s.app.PutBudget(c.Request().Context(), actorOf(c), entry)
	if err != nil {
		return err
	}
	return respond(c, putStatus(created), b)
}

// listBudgets answers GET /v1/budgets?year=: the budgets of a grant year
// (every year without one), with what each has committed.
func (s *Server) listBudgets(c echo.Context) error {
	year, err := input.Year("year", c.QueryParam("year"), 0)
	if err != nil {
		return err
	}
	list, err := s.app.Budgets(c.Request().Context(), year)
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, map[string]any{"budgets": list})
}
