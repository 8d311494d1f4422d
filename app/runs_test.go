package app

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/wenzhou-subsidy/subsidy/models"
	"github.com/wenzhou-subsidy/subsidy/store/storetest"
)

// seedRegistry registers one enterprise with a certification due a grant.
func seedRegistry(t *testing.T, s *Service) {
	t.Helper()
	admin := models.Actor{KeyID: "test", Role: models.RoleAdmin}
	code := "91330382MA2AB3C47E"
	if _, _, err := s.PutEnterprise(t.Context(), admin, models.EnterpriseEntry{CreditCode: code, Name: "x", Region: "330382"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddCertification(t.Context(), admin, code, models.Certification{Level: models.LevelProvince, CertifiedOn: models.MustDate("2024-03-01")}); err != nil {
		t.Fatal(err)
	}
}

// A run that a sweep took for dead while it ran (its heartbeat silent too
// long) learns it at its next heartbeat and stops, leaving the sweep's end.
func TestRunTakenForDeadStops(t *testing.T) {
	s := newService(t)
	seedRegistry(t, s)
	held := storetest.Hold(s.store)
	s.store = held
	s.jobs.heartbeat = 5 * time.Millisecond
	job, err := s.StartRun(t.Context(), models.Actor{KeyID: "k", Role: models.RoleFinance}, models.PayoutRunRequest{}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	<-held.Entered
	if _, err := held.Store.InterruptStaleRuns(t.Context(), -time.Hour); err != nil { // every running run is "stale"
		t.Fatal(err)
	}
	select {
	case <-job.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the run did not stop")
	}
	if _, err := job.Result(); !errors.Is(err, errTakenForDead) {
		t.Errorf("result: %v", err)
	}
	run, err := held.Store.GetRun(t.Context(), job.Run.ID)
	if err != nil || run.Status != models.RunInterrupted || run.CreatedCount != 0 {
		t.Errorf("the run %+v, %v", run, err)
	}
}

// Once Shutdown began, no run starts: a request still in flight is told
// the service is stopping.
func TestNoRunStartsAfterShutdown(t *testing.T) {
	s := newService(t)
	if err := s.Shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}
	_, err := s.StartRun(t.Context(), models.Actor{KeyID: "k", Role: models.RoleFinance}, models.PayoutRunRequest{}, nil, nil)
	if !errors.Is(err, errInterrupted) {
		t.Errorf("a run after shutdown: %v", err)
	}
	runs, err := s.store.ListRuns(t.Context(), models.RunFilter{})
	if err != nil || len(runs) != 0 {
		t.Errorf("runs %+v, %v", runs, err)
	}
}

// Under top_up (补差额), a registered enterprise paid a city grant and then
// the province's difference has received the province's 200,000.00 in all:
// moving up to national pays 300,000.00 more, never beyond 500,000.00.
func TestTopUpCountsWhatWasReceived(t *testing.T) {
	s := newService(t)
	seedRegistry(t, s)
	code := "91330382MA2AB3C47E"
	admin := models.Actor{KeyID: "test", Role: models.RoleAdmin}
	run, err := s.store.CreateRun(t.Context(), admin, models.PayoutRun{AsOf: models.MustDate("2025-06-30"), Rules: []string{"cert-grant"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.store.RecordPayouts(t.Context(), admin, run.ID, []models.PayoutCandidate{
		{Rule: "cert-grant", Subject: code, Level: models.LevelCity, Total: models.Yuan(50000), Payer: models.CityFinanceBureau},
		{Rule: "cert-grant", Subject: code, Level: models.LevelProvince, Total: models.Yuan(150000), Payer: models.CityFinanceBureau},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddCertification(t.Context(), admin, code, models.Certification{Level: models.LevelNational, CertifiedOn: models.MustDate("2025-01-10")}); err != nil {
		t.Fatal(err)
	}
	facts, err := s.store.EnterpriseFacts(t.Context(), code)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := s.engine.Evaluate(models.EvaluateRequest{
		AsOf: models.MustDate("2025-06-30"), Rules: []string{models.RuleCertGrant}, Subject: models.Subject{Enterprise: &facts},
		Overrides: map[string]json.RawMessage{"cert-grant.stacking": json.RawMessage(`"top_up"`)},
	}, models.LangZh)
	if err != nil {
		t.Fatal(err)
	}
	if got := resp.Results[0].Amount.String(); got != "300000.00" {
		t.Errorf("national under top_up: %s, want 300000.00", got)
	}
}

// A run going on when Shutdown is called is let finish, while Shutdown's
// context lasts: it completes and Shutdown returns nil.
func TestShutdownLetsARunFinish(t *testing.T) {
	s := newService(t)
	seedRegistry(t, s)
	held := storetest.Hold(s.store)
	s.store = held
	job, err := s.StartRun(t.Context(), models.Actor{KeyID: "k", Role: models.RoleFinance}, models.PayoutRunRequest{}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	<-held.Entered
	ctx, cancel := context.WithTimeout(t.Context(), time.Hour)
	defer cancel()
	stopped := make(chan error, 1)
	go func() { stopped <- s.Shutdown(ctx) }()
	closing := func() bool {
		s.jobs.mu.Lock()
		defer s.jobs.mu.Unlock()
		return s.jobs.closing
	}
	for !closing() {
		time.Sleep(time.Millisecond)
	}
	close(held.Release)
	if err := <-stopped; err != nil {
		t.Errorf("Shutdown: %v", err)
	}
	<-job.Done()
	run, err := held.Store.GetRun(t.Context(), job.Run.ID)
	if err != nil || run.Status != models.RunCompleted || run.CreatedCount != 1 {
		t.Errorf("the run %+v, %v; want it completed with its payout", run, err)
	}
}

// A run records its progress while it goes: held in the middle, it has
// screened subjects, and the heartbeat has recorded so.
func TestRunRecordsProgress(t *testing.T) {
	s := newService(t)
	seedRegistry(t, s)
	held := storetest.Hold(s.store)
	s.store = held
	s.jobs.heartbeat = 5 * time.Millisecond
	job, err := s.StartRun(t.Context(), models.Actor{KeyID: "k", Role: models.RoleFinance}, models.PayoutRunRequest{}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	<-held.Entered
	deadline := time.After(10 * time.Second)
	for {
		run, err := held.Store.GetRun(t.Context(), job.Run.ID)
		if err != nil {
			t.Fatal(err)
		}
		if run.Status != models.RunRunning {
			t.Fatalf("the run held in the middle is %s", run.Status)
		}
		if run.Screened > 0 {
			break
		}
		select {
		case <-deadline:
			t.Fatalf("no progress recorded while the run is held: %+v", run)
		case <-time.After(5 * time.Millisecond):
		}
	}
	close(held.Release)
	<-job.Done()
	if res, err := job.Result(); err != nil || res.Run.Screened != res.Run.Total || res.Run.Status != models.RunCompleted {
		t.Errorf("the run's end %+v, %v", res.Run, err)
	}
}
