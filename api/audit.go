package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/wenzhou-subsidy/subsidy/models"
)

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
