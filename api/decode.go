package api

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// decodeStrict decodes a JSON body into v (a pointer to a struct) and returns
// every problem it finds, each named by its JSON path, instead of stopping at
// the first as encoding/json does:
//   - a field not in the struct is unknown_field (a typo never becomes zero),
//     and a field given twice is duplicate;
//   - a field without omitempty in its json tag is required;
//   - a value of the wrong JSON type is type;
//   - money, dates, percentages and decimals are parsed exactly from the
//     JSON text, and a failure is reported with the field's path.
//
// It reads the body in one pass straight into v, building no intermediate
// tree: this is the hot path of POST /v1/evaluate. Malformed JSON is a
// single problem with an empty path.
func decodeStrict(body []byte, v any) []models.FieldError {
	d := &decoder{data: body}
	d.value(reflect.ValueOf(v).Elem(), &path{}, true)
	if d.syntax == nil {
		d.skipSpace()
		if d.pos < len(d.data) {
			d.syntax = fmt.Errorf("unexpected data after the JSON value")
		}
	}
	if d.syntax != nil {
		return []models.FieldError{models.Field("", "json", d.syntax.Error())}
	}
	return d.errs
}

// decoder reads JSON text. A syntax error stops it (syntax is set and every
// method returns at once); a value of the wrong type or form is recorded in
// errs and skipped, so that decoding goes on to find the other problems.
type decoder struct {
	data   []byte
	pos    int
	depth  int // objects and lists open
	syntax error
	errs   []models.FieldError
}

// maxDepth bounds nesting: no request nests deeper than a handful of
// levels, and a body of a million '[' must not cost a million frames.
const maxDepth = 32

// path is where the decoder is in the document. It is only turned into
// text for a problem, so that a good request builds no path strings.
type path struct {
	parent *path
	name   []byte // a field name, or nil for a list index
	index  int
}

func (p *path) String() string {
	if p == nil || p.parent == nil {
		return ""
	}
	prefix := p.parent.String()
	if p.name == nil {
		return prefix + "[" + strconv.Itoa(p.index) + "]"
	}
	if prefix == "" {
		return string(p.name)
	}
	return prefix + "." + string(p.name)
}

// field returns the path of a field under p.
func (p *path) field(name string) string { return (&path{parent: p, name: []byte(name)}).String() }

func (d *decoder) fail(format string, args ...any) {
	if d.syntax == nil {
		d.syntax = fmt.Errorf(format+" (at byte %d)", append(args, d.pos)...)
	}
}

func (d *decoder) problem(f models.FieldError) { d.errs = append(d.errs, f) }

// variant is a value whose shape depends on its "kind" field (models.Subject).
type variant interface {
	Variant(kind string) (any, error)
}

// shape says how a Go type is decoded; computed once per type.
type shape int

const (
	shapeOther shape = iota
	shapeMoney
	shapeDate
	shapePercent
	shapeDecimal
	shapeRaw
	shapeVariant
)

var (
	moneyType      = reflect.TypeOf(models.Money{})
	dateType       = reflect.TypeOf(models.Date{})
	percentType    = reflect.TypeOf(models.Percent{})
	decimalType    = reflect.TypeOf(models.Decimal{})
	rawMessageType = reflect.TypeOf(json.RawMessage(nil))
	variantType    = reflect.TypeOf((*variant)(nil)).Elem()
	shapes         sync.Map // reflect.Type → shape
)

func shapeOf(t reflect.Type) shape {
	if v, ok := shapes.Load(t); ok {
		return v.(shape)
	}
	sh := shapeOther
	switch {
	case t == moneyType:
		sh = shapeMoney
	case t == dateType:
		sh = shapeDate
	case t == percentType:
		sh = shapePercent
	case t == decimalType:
		sh = shapeDecimal
	case t == rawMessageType:
		sh = shapeRaw
	case reflect.PointerTo(t).Implements(variantType):
		sh = shapeVariant
	}
	shapes.Store(t, sh)
	return sh
}

