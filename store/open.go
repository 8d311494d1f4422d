// Package store keeps the service's records in SQLite (the embedded default)
// or PostgreSQL through gorm, implementing the interfaces of models.
//
// With its test helper store/storetest (which opens PostgreSQL schemas for
// tests), it is the only package that imports gorm or a database driver; it
// never imports api, engine or cmd. Integrity that matters for public money (one
// certification grant per level, never paying a key beyond its total,
// payout transitions) is enforced by the database's constraints and
// conditional updates, not by callers taking turns.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// Options tune a Store.
type Options struct {
	// Now is the store's clock (default time.Now); every time it records is
	// Now() in UTC, to the microsecond (what PostgreSQL keeps).
	Now func() time.Time
	// Logger receives migrations, retries and slow statements (default: none).
	Logger *slog.Logger
	// MaxOpenConns bounds the connection pool (default 8 for SQLite, 10 for
	// PostgreSQL).
	MaxOpenConns int
}

// Store implements models.Store.
type Store struct {
	db      *gorm.DB
	sqlDB   *sql.DB
	dialect dialect
	clock   func() time.Time
	log     *slog.Logger
	// maxConns is the pool's size, which reconnect restores.
	maxConns int
	// tempDir is removed on Close: it holds the file behind a ":memory:" DSN.
	tempDir string
	// writers admits one write transaction at a time on SQLite (nil on
	// PostgreSQL). SQLite has one writer anyway; queueing here, in order
	// and without a deadline, is fairer and faster than every connection
	// polling the database lock, and keeps the busy timeout for other
	// processes sharing the file (say, "subsidy keys create" while serving).
	writers chan struct{}
}

var _ models.Store = (*Store)(nil)

// dialect is the database behind a Store, for the few places whose SQL differs.
type dialect int

const (
	dialectSQLite dialect = iota
	dialectPostgres
)

func (d dialect) String() string {
	if d == dialectPostgres {
		return "postgres"
	}
	return "sqlite"
}

// slowStatement is how long a statement may take before it is logged.
const slowStatement = time.Second

// sqliteBusyTimeout is how long a SQLite writer waits for the write lock
// while another process holds it, before giving up. (Writers of one process
// queue in Store.write first.) Every transaction takes the lock at BEGIN
// (_txlock=immediate), so writers wait for each other instead of failing.
const sqliteBusyTimeout = 10 * time.Second

// Open opens the database named by dsn and brings its schema up to date.
// dsn is a PostgreSQL URL (postgres:// or postgresql://) or keyword/value
// settings (host=… dbname=…), or else a SQLite file path (created if
// missing); see dsn.go. ":memory:" (or any DSN starting with it) opens a
// private database in a temporary file removed on Close: a real in-memory
// SQLite database is per connection, and the pool holds several. Errors
// name the database by RedactDSN(dsn).
//
// Stores (of one process or several) that open one new SQLite file at the
// same moment can find it locked while another turns on write-ahead
// logging, a moment in which SQLite answers "database is locked" without
// waiting; Open then tries again, for up to the busy timeout.
func Open(ctx context.Context, dsn string, opts Options) (*Store, error) {
	d := dialectOf(dsn)
	deadline := time.Now().Add(sqliteBusyTimeout)
	for attempt := 1; ; attempt++ {
		s, err := open(ctx, d, dsn, opts)
		if err == nil {
			return s, nil
		}
		if classify(err) == failBusy && time.Now().Before(deadline) {
			pause := time.Millisecond + rand.N(time.Duration(attempt)*5*time.Millisecond)
			select {
			case <-time.After(pause):
				continue
			case <-ctx.Done():
			}
		}
		return nil, fmt.Errorf("open %s database %s: %w", d, RedactDSN(dsn), err)
	}
}

