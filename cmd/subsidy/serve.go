package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/wenzhou-subsidy/subsidy/api"
	"github.com/wenzhou-subsidy/subsidy/app"
	"github.com/wenzhou-subsidy/subsidy/metrics"
	"github.com/wenzhou-subsidy/subsidy/web"
)

// cmdServe serves the REST API and the web pages until ctx is cancelled (SIGINT or SIGTERM),
// then stops accepting connections and lets in-flight requests finish.
func cmdServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg := Config{ShutdownTimeout: 30 * time.Second}
	fs := flagSet("serve", stderr)
	fs.StringVar(&cfg.Addr, "addr", envOr(getenv, "SUBSIDY_ADDR", "127.0.0.1:8080"), "address to listen on (SUBSIDY_ADDR)")
	db, rulesDir := dbFlag(fs, getenv), rulesFlag(fs, getenv)
	fs.BoolVar(&cfg.Demo, "demo", getenv("SUBSIDY_DEMO") == "1", "load the demo registry into an empty database and print demo keys (SUBSIDY_DEMO=1)")
	fs.StringVar(&cfg.OpsAddr, "ops-addr", getenv("SUBSIDY_OPS_ADDR"), "address of the operators' listener for /metrics and /debug/pprof, such as 127.0.0.1:9090 (SUBSIDY_OPS_ADDR; off when empty)")
	fs.DurationVar(&cfg.ShutdownTimeout, "shutdown-timeout", cfg.ShutdownTimeout, "how long to wait for in-flight requests and payout runs on shutdown")
	fs.DurationVar(&cfg.Runs.Heartbeat, "run-heartbeat", app.DefaultRunHeartbeat, "how often a running payout run records its progress")
	fs.DurationVar(&cfg.Runs.StaleAfter, "run-stale-after", app.DefaultRunStaleAfter, "how long a payout run's heartbeat may be silent before the run counts as interrupted")
	gcPercent, err := strconv.Atoi(envOr(getenv, "SUBSIDY_GC_PERCENT", "400"))
	if err != nil {
		return usageError{fmt.Errorf("SUBSIDY_GC_PERCENT: %w", err)}
	}
	fs.IntVar(&cfg.GCPercent, "gc-percent", gcPercent, "garbage collector target percentage (SUBSIDY_GC_PERCENT); GOGC, when set, wins")
	fourEyes, err := strconv.ParseBool(envOr(getenv, "SUBSIDY_FOUR_EYES", "true"))
	if err != nil {
		return usageError{fmt.Errorf("SUBSIDY_FOUR_EYES: %w", err)}
	}
	fs.BoolVar(&cfg.FourEyes, "four-eyes", fourEyes, "the key that starts a payout run may not approve its payouts, nor the approver mark them paid, nor the key that submitted an application review it (审核与经办分离; SUBSIDY_FOUR_EYES); --four-eyes=false for a one-person office")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg.DB, cfg.Rules = *db, *rulesDir
	// The live heap is a few megabytes while each evaluation allocates some
	// kilobytes: with Go's default of 100 the collector would run dozens of
	// times a second under load. GOGC, when set, is the operator's choice.
	if getenv("GOGC") == "" {
		debug.SetGCPercent(cfg.GCPercent)
	}
	logger := slog.New(slog.NewJSONHandler(stderr, nil))

	m := metrics.New()
	host, _ := os.Hostname()
	cfg.Runs.Node = host + " " + cfg.Addr
	svc, st, err := openService(ctx, cfg.DB, cfg.Rules, app.Options{Logger: logger, Metrics: m, Runs: cfg.Runs, NoFourEyes: !cfg.FourEyes})
	if err != nil {
		return err
	}
	defer st.Close()
	m.WatchDB(st.SQLDB(), st.Dialect())
	if cfg.Demo {
		if err := loadDemo(ctx, svc, stdout); err != nil {
			return err
		}
	}
	srv, err := api.NewServer(logger, svc, st, api.Options{Observe: m.ObserveRequest})
	if err != nil {
		return err
	}
	site, err := web.New(srv)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	// Only a process that holds the node's address may take the node's
	// earlier runs for dead; one that cannot listen leaves them alone.
	if err := svc.RecoverRuns(ctx); err != nil {
		ln.Close()
		return fmt.Errorf("interrupt the runs this node left running: %w", err)
	}
	servers := []*http.Server{newHTTPServer(site, logger)}
	listeners := []net.Listener{ln}
	if cfg.OpsAddr != "" {
		opsLn, err := net.Listen("tcp", loopbackUnlessTold(cfg.OpsAddr))
		if err != nil {
			ln.Close()
			return fmt.Errorf("listen (ops): %w", err)
		}
		servers = append(servers, newHTTPServer(opsHandler(m.Handler()), logger))
		listeners = append(listeners, opsLn)
		fmt.Fprintf(stdout, "subsidy: operators' listener on http://%s\n", opsLn.Addr())
	}
	// Runs whose process died are marked interrupted now and whenever
	// their heartbeat goes stale (another replica's, say).
	watchCtx, stopWatching := context.WithCancel(context.Background())
	defer stopWatching()
	go svc.WatchRuns(watchCtx)

	ruleset := svc.Engine().Ruleset()
	logger.Info("listening", "addr", "http://"+ln.Addr().String(), "ruleset", ruleset.Version, "digest", ruleset.Digest)
	if !cfg.FourEyes {
		logger.Warn("four eyes are off: one key may start a payout run, approve its payouts and mark them paid")
	}
	fmt.Fprintf(stdout, "subsidy: serving on http://%s\n", ln.Addr())

	served := make(chan error, len(servers))
	for i, s := range servers {
		go func() { served <- s.Serve(listeners[i]) }()
	}
	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down: finishing in-flight requests and payout runs", "timeout", cfg.ShutdownTimeout)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	// Payout runs may finish until the timeout; then they are stopped and
	// record themselves interrupted, which also answers the requests
	// waiting for them.
	runsDone := make(chan error, 1)
	go func() { runsDone <- svc.Shutdown(shutdownCtx) }()
	var errs []error
	for _, s := range servers {
		if err := s.Shutdown(shutdownCtx); err != nil {
			errs = append(errs, fmt.Errorf("shutdown: %w", err))
			s.Close()
		}
	}
	for range servers {
		if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
			errs = append(errs, fmt.Errorf("serve: %w", err))
		}
	}
	if err := <-runsDone; err != nil {
		logger.Warn("shutdown", "error", err.Error())
	}
	logger.Info("stopped")
	return errors.Join(errs...)
}

// loopbackUnlessTold binds an address without a host (":9090") to the
// loopback interface: the operators' listener is open to the network only
// when its address says so.
func loopbackUnlessTold(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || host != "" {
		return addr
	}
	return net.JoinHostPort("127.0.0.1", port)
}

// newHTTPServer serves h with timeouts that keep slow clients from holding
// connections.
func newHTTPServer(h http.Handler, logger *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
}

// opsHandler serves the operators' listener: the metrics and Go's
// profiles, never on the API's address. /debug/pprof/cmdline is left out:
// the command line may hold the database's password.
func opsHandler(metrics http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/metrics", metrics)
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}