// structInfo is a struct type's JSON fields, computed once per type.
type structInfo struct {
	fields []fieldInfo
	byName map[string]int
}

type fieldInfo struct {
	name     string
	index    int
	optional bool
}

var structInfos sync.Map // reflect.Type → *structInfo

func infoOf(t reflect.Type) *structInfo {
	if v, ok := structInfos.Load(t); ok {
		return v.(*structInfo)
	}
	info := &structInfo{byName: map[string]int{}}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		info.byName[name] = len(info.fields)
		info.fields = append(info.fields, fieldInfo{
			name: name, index: i, optional: strings.Contains(opts, "omitempty") || strings.Contains(opts, "omitzero"),
		})
	}
	if len(info.fields) > 64 {
		panic("decodeStrict: more than 64 JSON fields in " + t.String())
	}
	v, _ := structInfos.LoadOrStore(t, info)
	return v.(*structInfo)
}

func (d *decoder) skipSpace() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

// peek returns the next non-space byte, or 0 at the end.
func (d *decoder) peek() byte {
	d.skipSpace()
	if d.pos >= len(d.data) {
		return 0
	}
	return d.data[d.pos]
}

// value decodes the next JSON value into dst. required says whether a JSON
// null is a problem here.
func (d *decoder) value(dst reflect.Value, at *path, required bool) {
	if d.syntax != nil {
		return
	}
	c := d.peek()
	if c == 0 {
		d.fail("the body is empty or cut short")
		return
	}
	if c == 'n' {
		d.literal("null")
		if required && dst.Kind() != reflect.Pointer && dst.Kind() != reflect.Slice && dst.Kind() != reflect.Map {
			d.problem(models.Field(at.String(), "not_null"))
		}
		return
	}
	if dst.Kind() == reflect.Pointer {
		if dst.IsNil() {
			dst.Set(reflect.New(dst.Type().Elem()))
		}
		d.value(dst.Elem(), at, required)
		return
	}
	switch dst.Kind() {
	case reflect.Struct:
		switch sh := shapeOf(dst.Type()); sh {
		case shapeOther:
			if d.expect(c, '{', at, "an object", "对象") {
				d.object(dst, infoOf(dst.Type()), at)
			}
		case shapeVariant:
			if d.expect(c, '{', at, "an object", "对象") {
				d.variantObject(dst.Addr().Interface().(variant), at)
			}
		default:
			d.exact(dst, sh, at)
		}
	case reflect.Slice:
		if dst.Type() == rawMessageType {
			start := d.pos
			d.skipValue()
			dst.SetBytes(slices.Clone(d.data[start:d.pos]))
			return
		}
		if d.expect(c, '[', at, "a list", "数组") {
			d.list(dst, at)
		}
	case reflect.Map:
		if d.expect(c, '{', at, "an object", "对象") {
			d.mapObject(dst, at)
		}
	case reflect.String:
		if d.expect(c, '"', at, "a string", "字符串") {
			s := d.str()
			if !cleanText(s) {
				d.problem(models.Field(at.String(), "text"))
				return
			}
			dst.SetString(s)
		}
	case reflect.Bool:
		switch c {
		case 't':
			d.literal("true")
			dst.SetBool(true)
		case 'f':
			d.literal("false")
			dst.SetBool(false)
		default:
			d.mismatch(at, "true or false", "布尔值 true 或 false")
		}
	case reflect.Int, reflect.Int64, reflect.Int32:
		if c != '-' && (c < '0' || c > '9') {
			d.mismatch(at, "a whole number", "整数")
			return
		}
		n, err := strconv.ParseInt(d.number(), 10, 64)
		if err != nil || dst.OverflowInt(n) {
			d.problem(typeProblem(at.String(), "a whole number", "整数"))
			return
		}
		dst.SetInt(n)
	default:
		panic(fmt.Sprintf("decodeStrict: unsupported field type %s at %s", dst.Type(), at))
	}
}

