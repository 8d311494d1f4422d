package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// Payout runs as jobs: progress and heartbeat while they run, and the sweep
// that finds the runs whose process died.

// RunProgress records a running run's counts so far and its heartbeat; a
// run that has ended meanwhile (a sweep took it for dead) is a Conflict.
// It is not audited: FinishRun audits the end.
func (s *Store) RunProgress(ctx context.Context, run models.PayoutRun) error {
	var updated int64
	err := s.write(ctx, func() error {
		res := s.db.WithContext(ctx).Model(&runRow{}).Where("id = ? AND status = ?", run.ID, models.RunRunning).Updates(map[string]any{
			"screened":      run.Screened,
			"total":         run.Total,
			"created_count": run.CreatedCount,
			"created_total": run.CreatedTotal.Fen(),
			"heartbeat_at":  s.now(),
		})
		updated = res.RowsAffected
		return res.Error
	})
	if err != nil {
		return translate(err, meaning{op: fmt.Sprintf("record the progress of payout run %d", run.ID)})
	}
	if updated == 0 {
		return models.Conflict(fmt.Sprintf("发放批次 %d 已不在进行中", run.ID), fmt.Sprintf("payout run %d is not running any more", run.ID))
	}
	return nil
}

// silentWhere selects the runs that have not beaten since its argument (or
// never beat); silentSince is the same test on a row.
const silentWhere = "(heartbeat_at IS NULL OR heartbeat_at < ?)"

func (r *runRow) silentSince(limit time.Time) bool {
	return r.HeartbeatAt == nil || r.HeartbeatAt.Before(limit)
}

// InterruptStaleRuns marks as interrupted every running run whose heartbeat
// is older than staleAfter, releasing their Idempotency-Keys; each run is
// decided again under its row lock, so two sweeping replicas never both
// end one.
func (s *Store) InterruptStaleRuns(ctx context.Context, staleAfter time.Duration) ([]models.PayoutRun, error) {
	limit := s.now().Add(-staleAfter)
	return s.interruptRuns(ctx, silentWhere, []any{limit}, func(r *runRow) bool { return r.silentSince(limit) })
}

// InterruptRunsOf marks as interrupted every running run of owner silent
// for silentFor, and counts those of owner that still beat.
func (s *Store) InterruptRunsOf(ctx context.Context, owner string, silentFor time.Duration) ([]models.PayoutRun, int, error) {
	limit := s.now().Add(-silentFor)
	runs, err := s.interruptRuns(ctx, "owner = ? AND "+silentWhere, []any{owner, limit}, func(r *runRow) bool {
		return r.Owner == owner && r.silentSince(limit)
	})
	if err != nil {
		return runs, 0, err
	}
	var beating int64
	err = s.read(ctx, func(db *gorm.DB) error {
		return db.Model(&runRow{}).Where("status = ? AND owner = ?", models.RunRunning, owner).Count(&beating).Error
	})
	return runs, int(beating), translate(err, meaning{op: "count running payout runs of " + owner})
}

// interruptRuns interrupts the running runs that where selects and that
// still qualify under the row lock.
func (s *Store) interruptRuns(ctx context.Context, where string, args []any, qualifies func(*runRow) bool) ([]models.PayoutRun, error) {
	var found []runRow
	err := s.read(ctx, func(db *gorm.DB) error {
		return db.Select("id").Where("status = ?", models.RunRunning).Where(where, args...).Order("id").Find(&found).Error
	})
	if err != nil {
		return nil, translate(err, meaning{op: "find payout runs to interrupt"})
	}
	var out []models.PayoutRun
	for _, r := range found {
		var row runRow
		var ended bool
		err := s.inTx(ctx, func(tx *gorm.DB) (err error) {
			// The run may have beaten or ended meanwhile, or another
			// replica's sweep ended it.
			row, ended, err = s.endRun(tx, r.ID, func(cur *runRow) (bool, error) {
				if cur.Status != models.RunRunning || !qualifies(cur) {
					return false, nil
				}
				cur.Status = models.RunInterrupted
				return true, nil
			})
			return err
		})
		if err != nil {
			return out, translate(err, meaning{op: fmt.Sprintf("interrupt payout run %d", r.ID)})
		}
		if ended {
			run, err := row.model()
			if err != nil {
				return out, err
			}
			out = append(out, run)
		}
	}
	return out, nil
}

// ListRuns lists payout runs newest first, a page at a time.
func (s *Store) ListRuns(ctx context.Context, f models.RunFilter) ([]models.PayoutRun, error) {
	var rows []runRow
	err := s.read(ctx, func(db *gorm.DB) error {
		q := db.Model(&runRow{})
		if f.BeforeID > 0 {
			q = q.Where("id < ?", f.BeforeID)
		}
		if f.Limit > 0 {
			q = q.Limit(f.Limit)
		}
		return q.Order("id DESC").Find(&rows).Error
	})
	if err != nil {
		return nil, translate(err, meaning{op: "list payout runs"})
	}
	out := make([]models.PayoutRun, 0, len(rows))
	for _, r := range rows {
		run, err := r.model()
		if err != nil {
			return nil, err
		}
		out = append(out, run)
	}
	return out, nil
}

// CountSubjects counts the registered enterprises or universities.
func (s *Store) CountSubjects(ctx context.Context, kind string) (int, error) {
	table := "enterprises"
	if kind == models.KindUniversity {
		table = "universities"
	}
	var n int64
	if err := s.read(ctx, func(db *gorm.DB) error { return db.Table(table).Count(&n).Error }); err != nil {
		return 0, translate(err, meaning{op: "count " + table})
	}
	return int(n), nil
}
