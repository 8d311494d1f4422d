package engine

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"github.com/expr-lang/expr"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// Names every rule expression may use besides its parameters and definitions.
const (
	varSubject = "subject" // the enterprise or university evaluated
	varAsOf    = "as_of"   // the date the evaluation speaks for
	varYear    = "year"    // in credit_ledger.per_year: the credit year
	varLedger  = "ledger"  // after the credit ledger: its rows
)

var (
	reservedNames = []string{varSubject, varAsOf, varYear, varLedger}
	namePattern   = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	idPattern     = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)
)

// compiler compiles one rule file, collecting every problem it finds.
type compiler struct {
	opts []expr.Option
	p    problems
	// broken names a rule's parameters and definitions that failed: later
	// expressions using them are not reported again, so that one mistake
	// is one problem.
	broken map[string]bool
}

// markBroken records a failed parameter or definition and leaves it untyped
// in env, so that the expressions after it are still checked.
func (c *compiler) markBroken(name string, env map[string]any) {
	c.broken[name] = true
	env[name] = nil
}

// usesBroken reports whether an expression names a failed parameter or
// definition.
func (c *compiler) usesBroken(src string) bool {
	for name := range identifiers(src) {
		if c.broken[name] {
			return true
		}
	}
	return false
}

func subjectZero(kind string) any {
	if kind == models.KindUniversity {
		return &models.University{}
	}
	return &models.Enterprise{}
}

// compileRule checks and compiles a decoded rule file.
func (c *compiler) compileRule(ry *ruleYAML, file string) *rule {
	c.broken = map[string]bool{}
	r := &rule{id: ry.ID, file: file, title: ry.Title, subject: ry.Subject, citation: ry.Citation.model()}
	c.checkHeader(ry, file)

	env := map[string]any{varSubject: subjectZero(ry.Subject), varAsOf: models.Date{}}
	taken := map[string]string{}
	for _, n := range reservedNames {
		taken[n] = "a reserved name"
	}
	for _, f := range library {
		taken[f.name] = "a function name"
	}
	for _, n := range allowedBuiltins {
		taken[n] = "a function name"
	}
	problemsBefore := len(*c.p.list)
	r.params = c.compileParams(ry.Parameters, env, taken)
	paramEnv := maps.Clone(env)
	r.defs = c.compileDefs("", ry.Definitions, env, taken)
	if ry.CreditLedger != nil {
		r.ledger = c.compileLedger(ry.CreditLedger, r, env, taken)
		// Pointers, so that expressions over the rows do not copy them.
		env[varLedger] = []*models.LedgerRow{}
	}
	r.conds = c.compileConds("", ry.Conditions, env, r.params)
	if len(r.conds) == 0 {
		c.p.add(c.p.line("conditions"), "", "a rule needs at least one condition (a subject that is not eligible must fail one)")
	}
	r.amount = c.compileExpr("amount", &ry.Amount, env, tMoney)
	if ry.Payout != nil {
		r.payout = c.compilePayout(ry.Payout, env)
	}
	if len(*c.p.list) == problemsBefore {
		r.condBlock = &block{conds: r.conds, conditional: []*program{&r.amount}}
		if r.payout != nil && r.payout.items != nil {
			r.condBlock.conditional = append(r.condBlock.conditional, r.payout.items)
		}
		condEnv := env
		if r.ledger != nil {
			r.defBlock = &block{defs: r.defs}
			c.compileBlock("definitions", paramEnv, r.defBlock)
		} else {
			r.condBlock.defs = r.defs
			condEnv = paramEnv
		}
		c.compileBlock("conditions", condEnv, r.condBlock)
	}
	r.segments = r.buildSegments()
	r.resolveReads()
	r.info = ruleInfo(r)
	return r
}

func (c *compiler) checkHeader(ry *ruleYAML, file string) {
	switch {
	case ry.ID == "":
		c.p.add(1, "", "id is missing")
	case !idPattern.MatchString(ry.ID):
		c.p.add(c.p.line("id"), "", "id %q must be lowercase words joined by hyphens", ry.ID)
	case file != ry.ID+".yaml":
		c.p.add(c.p.line("id"), "", "a rule's file must be named after its id: %s.yaml", ry.ID)
	}
	if ry.Title.Zh == "" || ry.Title.En == "" {
		c.p.add(c.p.line("title"), "", "title needs zh and en")
	}
	if !slices.Contains(models.SubjectKinds, ry.Subject) {
		c.p.add(c.p.line("subject"), "", "subject %q must be one of %s", ry.Subject, strings.Join(models.SubjectKinds, ", "))
	}
	if ry.Citation.Document == "" || ry.Citation.Clause == "" || ry.Citation.Text == "" {
		c.p.add(c.p.line("citation"), "citation", "document, clause and the quoted text are required")
	}
}

