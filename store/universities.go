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
	PayeeColumns
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (universityRow) TableName() string { return "universities" }

var universityTable = table[universityRow]{
	name: "universities",
	cols: []string{"code", "name", "ownership", "affiliation", "created_at", "updated_at"},
	values: func(r *universityRow, v []any) []any {
		return append(v, r.Code, r.Name, r.Ownership, r.Affiliation, r.CreatedAt, r.UpdatedAt)
	},
}

// universityRowOf is a new university's row, created at now.
func universityRowOf(u models.UniversityRecord, now time.Time) universityRow {
	return universityRow{Code: u.Code, Name: u.Name, Ownership: u.Ownership, Affiliation: u.Affiliation,
		PayeeColumns: payeeColumnsOf(u.Payee), CreatedAt: now, UpdatedAt: now}
}

func (r universityRow) auditRecord() (any, error) { return r.model(), nil }

func (r universityRow) model() models.UniversityRecord {
	return models.UniversityRecord{
		Code:        r.Code,
		Name:        r.Name,
		Ownership:   r.Ownership,
		Affiliation: r.Affiliation,
		Payee:       r.payee(),
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
	// Set for a donation an accepted application brought.
	ReceiptNo     string
	ApplicationID *int64
}

func (donationRow) TableName() string { return "donations" }

var donationTable = table[donationRow]{
	name: "donations",
	cols: []string{"university_code", "amount", "form", "via_foundation", "arrived_on", "created_at", "updated_at"},
	values: func(r *donationRow, v []any) []any {
		return append(v, r.UniversityCode, r.Amount, r.Form, r.ViaFoundation, r.ArrivedOn, r.CreatedAt, r.UpdatedAt)
	},
}

// donationRowOf is a new donation's row, created at now.
func donationRowOf(d models.DonationRecord, now time.Time) donationRow {
	return donationRow{
		UniversityCode: d.UniversityCode,
		Amount:         d.Amount.Fen(),
		Form:           d.Form,
		ViaFoundation:  d.ViaFoundation,
		ArrivedOn:      optDate(d.ArrivedOn),
		ReceiptNo:      d.ReceiptNo,
		CreatedAt:      now,
		UpdatedAt:      now,
	}
}

func (r donationRow) auditRecord() (any, error) { return r.model(), nil }

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

		ReceiptNo:     r.ReceiptNo,
		ApplicationID: idOf(r.ApplicationID),
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

// PutUniversity creates or updates a university (and its payee when u has
// one) and reports whether it was created.
func (s *Store) PutUniversity(ctx context.Context, actor models.Actor, u models.UniversityRecord) (models.UniversityRecord, bool, error) {
	var out models.UniversityRecord
	var created bool
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		in := universityRowOf(u, s.now())
		row, isNew, err := putRow(s, tx, entry{actor, actionUpdate, entityUniversity, in.Code}, in, func(r *universityRow) (map[string]any, error) {
			r.Name, r.Ownership, r.Affiliation, r.UpdatedAt = in.Name, in.Ownership, in.Affiliation, in.UpdatedAt
			set := map[string]any{
				"name":        r.Name,
				"ownership":   r.Ownership,
				"affiliation": r.Affiliation,
				"updated_at":  r.UpdatedAt,
			}
			if u.Payee != nil { // left out, the payee stays
				r.PayeeColumns = in.PayeeColumns
				r.PayeeColumns.set(set)
			}
			return set, nil
		}, "code = ?", in.Code)
		out, created = row.model(), isNew
		return err
	})
	if err != nil {
		return models.UniversityRecord{}, false, translate(err, meaning{op: "put university " + u.Code})
	}
	return out, created, nil
}

// GetUniversity returns a registered university.
func (s *Store) GetUniversity(ctx context.Context, code string) (models.UniversityRecord, error) {
	var row universityRow
	if err := s.read(ctx, func(db *gorm.DB) error { return db.Where("code = ?", code).Take(&row).Error }); err != nil {
		return models.UniversityRecord{}, translate(err, meaning{op: "get university " + code, notFound: models.UniversityNotFound(code)})
	}
	return row.model(), nil
}

