package app

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"strings"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// API keys are "sk_" and 32 random bytes in base32. Only their SHA-256 is
// stored: a key that leaks from the database cannot be used.
const keyPrefix = "sk_"

// NewKey is a key just created: its secret is shown this once.
type NewKey struct {
	models.APIKey
	Secret string `json:"secret"`
}

// HashKey is the stored form of a key's secret.
func HashKey(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// newSecret makes a key's secret.
func newSecret() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return keyPrefix + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
}

// CreateKey makes and stores a new key; its secret is in the answer only.
// The command line's keys come here unchecked: the entry is validated here
// too (by package input, as an API body is).
func (s *Service) CreateKey(ctx context.Context, actor models.Actor, r models.KeyEntry) (NewKey, error) {
	if err := s.input.Validate(&r); err != nil {
		return NewKey{}, err
	}
	secret := newSecret()
	key, err := s.store.CreateKey(ctx, actor, models.APIKey{Role: r.Role, Subject: r.Subject, Label: r.Label}, HashKey(secret))
	if err != nil {
		return NewKey{}, err
	}
	return NewKey{APIKey: key, Secret: secret}, nil
}

// ListKeys lists every key, oldest first (secrets are never stored).
func (s *Service) ListKeys(ctx context.Context) ([]models.APIKey, error) {
	return s.store.ListKeys(ctx)
}

// RevokeKey revokes a key; revoking it again changes nothing.
func (s *Service) RevokeKey(ctx context.Context, actor models.Actor, id string) (models.APIKey, error) {
	return s.store.RevokeKey(ctx, actor, id)
}

// Authenticate finds the actor of a key's secret. An unknown or revoked
// key is CodeUnauthorized.
func (s *Service) Authenticate(ctx context.Context, secret, requestID string) (models.Actor, error) {
	key, err := s.store.KeyByHash(ctx, HashKey(strings.TrimSpace(secret)))
	if models.CodeOf(err) == models.CodeNotFound || (err == nil && key.RevokedAt != nil) {
		return models.Actor{}, models.Errorf(models.CodeUnauthorized, "API 密钥无效或已吊销", "the API key is unknown or revoked")
	}
	if err != nil {
		return models.Actor{}, err
	}
	return models.Actor{KeyID: key.ID, Role: key.Role, Subject: key.Subject, Label: key.Label, RequestID: requestID}, nil
}
