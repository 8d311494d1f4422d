package store_test

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/wenzhou-subsidy/subsidy/models"
	"github.com/wenzhou-subsidy/subsidy/store"
	"github.com/wenzhou-subsidy/subsidy/store/storetest"
)

// stored is an answer kept for an Idempotency-Key.
type stored struct {
	Status int
	Header http.Header
	Body   []byte
}

func TestIdempotency(t *testing.T) {
	eachKind(t, func(t *testing.T, s *store.Store) {
		answer := stored{Status: 201, Body: []byte(`{"id":7}`), Header: http.Header{
			"Content-Type": {"application/json"}, "Location": {"/v1/things/7"}, "Etag": {`"1"`},
		}}
		// An answer with no header but its Content-Type.
		plain := stored{Status: 400, Body: []byte(`{}`), Header: http.Header{"Content-Type": {"application/problem+json"}}}
		begin := func(key, idem, fp string) (*stored, error) {
			status, header, body, err := s.BeginIdempotent(ctxT(), key, idem, fp)
			if status == 0 {
				return nil, err
			}
			return &stored{status, header, body}, err
		}
		finishWith := func(a stored, key, idem string) error {
			return s.FinishIdempotent(ctxT(), key, idem, a.Status, a.Header, a.Body)
		}
		finish := func(key, idem string) error { return finishWith(answer, key, idem) }
		// In order: each step sees what the ones before it left.
		for _, tc := range []struct {
			name string
			do   func() (*stored, error)
			want *stored
			code models.ErrorCode
		}{
			{"first request reserves", func() (*stored, error) { return begin("k1", "a", "fp1") }, nil, ""},
			{"a retry while in progress", func() (*stored, error) { return begin("k1", "a", "fp1") }, nil, models.CodeConflict},
			{"finish", func() (*stored, error) { return nil, finish("k1", "a") }, nil, ""},
			{"a retry replays the answer", func() (*stored, error) { return begin("k1", "a", "fp1") }, &answer, ""},
			{"another request with the key", func() (*stored, error) { return begin("k1", "a", "fp2") }, nil, models.CodeConflict},
			{"finish twice", func() (*stored, error) { return nil, finish("k1", "a") }, nil, models.CodeConflict},
			{"abort an answered pair: no-op", func() (*stored, error) { return nil, s.AbortIdempotent(ctxT(), "k1", "a") }, nil, ""},
			{"still replays", func() (*stored, error) { return begin("k1", "a", "fp1") }, &answer, ""},
			{"the same Idempotency-Key of another API key", func() (*stored, error) { return begin("k2", "a", "fp9") }, nil, ""},
			{"reserve b", func() (*stored, error) { return begin("k1", "b", "fp1") }, nil, ""},
			{"abort b", func() (*stored, error) { return nil, s.AbortIdempotent(ctxT(), "k1", "b") }, nil, ""},
			{"b can run again", func() (*stored, error) { return begin("k1", "b", "fp1") }, nil, ""},
			{"finish an unreserved pair", func() (*stored, error) {
				return nil, finish("k1", "zzz")
			}, nil, models.CodeNotFound},
			{"abort an unreserved pair: no-op", func() (*stored, error) { return nil, s.AbortIdempotent(ctxT(), "k1", "zzz") }, nil, ""},
			{"reserve c", func() (*stored, error) { return begin("k1", "c", "fp1") }, nil, ""},
			{"finish c with its Content-Type alone", func() (*stored, error) { return nil, finishWith(plain, "k1", "c") }, nil, ""},
			{"c replays it", func() (*stored, error) { return begin("k1", "c", "fp1") }, &plain, ""},
			{"no Idempotency-Key", func() (*stored, error) { return begin("k1", "", "fp1") }, nil, models.CodeInvalid},
		} {
			got, err := tc.do()
			if tc.code != "" {
				wantCode(t, err, tc.code)
			} else if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Fatalf("%s (-want +got):\n%s", tc.name, diff)
			}
		}
	})
}

// Of sixteen identical requests at once, one runs; the others are told it
// is in progress.
func TestIdempotencyConcurrent(t *testing.T) {
	eachKind(t, func(t *testing.T, s *store.Store) {
		const requests = 16
		outcomes := make([]models.ErrorCode, requests)
		var wg sync.WaitGroup
		for i := range requests {
			wg.Go(func() {
				status, _, _, err := s.BeginIdempotent(ctxT(), "k1", "same", "fp")
				switch {
				case err != nil:
					outcomes[i] = models.CodeOf(err)
				case status == 0:
					outcomes[i] = "reserved"
				default:
					outcomes[i] = "replayed"
				}
			})
		}
		wg.Wait()
		count := map[models.ErrorCode]int{}
		for _, o := range outcomes {
			count[o]++
		}
		if diff := cmp.Diff(map[models.ErrorCode]int{"reserved": 1, models.CodeConflict: requests - 1}, count); diff != "" {
			t.Errorf("outcomes (-want +got):\n%s", diff)
		}
	})
}

// A reservation left unanswered (its process died) is taken over by a
// retry of the same request after a while — not by another request, and not
// while a running payout run holds the key.
func TestIdempotencyTakeOver(t *testing.T) {
	for _, kind := range storetest.Kinds(t) {
		t.Run(kind, func(t *testing.T) {
			var mu sync.Mutex
			now := time.Date(2025, 7, 1, 8, 0, 0, 0, time.UTC)
			clock := func() time.Time {
				mu.Lock()
				defer mu.Unlock()
				now = now.Add(time.Millisecond)
				return now
			}
			advance := func(d time.Duration) {
				mu.Lock()
				now = now.Add(d)
				mu.Unlock()
			}
			s := storetest.OpenWith(t, kind, store.Options{Now: clock})
			begin := func(idem, fp string) (int, error) {
				status, _, _, err := s.BeginIdempotent(ctxT(), "k1", idem, fp)
				return status, err
			}
			if _, err := begin("a", "fp"); err != nil {
				t.Fatal(err)
			}
			_, err := begin("a", "fp")
			wantCode(t, err, models.CodeConflict) // still in progress

			// The run holding "b" keeps its key however long it runs.
			if _, err := begin("b", "fp"); err != nil {
				t.Fatal(err)
			}
			if _, err := s.CreateRun(ctxT(), finance, models.PayoutRun{AsOf: models.MustDate("2025-06-30"), Rules: []string{"cert-grant"},
				Idempotency: &models.IdemKeyRef{KeyID: "k1", Key: "b"}}); err != nil {
				t.Fatal(err)
			}

			advance(6 * time.Minute)
			_, err = begin("a", "another request")
			wantCode(t, err, models.CodeConflict)
			if status, err := begin("a", "fp"); err != nil || status != 0 {
				t.Fatalf("the retry did not take the abandoned key over: %d, %v", status, err)
			}
			_, err = begin("a", "fp")
			wantCode(t, err, models.CodeConflict) // taken over: in progress again
			_, err = begin("b", "fp")
			wantCode(t, err, models.CodeConflict)
		})
	}
}
