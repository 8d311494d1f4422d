package input

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// readJSON reads a JSON body into v (a pointer to a struct) in one pass,
// taking its tokens from jsontext, and records every problem it finds in
// probs instead of stopping at the first, as encoding/json does:
//   - a field not in the struct is unknown_field (a typo never becomes a
//     zero), a field given twice is duplicate;
//   - a field without omitempty in its json tag is required;
//   - a value of the wrong JSON type is type;
//   - money, dates, shares and decimals are parsed exactly from the JSON
//     text, and a failure names the field.
//
// Malformed JSON stops it: the returned error says where, and probs keeps
// what was found before. Once probs is full, values are still checked and
// counted but no longer stored, so that a refused body costs no memory for
// its entries.
func readJSON(body []byte, v any, probs *problems) *models.Error {
	r := readers.Get().(*reader)
	defer func() {
		r.dec.Reset(emptyReader)
		r.probs = nil
		readers.Put(r)
	}()
	r.dec.Reset(bytes.NewBuffer(body), jsontext.AllowDuplicateNames(true))
	r.probs, r.syntax, r.stopped, r.path = probs, nil, false, r.path[:0]
	r.value(reflect.ValueOf(v).Elem(), true)
	if !r.stopped {
		if _, err := r.dec.ReadToken(); err != io.EOF {
			r.fail(err, models.Text{Zh: "JSON 值之后还有多余的内容", En: "there is more after the JSON value"})
		}
	}
	return r.syntax
}

var (
	readers     = sync.Pool{New: func() any { return &reader{dec: jsontext.NewDecoder(emptyReader)} }}
	emptyReader = bytes.NewReader(nil)
)

// reader decodes one body. A syntax error stops it (stopped is set and
// every method returns at once); a value of the wrong type or form is
// recorded in probs and skipped, so that reading goes on. Its recursion
// follows the Go type, which nests a few levels; what the type does not
// describe is skipped or kept raw by jsontext, which bounds nesting
// without recursing (a body of a million '[' costs no stack).
type reader struct {
	dec     *jsontext.Decoder
	probs   *problems
	stopped bool
	syntax  *models.Error // why it stopped, unless a field is named for it
	path    []segment     // where the reader is, kept with the reader for the next body
}

// segment is one step of the reader's path: a field name, or a list index
// (name ""). The path is only turned into text for a problem that is kept,
// so that a good request builds no path strings and allocates nothing for
// its members.
type segment struct {
	name  string
	index int
}

// enter and enterIndex step into a field or a list element; leave steps
// back out.
func (r *reader) enter(name string) { r.path = append(r.path, segment{name: name}) }
func (r *reader) enterIndex(i int)  { r.path = append(r.path, segment{index: i}) }
func (r *reader) leave()            { r.path = r.path[:len(r.path)-1] }

// at returns the reader's path as text ("subject.certifications[0].level").
func (r *reader) at() string {
	var b strings.Builder
	for _, seg := range r.path {
		switch {
		case seg.name == "":
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(seg.index))
			b.WriteByte(']')
		case b.Len() > 0:
			b.WriteByte('.')
			fallthrough
		default:
			b.WriteString(seg.name)
		}
	}
	return b.String()
}

// problem records a problem where the reader is, building it only if it
// is kept.
func (r *reader) problem(code string, args ...any) {
	if r.probs.full() {
		r.probs.skip()
		return
	}
	r.probs.add(models.Field(r.at(), code, args...))
}

// problemIn records a problem at the field name under where the reader is.
func (r *reader) problemIn(name, code string, args ...any) {
	r.enter(name)
	r.problem(code, args...)
	r.leave()
}

// storing reports whether values are still kept: not once the body is
// known to be refused with more problems than are listed.
func (r *reader) storing() bool { return !r.probs.full() }

