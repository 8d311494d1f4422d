package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"gorm.io/gorm"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// Bulk loading puts a whole slice of a registry into the database at once:
// a synthetic registry for the screening benchmark (store/registrygen), or a
// first load of a published register. The audited one-record writes of
// registry.go cost a transaction and an audit entry each, which is right for
// a clerk's edit and far too slow for a hundred thousand enterprises.

// RegistryBatch is a slice of a registry to load in one transaction. Every
// record in it is new: the enterprises and universities are not registered
// yet, and the certifications, credit years and donations belong to
// enterprises and universities of this batch or of one loaded before.
type RegistryBatch struct {
	Enterprises    []models.EnterpriseRecord
	Certifications []models.CertificationRecord
	CreditYears    []models.CreditYearRecord
	Universities   []models.UniversityRecord
	Donations      []models.DonationRecord
}

// BulkSummary counts the records a bulk load inserted.
type BulkSummary struct {
	Enterprises    int `json:"enterprises"`
	Certifications int `json:"certifications"`
	CreditYears    int `json:"credit_years"`
	Universities   int `json:"universities"`
	Donations      int `json:"donations"`
}

// entityRegistry is the audit entity of a bulk load: one entry per batch.
const entityRegistry = "registry"

// bulkParams bounds the bound parameters of one multi-row INSERT on
// PostgreSQL, well inside its limit (65535).
const bulkParams = 20000

// bulkRows bounds the rows of one multi-row INSERT on PostgreSQL.
const bulkRows = 1000

var bulkConflict = models.Conflict(
	"批量导入的记录已存在（企业、高校已登记，或认定重复）",
	"a record of the bulk load already exists (an enterprise or university already registered, or a repeated certification)")

var bulkParent = models.Errorf(models.CodeNotFound,
	"批量导入的认定、信用年度或捐赠所属的企业或高校未登记",
	"a certification, credit year or donation of the bulk load belongs to an enterprise or university that is not registered")

// BulkLoadRegistry inserts a batch of new registry records in one
// transaction, with multi-row INSERTs, and records one audit entry for the
// whole batch (action "import", entity "registry", the counts and the first
// and last codes as its record) instead of one per record. The batch is
// all or nothing: a record the database refuses (a constraint, as for the
// one-record writes: CodeInvalid naming it) leaves none of it written, as
// does a record that already exists (Conflict) or a dependent record of an
// unregistered enterprise or university (NotFound). IDs and times of the
// records are set by the store, as by the one-record writes; the IDs are
// not returned.
func (s *Store) BulkLoadRegistry(ctx context.Context, actor models.Actor, b RegistryBatch) (BulkSummary, error) {
	sum := BulkSummary{
		Enterprises: len(b.Enterprises), Certifications: len(b.Certifications), CreditYears: len(b.CreditYears),
		Universities: len(b.Universities), Donations: len(b.Donations),
	}
	if sum == (BulkSummary{}) {
		return sum, nil
	}
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		now := s.now()
		ins := bulkInserter{tx: tx, dialect: s.dialect}
		err := ins.rows("enterprises", []string{"credit_code", "name", "region", "parent_code", "parent_ownership_pct",
			"parent_actual_control", "credit_carry_in", "created_at", "updated_at"}, len(b.Enterprises),
			func(i int, v []any) []any {
				r := enterpriseRowOf(b.Enterprises[i])
				return append(v, r.CreditCode, r.Name, r.Region, r.ParentCode, r.ParentOwnershipPct,
					r.ParentActualControl, r.CreditCarryIn, now, now)
			})
		if err != nil {
			return fmt.Errorf("insert enterprises: %w", err)
		}
		err = ins.rows("certifications", []string{"credit_code", "level", "certified_on", "revoked_on", "created_at", "updated_at"},
			len(b.Certifications), func(i int, v []any) []any {
				c := b.Certifications[i]
				return append(v, c.CreditCode, c.Level, c.CertifiedOn.String(), nullDate(c.RevokedOn), now, now)
			})
		if err != nil {
			return fmt.Errorf("insert certifications: %w", err)
		}
		err = ins.rows("credit_years", []string{"credit_code", "year", "investment", "fiscal_subsidy", "withdrawn",
			"education_surcharge", "local_education_surcharge", "updated_at"}, len(b.CreditYears),
			func(i int, v []any) []any {
				r := creditYearRowOf(b.CreditYears[i])
				return append(v, r.CreditCode, r.Year, r.Investment, r.FiscalSubsidy, r.Withdrawn,
					r.EducationSurcharge, r.LocalEducationSurcharge, now)
			})
		if err != nil {
			return fmt.Errorf("insert credit years: %w", err)
		}
		err = ins.rows("universities", []string{"code", "name", "ownership", "affiliation", "created_at", "updated_at"},
			len(b.Universities), func(i int, v []any) []any {
				u := b.Universities[i]
				return append(v, u.Code, u.Name, u.Ownership, u.Affiliation, now, now)
			})
		if err != nil {
			return fmt.Errorf("insert universities: %w", err)
		}
		err = ins.rows("donations", []string{"university_code", "amount", "form", "via_foundation", "arrived_on", "created_at", "updated_at"},
			len(b.Donations), func(i int, v []any) []any {
				d := b.Donations[i]
				return append(v, d.UniversityCode, d.Amount.Fen(), d.Form, d.ViaFoundation, nullDate(d.ArrivedOn), now, now)
			})
		if err != nil {
			return fmt.Errorf("insert donations: %w", err)
		}
		return s.audit(tx, actor, actionImport, entityRegistry, batchID(b), nil, struct {
			BulkSummary
			First string `json:"first,omitempty"`
			Last  string `json:"last,omitempty"`
		}{sum, firstCode(b), lastCode(b)})
	})
	if err != nil {
		return BulkSummary{}, translate(err, meaning{op: "bulk load registry", conflict: bulkConflict, parent: bulkParent})
	}
	return sum, nil
}

