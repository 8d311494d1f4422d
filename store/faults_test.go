package store_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/wenzhou-subsidy/subsidy/models"
	"github.com/wenzhou-subsidy/subsidy/store"
	"github.com/wenzhou-subsidy/subsidy/store/storetest"
)

// wantUnavailable fails unless err is CodeUnavailable with a message that
// shows none of the driver's text, keeping the cause for the logs.
func wantUnavailable(t *testing.T, err error) {
	t.Helper()
	wantCode(t, err, models.CodeUnavailable)
	var e *models.Error
	if !errors.As(err, &e) || e.Err == nil {
		t.Fatalf("error %v keeps no cause", err)
	}
	cause := e.Err.Error()
	for _, msg := range []string{e.Message.Zh, e.Message.En} {
		for _, leak := range []string{cause, "SQLSTATE", "127.0.0.1", "5432", "INSERT", "UPDATE", "attempt to write", "sqlite", "postgres"} {
			if strings.Contains(msg, leak) {
				t.Errorf("message %q shows %q", msg, leak)
			}
		}
	}
}

// A SQLite file opened read-only is read as usual; its writes, and
// CheckWritable, answer that the database is unavailable.
func TestReadOnlySQLite(t *testing.T) {
	path := storetest.DSN(t, storetest.SQLite)
	w := storetest.OpenDSN(t, path, store.Options{})
	code := creditCode(1)
	putEnterprise(t, w, models.EnterpriseRecord{CreditCode: code})
	check(t, w.CheckWritable(ctxT()))

	ro := storetest.OpenDSN(t, "file:"+path+"?mode=ro", store.Options{})
	_, err := ro.GetEnterprise(ctxT(), code)
	check(t, err)
	_, _, err = ro.PutEnterprise(ctxT(), finance, models.EnterpriseRecord{CreditCode: creditCode(2), Name: "x", Region: "330382"})
	wantUnavailable(t, err)
	wantUnavailable(t, ro.CheckWritable(ctxT()))
}

// A PostgreSQL session that accepts no writes (as on a standby) is read as
// usual; its writes, and CheckWritable, answer that the database is
// unavailable.
func TestReadOnlyPostgres(t *testing.T) {
	dsn := storetest.DSN(t, storetest.Postgres)
	w := storetest.OpenDSN(t, dsn, store.Options{})
	code := creditCode(1)
	putEnterprise(t, w, models.EnterpriseRecord{CreditCode: code})
	check(t, w.CheckWritable(ctxT()))

	ro := storetest.OpenDSN(t, dsn+"&default_transaction_read_only=on", store.Options{})
	_, err := ro.GetEnterprise(ctxT(), code)
	check(t, err)
	_, _, err = ro.PutEnterprise(ctxT(), finance, models.EnterpriseRecord{CreditCode: creditCode(2), Name: "x", Region: "330382"})
	wantUnavailable(t, err)
	_, _, _, err = ro.BeginIdempotent(ctxT(), "k", "i", "fp") // a write outside a transaction
	wantUnavailable(t, err)
	wantUnavailable(t, ro.CheckWritable(ctxT()))
}

