package app

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// Payout runs are jobs: a run goes on in the background, tied to the
// service's lifetime rather than to the request that started it, and
// records its progress as it goes. A run whose process died is found by its
// heartbeat going stale and marked interrupted, and its Idempotency-Key is
// released, so that a retry starts a new run (which records only what is
// still due: the database never records a key twice).

// Defaults of RunOptions.
const (
	DefaultRunHeartbeat  = time.Second
	DefaultRunStaleAfter = 30 * time.Second
)

// RunOptions tune the background payout runs.
type RunOptions struct {
	// Heartbeat is how often a running run records its progress and that
	// it is alive (DefaultRunHeartbeat).
	Heartbeat time.Duration
	// StaleAfter is how long a run's heartbeat may be silent before it
	// counts as interrupted (DefaultRunStaleAfter). It must be well above
	// Heartbeat: a run of another replica is alive as long as it beats.
	StaleAfter time.Duration
	// Node names this process's node stably across restarts (serve uses
	// its host name and listen address): when it starts, the runs its
	// earlier process left running are interrupted at once, without
	// waiting for their heartbeat to go stale.
	Node string
}

// jobs are the service's background runs.
type jobs struct {
	ctx       context.Context // cancelled when the service stops waiting for its runs
	cancel    context.CancelFunc
	heartbeat time.Duration
	stale     time.Duration
	node      string

	mu      sync.Mutex // guards closing and the adding to wg
	closing bool       // Shutdown began: no new run starts
	wg      sync.WaitGroup
}

// start counts one more run unless the service is stopping.
func (j *jobs) start() bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.closing {
		return false
	}
	j.wg.Add(1)
	return true
}

func newJobs(opts RunOptions) *jobs {
	ctx, cancel := context.WithCancel(context.Background())
	j := &jobs{ctx: ctx, cancel: cancel, heartbeat: opts.Heartbeat, stale: opts.StaleAfter, node: opts.Node}
	if j.heartbeat <= 0 {
		j.heartbeat = DefaultRunHeartbeat
	}
	if j.stale <= 0 {
		j.stale = DefaultRunStaleAfter
	}
	return j
}

// runProgress counts what a run has done so far; the stages add to it and
// the heartbeat reads it.
type runProgress struct {
	screened, createdCount, createdFen atomic.Int64
}

// apply returns run with the counts so far.
func (p *runProgress) apply(run models.PayoutRun) models.PayoutRun {
	run.Screened = int(p.screened.Load())
	run.CreatedCount = int(p.createdCount.Load())
	run.CreatedTotal = models.Fen(p.createdFen.Load())
	return run
}

// RunJob is a payout run going on in the background.
type RunJob struct {
	Run    models.PayoutRun // as it started
	done   chan struct{}
	result RunResult
	err    error
}

// Done is closed when the run has ended and its end is recorded.
func (j *RunJob) Done() <-chan struct{} { return j.done }

// Result is what the run recorded, once Done is closed.
func (j *RunJob) Result() (RunResult, error) { return j.result, j.err }

// errInterrupted is a run's error when the service stopped before it ended.
var errInterrupted = models.Errorf(models.CodeUnavailable,
	"服务正在停止，发放批次已中断；重试将开始新的批次，只记录仍应发放的金额",
	"the service is stopping and the payout run was interrupted; a retry starts a new run that records only what is still due")

// StartRun checks a run request and starts the run in the background:
// every registered subject is screened with the grant rules (免申即享) and
// what is due and not yet recorded is recorded. idem, if any, is the
// Idempotency-Key the run was asked with, released if the run does not
// complete. onDone, if any, is called with the run's result before Done is
// closed, from the run's own goroutine.
func (s *Service) StartRun(ctx context.Context, actor models.Actor, req models.PayoutRunRequest, idem *models.IdemKeyRef, onDone func(RunResult, error)) (*RunJob, error) {
	if err := s.checkRun(&req); err != nil {
		return nil, err
	}
	if !s.jobs.start() {
		return nil, errInterrupted
	}
	started := false
	defer func() {
		if !started {
			s.jobs.wg.Done()
		}
	}()
	total := 0
	for _, rule := range req.Rules {
		kind, _ := s.engine.RuleSubject(rule)
		n, err := s.store.CountSubjects(ctx, kind)
		if err != nil {
			return nil, err
		}
		total += n
	}
	ruleset := s.engine.Ruleset()
	run, err := s.store.CreateRun(ctx, actor, models.PayoutRun{
		Status: models.RunRunning, AsOf: req.AsOf, Rules: req.Rules, GrantYear: *req.GrantYear, Total: total,
		RulesetVersion: ruleset.Version, RulesetDigest: ruleset.Digest, KeyID: actor.KeyID, Idempotency: idem,
		Owner: s.jobs.node,
	})
	if err != nil {
		return nil, err
	}
	job := &RunJob{Run: run, done: make(chan struct{})}
	started = true
	go func() {
		defer s.jobs.wg.Done()
		defer close(job.done)
		job.result, job.err = s.runJob(actor, run)
		if onDone != nil {
			onDone(job.result, job.err)
		}
	}()
	return job, nil
}