// expect reports whether the next value starts with want; if not, it
// records a type problem and skips the value.
func (d *decoder) expect(c, want byte, at *path, en, zh string) bool {
	if c == want {
		return true
	}
	d.mismatch(at, en, zh)
	return false
}

func (d *decoder) mismatch(at *path, en, zh string) {
	d.problem(typeProblem(at.String(), en, zh))
	d.skipValue()
}

// object decodes a JSON object into a struct, field by field.
func (d *decoder) object(dst reflect.Value, info *structInfo, at *path) {
	var seen uint64
	for more := d.beginObject(); more; more = d.nextMember() {
		key := d.key()
		if d.syntax != nil {
			return
		}
		child := path{parent: at, name: key}
		i, known := info.byName[string(key)] // no allocation: Go looks up m[string(b)] in place
		switch {
		case !known:
			d.problem(models.Field(child.String(), "unknown_field"))
			d.skipValue()
		case seen&(1<<i) != 0:
			d.problem(models.Field(child.String(), "duplicate", string(key)))
			d.skipValue()
		default:
			seen |= 1 << i
			f := info.fields[i]
			d.value(dst.Field(f.index), &child, !f.optional)
		}
	}
	if d.syntax != nil {
		return
	}
	for i, f := range info.fields {
		if seen&(1<<i) == 0 && !f.optional {
			d.problem(models.Field(at.field(f.name), "required"))
		}
	}
}

// beginObject reads '{' and reports whether a member follows.
func (d *decoder) beginObject() bool {
	d.pos++ // {
	if !d.enter() {
		return false
	}
	if d.peek() == '}' {
		d.pos++
		d.depth--
		return false
	}
	return d.syntax == nil
}

// enter counts one more level of nesting, failing past maxDepth.
func (d *decoder) enter() bool {
	if d.depth++; d.depth > maxDepth {
		d.fail("the JSON is nested more than %d levels deep", maxDepth)
		return false
	}
	return true
}

// key reads a member's name and the ':' after it.
func (d *decoder) key() []byte {
	if d.peek() != '"' {
		d.fail("want a field name in quotes")
		return nil
	}
	key := d.rawStr()
	if d.peek() != ':' {
		d.fail("want ':' after the field name %q", key)
		return nil
	}
	d.pos++
	return key
}

// nextMember reads the ',' or '}' after a member and reports whether
// another member follows.
func (d *decoder) nextMember() bool {
	if d.syntax != nil {
		return false
	}
	switch d.peek() {
	case ',':
		d.pos++
		return true
	case '}':
		d.pos++
		d.depth--
	default:
		d.fail("want ',' or '}' after a field")
	}
	return false
}

// variantObject finds the object's "kind" first, then decodes the object
// into the type that kind names.
func (d *decoder) variantObject(v variant, at *path) {
	start := d.pos
	kind, found := "", false
	for more := d.beginObject(); more && !found; more = d.nextMember() {
		if key := d.key(); string(key) == "kind" && d.peek() == '"' {
			kind, found = d.str(), true // usually the first member: stop looking
		} else {
			d.skipValue()
		}
	}
	if d.syntax != nil {
		return
	}
	d.pos = start
	target, err := v.Variant(kind)
	if err != nil {
		d.problem(models.Field(at.field("kind"), "subject_kind"))
		d.skipValue()
		return
	}
	t := reflect.ValueOf(target).Elem()
	d.object(t, infoOf(t.Type()), at)
}

func (d *decoder) list(dst reflect.Value, at *path) {
	d.pos++ // [
	if !d.enter() {
		return
	}
	out := reflect.MakeSlice(dst.Type(), 0, 4)
	if d.peek() == ']' {
		d.pos++
		d.depth--
		dst.Set(out)
		return
	}
	for i := 0; d.syntax == nil; i++ {
		out = reflect.Append(out, reflect.Zero(dst.Type().Elem()))
		child := path{parent: at, index: i}
		d.value(out.Index(i), &child, true)
		switch d.peek() {
		case ',':
			d.pos++
		case ']':
			d.pos++
			d.depth--
			dst.Set(out)
			return
		default:
			d.fail("want ',' or ']' in a list")
		}
	}
}

