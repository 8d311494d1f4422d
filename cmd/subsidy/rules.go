package main

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/wenzhou-subsidy/subsidy/input"
	"github.com/wenzhou-subsidy/subsidy/models"
	"github.com/wenzhou-subsidy/subsidy/ruletest"
)

// cmdRules lists the loaded rules with their parameters and the values in
// force on a date (default today).
func cmdRules(args []string, getenv func(string) string, stdout io.Writer) error {
	fs := flagSet("rules", stdout)
	rulesDir := rulesFlag(fs, getenv)
	asOfText := fs.String("as-of", "", "date whose values to show (YYYY-MM-DD, default today)")
	asJSON := fs.Bool("json", false, "print the catalogue as JSON (as GET /v1/rules)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	asOf := today()
	if *asOfText != "" {
		d, err := models.ParseDate(*asOfText)
		if err != nil {
			return usageError{err}
		}
		asOf = d
	}
	eng, err := loadEngine(*rulesDir)
	if err != nil {
		return err
	}
	cat := eng.Catalogue(asOf)
	if *asJSON {
		writeJSON(stdout, cat)
		return nil
	}
	fmt.Fprintf(stdout, "ruleset %s (%s), values in force on %s\n", cat.Ruleset.Version, cat.Ruleset.Digest, asOf)
	for _, r := range cat.Rules {
		fmt.Fprintf(stdout, "\n%s  %s / %s\n  subject: %s\n  citation: %s %s\n", r.ID, r.Title.Zh, r.Title.En, r.Subject, r.Citation.Document, r.Citation.Clause)
		tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
		for _, p := range r.Parameters {
			inForce := string(p.InForce)
			if inForce == "" {
				inForce = "(not yet in force)"
			}
			note := ""
			if p.Interpretation != nil {
				note = "interpretation"
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", p.Key, p.Type, inForce, note)
		}
		tw.Flush()
	}
	return nil
}

// cmdTest runs the rule test cases of a rule directory (default the
// embedded rules), one line per case and a summary. With --coverage it then
// reports, per rule, each condition seen passing and failing and each
// parameter read; gaps are reported, not fatal. With --json it prints all of
// it as one JSON document. A failed case exits 1.
func cmdTest(args []string, getenv func(string) string, stdout io.Writer) error {
	fs := flagSet("test", stdout)
	coverage := fs.Bool("coverage", false, "report each rule's conditions seen passing and failing and parameters read")
	asJSON := fs.Bool("json", false, "print the case results (and the coverage) as JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 1 {
		return usageError{fmt.Errorf("want at most one rule directory")}
	}
	dir := fs.Arg(0)
	eng, err := loadEngine(dir)
	if err != nil {
		return err
	}
	results, err := ruletest.RunCases(eng, ruleFS(dir), input.NewDecoder(eng).Evaluate)
	if err != nil {
		return err
	}
	text, failed := ruletest.Summary(results)
	var cov *ruletest.Coverage
	if *coverage {
		c := ruletest.CoverageOf(eng, results)
		cov = &c
	}
	if *asJSON {
		writeJSON(stdout, struct {
			Cases    []ruletest.CaseResult `json:"cases"`
			Passed   int                   `json:"passed"`
			Failed   int                   `json:"failed"`
			Coverage *ruletest.Coverage    `json:"coverage,omitempty"`
			Gaps     []string              `json:"gaps,omitempty"`
		}{results, len(results) - failed, failed, cov, gaps(cov)})
	} else {
		fmt.Fprint(stdout, text)
		if cov != nil {
			fmt.Fprint(stdout, "\n"+cov.Report())
		}
	}
	if failed > 0 {
		return silentExit(exitFailure)
	}
	return nil
}

// gaps lists the coverage's gaps, if coverage was measured.
func gaps(cov *ruletest.Coverage) []string {
	if cov == nil {
		return nil
	}
	return cov.Gaps()
}
