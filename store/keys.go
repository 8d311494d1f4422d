package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"time"

	"gorm.io/gorm"

	"github.com/wenzhou-subsidy/subsidy/models"
)

type keyRow struct {
	ID         string `gorm:"primaryKey"`
	SecretHash string
	Role       string
	Subject    string
	Label      string
	CreatedAt  time.Time
	RevokedAt  *time.Time
}

func (keyRow) TableName() string { return "api_keys" }

func (r keyRow) auditRecord() (any, error) { return r.model(), nil }

func (r keyRow) model() models.APIKey {
	return models.APIKey{
		ID:        r.ID,
		Role:      r.Role,
		Subject:   r.Subject,
		Label:     r.Label,
		CreatedAt: r.CreatedAt.UTC(),
		RevokedAt: utc(r.RevokedAt),
	}
}

// CreateKey stores a new key with the hash of its secret. An empty key.ID is
// given a random one; CreatedAt is set and RevokedAt cleared.
func (s *Store) CreateKey(ctx context.Context, actor models.Actor, key models.APIKey, secretHash string) (models.APIKey, error) {
	if key.ID == "" {
		key.ID = newKeyID()
	}
	row := keyRow{
		ID:         key.ID,
		SecretHash: secretHash,
		Role:       key.Role,
		Subject:    key.Subject,
		Label:      key.Label,
		CreatedAt:  s.now(),
	}
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		return s.audit(tx, entry{actor, actionKey, entityAPIKey, row.ID}, nil, row.model())
	})
	if err != nil {
		return models.APIKey{}, translate(err, meaning{
			op:       "create API key " + key.ID,
			conflict: models.Conflict("API 密钥已存在", "the API key already exists"),
		})
	}
	return row.model(), nil
}

// newKeyID returns a random key id, safe to show and to log.
func newKeyID() string {
	b := make([]byte, 8)
	rand.Read(b) // never fails (crypto/rand)
	return "key_" + hex.EncodeToString(b)
}

// KeyByHash finds a key by the hash of its secret, revoked or not.
func (s *Store) KeyByHash(ctx context.Context, secretHash string) (models.APIKey, error) {
	var row keyRow
	err := s.read(ctx, func(db *gorm.DB) error { return db.Where("secret_hash = ?", secretHash).Take(&row).Error })
	if err != nil {
		return models.APIKey{}, translate(err, meaning{
			op:       "find API key by hash",
			notFound: models.NotFound("API 密钥", "API key"),
		})
	}
	return row.model(), nil
}

// ListKeys lists every key, oldest first.
func (s *Store) ListKeys(ctx context.Context) ([]models.APIKey, error) {
	var rows []keyRow
	if err := s.read(ctx, func(db *gorm.DB) error { return db.Order("created_at, id").Find(&rows).Error }); err != nil {
		return nil, translate(err, meaning{op: "list API keys"})
	}
	out := make([]models.APIKey, len(rows))
	for i, r := range rows {
		out[i] = r.model()
	}
	return out, nil
}

// RevokeKey marks a key revoked. Revoking a revoked key changes nothing and
// records nothing.
func (s *Store) RevokeKey(ctx context.Context, actor models.Actor, id string) (models.APIKey, error) {
	var out models.APIKey
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		row, err := updateRow(s, tx, entry{actor, actionKey, entityAPIKey, id}, func(r *keyRow) (map[string]any, error) {
			if r.RevokedAt != nil {
				return nil, nil
			}
			now := s.now()
			r.RevokedAt = &now
			return map[string]any{"revoked_at": now}, nil
		}, "id = ?", id)
		out = row.model()
		return err
	})
	if err != nil {
		return models.APIKey{}, translate(err, meaning{op: "revoke API key " + id, notFound: models.KeyNotFound(id)})
	}
	return out, nil
}
