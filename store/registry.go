package store

import (
	"context"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// Registry writes follow one pattern: in a transaction, insert the record
// with ON CONFLICT DO NOTHING; if a row was inserted it is new, otherwise
// read the existing row with a row lock (PostgreSQL; SQLite's transaction
// already holds the write lock), update it, and audit before and after. Two
// concurrent writers of one new record thus never fail: the second waits for
// the first and becomes an update (last write wins).

type enterpriseRow struct {
	CreditCode          string `gorm:"primaryKey"`
	Name                string
	Region              string
	ParentCode          string
	ParentOwnershipPct  string
	ParentActualControl bool
	CreditCarryIn       int64
	CreatedAt           time.Time
	UpdatedAt           time.Time
}

func (enterpriseRow) TableName() string { return "enterprises" }

func enterpriseRowOf(e models.EnterpriseRecord) enterpriseRow {
	row := enterpriseRow{
		CreditCode:    e.CreditCode,
		Name:          e.Name,
		Region:        e.Region,
		CreditCarryIn: e.CreditCarryIn.Fen(),
	}
	if e.Parent != nil {
		row.ParentCode = e.Parent.CreditCode
		row.ParentOwnershipPct = percentText(e.Parent.OwnershipPct)
		row.ParentActualControl = e.Parent.ActualControl
	}
	return row
}

func (r enterpriseRow) model() (models.EnterpriseRecord, error) {
	e := models.EnterpriseRecord{
		CreditCode:    r.CreditCode,
		Name:          r.Name,
		Region:        r.Region,
		CreditCarryIn: models.Fen(r.CreditCarryIn),
		CreatedAt:     r.CreatedAt.UTC(),
		UpdatedAt:     r.UpdatedAt.UTC(),
	}
	if r.ParentCode != "" {
		pct, err := parsePercent(r.ParentOwnershipPct)
		if err != nil {
			return models.EnterpriseRecord{}, fmt.Errorf("enterprise %s: %w", r.CreditCode, err)
		}
		e.Parent = &models.ParentLink{CreditCode: r.ParentCode, OwnershipPct: pct, ActualControl: r.ParentActualControl}
	}
	return e, nil
}

type creditYearRow struct {
	CreditCode              string `gorm:"primaryKey"`
	Year                    int    `gorm:"primaryKey;autoIncrement:false"`
	Investment              int64
	FiscalSubsidy           int64
	Withdrawn               int64
	EducationSurcharge      int64
	LocalEducationSurcharge int64
	UpdatedAt               time.Time
}

func (creditYearRow) TableName() string { return "credit_years" }

func creditYearRowOf(y models.CreditYearRecord) creditYearRow {
	return creditYearRow{
		CreditCode:              y.CreditCode,
		Year:                    y.Year,
		Investment:              y.Investment.Fen(),
		FiscalSubsidy:           y.FiscalSubsidy.Fen(),
		Withdrawn:               y.Withdrawn.Fen(),
		EducationSurcharge:      y.EducationSurcharge.Fen(),
		LocalEducationSurcharge: y.LocalEducationSurcharge.Fen(),
	}
}

func (r creditYearRow) model() models.CreditYearRecord {
	return models.CreditYearRecord{
		CreditCode:              r.CreditCode,
		Year:                    r.Year,
		Investment:              models.Fen(r.Investment),
		FiscalSubsidy:           models.Fen(r.FiscalSubsidy),
		Withdrawn:               models.Fen(r.Withdrawn),
		EducationSurcharge:      models.Fen(r.EducationSurcharge),
		LocalEducationSurcharge: models.Fen(r.LocalEducationSurcharge),
		UpdatedAt:               r.UpdatedAt.UTC(),
	}
}

func (r creditYearRow) creditYear() models.CreditYear {
	m := r.model()
	return models.CreditYear{
		Year:                    m.Year,
		Investment:              m.Investment,
		FiscalSubsidy:           m.FiscalSubsidy,
		Withdrawn:               m.Withdrawn,
		EducationSurcharge:      m.EducationSurcharge,
		LocalEducationSurcharge: m.LocalEducationSurcharge,
	}
}

// ---- enterprises ----

// PutEnterprise creates or updates an enterprise (name, region, parent,
// credit carry-in) and reports whether it was created.
func (s *Store) PutEnterprise(ctx context.Context, actor models.Actor, e models.EnterpriseRecord) (models.EnterpriseRecord, bool, error) {
	var out models.EnterpriseRecord
	var created bool
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		now := s.now()
		row := enterpriseRowOf(e)
		row.CreatedAt, row.UpdatedAt = now, now
		var err error
		if created, err = insertNew(tx, &row); err != nil {
			return err
		}
		if created {
			if out, err = row.model(); err != nil {
				return err
			}
			return s.audit(tx, actor, actionCreate, entityEnterprise, row.CreditCode, nil, out)
		}
		var old enterpriseRow
		if err := forUpdate(tx).Where("credit_code = ?", e.CreditCode).Take(&old).Error; err != nil {
			return err
		}
		before, err := old.model()
		if err != nil {
			return err
		}
		row.CreatedAt = old.CreatedAt
		// The carry-in is a credit figure with its own method: a correction
		// of the name must not reset it.
		row.CreditCarryIn = old.CreditCarryIn
		err = tx.Model(&enterpriseRow{}).Where("credit_code = ?", e.CreditCode).Updates(map[string]any{
			"name":                  row.Name,
			"region":                row.Region,
			"parent_code":           row.ParentCode,
			"parent_ownership_pct":  row.ParentOwnershipPct,
			"parent_actual_control": row.ParentActualControl,
			"updated_at":            row.UpdatedAt,
		}).Error
		if err != nil {
			return err
		}
		if out, err = row.model(); err != nil {
			return err
		}
		return s.audit(tx, actor, actionUpdate, entityEnterprise, row.CreditCode, before, out)
	})
	if err != nil {
		return models.EnterpriseRecord{}, false, translate(err, meaning{op: "put enterprise " + e.CreditCode})
	}
	return out, created, nil
}

