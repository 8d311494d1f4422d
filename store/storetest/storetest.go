// Package storetest opens fresh stores for the tests of store and of the
// packages that use it: on SQLite always, and on PostgreSQL when
// SUBSIDY_TEST_POSTGRES holds a server URL such as
// postgres://postgres@127.0.0.1:5432/test?sslmode=disable.
//
// Without that variable the PostgreSQL variants skip, saying how to run
// them, unless CI is set: then they fail, so that CI never passes by
// skipping. Each PostgreSQL store lives in a schema of its own, created for
// the test and dropped when it ends, so tests may run in parallel.
package storetest

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver, to create and drop schemas

	"github.com/wenzhou-subsidy/subsidy/models"
	"github.com/wenzhou-subsidy/subsidy/store"
)

// The kinds of database a store runs on.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// PostgresEnv names the environment variable with the PostgreSQL test URL.
const PostgresEnv = "SUBSIDY_TEST_POSTGRES"

// Kinds lists the kinds every store test runs on. PostgreSQL is always
// listed: DSN and Open skip it (or fail it, under CI) when it is not set up,
// so the test output says what did not run.
func Kinds(tb testing.TB) []string {
	tb.Helper()
	return []string{SQLite, Postgres}
}

// DSN returns the address of a fresh, empty database of the given kind: a
// file in a temporary directory for SQLite, or a new schema for PostgreSQL
// (dropped when the test ends). Opening it twice opens the same database, as
// a restarted server would.
func DSN(tb testing.TB, kind string) string {
	tb.Helper()
	switch kind {
	case SQLite:
		return filepath.Join(tb.TempDir(), "subsidy.db")
	case Postgres:
		return postgresDSN(tb)
	}
	tb.Fatalf("storetest: unknown database kind %q (want %q or %q)", kind, SQLite, Postgres)
	return ""
}

// Open opens a store on a fresh database of the given kind, closed when the
// test ends.
func Open(tb testing.TB, kind string) *store.Store {
	tb.Helper()
	return OpenWith(tb, kind, store.Options{})
}

// OpenWith is Open with options, such as a fixed clock.
func OpenWith(tb testing.TB, kind string, opts store.Options) *store.Store {
	tb.Helper()
	return OpenDSN(tb, DSN(tb, kind), opts)
}

// OpenDSN opens a store on dsn (from DSN), closed when the test ends.
func OpenDSN(tb testing.TB, dsn string, opts store.Options) *store.Store {
	tb.Helper()
	s, err := store.Open(context.Background(), dsn, opts)
	if err != nil {
		tb.Fatalf("storetest: open store: %v", err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Errorf("storetest: close store: %v", err)
		}
	})
	return s
}

// postgresDSN creates a schema for the test and returns the server URL with
// that schema as its search_path.
func postgresDSN(tb testing.TB) string {
	tb.Helper()
	base := os.Getenv(PostgresEnv)
	if base == "" {
		if os.Getenv("CI") != "" {
			tb.Fatalf("storetest: %s is not set, but CI is: the PostgreSQL tests must run in CI", PostgresEnv)
		}
		tb.Skipf("storetest: set %s=postgres://postgres@127.0.0.1:5432/test?sslmode=disable to run the PostgreSQL variant", PostgresEnv)
	}
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("storetest: %s: %v", PostgresEnv, err)
	}

	b := make([]byte, 8)
	rand.Read(b)
	schema := "subsidy_test_" + hex.EncodeToString(b)

	admin, err := sql.Open("pgx", base)
	if err != nil {
		tb.Fatalf("storetest: connect to PostgreSQL: %v", err)
	}
	defer admin.Close()
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		tb.Fatalf("storetest: create schema %s: %v", schema, err)
	}
	tb.Cleanup(func() {
		db, err := sql.Open("pgx", base)
		if err != nil {
			tb.Errorf("storetest: connect to PostgreSQL: %v", err)
			return
		}
		defer db.Close()
		if _, err := db.Exec(`DROP SCHEMA ` + schema + ` CASCADE`); err != nil {
			tb.Errorf("storetest: drop schema %s: %v", schema, err)
		}
	})

	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// SyncBuffer is a bytes.Buffer that concurrent writers may share: the
// destination of a logger, or of a server's output, that a test reads.
type SyncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *SyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *SyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// HeldStore holds a payout run's recording until Release is closed: a test
// sees the run in the middle. Entered receives when a run is about to
// record. Build it with Hold.
type HeldStore struct {
	models.Store
	Entered chan struct{}
	Release chan struct{}
}

// Hold returns st with its recording held.
func Hold(st models.Store) *HeldStore {
	return &HeldStore{Store: st, Entered: make(chan struct{}, 1), Release: make(chan struct{})}
}

func (h *HeldStore) RecordPayouts(ctx context.Context, actor models.Actor, runID int64, cands []models.PayoutCandidate) ([]models.Payout, error) {
	select {
	case h.Entered <- struct{}{}:
	default:
	}
	select {
	case <-h.Release:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return h.Store.RecordPayouts(ctx, actor, runID, cands)
}