func (c *compiler) compileParams(decls map[string]paramDecl, env map[string]any, taken map[string]string) []*param {
	names := make([]string, 0, len(decls))
	for n := range decls {
		names = append(names, n)
	}
	slices.Sort(names)
	var out []*param
	for _, name := range names {
		d := decls[name]
		where := "parameter " + name
		if !c.checkName(where, 0, name, taken, "a parameter") {
			continue
		}
		kind, ok := paramKinds[d.Type]
		if !ok {
			c.p.add(c.p.line("parameters", name, "type"), where, "unknown type %q (want one of %s)", d.Type, paramTypeNames())
			c.markBroken(name, env)
			continue
		}
		if !c.checkDecl(where, c.p.line("parameters", name), &d) {
			c.markBroken(name, env)
			continue
		}
		p := &param{name: name, decl: d, kind: kind}
		lines := map[models.Date]int{}
		for _, v := range d.Values {
			from, err := models.ParseDate(v.From.Value)
			if err != nil {
				c.p.add(v.From.Line, where, "from: %v", err)
				continue
			}
			if _, dup := lines[from]; dup {
				c.p.add(v.From.Line, where, "two values from %s", from)
				continue
			}
			lines[from] = v.From.Line
			raw, err := YAMLToJSON(&v.Value)
			if err == nil {
				var val any
				if val, err = kind.parse(&d, raw); err == nil {
					canon, _ := json.Marshal(val)
					p.values = append(p.values, paramValue{from: from, value: val, raw: canon})
					continue
				}
			}
			c.p.add(v.Value.Line, where, "value from %s: %v", from, err)
		}
		slices.SortFunc(p.values, func(a, b paramValue) int { return a.from.Cmp(b.from) })
		if len(d.Values) == 0 {
			c.p.add(c.p.line("parameters", name), where, "no values: give at least one {from, value}")
		}
		env[name] = kind.zero
		out = append(out, p)
	}
	return out
}

// checkDecl checks the parts of a declaration that only some types take.
func (c *compiler) checkDecl(where string, line int, d *paramDecl) bool {
	ok := true
	if d.Description.Zh == "" || d.Description.En == "" {
		c.p.add(line, where, "description needs zh and en")
		ok = false
	}
	if (d.Type == "enum") != (len(d.Enum) > 0) {
		c.p.add(line, where, "enum lists the choices of an enum parameter, and only of one")
		ok = false
	}
	for _, bound := range []string{d.Min, d.Max} {
		if bound == "" {
			continue
		}
		switch d.Type {
		case "decimal":
			if _, err := models.ParseDecimal(bound, models.MaxDecimalScale); err != nil {
				c.p.add(line, where, "bound: %v", err)
				ok = false
			}
		case "int":
			if _, reason := parseWhole(bound); reason != "" {
				c.p.add(line, where, "bound %q: %s", bound, reason)
				ok = false
			}
		default:
			c.p.add(line, where, "min and max apply to decimal and int parameters only")
			ok = false
		}
	}
	return ok
}

// parseWhole checks a whole-number bound.
func parseWhole(s string) (int, string) {
	var n int
	if _, err := fmt.Sscanf(s, "%d", &n); err != nil || fmt.Sprint(n) != s {
		return 0, "not a whole number"
	}
	return n, ""
}

func (c *compiler) checkName(where string, line int, name string, taken map[string]string, what string) bool {
	if !namePattern.MatchString(name) {
		c.p.add(line, where, "name %q must be lowercase letters, digits and underscores", name)
		return false
	}
	if prev, dup := taken[name]; dup {
		c.p.add(line, where, "name %q is already %s", name, prev)
		return false
	}
	taken[name] = what
	return true
}

func (c *compiler) compileDefs(prefix string, defs []definitionYAML, env map[string]any, taken map[string]string) []definition {
	var out []definition
	for _, d := range defs {
		where := prefix + "definition " + d.Name
		if !c.checkName(where, d.Expr.Line, d.Name, taken, "a definition") {
			continue
		}
		prog := c.compileExpr(where, &d.Expr, env, nil)
		if prog.prog == nil {
			c.markBroken(d.Name, env)
			continue
		}
		env[d.Name] = reflect.Zero(prog.prog.Node().Type()).Interface()
		out = append(out, definition{name: d.Name, program: prog})
	}
	return out
}

