package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// Certifications (产教融合型企业认定) of registered enterprises, and the import
// of published certification lists.

type certRow struct {
	ID          int64 `gorm:"primaryKey"`
	CreditCode  string
	Level       string
	CertifiedOn date
	RevokedOn   date
	CreatedAt   time.Time
	UpdatedAt   time.Time
	// Set for a certification an accepted application brought.
	CertificateNo string
	ApplicationID *int64
}

func (certRow) TableName() string { return "certifications" }

var certTable = table[certRow]{
	name: "certifications",
	cols: []string{"credit_code", "level", "certified_on", "revoked_on", "created_at", "updated_at"},
	values: func(r *certRow, v []any) []any {
		return append(v, r.CreditCode, r.Level, r.CertifiedOn, r.RevokedOn, r.CreatedAt, r.UpdatedAt)
	},
}

// certKey is a certification's unique key (the constraint certifications_once).
type certKey struct {
	code, level string
	on          models.Date
}

func (r *certRow) key() certKey { return certKey{r.CreditCode, r.Level, r.CertifiedOn.Date} }

// certRowOf is a new certification's row, created at now.
func certRowOf(c models.CertificationRecord, now time.Time) certRow {
	return certRow{
		CreditCode:  c.CreditCode,
		Level:       c.Level,
		CertifiedOn: date{c.CertifiedOn},
		RevokedOn:   optDate(c.RevokedOn),
		CreatedAt:   now,
		UpdatedAt:   now,
	}
}

func (r certRow) auditRecord() (any, error) { return r.model(), nil }

func (r certRow) model() models.CertificationRecord {
	return models.CertificationRecord{
		ID:          r.ID,
		CreditCode:  r.CreditCode,
		Level:       r.Level,
		CertifiedOn: r.CertifiedOn.Date,
		RevokedOn:   r.RevokedOn.ptr(),
		CreatedAt:   r.CreatedAt.UTC(),
		UpdatedAt:   r.UpdatedAt.UTC(),

		CertificateNo: r.CertificateNo,
		ApplicationID: idOf(r.ApplicationID),
	}
}

func (r certRow) certification() models.Certification {
	return models.Certification{Level: r.Level, CertifiedOn: r.CertifiedOn.Date, RevokedOn: r.RevokedOn.ptr()}
}

func certNotFound(id int64, code string) *models.Error {
	return models.NotFound("企业 %[2]s 的认定记录 %[1]d", "certification %[1]d of enterprise %[2]s", id, code)
}

var certConflict = models.Conflict("该企业同一等级、同一认定日期的认定已有记录", "this certification (same level and date) is already recorded for the enterprise")

// AddCertification records a certification of a registered enterprise.
func (s *Store) AddCertification(ctx context.Context, actor models.Actor, c models.CertificationRecord) (models.CertificationRecord, error) {
	var out models.CertificationRecord
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		row := certRowOf(c, s.now())
		if err := s.insertCert(tx, actor, &row); err != nil {
			return err
		}
		out = row.model()
		return nil
	})
	if err != nil {
		return models.CertificationRecord{}, translate(err, meaning{
			op:       "add certification of " + c.CreditCode,
			parent:   models.EnterpriseNotFound(c.CreditCode),
			conflict: certConflict,
		})
	}
	return out, nil
}

// insertCert inserts a new certification's row in tx, setting its ID, and
// audits it.
func (s *Store) insertCert(tx *gorm.DB, actor models.Actor, row *certRow) error {
	if err := tx.Create(row).Error; err != nil {
		return err
	}
	return s.audit(tx, entry{actor, actionCreate, entityCertification, strconv.FormatInt(row.ID, 10)}, nil, row.model())
}

// UpdateCertification corrects a certification's level and dates.
func (s *Store) UpdateCertification(ctx context.Context, actor models.Actor, c models.CertificationRecord) (models.CertificationRecord, error) {
	var out models.CertificationRecord
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		e := entry{actor, actionUpdate, entityCertification, strconv.FormatInt(c.ID, 10)}
		row, err := updateRow(s, tx, e, func(r *certRow) (map[string]any, error) {
			r.Level, r.CertifiedOn, r.RevokedOn, r.UpdatedAt = c.Level, date{c.CertifiedOn}, optDate(c.RevokedOn), s.now()
			return map[string]any{
				"level":        r.Level,
				"certified_on": r.CertifiedOn,
				"revoked_on":   r.RevokedOn,
				"updated_at":   r.UpdatedAt,
			}, nil
		}, "id = ? AND credit_code = ?", c.ID, c.CreditCode)
		out = row.model()
		return err
	})
	if err != nil {
		return models.CertificationRecord{}, translate(err, meaning{
			op:       fmt.Sprintf("update certification %d of %s", c.ID, c.CreditCode),
			notFound: certNotFound(c.ID, c.CreditCode),
			conflict: certConflict,
		})
	}
	return out, nil
}

