package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// Audit actions and entities (models.AuditEntry).
const (
	actionCreate     = "create"
	actionUpdate     = "update"
	actionTransition = "transition"
	actionImport     = "import"
	actionRun        = "run"
	actionVerify     = "verify"
	actionKey        = "key"

	entityEnterprise    = "enterprise"
	entityCertification = "certification"
	entityCreditYear    = "credit_year"
	entityUniversity    = "university"
	entityDonation      = "donation"
	entityPayout        = "payout"
	entityPayoutRun     = "payout_run"
	entityVerification  = "credit_verification"
	entityAPIKey        = "api_key"
)

type auditRow struct {
	ID         int64 `gorm:"primaryKey"`
	At         time.Time
	KeyID      string
	Role       string
	RequestID  string
	Action     string
	Entity     string
	EntityID   string
	BeforeJSON jsonText
	AfterJSON  jsonText
}

func (auditRow) TableName() string { return "audit_log" }

func (r auditRow) model() models.AuditEntry {
	return models.AuditEntry{
		ID:        r.ID,
		At:        r.At.UTC(),
		KeyID:     r.KeyID,
		Role:      r.Role,
		RequestID: r.RequestID,
		Action:    r.Action,
		Entity:    r.Entity,
		EntityID:  r.EntityID,
		Before:    json.RawMessage(r.BeforeJSON),
		After:     json.RawMessage(r.AfterJSON),
	}
}

// auditRecord builds the audit entry of one write; before and after are the
// record as the API shows it (nil when there is none: before a create).
func (s *Store) auditRecord(actor models.Actor, action, entity, entityID string, before, after any) (auditRow, error) {
	row := auditRow{
		At:        s.now(),
		KeyID:     actor.KeyID,
		Role:      actor.Role,
		RequestID: actor.RequestID,
		Action:    action,
		Entity:    entity,
		EntityID:  entityID,
	}
	var err error
	if row.BeforeJSON, err = auditJSON(before); err != nil {
		return auditRow{}, err
	}
	if row.AfterJSON, err = auditJSON(after); err != nil {
		return auditRow{}, err
	}
	return row, nil
}

func auditJSON(v any) (jsonText, error) {
	if v == nil {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("audit: encode record: %w", err)
	}
	return b, nil
}

// audit records one write inside the write's transaction tx.
func (s *Store) audit(tx *gorm.DB, actor models.Actor, action, entity, entityID string, before, after any) error {
	row, err := s.auditRecord(actor, action, entity, entityID, before, after)
	if err != nil {
		return err
	}
	if err := tx.Create(&row).Error; err != nil {
		return fmt.Errorf("audit %s %s %s: %w", action, entity, entityID, err)
	}
	return nil
}

// ListAudit lists audit entries in id order (oldest first). Limit 0 lists
// every matching entry.
func (s *Store) ListAudit(ctx context.Context, f models.AuditFilter) ([]models.AuditEntry, error) {
	q := s.db.WithContext(ctx).Model(&auditRow{})
	if f.Entity != "" {
		q = q.Where("entity = ?", f.Entity)
	}
	if f.EntityID != "" {
		q = q.Where("entity_id = ?", f.EntityID)
	}
	if f.KeyID != "" {
		q = q.Where("key_id = ?", f.KeyID)
	}
	if f.AfterID > 0 {
		q = q.Where("id > ?", f.AfterID)
	}
	if f.Limit > 0 {
		q = q.Limit(f.Limit)
	}
	var rows []auditRow
	if err := q.Order("id").Find(&rows).Error; err != nil {
		return nil, translate(err, meaning{op: "list audit entries"})
	}
	out := make([]models.AuditEntry, len(rows))
	for i, r := range rows {
		out[i] = r.model()
	}
	return out, nil
}
