package engine

import (
	"bytes"
	"encoding/json"
	"errors"
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
		zero: models.Money{},
		parse: func(_ *paramDecl, raw []byte) (any, error) {
			var m models.Money
			return m, unmarshalInto(raw, &m)
		},
		show: func(v any, _ string) string { return v.(models.Money).String() },
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
				return nil, badValue("应为字符串", "want a string")
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
				return nil, badValue("应为 true 或 false", "want true or false")
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
			if err := unmarshalInto(raw, &d); err != nil {
				return nil, badDate
			}
			return d, nil
		},
		show: func(v any, _ string) string { return v.(models.Date).String() },
	},
	"month_day": {
		zero: models.MonthDay{},
		parse: func(_ *paramDecl, raw []byte) (any, error) {
			var md models.MonthDay
			if err := unmarshalInto(raw, &md); err != nil {
				return nil, badValue("应为每年都有的月日，写作 MM-DD，如 \"12-31\"", "want a day of every year written MM-DD, such as \"12-31\"")
			}
			return md, nil
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
			var out []string
			for _, l := range v.([]string) {
				out = append(out, models.LevelWords[l].Zh)
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

// valueError says, in both languages, why a parameter value (in a rule file
// or an override) is refused.
type valueError struct{ text models.Text }

func (e *valueError) Error() string { return e.text.En }

func badValue(zh, en string, args ...any) error {
	return &valueError{models.Text{Zh: fmt.Sprintf(zh, args...), En: fmt.Sprintf(en, args...)}}
}

var badDate = badValue("应为 YYYY-MM-DD 格式的有效日期", "want a calendar date written YYYY-MM-DD")

// ValueReason says why a parameter value is refused, in both languages.
func ValueReason(err error) models.Text {
	var ve *valueError
	var fe *models.FormatError
	switch {
	case errors.As(err, &ve):
		return ve.text
	case errors.As(err, &fe):
		return models.Text{Zh: fmt.Sprintf("%q：%s", fe.Text, fe.Why().Zh), En: fe.Error()}
	}
	return models.Text{Zh: "值的类型或写法不对", En: "the value has the wrong type or form"}
}

// within names the part of a value a reason is about ("from", "city").
func within(part string, err error) error {
	r := ValueReason(err)
	return &valueError{models.Text{Zh: part + "：" + r.Zh, En: part + ": " + r.En}}
}

// strictJSON decodes raw into v, rejecting unknown fields and trailing data.
func strictJSON(raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return badValue("值之后还有多余的内容", "unexpected data after the value")
	}
	return nil
}

// unmarshalInto decodes raw into v, refusing null.
func unmarshalInto(raw []byte, v any) error {
	if string(bytes.TrimSpace(raw)) == "null" {
		return badValue("不能为 null", "must not be null")
	}
	return strictJSON(raw, v)
}

// objectFields decodes a JSON object whose keys must be exactly names.
func objectFields(raw []byte, names ...string) (map[string]json.RawMessage, error) {
	var obj map[string]json.RawMessage
	want := strings.Join(names, ", ")
	if err := unmarshalInto(raw, &obj); err != nil {
		return nil, badValue("应为含有 %s 的对象", "want an object with %s", want)
	}
	for k := range obj {
		if !slices.Contains(names, k) {
			return nil, badValue("未知的键 %q（应为 %s）", "unknown key %q (want %s)", k, want)
		}
	}
	for _, n := range names {
		if _, ok := obj[n]; !ok {
			return nil, badValue("缺少键 %q", "missing key %q", n)
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
			return nil, within(f.key, err)
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
		return nil, badValue("%s 低于下限 %s", "%s is below the minimum %s", v, d.Min)
	}
	if d.Max != "" && v.Cmp(models.MustDecimal(d.Max)) > 0 {
		return nil, badValue("%s 超过上限 %s", "%s is above the maximum %s", v, d.Max)
	}
	return v, nil
}

func parseEnum(d *paramDecl, raw []byte) (any, error) {
	var s string
	if err := strictJSON(raw, &s); err != nil || !slices.Contains(d.Enum, s) {
		return nil, badValue("应为以下之一：%s", "want one of %s", strings.Join(d.Enum, ", "))
	}
	return s, nil
}

func parseIntParam(d *paramDecl, raw []byte) (any, error) {
	var n int
	if err := unmarshalInto(raw, &n); err != nil {
		return nil, badValue("应为整数", "want a whole number")
	}
	if d.Min != "" {
		if lo, _ := strconv.Atoi(d.Min); n < lo {
			return nil, badValue("%d 低于下限 %s", "%d is below the minimum %s", n, d.Min)
		}
	}
	if d.Max != "" {
		if hi, _ := strconv.Atoi(d.Max); n > hi {
			return nil, badValue("%d 超过上限 %s", "%d is above the maximum %s", n, d.Max)
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
		return nil, within("from", badDate)
	}
	if err := unmarshalInto(obj["to"], &p.To); err != nil {
		return nil, within("to", badDate)
	}
	if p.To.Before(p.From) {
		return nil, badValue("结束日期 %s 早于开始日期 %s", "to %s is before from %s", p.To, p.From)
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
		if err := unmarshalInto(obj[f.key], f.dst); err != nil || !models.ValidYear(*f.dst) {
			return nil, within(f.key, badValue("应为 %d 至 %d 之间的年份", "want a year between %d and %d", models.MinYear, models.MaxYear))
		}
	}
	if r.To < r.From {
		return nil, badValue("结束年份 %d 早于开始年份 %d", "to %d is before from %d", r.To, r.From)
	}
	return r, nil
}

func parseLevels(_ *paramDecl, raw []byte) (any, error) {
	var levels []string
	if err := unmarshalInto(raw, &levels); err != nil || len(levels) == 0 {
		return nil, badValue("应为非空的认定等级列表（%s）", "want a non-empty list of levels (%s)", strings.Join(models.Levels, ", "))
	}
	for i, l := range levels {
		if models.LevelRank(l) == 0 {
			return nil, badValue("未知的认定等级 %q（应为 %s）", "unknown level %q (want %s)", l, strings.Join(models.Levels, ", "))
		}
		if slices.Contains(levels[:i], l) {
			return nil, badValue("认定等级 %q 重复出现", "level %q listed twice", l)
		}
	}
	return levels, nil
}