func (c *compiler) compileConds(prefix string, conds []conditionYAML, env map[string]any, params []*param) []condition {
	var out []condition
	seen := map[string]bool{}
	for _, cy := range conds {
		where := prefix + "condition " + cy.ID
		switch {
		case !idPattern.MatchString(cy.ID):
			c.p.add(cy.Expr.Line, where, "id %q must be lowercase words joined by hyphens", cy.ID)
		case seen[cy.ID]:
			c.p.add(cy.Expr.Line, where, "id %q is used twice", cy.ID)
		case cy.ID == inForceID:
			c.p.add(cy.Expr.Line, where, "id %q is the engine's: a rule evaluated before its parameters apply fails it", cy.ID)
		}
		seen[cy.ID] = true
		if cy.Message.Zh == "" || cy.Message.En == "" {
			c.p.add(cy.Expr.Line, where, "message needs zh and en")
		}
		cond := condition{id: cy.ID, message: cy.Message, program: c.compileExpr(where, &cy.Expr, env, tBool)}
		if cy.AppliesIf.Kind != 0 {
			a := c.compileExpr(where+" applies_if", &cy.AppliesIf, env, tBool)
			cond.applies = &a
		}
		var unknown []string
		for i, text := range []string{cy.Message.Zh, cy.Message.En} {
			t, names := parseTemplate(text, params)
			unknown = append(unknown, names...)
			cond.tmpl[i] = t
		}
		slices.Sort(unknown)
		for _, u := range slices.Compact(unknown) {
			if !c.broken[u] {
				c.p.add(cy.Expr.Line, where, "message names {%s}, which is not a parameter of this rule", u)
			}
		}
		out = append(out, cond)
	}
	return out
}

func (c *compiler) compileLedger(ly *creditLedgerYAML, r *rule, ruleEnv map[string]any, taken map[string]string) *ledgerBlock {
	lb := &ledgerBlock{allocation: slices.IndexFunc(r.params, func(p *param) bool { return p.name == allocationParam })}
	modes := strings.Join(allocationModes, ", ")
	switch {
	case lb.allocation >= 0:
		if p := r.params[lb.allocation]; p.decl.Type != "enum" || !slices.Equal(p.decl.Enum, allocationModes) {
			c.p.add(c.p.line("parameters", allocationParam), "parameter "+allocationParam, "the credit ledger splits by this parameter: it must be an enum with the choices %s", modes)
		}
	case !c.broken[allocationParam]: // a parameter that failed is one problem already
		c.p.add(c.p.line("credit_ledger"), "credit_ledger", "a credit ledger needs the parameter %s, an enum with the choices %s: how an offset smaller than both surcharges is split", allocationParam, modes)
	}
	if r.subject != models.KindEnterprise {
		c.p.add(c.p.line("credit_ledger"), "credit_ledger", "a credit ledger applies to enterprises only")
	}
	env := maps.Clone(ruleEnv)
	env[varYear] = &models.CreditYear{}
	yearEnv := maps.Clone(env)
	problemsBefore := len(*c.p.list)
	yearTaken := maps.Clone(taken)
	lb.defs = c.compileDefs("per_year ", ly.PerYear.Definitions, env, yearTaken)
	lb.conds = c.compileConds("per_year ", ly.PerYear.Conditions, env, r.params)
	lb.generated = c.compileExpr("per_year generated", &ly.PerYear.Generated, env, tMoney)
	lb.reversed = c.compileExpr("per_year reversed", &ly.PerYear.Reversed, env, tMoney)
	if len(*c.p.list) == problemsBefore {
		lb.year = &block{defs: lb.defs, conds: lb.conds, conditional: []*program{&lb.generated}, extra: []*program{&lb.reversed}}
		c.compileBlock("per_year", yearEnv, lb.year)
	}
	return lb
}

func (c *compiler) compilePayout(py *payoutYAML, env map[string]any) *payoutBlock {
	pb := &payoutBlock{payer: py.Payer}
	if py.Payer != models.PayerLocal && py.Payer != models.PayerCity {
		c.p.add(c.p.line("payout"), "payout", "payer must be %s (the finance bureau of the enterprise's region) or %s", models.PayerLocal, models.PayerCity)
	}
	if py.Items.Kind != 0 {
		items := c.compileExpr("payout items", &py.Items, env, tPayoutItems)
		pb.items = &items
	}
	return pb
}

func findParam(params []*param, name string) *param {
	for _, p := range params {
		if p.name == name {
			return p
		}
	}
	return nil
}
