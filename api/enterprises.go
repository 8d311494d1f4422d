package api

import (
	"net/http"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/wenzhou-subsidy/subsidy/input"
	"github.com/wenzhou-subsidy/subsidy/models"
)

// putStatus is 201 for a record created by PUT, 200 for one updated.
func putStatus(created bool) int {
	if created {
		return http.StatusCreated
	}
	return http.StatusOK
}

// putEnterprise answers PUT /v1/enterprises/{credit_code}.
func (s *Server) putEnterprise(c echo.Context) error {
	code, err := creditCodeParam(c)
	if err != nil {
		return err
	}
	entry := models.EnterpriseEntry{CreditCode: code}
	if err := s.decodeBody(c, &entry); err != nil {
		return err
	}
	rec, created, err := s.app.PutEnterprise(c.Request().Context(), actorOf(c), entry)
	if err != nil {
		return err
	}
	return respond(c, putStatus(created), rec)
}

// putCreditCarryIn answers PUT /v1/enterprises/{credit_code}/credit-carry-in.
func (s *Server) putCreditCarryIn(c echo.Context) error {
	code, err := creditCodeParam(c)
	if err != nil {
		return err
	}
	var entry models.CarryInEntry
	if err := s.decodeBody(c, &entry); err != nil {
		return err
	}
	rec, err := s.app.SetCreditCarryIn(c.Request().Context(), actorOf(c), code, entry)
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, rec)
}

// getEnterprise answers GET /v1/enterprises/{credit_code}.
func (s *Server) getEnterprise(c echo.Context) error {
	code, err := creditCodeParam(c)
	if err != nil {
		return err
	}
	view, err := s.app.EnterpriseView(c.Request().Context(), actorOf(c), code)
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, view)
}

// listEnterprises answers GET /v1/enterprises?region=&parent=&name=&after=&limit=.
func (s *Server) listEnterprises(c echo.Context) error {
	limit, err := input.Limit(c.QueryParam("limit"))
	if err != nil {
		return err
	}
	name := c.QueryParam("name")
	if utf8.RuneCountInString(name) > 200 { // no name is longer
		return models.InvalidInput(models.Field("name", "max_len", 200))
	}
	list, err := s.app.ListEnterprises(c.Request().Context(), actorOf(c), models.EnterpriseFilter{
		Region: c.QueryParam("region"), Parent: c.QueryParam("parent"), Name: name, AfterCode: c.QueryParam("after"), Limit: limit,
	})
	if err != nil {
		return err
	}
	next := nextAfter(list, limit, func(e models.EnterpriseRecord) string { return e.CreditCode })
	return respond(c, http.StatusOK, map[string]any{"enterprises": list, "next_after": next})
}

// addCertification answers POST /v1/enterprises/{credit_code}/certifications.
func (s *Server) addCertification(c echo.Context) error {
	code, err := creditCodeParam(c)
	if err != nil {
		return err
	}
	var cert models.Certification
	if err := s.decodeBody(c, &cert); err != nil {
		return err
	}
	rec, err := s.app.AddCertification(c.Request().Context(), actorOf(c), code, cert)
	if err != nil {
		return err
	}
	return respond(c, http.StatusCreated, rec)
}

// putCertification answers PUT /v1/enterprises/{credit_code}/certifications/{id}:
// an audited correction, such as recording a revocation.
func (s *Server) putCertification(c echo.Context) error {
	code, err := creditCodeParam(c)
	if err != nil {
		return err
	}
	id, err := idParam(c)
	if err != nil {
		return err
	}
	var cert models.Certification
	if err := s.decodeBody(c, &cert); err != nil {
		return err
	}
	rec, err := s.app.UpdateCertification(c.Request().Context(), actorOf(c), code, id, cert)
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, rec)
}

// listCertifications answers GET /v1/enterprises/{credit_code}/certifications.
func (s *Server) listCertifications(c echo.Context) error {
	code, err := creditCodeParam(c)
	if err != nil {
		return err
	}
	list, err := s.app.Certifications(c.Request().Context(), actorOf(c), code)
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, map[string]any{"certifications": list})
}

// importCertifications answers POST /v1/certifications/import: a published
// certification list as CSV; ?level= and ?certified_on= give the level and
// date of a list that names them only in its title.
func (s *Server) importCertifications(c echo.Context) error {
	body, err := s.readBody(c)
	if err != nil {
		return err
	}
	defaults := map[string]string{"level": c.QueryParam("level"), "certified_on": c.QueryParam("certified_on")}
	summary, err := s.app.ImportCertifications(c.Request().Context(), actorOf(c), body, defaults)
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, summary)
}

// putCreditYear answers PUT /v1/enterprises/{credit_code}/credit-years/{year}.
func (s *Server) putCreditYear(c echo.Context) error {
	code, err := creditCodeParam(c)
	if err != nil {
		return err
	}
	year, err := input.Year("year", c.Param("year"), 0)
	if err != nil {
		return err
	}
	entry := models.CreditYearEntry{CreditCode: code, Year: year}
	if err := s.decodeBody(c, &entry); err != nil {
		return err
	}
	rec, created, err := s.app.PutCreditYear(c.Request().Context(), actorOf(c), entry)
	if err != nil {
		return err
	}
	return respond(c, putStatus(created), rec)
}

// listCreditYears answers GET /v1/enterprises/{credit_code}/credit-years.
func (s *Server) listCreditYears(c echo.Context) error {
	code, err := creditCodeParam(c)
	if err != nil {
		return err
	}
	list, err := s.app.CreditYears(c.Request().Context(), actorOf(c), code)
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, map[string]any{"credit_years": list})
}

// creditLedger answers GET /v1/enterprises/{credit_code}/credit-ledger: the
// ledger over every stored year, computed by the shipped rules, as of
// ?as_of (default today).
func (s *Server) creditLedger(c echo.Context) error {
	code, err := creditCodeParam(c)
	if err != nil {
		return err
	}
	asOf, err := s.asOfParam(c)
	if err != nil {
		return err
	}
	ledger, err := s.app.CreditLedger(c.Request().Context(), actorOf(c), code, asOf, langOf(c))
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, ledger)
}

// enterpriseEvaluation answers GET /v1/enterprises/{credit_code}/evaluation:
// every enterprise rule evaluated on the registered facts, as of ?as_of.
func (s *Server) enterpriseEvaluation(c echo.Context) error {
	code, err := creditCodeParam(c)
	if err != nil {
		return err
	}
	asOf, err := s.asOfParam(c)
	if err != nil {
		return err
	}
	resp, err := s.app.EnterpriseEvaluation(c.Request().Context(), actorOf(c), code, asOf, langOf(c))
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, resp)
}
