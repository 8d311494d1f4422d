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
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"golang.org/x/text/language"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// RequestIDHeader carries the request id the server gives every request.
const RequestIDHeader = echo.HeaderXRequestID

const (
	ctxRequestID = "request_id"
	ctxLang      = "lang"
	ctxHead      = "head"
)

// requestID gives every request an id of the server's own, echoed in the
// answer and recorded in logs and the audit trail. echo's RequestID
// middleware would take the client's X-Request-Id instead, and an id a
// client chose must never stand in the audit trail.
func requestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		var b [12]byte
		_, _ = rand.Read(b[:])
		id := hex.EncodeToString(b[:])
		c.Set(ctxRequestID, id)
		c.Response().Header().Set(RequestIDHeader, id)
		return next(c)
	}
}

// accessLog writes one structured log line per request (echo's request
// logger), after the error handler has written any error, so the status
// logged is the one sent.
func (s *Server) accessLog() echo.MiddlewareFunc {
	return middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		HandleError:     true,
		LogMethod:       true,
		LogURIPath:      true,
		LogStatus:       true,
		LogLatency:      true,
		LogResponseSize: true,
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			s.logger.LogAttrs(c.Request().Context(), slog.LevelInfo, "request",
				slog.String("method", v.Method),
				slog.String("path", v.URIPath),
				slog.Int("status", c.Response().Status),
				slog.Int64("bytes", v.ResponseSize),
				slog.Duration("latency", v.Latency),
				slog.String("request_id", requestIDOf(c)),
			)
			if s.observe != nil {
				route := c.Path()
				if route == "" || route == "/*" {
					route = "unmatched"
				}
				s.observe(v.Method, route, c.Response().Status, v.Latency)
			}
			return nil
		},
	})
}

// recoverPanic turns a panic into a logged internal error (echo's Recover):
// the client gets a plain 500 problem without internals, the log the stack.
func (s *Server) recoverPanic() echo.MiddlewareFunc {
	return middleware.RecoverWithConfig(middleware.RecoverConfig{
		DisableErrorHandler: true, // the access log hands the error on
		LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
			s.logger.Error("panic", "request_id", requestIDOf(c), "panic", err.Error(), "stack", string(stack))
			return &models.Error{Code: models.CodeInternal, Err: fmt.Errorf("panic: %w", err)}
		},
	})
}

// HEAD is answered as GET without the body (RFC 9110 §9.3.2), with GET's
// headers, its Content-Length included. echo routes GET alone: headAsGet,
// before routing, routes HEAD as GET, and headAgain, after it, gives the
// request its method back before anything is written, so that net/http,
// which shares the request, sends the headers of HEAD - GET's, with the
// Content-Length of the body written - and drops the body.
func headAsGet(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if r := c.Request(); r.Method == http.MethodHead {
			r.Method = http.MethodGet
			c.Set(ctxHead, true)
		}
		return next(c)
	}
}

// headAgain is the first middleware after routing: see headAsGet.
func headAgain(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if head, _ := c.Get(ctxHead).(bool); head {
			c.Request().Method = http.MethodHead
		}
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

func cleanText(s string) bool { return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0 }

// languages are the languages of messages, Chinese first: the default.
var languages = language.NewMatcher([]language.Tag{language.Chinese, language.English})

// acceptLanguage picks the language of messages from Accept-Language: English
// when the client prefers it, Chinese otherwise.
func acceptLanguage(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Set(ctxLang, preferredLang(c.Request().Header.Get("Accept-Language")))
		return next(c)
	}
}

