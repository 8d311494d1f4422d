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

// putRow writes a record that may exist already: it inserts in unless its
// primary key exists (insertNew), auditing a create, or else changes the
// existing row with updateRow (edit, where and args as there), auditing e,
// the update. It returns the row as stored and whether it was created.
func putRow[R auditedRow](s *Store, tx *gorm.DB, e entry, in R, edit func(row *R) (map[string]any, error), where string, args ...any) (R, bool, error) {
	created, err := insertNew(tx, &in)
	if err != nil {
		return in, false, err
	}
	if !created {
		row, err := updateRow(s, tx, e, edit, where, args...)
		return row, false, err
	}
	rec, err := in.auditRecord()
	if err != nil {
		return in, true, err
	}
	e.action = actionCreate
	return in, true, s.audit(tx, e, nil, rec)
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
