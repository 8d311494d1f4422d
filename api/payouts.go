package api

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/wenzhou-subsidy/subsidy/app"
	"github.com/wenzhou-subsidy/subsidy/input"
	"github.com/wenzhou-subsidy/subsidy/models"
)

// createPayoutRun answers POST /v1/payout-runs: screen every registered
// subject with the grant rules (免申即享) and record what is due and not yet
// recorded. The run is a job of the server's: with Prefer: respond-async
// the answer is 202 at once, with the run and its Location; otherwise the
// answer comes when the run ends (201, with its Location too). A client
// that goes away does not stop the run, and the run itself stores its
// answer, headers and all, for the request's Idempotency-Key, so that a
// retry replays it.
func (s *Server) createPayoutRun(c echo.Context) error {
	var req models.PayoutRunRequest
	if err := s.decodeBody(c, &req); err != nil {
		return err
	}
	async := prefersAsync(c.Request().Header.Values("Prefer"))
	idem := idemKeyOf(c)
	var onDone func(app.RunResult, error)
	if idem != nil && !async {
		onDone = func(result app.RunResult, err error) {
			if err != nil {
				return // the run released the key
			}
			var buf bytes.Buffer
			err = encodeJSON(&buf, result)
			if err == nil {
				header := http.Header{}
				header.Set(echo.HeaderContentType, jsonContentType)
				header.Set(echo.HeaderLocation, runLocation(result.ID))
				err = s.idem.FinishIdempotent(context.Background(), idem.KeyID, idem.Key, http.StatusCreated, header, buf.Bytes())
			}
			if err != nil {
				// Released, the key lets a retry start a new run, which
				// records nothing twice.
				s.logger.Error("store the answer of a payout run", "run", result.ID, "error", err.Error())
				if err := s.idem.AbortIdempotent(context.Background(), idem.KeyID, idem.Key); err != nil {
					s.logger.Error("release the key of a payout run", "run", result.ID, "error", err.Error())
				}
			}
		}
	}
	job, err := s.app.StartRun(c.Request().Context(), actorOf(c), req, idem, onDone)
	if err != nil {
		return err
	}
	if async {
		c.Response().Header().Set(echo.HeaderLocation, runLocation(job.Run.ID))
		c.Response().Header().Set("Preference-Applied", "respond-async")
		return respond(c, http.StatusAccepted, job.Run)
	}
	if idem != nil {
		deferKey(c)
	}
	select {
	case <-job.Done():
	case <-c.Request().Context().Done():
		return c.Request().Context().Err() // the run goes on
	}
	result, err := job.Result()
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, runLocation(result.ID))
	return respond(c, http.StatusCreated, result)
}

// runLocation is the Location of a payout run.
func runLocation(id int64) string { return fmt.Sprintf("/v1/payout-runs/%d", id) }

// prefersAsync reports whether a Prefer header (RFC 7240) asks for
// respond-async.
func prefersAsync(values []string) bool {
	for _, v := range values {
		for _, pref := range strings.Split(v, ",") {
			name, _, _ := strings.Cut(strings.TrimSpace(pref), ";")
			if strings.EqualFold(strings.TrimSpace(name), "respond-async") {
				return true
			}
		}
	}
	return false
}

// listPayoutRuns answers GET /v1/payout-runs?after=&limit=: newest first.
func (s *Server) listPayoutRuns(c echo.Context) error {
	limit, after, err := pageParams(c)
	if err != nil {
		return err
	}
	list, err := s.app.Runs(c.Request().Context(), models.RunFilter{BeforeID: after, Limit: limit})
	if err != nil {
		return err
	}
	next := nextAfter(list, limit, func(r models.PayoutRun) int64 { return r.ID })
	return respond(c, http.StatusOK, map[string]any{"runs": list, "next_after": next})
}

// getPayoutRun answers GET /v1/payout-runs/{id}.
func (s *Server) getPayoutRun(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	run, err := s.app.Run(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, run)
}

