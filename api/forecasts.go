package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// createForecast answers POST /v1/forecasts: what a payout run would
// record now, without recording it, under the shipped rules and, with
// overrides, under the reform. It writes nothing, so it is not audited.
func (s *Server) createForecast(c echo.Context) error {
	var req models.ForecastRequest
	if err := s.decodeBody(c, &req); err != nil {
		return err
	}
	f, err := s.app.Forecast(c.Request().Context(), req)
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, f)
}