func (d *decoder) mapObject(dst reflect.Value, at *path) {
	if dst.Type().Key().Kind() != reflect.String {
		panic("decodeStrict: map keys must be strings")
	}
	out := reflect.MakeMap(dst.Type())
	for more := d.beginObject(); more; more = d.nextMember() {
		key := d.key()
		if d.syntax != nil {
			return
		}
		child := path{parent: at, name: key}
		if out.MapIndex(reflect.ValueOf(string(key))).IsValid() {
			d.problem(models.Field(child.String(), "duplicate", string(key)))
			d.skipValue()
			continue
		}
		elem := reflect.New(dst.Type().Elem()).Elem()
		d.value(elem, &child, true)
		out.SetMapIndex(reflect.ValueOf(string(key)), elem)
	}
	dst.Set(out)
}

// exact parses money, a date, a percentage or a decimal from a JSON string
// or (but for a date) number.
func (d *decoder) exact(dst reflect.Value, sh shape, at *path) {
	var text string
	switch c := d.peek(); {
	case c == '"':
		text = d.str()
	case (c == '-' || c >= '0' && c <= '9') && sh != shapeDate:
		text = d.number()
	default:
		d.problem(valueProblem(at.String(), sh, &models.MoneyFormatError{Reason: "not a plain decimal number"}))
		d.skipValue()
		return
	}
	// Through a pointer to the field, so that nothing is boxed.
	var err error
	switch p := dst.Addr().Interface().(type) {
	case *models.Money:
		*p, err = models.ParseMoney(text)
	case *models.Date:
		*p, err = models.ParseDate(text)
	case *models.Percent:
		*p, err = models.ParsePercent(text)
	case *models.Decimal:
		*p, err = models.ParseDecimal(text, models.MaxDecimalScale)
	}
	if err != nil {
		d.problem(valueProblem(at.String(), sh, err))
	}
}

// skipValue reads one value of any kind, checking its syntax.
func (d *decoder) skipValue() {
	switch c := d.peek(); {
	case c == '{':
		for more := d.beginObject(); more; more = d.nextMember() {
			d.key()
			d.skipValue()
		}
	case c == '[':
		d.pos++
		if !d.enter() {
			return
		}
		if d.peek() == ']' {
			d.pos++
			d.depth--
			return
		}
		for d.syntax == nil {
			d.skipValue()
			switch d.peek() {
			case ',':
				d.pos++
			case ']':
				d.pos++
				d.depth--
				return
			default:
				d.fail("want ',' or ']' in a list")
			}
		}
	case c == '"':
		d.str()
	case c == 't':
		d.literal("true")
	case c == 'f':
		d.literal("false")
	case c == 'n':
		d.literal("null")
	case c == '-' || c >= '0' && c <= '9':
		d.number()
	case c == 0:
		d.fail("the body is empty or cut short")
	default:
		d.fail("invalid character %q", c)
	}
}

func (d *decoder) literal(word string) {
	if len(d.data)-d.pos < len(word) || string(d.data[d.pos:d.pos+len(word)]) != word {
		d.fail("invalid literal, want %s", word)
		return
	}
	d.pos += len(word)
}

// number reads a JSON number and returns its text, checking its grammar:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (d *decoder) number() string {
	start := d.pos
	digits := func() int {
		n := 0
		for d.pos < len(d.data) && d.data[d.pos] >= '0' && d.data[d.pos] <= '9' {
			d.pos++
			n++
		}
		return n
	}
	if d.pos < len(d.data) && d.data[d.pos] == '-' {
		d.pos++
	}
	if d.pos < len(d.data) && d.data[d.pos] == '0' {
		d.pos++
	} else if digits() == 0 {
		d.fail("invalid number")
		return ""
	}
	if d.pos < len(d.data) && d.data[d.pos] == '.' {
		d.pos++
		if digits() == 0 {
			d.fail("invalid number")
			return ""
		}
	}
	if d.pos < len(d.data) && (d.data[d.pos] == 'e' || d.data[d.pos] == 'E') {
		d.pos++
		if d.pos < len(d.data) && (d.data[d.pos] == '+' || d.data[d.pos] == '-') {
			d.pos++
		}
		if digits() == 0 {
			d.fail("invalid number")
			return ""
		}
	}
	return string(d.data[start:d.pos])
}

