package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/wenzhou-subsidy/subsidy/models"
)

type verificationRow struct {
	ID             int64 `gorm:"primaryKey"`
	CreditCode     string
	Year           int
	ClaimedOffset  int64
	AllowedOffset  int64
	Difference     int64
	Verdict        string
	LedgerRow      jsonText
	AsOf           date
	RulesetVersion string
	RulesetDigest  string
	KeyID          string
	CreatedAt      time.Time
}

func (verificationRow) TableName() string { return "credit_verifications" }

func (r verificationRow) model() (models.CreditVerification, error) {
	v := models.CreditVerification{
		ID:             r.ID,
		CreditCode:     r.CreditCode,
		Year:           r.Year,
		ClaimedOffset:  models.Fen(r.ClaimedOffset),
		AllowedOffset:  models.Fen(r.AllowedOffset),
		Difference:     models.Fen(r.Difference),
		Verdict:        r.Verdict,
		AsOf:           r.AsOf.Date,
		RulesetVersion: r.RulesetVersion,
		RulesetDigest:  r.RulesetDigest,
		KeyID:          r.KeyID,
		CreatedAt:      r.CreatedAt.UTC(),
	}
	if err := json.Unmarshal(r.LedgerRow, &v.LedgerRow); err != nil {
		return models.CreditVerification{}, fmt.Errorf("credit verification %d: ledger row: %w", r.ID, err)
	}
	return v, nil
}

// RecordVerification records a tax officer's check of a claimed offset for
// a registered enterprise; ID, KeyID (the actor's) and CreatedAt are set.
func (s *Store) RecordVerification(ctx context.Context, actor models.Actor, v models.CreditVerification) (models.CreditVerification, error) {
	ledger, err := json.Marshal(v.LedgerRow)
	if err != nil {
		return models.CreditVerification{}, fmt.Errorf("record credit verification: %w", err)
	}
	var out models.CreditVerification
	err = s.inTx(ctx, func(tx *gorm.DB) error {
		row := verificationRow{
			CreditCode:     v.CreditCode,
			Year:           v.Year,
			ClaimedOffset:  v.ClaimedOffset.Fen(),
			AllowedOffset:  v.AllowedOffset.Fen(),
			Difference:     v.Difference.Fen(),
			Verdict:        v.Verdict,
			LedgerRow:      ledger,
			AsOf:           date{v.AsOf},
			RulesetVersion: v.RulesetVersion,
			RulesetDigest:  v.RulesetDigest,
			KeyID:          actor.KeyID,
			CreatedAt:      s.now(),
		}
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		var err error
		if out, err = row.model(); err != nil {
			return err
		}
		return s.audit(tx, entry{actor, actionVerify, entityVerification, strconv.FormatInt(row.ID, 10)}, nil, out)
	})
	if err != nil {
		return models.CreditVerification{}, translate(err, meaning{
			op:     "record credit verification of " + v.CreditCode,
			parent: models.EnterpriseNotFound(v.CreditCode),
		})
	}
	return out, nil
}

// ListVerifications lists the verifications of an enterprise in the order
// recorded (NotFound when it is not registered), or every verification when
// creditCode is empty.
func (s *Store) ListVerifications(ctx context.Context, creditCode string) ([]models.CreditVerification, error) {
	var rows []verificationRow
	find := func(db *gorm.DB) error {
		if creditCode != "" {
			db = db.Where("credit_code = ?", creditCode)
		}
		return db.Order("id").Find(&rows).Error
	}
	var err error
	if creditCode == "" {
		err = translate(s.read(ctx, find), meaning{op: "list credit verifications"})
	} else {
		err = s.listOf(ctx, "enterprises", "credit_code", creditCode, models.EnterpriseNotFound(creditCode), find)
	}
	if err != nil {
		return nil, err
	}
	out := make([]models.CreditVerification, len(rows))
	for i, r := range rows {
		if out[i], err = r.model(); err != nil {
			return nil, err
		}
	}
	return out, nil
}
