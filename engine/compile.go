package engine

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/checker"
	"github.com/expr-lang/expr/checker/nature"
	"github.com/expr-lang/expr/conf"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/vm"
	"gopkg.in/yaml.v3"

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

// rule is a compiled rule: its programs, its parameters and, per date on
// which a parameter changes, the values in force from then on.
type rule struct {
	id       string
	file     string
	title    models.Text
	subject  string
	citation models.Citation
	params   []*param // sorted by name
	defs     []definition
	conds    []condition
	// With a credit ledger, defBlock (the definitions) runs before it and
	// condBlock (the conditions, then the amount and payout items) after;
	// without one, condBlock runs it all.
	defBlock  *block
	condBlock *block
	amount    program
	ledger    *ledgerBlock
	payout    *payoutBlock
	segments  []*segment // by date, the first complete one onwards
	info      models.RuleInfo
}

// payoutBlock says who pays a grant and, when items is set, how its amount
// splits into payouts (otherwise it is one payout).
type payoutBlock struct {
	payer string
	items *program
}

// ledgerBlock is the per-year part of the surcharge credit.
type ledgerBlock struct {
	allocation string // the name of the allocation parameter
	defs       []definition
	conds      []condition
	generated  program
	reversed   program
	year       *block // all of the above, run once per credit year
}

type program struct {
	src  string
	line int
	prog *vm.Program
}

type definition struct {
	name string
	program
}

type condition struct {
	id      string
	applies *program // nil: always applies
	program
	message models.Text
	tmpl    [2]template // zh, en
}

type param struct {
	name   string
	decl   paramDecl
	kind   paramKind
	values []paramValue // by from
}

type paramValue struct {
	from  models.Date
	value any
	raw   json.RawMessage
}

// segment holds what is in force from a date on: every parameter's value and
// the condition messages rendered with them.
type segment struct {
	from     models.Date
	values   []namedValue
	ruleMsgs []models.Text // by rule condition
	yearMsgs []models.Text // by per-year condition
}

