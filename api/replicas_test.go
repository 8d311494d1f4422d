package api_test

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/wenzhou-subsidy/subsidy/app"
	"github.com/wenzhou-subsidy/subsidy/models"
	"github.com/wenzhou-subsidy/subsidy/store"
	"github.com/wenzhou-subsidy/subsidy/store/storetest"
)

// TestReplicasShareOneDatabase: two servers, each with its own connection
// pool, on one PostgreSQL database behave as one service — runs raced
// across them record every payout once, approvals raced across them are
// decided once, and one replica's sweep never interrupts the other's run
// while it beats.
func TestReplicasShareOneDatabase(t *testing.T) {
	dsn := storetest.DSN(t, "postgres")
	h := newHarness(t, "sqlite") // for its helpers; its keys and server are the replicas' below
	var replicas []http.Handler
	var services []*app.Service
	for range 2 {
		st := storetest.OpenDSN(t, dsn, store.Options{})
		svc := testService(t, st, app.Options{Runs: app.RunOptions{Heartbeat: 10 * time.Millisecond, StaleAfter: 300 * time.Millisecond}})
		t.Cleanup(func() { _ = svc.Shutdown(t.Context()) })
		replicas, services = append(replicas, testServer(t, svc, st)), append(services, svc)
	}
	// The keys and the registry, through the first replica.
	for role, subject := range map[string]string{models.RoleFinance: "", models.RoleAdmin: ""} {
		key, err := services[0].CreateKey(t.Context(), models.Actor{KeyID: "test", Role: models.RoleAdmin}, models.KeyEntry{Role: role, Subject: subject})
		if err != nil {
			t.Fatal(err)
		}
		h.keys[role] = key.Secret
	}
	h.srv = replicas[0]
	h.seed()

	// Eight runs at once, alternately on each replica.
	var wg sync.WaitGroup
	created := make([]int, 8)
	for i := range created {
		wg.Go(func() {
			rec := send(t.Context(), h, replicas[i%2], "finance", "POST", "/v1/payout-runs", runAsOf)
			if rec.Code != http.StatusCreated {
				t.Errorf("run %d: %d %s", i, rec.Code, rec.Body)
				return
			}
			created[i] = len(decode[runAnswer](t, rec).Created)
		})
	}
	wg.Wait()
	total := 0
	for _, n := range created {
		total += n
	}
	if total != 2 {
		t.Fatalf("the runs created %v payouts in all, want 2 once", created)
	}

	// Sixteen approvals of one payout, across both replicas: one wins.
	payouts := decode[payoutList](t, send(t.Context(), h, replicas[1], "finance", "GET", "/v1/payouts", ""))
	id := payouts.Payouts[0].ID
	codes := make([]int, 16)
	for i := range codes {
		wg.Go(func() {
			codes[i] = send(t.Context(), h, replicas[i%2], "admin", "POST", fmt.Sprintf("/v1/payouts/%d/approve", id), "").Code
		})
	}
	wg.Wait()
	wins := 0
	for _, c := range codes {
		switch c {
		case http.StatusOK:
			wins++
		case http.StatusConflict:
		default:
			t.Errorf("approval answered %d", c)
		}
	}
	if wins != 1 {
		t.Errorf("%d approvals won, want 1: %v", wins, codes)
	}

	// A run on one replica, swept by the other while it runs: it beats,
	// so it completes.
	rec := send(t.Context(), h, replicas[0], "finance", "POST", "/v1/payout-runs", runAsOf, "Prefer", "respond-async")
	run := decode[models.PayoutRun](t, rec)
	for i := 0; i < 20; i++ {
		if err := services[1].SweepRuns(t.Context()); err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if done := waitRun(t, h, replicas[1], run.ID, models.RunCompleted); done.Status != models.RunCompleted {
		t.Errorf("the run %+v", done)
	}
}
