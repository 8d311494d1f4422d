package api

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// RequestIDHeader carries the request id: taken from the client when it is
// a sane token, generated otherwise, and always echoed in the response.
const RequestIDHeader = "X-Request-Id"

const (
	ctxRequestID = "request_id"
	ctxLang      = "lang"
)

// requestID assigns every request an id.
func requestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		id := c.Request().Header.Get(RequestIDHeader)
		if !saneID(id) {
			var b [12]byte
			_, _ = rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		c.Set(ctxRequestID, id)
		c.Response().Header().Set(RequestIDHeader, id)
		return next(c)
	}
}

func saneID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, r := range id {
		if !(r == '-' || r == '_' || r == '.' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}

// accessLog writes one structured log line per request, after the error
// handler has written any error, so the status logged is the one sent.
func (s *Server) accessLog(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		if err := next(c); err != nil {
			c.Error(err)
		}
		req, res := c.Request(), c.Response()
		s.logger.LogAttrs(req.Context(), slog.LevelInfo, "request",
			slog.String("method", req.Method),
			slog.String("path", req.URL.Path),
			slog.Int("status", res.Status),
			slog.Int64("bytes", res.Size),
			slog.Duration("latency", time.Since(start)),
			slog.String("request_id", requestIDOf(c)),
		)
		return nil
	}
}

// recoverPanic turns a panic into a logged internal error: the client gets a
// plain 500 problem without internals, the log gets the stack.
func (s *Server) recoverPanic(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			if r := recover(); r != nil {
				if r == http.ErrAbortHandler {
					panic(r)
				}
				s.logger.Error("panic", "request_id", requestIDOf(c), "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
				err = &models.Error{Code: models.CodeInternal, Err: fmt.Errorf("panic: %v", r)}
			}
		}()
		return next(c)
	}
}

// cleanQuery refuses query parameters the database could not compare: text
// that is not UTF-8 or holds a NUL.
func cleanQuery(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		var fields []models.FieldError
		for name, values := range c.QueryParams() {
			for _, v := range values {
				if !cleanText(v) || !cleanText(name) {
					fields = append(fields, models.Field(strings.ToValidUTF8(name, "\uFFFD"), "text"))
				}
			}
		}
		if len(fields) > 0 {
			return models.InvalidInput(fields...)
		}
		return next(c)
	}
}

// language picks the language of messages from Accept-Language: English
// when the client prefers it, Chinese otherwise.
func language(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Set(ctxLang, preferredLang(c.Request().Header.Get("Accept-Language")))
		return next(c)
	}
}

// preferredLang reads an Accept-Language header ("en-US,en;q=0.9,zh;q=0.8")
// and returns en or zh, whichever has the higher weight (zh on a tie).
func preferredLang(header string) string {
	best, bestQ := models.LangZh, -1.0
	for _, part := range strings.Split(header, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		primary, _, _ := strings.Cut(strings.ToLower(tag), "-")
		if (primary == models.LangEn || primary == models.LangZh) && q > bestQ {
			best, bestQ = primary, q
		}
	}
	return best
}

func langOf(c echo.Context) string {
	if l, ok := c.Get(ctxLang).(string); ok {
		return l
	}
	return models.LangZh
}

func requestIDOf(c echo.Context) string {
	id, _ := c.Get(ctxRequestID).(string)
	return id
}

// readBody reads the request body up to the server's limit; a larger body
// is a 413.
func (s *Server) readBody(c echo.Context) ([]byte, error) {
	r := c.Request()
	r.Body = http.MaxBytesReader(c.Response(), r.Body, s.bodyLimit)
	body, err := io.ReadAll(r.Body)
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return nil, models.Errorf(models.CodeTooLarge, "请求体超过 %d 字节的上限", "the body is larger than the limit of %d bytes", s.bodyLimit)
	case err != nil:
		return nil, models.Errorf(models.CodeInvalid, "无法读取请求体：%v", "could not read the body: %v", err)
	}
	return body, nil
}

// statusClientClosed is logged for a request whose client went away.
const statusClientClosed = 499

// handleError is echo's one error handler: every error becomes a problem
// document. Client errors are answered as they are; anything else is logged
// with the request id and answered 500 without internals.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	if errors.Is(err, context.Canceled) && c.Request().Context().Err() != nil {
		// The client went away: nobody reads an answer, and it is no fault
		// of ours. 499 is what the log says (nginx's "client closed request").
		c.Response().Status = statusClientClosed
		s.logger.Info("client closed the request", "request_id", requestIDOf(c), "path", c.Request().URL.Path)
		return
	}
	var he *echo.HTTPError
	if errors.As(err, &he) {
		err = fromEchoError(he)
	}
	p := NewProblem(err, langOf(c))
	p.Instance = c.Request().URL.Path
	p.RequestID = requestIDOf(c)
	if p.Status >= 500 {
		s.logger.Error("internal error", "request_id", p.RequestID, "method", c.Request().Method, "path", p.Instance, "error", err.Error())
	}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(p.Status)
		return
	}
	_ = writeJSON(c, p.Status, ProblemContentType, p)
}

// fromEchoError maps echo's own errors (no route, wrong method) to ours.
func fromEchoError(he *echo.HTTPError) error {
	switch he.Code {
	case http.StatusNotFound:
		return models.Errorf(models.CodeNotFound, "没有这个接口", "no such endpoint")
	case http.StatusMethodNotAllowed:
		return models.Errorf(models.CodeNotAllowed, "该接口不支持此方法", "this endpoint does not take this method")
	case http.StatusRequestEntityTooLarge:
		return models.Errorf(models.CodeTooLarge, "请求体过大", "the body is too large")
	}
	if he.Code >= 400 && he.Code < 500 {
		return models.Errorf(models.CodeInvalid, "请求无效：%v", "bad request: %v", he.Message)
	}
	return fmt.Errorf("echo: %w", he)
}

var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// writeJSON writes v as JSON, without escaping <, > and & (Chinese and
// policy texts stay readable), through a pooled buffer.
func writeJSON(c echo.Context, status int, contentType string, v any) error {
	buf := buffers.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= 1<<20 { // let an outsized answer's buffer go
			buf.Reset()
			buffers.Put(buf)
		}
	}()
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("encode response: %w", err)
	}
	return c.Blob(status, contentType+"; charset=utf-8", buf.Bytes())
}
