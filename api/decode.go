package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// decodeStrict decodes a JSON body into v (a pointer to a struct) and returns
// every problem it finds, each named by its JSON path, instead of stopping at
// the first as encoding/json does:
//   - a field not in the struct is unknown_field (a typo never becomes zero);
//   - a field without omitempty in its json tag is required;
//   - a value of the wrong JSON type is type;
//   - money, dates, percentages and decimals are parsed by their own
//     UnmarshalJSON, and a failure is reported with the field's path.
//
// Malformed JSON is a single problem with an empty path.
func decodeStrict(body []byte, v any) []models.FieldError {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return []models.FieldError{models.Field("", "json", jsonErrorText(err))}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return []models.FieldError{models.Field("", "json", "unexpected data after the JSON value")}
	}
	var errs []models.FieldError
	walk(doc, reflect.ValueOf(v).Elem(), "", true, &errs)
	return errs
}

func jsonErrorText(err error) string {
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		return fmt.Sprintf("%s (at byte %d)", syn.Error(), syn.Offset)
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return "the body is empty or cut short"
	}
	return err.Error()
}

var (
	unmarshalerType = reflect.TypeOf((*json.Unmarshaler)(nil)).Elem()
	rawMessageType  = reflect.TypeOf(json.RawMessage(nil))
	variantType     = reflect.TypeOf((*variant)(nil)).Elem()
)

// variant is a value whose shape depends on its "kind" field (models.Subject).
type variant interface {
	Variant(kind string) (any, error)
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// walk decodes the generic JSON value doc into dst, appending problems.
// required says whether a JSON null is a problem here.
func walk(doc any, dst reflect.Value, path string, required bool, errs *[]models.FieldError) {
	if doc == nil {
		if required && dst.Kind() != reflect.Pointer && dst.Kind() != reflect.Slice && dst.Kind() != reflect.Map {
			*errs = append(*errs, models.Field(path, "not_null"))
		}
		return
	}
	if dst.Kind() == reflect.Pointer {
		if dst.IsNil() {
			dst.Set(reflect.New(dst.Type().Elem()))
		}
		walk(doc, dst.Elem(), path, required, errs)
		return
	}
	if dst.Addr().Type().Implements(variantType) {
		walkVariant(doc, dst.Addr().Interface().(variant), path, errs)
		return
	}
	if dst.Type() == rawMessageType {
		raw, _ := json.Marshal(doc)
		dst.SetBytes(raw)
		return
	}
	if dst.Addr().Type().Implements(unmarshalerType) {
		raw, _ := json.Marshal(doc)
		if err := dst.Addr().Interface().(json.Unmarshaler).UnmarshalJSON(raw); err != nil {
			*errs = append(*errs, valueProblem(path, dst.Type(), err))
		}
		return
	}
	switch dst.Kind() {
	case reflect.Struct:
		obj, ok := doc.(map[string]any)
		if !ok {
			*errs = append(*errs, typeProblem(path, "an object", "对象"))
			return
		}
		walkStruct(obj, dst, path, errs)
	case reflect.Slice:
		list, ok := doc.([]any)
		if !ok {
			*errs = append(*errs, typeProblem(path, "a list", "数组"))
			return
		}
		out := reflect.MakeSlice(dst.Type(), len(list), len(list))
		for i, item := range list {
			walk(item, out.Index(i), fmt.Sprintf("%s[%d]", path, i), true, errs)
		}
		dst.Set(out)
	case reflect.Map:
		obj, ok := doc.(map[string]any)
		if !ok || dst.Type().Key().Kind() != reflect.String {
			*errs = append(*errs, typeProblem(path, "an object", "对象"))
			return
		}
		out := reflect.MakeMapWithSize(dst.Type(), len(obj))
		for k, item := range obj {
			elem := reflect.New(dst.Type().Elem()).Elem()
			walk(item, elem, join(path, k), true, errs)
			out.SetMapIndex(reflect.ValueOf(k), elem)
		}
		dst.Set(out)
	case reflect.String:
		s, ok := doc.(string)
		if !ok {
			*errs = append(*errs, typeProblem(path, "a string", "字符串"))
			return
		}
		dst.SetString(s)
	case reflect.Bool:
		b, ok := doc.(bool)
		if !ok {
			*errs = append(*errs, typeProblem(path, "true or false", "布尔值 true 或 false"))
			return
		}
		dst.SetBool(b)
	case reflect.Int, reflect.Int64, reflect.Int32:
		n, ok := doc.(json.Number)
		i, err := strconv.ParseInt(string(n), 10, 64)
		if !ok || err != nil || dst.OverflowInt(i) {
			*errs = append(*errs, typeProblem(path, "a whole number", "整数"))
			return
		}
		dst.SetInt(i)
	default:
		panic(fmt.Sprintf("decodeStrict: unsupported field type %s at %s", dst.Type(), path))
	}
}

// walkStruct decodes an object into a struct field by field.
func walkStruct(obj map[string]any, dst reflect.Value, path string, errs *[]models.FieldError) {
	t := dst.Type()
	known := make(map[string]bool, t.NumField())
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		known[name] = true
		optional := strings.Contains(opts, "omitempty") || strings.Contains(opts, "omitzero")
		val, present := obj[name]
		if !present {
			if !optional {
				*errs = append(*errs, models.Field(join(path, name), "required"))
			}
			continue
		}
		walk(val, dst.Field(i), join(path, name), !optional, errs)
	}
	for _, k := range sortedKeys(obj) {
		if !known[k] {
			*errs = append(*errs, models.Field(join(path, k), "unknown_field"))
		}
	}
}

// walkVariant reads "kind" and decodes the object into the matching type.
func walkVariant(doc any, v variant, path string, errs *[]models.FieldError) {
	obj, ok := doc.(map[string]any)
	if !ok {
		*errs = append(*errs, typeProblem(path, "an object", "对象"))
		return
	}
	kind, _ := obj["kind"].(string)
	target, err := v.Variant(kind)
	if err != nil {
		*errs = append(*errs, models.Field(join(path, "kind"), "subject_kind"))
		return
	}
	walkStruct(obj, reflect.ValueOf(target).Elem(), path, errs)
}

func typeProblem(path, en, zh string) models.FieldError {
	return models.FieldError{Field: path, Code: "type", Text: models.Text{Zh: "类型错误：应为" + zh, En: "must be " + en}}
}

// valueProblem names what is wrong with a value that failed to parse.
func valueProblem(path string, t reflect.Type, err error) models.FieldError {
	switch t {
	case reflect.TypeOf(models.Money{}):
		return models.Field(path, "money", err.Error())
	case reflect.TypeOf(models.Date{}):
		return models.Field(path, "date")
	case reflect.TypeOf(models.Percent{}):
		return models.Field(path, "percent", err.Error())
	case reflect.TypeOf(models.Decimal{}):
		return models.Field(path, "decimal", err.Error())
	}
	return models.Field(path, "invalid")
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
