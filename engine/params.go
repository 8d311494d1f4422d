package engine

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// LevelAmounts gives an amount per certification level, as the
// certification grant does (市级/省级/国家级).
type LevelAmounts struct {
	City     models.Money `json:"city" expr:"city"`
	Province models.Money `json:"province" expr:"province"`
	National models.Money `json:"national" expr:"national"`
}

// For returns the amount of a level.
func (a LevelAmounts) For(level string) (models.Money, bool) {
	switch level {
	case models.LevelCity:
		return a.City, true
	case models.LevelProvince:
		return a.Province, true
	case models.LevelNational:
		return a.National, true
	}
	return models.Money{}, false
}

// paramDecl is a parameter as declared in a rule file.
type paramDecl struct {
	Type           string       `yaml:"type"`
	Enum           []string     `yaml:"enum"`
	Min            string       `yaml:"min"`
	Max            string       `yaml:"max"`
	Description    models.Text  `yaml:"description"`
	Interpretation *models.Text `yaml:"interpretation"`
	Values         []datedYAML  `yaml:"values"`
}

// param is a compiled parameter: its declaration, its kind and its values
// by the date they take effect.
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

// paramKind is one type of parameter: how its values are read, checked,
// typed for expressions and shown in messages.
type paramKind struct {
	// zero is a value of the Go type the parameter has in expressions.
	zero any
	// parse reads a value from JSON (override) or YAML converted to JSON.
	parse func(d *paramDecl, raw []byte) (any, error)
	// show formats a value for a condition message.
	show func(v any, lang string) string
}

var paramKinds = map[string]paramKind{
	"money": {
		zero:  models.Money{},
		parse: func(_ *paramDecl, raw []byte) (any, error) { var m models.Money; return m, unmarshalInto(raw, &m) },
		show:  func(v any, _ string) string { return v.(models.Money).String() },
	},
	"money_by_level": {
		zero:  LevelAmounts{},
		parse: parseLevelAmounts,
		show: func(v any, lang string) string {
			a := v.(LevelAmounts)
			if lang == models.LangEn {
				return fmt.Sprintf("city %s, province %s, national %s yuan", a.City, a.Province, a.National)
			}
			return fmt.Sprintf("市级%s元、省级%s元、国家级%s元", a.City, a.Province, a.National)
		},
	},
	"decimal": {
		zero:  models.Decimal{},
		parse: parseDecimalParam,
		show:  func(v any, _ string) string { return v.(models.Decimal).String() },
	},
	"percent": {
		zero: models.Percent{},
		parse: func(_ *paramDecl, raw []byte) (any, error) {
			var p models.Percent
			return p, unmarshalInto(raw, &p)
		},
		show: func(v any, _ string) string { return v.(models.Percent).String() },
	},
	"enum": {
		zero:  "",
		parse: parseEnum,
		show:  func(v any, _ string) string { return v.(string) },
	},
	"string": {
		zero: "",
		parse: func(_ *paramDecl, raw []byte) (any, error) {
			var s string
			if err := strictJSON(raw, &s); err != nil {
				return nil, fmt.Errorf("want a string")
			}
			return s, nil
		},
		show: func(v any, _ string) string { return v.(string) },
	},
	"int": {
		zero:  0,
		parse: parseIntParam,
		show:  func(v any, _ string) string { return strconv.Itoa(v.(int)) },
	},
	"bool": {
		zero: false,
		parse: func(_ *paramDecl, raw []byte) (any, error) {
			var b bool
			if err := unmarshalInto(raw, &b); err != nil {
				return nil, fmt.Errorf("want true or false")
			}
			return b, nil
		},
		show: func(v any, lang string) string {
			if lang == models.LangEn {
				return strconv.FormatBool(v.(bool))
			}
			return map[bool]string{true: "是", false: "否"}[v.(bool)]
		},
	},
	"date": {
		zero: models.Date{},
		parse: func(_ *paramDecl, raw []byte) (any, error) {
			var d models.Date
			return d, unmarshalInto(raw, &d)
		},
		show: func(v any, _ string) string { return v.(models.Date).String() },
	},
	"month_day": {
		zero: models.MonthDay{},
		parse: func(_ *paramDecl, raw []byte) (any, error) {
			var md models.MonthDay
			return md, unmarshalInto(raw, &md)
		},
		show: func(v any, lang string) string {
			md := v.(models.MonthDay)
			if lang == models.LangEn {
				return fmt.Sprintf("%d %s", md.Day, time.Month(md.Month))
			}
			return fmt.Sprintf("%d月%d日", md.Month, md.Day)
		},
	},
	"period": {
		zero:  models.Period{},
		parse: parsePeriod,
		show: func(v any, lang string) string {
			p := v.(models.Period)
			if lang == models.LangEn {
				return p.From.String() + " to " + p.To.String()
			}
			return p.From.String() + "至" + p.To.String()
		},
	},
	"year_range": {
		zero:  models.YearRange{},
		parse: parseYearRange,
		show: func(v any, lang string) string {
			r := v.(models.YearRange)
			if lang == models.LangEn {
				return fmt.Sprintf("%d to %d", r.From, r.To)
			}
			return fmt.Sprintf("%d年至%d年", r.From, r.To)
		},
	},
	"levels": {
		zero:  []string{},
		parse: parseLevels,
		show: func(v any, lang string) string {
			if lang == models.LangEn {
				return strings.Join(v.([]string), ", ")
			}
			names := map[string]string{models.LevelCity: "市级", models.LevelProvince: "省级", models.LevelNational: "国家级"}
			var out []string
			for _, l := range v.([]string) {
				out = append(out, names[l])
			}
			return strings.Join(out, "、")
		},
	},
}

