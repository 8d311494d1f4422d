package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/mattn/go-sqlite3"
	"gorm.io/gorm"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// This file is the one place where driver errors become models errors.

// failure classifies a database error.
type failure int

const (
	failOther      failure = iota
	failNotFound           // no row
	failUnique             // unique or primary key violation
	failForeignKey         // the referenced row does not exist
	failCheck              // a CHECK or NOT NULL constraint
	failText               // text the database cannot store
	failRace               // lost a race; running the transaction again can succeed
	failBusy               // the database stayed locked past the busy timeout
	failConnection         // the connection to the database was lost or cannot be made
	failReadOnly           // the database accepts no writes (a standby, a read-only file)
	failFull               // the database is out of disk space, memory or connections
)

// PostgreSQL SQLSTATE codes (https://www.postgresql.org/docs/current/errcodes-appendix.html).
const (
	pgUniqueViolation      = "23505"
	pgForeignKeyViolation  = "23503"
	pgCheckViolation       = "23514"
	pgNotNullViolation     = "23502"
	pgSerializationFailure = "40001"
	pgDeadlockDetected     = "40P01"
	pgReadOnlyTransaction  = "25006"
	pgDiskFull             = "53100"
	pgOutOfMemory          = "53200"
	pgTooManyConnections   = "53300"
	// The server is going away or not yet up: a restart.
	pgAdminShutdown    = "57P01"
	pgCrashShutdown    = "57P02"
	pgCannotConnectNow = "57P03"
	pgConnectionClass  = "08" // connection exceptions, 08000–08P01
	// Text PostgreSQL cannot store: a NUL, or bytes that are not UTF-8.
	pgCharacterNotInRepertoire = "22021"
	pgUntranslatableCharacter  = "22P05"
)

// errRaced marks an error that a fresh attempt of the transaction can get
// past, such as a payout key another run recorded first.
var errRaced = errors.New("lost a race with a concurrent transaction")

func classify(err error) failure {
	if errors.Is(err, errRaced) {
		return failRace
	}
	if errors.Is(err, gorm.ErrRecordNotFound) || errors.Is(err, sql.ErrNoRows) {
		return failNotFound
	}
	// A caller that gave up is not a database fault (pgx reports it as a
	// network timeout too).
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return failOther
	}
	var lite sqlite3.Error
	if errors.As(err, &lite) {
		switch lite.Code {
		case sqlite3.ErrBusy, sqlite3.ErrLocked:
			return failBusy
		case sqlite3.ErrReadonly:
			return failReadOnly
		case sqlite3.ErrFull:
			return failFull
		case sqlite3.ErrConstraint:
			switch lite.ExtendedCode {
			case sqlite3.ErrConstraintUnique, sqlite3.ErrConstraintPrimaryKey:
				return failUnique
			case sqlite3.ErrConstraintForeignKey:
				return failForeignKey
			// A trigger stands in for a CHECK that SQLite cannot add to an
			// existing table (see migration 6).
			case sqlite3.ErrConstraintCheck, sqlite3.ErrConstraintNotNull, sqlite3.ErrConstraintTrigger:
				return failCheck
			}
		}
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		switch pg.Code {
		case pgUniqueViolation:
			return failUnique
		case pgForeignKeyViolation:
			return failForeignKey
		case pgCheckViolation, pgNotNullViolation:
			return failCheck
		case pgCharacterNotInRepertoire, pgUntranslatableCharacter:
			return failText
		case pgSerializationFailure, pgDeadlockDetected:
			return failRace
		case pgReadOnlyTransaction:
			return failReadOnly
		case pgDiskFull, pgOutOfMemory, pgTooManyConnections:
			return failFull
		case pgAdminShutdown, pgCrashShutdown, pgCannotConnectNow:
			return failConnection
		}
		if strings.HasPrefix(pg.Code, pgConnectionClass) {
			return failConnection
		}
		return failOther
	}
	if connectionLost(err) {
		return failConnection
	}
	return failOther
}

// connectionLost reports whether err says the connection to the server broke
// or could not be made, as pgx and the network report it: a restarted
// server, a dropped link.
func connectionLost(err error) bool {
	var connect *pgconn.ConnectError
	var netErr net.Error
	return errors.As(err, &connect) || errors.As(err, &netErr) ||
		errors.Is(err, driver.ErrBadConn) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.ECONNABORTED) || errors.Is(err, syscall.EPIPE)
}