// preferredLang matches an Accept-Language header ("en-US,en;q=0.9") to zh
// or en.
func preferredLang(header string) string {
	tags, _, _ := language.ParseAcceptLanguage(header)
	tag, _, conf := languages.Match(tags...)
	if base, _ := tag.Base(); conf != language.No && base.String() == models.LangEn {
		return models.LangEn
	}
	return models.LangZh
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

// readBody reads the request body up to the server's limit: a larger body
// is 413, one that does not arrive in time 408. What the network said is
// logged, never shown.
func (s *Server) readBody(c echo.Context) ([]byte, error) { return readBodyUpTo(c, s.bodyLimit) }

// readBodyUpTo is readBody with a limit of its own, for a route that takes
// larger bodies (evidence files).
func readBodyUpTo(c echo.Context, limit int64) ([]byte, error) {
	r := c.Request()
	r.Body = http.MaxBytesReader(c.Response(), r.Body, limit)
	body, err := io.ReadAll(r.Body)
	var tooLarge *http.MaxBytesError
	var netErr net.Error
	switch {
	case err == nil:
		return body, nil
	case errors.As(err, &tooLarge):
		return nil, models.Errorf(codeTooLarge, "请求体超过 %d 字节的上限", "the body is larger than the limit of %d bytes", limit)
	case errors.Is(err, os.ErrDeadlineExceeded) || errors.As(err, &netErr) && netErr.Timeout():
		return nil, &models.Error{Code: codeTimeout, Message: models.Text{Zh: "请求体未能在时限内送达", En: "the body did not arrive in time"}, Err: err}
	}
	return nil, &models.Error{Code: models.CodeInvalid, Message: models.Text{Zh: "无法读取请求体", En: "could not read the body"}, Err: err}
}

// statusClientClosed is logged for a request whose client went away.
const statusClientClosed = 499

// retryAfter is what a 503 tells clients to wait, in seconds.
const retryAfter = "5"

// handleError is echo's one error handler: every error becomes a problem
// document. Client errors are answered as they are; anything else is logged
// with the request id and answered without internals.
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
	switch {
	case p.Status >= 500:
		s.logger.Error("error", "request_id", p.RequestID, "method", c.Request().Method, "path", p.Instance, "status", p.Status, "error", err.Error())
	case p.Status == http.StatusRequestTimeout:
		s.logger.Info("slow body", "request_id", p.RequestID, "path", p.Instance, "error", err.Error())
	}
	if p.Status == http.StatusServiceUnavailable {
		c.Response().Header().Set("Retry-After", retryAfter)
	}
	_ = writeJSON(c, p.Status, problemContentType, p)
}

// fromEchoError maps echo's own errors (no route, wrong method) to ours.
func fromEchoError(he *echo.HTTPError) error {
	switch he.Code {
	case http.StatusNotFound:
		return models.Errorf(models.CodeNotFound, "没有这个接口", "no such endpoint")
	case http.StatusMethodNotAllowed:
		return models.Errorf(codeNotAllowed, "该接口不支持此方法", "this endpoint does not take this method")
	case http.StatusRequestEntityTooLarge:
		return models.Errorf(codeTooLarge, "请求体过大", "the body is too large")
	}
	if he.Code >= 400 && he.Code < 500 {
		return &models.Error{Code: models.CodeInvalid, Message: models.Text{Zh: "请求无效", En: "bad request"}, Err: he}
	}
	return fmt.Errorf("echo: %w", he)
}

var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// writeJSON writes v as JSON through a pooled buffer, as the media type
// contentType (with its charset).
func writeJSON(c echo.Context, status int, contentType string, v any) error {
	buf := buffers.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= 1<<20 { // let an outsized answer's buffer go
			buf.Reset()
			buffers.Put(buf)
		}
	}()
	if err := encodeJSON(buf, v); err != nil {
		return err
	}
	return c.Blob(status, contentType, buf.Bytes())
}

// The media types of the JSON answers: problems, and every other.
const (
	problemContentType = ProblemContentType + "; charset=utf-8"
	jsonContentType    = echo.MIMEApplicationJSON + "; charset=utf-8"
)

// encodeJSON writes v as JSON, without escaping <, > and & (Chinese and
// policy texts stay readable): the one encoding of every answer, also of
// answers stored for a retry.
func encodeJSON(buf *bytes.Buffer, v any) error {
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("encode response: %w", err)
	}
	return nil
}

// respond writes v as the JSON answer.
func respond(c echo.Context, status int, v any) error {
	return writeJSON(c, status, jsonContentType, v)
}
