package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// IdempotencyHeader lets a client retry a POST safely: a retry with the same
// key (per API key) gets the first answer again and creates nothing.
const IdempotencyHeader = "Idempotency-Key"

// Context keys of an idempotent request: the key it reserved, and whether
// its handler answers the key itself later (a payout run, which goes on
// when its client has gone).
const (
	ctxIdemKey      = "idempotency_key"
	ctxIdemDeferred = "idempotency_deferred"
)

// idempotent wraps a POST that creates something. The first request with a
// key reserves it and its answer is stored; a retry with the same key and
// the same request replays that answer, with the headers that describe it
// (replayedHeaders); the same key with a different
// request, or while the first is still running, is 409. An internal error,
// a panic, or a client gone before anything was answered releases the key,
// so that the retry can run. A handler that answers later (deferKey) stores
// or releases the key itself.
func (s *Server) idempotent(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		key := c.Request().Header.Get(IdempotencyHeader)
		if key == "" {
			return next(c)
		}
		if !validIdempotencyKey(key) {
			return models.InvalidInput(badIdempotencyKey)
		}
		body, err := s.readBody(c)
		if err != nil {
			return err
		}
		c.Request().Body = io.NopCloser(bytes.NewReader(body))
		sum := sha256.Sum256(append([]byte(c.Request().Method+" "+c.Request().URL.RequestURI()+"\n"), body...))
		fingerprint := hex.EncodeToString(sum[:])

		actor := actorOf(c)
		status, header, answer, err := s.idem.BeginIdempotent(c.Request().Context(), actor.KeyID, key, fingerprint)
		if err != nil {
			return err
		}
		if status > 0 {
			h := c.Response().Header()
			for _, name := range replayedHeaders {
				for _, v := range header.Values(name) {
					h.Add(name, v)
				}
			}
			h.Set("Idempotent-Replayed", "true")
			return c.Blob(status, header.Get(echo.HeaderContentType), answer)
		}

		// From here on the key is reserved: whatever happens, it is either
		// answered or released, also when the client is gone.
		ctx := context.WithoutCancel(c.Request().Context())
		release := func() {
			if err := s.idem.AbortIdempotent(ctx, actor.KeyID, key); err != nil {
				s.logger.Error("release idempotency key", "request_id", actor.RequestID, "error", err.Error())
			}
		}
		defer func() {
			if r := recover(); r != nil {
				release()
				panic(r)
			}
		}()
		c.Set(ctxIdemKey, models.IdemKeyRef{KeyID: actor.KeyID, Key: key})
		rec := &recorder{ResponseWriter: c.Response().Writer}
		c.Response().Writer = rec
		if err := next(c); err != nil {
			c.Error(err)
		}
		if deferred, _ := c.Get(ctxIdemDeferred).(bool); deferred {
			return nil
		}
		status = c.Response().Status
		if status >= http.StatusInternalServerError || status == statusClientClosed {
			release()
			return nil
		}
		if err := s.idem.FinishIdempotent(ctx, actor.KeyID, key, status, answerHeader(c.Response().Header()), rec.body.Bytes()); err != nil {
			// Without its answer the key would stay reserved: released, a
			// retry runs again (and finds done what was done).
			s.logger.Error("store idempotent answer", "request_id", actor.RequestID, "error", err.Error())
			release()
		}
		return nil
	}
}

// replayedHeaders are the headers of an answer a replay repeats, besides
// Content-Type: those that say what was created and how it was answered.
// The others (X-Request-Id, Date) are the replay's own.
var replayedHeaders = []string{echo.HeaderLocation, "ETag", "Preference-Applied"}

// answerHeader is the part of an answer's headers stored with it:
// Content-Type and replayedHeaders.
func answerHeader(h http.Header) http.Header {
	kept := http.Header{}
	for _, name := range append([]string{echo.HeaderContentType}, replayedHeaders...) {
		for _, v := range h.Values(name) {
			kept.Add(name, v)
		}
	}
	return kept
}

// idemKeyOf returns the Idempotency-Key a request reserved, if any.
func idemKeyOf(c echo.Context) *models.IdemKeyRef {
	if ref, ok := c.Get(ctxIdemKey).(models.IdemKeyRef); ok {
		return &ref
	}
	return nil
}

// deferKey tells the middleware that the handler's job answers the key.
func deferKey(c echo.Context) { c.Set(ctxIdemDeferred, true) }

// badIdempotencyKey is the bad field of a request whose Idempotency-Key is
// not one. The header is HTTP's, so its message is the API's own.
var badIdempotencyKey = models.FieldError{
	Field: IdempotencyHeader,
	Code:  "idempotency_key",
	Text:  models.Text{Zh: "Idempotency-Key 应为1至200个可见 ASCII 字符", En: "must be 1 to 200 visible ASCII characters"},
}

// validIdempotencyKey accepts 1 to 200 visible ASCII characters.
func validIdempotencyKey(key string) bool {
	if len(key) > 200 {
		return false
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x21 || key[i] > 0x7e {
			return false
		}
	}
	return true
}

// recorder keeps a copy of what a handler writes.
type recorder struct {
	http.ResponseWriter
	body bytes.Buffer
}

func (r *recorder) Write(b []byte) (int, error) {
	r.body.Write(b)
	return r.ResponseWriter.Write(b)
}