// fail stops reading at the first syntax error. Bytes that are not UTF-8
// inside a string are named by the string's field instead, as text the
// service cannot keep; the rest of the body is not read.
func (r *reader) fail(err error, what models.Text) {
	if r.stopped {
		return
	}
	r.stopped = true
	var se *jsontext.SyntacticError
	switch {
	case errors.As(err, &se) && errors.Is(se.Err, errInvalidUTF8):
		r.probs.add(models.Field(pointerPath(se.JSONPointer), "text"))
		return
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		what = models.Text{Zh: "请求体为空或不完整", En: "the body is empty or cut short"}
	case errors.As(err, &se):
		what = models.Text{
			Zh: fmt.Sprintf("第 %d 字节处的 JSON 语法错误", se.ByteOffset),
			En: fmt.Sprintf("JSON syntax error at byte %d", se.ByteOffset),
		}
	}
	r.syntax = &models.Error{
		Code:    models.CodeInvalid,
		Message: models.Text{Zh: "请求体不是有效的 JSON：" + what.Zh, En: "the body is not valid JSON: " + what.En},
		Err:     err,
	}
}

// errInvalidUTF8 is the cause jsontext gives for bytes that are not UTF-8
// (its sentinel lives in an internal package), taken from one such string.
var errInvalidUTF8 = func() error {
	_, err := jsontext.NewDecoder(strings.NewReader("\"\xff\"")).ReadValue()
	var se *jsontext.SyntacticError
	if !errors.As(err, &se) {
		panic("input: jsontext accepted invalid UTF-8")
	}
	return se.Err
}()

// pointerPath turns a JSON pointer ("/subject/certifications/0/level") into
// a path ("subject.certifications[0].level").
func pointerPath(p jsontext.Pointer) string {
	var b strings.Builder
	for tok := range p.Tokens() {
		if _, err := strconv.Atoi(tok); err == nil && b.Len() > 0 {
			b.WriteString("[" + tok + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(tok)
	}
	return b.String()
}

// peek returns the kind of the next token, recording a syntax error (and
// returning 0) when there is none.
func (r *reader) peek() jsontext.Kind {
	if r.stopped {
		return 0
	}
	k := r.dec.PeekKind()
	if k == 0 {
		_, err := r.dec.ReadToken()
		r.fail(err, models.Text{Zh: "JSON 语法错误", En: "JSON syntax error"})
	}
	return k
}

// token reads a delimiter or literal.
func (r *reader) token() jsontext.Token {
	tok, err := r.dec.ReadToken()
	if err != nil {
		r.fail(err, models.Text{Zh: "JSON 语法错误", En: "JSON syntax error"})
	}
	return tok
}

// raw reads the next value's JSON text; valid until the next read.
func (r *reader) raw() jsontext.Value {
	v, err := r.dec.ReadValue()
	if err != nil {
		r.fail(err, models.Text{Zh: "JSON 语法错误", En: "JSON syntax error"})
	}
	return v
}

// skip reads past the next value.
func (r *reader) skip() {
	if err := r.dec.SkipValue(); err != nil {
		r.fail(err, models.Text{Zh: "JSON 语法错误", En: "JSON syntax error"})
	}
}

// str reads a string value.
func (r *reader) str() string {
	v := r.raw()
	if r.stopped {
		return ""
	}
	return unquote(v)
}

// unquote returns a JSON string's value: a plain slice when it has no
// escapes (jsontext has checked it).
func unquote(v jsontext.Value) string {
	if bytes.IndexByte(v, '\\') < 0 {
		return string(v[1 : len(v)-1])
	}
	b, _ := jsontext.AppendUnquote(nil, v)
	return string(b)
}

// variant is a value whose shape depends on its "kind" member (models.Subject).
type variant interface {
	Variant(kind string) (any, error)
}

// shape says how a Go type is read; computed once per type.
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
	moneyType      = reflect.TypeFor[models.Money]()
	dateType       = reflect.TypeFor[models.Date]()
	percentType    = reflect.TypeFor[models.Percent]()
	decimalType    = reflect.TypeFor[models.Decimal]()
	rawMessageType = reflect.TypeFor[json.RawMessage]()
	variantType    = reflect.TypeFor[variant]()
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
		panic("input: more than 64 JSON fields in " + t.String())
	}
	v, _ := structInfos.LoadOrStore(t, info)
	return v.(*structInfo)
}

