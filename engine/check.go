package engine

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// plan is a checked request: the rules to run and the parsed overrides.
type plan struct {
	rules     []*rule
	overrides map[*rule]map[string]any
	echo      map[string]json.RawMessage
}

// Check returns the problems only the engine can find in a request: unknown
// or inapplicable rules and unknown or ill-typed overrides. The subject's
// own fields are checked before (package input). Field paths are JSON paths
// from the request's root.
func (e *Engine) Check(req models.EvaluateRequest) []models.FieldError {
	_, fields := e.plan(req)
	return fields
}

func (e *Engine) plan(req models.EvaluateRequest) (plan, []models.FieldError) {
	var fields []models.FieldError
	kind := req.Subject.Kind()
	// A request decoded by package input always has a kind (its reader
	// names subject.kind first, and this finding is then dropped), but
	// Evaluate also takes requests built in Go — ruletest.RunCases takes
	// any decoder — and without a kind no rule would run and none fail.
	if kind == "" {
		fields = append(fields, models.Field("subject.kind", "subject_kind"))
	}
	if req.AsOf.IsZero() {
		fields = append(fields, models.Field("as_of", "required"))
	}
	var p plan
	if len(req.Rules) == 0 {
		p.rules = e.byKind[kind] // shared and read only: nothing allocated per rule loaded
	} else {
		p.rules = make([]*rule, 0, len(req.Rules))
	}
	for i, id := range req.Rules {
		path := func() string { return fmt.Sprintf("rules[%d]", i) }
		r, ok := e.byID[id]
		switch {
		case !ok:
			fields = append(fields, models.Field(path(), "unknown_rule", id))
		case kind != "" && r.subject != kind:
			fields = append(fields, models.FieldWords(path(), "rule_kind", models.Text{Zh: id, En: id}, models.KindWords[kind]))
		case slices.Contains(p.rules, r):
			fields = append(fields, models.Field(path(), "duplicate", id))
		default:
			p.rules = append(p.rules, r)
		}
	}
	var ofields []models.FieldError
	p.overrides, p.echo, ofields = e.parseOverrides(req.Overrides)
	fields = append(fields, ofields...)
	return p, fields
}

// Overrides are what-if values checked and parsed once for many
// evaluations (a forecast evaluates a whole registry under one reform),
// with the parameter values they bind kept per rule and date. They are
// safe for concurrent use.
type Overrides struct {
	parsed map[*rule]map[string]any
	echo   map[string]json.RawMessage
	mu     sync.Mutex
	bound  map[boundKey]*segment
}

type boundKey struct {
	r    *rule
	asOf models.Date
}

// ParseOverrides checks what-if values keyed RULE.PARAM exactly as an
// evaluation does (unknown or ill-typed ones are named overrides.KEY) and
// parses them for EvaluateUnder.
func (e *Engine) ParseOverrides(raw map[string]json.RawMessage) (*Overrides, []models.FieldError) {
	parsed, echo, fields := e.parseOverrides(raw)
	return &Overrides{parsed: parsed, echo: echo, bound: map[boundKey]*segment{}}, fields
}

// Canonical returns the overrides in canonical form, as an evaluation's
// answer echoes them.
func (o *Overrides) Canonical() map[string]json.RawMessage { return o.echo }

// Touches reports whether the overrides change any parameter of rule id:
// if not, an evaluation of that rule under them is one without them.
func (o *Overrides) Touches(id string) bool {
	for r := range o.parsed {
		if r.id == id {
			return true
		}
	}
	return false
}

// segment is the parameter values of r on asOf with the overrides applied,
// bound once per rule and date.
func (o *Overrides) segment(r *rule, asOf models.Date) *segment {
	values := o.parsed[r]
	if len(values) == 0 {
		return r.segmentFor(asOf, nil)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	k := boundKey{r, asOf}
	seg, ok := o.bound[k]
	if !ok {
		seg = r.segmentFor(asOf, values)
		o.bound[k] = seg
	}
	return seg
}

// parseOverrides parses overrides by rule, in key order.
func (e *Engine) parseOverrides(raw map[string]json.RawMessage) (map[*rule]map[string]any, map[string]json.RawMessage, []models.FieldError) {
	var fields []models.FieldError
	var keys []string
	if len(raw) > 0 {
		keys = slices.Sorted(maps.Keys(raw))
	}
	var parsed map[*rule]map[string]any
	var echo map[string]json.RawMessage
	for _, key := range keys {
		path := "overrides." + key
		ruleID, name, _ := strings.Cut(key, ".")
		r, ok := e.byID[ruleID]
		if !ok {
			fields = append(fields, models.Field(path, "unknown_param", key))
			continue
		}
		prm := findParam(r.params, name)
		if prm == nil {
			fields = append(fields, models.Field(path, "unknown_param", key))
			continue
		}
		v, err := prm.kind.parse(&prm.decl, raw[key])
		if err != nil {
			fields = append(fields, models.FieldWords(path, "param_value", ValueReason(err)))
			continue
		}
		if parsed == nil {
			parsed = map[*rule]map[string]any{}
		}
		if parsed[r] == nil {
			parsed[r] = map[string]any{}
		}
		parsed[r][name] = v
		if echo == nil {
			echo = map[string]json.RawMessage{}
		}
		echo[key], _ = json.Marshal(v)
	}
	return parsed, echo, fields
}