// SetCreditCarryIn records the credit an enterprise carries in from before
// its first recorded credit year, audited with the record before and after.
func (s *Store) SetCreditCarryIn(ctx context.Context, actor models.Actor, creditCode string, amount models.Money) (models.EnterpriseRecord, error) {
	var out models.EnterpriseRecord
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		var old enterpriseRow
		if err := forUpdate(tx).Where("credit_code = ?", creditCode).Take(&old).Error; err != nil {
			return err
		}
		before, err := old.model()
		if err != nil {
			return err
		}
		row := old
		row.CreditCarryIn, row.UpdatedAt = amount.Fen(), s.now()
		err = tx.Model(&enterpriseRow{}).Where("credit_code = ?", creditCode).Updates(map[string]any{
			"credit_carry_in": row.CreditCarryIn,
			"updated_at":      row.UpdatedAt,
		}).Error
		if err != nil {
			return err
		}
		if out, err = row.model(); err != nil {
			return err
		}
		return s.audit(tx, actor, actionUpdate, entityEnterprise, creditCode, before, out)
	})
	if err != nil {
		return models.EnterpriseRecord{}, translate(err, meaning{op: "set credit carry-in of " + creditCode, notFound: enterpriseNotFound(creditCode)})
	}
	return out, nil
}

// GetEnterprise returns a registered enterprise.
func (s *Store) GetEnterprise(ctx context.Context, creditCode string) (models.EnterpriseRecord, error) {
	var row enterpriseRow
	if err := s.db.WithContext(ctx).Where("credit_code = ?", creditCode).Take(&row).Error; err != nil {
		return models.EnterpriseRecord{}, translate(err, meaning{
			op:       "get enterprise " + creditCode,
			notFound: enterpriseNotFound(creditCode),
		})
	}
	return row.model()
}

