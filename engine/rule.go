package engine

import (
	"github.com/expr-lang/expr/vm"

	"github.com/wenzhou-subsidy/subsidy/models"
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
	allocation int // where the parameter allocation is in the rule's params and a segment's values
	defs       []definition
	conds      []condition
	generated  program
	reversed   program
	year       *block // all of the above, run once per credit year
}

// program is one expression of a rule file, compiled on its own so that
// load errors point into the file; prog is nil when it failed to check.
type program struct {
	src  string
	line int
	prog *vm.Program
	// reads are the parameters the expression names, directly or through
	// definitions, sorted: for coverage only (ParametersRead).
	reads []string
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
