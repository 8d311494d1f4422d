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
	entityApplication   = "application"
	entityAttachment    = "attachment" // an application's evidence: "application id/n"
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

var auditTable = table[auditRow]{
	name: "audit_log",
	cols: []string{"at", "key_id", "role", "request_id", "action", "entity", "entity_id", "before_json", "after_json"},
	values: func(a *auditRow, v []any) []any {
		return append(v, a.At, a.KeyID, a.Role, a.RequestID, a.Action, a.Entity, a.EntityID, a.BeforeJSON, a.AfterJSON)
	},
}

// entry says who did what to which record, for the audit trail.
type entry struct {
	actor    models.Actor
	action   string
	entity   string
	entityID string
}

// auditRecord builds the audit entry of one write; before and after are the
// record as the API shows it (nil when there is none: before a create).
func (s *Store) auditRecord(e entry, before, after any) (auditRow, error) {
	row := auditRow{
		At:        s.now(),
		KeyID:     e.actor.KeyID,
		Role:      e.actor.Role,
		RequestID: e.actor.RequestID,
		Action:    e.action,
		Entity:    e.entity,
		EntityID:  e.entityID,
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
func (s *Store) audit(tx *gorm.DB, e entry, before, after any) error {
	row, err := s.auditRecord(e, before, after)
	if err != nil {
		return err
	}
	if err := insertRows(tx, s.dialect, auditTable, []auditRow{row}); err != nil {
		return fmt.Errorf("audit %s %s %s: %w", e.action, e.entity, e.entityID, err)
	}
	return nil
}

// ListAudit lists audit entries in id order (oldest first). Limit 0 lists
// every matching entry.
func (s *Store) ListAudit(ctx context.Context, f models.AuditFilter) ([]models.AuditEntry, error) {
	var rows []auditRow
	err := s.read(ctx, func(db *gorm.DB) error {
		return listed(db.Model(&auditRow{}), []match{
			{"entity", f.Entity}, {"entity_id", f.EntityID}, {"key_id", f.KeyID},
		}, "id", f.AfterID, f.Limit).Find(&rows).Error
	})
	if err != nil {
		return nil, translate(err, meaning{op: "list audit entries"})
	}
	out := make([]models.AuditEntry, len(rows))
	for i, r := range rows {
		out[i] = r.model()
	}
	return out, nil
}
