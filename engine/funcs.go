package engine

import (
	"fmt"
	"reflect"
	"slices"

	"github.com/expr-lang/expr"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// The expression library: exact helpers for money, dates and the grant, and
// operator overloads so that rule files can write `investment > 0` or
// `year.investment - year.fiscal_subsidy` on exact types. expr's own
// arithmetic is float64 for `/`; money never goes there: Money, Decimal and
// Date are structs, so `*` and `/` on them fail the type check at load, and a
// load check rejects any float-typed node anywhere in an expression.

// allowedBuiltins are expr's builtins rule files may use: list predicates and
// plain lookups. Float maths (sum, mean, round…), the clock (now, date) and
// conversions are left out.
var allowedBuiltins = []string{
	"all", "any", "none", "one", "filter", "map", "find", "findIndex", "findLast",
	"findLastIndex", "count", "len", "first", "last", "hasPrefix", "hasSuffix",
	"uniq", "concat", "reverse", "take",
}

var (
	tMoney   = reflect.TypeOf(models.Money{})
	tBool    = reflect.TypeOf(true)
	tFloat64 = reflect.TypeOf(0.0)
	tFloat32 = reflect.TypeOf(float32(0))

	tPayoutItems = reflect.TypeOf([]models.PayoutItem{})
)

// function is one entry of the expression library. A named function is
// called from rule files as name(args); an operator entry is the function
// expr calls for that operator on the exact types (its name starts with _,
// which no rule name can). doc is the one line rules/README.md shows.
type function struct {
	name     string
	operator string
	args     string
	doc      string
	fn       func(params ...any) (any, error)
	types    []any // the signatures, as expr.Function takes them
}

// library is every function and operator overload of the rule expressions;
// the expr options and the names rule files may not take are derived from it.
var library = []function{
	compare("_lt", "<", func(c int) bool { return c < 0 }),
	compare("_le", "<=", func(c int) bool { return c <= 0 }),
	compare("_gt", ">", func(c int) bool { return c > 0 }),
	compare("_ge", ">=", func(c int) bool { return c >= 0 }),
	compare("_eq", "==", func(c int) bool { return c == 0 }),
	compare("_ne", "!=", func(c int) bool { return c != 0 }),
	{
		name: "_add", operator: "+", doc: "the sum of two amounts, failing rather than overflowing",
		fn: func(p ...any) (any, error) {
			return p[0].(models.Money).AddChecked(p[1].(models.Money))
		},
		types: []any{new(func(models.Money, models.Money) models.Money)},
	},
	{
		name: "_sub", operator: "-", doc: "the difference of two amounts",
		fn: func(p ...any) (any, error) {
			return p[0].(models.Money).Sub(p[1].(models.Money)), nil
		},
		types: []any{new(func(models.Money, models.Money) models.Money)},
	},
	{
		name: "mul_half_up", args: "amount, rate",
		doc: "amount × rate, rounded half-up to the fen on the exact value (30% of 10.05 is 3.02)",
		fn: func(p ...any) (any, error) {
			return p[0].(models.Money).MulRate(p[1].(models.Decimal))
		},
		types: []any{new(func(models.Money, models.Decimal) models.Money)},
	},
	{
		name: "min_money", args: "a, b", doc: "the smaller amount",
		fn: func(p ...any) (any, error) {
			return models.MinMoney(p[0].(models.Money), p[1].(models.Money)), nil
		},
		types: []any{new(func(models.Money, models.Money) models.Money)},
	},
	{
		name: "max_money", args: "a, b", doc: "the larger amount",
		fn: func(p ...any) (any, error) {
			return models.MaxOf(p[0].(models.Money), p[1].(models.Money)), nil
		},
		types: []any{new(func(models.Money, models.Money) models.Money)},
	},
	{
		name: "sum_money", args: "list",
		doc:   "the exact total of a list of amounts: `sum_money(map(ledger, .offset))`",
		fn:    sumMoney,
		types: []any{new(func([]any) models.Money)},
	},
	{
		name: "day_in", args: "year, month_day",
		doc: "that day of the year: `day_in(2024, assessment_day)` is 2024-12-31",
		fn: func(p ...any) (any, error) {
			return p[1].(models.MonthDay).In(p[0].(int)), nil
		},
		types: []any{new(func(int, models.MonthDay) models.Date)},
	},
	{
		name: "year_of", args: "date", doc: "the year of a date",
		fn: func(p ...any) (any, error) {
			d, err := dateArg(p[0])
			return d.Year(), err
		},
		types: []any{new(func(models.Date) int)},
	},
	{
		name: "in_period", args: "date, period", doc: "whether the date is within the period, both ends included",
		fn: func(p ...any) (any, error) {
			d, err := dateArg(p[0])
			return p[1].(models.Period).Contains(d), err
		},
		types: []any{new(func(models.Date, models.Period) bool)},
	},
	{
		name: "in_years", args: "year, year_range", doc: "whether the year is within the range, both ends included",
		fn: func(p ...any) (any, error) {
			return p[1].(models.YearRange).Contains(p[0].(int)), nil
		},
		types: []any{new(func(int, models.YearRange) bool)},
	},
	{
		name: "in_force", args: "certifications, day",
		doc: "the certifications in force on the day: certified on or before it and not revoked on or before it",
		fn: func(p ...any) (any, error) {
			return inForce(p[0].([]models.Certification), p[1].(models.Date)), nil
		},
		types: []any{new(func([]models.Certification, models.Date) []models.Certification)},
	},
	{
		name: "certified_within", args: "certifications, period",
		doc: "the certifications granted within the period, both ends included",
		fn: func(p ...any) (any, error) {
			return certifiedWithin(p[0].([]models.Certification), p[1].(models.Period)), nil
		},
		types: []any{new(func([]models.Certification, models.Period) []models.Certification)},
	},
	{
		name: "holds", args: "certifications, levels, day",
		doc: "whether one of the certifications, at one of the levels, is in force on the day",
		fn: func(p ...any) (any, error) {
			return holds(p[0].([]models.Certification), p[1].([]string), p[2].(models.Date)), nil
		},
		types: []any{new(func([]models.Certification, []string, models.Date) bool)},
	},
	{
		name: "grant_items", args: "certifications, grants_received, amounts, stacking",
		doc: "the certification grant still due, as a list of `{level, amount}`: `cumulative` pays each level certified and not yet received, in full; `top_up` pays the highest level certified less the largest grant received, never below zero; `highest_only` pays the highest level certified, in full, only to an enterprise that never received a grant",
		fn: func(p ...any) (any, error) {
			return grantItems(p[0].([]models.Certification), p[1].([]models.GrantReceived), p[2].(LevelAmounts), p[3].(string))
		},
		types: []any{new(func([]models.Certification, []models.GrantReceived, LevelAmounts, string) []models.PayoutItem)},
	},
}

// compareOverloads are the signatures of <, <=, >, >=, == and != on exact
// types. A bare whole number beside Money means yuan (`cap > 5000000`).
var compareOverloads = []any{
	new(func(models.Money, models.Money) bool),
	new(func(models.Money, int) bool),
	new(func(models.Date, models.Date) bool),
	new(func(*models.Date, models.Date) bool),
	new(func(models.Date, *models.Date) bool),
	new(func(models.Decimal, models.Decimal) bool),
	new(func(models.Decimal, int) bool),
	new(func(models.Percent, models.Percent) bool),
	new(func(models.Percent, int) bool),
}

// compare is the library entry of a comparison operator: ok says, from the
// order of the two operands, whether the comparison holds.
func compare(name, operator string, ok func(int) bool) function {
	return function{
		name: name, operator: operator, types: compareOverloads,
		doc: operator + " on amounts, dates, decimals and percentages",
		fn: func(p ...any) (any, error) {
			c, err := compareExact(p[0], p[1])
			if err != nil {
				return nil, err
			}
			return ok(c), nil
		},
	}
}

// exprOptions returns the functions and operators every rule expression is
// compiled with, besides its environment.
func exprOptions() []expr.Option {
	opts := []expr.Option{expr.DisableAllBuiltins()}
	for _, b := range allowedBuiltins {
		opts = append(opts, expr.EnableBuiltin(b))
	}
	for _, f := range library {
		opts = append(opts, expr.Function(f.name, f.fn, f.types...))
		if f.operator != "" {
			opts = append(opts, expr.Operator(f.operator, f.name))
		}
	}
	return opts
}

// sumMoney is sum_money(list): the exact total, failing on overflow.
func sumMoney(p ...any) (any, error) {
	total := models.Money{}
	for i, v := range p[0].([]any) {
		m, ok := v.(models.Money)
		if !ok {
			return nil, fmt.Errorf("sum_money: element %d is %T, not an amount", i, v)
		}
		var err error
		if total, err = total.AddChecked(m); err != nil {
			return nil, err
		}
	}
	return total, nil
}

// dateArg accepts a Date or a non-nil *Date.
func dateArg(v any) (models.Date, error) {
	switch d := v.(type) {
	case models.Date:
		return d, nil
	case *models.Date:
		if d == nil {
			return models.Date{}, fmt.Errorf("date is null")
		}
		return *d, nil
	}
	return models.Date{}, fmt.Errorf("%T is not a date", v)
}

// compareExact orders two values of the exact types.
func compareExact(a, b any) (int, error) {
	switch x := a.(type) {
	case models.Money:
		switch y := b.(type) {
		case models.Money:
			return x.Cmp(y), nil
		case int:
			return x.Cmp(models.Yuan(int64(y))), nil
		}
	case models.Decimal:
		switch y := b.(type) {
		case models.Decimal:
			return x.Cmp(y), nil
		case int:
			return x.CmpInt(y), nil
		}
	case models.Percent:
		switch y := b.(type) {
		case models.Percent:
			return x.Cmp(y.Decimal), nil
		case int:
			return x.CmpInt(y), nil
		}
	case models.Date, *models.Date:
		da, err := dateArg(a)
		if err != nil {
			return 0, err
		}
		db, err := dateArg(b)
		if err != nil {
			return 0, err
		}
		return da.Cmp(db), nil
	}
	return 0, fmt.Errorf("cannot compare %T with %T", a, b)
}

// certifiedInForce says whether a certification is in force on day:
// certified on or before it and not revoked on or before it (the policy
// readings, rules/README.md).
func certifiedInForce(c *models.Certification, day models.Date) bool {
	return !c.CertifiedOn.After(day) && (c.RevokedOn == nil || c.RevokedOn.After(day))
}

func inForce(certs []models.Certification, day models.Date) []models.Certification {
	var out []models.Certification
	for i := range certs {
		if certifiedInForce(&certs[i], day) {
			out = append(out, certs[i])
		}
	}
	return out
}

func certifiedWithin(certs []models.Certification, p models.Period) []models.Certification {
	var out []models.Certification
	for _, c := range certs {
		if p.Contains(c.CertifiedOn) {
			out = append(out, c)
		}
	}
	return out
}

func holds(certs []models.Certification, levels []string, day models.Date) bool {
	for i := range certs {
		if slices.Contains(levels, certs[i].Level) && certifiedInForce(&certs[i], day) {
			return true
		}
	}
	return false
}

// Stacking modes of the certification grant (the readings of policy
// version 1.1, rules/README.md).
const (
	StackingCumulative  = "cumulative"   // each level once, in full
	StackingTopUp       = "top_up"       // the highest level less the largest grant received
	StackingHighestOnly = "highest_only" // the highest level, once per enterprise, ever
)

// grantItems returns the certification grant due, level by level, for the
// counted certifications, given the grants already received and the
// stacking mode:
//
//   - cumulative: each level certified and not yet received, in full;
//   - top_up: the highest level certified less the largest amount
//     received, as one item when above zero;
//   - highest_only: the highest level certified, in full, when no grant at
//     all was received.
func grantItems(certs []models.Certification, received []models.GrantReceived, amounts LevelAmounts, stacking string) ([]models.PayoutItem, error) {
	// Indexed by LevelRank: 1 city, 2 province, 3 national.
	var certified, paid [4]bool
	highest := 0
	for _, cert := range certs {
		rank := models.LevelRank(cert.Level)
		if rank == 0 {
			return nil, fmt.Errorf("grant_items: unknown level %q", cert.Level)
		}
		certified[rank] = true
		highest = max(highest, rank)
	}
	largest := models.Money{}
	for _, g := range received {
		paid[models.LevelRank(g.Level)] = true
		largest = models.MaxOf(largest, g.Amount)
	}
	item := func(rank int, amount models.Money) models.PayoutItem {
		return models.PayoutItem{Level: models.Levels[rank-1], Amount: amount}
	}
	amountOf := func(rank int) models.Money {
		a, _ := amounts.For(models.Levels[rank-1])
		return a
	}
	items := []models.PayoutItem{}
	switch stacking {
	case StackingCumulative:
		for rank := 1; rank <= 3; rank++ {
			if certified[rank] && !paid[rank] {
				items = append(items, item(rank, amountOf(rank)))
			}
		}
	case StackingTopUp:
		if highest > 0 {
			if diff := amountOf(highest).Sub(largest); diff.IsPositive() {
				items = append(items, item(highest, diff))
			}
		}
	case StackingHighestOnly:
		if highest > 0 && len(received) == 0 {
			items = append(items, item(highest, amountOf(highest)))
		}
	default:
		if highest > 0 {
			return nil, fmt.Errorf("grant_items: unknown stacking mode %q", stacking)
		}
	}
	return items, nil
}
