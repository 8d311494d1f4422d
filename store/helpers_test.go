package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/wenzhou-subsidy/subsidy/models"
	"github.com/wenzhou-subsidy/subsidy/store"
	"github.com/wenzhou-subsidy/subsidy/store/storetest"
)

// cmpModels compares the models' exact types by value.
var cmpModels = cmp.AllowUnexported(models.Money{}, models.Date{}, models.Decimal{})

var (
	finance = models.Actor{KeyID: "key_finance", Role: models.RoleFinance, RequestID: "req-1"}
	tax     = models.Actor{KeyID: "key_tax", Role: models.RoleTax, RequestID: "req-2"}
)

// tickingClock starts at a fixed instant and moves one millisecond per
// reading, so that times are reproducible and distinct.
func tickingClock() func() time.Time {
	start := time.Date(2025, 7, 1, 8, 0, 0, 0, time.UTC)
	var n atomic.Int64
	return func() time.Time { return start.Add(time.Duration(n.Add(1)) * time.Millisecond) }
}

// eachKind runs test in parallel on a fresh store of every kind.
func eachKind(t *testing.T, test func(t *testing.T, s *store.Store)) {
	t.Helper()
	for _, kind := range storetest.Kinds(t) {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			test(t, storetest.OpenWith(t, kind, store.Options{Now: tickingClock()}))
		})
	}
}

// creditCode returns the i-th valid unified social credit code of the tests.
func creditCode(i int) string {
	first17 := fmt.Sprintf("91330382%09d", i)
	check, ok := models.CreditCodeCheckChar(first17)
	if !ok {
		panic("bad credit code body " + first17)
	}
	return first17 + string(check)
}

func check(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// wantCode fails unless err carries the given code.
func wantCode(t testing.TB, err error, want models.ErrorCode) {
	t.Helper()
	if got := models.CodeOf(err); got != want || err == nil {
		t.Fatalf("error = %v (code %s), want code %s", err, got, want)
	}
}

func ctxT() context.Context { return context.Background() }

// putEnterprise registers an enterprise or fails the test.
func putEnterprise(t testing.TB, s *store.Store, e models.EnterpriseRecord) models.EnterpriseRecord {
	t.Helper()
	if e.Name == "" {
		e.Name = "企业 " + e.CreditCode
	}
	if e.Region == "" {
		e.Region = "330382"
	}
	got, _, err := s.PutEnterprise(ctxT(), finance, e)
	check(t, err)
	return got
}

// putUniversity registers a university or fails the test.
func putUniversity(t testing.TB, s *store.Store, code string) {
	t.Helper()
	_, _, err := s.PutUniversity(ctxT(), finance, models.UniversityRecord{Code: code, Name: "高校 " + code, Ownership: "public", Affiliation: "city"})
	check(t, err)
}

func addCert(t testing.TB, s *store.Store, code, level, on string) models.CertificationRecord {
	t.Helper()
	c, err := s.AddCertification(ctxT(), finance, models.CertificationRecord{CreditCode: code, Level: level, CertifiedOn: models.MustDate(on)})
	check(t, err)
	return c
}

func newRun(t testing.TB, s *store.Store) models.PayoutRun {
	t.Helper()
	run, err := s.CreateRun(ctxT(), finance, models.PayoutRun{AsOf: models.MustDate("2025-06-30"), Rules: []string{"cert-grant", "donation-match"}, GrantYear: 2025})
	check(t, err)
	return run
}

// auditOf lists the audit entries of one record.
func auditOf(t testing.TB, s *store.Store, entity, id string) []models.AuditEntry {
	t.Helper()
	got, err := s.ListAudit(ctxT(), models.AuditFilter{Entity: entity, EntityID: id})
	check(t, err)
	return got
}

// decode unmarshals an audit record for comparison (nil for none).
func decode[T any](t testing.TB, raw json.RawMessage) *T {
	t.Helper()
	if len(raw) == 0 {
		return nil
	}
	v := new(T)
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
	return v
}

func ptr[T any](v T) *T { return &v }

// actorOf is the actor of requests made with key k.
func actorOf(k models.APIKey) models.Actor {
	return models.Actor{KeyID: k.ID, Role: k.Role, Subject: k.Subject}
}

// outcomes tallies the errors of concurrent calls by code, "ok" for none.
func outcomes(errs []error) map[models.ErrorCode]int {
	codes := map[models.ErrorCode]int{}
	for _, err := range errs {
		if err == nil {
			codes["ok"]++
		} else {
			codes[models.CodeOf(err)]++
		}
	}
	return codes
}
