package api

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// evaluate answers POST /v1/evaluate.
func (s *Server) evaluate(c echo.Context) error {
	body, err := s.readBody(c)
	if err != nil {
		return err
	}
	req, err := s.input.Evaluate(body, s.today())
	if err != nil {
		return err
	}
	resp, err := s.app.Evaluate(req, langOf(c))
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, resp)
}

// listRules answers GET /v1/rules: the catalogue with the values in force
// on ?as_of (default today).
func (s *Server) listRules(c echo.Context) error {
	asOf, err := s.asOfParam(c)
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, s.app.Catalogue(asOf))
}

// getRule answers GET /v1/rules/{id}.
func (s *Server) getRule(c echo.Context) error {
	asOf, err := s.asOfParam(c)
	if err != nil {
		return err
	}
	rule, err := s.app.Rule(c.Param("id"), asOf)
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, rule)
}

// health answers GET /healthz: 200 once the server is ready, which with a
// database means the database answers too (503 otherwise).
func (s *Server) health(c echo.Context) error {
	if err := s.app.Health(c.Request().Context()); err != nil {
		return err
	}
	return respond(c, http.StatusOK, map[string]any{"status": "ok", "ruleset": s.engine.Ruleset()})
}

// openAPI serves the OpenAPI 3.1 document describing every endpoint.
func (s *Server) openAPI(c echo.Context) error {
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, s.openapi)
}
