package engine

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// plan is a checked request: the rules to run and the parsed overrides.
type plan struct {
	rules     []*rule
	overrides map[*rule]map[string]any
	echo      map[string]json.RawMessage
}

// Check returns every problem the engine finds in a request beyond the
// field-level checks of the decoder: unknown or inapplicable rules, unknown
// or ill-typed overrides, and the subject's cross-field rules. Field paths
// are JSON paths from the request's root.
func (e *Engine) Check(req models.EvaluateRequest) []models.FieldError {
	_, fields := e.plan(req)
	return fields
}

func (e *Engine) plan(req models.EvaluateRequest) (plan, []models.FieldError) {
	var fields []models.FieldError
	kind := req.Subject.Kind()
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
			fields = append(fields, models.Field(path(), "rule_kind", id, kind))
		case slices.Contains(p.rules, r):
			fields = append(fields, models.Field(path(), "duplicate", id))
		default:
			p.rules = append(p.rules, r)
		}
	}
	var keys []string
	if len(req.Overrides) > 0 {
		keys = slices.Sorted(maps.Keys(req.Overrides))
	}
	for _, key := range keys {
		raw := req.Overrides[key]
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
		v, err := prm.kind.parse(&prm.decl, raw)
		if err != nil {
			fields = append(fields, models.Field(path, "param_value", err.Error()))
			continue
		}
		if p.overrides == nil {
			p.overrides = map[*rule]map[string]any{}
		}
		if p.overrides[r] == nil {
			p.overrides[r] = map[string]any{}
		}
		p.overrides[r][name] = v
		if p.echo == nil {
			p.echo = map[string]json.RawMessage{}
		}
		p.echo[key], _ = json.Marshal(v)
	}
	if req.Subject.Enterprise != nil {
		fields = append(fields, checkEnterprise(req.Subject.Enterprise)...)
	}
	return p, fields
}

// checkEnterprise applies the rules of evaluate-v1.md that span fields.
func checkEnterprise(e *models.Enterprise) []models.FieldError {
	var fields []models.FieldError
	fields = append(fields, checkCertifications("subject.certifications", e.Certifications)...)
	for i, g := range e.GrantsReceived {
		if slices.ContainsFunc(e.GrantsReceived[:i], func(h models.GrantReceived) bool { return h.Level == g.Level }) {
			fields = append(fields, models.Field(fmt.Sprintf("subject.grants_received[%d].level", i), "duplicate", g.Level))
		}
	}
	if e.Parent != nil {
		if e.Parent.CreditCode != "" && e.Parent.CreditCode == e.CreditCode {
			fields = append(fields, models.Field("subject.parent.credit_code", "same_as_self"))
		}
		fields = append(fields, checkCertifications("subject.parent.certifications", e.Parent.Certifications)...)
	}
	for i, y := range e.CreditYears {
		// A quadratic scan: at most 101 years, and no map to allocate.
		if slices.ContainsFunc(e.CreditYears[:i], func(x models.CreditYear) bool { return x.Year == y.Year }) {
			fields = append(fields, models.Field(fmt.Sprintf("subject.credit_years[%d].year", i), "duplicate_year", y.Year))
		}
		for _, f := range y.Problems() {
			f.Field = fmt.Sprintf("subject.credit_years[%d].%s", i, f.Field)
			fields = append(fields, f)
		}
	}
	return fields
}

func checkCertifications(path string, certs []models.Certification) []models.FieldError {
	var fields []models.FieldError
	for i, c := range certs {
		// The path is built only for a problem: this runs on every evaluation.
		for _, f := range c.Problems() {
			f.Field = fmt.Sprintf("%s[%d].%s", path, i, f.Field)
			fields = append(fields, f)
		}
	}
	return fields
}
