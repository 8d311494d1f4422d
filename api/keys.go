package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// Whoami is the answer of GET /v1/whoami: the key a request was made with.
type Whoami struct {
	KeyID   string `json:"key_id"`
	Role    string `json:"role"`
	Subject string `json:"subject,omitempty"`
	Label   string `json:"label,omitempty"`
}

// whoami answers GET /v1/whoami for any known key: the console learns from
// it which role signed in, and so which pages to offer.
func (s *Server) whoami(c echo.Context) error {
	a := actorOf(c)
	return respond(c, http.StatusOK, Whoami{KeyID: a.KeyID, Role: a.Role, Subject: a.Subject, Label: a.Label})
}

// createKey answers POST /v1/keys (admin): a new key, its secret in this
// answer only. It takes no Idempotency-Key: a stored answer would keep the
// secret in the database, which holds only hashes of secrets.
func (s *Server) createKey(c echo.Context) error {
	var req models.KeyEntry
	if err := s.decodeBody(c, &req); err != nil {
		return err
	}
	key, err := s.app.CreateKey(c.Request().Context(), actorOf(c), req)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	return respond(c, http.StatusCreated, key)
}

// listKeys answers GET /v1/keys (admin): every key, oldest first, without
// secrets.
func (s *Server) listKeys(c echo.Context) error {
	keys, err := s.app.ListKeys(c.Request().Context())
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, map[string]any{"keys": keys})
}

// revokeKey answers POST /v1/keys/{id}/revoke (admin); revoking a revoked
// key changes nothing.
func (s *Server) revokeKey(c echo.Context) error {
	if err := s.emptyBody(c); err != nil {
		return err
	}
	key, err := s.app.RevokeKey(c.Request().Context(), actorOf(c), c.Param("id"))
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, key)
}