// ListEnterprises lists enterprises in credit-code order. Limit 0 lists
// every match.
func (s *Store) ListEnterprises(ctx context.Context, f models.EnterpriseFilter) ([]models.EnterpriseRecord, error) {
	q := s.db.WithContext(ctx).Model(&enterpriseRow{})
	if f.Region != "" {
		q = q.Where("region = ?", f.Region)
	}
	if f.Parent != "" {
		q = q.Where("parent_code = ?", f.Parent)
	}
	if f.AfterCode != "" {
		q = q.Where("credit_code > ?", f.AfterCode)
	}
	if f.Limit > 0 {
		q = q.Limit(f.Limit)
	}
	var rows []enterpriseRow
	if err := q.Order("credit_code").Find(&rows).Error; err != nil {
		return nil, translate(err, meaning{op: "list enterprises"})
	}
	out := make([]models.EnterpriseRecord, len(rows))
	for i, r := range rows {
		var err error
		if out[i], err = r.model(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ---- credit years ----

// PutCreditYear creates or replaces one year's credit figures of a
// registered enterprise and reports whether it was created.
func (s *Store) PutCreditYear(ctx context.Context, actor models.Actor, y models.CreditYearRecord) (models.CreditYearRecord, bool, error) {
	entityID := fmt.Sprintf("%s/%d", y.CreditCode, y.Year)
	var out models.CreditYearRecord
	var created bool
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		row := creditYearRowOf(y)
		row.UpdatedAt = s.now()
		var err error
		if created, err = insertNew(tx, &row); err != nil {
			return err
		}
		out = row.model()
		if created {
			return s.audit(tx, actor, actionCreate, entityCreditYear, entityID, nil, out)
		}
		var old creditYearRow
		if err := forUpdate(tx).Where("credit_code = ? AND year = ?", y.CreditCode, y.Year).Take(&old).Error; err != nil {
			return err
		}
		err = tx.Model(&creditYearRow{}).Where("credit_code = ? AND year = ?", y.CreditCode, y.Year).Updates(map[string]any{
			"investment":                row.Investment,
			"fiscal_subsidy":            row.FiscalSubsidy,
			"withdrawn":                 row.Withdrawn,
			"education_surcharge":       row.EducationSurcharge,
			"local_education_surcharge": row.LocalEducationSurcharge,
			"updated_at":                row.UpdatedAt,
		}).Error
		if err != nil {
			return err
		}
		return s.audit(tx, actor, actionUpdate, entityCreditYear, entityID, old.model(), out)
	})
	if err != nil {
		return models.CreditYearRecord{}, false, translate(err, meaning{
			op:     "put credit year " + entityID,
			parent: enterpriseNotFound(y.CreditCode),
		})
	}
	return out, created, nil
}

// ListCreditYears lists an enterprise's credit years in year order.
func (s *Store) ListCreditYears(ctx context.Context, creditCode string) ([]models.CreditYearRecord, error) {
	var rows []creditYearRow
	err := s.listOf(ctx, "enterprises", "credit_code", creditCode, enterpriseNotFound(creditCode), func(db *gorm.DB) error {
		return db.Where("credit_code = ?", creditCode).Order("year").Find(&rows).Error
	})
	if err != nil {
		return nil, err
	}
	out := make([]models.CreditYearRecord, len(rows))
	for i, r := range rows {
		out[i] = r.model()
	}
	return out, nil
}

// ---- helpers ----

// forUpdate locks the rows a query reads until the transaction ends
// (PostgreSQL; the SQLite dialect leaves the clause out, its transactions
// hold the write lock already).
func forUpdate(tx *gorm.DB) *gorm.DB {
	return tx.Clauses(clause.Locking{Strength: "UPDATE"})
}

// insertNew inserts row unless its primary key exists and reports whether
// it did.
func insertNew(tx *gorm.DB, row any) (bool, error) {
	res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(row)
	return res.RowsAffected == 1, res.Error
}

// exists reports whether a row of table has col = val. table and col are
// the store's own constants, never input.
func (s *Store) exists(ctx context.Context, table, col, val string) (bool, error) {
	var n int64
	err := s.db.WithContext(ctx).Table(table).Where(col+" = ?", val).Limit(1).Count(&n).Error
	return n > 0, err
}

// listOf runs find for the records of a registered subject, or answers
// NotFound when the subject (table.col = code) is not registered.
func (s *Store) listOf(ctx context.Context, table, col, code string, missing *models.Error, find func(*gorm.DB) error) error {
	ok, err := s.exists(ctx, table, col, code)
	if err == nil && !ok {
		return missing
	}
	if err == nil {
		err = find(s.db.WithContext(ctx))
	}
	return translate(err, meaning{op: "list records of " + code})
}

// inListChunk bounds the values of one IN list, well inside SQLite's and
// PostgreSQL's limits on bound parameters.
const inListChunk = 500

// insertBatch is the number of rows of one multi-row INSERT.
const insertBatch = 100

// chunks splits s into slices of at most n elements.
func chunks[T any](s []T, n int) [][]T {
	var out [][]T
	for len(s) > n {
		out = append(out, s[:n])
		s = s[n:]
	}
	if len(s) > 0 {
		out = append(out, s)
	}
	return out
}

// uniqueSorted returns the distinct strings of s in order.
func uniqueSorted(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return slices.Compact(out)
}