// ListUniversities lists universities in code order after afterCode; limit
// 0 lists them all.
func (s *Store) ListUniversities(ctx context.Context, afterCode string, limit int) ([]models.UniversityRecord, error) {
	var rows []universityRow
	err := s.read(ctx, func(db *gorm.DB) error {
		return listed(db.Model(&universityRow{}), nil, "code", afterCode, limit).Find(&rows).Error
	})
	if err != nil {
		return nil, translate(err, meaning{op: "list universities"})
	}
	out := make([]models.UniversityRecord, len(rows))
	for i, r := range rows {
		out[i] = r.model()
	}
	return out, nil
}

func donationNotFound(id int64, code string) *models.Error {
	return models.NotFound("高校 %[2]s 的捐赠记录 %[1]d", "donation %[1]d of university %[2]s", id, code)
}

// AddDonation records a donation of a registered university.
func (s *Store) AddDonation(ctx context.Context, actor models.Actor, d models.DonationRecord) (models.DonationRecord, error) {
	var out models.DonationRecord
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		row := donationRowOf(d, s.now())
		if err := s.insertDonation(tx, actor, &row); err != nil {
			return err
		}
		out = row.model()
		return nil
	})
	if err != nil {
		return models.DonationRecord{}, translate(err, meaning{
			op:       "add donation of " + d.UniversityCode,
			parent:   models.UniversityNotFound(d.UniversityCode),
			conflict: receiptRecorded(d.ReceiptNo),
		})
	}
	return out, nil
}

// insertDonation inserts a new donation's row in tx, setting its ID, and
// audits it.
func (s *Store) insertDonation(tx *gorm.DB, actor models.Actor, row *donationRow) error {
	if err := tx.Create(row).Error; err != nil {
		return err
	}
	return s.audit(tx, entry{actor, actionCreate, entityDonation, strconv.FormatInt(row.ID, 10)}, nil, row.model())
}

// UpdateDonation corrects a donation, found by its ID and university code.
func (s *Store) UpdateDonation(ctx context.Context, actor models.Actor, d models.DonationRecord) (models.DonationRecord, error) {
	var out models.DonationRecord
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		e := entry{actor, actionUpdate, entityDonation, strconv.FormatInt(d.ID, 10)}
		row, err := updateRow(s, tx, e, func(r *donationRow) (map[string]any, error) {
			r.Amount, r.Form, r.ViaFoundation, r.ArrivedOn, r.UpdatedAt = d.Amount.Fen(), d.Form, d.ViaFoundation, optDate(d.ArrivedOn), s.now()
			r.ReceiptNo = d.ReceiptNo
			return map[string]any{
				"amount":         r.Amount,
				"form":           r.Form,
				"via_foundation": r.ViaFoundation,
				"arrived_on":     r.ArrivedOn,
				"receipt_no":     r.ReceiptNo,
				"updated_at":     r.UpdatedAt,
			}, nil
		}, "id = ? AND university_code = ?", d.ID, d.UniversityCode)
		out = row.model()
		return err
	})
	if err != nil {
		return models.DonationRecord{}, translate(err, meaning{
			op:       fmt.Sprintf("update donation %d of %s", d.ID, d.UniversityCode),
			notFound: donationNotFound(d.ID, d.UniversityCode),
			conflict: receiptRecorded(d.ReceiptNo),
		})
	}
	return out, nil
}

// receiptRecorded is the conflict of a donation receipt recorded already.
func receiptRecorded(receiptNo string) *models.Error {
	return models.Conflict(
		fmt.Sprintf("捐赠票据号 %s 已登记在该高校的另一笔捐赠上", receiptNo),
		fmt.Sprintf("receipt %s is already recorded for another donation of this university", receiptNo))
}

// ListDonations lists a university's donations in the order recorded.
func (s *Store) ListDonations(ctx context.Context, universityCode string) ([]models.DonationRecord, error) {
	var rows []donationRow
	err := s.listOf(ctx, "universities", "code", universityCode, models.UniversityNotFound(universityCode), func(db *gorm.DB) error {
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
