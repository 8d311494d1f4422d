package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/wenzhou-subsidy/subsidy/store/registrygen"
)

// cmdRegistry works on the registry as a whole. Its one verb, generate,
// fills an empty database with a synthetic registry — the one the
// screening benchmark uses — so that anyone can try a payout run at scale.
func cmdRegistry(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "generate" {
		return usageError{fmt.Errorf("want registry generate")}
	}
	fs := flagSet("registry generate", stdout)
	db := dbFlag(fs, getenv)
	var opts registrygen.Options
	fs.IntVar(&opts.Enterprises, "enterprises", 10000, "synthetic enterprises to register")
	fs.IntVar(&opts.Universities, "universities", 50, "synthetic universities to register")
	fs.Uint64Var(&opts.Seed, "seed", 1, "seed of the generator: the same seed gives the same registry")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if opts.Enterprises < 0 || opts.Universities < 0 {
		return usageError{fmt.Errorf("--enterprises and --universities must not be negative")}
	}
	st, err := openStore(ctx, *db, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	defer st.Close()
	start := time.Now()
	sum, err := registrygen.Generate(ctx, st, opts)
	if err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	fmt.Fprintf(stdout, "registered %d enterprises (%d certifications, %d credit years) and %d universities (%d donations) in %s\n",
		sum.Enterprises, sum.Certifications, sum.CreditYears, sum.Universities, sum.Donations, time.Since(start).Round(time.Millisecond))
	fmt.Fprintf(stdout, "a payout run as of %s for grant year %d pays what this registry is due\n", registrygen.AsOf, registrygen.GrantYear)
	return nil
}
