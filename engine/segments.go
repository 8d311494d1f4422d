package engine

import (
	"slices"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// segment holds what is in force from a date on: every parameter's value and
// the condition messages rendered with them.
type segment struct {
	from     models.Date
	values   []namedValue
	ruleMsgs []models.Text // by rule condition
	yearMsgs []models.Text // by per-year condition
}

// inForceAt returns the index of what is in force on d among items sorted by
// the date each takes effect: the last that takes effect on or before d,
// or -1 when none has yet.
func inForceAt[T interface{ start() models.Date }](items []T, d models.Date) int {
	i, _ := slices.BinarySearchFunc(items, d, func(it T, d models.Date) int {
		if it.start().After(d) {
			return 1
		}
		return -1
	})
	return i - 1
}

func (s *segment) start() models.Date   { return s.from }
func (v paramValue) start() models.Date { return v.from }

type namedValue struct {
	name  string
	value any
}

// buildSegments resolves, for each date on which a parameter of the rule
// takes a new value, the full set of values in force; dates before every
// parameter has a value are left out (the rule is not yet in force then).
func (r *rule) buildSegments() []*segment {
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
		if i := inForceAt(p.values, d); i >= 0 {
			values[p.name] = p.values[i].value
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
