package store

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"gorm.io/gorm"
)

// Every read and write of the records goes through read, inTx or write,
// which decide when an operation may run again:
//
//   - a transaction that lost a race (failRace) runs again, up to
//     maxTxAttempts times: each lost race means another transaction
//     committed, so retries make progress;
//   - when the connection to the database was lost (failConnection: a
//     restarted PostgreSQL server), a read runs once more, and so does a
//     write transaction that failed before its COMMIT was sent: the server
//     rolled it back. A failed COMMIT is never retried, since whether it
//     committed is unknown, and neither is a single-statement write (an
//     autocommitted statement is its own COMMIT) - but for the reservation
//     of an Idempotency-Key, which finds out by its token (reserve).

// maxTxAttempts bounds how often a transaction is tried when it loses a
// race (a serialization failure or deadlock on PostgreSQL, or rows a
// concurrent transaction inserted first).
const maxTxAttempts = 8

// inTx runs fn in a write transaction, again when it lost a race or the
// connection (see above). fn must not keep state across attempts.
func (s *Store) inTx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	return s.inTxAttempts(ctx, maxTxAttempts, fn)
}

func (s *Store) inTxAttempts(ctx context.Context, attempts int, fn func(tx *gorm.DB) error) error {
	reconnected := false
	for attempt := 1; ; attempt++ {
		committing := false
		err := s.write(ctx, func() error {
			return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
				if err := fn(tx); err != nil {
					return err
				}
				committing = true // any failure from here on is COMMIT's
				return nil
			})
		})
		if err == nil || ctx.Err() != nil {
			return err
		}
		switch classify(err) {
		case failRace:
			if attempt >= attempts {
				return err
			}
			s.log.DebugContext(ctx, "store: retrying transaction", "attempt", attempt, "err", err)
			// A short, growing, jittered pause lets the winner finish and
			// the losers spread out.
			pause := time.Millisecond + rand.N(time.Duration(attempt)*2*time.Millisecond)
			select {
			case <-time.After(pause):
			case <-ctx.Done():
				return ctx.Err()
			}
		case failConnection:
			if committing || reconnected {
				return err
			}
			reconnected = true
			s.reconnect(ctx, err)
		default:
			return err
		}
	}
}

// write runs a write (a transaction or a single statement) when this
// process's turn to write on SQLite comes; on PostgreSQL, at once.
func (s *Store) write(ctx context.Context, do func() error) error {
	if s.writers == nil {
		return do()
	}
	select {
	case s.writers <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-s.writers }()
	return do()
}

// read runs fn, the reads of one operation, on the store's database, and
// once more if the connection was lost: reading twice changes nothing.
func (s *Store) read(ctx context.Context, fn func(db *gorm.DB) error) error {
	err := fn(s.db.WithContext(ctx))
	if err == nil || ctx.Err() != nil || classify(err) != failConnection {
		return err
	}
	s.reconnect(ctx, err)
	return fn(s.db.WithContext(ctx))
}

// reconnect prepares a retry after a lost connection. A server that
// restarted has cut every connection of the pool, but the pool finds out
// one failed statement at a time (pgx checks an idle connection only when it
// was idle for over a second), so the retry would likely get another dead
// one: every idle connection is closed instead, and the retry dials afresh.
// (database/sql closes idle connections above the idle limit at once.)
func (s *Store) reconnect(ctx context.Context, cause error) {
	s.log.WarnContext(ctx, "store: lost the connection to the database; trying again on a new one", "err", cause)
	s.sqlDB.SetMaxIdleConns(0)
	s.sqlDB.SetMaxIdleConns(s.maxConns)
}

// errRollback ends CheckWritable's transaction without committing it.
var errRollback = errors.New("rolled back on purpose")

// CheckWritable proves that the database accepts a write: in a transaction
// (on SQLite, one that holds the write lock), it rewrites a row of
// schema_migrations unchanged and rolls back. It returns nil when the write
// went through, and else the translated error: CodeUnavailable when the
// database cannot be reached, accepts no writes (a PostgreSQL standby or
// read-only transactions, a read-only SQLite file) or is full.
func (s *Store) CheckWritable(ctx context.Context) error {
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		err := tx.Exec(`UPDATE schema_migrations SET applied_at = applied_at
WHERE version = (SELECT MAX(version) FROM schema_migrations)`).Error
		if err != nil {
			return err
		}
		return errRollback
	})
	if errors.Is(err, errRollback) {
		return nil
	}
	return translate(err, meaning{op: "check the database accepts writes"})
}
