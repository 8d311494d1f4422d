package store

import (
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// A stored record changes one way: in a transaction, its row is read with a
// row lock, changed, written back and audited before and after. Two writers
// of one record thus take turns, and each audit entry's "before" is what
// the change replaced.

// auditedRow is a stored row that shows itself in the audit trail as the
// record the API returns.
type auditedRow interface {
	auditRecord() (any, error)
}

// updateRow reads the row of R that where and args select with a row lock
// (FOR UPDATE on PostgreSQL; SQLite's transaction holds the write lock
// already), lets edit change it and name the columns it set with their
// values, writes those, and audits the record before and after as e. When
// edit sets no column, nothing is written or audited; an error from edit
// (such as a Conflict) stops the change. It returns the row as changed.
func updateRow[R auditedRow](s *Store, tx *gorm.DB, e entry, edit func(row *R) (map[string]any, error), where string, args ...any) (R, error) {
	var old R
	if err := forUpdate(tx).Where(where, args...).Take(&old).Error; err != nil {
		return old, err
	}
	row := old
	set, err := edit(&row)
	if err != nil || len(set) == 0 {
		return row, err
	}
	if err := tx.Model(new(R)).Where(where, args...).Updates(set).Error; err != nil {
		return row, err
	}
	before, err := old.auditRecord()
	if err != nil {
		return row, err
	}
	after, err := row.auditRecord()
	if err != nil {
		return row, err
	}
	return row, s.audit(tx, e, before, after)
}

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