// paramTypeNames lists the parameter types for error messages.
func paramTypeNames() string {
	names := make([]string, 0, len(paramKinds))
	for n := range paramKinds {
		names = append(names, n)
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}

// strictJSON decodes raw into v, rejecting unknown fields and trailing data.
func strictJSON(raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return fmt.Errorf("unexpected data after the value")
	}
	return nil
}

// unmarshalInto decodes raw into v, refusing null.
func unmarshalInto(raw []byte, v any) error {
	if string(bytes.TrimSpace(raw)) == "null" {
		return fmt.Errorf("must not be null")
	}
	return strictJSON(raw, v)
}

// objectFields decodes a JSON object whose keys must be exactly names.
func objectFields(raw []byte, names ...string) (map[string]json.RawMessage, error) {
	var obj map[string]json.RawMessage
	if err := unmarshalInto(raw, &obj); err != nil {
		return nil, fmt.Errorf("want an object with %s", strings.Join(names, ", "))
	}
	for k := range obj {
		if !slices.Contains(names, k) {
			return nil, fmt.Errorf("unknown key %q (want %s)", k, strings.Join(names, ", "))
		}
	}
	for _, n := range names {
		if _, ok := obj[n]; !ok {
			return nil, fmt.Errorf("missing key %q", n)
		}
	}
	return obj, nil
}

func parseLevelAmounts(_ *paramDecl, raw []byte) (any, error) {
	obj, err := objectFields(raw, models.Levels...)
	if err != nil {
		return nil, err
	}
	var a LevelAmounts
	for _, f := range []struct {
		key string
		dst *models.Money
	}{{models.LevelCity, &a.City}, {models.LevelProvince, &a.Province}, {models.LevelNational, &a.National}} {
		if err := unmarshalInto(obj[f.key], f.dst); err != nil {
			return nil, fmt.Errorf("%s: %w", f.key, err)
		}
	}
	return a, nil
}

func parseDecimalParam(d *paramDecl, raw []byte) (any, error) {
	var v models.Decimal
	if err := unmarshalInto(raw, &v); err != nil {
		return nil, err
	}
	if d.Min != "" && v.Cmp(models.MustDecimal(d.Min)) < 0 {
		return nil, fmt.Errorf("%s is below the minimum %s", v, d.Min)
	}
	if d.Max != "" && v.Cmp(models.MustDecimal(d.Max)) > 0 {
		return nil, fmt.Errorf("%s is above the maximum %s", v, d.Max)
	}
	return v, nil
}

func parseEnum(d *paramDecl, raw []byte) (any, error) {
	var s string
	if err := strictJSON(raw, &s); err != nil || !slices.Contains(d.Enum, s) {
		return nil, fmt.Errorf("want one of %s", strings.Join(d.Enum, ", "))
	}
	return s, nil
}

func parseIntParam(d *paramDecl, raw []byte) (any, error) {
	var n int
	if err := unmarshalInto(raw, &n); err != nil {
		return nil, fmt.Errorf("want a whole number")
	}
	if d.Min != "" {
		if lo, _ := strconv.Atoi(d.Min); n < lo {
			return nil, fmt.Errorf("%d is below the minimum %s", n, d.Min)
		}
	}
	if d.Max != "" {
		if hi, _ := strconv.Atoi(d.Max); n > hi {
			return nil, fmt.Errorf("%d is above the maximum %s", n, d.Max)
		}
	}
	return n, nil
}

func parsePeriod(_ *paramDecl, raw []byte) (any, error) {
	obj, err := objectFields(raw, "from", "to")
	if err != nil {
		return nil, err
	}
	var p models.Period
	if err := unmarshalInto(obj["from"], &p.From); err != nil {
		return nil, fmt.Errorf("from: %w", err)
	}
	if err := unmarshalInto(obj["to"], &p.To); err != nil {
		return nil, fmt.Errorf("to: %w", err)
	}
	if p.To.Before(p.From) {
		return nil, fmt.Errorf("to %s is before from %s", p.To, p.From)
	}
	return p, nil
}

func parseYearRange(_ *paramDecl, raw []byte) (any, error) {
	obj, err := objectFields(raw, "from", "to")
	if err != nil {
		return nil, err
	}
	var r models.YearRange
	for _, f := range []struct {
		key string
		dst *int
	}{{"from", &r.From}, {"to", &r.To}} {
		if err := unmarshalInto(obj[f.key], f.dst); err != nil || *f.dst < 2000 || *f.dst > 2100 {
			return nil, fmt.Errorf("%s: want a year between 2000 and 2100", f.key)
		}
	}
	if r.To < r.From {
		return nil, fmt.Errorf("to %d is before from %d", r.To, r.From)
	}
	return r, nil
}

func parseLevels(_ *paramDecl, raw []byte) (any, error) {
	var levels []string
	if err := unmarshalInto(raw, &levels); err != nil || len(levels) == 0 {
		return nil, fmt.Errorf("want a non-empty list of levels (%s)", strings.Join(models.Levels, ", "))
	}
	for i, l := range levels {
		if models.LevelRank(l) == 0 {
			return nil, fmt.Errorf("unknown level %q (want %s)", l, strings.Join(models.Levels, ", "))
		}
		if slices.Contains(levels[:i], l) {
			return nil, fmt.Errorf("level %q listed twice", l)
		}
	}
	return levels, nil
}
