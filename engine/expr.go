package engine

import (
	"errors"
	"fmt"
	"reflect"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/checker"
	"github.com/expr-lang/expr/checker/nature"
	"github.com/expr-lang/expr/conf"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/parser"
	"github.com/expr-lang/expr/vm"
	"gopkg.in/yaml.v3"
)

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

// identifiers returns the names an expression reads: parameters,
// definitions, variables and functions, not the fields after a dot
// (`year.investment` names year, not investment). A source that does not
// parse names nothing.
func identifiers(src string) map[string]bool {
	tree, err := parser.Parse(src)
	if err != nil {
		return nil
	}
	names := nameCollector{}
	ast.Walk(&tree.Node, names)
	return names
}

type nameCollector map[string]bool

func (c nameCollector) Visit(n *ast.Node) {
	if id, ok := (*n).(*ast.IdentifierNode); ok {
		c[id.Value] = true
	}
}
