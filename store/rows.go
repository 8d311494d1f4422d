package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"gorm.io/gorm"
)

// The one way rows are written many at a time (and audit entries, even one
// at a time), and the one way rows read by hand are scanned.

// A table says how rows of type R are inserted: into which table, which
// columns, and a row's values in the order of the columns.
type table[R any] struct {
	name   string
	cols   []string
	values func(r *R, v []any) []any // appends r's values to v
}

// insertRows inserts rows into t in tx.
func insertRows[R any](tx *gorm.DB, d dialect, t table[R], rows []R) error {
	return insertGroups(tx, d, t, rows, "", nil)
}

// insertNumbered inserts rows into t, a table that numbers its rows (an
// id column), and returns their IDs in the order of rows. The database
// returns the rows (RETURNING id and the columns keyCols) in no promised
// order, so each is matched to its row by its unique key: scan reads a
// returned row's id and key, key computes a row's.
func insertNumbered[R any, K comparable](tx *gorm.DB, d dialect, t table[R], rows []R,
	key func(*R) K, keyCols string, scan func(*sql.Rows) (int64, K, error)) ([]int64, error) {
	index := make(map[K]int, len(rows))
	for i := range rows {
		index[key(&rows[i])] = i
	}
	ids := make([]int64, len(rows))
	err := insertGroups(tx, d, t, rows, "id, "+keyCols, func(rs *sql.Rows) error {
		id, k, err := scan(rs)
		if err != nil {
			return err
		}
		i, ok := index[k]
		if !ok {
			return fmt.Errorf("insert into %s: the database returned a key not inserted: %+v", t.name, k)
		}
		ids[i] = id
		return nil
	})
	if err != nil {
		return nil, err
	}
	for i, id := range ids {
		if id == 0 {
			return nil, fmt.Errorf("insert into %s: no id returned for %+v", t.name, key(&rows[i]))
		}
	}
	return ids, nil
}

// bulkParams bounds the bound parameters of one multi-row INSERT on
// PostgreSQL, well inside its limit (65535).
const bulkParams = 20000

// bulkRows bounds the rows of one multi-row INSERT on PostgreSQL.
const bulkRows = 1000

// sqliteGroup is the number of rows of one INSERT on SQLite.
const sqliteGroup = 32

// insertGroups inserts rows with multi-row INSERT statements, a group of
// rows each, passing the rows of a RETURNING clause (the columns ret; none
// when empty) to scan. The best group differs by database: SQLite compiles
// a statement of a thousand rows more slowly than it runs it, so its groups
// are small and their statement is prepared once and reused (the classic
// fast SQLite insert); PostgreSQL pays a round trip per statement, so its
// groups are large (and pgx caches the statement anyway). A statement run
// once, such as an audit entry's, is not prepared.
//
// Every statement is run as a query, with or without RETURNING, so that one
// path serves both; its rows are read to the end, which runs it.
func insertGroups[R any](tx *gorm.DB, d dialect, t table[R], rows []R, ret string, scan func(*sql.Rows) error) error {
	per := min(bulkRows, bulkParams/len(t.cols))
	ctx := tx.Statement.Context
	if d == dialectSQLite {
		per = sqliteGroup
		// See Store.manyRows: mattn/go-sqlite3 starts a goroutine per
		// statement and per row read for a cancellable context.
		ctx = context.WithoutCancel(ctx)
	}
	conn := tx.Statement.ConnPool
	var full *sql.Stmt // the statement of a whole group, when it runs more than once
	if len(rows)/per > 1 {
		var err error
		if full, err = conn.PrepareContext(ctx, insertSQL(d, t, per, ret)); err != nil {
			return err
		}
		defer full.Close()
	}
	args := make([]any, 0, min(len(rows), per)*len(t.cols))
	for start := 0; start < len(rows); start += per {
		group := rows[start:min(len(rows), start+per)]
		args = args[:0]
		for i := range group {
			args = t.values(&group[i], args)
		}
		var rs *sql.Rows
		var err error
		if full != nil && len(group) == per {
			rs, err = full.QueryContext(ctx, args...)
		} else {
			rs, err = conn.QueryContext(ctx, insertSQL(d, t, len(group), ret), args...)
		}
		if err != nil {
			return err
		}
		if err := scanRows(rs, scan); err != nil {
			return err
		}
	}
	return nil
}

// insertSQL writes an INSERT of n rows into t, with the dialect's
// placeholders.
func insertSQL[R any](d dialect, t table[R], n int, ret string) string {
	var sb strings.Builder
	sb.WriteString("INSERT INTO " + t.name + " (" + strings.Join(t.cols, ", ") + ") VALUES ")
	k := 0
	for i := range n {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteByte('(')
		for j := range t.cols {
			if j > 0 {
				sb.WriteString(", ")
			}
			k++
			if d == dialectPostgres {
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

// scanRows passes each of rs's rows to scan (nil: reads them to the end)
// and closes rs.
func scanRows(rs *sql.Rows, scan func(*sql.Rows) error) error {
	defer rs.Close()
	for rs.Next() {
		if scan == nil {
			continue
		}
		if err := scan(rs); err != nil {
			return err
		}
	}
	return rs.Err()
}
