package api

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/wenzhou-subsidy/subsidy/app"
	"github.com/wenzhou-subsidy/subsidy/models"
	"github.com/wenzhou-subsidy/subsidy/store/storetest"
)

// TestIdempotencyKeyIsNeverStuck: a handler that panics releases its key,
// and a client that goes away still leaves the answer for its retry.
func TestIdempotencyKeyIsNeverStuck(t *testing.T) {
	for _, kind := range storetest.Kinds(t) {
		t.Run(kind, func(t *testing.T) {
			st := storetest.Open(t, kind)
			svc := app.New(MustEngine(t), st, app.Options{})
			s, err := NewServer(slog.New(slog.NewTextHandler(io.Discard, nil)), svc, st, Options{})
			if err != nil {
				t.Fatal(err)
			}
			key, err := svc.CreateKey(t.Context(), models.Actor{KeyID: "test"}, models.KeyEntry{Role: models.RoleFinance})
			if err != nil {
				t.Fatal(err)
			}
			secret := key.Secret
			s.echo.POST("/test/panic", func(echo.Context) error { panic("boom") }, s.authenticate, s.idempotent)
			var cancel context.CancelFunc
			s.echo.POST("/test/gone", func(c echo.Context) error {
				cancel() // the client goes away after the work is done
				return c.String(http.StatusCreated, "done")
			}, s.authenticate, s.idempotent)

			send := func(path, idem string, ctx context.Context) *httptest.ResponseRecorder {
				req := httptest.NewRequestWithContext(ctx, http.MethodPost, path, strings.NewReader("{}"))
				req.Header.Set("Authorization", "Bearer "+secret)
				req.Header.Set(IdempotencyHeader, idem)
				rec := httptest.NewRecorder()
				s.ServeHTTP(rec, req)
				return rec
			}
			for i := range 2 {
				if rec := send("/test/panic", "p-1", t.Context()); rec.Code != http.StatusInternalServerError {
					t.Fatalf("panic, try %d: %d %s (the key stayed reserved?)", i, rec.Code, rec.Body)
				}
			}
			ctx, stop := context.WithCancel(t.Context())
			defer stop()
			cancel = stop
			send("/test/gone", "g-1", ctx)
			rec := send("/test/gone", "g-1", t.Context())
			if rec.Code != http.StatusCreated || rec.Body.String() != "done" || rec.Header().Get("Idempotent-Replayed") != "true" {
				t.Errorf("retry after the client went away: %d %q %v", rec.Code, rec.Body, rec.Header())
			}
			if rec := send("/test/gone", "bad key", t.Context()); rec.Code != http.StatusBadRequest {
				t.Errorf("an Idempotency-Key with a space: %d", rec.Code)
			}
		})
	}
}
