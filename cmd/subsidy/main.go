// Command subsidy is the one binary of the project: the REST service
// (serve) and the command-line tools around the rules (eval, rules, test),
// the service (keys) and its registry (forecast, registry). main only
// parses configuration and wires the packages together.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1 // something went wrong, or a rule test failed
	exitUsage   = 2 // bad command line or bad input
)

// usageError marks an error that is the caller's: exit code 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

const usage = `usage: subsidy <command> [flags]

commands:
  serve     serve the REST API           (subsidy serve --addr 127.0.0.1:8080 --db subsidy.db)
  eval      evaluate a request file       (subsidy eval [--rules DIR] [--lang en] [FILE|-])
  rules     list the loaded rules         (subsidy rules [--rules DIR] [--as-of DATE])
  test      run the rule test cases       (subsidy test [--coverage] [--json] [DIR])
  keys      manage API keys               (subsidy keys create|list|revoke --db PATH_OR_URL ...)
  forecast  what a payout run would record, and under a reform, without recording it
            (subsidy forecast --db PATH_OR_URL --grant-year 2026 [--override RULE.PARAM=VALUE] [--json])
  registry  fill a database with a synthetic registry
            (subsidy registry generate --db PATH_OR_URL --enterprises 100000 --universities 50)

Run 'subsidy <command> -h' for a command's flags.
`

// run is the whole program: it reads only its arguments, the environment
// through getenv and the given streams, so tests can call it directly.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	var err error
	switch args[0] {
	case "serve":
		err = cmdServe(ctx, args[1:], getenv, stdout, stderr)
	case "eval":
		err = cmdEval(args[1:], getenv, stdin, stdout, stderr)
	case "rules":
		err = cmdRules(args[1:], getenv, stdout)
	case "test":
		err = cmdTest(args[1:], getenv, stdout)
	case "keys":
		err = cmdKeys(ctx, args[1:], getenv, stdout)
	case "registry":
		err = cmdRegistry(ctx, args[1:], getenv, stdout)
	case "forecast":
		err = cmdForecast(ctx, args[1:], getenv, stdout, stderr)
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return exitOK
	default:
		fmt.Fprintf(stderr, "subsidy: unknown command %q\n\n%s", args[0], usage)
		return exitUsage
	}
	var ue usageError
	var code exitCoder
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &code):
		return code.ExitCode()
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "subsidy %s: %v\n", args[0], err)
		return exitUsage
	default:
		fmt.Fprintf(stderr, "subsidy %s: %v\n", args[0], err)
		return exitFailure
	}
}

// exitCoder is an error that has already been reported and only sets the
// exit code.
type exitCoder interface {
	error
	ExitCode() int
}

type silentExit int

func (e silentExit) Error() string { return fmt.Sprintf("exit %d", int(e)) }
func (e silentExit) ExitCode() int { return int(e) }
