package api

import (
	"bytes"
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

// idempotent wraps a POST that creates something. The first request with a
// key reserves it and its answer is stored; a retry with the same key and
// the same request replays that answer; the same key with a different
// request, or while the first is still running, is 409. An internal error
// releases the key, so that the retry can run.
func (s *Server) idempotent(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		key := c.Request().Header.Get(IdempotencyHeader)
		if key == "" {
			return next(c)
		}
		if len(key) > 200 {
			return models.InvalidInput(models.Field(IdempotencyHeader, "max_len", 200))
		}
		body, err := s.readBody(c)
		if err != nil {
			return err
		}
		c.Request().Body = io.NopCloser(bytes.NewReader(body))
		sum := sha256.Sum256(append([]byte(c.Request().Method+" "+c.Request().URL.RequestURI()+"\n"), body...))
		fingerprint := hex.EncodeToString(sum[:])

		ctx := c.Request().Context()
		actor := actorOf(c)
		prev, err := s.store.BeginIdempotent(ctx, actor.KeyID, key, fingerprint)
		if err != nil {
			return err
		}
		if prev != nil {
			c.Response().Header().Set("Idempotent-Replayed", "true")
			return c.Blob(prev.Status, prev.ContentType, prev.Body)
		}

		rec := &recorder{ResponseWriter: c.Response().Writer}
		c.Response().Writer = rec
		if err := next(c); err != nil {
			c.Error(err)
		}
		status := c.Response().Status
		if status >= http.StatusInternalServerError {
			if err := s.store.AbortIdempotent(ctx, actor.KeyID, key); err != nil {
				s.logger.Error("release idempotency key", "request_id", actor.RequestID, "error", err.Error())
			}
			return nil
		}
		resp := models.IdempotentResponse{Status: status, ContentType: c.Response().Header().Get(echo.HeaderContentType), Body: rec.body.Bytes()}
		if err := s.store.FinishIdempotent(ctx, actor.KeyID, key, resp); err != nil {
			s.logger.Error("store idempotent answer", "request_id", actor.RequestID, "error", err.Error())
		}
		return nil
	}
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