// value reads the next JSON value into dst. required says whether a JSON
// null is a problem here.
func (r *reader) value(dst reflect.Value, required bool) {
	k := r.peek()
	if k == 0 {
		return
	}
	if k == 'n' {
		r.token()
		if required && dst.Kind() != reflect.Pointer && dst.Kind() != reflect.Slice && dst.Kind() != reflect.Map {
			r.problem("not_null")
		}
		return
	}
	if dst.Kind() == reflect.Pointer {
		if dst.IsNil() {
			dst.Set(reflect.New(dst.Type().Elem()))
		}
		r.value(dst.Elem(), required)
		return
	}
	switch dst.Kind() {
	case reflect.Struct:
		switch sh := shapeOf(dst.Type()); sh {
		case shapeOther:
			if r.expect(k, '{', "an object", "对象") {
				r.object(dst, infoOf(dst.Type()))
			}
		case shapeVariant:
			if r.expect(k, '{', "an object", "对象") {
				r.variantObject(dst.Addr().Interface().(variant))
			}
		default:
			r.exact(dst, k, sh)
		}
	case reflect.Slice:
		if dst.Type() == rawMessageType {
			if v := r.raw(); !r.stopped {
				dst.SetBytes(bytes.Clone(v))
			}
			return
		}
		if r.expect(k, '[', "a list", "数组") {
			r.list(dst)
		}
	case reflect.Map:
		if r.expect(k, '{', "an object", "对象") {
			r.mapObject(dst)
		}
	case reflect.String:
		if r.expect(k, '"', "a string", "字符串") {
			s := r.str()
			if strings.IndexByte(s, 0) >= 0 {
				r.problem("text")
				return
			}
			dst.SetString(s)
		}
	case reflect.Bool:
		if k != 't' && k != 'f' {
			r.mismatch("true or false", "布尔值 true 或 false")
			return
		}
		dst.SetBool(r.token().Bool())
	case reflect.Int, reflect.Int64, reflect.Int32:
		if k != '0' {
			r.mismatch("a whole number", "整数")
			return
		}
		text := r.raw()
		if r.stopped {
			return
		}
		n, err := strconv.ParseInt(string(text), 10, 64)
		if err != nil || dst.OverflowInt(n) {
			r.typeProblem("a whole number", "整数")
			return
		}
		dst.SetInt(n)
	default:
		panic(fmt.Sprintf("input: unsupported field type %s at %s", dst.Type(), r.at()))
	}
}

// expect reports whether the next value is of kind want; if not, it
// records a type problem and skips the value.
func (r *reader) expect(k, want jsontext.Kind, en, zh string) bool {
	if k == want {
		return true
	}
	r.mismatch(en, zh)
	return false
}

func (r *reader) mismatch(en, zh string) {
	r.typeProblem(en, zh)
	r.skip()
}

func (r *reader) typeProblem(en, zh string) {
	if r.probs.full() {
		r.probs.skip()
		return
	}
	r.probs.add(models.FieldError{Field: r.at(), Code: "type", Text: models.Text{Zh: "类型错误：应为" + zh, En: "must be " + en}})
}

// object reads a JSON object into a struct, member by member.
func (r *reader) object(dst reflect.Value, info *structInfo) {
	var seen uint64
	r.token() // {
	for r.peek() != '}' && !r.stopped {
		name := r.raw()
		if r.stopped {
			return
		}
		i, known := lookup(info, name)
		switch {
		case !known:
			r.problemIn(unquote(name), "unknown_field")
			r.skip()
		case seen&(1<<i) != 0:
			f := info.fields[i]
			r.problemIn(f.name, "duplicate", f.name)
			r.skip()
		default:
			seen |= 1 << i
			f := info.fields[i]
			r.enter(f.name)
			r.value(dst.Field(f.index), !f.optional)
			r.leave()
		}
	}
	if r.stopped {
		return
	}
	r.token() // }
	for i, f := range info.fields {
		if seen&(1<<i) == 0 && !f.optional {
			r.problemIn(f.name, "required")
		}
	}
}

// lookup finds a member's field by its quoted name without allocating
// when the name has no escapes.
func lookup(info *structInfo, name jsontext.Value) (int, bool) {
	if bytes.IndexByte(name, '\\') < 0 {
		i, ok := info.byName[string(name[1:len(name)-1])]
		return i, ok
	}
	i, ok := info.byName[unquote(name)]
	return i, ok
}

