package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/width"

	"github.com/wenzhou-subsidy/subsidy/api"
	"github.com/wenzhou-subsidy/subsidy/app"
	"github.com/wenzhou-subsidy/subsidy/models"
)

// overrideFlags collects --override RULE.PARAM=VALUE flags. A value is
// taken as text unless it is JSON that is not a bare number (an object, a
// list, true, false or a quoted string): amounts and rates stay the exact
// decimals typed.
type overrideFlags map[string]json.RawMessage

func (o overrideFlags) String() string { return "" }

func (o overrideFlags) Set(s string) error {
	name, value, ok := strings.Cut(s, "=")
	if !ok || name == "" {
		return fmt.Errorf("want RULE.PARAM=VALUE, got %q", s)
	}
	raw := json.RawMessage(value)
	if t := strings.TrimSpace(value); !json.Valid(raw) || t == "" || strings.ContainsRune("-0123456789", rune(t[0])) {
		raw, _ = json.Marshal(value)
	}
	o[name] = raw
	return nil
}

// listFlag parses a comma-separated list, as --rules a,b.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(s string) error {
	for _, r := range strings.Split(s, ",") {
		if r = strings.TrimSpace(r); r != "" {
			*l = append(*l, r)
		}
	}
	return nil
}

// cmdForecast prints what a payout run would record now on the database's
// registry (资金测算), without recording it: a table a person reads, in
// Chinese, or with --json the answer of POST /v1/forecasts. Bad input
// prints each bad field on stderr (the problem document with --json) and
// exits 2.
func cmdForecast(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flagSet("forecast", stderr)
	db := dbFlag(fs, getenv)
	// --rules names the rules to forecast, as a request's "rules" does; the
	// rule directory, --rules elsewhere, is --rules-dir here.
	rulesDir := fs.String("rules-dir", envOr(getenv, "SUBSIDY_RULES", ""), "rule directory instead of the embedded rules (SUBSIDY_RULES)")
	var req models.ForecastRequest
	grantYear := fs.Int("grant-year", 0, "the grant year (default the year of --as-of)")
	asOf := fs.String("as-of", "", "the date the forecast speaks for (YYYY-MM-DD, default today; may be in the future)")
	var payRules listFlag
	fs.Var(&payRules, "rules", "the rules that pay out to forecast, comma-separated (default every one: cert-grant,donation-match)")
	overrides := overrideFlags{}
	fs.Var(overrides, "override", "a reform's value RULE.PARAM=VALUE, as in an evaluation's overrides (repeat for more)")
	asJSON := fs.Bool("json", false, "print the answer of POST /v1/forecasts as JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("unexpected arguments %q", fs.Args())}
	}
	if *asOf != "" {
		d, err := models.ParseDate(*asOf)
		if err != nil {
			return usageError{fmt.Errorf("--as-of: %w", err)}
		}
		req.AsOf = d
	}
	// Given, even as 0, it is checked as a request's grant_year is.
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "grant-year" {
			req.GrantYear = grantYear
		}
	})
	req.Rules = payRules
	if len(overrides) > 0 {
		req.Overrides = overrides
	}
	svc, st, err := openService(ctx, *db, *rulesDir, app.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return err
	}
	defer st.Close()
	f, err := svc.Forecast(ctx, req)
	if err != nil {
		return badForecast(err, *asJSON, stderr)
	}
	if *asJSON {
		writeJSON(stdout, f)
		return nil
	}
	printForecast(stdout, f, svc)
	return nil
}

// badForecast reports bad input field by field (exit 2); any other error
// is returned as is.
func badForecast(err error, asJSON bool, stderr io.Writer) error {
	var me *models.Error
	if !errors.As(err, &me) || me.Code != models.CodeInvalid {
		return err
	}
	if asJSON {
		writeJSON(stderr, api.NewProblem(err, models.LangZh))
		return silentExit(exitUsage)
	}
	fmt.Fprintln(stderr, "subsidy forecast: "+me.Message.Zh)
	for _, f := range me.Fields {
		fmt.Fprintf(stderr, "  %s: %s\n", flagOf(f.Field), f.Text.Zh)
	}
	return silentExit(exitUsage)
}

// flagOf names a request field by the flag that sets it.
func flagOf(field string) string {
	switch {
	case field == "grant_year":
		return "--grant-year"
	case field == "as_of":
		return "--as-of"
	case strings.HasPrefix(field, "rules["):
		return "--rules " + field
	case strings.HasPrefix(field, "overrides."):
		return "--override " + strings.TrimPrefix(field, "overrides.")
	}
	return field
}

