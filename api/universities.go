package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/wenzhou-subsidy/subsidy/input"
	"github.com/wenzhou-subsidy/subsidy/models"
)

// putUniversity answers PUT /v1/universities/{code}.
func (s *Server) putUniversity(c echo.Context) error {
	code, err := universityCodeParam(c)
	if err != nil {
		return err
	}
	entry := models.UniversityEntry{Code: code}
	if err := s.decodeBody(c, &entry); err != nil {
		return err
	}
	rec, created, err := s.app.PutUniversity(c.Request().Context(), actorOf(c), entry)
	if err != nil {
		return err
	}
	return respond(c, putStatus(created), rec)
}

// getUniversity answers GET /v1/universities/{code} with its donations.
func (s *Server) getUniversity(c echo.Context) error {
	code, err := universityCodeParam(c)
	if err != nil {
		return err
	}
	view, err := s.app.UniversityView(c.Request().Context(), actorOf(c), code)
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, view)
}

// listUniversities answers GET /v1/universities?after=&limit=.
func (s *Server) listUniversities(c echo.Context) error {
	limit, err := input.Limit(c.QueryParam("limit"))
	if err != nil {
		return err
	}
	list, err := s.app.ListUniversities(c.Request().Context(), c.QueryParam("after"), limit)
	if err != nil {
		return err
	}
	next := nextAfter(list, limit, func(u models.UniversityRecord) string { return u.Code })
	return respond(c, http.StatusOK, map[string]any{"universities": list, "next_after": next})
}

// addDonation answers POST /v1/universities/{code}/donations.
func (s *Server) addDonation(c echo.Context) error {
	code, err := universityCodeParam(c)
	if err != nil {
		return err
	}
	var d models.DonationEntry
	if err := s.decodeBody(c, &d); err != nil {
		return err
	}
	rec, err := s.app.AddDonation(c.Request().Context(), actorOf(c), code, d)
	if err != nil {
		return err
	}
	return respond(c, http.StatusCreated, rec)
}

// putDonation answers PUT /v1/universities/{code}/donations/{id}: an
// audited correction, such as the arrival date of a pledge.
func (s *Server) putDonation(c echo.Context) error {
	code, err := universityCodeParam(c)
	if err != nil {
		return err
	}
	id, err := idParam(c)
	if err != nil {
		return err
	}
	var d models.DonationEntry
	if err := s.decodeBody(c, &d); err != nil {
		return err
	}
	rec, err := s.app.UpdateDonation(c.Request().Context(), actorOf(c), code, id, d)
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, rec)
}

// listDonations answers GET /v1/universities/{code}/donations.
func (s *Server) listDonations(c echo.Context) error {
	code, err := universityCodeParam(c)
	if err != nil {
		return err
	}
	list, err := s.app.Donations(c.Request().Context(), actorOf(c), code)
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, map[string]any{"donations": list})
}

// universityEvaluation answers GET /v1/universities/{code}/evaluation: the
// university rules on the registered donations, for ?grant_year (default
// the year of ?as_of).
func (s *Server) universityEvaluation(c echo.Context) error {
	code, err := universityCodeParam(c)
	if err != nil {
		return err
	}
	asOf, err := s.asOfParam(c)
	if err != nil {
		return err
	}
	grantYear, err := input.Year("grant_year", c.QueryParam("grant_year"), asOf.Year())
	if err != nil {
		return err
	}
	resp, err := s.app.UniversityEvaluation(c.Request().Context(), actorOf(c), code, asOf, grantYear, langOf(c))
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, resp)
}
