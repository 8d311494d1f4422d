package store

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// Universities and the donations their match is computed from. Writes
// follow the pattern described in registry.go.

type universityRow struct {
	Code        string `gorm:"primaryKey"`
	Name        string
	Ownership   string
	Affiliation string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

func (universityRow) TableName() string { return "universities" }

func (r universityRow) model() models.UniversityRecord {
	return models.UniversityRecord{
		Code:        r.Code,
		Name:        r.Name,
		Ownership:   r.Ownership,
		Affiliation: r.Affiliation,
		CreatedAt:   r.CreatedAt.UTC(),
		UpdatedAt:   r.UpdatedAt.UTC(),
	}
}

type donationRow struct {
	ID             int64 `gorm:"primaryKey"`
	UniversityCode string
	Amount         int64
	Form           string
	ViaFoundation  bool
	ArrivedOn      date
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

func (donationRow) TableName() string { return "donations" }

func (r donationRow) model() models.DonationRecord {
	return models.DonationRecord{
		ID:             r.ID,
		UniversityCode: r.UniversityCode,
		Amount:         models.Fen(r.Amount),
		Form:           r.Form,
		ViaFoundation:  r.ViaFoundation,
		ArrivedOn:      r.ArrivedOn.ptr(),
		CreatedAt:      r.CreatedAt.UTC(),
		UpdatedAt:      r.UpdatedAt.UTC(),
	}
}

func (r donationRow) donation() models.Donation {
	return models.Donation{
		Amount:        models.Fen(r.Amount),
		Form:          r.Form,
		ViaFoundation: r.ViaFoundation,
		ArrivedOn:     r.ArrivedOn.ptr(),
	}
}

// PutUniversity creates or updates a university and reports whether it was
// created.
func (s *Store) PutUniversity(ctx context.Context, actor models.Actor, u models.UniversityRecord) (models.UniversityRecord, bool, error) {
	var out models.UniversityRecord
	var created bool
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		now := s.now()
		row := universityRow{Code: u.Code, Name: u.Name, Ownership: u.Ownership, Affiliation: u.Affiliation, CreatedAt: now, UpdatedAt: now}
		var err error
		if created, err = insertNew(tx, &row); err != nil {
			return err
		}
		if created {
			out = row.model()
			return s.audit(tx, actor, actionCreate, entityUniversity, row.Code, nil, out)
		}
		var old universityRow
		if err := forUpdate(tx).Where("code = ?", u.Code).Take(&old).Error; err != nil {
			return err
		}
		row.CreatedAt = old.CreatedAt
		err = tx.Model(&universityRow{}).Where("code = ?", u.Code).Updates(map[string]any{
			"name":        row.Name,
			"ownership":   row.Ownership,
			"affiliation": row.Affiliation,
			"updated_at":  row.UpdatedAt,
		}).Error
		if err != nil {
			return err
		}
		out = row.model()
		return s.audit(tx, actor, actionUpdate, entityUniversity, row.Code, old.model(), out)
	})
	if err != nil {
		return models.UniversityRecord{}, false, translate(err, meaning{op: "put university " + u.Code})
	}
	return out, created, nil
}

// GetUniversity returns a registered university.
func (s *Store) GetUniversity(ctx context.Context, code string) (models.UniversityRecord, error) {
	var row universityRow
	if err := s.db.WithContext(ctx).Where("code = ?", code).Take(&row).Error; err != nil {
		return models.UniversityRecord{}, translate(err, meaning{op: "get university " + code, notFound: universityNotFound(code)})
	}
	return row.model(), nil
}

// ListUniversities lists universities in code order after afterCode; limit
// 0 lists them all.
func (s *Store) ListUniversities(ctx context.Context, afterCode string, limit int) ([]models.UniversityRecord, error) {
	q := s.db.WithContext(ctx).Model(&universityRow{})
	if afterCode != "" {
		q = q.Where("code > ?", afterCode)
	}
	if limit > 0 {
		q = q.Limit(limit)
	}
	var rows []universityRow
	if err := q.Order("code").Find(&rows).Error; err != nil {
		return nil, translate(err, meaning{op: "list universities"})
	}
	out := make([]models.UniversityRecord, len(rows))
	for i, r := range rows {
		out[i] = r.model()
	}
	return out, nil
}

func donationNotFound(id int64, code string) *models.Error {
	return notFound("高校 %[2]s 的捐赠记录 %[1]d", "donation %[1]d of university %[2]s", id, code)
}

// AddDonation records a donation of a registered university.
func (s *Store) AddDonation(ctx context.Context, actor models.Actor, d models.DonationRecord) (models.DonationRecord, error) {
	var out models.DonationRecord
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		now := s.now()
		row := donationRow{
			UniversityCode: d.UniversityCode,
			Amount:         d.Amount.Fen(),
			Form:           d.Form,
			ViaFoundation:  d.ViaFoundation,
			ArrivedOn:      optDate(d.ArrivedOn),
			CreatedAt:      now,
			UpdatedAt:      now,
		}
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		out = row.model()
		return s.audit(tx, actor, actionCreate, entityDonation, strconv.FormatInt(row.ID, 10), nil, out)
	})
	if err != nil {
		return models.DonationRecord{}, translate(err, meaning{
			op:     "add donation of " + d.UniversityCode,
			parent: universityNotFound(d.UniversityCode),
		})
	}
	return out, nil
}

// UpdateDonation corrects a donation, found by its ID and university code.
func (s *Store) UpdateDonation(ctx context.Context, actor models.Actor, d models.DonationRecord) (models.DonationRecord, error) {
	var out models.DonationRecord
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		var old donationRow
		if err := forUpdate(tx).Where("id = ? AND university_code = ?", d.ID, d.UniversityCode).Take(&old).Error; err != nil {
			return err
		}
		row := old
		row.Amount, row.Form, row.ViaFoundation, row.ArrivedOn, row.UpdatedAt = d.Amount.Fen(), d.Form, d.ViaFoundation, optDate(d.ArrivedOn), s.now()
		err := tx.Model(&donationRow{}).Where("id = ?", row.ID).Updates(map[string]any{
			"amount":         row.Amount,
			"form":           row.Form,
			"via_foundation": row.ViaFoundation,
			"arrived_on":     row.ArrivedOn,
			"updated_at":     row.UpdatedAt,
		}).Error
		if err != nil {
			return err
		}
		out = row.model()
		return s.audit(tx, actor, actionUpdate, entityDonation, strconv.FormatInt(row.ID, 10), old.model(), out)
	})
	if err != nil {
		return models.DonationRecord{}, translate(err, meaning{
			op:       fmt.Sprintf("update donation %d of %s", d.ID, d.UniversityCode),
			notFound: donationNotFound(d.ID, d.UniversityCode),
		})
	}
	return out, nil
}

// ListDonations lists a university's donations in the order recorded.
func (s *Store) ListDonations(ctx context.Context, universityCode string) ([]models.DonationRecord, error) {
	var rows []donationRow
	err := s.listOf(ctx, "universities", "code", universityCode, universityNotFound(universityCode), func(db *gorm.DB) error {
		return db.Where("university_code = ?", universityCode).Order("id").Find(&rows).Error
	})
	if err != nil {
		return nil, err
	}
	out := make([]models.DonationRecord, len(rows))
	for i, r := range rows {
		out[i] = r.model()
	}
	return out, nil
}
