package api_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wenzhou-subsidy/subsidy/api"
	"github.com/wenzhou-subsidy/subsidy/app"
	"github.com/wenzhou-subsidy/subsidy/models"
	"github.com/wenzhou-subsidy/subsidy/store/registrygen"
)

// The payout run reads, evaluates and records in overlapping stages; these
// tests screen registries of several batches (registrygen) to see that no
// batch is lost, repeated or recorded out of turn.

var cmpModels = cmp.AllowUnexported(models.Money{}, models.Date{}, models.Decimal{})

// dueKey names a payout key in expectations.
type dueKey struct {
	Rule, Subject, Level string
	GrantYear            int
}

// dueOf screens st one subject at a time, as a one-stage run would, and
// returns what each payout key is due.
func dueOf(t *testing.T, st models.Store) map[dueKey]models.Money {
	t.Helper()
	eng := api.MustEngine(t)
	want := map[dueKey]models.Money{}
	add := func(rule string, subj models.Subject) {
		resp, err := eng.Evaluate(models.EvaluateRequest{AsOf: registrygen.AsOf, Rules: []string{rule}, Subject: subj}, models.LangZh)
		if models.CodeOf(err) == models.CodeInvalid {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		res := resp.Results[0]
		if !res.Eligible || res.Payout == nil {
			return
		}
		for _, item := range res.Payout.Items {
			k := dueKey{Rule: rule, Subject: subj.Code(), Level: item.Level}
			if subj.University != nil {
				k.GrantYear = subj.University.GrantYear
			}
			want[k] = item.Amount
		}
	}
	ctx := context.Background()
	err := st.ScreenEnterprises(ctx, 0, func(batch []models.Enterprise) error {
		for i := range batch {
			add(models.RuleCertGrant, models.Subject{Enterprise: &batch[i]})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = st.ScreenUniversities(ctx, 0, func(batch []models.University) error {
		for i := range batch {
			batch[i].GrantYear = registrygen.GrantYear
			add(models.RuleDonationMatch, models.Subject{University: &batch[i]})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return want
}

func dueKeysOf(t *testing.T, ps []models.Payout) map[dueKey]models.Money {
	t.Helper()
	got := map[dueKey]models.Money{}
	for i, p := range ps {
		if i > 0 && p.ID <= ps[i-1].ID {
			t.Errorf("payout %d listed after %d: not in id order", p.ID, ps[i-1].ID)
		}
		k := dueKey{p.Rule, p.Subject, p.Level, p.GrantYear}
		if _, dup := got[k]; dup {
			t.Errorf("key %+v recorded twice", k)
		}
		got[k] = got[k].Add(p.Amount)
	}
	return got
}

const runAsOf = `{"as_of":"2025-06-30","grant_year":2025}`

// A run over three batches of enterprises records what screening them one
// by one finds due, lists it in id order, and a second run records nothing.
func TestPayoutRunManyBatches(t *testing.T) {
	forEachDB(t, func(t *testing.T, h *harness) {
		opts := registrygen.Options{Enterprises: 2100, Universities: 12, Seed: 3}
		if _, err := registrygen.Generate(t.Context(), h.st, opts); err != nil {
			t.Fatal(err)
		}
		want := dueOf(t, h.st)
		if len(want) < 100 {
			t.Fatalf("only %d payouts due: the registry is too plain for this test", len(want))
		}

		first := decode[runAnswer](t, h.must(201, "finance", "POST", "/v1/payout-runs", runAsOf))
		if diff := cmp.Diff(want, dueKeysOf(t, first.Created), cmpModels); diff != "" {
			t.Errorf("first run created (-due +created):\n%s", diff)
		}
		if first.Run.Screened != opts.Enterprises+opts.Universities || first.Run.CreatedCount != len(want) {
			t.Errorf("first run screened %d and created %d, want %d and %d",
				first.Run.Screened, first.Run.CreatedCount, opts.Enterprises+opts.Universities, len(want))
		}

		second := decode[runAnswer](t, h.must(201, "finance", "POST", "/v1/payout-runs", runAsOf))
		if len(second.Created) != 0 || second.Run.Screened != first.Run.Screened {
			t.Errorf("second run screened %d and created %d payouts, want %d and none",
				second.Run.Screened, len(second.Created), first.Run.Screened)
		}
	})
}

// flakyStore fails a payout run part way: its reading after the first
// batch of enterprises, or its recording after the first call.
type flakyStore struct {
	models.Store
	failRead, failRecord bool

	mu           sync.Mutex
	recordCalls  int
	firstCreated []models.Payout
}

var errFlaky = errors.New("the database went away")

func (f *flakyStore) ScreenEnterprises(ctx context.Context, n int, fn func([]models.Enterprise) error) error {
	batches := 0
	return f.Store.ScreenEnterprises(ctx, n, func(b []models.Enterprise) error {
		if batches++; f.failRead && batches == 2 {
			return errFlaky
		}
		return fn(b)
	})
}

func (f *flakyStore) RecordPayouts(ctx context.Context, actor models.Actor, runID int64, cands []models.PayoutCandidate) ([]models.Payout, error) {
	f.mu.Lock()
	f.recordCalls++
	call := f.recordCalls
	f.mu.Unlock()
	if f.failRecord && call == 2 {
		return nil, errFlaky
	}
	created, err := f.Store.RecordPayouts(ctx, actor, runID, cands)
	if call == 1 {
		f.firstCreated = created
	}
	return created, err
}

// A run that fails part way answers 500 and keeps what it recorded before
// the failure: the first batch, whether the reading of the second failed
// (the later stages finish the batch handed to them) or the recording of
// it. The next run records the rest, and nothing twice.
func TestPayoutRunFailsPartWay(t *testing.T) {
	for _, tc := range []struct {
		name                 string
		failRead, failRecord bool
	}{
		{"reading fails", true, false},
		{"recording fails", false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			forEachDB(t, func(t *testing.T, h *harness) {
				if _, err := registrygen.Generate(t.Context(), h.st, registrygen.Options{Enterprises: 2100, Universities: 3, Seed: 3}); err != nil {
					t.Fatal(err)
				}
				want := dueOf(t, h.st)

				flaky := &flakyStore{Store: h.st, failRead: tc.failRead, failRecord: tc.failRecord}
				srv := testServer(t, testService(t, flaky, app.Options{}), h.st)
				req := httptest.NewRequest("POST", "/v1/payout-runs", strings.NewReader(runAsOf))
				req.Header.Set("Authorization", "Bearer "+h.keys["finance"])
				rec := httptest.NewRecorder()
				srv.ServeHTTP(rec, req)
				if rec.Code != 500 {
					t.Fatalf("failing run: status %d, want 500: %s", rec.Code, rec.Body)
				}
				if len(flaky.firstCreated) == 0 {
					t.Fatal("the first batch recorded nothing")
				}

				kept, err := h.st.ListPayouts(t.Context(), models.PayoutFilter{})
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(dueKeysOf(t, flaky.firstCreated), dueKeysOf(t, kept), cmpModels); diff != "" {
					t.Errorf("recorded after the failure (-first batch +recorded):\n%s", diff)
				}

				rest := decode[runAnswer](t, h.must(201, "finance", "POST", "/v1/payout-runs", runAsOf))
				if got, wantRest := len(rest.Created), len(want)-len(flaky.firstCreated); got != wantRest {
					t.Errorf("the next run created %d payouts, want the %d left", got, wantRest)
				}
				all, err := h.st.ListPayouts(t.Context(), models.PayoutFilter{})
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(want, dueKeysOf(t, all), cmpModels); diff != "" {
					t.Errorf("recorded in the end (-due +recorded):\n%s", diff)
				}
			})
		})
	}
}