// errTakenForDead is a run's error when a sweep ended it while it ran
// (its heartbeat was silent too long): it stops, and its end stays as the
// sweep recorded it.
var errTakenForDead = models.Errorf(models.CodeUnavailable,
	"发放批次因长时间未报告进度已被标记为中断；重试将开始新的批次，只记录仍应发放的金额",
	"the payout run was marked interrupted while it ran, its progress unreported too long; a retry starts a new run that records only what is still due")

// runJob screens the registry for one run, beating while it goes, and
// records how the run ended.
func (s *Service) runJob(actor models.Actor, run models.PayoutRun) (RunResult, error) {
	ctx, stop := context.WithCancelCause(s.jobs.ctx)
	defer stop(nil)
	progress := &runProgress{}
	screened, beating := make(chan struct{}), make(chan struct{})
	beat := func() {
		err := s.store.RunProgress(ctx, progress.apply(run))
		switch {
		case models.CodeOf(err) == models.CodeConflict:
			s.log.Error("payout run ended by a sweep while it ran: stopping it", "run", run.ID)
			stop(errTakenForDead)
		case err != nil && ctx.Err() == nil:
			s.log.Warn("payout run: record progress", "run", run.ID, "error", err.Error())
		}
	}
	go func() {
		defer close(beating)
		t := time.NewTicker(s.jobs.heartbeat)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				beat()
			case <-ctx.Done():
				return
			case <-screened:
				return
			}
		}
	}()
	result, err := s.screen(ctx, actor, run, progress)
	close(screened)
	<-beating

	end := progress.apply(run)
	switch {
	case errors.Is(context.Cause(ctx), errTakenForDead):
		return RunResult{}, errTakenForDead // ended already, by the sweep
	case err == nil:
		end.Status = models.RunCompleted
	case ctx.Err() != nil:
		end.Status, err = models.RunInterrupted, errInterrupted
	default:
		end.Status = models.RunFailed
		s.log.Error("payout run failed", "run", run.ID, "error", err.Error())
		err = fmt.Errorf("payout run %d: %w", run.ID, err)
	}
	// Recorded even when the service is stopping: that is what tells a
	// retry the run did not complete.
	finishCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	finished, ferr := s.store.FinishRun(finishCtx, end)
	s.metrics.RunEnded(end.Status, end.CreatedCount, end.CreatedTotal)
	if ferr != nil {
		s.log.Error("payout run: record its end", "run", run.ID, "status", end.Status, "error", ferr.Error())
		return RunResult{}, errors.Join(err, fmt.Errorf("record the end of payout run %d: %w", run.ID, ferr))
	}
	if err != nil {
		return RunResult{}, err
	}
	result.Run = finished
	return result, nil
}

// RecoverRuns marks as interrupted, when the service starts (listening on
// its address), the runs this node's earlier process left running. A run
// of a process that died beats no more; one whose process is still
// finishing it at a graceful shutdown does, and is left to it. A run that
// beat just before its process died is given two heartbeats to show it is
// silent.
func (s *Service) RecoverRuns(ctx context.Context) error {
	if s.jobs.node == "" {
		return nil
	}
	silent := 2 * s.jobs.heartbeat
	runs, beating, err := s.store.InterruptRunsOf(ctx, s.jobs.node, silent)
	s.logInterrupted(runs)
	if err != nil || beating == 0 {
		return err
	}
	select {
	case <-time.After(silent):
	case <-ctx.Done():
		return ctx.Err()
	}
	runs, _, err = s.store.InterruptRunsOf(ctx, s.jobs.node, silent)
	s.logInterrupted(runs)
	return err
}

// SweepRuns marks as interrupted the runs whose process died: still
// running, with a heartbeat older than the stale limit, whichever node ran
// them. It runs every few heartbeats (WatchRuns).
func (s *Service) SweepRuns(ctx context.Context) error {
	stale, err := s.store.InterruptStaleRuns(ctx, s.jobs.stale)
	s.logInterrupted(stale)
	return err
}

func (s *Service) logInterrupted(runs []models.PayoutRun) {
	for _, run := range runs {
		s.log.Warn("payout run interrupted: its process stopped before it ended", "run", run.ID, "screened", run.Screened, "total", run.Total)
	}
}

// WatchRuns sweeps for interrupted runs until ctx is done.
func (s *Service) WatchRuns(ctx context.Context) {
	t := time.NewTicker(s.jobs.stale / 3)
	defer t.Stop()
	for {
		if err := s.SweepRuns(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("sweep payout runs", "error", err.Error())
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Shutdown lets running payout runs finish until ctx is done, then stops
// them; they record themselves interrupted before Shutdown returns.
func (s *Service) Shutdown(ctx context.Context) error {
	s.jobs.mu.Lock()
	s.jobs.closing = true
	s.jobs.mu.Unlock()
	done := make(chan struct{})
	go func() {
		s.jobs.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
	}
	s.jobs.cancel()
	<-done
	return fmt.Errorf("payout runs interrupted at shutdown: %w", ctx.Err())
}
