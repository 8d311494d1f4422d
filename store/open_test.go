package store_test

import (
	"database/sql"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	_ "github.com/mattn/go-sqlite3"

	"github.com/wenzhou-subsidy/subsidy/models"
	"github.com/wenzhou-subsidy/subsidy/store"
	"github.com/wenzhou-subsidy/subsidy/store/storetest"
)

// wantSchemaVersion is the newest migration; update it with a new one.
const wantSchemaVersion = 11

// A fresh database gets every migration; a restarted server (the store
// closed and opened again on the same file or schema) finds its data and
// applies nothing twice.
func TestOpenMigratesAndReopens(t *testing.T) {
	for _, kind := range storetest.Kinds(t) {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			dsn := storetest.DSN(t, kind)
			opts := store.Options{Now: tickingClock()}

			s, err := store.Open(ctxT(), dsn, opts)
			check(t, err)
			v, err := s.SchemaVersion(ctxT())
			check(t, err)
			if v != wantSchemaVersion {
				t.Fatalf("schema version = %d, want %d", v, wantSchemaVersion)
			}
			code := creditCode(1)
			e := putEnterprise(t, s, models.EnterpriseRecord{CreditCode: code, CreditCarryIn: models.MustMoney("12.34")})
			addCert(t, s, code, models.LevelCity, "2024-03-01")
			run := newRun(t, s)
			created, err := s.RecordPayouts(ctxT(), finance, run.ID, []models.PayoutCandidate{
				{Rule: "cert-grant", Subject: code, Level: models.LevelCity, GrantYear: 2025, Total: models.Yuan(500000)},
			})
			check(t, err)
			key, err := s.CreateKey(ctxT(), finance, models.APIKey{Role: models.RoleTax}, "hash-1")
			check(t, err)
			facts, err := s.EnterpriseFacts(ctxT(), code)
			check(t, err)
			audit, err := s.ListAudit(ctxT(), models.AuditFilter{})
			check(t, err)
			check(t, s.Close())

			for restart := 1; restart <= 2; restart++ {
				s, err := store.Open(ctxT(), dsn, opts)
				check(t, err)
				v, err := s.SchemaVersion(ctxT())
				check(t, err)
				if v != wantSchemaVersion {
					t.Errorf("restart %d: schema version = %d, want %d", restart, v, wantSchemaVersion)
				}
				gotE, err := s.GetEnterprise(ctxT(), code)
				check(t, err)
				if diff := cmp.Diff(e, gotE, cmpModels); diff != "" {
					t.Errorf("restart %d: enterprise (-before +after):\n%s", restart, diff)
				}
				gotFacts, err := s.EnterpriseFacts(ctxT(), code)
				check(t, err)
				if diff := cmp.Diff(facts, gotFacts, cmpModels); diff != "" {
					t.Errorf("restart %d: facts (-before +after):\n%s", restart, diff)
				}
				gotPayouts, err := s.ListPayouts(ctxT(), models.PayoutFilter{})
				check(t, err)
				if diff := cmp.Diff(created, gotPayouts, cmpModels); diff != "" {
					t.Errorf("restart %d: payouts (-before +after):\n%s", restart, diff)
				}
				gotKey, err := s.KeyByHash(ctxT(), "hash-1")
				check(t, err)
				if diff := cmp.Diff(key, gotKey); diff != "" {
					t.Errorf("restart %d: key (-before +after):\n%s", restart, diff)
				}
				gotAudit, err := s.ListAudit(ctxT(), models.AuditFilter{})
				check(t, err)
				if diff := cmp.Diff(audit, gotAudit); diff != "" {
					t.Errorf("restart %d: audit (-before +after):\n%s", restart, diff)
				}
				check(t, s.Close())
			}
		})
	}
}

// Servers started at once on one new database all come up: the migrations
// are applied once, by whichever gets there first.
func TestOpenConcurrently(t *testing.T) {
	for _, kind := range storetest.Kinds(t) {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			dsn := storetest.DSN(t, kind)
			const servers = 4
			var wg sync.WaitGroup
			errs := make([]error, servers)
			for i := range servers {
				wg.Go(func() {
					s, err := store.Open(ctxT(), dsn, store.Options{})
					if err == nil {
						_, err = s.SchemaVersion(ctxT())
						s.Close()
					}
					errs[i] = err
				})
			}
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Errorf("server %d: %v", i, err)
				}
			}
		})
	}
}

// ":memory:" is one private database that every pooled connection sees.
func TestOpenMemory(t *testing.T) {
	s, err := store.Open(ctxT(), ":memory:", store.Options{})
	check(t, err)
	defer s.Close()
	code := creditCode(7)
	putEnterprise(t, s, models.EnterpriseRecord{CreditCode: code})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if _, err := s.GetEnterprise(ctxT(), code); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got := s.Dialect(); got != "sqlite" {
		t.Errorf("dialect = %q, want sqlite", got)
	}
}

// A database migrated by a newer program is refused, not written to.
func TestOpenRefusesNewerSchema(t *testing.T) {
	dsn := storetest.DSN(t, storetest.SQLite)
	s, err := store.Open(ctxT(), dsn, store.Options{})
	check(t, err)
	check(t, s.Close())

	db, err := sql.Open("sqlite3", dsn)
	check(t, err)
	_, err = db.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'from the future', '2030-01-01 00:00:00+00:00')`)
	check(t, err)
	check(t, db.Close())

	_, err = store.Open(ctxT(), dsn, store.Options{})
	if err == nil || !strings.Contains(err.Error(), "schema version 999, newer than this program's") {
		t.Fatalf("open = %v, want the newer-schema error", err)
	}
}