// batchID names a batch in the audit trail by the first code it loads.
func batchID(b RegistryBatch) string {
	return "bulk:" + firstCode(b)
}

func firstCode(b RegistryBatch) string {
	switch {
	case len(b.Enterprises) > 0:
		return b.Enterprises[0].CreditCode
	case len(b.Universities) > 0:
		return b.Universities[0].Code
	case len(b.Certifications) > 0:
		return b.Certifications[0].CreditCode
	case len(b.CreditYears) > 0:
		return b.CreditYears[0].CreditCode
	case len(b.Donations) > 0:
		return b.Donations[0].UniversityCode
	}
	return ""
}

func lastCode(b RegistryBatch) string {
	switch {
	case len(b.Universities) > 0:
		return b.Universities[len(b.Universities)-1].Code
	case len(b.Enterprises) > 0:
		return b.Enterprises[len(b.Enterprises)-1].CreditCode
	}
	return ""
}

// nullDate is an optional date as a statement parameter.
func nullDate(d *models.Date) any {
	if d == nil || d.IsZero() {
		return nil
	}
	return d.String()
}

// bulkInserter writes rows with multi-row INSERT statements, prepared once
// per call and run for each group of rows. The best group differs by
// database: SQLite compiles a statement of a thousand rows more slowly than
// it runs it, so its groups are small and the statement is reused (the
// classic fast SQLite insert); PostgreSQL pays a round trip per statement,
// so its groups are large.
type bulkInserter struct {
	tx      *gorm.DB
	dialect dialect
	args    []any
}

// sqliteGroup is the number of rows of one INSERT on SQLite.
const sqliteGroup = 32

// rows inserts n rows into table; values appends row i's values, in the
// order of cols, to v and returns it.
func (b *bulkInserter) rows(table string, cols []string, n int, values func(i int, v []any) []any) error {
	return b.returning(table, cols, n, values, "", nil)
}

// returning is rows with a RETURNING clause of the columns ret (none when
// empty), whose rows are passed to scan.
func (b *bulkInserter) returning(table string, cols []string, n int, values func(i int, v []any) []any,
	ret string, scan func(*sql.Rows) error) error {
	per := min(bulkRows, bulkParams/len(cols))
	ctx := b.tx.Statement.Context
	if b.dialect == dialectSQLite {
		per = sqliteGroup
		// See Store.manyRows: mattn/go-sqlite3 starts a goroutine per
		// statement and per row read for a cancellable context.
		ctx = context.WithoutCancel(ctx)
	}
	var stmt *sql.Stmt
	stmtRows := 0
	defer func() {
		if stmt != nil {
			stmt.Close()
		}
	}()
	for start := 0; start < n; start += per {
		end := min(n, start+per)
		if end-start != stmtRows {
			if stmt != nil {
				stmt.Close()
			}
			var err error
			stmt, err = b.tx.Statement.ConnPool.PrepareContext(ctx, b.insertSQL(table, cols, end-start, ret))
			if err != nil {
				return err
			}
			stmtRows = end - start
		}
		b.args = b.args[:0]
		for i := start; i < end; i++ {
			b.args = values(i, b.args)
		}
		if ret == "" {
			if _, err := stmt.ExecContext(ctx, b.args...); err != nil {
				return err
			}
			continue
		}
		rs, err := stmt.QueryContext(ctx, b.args...)
		if err != nil {
			return err
		}
		if err := scanRows(rs, scan); err != nil {
			return err
		}
	}
	return nil
}

// insertSQL writes an INSERT of rows rows into table, with the dialect's
// placeholders.
func (b *bulkInserter) insertSQL(table string, cols []string, rows int, ret string) string {
	var sb strings.Builder
	sb.WriteString("INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES ")
	k := 0
	for i := range rows {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteByte('(')
		for j := range cols {
			if j > 0 {
				sb.WriteString(", ")
			}
			k++
			if b.dialect == dialectPostgres {
				sb.WriteString("$" + strconv.Itoa(k))
			} else {
				sb.WriteByte('?')
			}
		}
		sb.WriteByte(')')
	}
	if ret != "" {
		sb.WriteString(" RETURNING " + ret)
	}
	return sb.String()
}

// scanAll runs a query and passes each of its rows to scan.
func scanAll(q *gorm.DB, scan func(*sql.Rows) error) error {
	rs, err := q.Rows()
	if err != nil {
		return err
	}
	return scanRows(rs, scan)
}

// scanRows passes each of rs's rows to scan and closes rs.
func scanRows(rs *sql.Rows, scan func(*sql.Rows) error) error {
	defer rs.Close()
	for rs.Next() {
		if err := scan(rs); err != nil {
			return err
		}
	}
	return rs.Err()
}