type namedValue struct {
	name  string
	value any
}

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
	for name := range c.broken {
		if regexp.MustCompile(`\b` + regexp.QuoteMeta(name) + `\b`).MatchString(src) {
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
	for _, n := range append(slices.Clone(functionNames), allowedBuiltins...) {
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
	r.segments = c.buildSegments(r)
	r.info = ruleInfo(r, ry)
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
	lb := &ledgerBlock{allocation: ly.Allocation}
	p := findParam(r.params, ly.Allocation)
	if p == nil || p.decl.Type != "enum" || !slices.Equal(p.decl.Enum, allocationModes) {
		c.p.add(c.p.line("credit_ledger"), "credit_ledger", "allocation must name an enum parameter with the choices %s", strings.Join(allocationModes, ", "))
	}
	if r.subject != models.KindEnterprise {
		c.p.add(c.p.line("credit_ledger"), "credit_ledger", "a credit ledger applies to enterprises only")
	}
	env := make(map[string]any, len(ruleEnv)+8)
	for k, v := range ruleEnv {
		env[k] = v
	}
	env[varYear] = &models.CreditYear{}
	yearEnv := maps.Clone(env)
	problemsBefore := len(*c.p.list)
	yearTaken := make(map[string]string, len(taken))
	for k, v := range taken {
		yearTaken[k] = v
	}
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

// compileExpr type-checks and compiles one expression against env. want, if
// set, is the type the expression must have. Problems are recorded, and a
// zero program is returned.
func (c *compiler) compileExpr(where string, node *yaml.Node, env map[string]any, want reflect.Type) program {
	if node.Kind == 0 || node.Value == "" {
		c.p.add(node.Line, where, "expression is missing")
		return program{}
	}
	if node.Kind != yaml.ScalarNode {
		c.p.add(node.Line, where, "expression must be a string")
		return program{}
	}
	src := node.Value
	opts := append([]expr.Option{expr.Env(env)}, c.opts...)
	prog, err := expr.Compile(src, opts...)
	if err == nil {
		err = recheck(src, opts)
	}
	if err == nil {
		err = checkExact(prog)
	}
	if err == nil {
		err = checkType(prog, want)
	}
	if err != nil {
		if !c.usesBroken(src) {
			c.p.add(node.Line, where, "%s", exprErrorText(err))
		}
		return program{src: src, line: node.Line}
	}
	return program{src: src, line: node.Line, prog: prog}
}

// checkType checks the type of a whole expression: want, or (for a
// definition, want nil) any definite type. The error points at the
// expression's start, as expr's own errors do.
func checkType(prog *vm.Program, want reflect.Type) error {
	got := prog.Node().Type()
	msg := ""
	switch {
	case want != nil && got != want:
		msg = fmt.Sprintf("expected %s, but the expression gives %s", typeName(want), typeName(got))
	case want == nil && (got == nil || got.Kind() == reflect.Interface):
		msg = "the expression has no definite type"
	default:
		return nil
	}
	fe := &file.Error{Location: file.Location{From: 0, To: 1}, Message: msg}
	return fe.Bind(prog.Source())
}

func typeName(t reflect.Type) string {
	switch t {
	case nil:
		return "nothing"
	case tMoney:
		return "an amount (Money)"
	case tBool:
		return "a bool"
	case tPayoutItems:
		return "a list of payout items"
	}
	if t.Kind() == reflect.Interface {
		return "a value of no definite type"
	}
	return t.String()
}

// exprErrorText keeps expr's message with its (line:column) and snippet.
func exprErrorText(err error) string {
	var fe *file.Error
	if errors.As(err, &fe) {
		return fe.Error()
	}
	return err.Error()
}

// recheck type-checks src once more, from a clean slate. expr's operator
// overloading types every call node on a first pass and, on its final pass,
// does not look into a typed call's arguments again: without this, a typo
// inside mul_half_up(amout, rate) would load and fail only when evaluated.
func recheck(src string, opts []expr.Option) error {
	config := conf.CreateNew()
	for _, op := range opts {
		op(config)
	}
	for name := range config.Disabled {
		delete(config.Builtins, name)
	}
	tree, err := checker.ParseCheck(src, config)
	if err != nil {
		return err
	}
	ast.Walk(&tree.Node, untypeCalls{})
	_, err = checker.Check(tree, config)
	return err
}

// untypeCalls forgets the types of call nodes, so that the checker visits
// their arguments.
type untypeCalls struct{}

func (untypeCalls) Visit(n *ast.Node) {
	if call, ok := (*n).(*ast.CallNode); ok {
		call.SetNature(nature.Nature{})
	}
}

// checkExact rejects what expr would accept but is not exact: a float value
// anywhere (the `/` operator, a float literal) and == or != between values of
// different types, which expr answers false instead of failing.
func checkExact(prog *vm.Program) error {
	v := &exactVisitor{}
	node := prog.Node()
	ast.Walk(&node, v)
	if v.err != nil {
		return v.err.Bind(prog.Source())
	}
	return nil
}

type exactVisitor struct{ err *file.Error }

func (v *exactVisitor) Visit(n *ast.Node) {
	if v.err != nil {
		return
	}
	node := *n
	if t := node.Type(); t == tFloat64 || t == tFloat32 {
		v.err = &file.Error{Location: node.Location(), Message: "floating-point arithmetic is not allowed in rules: amounts must stay exact (use mul_half_up, min_money, sum_money)"}
		return
	}
	b, ok := node.(*ast.BinaryNode)
	if !ok || (b.Operator != "==" && b.Operator != "!=") {
		return
	}
	l, r := b.Left.Type(), b.Right.Type()
	if l == nil || r == nil || l == r || l.Kind() == reflect.Interface || r.Kind() == reflect.Interface {
		return
	}
	if _, nilRight := b.Right.(*ast.NilNode); nilRight {
		return
	}
	v.err = &file.Error{Location: b.Location(), Message: fmt.Sprintf("comparing %s with %s is always false", l, r)}
}

// buildSegments resolves, for each date on which a parameter of the rule
// takes a new value, the full set of values in force; dates before every
// parameter has a value are left out (the rule is not yet in force then).
func (c *compiler) buildSegments(r *rule) []*segment {
	var dates []models.Date
	for _, p := range r.params {
		for _, v := range p.values {
			dates = append(dates, v.from)
		}
	}
	slices.SortFunc(dates, models.Date.Cmp)
	dates = slices.Compact(dates)
	var out []*segment
	for _, d := range dates {
		values, complete := r.valuesAt(d)
		if complete {
			out = append(out, r.bind(d, values))
		}
	}
	return out
}

// valuesAt returns each parameter's value in force on day d, and whether
// every parameter has one.
func (r *rule) valuesAt(d models.Date) (map[string]any, bool) {
	values := make(map[string]any, len(r.params))
	for _, p := range r.params {
		i, _ := slices.BinarySearchFunc(p.values, d, func(v paramValue, d models.Date) int {
			if v.from.After(d) {
				return 1
			}
			return -1
		})
		if i > 0 {
			values[p.name] = p.values[i-1].value
		}
	}
	return values, len(values) == len(r.params)
}

// bind returns the segment for a complete set of values, with the condition
// messages rendered.
func (r *rule) bind(from models.Date, values map[string]any) *segment {
	s := &segment{from: from}
	for _, p := range r.params {
		s.values = append(s.values, namedValue{name: p.name, value: values[p.name]})
	}
	show := func(lang string) func(string) string {
		return func(name string) string {
			return findParam(r.params, name).kind.show(values[name], lang)
		}
	}
	render := func(conds []condition) []models.Text {
		out := make([]models.Text, len(conds))
		for i, c := range conds {
			out[i] = models.Text{Zh: c.tmpl[0].render(show(models.LangZh)), En: c.tmpl[1].render(show(models.LangEn))}
		}
		return out
	}
	s.ruleMsgs = render(r.conds)
	if r.ledger != nil {
		s.yearMsgs = render(r.ledger.conds)
	}
	return s
}

// template is a message with {param} placeholders.
type template []templatePart

type templatePart struct {
	text  string
	param string
}

var placeholder = regexp.MustCompile(`\{([a-z][a-z0-9_]*)\}`)

func parseTemplate(s string, params []*param) (template, []string) {
	var t template
	var unknown []string
	last := 0
	for _, m := range placeholder.FindAllStringSubmatchIndex(s, -1) {
		name := s[m[2]:m[3]]
		if findParam(params, name) == nil {
			unknown = append(unknown, name)
			continue
		}
		t = append(t, templatePart{text: s[last:m[0]]}, templatePart{param: name})
		last = m[1]
	}
	return append(t, templatePart{text: s[last:]}), unknown
}

func (t template) render(show func(string) string) string {
	var b strings.Builder
	for _, p := range t {
		if p.param != "" {
			b.WriteString(show(p.param))
		} else {
			b.WriteString(p.text)
		}
	}
	return b.String()
}

func ruleInfo(r *rule, ry *ruleYAML) models.RuleInfo {
	info := models.RuleInfo{
		ID: r.id, Title: r.title, Subject: r.subject, File: r.file, Citation: r.citation,
		Amount: r.amount.src, Parameters: []models.ParameterInfo{},
		Definitions: defInfos(r.defs), Conditions: condInfos(r.conds),
	}
	for _, p := range r.params {
		pi := models.ParameterInfo{
			Name: p.name, Key: r.id + "." + p.name, Type: p.decl.Type, Enum: p.decl.Enum,
			Description: p.decl.Description, Interpretation: p.decl.Interpretation,
		}
		for _, v := range p.values {
			pi.Values = append(pi.Values, models.DatedValue{From: v.from, Value: v.raw})
		}
		info.Parameters = append(info.Parameters, pi)
	}
	if r.payout != nil {
		info.Payout = &models.PayoutDeclInfo{Payer: r.payout.payer}
		if r.payout.items != nil {
			info.Payout.Items = r.payout.items.src
		}
	}
	if r.ledger != nil {
		info.CreditLedger = &models.CreditLedgerInfo{
			Allocation: r.ledger.allocation, Definitions: defInfos(r.ledger.defs),
			Conditions: condInfos(r.ledger.conds), Generated: r.ledger.generated.src, Reversed: r.ledger.reversed.src,
		}
	}
	return info
}

func defInfos(defs []definition) []models.DefinitionInfo {
	out := []models.DefinitionInfo{}
	for _, d := range defs {
		out = append(out, models.DefinitionInfo{Name: d.name, Expr: d.src})
	}
	return out
}

func condInfos(conds []condition) []models.ConditionInfo {
	out := []models.ConditionInfo{}
	for _, c := range conds {
		ci := models.ConditionInfo{ID: c.id, Expr: c.src, Message: c.message}
		if c.applies != nil {
			ci.AppliesIf = c.applies.src
		}
		out = append(out, ci)
	}
	return out
}