// isUnique reports whether err is a unique or primary key violation.
func isUnique(err error) bool { return classify(err) == failUnique }

// meaning says what an operation's failures mean to its caller.
type meaning struct {
	op       string        // what was being done, for internal errors: "put enterprise 9133…"
	notFound *models.Error // the record itself is missing
	parent   *models.Error // a record it refers to is missing (foreign key)
	conflict *models.Error // it clashes with a record already there (unique)
}

// translate turns a database error into the models error it means, keeping
// the driver error as the cause for logs. An *models.Error passes through
// unchanged; anything unexpected is wrapped with the operation and is an
// internal error.
func translate(err error, m meaning) error {
	if err == nil {
		return nil
	}
	var me *models.Error
	if errors.As(err, &me) {
		return err
	}
	var out *models.Error
	switch classify(err) {
	case failNotFound:
		out = m.notFound
	case failForeignKey:
		out = m.parent
	case failUnique:
		out = m.conflict
	case failRace, failBusy:
		out = models.Errorf(models.CodeUnavailable, "数据库正忙于并发的修改，请稍后重试", "the database is busy with concurrent changes; retry")
	// The messages of an unavailable database name no driver text, address
	// or SQL: clients see them; the cause stays in Err for the logs.
	case failConnection:
		out = models.Errorf(models.CodeUnavailable, "暂时无法连接数据库，请稍后重试", "the database cannot be reached right now; retry later")
	case failReadOnly:
		out = models.Errorf(models.CodeUnavailable, "数据库当前为只读状态，暂不能保存修改，请稍后重试", "the database is read-only for now and cannot save changes; retry later")
	case failFull:
		out = models.Errorf(models.CodeUnavailable, "数据库的存储空间或资源不足，暂不能保存修改，请稍后重试", "the database is out of space or resources and cannot save changes; retry later")
	case failCheck:
		out = broken(constraintOf(err))
	case failText:
		out = models.Errorf(models.CodeInvalid, "文本含有数据库无法保存的字符（NUL 或无效的 UTF-8）", "the text has characters the database cannot store (NUL or invalid UTF-8)")
	}
	if out == nil {
		return fmt.Errorf("%s: %w", m.op, err)
	}
	cp := *out
	cp.Err = err
	return &cp
}

// constraintFields maps the named CHECK constraints of the schema to the
// field of a request that breaks them: a client sees the field, never the
// constraint or the driver's words.
var constraintFields = map[string]string{
	"enterprises_credit_code_set":   "credit_code",
	"enterprises_parent_set":        "parent.credit_code",
	"enterprises_payee_whole":       "payee",
	"enterprises_payee_account_no":  "payee.account_no",
	"credit_years_year":             "year",
	"universities_code_set":         "code",
	"universities_payee_whole":      "payee",
	"universities_payee_account_no": "payee.account_no",
	"idempotency_keys_idem_key_set": "Idempotency-Key",
}

// broken is the error of a record the database refused by a CHECK or NOT
// NULL constraint: a fixed message, naming the field when the constraint
// is one of constraintFields.
func broken(constraint string) *models.Error {
	out := models.Errorf(models.CodeInvalid, "记录不符合数据库的约束条件，未能保存", "the record breaks a rule the database enforces and was not saved")
	if field, ok := constraintFields[constraint]; ok {
		out.Fields = []models.FieldError{models.Field(field, "invalid")}
	}
	return out
}

// constraintOf names the CHECK constraint a driver error reports, or is
// empty. SQLite names it only in its message ("CHECK constraint failed:
// name", which the triggers of migration 6 raise too).
func constraintOf(err error) string {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.ConstraintName
	}
	var lite sqlite3.Error
	if errors.As(err, &lite) {
		if name, ok := strings.CutPrefix(lite.Error(), "CHECK constraint failed: "); ok {
			return name
		}
	}
	return ""
}

// invalid builds the CodeInvalid error for one bad field.
func invalid(field, code string, args ...any) *models.Error {
	return models.InvalidInput(models.Field(field, code, args...))
}