// str reads a JSON string (the decoder is at its opening quote) and returns
// its value with escapes resolved. Bytes that are not UTF-8 are kept as they
// are, for cleanText to refuse where the text is a value.
func (d *decoder) str() string { return string(d.rawStr()) }

// cleanText reports whether s is UTF-8 without NUL: what every database
// the store runs on can keep.
func cleanText(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

// rawStr is str without the copy to a string where there is no escape: the
// bytes are the body's own, valid until the body is gone.
func (d *decoder) rawStr() []byte {
	d.pos++ // "
	start := d.pos
	for d.pos < len(d.data) {
		c := d.data[d.pos]
		switch {
		case c == '"':
			s := d.data[start:d.pos]
			d.pos++
			return s
		case c == '\\':
			return []byte(d.escapedStr(start))
		case c < 0x20:
			d.fail("control character in a string")
			return nil
		}
		d.pos++
	}
	d.fail("unterminated string")
	return nil
}

// escapedStr finishes a string that has escapes, from its start.
func (d *decoder) escapedStr(start int) string {
	b := append([]byte(nil), d.data[start:d.pos]...)
	for d.pos < len(d.data) {
		c := d.data[d.pos]
		switch {
		case c == '"':
			d.pos++
			return string(b)
		case c < 0x20:
			d.fail("control character in a string")
			return ""
		case c != '\\':
			b = append(b, c)
			d.pos++
			continue
		}
		if d.pos+1 >= len(d.data) {
			break
		}
		e := d.data[d.pos+1]
		d.pos += 2
		switch e {
		case '"', '\\', '/':
			b = append(b, e)
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r, ok := d.hex4()
			if !ok {
				return ""
			}
			if utf16.IsSurrogate(r) {
				// A high surrogate joins the low one after it; anything
				// else is U+FFFD, and what follows is read on its own.
				r2 := rune(-1)
				if d.pos+5 < len(d.data) && d.data[d.pos] == '\\' && d.data[d.pos+1] == 'u' {
					if n, err := strconv.ParseUint(string(d.data[d.pos+2:d.pos+6]), 16, 32); err == nil && utf16.IsSurrogate(rune(n)) {
						r2 = rune(n)
						d.pos += 6
					}
				}
				r = utf16.DecodeRune(r, r2)
			}
			b = utf8.AppendRune(b, r)
		default:
			d.fail("invalid escape \\%c in a string", e)
			return ""
		}
	}
	d.fail("unterminated string")
	return ""
}

func (d *decoder) hex4() (rune, bool) {
	if len(d.data)-d.pos < 4 {
		d.fail("invalid \\u escape")
		return 0, false
	}
	n, err := strconv.ParseUint(string(d.data[d.pos:d.pos+4]), 16, 32)
	if err != nil {
		d.fail("invalid \\u escape")
		return 0, false
	}
	d.pos += 4
	return rune(n), true
}

func typeProblem(path, en, zh string) models.FieldError {
	return models.FieldError{Field: path, Code: "type", Text: models.Text{Zh: "类型错误：应为" + zh, En: "must be " + en}}
}

// valueProblem names what is wrong with a value that failed to parse.
func valueProblem(path string, sh shape, err error) models.FieldError {
	switch sh {
	case shapeMoney:
		return models.FieldBecause(path, "money", models.FormatReason(err))
	case shapeDate:
		return models.Field(path, "date")
	case shapePercent:
		return models.FieldBecause(path, "percent", models.FormatReason(err))
	case shapeDecimal:
		return models.FieldBecause(path, "decimal", models.FormatReason(err))
	}
	return models.Field(path, "invalid")
}
