package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"time"

	"github.com/wenzhou-subsidy/subsidy/app"
	"github.com/wenzhou-subsidy/subsidy/engine"
	"github.com/wenzhou-subsidy/subsidy/models"
	"github.com/wenzhou-subsidy/subsidy/rules"
	"github.com/wenzhou-subsidy/subsidy/store"
)

// Config is everything serve can be told, from flags with SUBSIDY_*
// environment variables as fallbacks. Flags win over the environment.
type Config struct {
	// Addr is where serve listens (SUBSIDY_ADDR, default 127.0.0.1:8080).
	Addr string
	// DB is a SQLite file path or a PostgreSQL URL or keyword string
	// (SUBSIDY_DB, default subsidy.db).
	DB string
	// Rules is a rule directory to load instead of the embedded rules
	// (SUBSIDY_RULES, default: the rules built into the binary).
	Rules string
	// Demo loads the demo registry built into the binary into an empty
	// database and prints keys to walk through it (SUBSIDY_DEMO=1).
	Demo bool
	// OpsAddr is where the operators' listener serves /metrics and
	// /debug/pprof (SUBSIDY_OPS_ADDR; off when empty).
	OpsAddr string
	// GCPercent is the garbage collector's target (SUBSIDY_GC_PERCENT,
	// default 400; the GOGC variable, when set, wins).
	GCPercent int
	// ShutdownTimeout bounds how long serve waits for in-flight requests
	// and payout runs; runs still going then are marked interrupted.
	ShutdownTimeout time.Duration
	// Runs tunes the payout runs' heartbeat (--run-heartbeat) and when a
	// silent run counts as interrupted (--run-stale-after).
	Runs app.RunOptions
	// FourEyes keeps the clerk who starts a payout run from approving its
	// payouts, and the approver from marking them paid (SUBSIDY_FOUR_EYES,
	// default true; false for a one-person office).
	FourEyes bool
}

// flagSet returns a flag set writing its usage to w.
func flagSet(name string, w io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("subsidy "+name, flag.ContinueOnError)
	fs.SetOutput(w)
	return fs
}

// envOr returns the environment variable's value, or def when unset.
func envOr(getenv func(string) string, key, def string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return def
}

// The flags several commands share, defined once.

// dbFlag adds --db: the database to open.
func dbFlag(fs *flag.FlagSet, getenv func(string) string) *string {
	return fs.String("db", envOr(getenv, "SUBSIDY_DB", "subsidy.db"), "SQLite file, or PostgreSQL URL or keyword string (SUBSIDY_DB)")
}

// rulesFlag adds --rules: a rule directory instead of the embedded rules.
func rulesFlag(fs *flag.FlagSet, getenv func(string) string) *string {
	return fs.String("rules", envOr(getenv, "SUBSIDY_RULES", ""), "rule directory instead of the embedded rules (SUBSIDY_RULES)")
}

// parseFlags parses args and turns a bad flag into a usage error.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return silentExit(exitOK)
		}
		return usageError{err}
	}
	return nil
}

// ruleFS returns the rule directory to load: dir, or the embedded rules.
func ruleFS(dir string) fs.FS {
	if dir == "" {
		return rules.FS
	}
	return os.DirFS(dir)
}

// loadEngine loads and compiles the rules of dir (or the embedded rules).
func loadEngine(dir string) (*engine.Engine, error) {
	e, err := engine.Load(ruleFS(dir))
	if err != nil {
		src := dir
		if src == "" {
			src = "embedded rules"
		}
		return nil, fmt.Errorf("%s: %w", src, err)
	}
	return e, nil
}

// openStore opens (and migrates) the database named by dsn.
func openStore(ctx context.Context, dsn string, logger *slog.Logger) (*store.Store, error) {
	st, err := store.Open(ctx, dsn, store.Options{Logger: logger})
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err) // the store names the DSN, its password masked
	}
	return st, nil
}

// openService opens the database and loads the rules: the use cases a
// command works with; the caller closes the store.
func openService(ctx context.Context, dsn, rulesDir string, opts app.Options) (svc *app.Service, st *store.Store, err error) {
	eng, err := loadEngine(rulesDir)
	if err != nil {
		return nil, nil, err
	}
	st, err = openStore(ctx, dsn, opts.Logger)
	if err != nil {
		return nil, nil, err
	}
	return app.New(eng, st, opts), st, nil
}

// today returns the current date in Wenzhou.
func today() models.Date { return models.LocalDate(time.Now()) }
