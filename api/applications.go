package api

import (
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/wenzhou-subsidy/subsidy/input"
	"github.com/wenzhou-subsidy/subsidy/models"
)

// Applications (申报): subjects submit facts and evidence, finance reviews.
// An application's answer carries its version as its ETag; a reviewer or a
// correcting subject who sends it back as If-Match never changes a version
// it did not see (409).

// respondApplication answers with an application and its ETag.
func respondApplication(c echo.Context, status int, a models.Application) error {
	c.Response().Header().Set("ETag", strconv.Quote(strconv.Itoa(a.Version)))
	return respond(c, status, a)
}

// ifMatch reads the version the client saw, from If-Match (0: any).
func ifMatch(c echo.Context) (int, error) {
	return input.IfMatch(c.Request().Header.Get("If-Match"))
}

// submitApplication answers POST /v1/applications.
func (s *Server) submitApplication(c echo.Context) error {
	var e models.ApplicationEntry
	if err := s.decodeBody(c, &e); err != nil {
		return err
	}
	a, err := s.app.SubmitApplication(c.Request().Context(), actorOf(c), e)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, fmt.Sprintf("/v1/applications/%d", a.ID))
	return respondApplication(c, http.StatusCreated, a)
}

// listApplications answers GET /v1/applications?status=&rule=&subject=&after=&limit=:
// the review queue (finance, admin), or a subject's own applications.
func (s *Server) listApplications(c echo.Context) error {
	limit, after, err := pageParams(c)
	if err != nil {
		return err
	}
	status, err := input.OneOf("status", c.QueryParam("status"), models.ApplicationStatuses)
	if err != nil {
		return err
	}
	rule, err := input.OneOf("rule", c.QueryParam("rule"), models.ApplicationRules)
	if err != nil {
		return err
	}
	f := models.ApplicationFilter{Status: status, Rule: rule, Subject: c.QueryParam("subject"), AfterID: after, Limit: limit}
	list, err := s.app.Applications(c.Request().Context(), actorOf(c), f)
	if err != nil {
		return err
	}
	next := nextAfter(list, limit, func(a models.Application) int64 { return a.ID })
	return respond(c, http.StatusOK, map[string]any{"applications": list, "next_after": next})
}

// getApplication answers GET /v1/applications/{id}.
func (s *Server) getApplication(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	a, err := s.app.Application(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	return respondApplication(c, http.StatusOK, a)
}

// correctApplication answers PUT /v1/applications/{id}: a returned
// application, corrected, is submitted again.
func (s *Server) correctApplication(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	version, err := ifMatch(c)
	if err != nil {
		return err
	}
	var e models.ApplicationEntry
	if err := s.decodeBody(c, &e); err != nil {
		return err
	}
	a, err := s.app.CorrectApplication(c.Request().Context(), actorOf(c), id, version, e)
	if err != nil {
		return err
	}
	return respondApplication(c, http.StatusOK, a)
}

// acceptApplication answers POST /v1/applications/{id}/accept.
func (s *Server) acceptApplication(c echo.Context) error {
	id, err := s.emptyBodyWithID(c)
	if err != nil {
		return err
	}
	version, err := ifMatch(c)
	if err != nil {
		return err
	}
	a, err := s.app.AcceptApplication(c.Request().Context(), actorOf(c), id, version)
	if err != nil {
		return err
	}
	return respondApplication(c, http.StatusOK, a)
}

// returnApplication answers POST /v1/applications/{id}/return {"reason"}.
func (s *Server) returnApplication(c echo.Context) error {
	id, version, r, err := s.reviewWithReason(c)
	if err != nil {
		return err
	}
	a, err := s.app.ReturnApplication(c.Request().Context(), actorOf(c), id, version, r)
	if err != nil {
		return err
	}
	return respondApplication(c, http.StatusOK, a)
}

// rejectApplication answers POST /v1/applications/{id}/reject {"reason"}.
func (s *Server) rejectApplication(c echo.Context) error {
	id, version, r, err := s.reviewWithReason(c)
	if err != nil {
		return err
	}
	a, err := s.app.RejectApplication(c.Request().Context(), actorOf(c), id, version, r)
	if err != nil {
		return err
	}
	return respondApplication(c, http.StatusOK, a)
}

// reviewWithReason reads the id, If-Match and reason of a return or a
// rejection.
func (s *Server) reviewWithReason(c echo.Context) (id int64, version int, r models.ReasonEntry, err error) {
	if id, err = idParam(c); err != nil {
		return
	}
	if version, err = ifMatch(c); err != nil {
		return
	}
	err = s.decodeBody(c, &r)
	return
}

// addAttachment answers POST /v1/applications/{id}/attachments?name=: the
// body is the file, of its Content-Type, at most 5 MiB.
func (s *Server) addAttachment(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	name, err := input.FileName("name", c.QueryParam("name"))
	if err != nil {
		return err
	}
	data, err := readBodyUpTo(c, models.MaxAttachmentSize)
	if err != nil {
		return err
	}
	info, err := s.app.AddAttachment(c.Request().Context(), actorOf(c), id, c.Request().Header.Get(echo.HeaderContentType), name, data)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, fmt.Sprintf("/v1/applications/%d/attachments/%d", id, info.N))
	return respond(c, http.StatusCreated, info)
}

// getAttachment answers GET /v1/applications/{id}/attachments/{n} with the
// file as it was given, to be saved rather than shown in place.
func (s *Server) getAttachment(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	n, err := input.ID("n", c.Param("n"))
	if err != nil {
		return err
	}
	att, err := s.app.Attachment(c.Request().Context(), actorOf(c), id, int(n))
	if err != nil {
		return err
	}
	name := att.Name
	if name == "" {
		ext := strings.TrimPrefix(att.ContentType, "application/")
		ext = strings.TrimPrefix(ext, "image/")
		name = fmt.Sprintf("application-%d-%d.%s", id, att.N, ext)
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentDisposition, mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	h.Set("X-Content-Type-Options", "nosniff")
	return c.Blob(http.StatusOK, att.ContentType, att.Data)
}
