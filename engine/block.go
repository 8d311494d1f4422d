package engine

import (
	"fmt"
	"strings"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/vm"
)

// A block runs a group of a rule's expressions — its definitions, its
// conditions, or one credit year's definitions, conditions and figures — as
// one compiled program, so that evaluating a rule costs a few program runs
// rather than one per expression. Each expression is still type-checked on
// its own first (compileExpr), so that load errors point into the rule file;
// the block is the same expressions joined with `let`:
//
//	let d1 = (…); let d2 = (…);
//	let _a0 = (applies_if of condition 0); let _c0 = _a0 ? (condition 0) : true;
//	…
//	let _q = _c0 && _c1 …;
//	[d1, d2, _a0, _c0, …, _q ? (amount) : nil, …, (reversed)]
//
// A condition that does not apply is not evaluated, and the conditional
// expressions (a rule's amount and payout items, a year's generated credit)
// only when every applicable condition passed: the same semantics as
// running the expressions one by one.
type block struct {
	prog  *vm.Program
	defs  []definition
	conds []condition
	// conditional are evaluated only when every applicable condition
	// passes; their slots hold nil otherwise. extra are always evaluated.
	conditional []*program
	extra       []*program
}

// Slots of a block's result.
func (b *block) appliesAt(i int) int     { return len(b.defs) + 2*i }
func (b *block) passedAt(i int) int      { return len(b.defs) + 2*i + 1 }
func (b *block) conditionalAt(i int) int { return len(b.defs) + 2*len(b.conds) + i }
func (b *block) extraAt(i int) int       { return len(b.defs) + 2*len(b.conds) + len(b.conditional) + i }

// compileBlock joins already-checked expressions into one program. env must
// hold what the block reads but not the block's own definitions, which it
// binds with let.
func (c *compiler) compileBlock(where string, env map[string]any, b *block) {
	var src strings.Builder
	for _, d := range b.defs {
		fmt.Fprintf(&src, "let %s = (\n%s\n);\n", d.name, d.src)
	}
	var passed []string
	for i, cond := range b.conds {
		applies := "true"
		if cond.applies != nil {
			applies = "(\n" + cond.applies.src + "\n)"
		}
		fmt.Fprintf(&src, "let _a%d = %s;\nlet _c%d = _a%d ? (\n%s\n) : true;\n", i, applies, i, i, cond.src)
		passed = append(passed, fmt.Sprintf("_c%d", i))
	}
	var slots []string
	for _, d := range b.defs {
		slots = append(slots, d.name)
	}
	for i := range b.conds {
		slots = append(slots, fmt.Sprintf("_a%d", i), fmt.Sprintf("_c%d", i))
	}
	if len(b.conditional) > 0 {
		all := "true"
		if len(passed) > 0 {
			all = strings.Join(passed, " && ")
		}
		fmt.Fprintf(&src, "let _q = %s;\n", all)
		for _, x := range b.conditional {
			slots = append(slots, fmt.Sprintf("_q ? (\n%s\n) : nil", x.src))
		}
	}
	for _, x := range b.extra {
		slots = append(slots, "(\n"+x.src+"\n)")
	}
	src.WriteString("[" + strings.Join(slots, ", ") + "]")
	prog, err := expr.Compile(src.String(), append([]expr.Option{expr.Env(env)}, c.opts...)...)
	if err != nil {
		c.p.add(0, where, "the checked expressions do not compile together: %s", exprErrorText(err))
		return
	}
	b.prog = prog
}
