package api

import (
	"cmp"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/wenzhou-subsidy/subsidy/engine"
	"github.com/wenzhou-subsidy/subsidy/models"
)

// Decoder turns request bodies into checked models: strict JSON decoding,
// the validator's field checks and the engine's own checks, all reported
// together. The CLI uses it too, so that `subsidy eval` and the API answer
// bad input with the same problem document.
type Decoder struct {
	engine    *engine.Engine
	validator *Validator
}

// NewDecoder returns a Decoder checking against the given engine's rules.
func NewDecoder(e *engine.Engine) *Decoder {
	return &Decoder{engine: e, validator: NewValidator()}
}

// Evaluate decodes a POST /v1/evaluate body. A missing as_of becomes today.
// Bad input gives a *models.Error with code invalid naming every bad field.
func (d *Decoder) Evaluate(body []byte, today models.Date) (models.EvaluateRequest, error) {
	var req models.EvaluateRequest
	fields := decodeStrict(body, &req)
	if isMalformed(fields) {
		return req, malformed(fields[0])
	}
	if req.AsOf.IsZero() {
		req.AsOf = today
	}
	later := append(d.validator.Check(&req), d.engine.Check(req)...)
	if fields = tidy(fields, later); len(fields) > 0 {
		return req, models.InvalidInput(fields...)
	}
	return req, nil
}

// Body decodes any other request body into v and runs the validator on it.
func (d *Decoder) Body(body []byte, v any) error {
	fields := decodeStrict(body, v)
	if isMalformed(fields) {
		return malformed(fields[0])
	}
	if fields = tidy(fields, d.validator.Check(v)); len(fields) > 0 {
		return models.InvalidInput(fields...)
	}
	return nil
}

func isMalformed(fields []models.FieldError) bool {
	return len(fields) == 1 && fields[0].Code == "json"
}

func malformed(f models.FieldError) error {
	return &models.Error{
		Code:    models.CodeInvalid,
		Message: models.Text{Zh: "请求体不是有效的 JSON：" + f.Text.Zh, En: "the body is not valid JSON: " + f.Text.En},
	}
}

// tidy merges the decoder's problems with the later checks' (validator,
// engine). A later problem on a field the decoder already refused, or inside
// it, is dropped: the zero value it sees is not the client's. Repeats are
// dropped, and the rest ordered by path, list indexes numerically.
func tidy(decoded, later []models.FieldError) []models.FieldError {
	var missing, refused []string
	for _, f := range decoded {
		refused = append(refused, f.Field)
		if f.Code == "required" || f.Code == "not_null" || f.Code == "type" {
			missing = append(missing, f.Field)
		}
	}
	seen := map[[2]string]bool{}
	var out []models.FieldError
	keep := func(f models.FieldError, blocked []string) {
		key := [2]string{f.Field, f.Code}
		if seen[key] || under(f.Field, blocked) {
			return
		}
		seen[key] = true
		out = append(out, f)
	}
	for _, f := range decoded {
		keep(f, missing)
	}
	for _, f := range later {
		if !slices.Contains(refused, f.Field) {
			keep(f, refused)
		}
	}
	slices.SortStableFunc(out, func(a, b models.FieldError) int { return comparePaths(a.Field, b.Field) })
	return out
}

// under reports whether path lies strictly inside one of the parents.
func under(path string, parents []string) bool {
	for _, p := range parents {
		if p == "" && path != "" {
			return true // everything is inside the root
		}
		if p != "" && len(path) > len(p) && strings.HasPrefix(path, p) && (path[len(p)] == '.' || path[len(p)] == '[') {
			return true
		}
	}
	return false
}

var pathPart = regexp.MustCompile(`[^.\[\]]+|\[\d+\]`)

// comparePaths orders JSON paths part by part, indexes as numbers.
func comparePaths(a, b string) int {
	pa, pb := pathPart.FindAllString(a, -1), pathPart.FindAllString(b, -1)
	for i := 0; i < len(pa) && i < len(pb); i++ {
		if pa[i] == pb[i] {
			continue
		}
		ia, errA := strconv.Atoi(strings.Trim(pa[i], "[]"))
		ib, errB := strconv.Atoi(strings.Trim(pb[i], "[]"))
		if errA == nil && errB == nil && strings.HasPrefix(pa[i], "[") && strings.HasPrefix(pb[i], "[") {
			return cmp.Compare(ia, ib)
		}
		return strings.Compare(pa[i], pb[i])
	}
	return cmp.Compare(len(pa), len(pb))
}
