package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/mattn/go-sqlite3"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// Database faults that the tests cannot cause on a shared server are
// translated as the driver would report them.
func TestTranslateFaults(t *testing.T) {
	pg := func(code string) error {
		return fmt.Errorf("exec: %w", &pgconn.PgError{Severity: "FATAL", Code: code, Message: "the server says so"})
	}
	checkFailed := func(code, constraint, msg string) error {
		return fmt.Errorf("exec: %w", &pgconn.PgError{Severity: "ERROR", Code: code, Message: msg,
			ConstraintName: constraint, TableName: "enterprises", ColumnName: "name"})
	}
	for _, tc := range []struct {
		name  string
		err   error
		want  failure
		field string // the field the message names, if any
	}{
		{"backend terminated (57P01)", pg("57P01"), failConnection, ""},
		{"crash shutdown (57P02)", pg("57P02"), failConnection, ""},
		{"server starting up (57P03)", pg("57P03"), failConnection, ""},
		{"connection failure (08006)", pg("08006"), failConnection, ""},
		{"network error", &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{}}, failConnection, ""},
		{"connection refused", fmt.Errorf("dial: %w", syscall.ECONNREFUSED), failConnection, ""},
		{"broken pipe", fmt.Errorf("write: %w", syscall.EPIPE), failConnection, ""},
		{"reset", fmt.Errorf("read: %w", syscall.ECONNRESET), failConnection, ""},
		{"unexpected EOF", fmt.Errorf("receive message: %w", io.ErrUnexpectedEOF), failConnection, ""},
		{"bad connection", driver.ErrBadConn, failConnection, ""},
		{"read-only transaction (25006)", pg("25006"), failReadOnly, ""},
		{"read-only SQLite", sqlite3.Error{Code: sqlite3.ErrReadonly}, failReadOnly, ""},
		{"disk full (53100)", pg("53100"), failFull, ""},
		{"out of memory (53200)", pg("53200"), failFull, ""},
		{"too many connections (53300)", pg("53300"), failFull, ""},
		{"SQLite full", sqlite3.Error{Code: sqlite3.ErrFull}, failFull, ""},
		{"caller gave up", fmt.Errorf("query: %w", context.Canceled), failOther, ""},
		{"syntax error (42601)", pg("42601"), failOther, ""},
		// A refused record is the client's to fix: the message is fixed
		// words, with the field when the constraint is known.
		{"named check (23514)", checkFailed("23514", "enterprises_parent_set",
			`new row for relation "enterprises" violates check constraint "enterprises_parent_set"`), failCheck, "parent.credit_code"},
		{"unnamed check (23514)", checkFailed("23514", "donations_amount_check",
			`new row for relation "donations" violates check constraint "donations_amount_check"`), failCheck, ""},
		{"not null (23502)", checkFailed("23502", "",
			`null value in column "name" of relation "enterprises" violates not-null constraint`), failCheck, ""},
		{"SQLite check", sqlite3.Error{Code: sqlite3.ErrConstraint, ExtendedCode: sqlite3.ErrConstraintCheck}, failCheck, ""},
		{"SQLite check trigger", sqlite3.Error{Code: sqlite3.ErrConstraint, ExtendedCode: sqlite3.ErrConstraintTrigger}, failCheck, ""},
		{"SQLite not null", sqlite3.Error{Code: sqlite3.ErrConstraint, ExtendedCode: sqlite3.ErrConstraintNotNull}, failCheck, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := classify(tc.err); got != tc.want {
				t.Fatalf("classify = %d, want %d", got, tc.want)
			}
			err := translate(tc.err, meaning{op: "test"})
			code := models.CodeUnavailable
			switch tc.want {
			case failOther:
				code = models.CodeInternal
			case failCheck:
				code = models.CodeInvalid
			}
			if got := models.CodeOf(err); got != code {
				t.Fatalf("code = %s, want %s (%v)", got, code, err)
			}
			if !errors.Is(err, tc.err) {
				t.Errorf("%v does not keep its cause", err)
			}
			var e *models.Error
			if !errors.As(err, &e) {
				return
			}
			NoDriverText(t, e)
			var fields []string
			for _, f := range e.Fields {
				fields = append(fields, f.Field)
			}
			var want []string
			if tc.field != "" {
				want = []string{tc.field}
			}
			if !slices.Equal(fields, want) {
				t.Errorf("fields = %q, want %q", fields, want)
			}
		})
	}
}