// variantObject finds the object's "kind" first, then reads the object
// into the type that kind names. The kind is looked for in what is left
// of the body, usually as the object's first member, without reading it.
func (r *reader) variantObject(v variant) {
	// What jsontext has not read yet may still start with the ':' before
	// the object.
	kind, found := findKind(bytes.TrimLeft(r.dec.UnreadBuffer(), " \t\r\n:"))
	var target any
	var err error
	if found {
		target, err = v.Variant(kind)
	}
	if !found || err != nil {
		r.problemIn("kind", "subject_kind")
		r.skip()
		return
	}
	t := reflect.ValueOf(target).Elem()
	r.object(t, infoOf(t.Type()))
}

// findKind returns the string value of the "kind" member of the object at
// the start of data.
func findKind(data []byte) (string, bool) {
	d := kindFinders.Get().(*jsontext.Decoder)
	defer func() {
		d.Reset(emptyReader)
		kindFinders.Put(d)
	}()
	d.Reset(bytes.NewBuffer(data), jsontext.AllowDuplicateNames(true))
	if tok, err := d.ReadToken(); err != nil || tok.Kind() != '{' {
		return "", false
	}
	for d.PeekKind() == '"' {
		name, err := d.ReadValue()
		if err != nil {
			return "", false
		}
		if string(name) == `"kind"` && d.PeekKind() == '"' {
			v, err := d.ReadValue()
			return unquote(v), err == nil
		}
		if d.SkipValue() != nil {
			return "", false
		}
	}
	return "", false
}

var kindFinders = sync.Pool{New: func() any { return jsontext.NewDecoder(emptyReader) }}

// list reads a JSON array into a slice. Once the body is refused with more
// problems than are listed, elements are read into one scratch value and
// not kept.
func (r *reader) list(dst reflect.Value) {
	r.token() // [
	elem := dst.Type().Elem()
	out := reflect.MakeSlice(dst.Type(), 0, 4)
	var scratch reflect.Value
	for i := 0; r.peek() != ']' && !r.stopped; i++ {
		r.enterIndex(i)
		if r.storing() {
			out = reflect.Append(out, reflect.Zero(elem))
			r.value(out.Index(out.Len()-1), true)
		} else {
			if !scratch.IsValid() {
				scratch = reflect.New(elem).Elem()
			}
			scratch.SetZero()
			r.value(scratch, true)
		}
		r.leave()
	}
	if r.stopped {
		return
	}
	r.token() // ]
	dst.Set(out)
}

func (r *reader) mapObject(dst reflect.Value) {
	if dst.Type().Key().Kind() != reflect.String {
		panic("input: map keys must be strings")
	}
	r.token() // {
	out := reflect.MakeMap(dst.Type())
	for r.peek() != '}' && !r.stopped {
		key := r.str()
		if r.stopped {
			return
		}
		r.enter(key)
		if out.MapIndex(reflect.ValueOf(key)).IsValid() {
			r.problem("duplicate", key)
			r.skip()
		} else {
			elem := reflect.New(dst.Type().Elem()).Elem()
			r.value(elem, true)
			out.SetMapIndex(reflect.ValueOf(key), elem)
		}
		r.leave()
	}
	if r.stopped {
		return
	}
	r.token() // }
	dst.Set(out)
}

// exact parses money, a date, a share or a decimal from a JSON string or
// (but for a date) number.
func (r *reader) exact(dst reflect.Value, k jsontext.Kind, sh shape) {
	var text string
	switch {
	case k == '"':
		text = r.str()
	case k == '0' && sh != shapeDate:
		text = string(r.raw())
	default:
		r.valueProblem(sh, &models.FormatError{Reason: models.ReasonNotDecimal})
		r.skip()
		return
	}
	if r.stopped {
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
		r.valueProblem(sh, err)
	}
}

// valueProblem names what is wrong with a value that failed to parse.
func (r *reader) valueProblem(sh shape, err error) {
	if r.probs.full() {
		r.probs.skip()
		return
	}
	r.probs.add(formatProblem(r.at(), sh, err))
}

func formatProblem(path string, sh shape, err error) models.FieldError {
	why := models.Text{Zh: "取值无效", En: "invalid"}
	var fe *models.FormatError
	if errors.As(err, &fe) {
		why = fe.Why()
	}
	switch sh {
	case shapeMoney:
		return models.FieldWords(path, "money", why)
	case shapeDate:
		return models.Field(path, "date")
	case shapePercent:
		return models.FieldWords(path, "percent", why)
	case shapeDecimal:
		return models.FieldWords(path, "decimal", why)
	}
	return models.Field(path, "invalid")
}
