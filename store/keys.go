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

func keyNotFound(id string) *models.Error { return notFound("API 密钥 %s", "API key %s", id) }

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
		return s.audit(tx, actor, actionKey, entityAPIKey, row.ID, nil, row.model())
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
	err := s.db.WithContext(ctx).Where("secret_hash = ?", secretHash).Take(&row).Error
	if err != nil {
		return models.APIKey{}, translate(err, meaning{
			op:       "find API key by hash",
			notFound: notFound("API 密钥", "API key"),
		})
	}
	return row.model(), nil
}

// ListKeys lists every key, oldest first.
func (s *Store) ListKeys(ctx context.Context) ([]models.APIKey, error) {
	var rows []keyRow
	if err := s.db.WithContext(ctx).Order("created_at, id").Find(&rows).Error; err != nil {
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
		var before keyRow
		if err := tx.Where("id = ?", id).Take(&before).Error; err != nil {
			return err
		}
		out = before.model()
		if before.RevokedAt != nil {
			return nil
		}
		now := s.now()
		// Conditional, so that of two concurrent revocations one records it.
		res := tx.Model(&keyRow{}).Where("id = ? AND revoked_at IS NULL", id).Update("revoked_at", now)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			var cur keyRow
			if err := tx.Where("id = ?", id).Take(&cur).Error; err != nil {
				return err
			}
			out = cur.model()
			return nil
		}
		after := before
		after.RevokedAt = &now
		out = after.model()
		return s.audit(tx, actor, actionKey, entityAPIKey, id, before.model(), out)
	})
	if err != nil {
		return models.APIKey{}, translate(err, meaning{op: "revoke API key " + id, notFound: keyNotFound(id)})
	}
	return out, nil
}