// printForecast writes a forecast as a table a person reads: the baseline
// (现行政策) and, with overrides, the reform (调整方案) and the change beside it.
func printForecast(w io.Writer, f app.Forecast, svc *app.Service) {
	fmt.Fprintf(w, "资金测算：%d 年度补助，测算日 %s，规则集 %s\n", f.GrantYear, chineseDate(f.AsOf), f.Ruleset.Version)
	if len(f.Overrides) > 0 {
		var parts []string
		for _, k := range slices.Sorted(maps.Keys(f.Overrides)) {
			parts = append(parts, k+" = "+string(f.Overrides[k]))
		}
		fmt.Fprintf(w, "调整方案：%s\n", strings.Join(parts, "；"))
	}
	fmt.Fprintln(w)

	t := &textTable{}
	header := []string{"", "现行政策"}
	if f.Reform != nil {
		header = append(header, "调整方案", "增减")
	}
	t.row(header...)
	amounts := func(label string, pick func(app.ForecastFigures) models.Money) {
		cells := []string{label, yuan(pick(f.Baseline))}
		if f.Reform != nil {
			r := pick(*f.Reform)
			cells = append(cells, yuan(r), signedYuan(r.Sub(pick(f.Baseline))))
		}
		t.row(cells...)
	}
	counts := func(label string, pick func(app.ForecastFigures) int) {
		cells := []string{label, fmt.Sprint(pick(f.Baseline))}
		if f.Reform != nil {
			r := pick(*f.Reform)
			cells = append(cells, fmt.Sprint(r), fmt.Sprintf("%+d", r-pick(f.Baseline)))
		}
		t.row(cells...)
	}
	amounts("补助合计", func(x app.ForecastFigures) models.Money { return x.Total })
	counts("  涉及主体（个）", func(x app.ForecastFigures) int { return x.Subjects })
	t.row("按补助项目")
	for i, r := range f.Baseline.ByRule {
		title := r.Rule
		if info, ok := svc.Engine().Rule(r.Rule, f.AsOf); ok {
			title = info.Title.Zh
		}
		amounts("  "+title, func(x app.ForecastFigures) models.Money { return x.ByRule[i].Total })
	}
	t.row("按付款单位")
	for _, p := range payersOf(f) {
		amounts("  "+p.Name+" "+p.Code, func(x app.ForecastFigures) models.Money {
			for _, q := range x.ByPayer {
				if q.Payer == p {
					return q.Total
				}
			}
			return models.Money{}
		})
	}
	t.row(fmt.Sprintf("税式支出（减少的附加收入，%d 年度）", f.Baseline.Credit.Year))
	amounts("  实际抵免", func(x app.ForecastFigures) models.Money { return x.Credit.Offset })
	amounts("    其中 教育费附加", func(x app.ForecastFigures) models.Money { return x.Credit.OffsetEducation })
	amounts("    其中 地方教育附加", func(x app.ForecastFigures) models.Money { return x.Credit.OffsetLocal })
	amounts("  结转以后年度", func(x app.ForecastFigures) models.Money { return x.Credit.CarryOut })
	counts("  涉及企业（家）", func(x app.ForecastFigures) int { return x.Credit.Enterprises })
	t.write(w)

	if f.Changes != nil {
		fmt.Fprintf(w, "\n调整方案与现行政策相比：增加 %d 个主体，减少 %d 个，不变 %d 个；补助合计增减 %s 元。\n",
			f.Changes.Gainers, f.Changes.Losers, f.Changes.Unchanged, signedYuan(f.Changes.Difference))
	}
	if n := f.Baseline.Skipped; n > 0 {
		fmt.Fprintf(w, "\n注意：%d 个已登记主体的数据不符合规则要求，未计入（发放批次同样会跳过）。\n", n)
	}
	fmt.Fprintln(w, "\n金额单位：元。测算不记录任何补助发放；已记录的金额不重复计入。")
}

// payersOf lists the payers of the baseline and the reform, in code order.
func payersOf(f app.Forecast) []models.Payer {
	var out []models.Payer
	figures := []app.ForecastFigures{f.Baseline}
	if f.Reform != nil {
		figures = append(figures, *f.Reform)
	}
	for _, x := range figures {
		for _, p := range x.ByPayer {
			if !slices.Contains(out, p.Payer) {
				out = append(out, p.Payer)
			}
		}
	}
	slices.SortFunc(out, func(a, b models.Payer) int { return strings.Compare(a.Code, b.Code) })
	return out
}

// yuan shows an amount as people read it: 1,234,567.50.
func yuan(m models.Money) string { return m.Grouped() }

// signedYuan shows a change with its sign: +50,000.00, -50,000.00, 0.00.
func signedYuan(m models.Money) string {
	if m.IsPositive() {
		return "+" + m.Grouped()
	}
	return m.Grouped()
}

// chineseDate shows a date as 2025年6月30日.
func chineseDate(d models.Date) string {
	t := d.Time()
	return fmt.Sprintf("%d年%d月%d日", t.Year(), int(t.Month()), t.Day())
}

// textTable lines up columns of text in which Chinese characters take two
// columns of a terminal; the first column is left-aligned, the others
// (figures) right-aligned.
type textTable struct{ rows [][]string }

func (t *textTable) row(cells ...string) { t.rows = append(t.rows, cells) }

func (t *textTable) write(w io.Writer) {
	var widths []int
	for _, r := range t.rows {
		if len(r) == 1 {
			continue // a section title spans the table
		}
		for i, c := range r {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], displayWidth(c))
		}
	}
	for _, r := range t.rows {
		var b strings.Builder
		for i, c := range r {
			pad := strings.Repeat(" ", max(0, widths[min(i, len(widths)-1)]-displayWidth(c)))
			switch {
			case len(r) == 1:
				b.WriteString(c)
			case i == 0:
				b.WriteString(c + pad)
			default:
				b.WriteString("  " + pad + c)
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
}

// displayWidth is how many terminal columns s takes: two for each wide
// (Chinese) character.
func displayWidth(s string) int {
	n := 0
	for len(s) > 0 {
		r, size := utf8.DecodeRuneInString(s)
		s = s[size:]
		switch width.LookupRune(r).Kind() {
		case width.EastAsianWide, width.EastAsianFullwidth:
			n += 2
		default:
			n++
		}
	}
	return n
}
