package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/wenzhou-subsidy/subsidy/api"
)

// cmdServe serves the REST API until ctx is cancelled (SIGINT or SIGTERM),
// then stops accepting connections and lets in-flight requests finish.
func cmdServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg := Config{ShutdownTimeout: 30 * time.Second}
	fs := flagSet("serve", stderr)
	fs.StringVar(&cfg.Addr, "addr", envOr(getenv, "SUBSIDY_ADDR", "127.0.0.1:8080"), "address to listen on (SUBSIDY_ADDR)")
	fs.StringVar(&cfg.DB, "db", envOr(getenv, "SUBSIDY_DB", "subsidy.db"), "SQLite file or postgres:// URL (SUBSIDY_DB)")
	fs.StringVar(&cfg.Rules, "rules", envOr(getenv, "SUBSIDY_RULES", ""), "rule directory instead of the embedded rules (SUBSIDY_RULES)")
	fs.BoolVar(&cfg.Demo, "demo", getenv("SUBSIDY_DEMO") == "1", "load the demo registry into an empty database and print demo keys (SUBSIDY_DEMO=1)")
	fs.StringVar(&cfg.DemoFile, "demo-file", envOr(getenv, "SUBSIDY_DEMO_FILE", "testdata/demo/registry.json"), "the demo registry --demo loads")
	fs.BoolVar(&cfg.Pprof, "pprof", getenv("SUBSIDY_PPROF") == "1", "expose /debug/pprof (SUBSIDY_PPROF=1)")
	fs.DurationVar(&cfg.ShutdownTimeout, "shutdown-timeout", cfg.ShutdownTimeout, "how long to wait for in-flight requests on shutdown")
	gcPercent, err := strconv.Atoi(envOr(getenv, "SUBSIDY_GC_PERCENT", "400"))
	if err != nil {
		return usageError{fmt.Errorf("SUBSIDY_GC_PERCENT: %w", err)}
	}
	fs.IntVar(&cfg.GCPercent, "gc-percent", gcPercent, "garbage collector target percentage (SUBSIDY_GC_PERCENT); GOGC, when set, wins")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	// The live heap is a few megabytes while each evaluation allocates some
	// kilobytes: with Go's default of 100 the collector would run dozens of
	// times a second under load. GOGC, when set, is the operator's choice.
	if getenv("GOGC") == "" {
		debug.SetGCPercent(cfg.GCPercent)
	}
	logger := slog.New(slog.NewJSONHandler(stderr, nil))

	eng, err := loadEngine(cfg.Rules)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, cfg.DB, logger)
	if err != nil {
		return err
	}
	defer st.Close()
	if cfg.Demo {
		if err := loadDemo(ctx, st, cfg.DemoFile, stdout); err != nil {
			return err
		}
	}
	srv, err := api.NewServer(logger, eng, st, api.Options{Pprof: cfg.Pprof})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	httpServer := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	logger.Info("listening", "addr", "http://"+ln.Addr().String(), "ruleset", eng.Ruleset().Version, "digest", eng.Ruleset().Digest)
	fmt.Fprintf(stdout, "subsidy: serving on http://%s\n", ln.Addr())

	served := make(chan error, 1)
	go func() { served <- httpServer.Serve(ln) }()
	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down: finishing in-flight requests", "timeout", cfg.ShutdownTimeout)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := httpServer.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	logger.Info("stopped")
	return nil
}
