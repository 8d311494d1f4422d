package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
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
	for _, tc := range []struct {
		name string
		err  error
		want failure
	}{
		{"backend terminated (57P01)", pg("57P01"), failConnection},
		{"crash shutdown (57P02)", pg("57P02"), failConnection},
		{"server starting up (57P03)", pg("57P03"), failConnection},
		{"connection failure (08006)", pg("08006"), failConnection},
		{"network error", &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{}}, failConnection},
		{"connection refused", fmt.Errorf("dial: %w", syscall.ECONNREFUSED), failConnection},
		{"broken pipe", fmt.Errorf("write: %w", syscall.EPIPE), failConnection},
		{"reset", fmt.Errorf("read: %w", syscall.ECONNRESET), failConnection},
		{"unexpected EOF", fmt.Errorf("receive message: %w", io.ErrUnexpectedEOF), failConnection},
		{"bad connection", driver.ErrBadConn, failConnection},
		{"read-only transaction (25006)", pg("25006"), failReadOnly},
		{"read-only SQLite", sqlite3.Error{Code: sqlite3.ErrReadonly}, failReadOnly},
		{"disk full (53100)", pg("53100"), failFull},
		{"out of memory (53200)", pg("53200"), failFull},
		{"too many connections (53300)", pg("53300"), failFull},
		{"SQLite full", sqlite3.Error{Code: sqlite3.ErrFull}, failFull},
		{"caller gave up", fmt.Errorf("query: %w", context.Canceled), failOther},
		{"syntax error (42601)", pg("42601"), failOther},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := classify(tc.err); got != tc.want {
				t.Fatalf("classify = %d, want %d", got, tc.want)
			}
			err := translate(tc.err, meaning{op: "test"})
			want := models.CodeUnavailable
			if tc.want == failOther {
				want = models.CodeInternal
			}
			if got := models.CodeOf(err); got != want {
				t.Fatalf("code = %s, want %s (%v)", got, want, err)
			}
			if !errors.Is(err, tc.err) {
				t.Errorf("%v does not keep its cause", err)
			}
			var e *models.Error
			if errors.As(err, &e) && (strings.Contains(e.Message.En, tc.err.Error()) || strings.Contains(e.Message.En, "server says")) {
				t.Errorf("message %q shows the driver's text", e.Message.En)
			}
		})
	}
}
