package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// evaluate answers POST /v1/evaluate (evaluate-v1.md).
func (s *Server) evaluate(c echo.Context) error {
	body, err := s.readBody(c)
	if err != nil {
		return err
	}
	req, err := s.decoder.Evaluate(body, s.today())
	if err != nil {
		return err
	}
	resp, err := s.engine.Evaluate(req, langOf(c))
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, echo.MIMEApplicationJSON, resp)
}

// listRules answers GET /v1/rules: the catalogue with values in force on
// ?as_of (default today).
func (s *Server) listRules(c echo.Context) error {
	asOf, err := s.asOfParam(c)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, echo.MIMEApplicationJSON, s.engine.Catalogue(asOf))
}

// getRule answers GET /v1/rules/{id}.
func (s *Server) getRule(c echo.Context) error {
	asOf, err := s.asOfParam(c)
	if err != nil {
		return err
	}
	info, ok := s.engine.Rule(c.Param("id"), asOf)
	if !ok {
		return models.NotFound("rule " + c.Param("id"))
	}
	return writeJSON(c, http.StatusOK, echo.MIMEApplicationJSON, ruleAnswer{Ruleset: s.engine.Ruleset(), AsOf: asOf, Rule: info})
}

type ruleAnswer struct {
	Ruleset models.Ruleset  `json:"ruleset"`
	AsOf    models.Date     `json:"as_of"`
	Rule    models.RuleInfo `json:"rule"`
}

func (s *Server) asOfParam(c echo.Context) (models.Date, error) {
	text := c.QueryParam("as_of")
	if text == "" {
		return s.today(), nil
	}
	d, err := models.ParseDate(text)
	if err != nil {
		return d, models.InvalidInput(models.Field("as_of", "date"))
	}
	return d, nil
}

// health answers GET /healthz: 200 once the server is ready, which with a
// database means the database answers too (503 otherwise).
func (s *Server) health(c echo.Context) error {
	if s.store != nil {
		if err := s.store.Ping(c.Request().Context()); err != nil {
			return &models.Error{Code: models.CodeUnavailable, Message: models.Text{Zh: "数据库暂不可用", En: "the database does not answer"}, Err: err}
		}
	}
	return writeJSON(c, http.StatusOK, echo.MIMEApplicationJSON, map[string]any{
		"status": "ok", "ruleset": s.engine.Ruleset(),
	})
}

// openAPI serves the OpenAPI 3.1 document describing every endpoint.
func (s *Server) openAPI(c echo.Context) error {
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSONCharsetUTF8, s.openapi)
}
