package api

import (
	"errors"
	"reflect"
	"regexp"
	"strings"

	"github.com/go-playground/validator/v10"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// Validator runs the field-level checks written in the `validate` tags of
// the models (enums, lengths, code formats, year ranges) and reports them as
// FieldErrors with JSON paths.
type Validator struct {
	v *validator.Validate
}

var subjectCodePattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// validUniversityCode accepts a code usable in a URL that is not a unified
// social credit code: payouts name their subject by code, and a university
// must never share one with an enterprise.
func validUniversityCode(code string) bool {
	return subjectCodePattern.MatchString(code) && !models.ValidCreditCode(code)
}

// NewValidator returns a validator with subsidy's own tags registered:
// creditcode (GB 32100-2015 with its check character), region (six digits),
// subjectcode (a university code usable in a URL) and year (2000..2100).
func NewValidator() *Validator {
	v := validator.New(validator.WithRequiredStructEnabled(), validator.WithTagNameFuncBlankOmit())
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			return ""
		}
		return name
	})
	must := func(err error) {
		if err != nil {
			panic(err)
		}
	}
	must(v.RegisterValidation("creditcode", func(fl validator.FieldLevel) bool {
		return models.ValidCreditCode(fl.Field().String())
	}))
	must(v.RegisterValidation("region", func(fl validator.FieldLevel) bool {
		s := fl.Field().String()
		return len(s) == 6 && strings.Trim(s, "0123456789") == ""
	}))
	must(v.RegisterValidation("subjectcode", func(fl validator.FieldLevel) bool {
		return validUniversityCode(fl.Field().String())
	}))
	must(v.RegisterValidation("year", func(fl validator.FieldLevel) bool {
		y := fl.Field().Int()
		return y >= 2000 && y <= 2100
	}))
	return &Validator{v: v}
}

// Check validates s (a pointer to a struct) and returns one FieldError per
// failed tag. Paths are JSON paths from the request's root.
func (val *Validator) Check(s any) []models.FieldError {
	err := val.v.Struct(s)
	var verrs validator.ValidationErrors
	if !errors.As(err, &verrs) {
		return nil
	}
	out := make([]models.FieldError, 0, len(verrs))
	for _, fe := range verrs {
		out = append(out, fieldProblem(jsonPath(fe.Namespace()), fe))
	}
	return out
}

// jsonPath turns a validator namespace ("EvaluateRequest.subject.name")
// into a JSON path from the root ("subject.name"). The subject's variant
// fields have no JSON name and drop out (WithTagNameFuncBlankOmit).
func jsonPath(ns string) string {
	_, rest, _ := strings.Cut(ns, ".")
	return strings.ReplaceAll(rest, "..", ".")
}

// fieldProblem maps a failed tag to subsidy's message catalogue.
func fieldProblem(path string, fe validator.FieldError) models.FieldError {
	switch fe.Tag() {
	case "required":
		return models.Field(path, "required")
	case "oneof":
		return models.Field(path, "oneof", strings.ReplaceAll(fe.Param(), " ", ", "))
	case "eq":
		return models.Field(path, "eq", fe.Param())
	case "max":
		if fe.Kind() == reflect.String {
			return models.Field(path, "max_len", fe.Param())
		}
		return models.Field(path, "max_items", fe.Param())
	case "creditcode":
		return models.Field(path, "credit_"+models.CreditCodeProblem(fe.Value().(string)))
	case "region":
		return models.Field(path, "region")
	case "subjectcode":
		return models.Field(path, "subject_code")
	case "year":
		return models.Field(path, "year")
	}
	return models.Field(path, "invalid")
}
