package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// Registry writes follow one pattern (putRow): in a transaction, insert the
// record with ON CONFLICT DO NOTHING; if a row was inserted it is new,
// otherwise update the existing row with updateRow (locked, changed, audited
// before and after). Two concurrent writers of one new record thus never
// fail: the second waits for the first and becomes an update (last write
// wins).

type enterpriseRow struct {
	CreditCode          string `gorm:"primaryKey"`
	Name                string
	Region              string
	ParentCode          string
	ParentOwnershipPct  string
	ParentActualControl bool
	CreditCarryIn       int64
	PayeeColumns
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (enterpriseRow) TableName() string { return "enterprises" }

// enterpriseRowOf is a new enterprise's row, created at now.
func enterpriseRowOf(e models.EnterpriseRecord, now time.Time) enterpriseRow {
	row := enterpriseRow{
		CreditCode:    e.CreditCode,
		Name:          e.Name,
		Region:        e.Region,
		CreditCarryIn: e.CreditCarryIn.Fen(),
		PayeeColumns:  payeeColumnsOf(e.Payee),
		CreatedAt:     now,
		UpdatedAt:     now,
	}
	if e.Parent != nil {
		row.ParentCode = e.Parent.CreditCode
		row.ParentOwnershipPct = percentText(e.Parent.OwnershipPct)
		row.ParentActualControl = e.Parent.ActualControl
	}
	return row
}

var enterpriseTable = table[enterpriseRow]{
	name: "enterprises",
	cols: []string{"credit_code", "name", "region", "parent_code", "parent_ownership_pct", "parent_actual_control",
		"credit_carry_in", "created_at", "updated_at"},
	values: func(r *enterpriseRow, v []any) []any {
		return append(v, r.CreditCode, r.Name, r.Region, r.ParentCode, r.ParentOwnershipPct, r.ParentActualControl,
			r.CreditCarryIn, r.CreatedAt, r.UpdatedAt)
	},
}

func (r enterpriseRow) auditRecord() (any, error) { return r.model() }

func (r enterpriseRow) model() (models.EnterpriseRecord, error) {
	e := models.EnterpriseRecord{
		CreditCode:    r.CreditCode,
		Name:          r.Name,
		Region:        r.Region,
		CreditCarryIn: models.Fen(r.CreditCarryIn),
		Payee:         r.payee(),
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

// creditYearRowOf is a credit year's row, written at now.
func creditYearRowOf(y models.CreditYearRecord, now time.Time) creditYearRow {
	return creditYearRow{
		CreditCode:              y.CreditCode,
		Year:                    y.Year,
		Investment:              y.Investment.Fen(),
		FiscalSubsidy:           y.FiscalSubsidy.Fen(),
		Withdrawn:               y.Withdrawn.Fen(),
		EducationSurcharge:      y.EducationSurcharge.Fen(),
		LocalEducationSurcharge: y.LocalEducationSurcharge.Fen(),
		UpdatedAt:               now,
	}
}

var creditYearTable = table[creditYearRow]{
	name: "credit_years",
	cols: []string{"credit_code", "year", "investment", "fiscal_subsidy", "withdrawn", "education_surcharge",
		"local_education_surcharge", "updated_at"},
	values: func(r *creditYearRow, v []any) []any {
		return append(v, r.CreditCode, r.Year, r.Investment, r.FiscalSubsidy, r.Withdrawn, r.EducationSurcharge,
			r.LocalEducationSurcharge, r.UpdatedAt)
	},
}

func (r creditYearRow) auditRecord() (any, error) { return r.model(), nil }

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
// credit carry-in, and the payee when e has one) and reports whether it was
// created.
func (s *Store) PutEnterprise(ctx context.Context, actor models.Actor, e models.EnterpriseRecord) (models.EnterpriseRecord, bool, error) {
	var out models.EnterpriseRecord
	var created bool
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		now := s.now()
		in := enterpriseRowOf(e, now)
		// The carry-in is a credit figure with its own method
		// (SetCreditCarryIn): a correction of the name must not reset it.
		// Nor does one that leaves the payee out reset the payee.
		row, isNew, err := putRow(s, tx, entry{actor, actionUpdate, entityEnterprise, in.CreditCode}, in, func(r *enterpriseRow) (map[string]any, error) {
			r.Name, r.Region, r.UpdatedAt = in.Name, in.Region, now
			r.ParentCode, r.ParentOwnershipPct, r.ParentActualControl = in.ParentCode, in.ParentOwnershipPct, in.ParentActualControl
			set := map[string]any{
				"name":                  r.Name,
				"region":                r.Region,
				"parent_code":           r.ParentCode,
				"parent_ownership_pct":  r.ParentOwnershipPct,
				"parent_actual_control": r.ParentActualControl,
				"updated_at":            r.UpdatedAt,
			}
			if e.Payee != nil {
				r.PayeeColumns = in.PayeeColumns
				r.PayeeColumns.set(set)
			}
			return set, nil
		}, "credit_code = ?", in.CreditCode)
		if err != nil {
			return err
		}
		created = isNew
		out, err = row.model()
		return err
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
		row, err := updateRow(s, tx, entry{actor, actionUpdate, entityEnterprise, creditCode}, func(r *enterpriseRow) (map[string]any, error) {
			r.CreditCarryIn, r.UpdatedAt = amount.Fen(), s.now()
			return map[string]any{"credit_carry_in": r.CreditCarryIn, "updated_at": r.UpdatedAt}, nil
		}, "credit_code = ?", creditCode)
		if err != nil {
			return err
		}
		out, err = row.model()
		return err
	})
	if err != nil {
		return models.EnterpriseRecord{}, translate(err, meaning{op: "set credit carry-in of " + creditCode, notFound: models.EnterpriseNotFound(creditCode)})
	}
	return out, nil
}

// GetEnterprise returns a registered enterprise.
func (s *Store) GetEnterprise(ctx context.Context, creditCode string) (models.EnterpriseRecord, error) {
	var row enterpriseRow
	err := s.read(ctx, func(db *gorm.DB) error { return db.Where("credit_code = ?", creditCode).Take(&row).Error })
	if err != nil {
		return models.EnterpriseRecord{}, translate(err, meaning{
			op:       "get enterprise " + creditCode,
			notFound: models.EnterpriseNotFound(creditCode),
		})
	}
	return row.model()
}

// likeLiteral escapes LIKE's wildcards (and its escape character) in text
// a person typed: "%" finds a percent sign, not everything.
var likeLiteral = strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`)

// ListEnterprises lists enterprises in credit-code order. Limit 0 lists
// every match.
func (s *Store) ListEnterprises(ctx context.Context, f models.EnterpriseFilter) ([]models.EnterpriseRecord, error) {
	var rows []enterpriseRow
	err := s.read(ctx, func(db *gorm.DB) error {
		q := db.Model(&enterpriseRow{})
		if f.Name != "" {
			// LOWER on both sides: PostgreSQL's LIKE heeds case, SQLite's
			// does not; lowered, both ignore the case of Latin letters.
			q = q.Where(`LOWER(name) LIKE LOWER(?) ESCAPE '\'`, "%"+likeLiteral.Replace(f.Name)+"%")
		}
		return listed(q, []match{
			{"region", f.Region}, {"parent_code", f.Parent},
		}, "credit_code", f.AfterCode, f.Limit).Find(&rows).Error
	})
	if err != nil {
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
		in := creditYearRowOf(y, s.now())
		row, isNew, err := putRow(s, tx, entry{actor, actionUpdate, entityCreditYear, entityID}, in, func(r *creditYearRow) (map[string]any, error) {
			*r = in // the year's figures are replaced whole
			return map[string]any{
				"investment":                r.Investment,
				"fiscal_subsidy":            r.FiscalSubsidy,
				"withdrawn":                 r.Withdrawn,
				"education_surcharge":       r.EducationSurcharge,
				"local_education_surcharge": r.LocalEducationSurcharge,
				"updated_at":                r.UpdatedAt,
			}, nil
		}, "credit_code = ? AND year = ?", y.CreditCode, y.Year)
		out, created = row.model(), isNew
		return err
	})
	if err != nil {
		return models.CreditYearRecord{}, false, translate(err, meaning{
			op:     "put credit year " + entityID,
			parent: models.EnterpriseNotFound(y.CreditCode),
		})
	}
	return out, created, nil
}

// ListCreditYears lists an enterprise's credit years in year order.
func (s *Store) ListCreditYears(ctx context.Context, creditCode string) ([]models.CreditYearRecord, error) {
	var rows []creditYearRow
	err := s.listOf(ctx, "enterprises", "credit_code", creditCode, models.EnterpriseNotFound(creditCode), func(db *gorm.DB) error {
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

// listOf runs find for the records of a registered subject, or answers
// NotFound when the subject (table.col = code) is not registered. table and
// col are the store's own constants, never input.
func (s *Store) listOf(ctx context.Context, table, col, code string, missing *models.Error, find func(*gorm.DB) error) error {
	registered := false
	err := s.read(ctx, func(db *gorm.DB) error {
		var n int64
		if err := db.Table(table).Where(col+" = ?", code).Limit(1).Count(&n).Error; err != nil {
			return err
		}
		if registered = n > 0; !registered {
			return nil
		}
		return find(db)
	})
	if err == nil && !registered {
		return missing
	}
	return translate(err, meaning{op: "list records of " + code})
}

// inListChunk bounds the values of one IN list, well inside SQLite's and
// PostgreSQL's limits on bound parameters.
const inListChunk = 500

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
