package main

import (
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"

	"github.com/wenzhou-subsidy/subsidy/engine"
	"github.com/wenzhou-subsidy/subsidy/models"
	"github.com/wenzhou-subsidy/subsidy/rules"
)

// Config is everything the binary can be told, from flags with SUBSIDY_*
// environment variables as fallbacks. Flags win over the environment.
type Config struct {
	// Addr is where serve listens (SUBSIDY_ADDR, default 127.0.0.1:8080).
	Addr string
	// DB is a SQLite file path or a postgres:// URL (SUBSIDY_DB, default subsidy.db).
	DB string
	// Rules is a rule directory to load instead of the embedded rules
	// (SUBSIDY_RULES, default: the rules built into the binary).
	Rules string
	// Demo loads the demo registry from testdata into an empty database and
	// prints an admin and a finance key (SUBSIDY_DEMO=1).
	Demo bool
	// DemoFile is the demo registry (SUBSIDY_DEMO_FILE, default
	// testdata/demo/registry.json, relative to the working directory).
	DemoFile string
	// Pprof exposes /debug/pprof on the API (SUBSIDY_PPROF=1); off by default.
	Pprof bool
	// GCPercent is the garbage collector's target (SUBSIDY_GC_PERCENT,
	// default 400; the GOGC variable, when set, wins).
	GCPercent int
	// ShutdownTimeout bounds how long serve waits for in-flight requests.
	ShutdownTimeout time.Duration
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

// today returns the current date in Wenzhou.
func today() models.Date { return models.LocalDate(time.Now()) }