// ListCertifications lists an enterprise's certifications by date; NotFound
// when the enterprise is not registered.
func (s *Store) ListCertifications(ctx context.Context, creditCode string) ([]models.CertificationRecord, error) {
	var rows []certRow
	err := s.listOf(ctx, "enterprises", "credit_code", creditCode, models.EnterpriseNotFound(creditCode), func(db *gorm.DB) error {
		return db.Where("credit_code = ?", creditCode).Order("certified_on, id").Find(&rows).Error
	})
	if err != nil {
		return nil, err
	}
	out := make([]models.CertificationRecord, len(rows))
	for i, r := range rows {
		out[i] = r.model()
	}
	return out, nil
}

// ImportCertifications applies a whole certification list in one
// transaction (see models.RegistryStore): either every row is applied or,
// when the database refuses one, none. An enterprise already registered
// keeps its name and region. Each enterprise and certification created is
// audited with the action "import".
func (s *Store) ImportCertifications(ctx context.Context, actor models.Actor, rows []models.CertificationImport) (models.ImportSummary, error) {
	var out models.ImportSummary
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		sum := models.ImportSummary{Rows: len(rows)}
		codes := make([]string, 0, len(rows))
		for _, r := range rows {
			codes = append(codes, r.CreditCode)
		}
		codes = uniqueSorted(codes)

		// What is registered already, read once for the whole list.
		registered := map[string]bool{}
		recorded := map[certKey]bool{}
		for _, chunk := range chunks(codes, inListChunk) {
			var have []string
			if err := tx.Model(&enterpriseRow{}).Where("credit_code IN ?", chunk).Pluck("credit_code", &have).Error; err != nil {
				return err
			}
			for _, c := range have {
				registered[c] = true
			}
			var certs []certRow
			if err := tx.Select("credit_code", "level", "certified_on").Where("credit_code IN ?", chunk).Find(&certs).Error; err != nil {
				return err
			}
			for _, c := range certs {
				recorded[c.key()] = true
			}
		}

		now := s.now()
		var newEnterprises []enterpriseRow
		var newCerts []certRow
		for _, r := range rows {
			if !registered[r.CreditCode] {
				registered[r.CreditCode] = true
				newEnterprises = append(newEnterprises, enterpriseRowOf(models.EnterpriseRecord{CreditCode: r.CreditCode, Name: r.Name, Region: r.Region}, now))
			}
			c := certRowOf(models.CertificationRecord{CreditCode: r.CreditCode, Level: r.Level, CertifiedOn: r.CertifiedOn}, now)
			if recorded[c.key()] {
				sum.Duplicates++
				continue
			}
			recorded[c.key()] = true
			newCerts = append(newCerts, c)
		}

		// Inserted in key order, so that two imports of overlapping lists
		// on PostgreSQL wait for each other instead of deadlocking.
		slices.SortFunc(newEnterprises, func(a, b enterpriseRow) int { return strings.Compare(a.CreditCode, b.CreditCode) })
		slices.SortFunc(newCerts, func(a, b certRow) int {
			return cmp.Or(strings.Compare(a.CreditCode, b.CreditCode), strings.Compare(a.Level, b.Level), a.CertifiedOn.Cmp(b.CertifiedOn.Date))
		})

		if err := insertRows(tx, s.dialect, enterpriseTable, newEnterprises); err != nil {
			return raced(err)
		}
		ids, err := insertNumbered(tx, s.dialect, certTable, newCerts, (*certRow).key, "credit_code, level, certified_on",
			func(rs *sql.Rows) (int64, certKey, error) {
				var c certRow
				err := rs.Scan(&c.ID, &c.CreditCode, &c.Level, &c.CertifiedOn)
				return c.ID, c.key(), err
			})
		if err != nil {
			return raced(err)
		}

		audits := make([]auditRow, 0, len(newEnterprises)+len(newCerts))
		for _, e := range newEnterprises {
			rec, err := e.model()
			if err != nil {
				return err
			}
			a, err := s.auditRecord(entry{actor, actionImport, entityEnterprise, e.CreditCode}, nil, rec)
			if err != nil {
				return err
			}
			audits = append(audits, a)
		}
		for i, c := range newCerts {
			c.ID = ids[i]
			a, err := s.auditRecord(entry{actor, actionImport, entityCertification, strconv.FormatInt(c.ID, 10)}, nil, c.model())
			if err != nil {
				return err
			}
			audits = append(audits, a)
		}
		if err := insertRows(tx, s.dialect, auditTable, audits); err != nil {
			return err
		}
		sum.EnterprisesCreated, sum.CertificationsCreated = len(newEnterprises), len(newCerts)
		out = sum
		return nil
	})
	if err != nil {
		return models.ImportSummary{}, translate(err, meaning{op: fmt.Sprintf("import %d certifications", len(rows))})
	}
	return out, nil
}

// raced marks a unique violation on rows this transaction had just found
// missing: a concurrent writer added them, and a second attempt will see them.
func raced(err error) error {
	if isUnique(err) {
		return fmt.Errorf("%w: %w", errRaced, err)
	}
	return err
}