// open is one attempt of Open.
func open(ctx context.Context, d dialect, dsn string, opts Options) (*Store, error) {
	s := &Store{dialect: d, clock: opts.Now, log: opts.Logger}
	if s.clock == nil {
		s.clock = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}

	var dialector gorm.Dialector
	maxConns := opts.MaxOpenConns
	switch d {
	case dialectPostgres:
		cfg, err := postgresConfig(dsn)
		if err != nil {
			return nil, err
		}
		dialector = postgres.New(postgres.Config{Conn: stdlib.OpenDB(*cfg)})
		if maxConns <= 0 {
			maxConns = 10
		}
	default:
		s.writers = make(chan struct{}, 1)
		path := dsn
		if path == "" {
			path = "subsidy.db"
		}
		if strings.HasPrefix(path, ":memory:") {
			dir, err := os.MkdirTemp("", "subsidy-store-")
			if err != nil {
				return nil, fmt.Errorf("temporary database: %w", err)
			}
			s.tempDir = dir
			path = filepath.Join(dir, "subsidy.db")
		}
		dialector = sqlite.Open(sqliteDSN(path))
		if maxConns <= 0 {
			maxConns = 8
		}
	}

	db, err := gorm.Open(dialector, &gorm.Config{
		// Writes here are explicit transactions or single statements;
		// gorm need not wrap each statement in a transaction of its own.
		SkipDefaultTransaction: true,
		NowFunc:                s.now,
		Logger:                 gormLogger{log: s.log},
	})
	if err != nil {
		s.removeTemp()
		return nil, err
	}
	s.db = db
	if s.sqlDB, err = db.DB(); err != nil {
		s.removeTemp()
		return nil, err
	}
	s.maxConns = maxConns
	s.sqlDB.SetMaxOpenConns(maxConns)
	s.sqlDB.SetMaxIdleConns(maxConns)
	s.sqlDB.SetConnMaxIdleTime(5 * time.Minute)

	if err := s.Ping(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Dialect names the database: "sqlite" or "postgres".
func (s *Store) Dialect() string { return s.dialect.String() }

// Ping checks the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.sqlDB.PingContext(ctx); err != nil {
		return fmt.Errorf("ping %s: %w", s.dialect, err)
	}
	return nil
}

// Close releases the database.
func (s *Store) Close() error {
	err := s.sqlDB.Close()
	s.removeTemp()
	return err
}

func (s *Store) removeTemp() {
	if s.tempDir != "" {
		os.RemoveAll(s.tempDir)
		s.tempDir = ""
	}
}

// now is the store's clock in UTC, truncated to the microsecond so that a
// time reads back the same from either database.
func (s *Store) now() time.Time {
	return s.clock().UTC().Truncate(time.Microsecond)
}

// gormLogger reports slow statements to slog, without their parameters
// (which may hold key hashes). It is ours rather than gorm's slog logger
// (logger.NewSlogLogger) because that one renders every statement's SQL,
// logged or not, and logs every failed statement as an error, while here
// failures are expected: a unique violation on certifications_once or
// payouts_key means "already recorded", one of a payout run's races means
// "try again". The store returns every failure, translated, to a caller who
// decides what is news; logging them here too would drown the real errors.
type gormLogger struct{ log *slog.Logger }

func (l gormLogger) LogMode(logger.LogLevel) logger.Interface { return l }
func (l gormLogger) Info(context.Context, string, ...any)     {}
func (l gormLogger) Warn(ctx context.Context, msg string, args ...any) {
	l.log.WarnContext(ctx, "gorm: "+fmt.Sprintf(msg, args...))
}
func (l gormLogger) Error(ctx context.Context, msg string, args ...any) {
	l.log.ErrorContext(ctx, "gorm: "+fmt.Sprintf(msg, args...))
}

func (l gormLogger) Trace(ctx context.Context, begin time.Time, fc func() (string, int64), err error) {
	if elapsed := time.Since(begin); elapsed > slowStatement && !errors.Is(err, context.Canceled) {
		sql, rows := fc()
		l.log.WarnContext(ctx, "store: slow statement", "duration", elapsed, "sql", sql, "rows", rows)
	}
}

// ParamsFilter keeps parameters out of logged SQL.
func (l gormLogger) ParamsFilter(_ context.Context, sql string, _ ...any) (string, []any) {
	return sql, nil
}

// SQLDB is the database's connection pool, for its statistics (metrics).
func (s *Store) SQLDB() *sql.DB { return s.sqlDB }