// After PostgreSQL ends the store's connections (as a restart does), the
// next read and the next write transaction succeed: each is tried once more
// on a new connection, the pool's other dead connections closed.
func TestReconnectsAfterBackendsEnd(t *testing.T) {
	name := "subsidy_test_" + randomHex()
	var log storetest.SyncBuffer
	s := storetest.OpenDSN(t, storetest.DSN(t, storetest.Postgres)+"&application_name="+name,
		store.Options{MaxOpenConns: 3, Logger: slog.New(slog.NewTextHandler(&log, nil))})
	code := creditCode(1)
	putEnterprise(t, s, models.EnterpriseRecord{CreditCode: code})
	// Three connections in use within the last second: pgx checks (and
	// database/sql replaces) only one idle for longer. Twice, since a new
	// connection counts as idle since forever.
	for range 2 {
		var wg sync.WaitGroup
		for range 3 {
			wg.Go(func() {
				if err := s.InTx(ctxT(), func(tx *gorm.DB) error { return tx.Exec("SELECT pg_sleep(0.05)").Error }); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
	}

	endBackends(t, "application_name = $1", name)
	_, err := s.GetEnterprise(ctxT(), code)
	check(t, err)

	_, err = s.GetEnterprise(ctxT(), code) // the new connection in use too
	check(t, err)
	endBackends(t, "application_name = $1", name)
	_, _, err = s.PutEnterprise(ctxT(), finance, models.EnterpriseRecord{CreditCode: code, Name: "改名", Region: "330382"})
	check(t, err)

	if n := strings.Count(log.String(), "lost the connection"); n != 2 {
		t.Errorf("logged %d lost connections, want 2 (one per operation):\n%s", n, log.String())
	}
}

// An Idempotency-Key is reserved after PostgreSQL ended the store's
// connections, as a restart does: the reservation is tried once more on a
// new connection, and holds (a retry of the request is told it is in
// progress).
func TestIdempotencyReservedAfterBackendsEnd(t *testing.T) {
	name := "subsidy_test_" + randomHex()
	var log storetest.SyncBuffer
	s := storetest.OpenDSN(t, storetest.DSN(t, storetest.Postgres)+"&application_name="+name,
		store.Options{MaxOpenConns: 1, Logger: slog.New(slog.NewTextHandler(&log, nil))})
	_, err := s.SchemaVersion(ctxT()) // the one connection, used just now
	check(t, err)

	endBackends(t, "application_name = $1", name)
	status, _, _, err := s.BeginIdempotent(ctxT(), "k1", "i1", "fp")
	if err != nil || status != 0 {
		t.Fatalf("reserve after the connection was lost: %d, %v", status, err)
	}
	if n := strings.Count(log.String(), "lost the connection"); n != 1 {
		t.Errorf("logged %d lost connections, want 1:\n%s", n, log.String())
	}
	_, _, _, err = s.BeginIdempotent(ctxT(), "k1", "i1", "fp")
	wantCode(t, err, models.CodeConflict)
}

// A reservation whose INSERT went through but whose answer the lost
// connection took is the request's own when its INSERT runs again, not
// another request's in progress; another request with the key still is.
func TestIdempotencyReservationAnswerLost(t *testing.T) {
	eachKind(t, func(t *testing.T, s *store.Store) {
		var lost atomic.Bool
		check(t, s.DB().Callback().Create().After("gorm:create").Register("test:lose the answer", func(tx *gorm.DB) {
			if tx.Statement.Table == "idempotency_keys" && tx.Error == nil && lost.CompareAndSwap(false, true) {
				_ = tx.AddError(io.ErrUnexpectedEOF) // as a connection lost after the INSERT
			}
		}))
		status, _, _, err := s.BeginIdempotent(ctxT(), "k1", "i1", "fp")
		if err != nil || status != 0 || !lost.Load() {
			t.Fatalf("reserve, its answer lost: %d, %v (lost: %v)", status, err, lost.Load())
		}
		_, _, _, err = s.BeginIdempotent(ctxT(), "k1", "i1", "fp")
		wantCode(t, err, models.CodeConflict)
		check(t, s.FinishIdempotent(ctxT(), "k1", "i1", 201, nil, []byte("{}")))
		if status, _, _, err := s.BeginIdempotent(ctxT(), "k1", "i1", "fp"); err != nil || status != 201 {
			t.Errorf("replay: %d, %v", status, err)
		}
	})
}

// A write transaction whose connection is lost before COMMIT runs again; one
// whose COMMIT is lost does not, since it may have committed.
func TestRetryStopsAtCommit(t *testing.T) {
	s := storetest.Open(t, storetest.Postgres)
	endOwnBackend := func(tx *gorm.DB) {
		var pid int
		check(t, tx.Raw("SELECT pg_backend_pid()").Scan(&pid).Error)
		endBackends(t, "pid = $1", pid)
	}

	calls := 0
	err := s.InTx(ctxT(), func(tx *gorm.DB) error {
		calls++
		if calls == 1 {
			endOwnBackend(tx)
		}
		return tx.Exec("UPDATE schema_migrations SET applied_at = applied_at").Error
	})
	if err != nil || calls != 2 {
		t.Errorf("lost before COMMIT: %d calls, %v; want 2 calls and success", calls, err)
	}

	calls = 0
	err = s.InTx(ctxT(), func(tx *gorm.DB) error {
		calls++
		if err := tx.Exec("UPDATE schema_migrations SET applied_at = applied_at").Error; err != nil {
			return err
		}
		endOwnBackend(tx)
		return nil // then COMMIT
	})
	if err == nil || calls != 1 {
		t.Errorf("lost at COMMIT: %d calls, %v; want 1 call and an error", calls, err)
	}
}

// endBackends ends the server processes of this test's database that match
// where (with arg), as a restart would, and waits until they are gone.
func endBackends(t *testing.T, where string, arg any) {
	t.Helper()
	admin, err := sql.Open("pgx", os.Getenv(storetest.PostgresEnv))
	check(t, err)
	defer admin.Close()
	match := "datname = current_database() AND pid <> pg_backend_pid() AND " + where
	var ended int
	check(t, admin.QueryRow("SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE "+match, arg).Scan(&ended))
	if ended == 0 {
		t.Fatalf("no backend matches %s", where)
	}
	ctx, cancel := context.WithTimeout(ctxT(), 10*time.Second)
	defer cancel()
	for left := ended; left > 0; {
		check(t, admin.QueryRowContext(ctx, "SELECT COUNT(*) FROM pg_stat_activity WHERE "+match, arg).Scan(&left))
		time.Sleep(5 * time.Millisecond)
	}
}

func randomHex() string {
	b := make([]byte, 6)
	rand.Read(b)
	return hex.EncodeToString(b)
}
