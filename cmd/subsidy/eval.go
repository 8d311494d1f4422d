package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/wenzhou-subsidy/subsidy/api"
	"github.com/wenzhou-subsidy/subsidy/app"
	"github.com/wenzhou-subsidy/subsidy/engine"
	"github.com/wenzhou-subsidy/subsidy/models"
)

// cmdEval evaluates one request file (the JSON of POST /v1/evaluate) and
// prints the response; bad input prints the API's problem document on
// stderr and exits 2.
func cmdEval(args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flagSet("eval", stderr)
	rulesDir := rulesFlag(fs, getenv)
	lang := fs.String("lang", models.LangZh, "language of messages: zh or en")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 1 {
		return usageError{fmt.Errorf("want at most one request file, got %d", fs.NArg())}
	}
	body, err := readInput(fs.Arg(0), stdin)
	if err != nil {
		return err
	}
	eng, err := loadEngine(*rulesDir)
	if err != nil {
		return err
	}
	resp, err := evaluate(eng, body, *lang)
	if err != nil {
		var me *models.Error
		if errors.As(err, &me) && me.Code != models.CodeInternal {
			writeJSON(stderr, api.NewProblem(err, *lang))
			return silentExit(exitUsage)
		}
		return err
	}
	writeJSON(stdout, resp)
	return nil
}

// evaluate decodes and evaluates a request through the use cases, as POST
// /v1/evaluate does; an evaluation needs no registry.
func evaluate(eng *engine.Engine, body []byte, lang string) (models.EvaluateResponse, error) {
	svc := app.New(eng, nil, app.Options{})
	req, err := svc.Input().Evaluate(body, svc.Today())
	if err != nil {
		return models.EvaluateResponse{}, err
	}
	return svc.Evaluate(req, lang)
}

// readInput reads the named file, or stdin for "" and "-".
func readInput(name string, stdin io.Reader) ([]byte, error) {
	if name == "" || name == "-" {
		return io.ReadAll(stdin)
	}
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, usageError{err}
	}
	return b, nil
}

func writeJSON(w io.Writer, v any) {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}
