package api_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/wenzhou-subsidy/subsidy/api"
	"github.com/wenzhou-subsidy/subsidy/app"
	"github.com/wenzhou-subsidy/subsidy/models"
	"github.com/wenzhou-subsidy/subsidy/store/storetest"
)

// Payout runs are jobs of the server, not of the request that started
// them (the finance contract's "payout runs are jobs").

// jobServer is a server over st whose use cases have the given run options.
func jobServer(t *testing.T, h *harness, st models.Store, runs app.RunOptions) (http.Handler, *app.Service) {
	t.Helper()
	svc := testService(t, st, app.Options{Runs: runs})
	t.Cleanup(func() { _ = svc.Shutdown(context.Background()) })
	return testServer(t, svc, h.st), svc
}

// send sends one request to srv with the key of role, with ctx.
func send(ctx context.Context, h *harness, srv http.Handler, role, method, path, body string, headers ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequestWithContext(ctx, method, path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+h.keys[role])
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	if ctx.Err() == nil { // a client that hung up got no answer to check
		api.CheckAnswer(h.t, req, []byte(body), rec)
	}
	return rec
}

// waitRun polls a run until its status is want.
func waitRun(t *testing.T, h *harness, srv http.Handler, id int64, want string) models.PayoutRun {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		run := decode[models.PayoutRun](t, send(t.Context(), h, srv, "finance", "GET", fmt.Sprintf("/v1/payout-runs/%d", id), ""))
		if run.Status == want {
			return run
		}
		if time.Now().After(deadline) {
			t.Fatalf("run %d is %s, want %s: %+v", id, run.Status, want, run)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// With Prefer: respond-async the answer is 202 with the run and its
// Location; the run's progress is then read, and the list shows it first.
func TestPayoutRunRespondAsync(t *testing.T) {
	forEachDB(t, func(t *testing.T, h *harness) {
		h.seed()
		g := storetest.Hold(h.st)
		srv, _ := jobServer(t, h, g, app.RunOptions{Heartbeat: 5 * time.Millisecond})
		rec := send(t.Context(), h, srv, "finance", "POST", "/v1/payout-runs", `{"as_of":"2025-06-30","grant_year":2025}`, "Prefer", "respond-async")
		if rec.Code != http.StatusAccepted || rec.Header().Get("Preference-Applied") != "respond-async" {
			t.Fatalf("async run: %d %v %s", rec.Code, rec.Header(), rec.Body)
		}
		run := decode[models.PayoutRun](t, rec)
		if loc := rec.Header().Get("Location"); loc != fmt.Sprintf("/v1/payout-runs/%d", run.ID) {
			t.Errorf("Location %q", loc)
		}
		if run.Status != models.RunRunning || run.Total != 3 || run.FinishedAt != nil {
			t.Errorf("started run %+v", run)
		}
		<-g.Entered
		// While it waits to record, the run shows what it screened.
		running := waitRun(t, h, srv, run.ID, models.RunRunning)
		if running.FinishedAt != nil {
			t.Errorf("a running run has finished_at: %+v", running)
		}
		close(g.Release)
		done := waitRun(t, h, srv, run.ID, models.RunCompleted)
		if done.Screened != 3 || done.CreatedCount != 2 || done.CreatedTotal.String() != "1700000.00" || done.FinishedAt == nil {
			t.Errorf("completed run %+v", done)
		}
		list := decode[struct {
			Runs []models.PayoutRun `json:"runs"`
		}](t, send(t.Context(), h, srv, "finance", "GET", "/v1/payout-runs", ""))
		if len(list.Runs) != 1 || list.Runs[0].ID != run.ID || list.Runs[0].Status != models.RunCompleted {
			t.Errorf("runs %+v", list.Runs)
		}
		h.must(403, "tax", "GET", "/v1/payout-runs", "")
	})
}

// A client that goes away does not stop its run; the run's Idempotency-Key
// then replays the run's whole answer, as the client would have had it.
func TestPayoutRunOutlivesItsClient(t *testing.T) {
	forEachDB(t, func(t *testing.T, h *harness) {
		h.seed()
		g := storetest.Hold(h.st)
		srv, _ := jobServer(t, h, g, app.RunOptions{})
		ctx, hangUp := context.WithCancel(t.Context())
		answered := make(chan *httptest.ResponseRecorder)
		go func() {
			answered <- send(ctx, h, srv, "finance", "POST", "/v1/payout-runs", runAsOf, "Idempotency-Key", "run-7")
		}()
		<-g.Entered
		hangUp()
		<-answered // the handler gave up waiting; the run did not
		if rec := send(t.Context(), h, srv, "finance", "POST", "/v1/payout-runs", runAsOf, "Idempotency-Key", "run-7"); rec.Code != http.StatusConflict {
			t.Errorf("a retry while the run goes on: %d %s", rec.Code, rec.Body)
		}
		close(g.Release)
		list := decode[struct {
			Runs []models.PayoutRun `json:"runs"`
		}](t, send(t.Context(), h, srv, "finance", "GET", "/v1/payout-runs", ""))
		waitRun(t, h, srv, list.Runs[0].ID, models.RunCompleted)
		var rec *httptest.ResponseRecorder
		for range 100 { // the run stores its answer just before it ends
			if rec = send(t.Context(), h, srv, "finance", "POST", "/v1/payout-runs", runAsOf, "Idempotency-Key", "run-7"); rec.Code != http.StatusConflict {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		if rec.Code != http.StatusCreated || rec.Header().Get("Idempotent-Replayed") != "true" {
			t.Fatalf("replay: %d %v %s", rec.Code, rec.Header(), rec.Body)
		}
		answer := decode[runAnswer](t, rec)
		if answer.ID != list.Runs[0].ID || len(answer.Created) != 2 || answer.Run.Status != models.RunCompleted {
			t.Errorf("replayed answer %+v", answer)
		}
		all, err := h.st.ListPayouts(t.Context(), models.PayoutFilter{})
		if err != nil || len(all) != 2 {
			t.Errorf("payouts recorded: %d, %v", len(all), err)
		}
	})
}

// A run whose process died (its heartbeat stopped) is interrupted by the
// next sweep, and its Idempotency-Key is free again: the retry starts a new
// run, which records only what is still due.
func TestInterruptedRunReleasesItsKey(t *testing.T) {
	forEachDB(t, func(t *testing.T, h *harness) {
		h.seed()
		srv, svc := jobServer(t, h, h.st, app.RunOptions{Heartbeat: time.Hour, StaleAfter: 20 * time.Millisecond})
		// What a process that died mid-run leaves: a running run with its
		// key reserved and nobody beating for it.
		finance, err := svc.Authenticate(t.Context(), h.keys["finance"], "req-1")
		if err != nil {
			t.Fatal(err)
		}
		if _, _, _, err := h.st.BeginIdempotent(t.Context(), finance.KeyID, "run-9", fingerprintOf(runAsOf)); err != nil {
			t.Fatal(err)
		}
		dead, err := h.st.CreateRun(t.Context(), finance, models.PayoutRun{AsOf: models.MustDate("2025-06-30"), Rules: []string{"cert-grant"},
			Idempotency: &models.IdemKeyRef{KeyID: finance.KeyID, Key: "run-9"}})
		if err != nil {
			t.Fatal(err)
		}
		if rec := send(t.Context(), h, srv, "finance", "POST", "/v1/payout-runs", runAsOf, "Idempotency-Key", "run-9"); rec.Code != http.StatusConflict {
			t.Fatalf("before the sweep: %d %s", rec.Code, rec.Body)
		}
		time.Sleep(30 * time.Millisecond)
		if err := svc.SweepRuns(t.Context()); err != nil {
			t.Fatal(err)
		}
		if run := waitRun(t, h, srv, dead.ID, models.RunInterrupted); run.FinishedAt == nil {
			t.Errorf("interrupted run %+v", run)
		}
		rec := send(t.Context(), h, srv, "finance", "POST", "/v1/payout-runs", runAsOf, "Idempotency-Key", "run-9")
		if rec.Code != http.StatusCreated || rec.Header().Get("Idempotent-Replayed") == "true" {
			t.Fatalf("the retry: %d %s", rec.Code, rec.Body)
		}
		if answer := decode[runAnswer](t, rec); answer.ID == dead.ID || len(answer.Created) != 2 {
			t.Errorf("the retry's run %+v", answer)
		}
	})
}

// At shutdown a run may finish until the timeout; then it is stopped,
// marked interrupted, and the request waiting for it is answered 503.
func TestShutdownInterruptsARun(t *testing.T) {
	forEachDB(t, func(t *testing.T, h *harness) {
		h.seed()
		g := storetest.Hold(h.st)
		srv, svc := jobServer(t, h, g, app.RunOptions{})
		answered := make(chan *httptest.ResponseRecorder)
		go func() {
			answered <- send(t.Context(), h, srv, "finance", "POST", "/v1/payout-runs", runAsOf, "Idempotency-Key", "run-3")
		}()
		<-g.Entered
		ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
		defer cancel()
		if err := svc.Shutdown(ctx); err == nil {
			t.Error("shutdown with a run still going said nothing")
		}
		rec := <-answered
		if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
			t.Errorf("the waiting request: %d %v %s", rec.Code, rec.Header(), rec.Body)
		}
		runs, err := h.st.ListRuns(t.Context(), models.RunFilter{})
		if err != nil || len(runs) != 1 || runs[0].Status != models.RunInterrupted {
			t.Fatalf("runs %+v, %v", runs, err)
		}
		// The key is free: a retry on a running service starts a new run.
		srv2, _ := jobServer(t, h, h.st, app.RunOptions{})
		if rec := send(t.Context(), h, srv2, "finance", "POST", "/v1/payout-runs", runAsOf, "Idempotency-Key", "run-3"); rec.Code != http.StatusCreated {
			t.Errorf("retry after the interruption: %d %s", rec.Code, rec.Body)
		}
	})
}

// fingerprintOf is the fingerprint the Idempotency-Key middleware gives a
// payout run's request.
func fingerprintOf(body string) string {
	sum := sha256.Sum256([]byte("POST /v1/payout-runs\n" + body))
	return hex.EncodeToString(sum[:])
}

// failingAnswers stores no answer for an Idempotency-Key.
type failingAnswers struct{ api.Idempotency }

func (failingAnswers) FinishIdempotent(context.Context, string, string, int, http.Header, []byte) error {
	return errors.New("the database went away")
}

// A run whose answer cannot be stored for its Idempotency-Key releases the
// key: a retry starts a new run (recording nothing twice) instead of being
// told "in progress" for ever.
func TestRunAnswerNotStoredReleasesItsKey(t *testing.T) {
	forEachDB(t, func(t *testing.T, h *harness) {
		h.seed()
		svc := testService(t, h.st, app.Options{})
		t.Cleanup(func() { _ = svc.Shutdown(context.Background()) })
		srv := testServer(t, svc, failingAnswers{h.st})
		first := send(t.Context(), h, srv, "finance", "POST", "/v1/payout-runs", runAsOf, "Idempotency-Key", "run-5")
		if first.Code != http.StatusCreated || len(decode[runAnswer](t, first).Created) != 2 {
			t.Fatalf("first: %d %s", first.Code, first.Body)
		}
		var retry *httptest.ResponseRecorder
		for range 100 { // the key is released just after the answer
			if retry = send(t.Context(), h, srv, "finance", "POST", "/v1/payout-runs", runAsOf, "Idempotency-Key", "run-5"); retry.Code != http.StatusConflict {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		if retry.Code != http.StatusCreated || retry.Header().Get("Idempotent-Replayed") == "true" || len(decode[runAnswer](t, retry).Created) != 0 {
			t.Errorf("the retry: %d %v %s", retry.Code, retry.Header(), retry.Body)
		}
	})
}