// payoutFilter reads the filters of GET /v1/payouts.
func payoutFilter(c echo.Context) (models.PayoutFilter, error) {
	limit, after, err := pageParams(c)
	if err != nil {
		return models.PayoutFilter{}, err
	}
	status, err := input.OneOf("status", c.QueryParam("status"), models.PayoutStatuses)
	if err != nil {
		return models.PayoutFilter{}, err
	}
	f := models.PayoutFilter{
		Rule: c.QueryParam("rule"), Status: status, Subject: c.QueryParam("subject"),
		Payer: c.QueryParam("payer"), AfterID: after, Limit: limit,
	}
	if text := c.QueryParam("run"); text != "" {
		if f.RunID, err = input.ID("run", text); err != nil {
			return f, err
		}
	}
	return f, nil
}

// listPayouts answers GET /v1/payouts?rule=&status=&subject=&payer=&run=&after=&limit=.
func (s *Server) listPayouts(c echo.Context) error {
	f, err := payoutFilter(c)
	if err != nil {
		return err
	}
	list, err := s.app.Payouts(c.Request().Context(), actorOf(c), f)
	if err != nil {
		return err
	}
	next := nextAfter(list, f.Limit, func(p models.Payout) int64 { return p.ID })
	return respond(c, http.StatusOK, map[string]any{"payouts": list, "next_after": next})
}

// getPayout answers GET /v1/payouts/{id}, with the decision behind it.
func (s *Server) getPayout(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	p, err := s.app.Payout(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, p)
}

// approvePayout answers POST /v1/payouts/{id}/approve.
func (s *Server) approvePayout(c echo.Context) error {
	id, err := s.emptyBodyWithID(c)
	if err != nil {
		return err
	}
	p, err := s.app.Approve(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, p)
}

// rejectPayout answers POST /v1/payouts/{id}/reject {"reason"}.
func (s *Server) rejectPayout(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	var r models.ReasonEntry
	if err := s.decodeBody(c, &r); err != nil {
		return err
	}
	p, err := s.app.Reject(c.Request().Context(), actorOf(c), id, r)
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, p)
}

// markPayoutPaid answers POST /v1/payouts/{id}/paid.
func (s *Server) markPayoutPaid(c echo.Context) error {
	id, err := s.emptyBodyWithID(c)
	if err != nil {
		return err
	}
	p, err := s.app.MarkPaid(c.Request().Context(), actorOf(c), id)
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, p)
}

// exportPayouts answers GET /v1/payouts/export?payer=CODE&status=approved&format=csv|xlsx:
// the bank transfer list (of one payer, or of every payer) as CSV (UTF-8
// with a byte-order mark, the default) or as an xlsx workbook; app builds
// the table, package export writes it.
func (s *Server) exportPayouts(c echo.Context) error {
	var payer models.Payer
	var perr error
	if code := c.QueryParam("payer"); code != "" {
		payer, perr = input.Payer("payer", code)
	}
	status, serr := input.OneOf("status", c.QueryParam("status"), models.PayoutStatuses)
	format, ferr := input.OneOf("format", c.QueryParam("format"), []string{"csv", "xlsx"})
	if err := joinInvalid(perr, serr, ferr); err != nil {
		return err
	}
	if status == "" {
		status = models.PayoutApproved
	}
	table, err := s.app.TransferList(c.Request().Context(), payer.Code, status)
	if err != nil {
		return err
	}
	name := "payouts-" + status
	if payer.Code != "" {
		name = "payouts-" + payer.Code + "-" + status
	}
	if format == "xlsx" {
		body, err := table.XLSX()
		if err != nil {
			return err
		}
		c.Response().Header().Set(echo.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="%s.xlsx"`, name))
		return c.Blob(http.StatusOK, xlsxContentType, body)
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="%s.csv"`, name))
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", table.CSV())
}

// xlsxContentType is the media type of an xlsx workbook.
const xlsxContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
