package input

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"unicode"

	"github.com/go-playground/validator/v10"
	"github.com/go-playground/validator/v10/non-standard/validators"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// Validator checks domain records: the field-level rules written in the
// models' `validate` tags, and the rules that span a record's fields,
// registered below once per record type. It reports every failure as a
// FieldError with the record's JSON path.
type Validator struct {
	v *validator.Validate
}

// NewValidator returns a validator with subsidy's own tags and record rules:
//
//	creditcode   a unified social credit code with its GB 32100-2015 check character
//	region       a six-digit administrative division code
//	subjectcode  a university code usable in a URL, never a credit code
//	year         a year the service takes (models.MinYear..MaxYear)
//	oneline      text without control characters or bidirectional controls
//	multiline    the same, but for newlines and tabs
//	notblank     text that is not only spaces
//	accountno    a bank account number: 8 to 32 digits
func NewValidator() *Validator {
	v := validator.New(validator.WithRequiredStructEnabled(), validator.WithTagNameFuncBlankOmit())
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			return ""
		}
		return name
	})
	tags := map[string]validator.Func{
		"creditcode":  func(fl validator.FieldLevel) bool { return models.ValidCreditCode(fl.Field().String()) },
		"region":      func(fl validator.FieldLevel) bool { return models.ValidRegion(fl.Field().String()) },
		"subjectcode": func(fl validator.FieldLevel) bool { return models.ValidUniversityCode(fl.Field().String()) },
		"year":        func(fl validator.FieldLevel) bool { return models.ValidYear(int(fl.Field().Int())) },
		"oneline":     func(fl validator.FieldLevel) bool { return OneLine(fl.Field().String()) },
		"multiline":   func(fl validator.FieldLevel) bool { return MultiLine(fl.Field().String()) },
		"notblank":    validators.NotBlank,
		"accountno":   func(fl validator.FieldLevel) bool { return models.ValidAccountNo(fl.Field().String()) },
	}
	for name, fn := range tags {
		if err := v.RegisterValidation(name, fn); err != nil {
			panic(fmt.Sprintf("input: register %s: %v", name, err))
		}
	}
	for _, r := range recordRules {
		v.RegisterStructValidation(r.check, r.record)
	}
	return &Validator{v: v}
}

// OneLine reports whether text is free of what must never reach a page, a
// log line or a spreadsheet cell: control characters (newline, ESC, DEL…)
// and the bidirectional controls that make text read differently than it is.
func OneLine(text string) bool { return !strings.ContainsFunc(text, unsafeRune) }

// MultiLine is OneLine for text written over several lines (a reason):
// newlines and tabs are taken, nothing else OneLine refuses.
func MultiLine(text string) bool {
	return !strings.ContainsFunc(text, func(r rune) bool { return r != '\n' && r != '\t' && unsafeRune(r) })
}

// unsafeRune reports whether r is a control character, a line or paragraph
// separator, or a bidirectional control: the embeddings and overrides
// (U+202A–U+202E), the isolates (U+2066–U+2069) and the marks (LRM U+200E,
// RLM U+200F, ALM U+061C).
func unsafeRune(r rune) bool {
	switch {
	case unicode.IsControl(r), r >= '\u202a' && r <= '\u202e', r >= '\u2066' && r <= '\u2069':
		return true
	}
	switch r {
	case '\u200e', '\u200f', '\u061c', '\u2028', '\u2029':
		return true
	}
	return false
}

// recordRules are the rules of each record that span its fields.
var recordRules = []struct {
	record any
	check  validator.StructLevelFunc
}{
	{models.Certification{}, func(sl validator.StructLevel) {
		c := sl.Current().Interface().(models.Certification)
		if c.RevokedOn != nil && c.RevokedOn.Before(c.CertifiedOn) {
			sl.ReportError(c.RevokedOn, "revoked_on", "RevokedOn", "revoked_before", "")
		}
	}},
	{models.CreditYear{}, func(sl validator.StructLevel) {
		y := sl.Current().Interface().(models.CreditYear)
		subsidyWithinInvestment(sl, y.Investment, y.FiscalSubsidy)
	}},
	{models.CreditYearEntry{}, func(sl validator.StructLevel) {
		y := sl.Current().Interface().(models.CreditYearEntry)
		subsidyWithinInvestment(sl, y.Investment, y.FiscalSubsidy)
	}},
	{models.Enterprise{}, func(sl validator.StructLevel) {
		e := sl.Current().Interface().(models.Enterprise)
		if e.Parent != nil {
			parentIsNotSelf(sl, e.CreditCode, e.Parent.CreditCode)
		}
		for _, i := range repeats(e.GrantsReceived, func(g models.GrantReceived) string { return g.Level }) {
			level := e.GrantsReceived[i].Level
			sl.ReportError(level, fmt.Sprintf("grants_received[%d].level", i), "Level", "duplicate", level)
		}
		for _, i := range repeats(e.CreditYears, func(y models.CreditYear) int { return y.Year }) {
			year := e.CreditYears[i].Year
			sl.ReportError(year, fmt.Sprintf("credit_years[%d].year", i), "Year", "duplicate_year", fmt.Sprint(year))
		}
	}},
	{models.EnterpriseEntry{}, func(sl validator.StructLevel) {
		e := sl.Current().Interface().(models.EnterpriseEntry)
		if e.Parent != nil {
			parentIsNotSelf(sl, e.CreditCode, e.Parent.CreditCode)
		}
	}},
	{models.ApplicationEntry{}, checkApplicationEntry},
	{models.KeyEntry{}, func(sl validator.StructLevel) {
		k := sl.Current().Interface().(models.KeyEntry)
		switch k.Role {
		case models.RoleEnterprise:
			if !models.ValidCreditCode(k.Subject) {
				sl.ReportError(k.Subject, "subject", "Subject", "creditcode", "")
			}
		case models.RoleUniversity:
			if !models.ValidUniversityCode(k.Subject) {
				sl.ReportError(k.Subject, "subject", "Subject", "subjectcode", "")
			}
		default:
			if k.Subject != "" {
				sl.ReportError(k.Subject, "subject", "Subject", "no_subject", "")
			}
		}
	}},
}

// checkApplicationEntry: an application brings the facts of its rule and
// no others (certifications for cert-grant, which is applied for once,
// whatever the year; donations and their grant year for donation-match),
// each certificate and each receipt once, and donations of some amount.
// What needs the subject or the date is checked by CheckApplication.
func checkApplicationEntry(sl validator.StructLevel) {
	a := sl.Current().Interface().(models.ApplicationEntry)
	notForRule := func(v any, field, name string) {
		sl.ReportError(v, field, name, "not_for_rule", "")
	}
	switch a.Rule {
	case models.RuleCertGrant:
		if len(a.Certifications) == 0 {
			sl.ReportError(a.Certifications, "certifications", "Certifications", "required", "")
		}
		if len(a.Donations) > 0 {
			notForRule(a.Donations, "donations", "Donations")
		}
		if a.GrantYear != 0 {
			notForRule(a.GrantYear, "grant_year", "GrantYear")
		}
	case models.RuleDonationMatch:
		if len(a.Donations) == 0 {
			sl.ReportError(a.Donations, "donations", "Donations", "required", "")
		}
		if a.GrantYear == 0 {
			sl.ReportError(a.GrantYear, "grant_year", "GrantYear", "required", "")
		}
		if len(a.Certifications) > 0 {
			notForRule(a.Certifications, "certifications", "Certifications")
		}
	}
	certificates := make(map[string]bool, len(a.Certifications))
	type certKey struct {
		level string
		on    models.Date
	}
	certified := make(map[certKey]bool, len(a.Certifications))
	for i, c := range a.Certifications {
		if no := strings.TrimSpace(c.CertificateNo); no != "" {
			if certificates[no] {
				sl.ReportError(c.CertificateNo, fmt.Sprintf("certifications[%d].certificate_no", i), "CertificateNo", "duplicate", no)
			}
			certificates[no] = true
		}
		k := certKey{c.Level, c.CertifiedOn}
		if certified[k] {
			sl.ReportError(c.CertifiedOn, fmt.Sprintf("certifications[%d].certified_on", i), "CertifiedOn", "duplicate", c.CertifiedOn.String())
		}
		certified[k] = true
	}
	receipts := make(map[string]bool, len(a.Donations))
	for i, d := range a.Donations {
		if !d.Amount.IsPositive() {
			sl.ReportError(d.Amount, fmt.Sprintf("donations[%d].amount", i), "Amount", "positive", "")
		}
		if no := strings.TrimSpace(d.ReceiptNo); no != "" {
			if receipts[no] {
				sl.ReportError(d.ReceiptNo, fmt.Sprintf("donations[%d].receipt_no", i), "ReceiptNo", "duplicate", no)
			}
			receipts[no] = true
		}
	}
}

// repeats returns the indexes of the items whose key an earlier item has.
// A short list (every valid one) is scanned without allocating; a long one
// — a refused body of thousands of entries — through a map, so that the
// work stays linear.
func repeats[T any, K comparable](items []T, key func(T) K) []int {
	var out []int
	if len(items) <= 128 {
		for i := range items {
			for j := range i {
				if key(items[j]) == key(items[i]) {
					out = append(out, i)
					break
				}
			}
		}
		return out
	}
	seen := make(map[K]bool, len(items))
	for i, it := range items {
		k := key(it)
		if seen[k] {
			out = append(out, i)
		}
		seen[k] = true
	}
	return out
}

// subsidyWithinInvestment: the part of a year's investment paid by
// government funds cannot exceed the investment.
func subsidyWithinInvestment(sl validator.StructLevel, investment, subsidy models.Money) {
	if subsidy.Cmp(investment) > 0 {
		sl.ReportError(subsidy, "fiscal_subsidy", "FiscalSubsidy", "subsidy_above", "")
	}
}

// parentIsNotSelf: an enterprise is not its own group parent.
func parentIsNotSelf(sl validator.StructLevel, code, parent string) {
	if parent != "" && parent == code {
		sl.ReportError(parent, "parent.credit_code", "CreditCode", "same_as_self", "")
	}
}

// Check validates v (a pointer to a struct) and returns one FieldError per
// failed rule, with JSON paths from v's root.
func (val *Validator) Check(v any) []models.FieldError {
	var probs problems
	val.checkInto(v, &probs)
	return probs.list
}

// checkInto validates v into probs, dropping what is at or inside a field
// the JSON reader refused, and building messages only for the problems
// listed.
func (val *Validator) checkInto(v any, probs *problems) {
	var verrs validator.ValidationErrors
	if !errors.As(val.v.Struct(v), &verrs) {
		return
	}
	refused := probs.refused()
	for _, fe := range verrs {
		path := jsonPath(fe.Namespace())
		switch {
		case refusedAt(refused, path):
		case probs.full():
			probs.skip()
		default:
			probs.add(fieldProblem(path, fe))
		}
	}
}

// jsonPath turns a validator namespace ("EvaluateRequest.subject.name")
// into a JSON path from the root ("subject.name"). The subject's variant
// fields have no JSON name and drop out (WithTagNameFuncBlankOmit).
func jsonPath(ns string) string {
	_, rest, _ := strings.Cut(ns, ".")
	return strings.ReplaceAll(rest, "..", ".")
}

// fieldProblem maps a failed rule to the message catalogue.
func fieldProblem(path string, fe validator.FieldError) models.FieldError {
	switch tag := fe.Tag(); tag {
	case "required", "notblank":
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
		return models.Field(path, "credit_"+models.CreditCodeProblem(fmt.Sprint(fe.Value())))
	case "region":
		return models.Field(path, "region")
	case "subjectcode":
		return models.Field(path, "subject_code")
	case "year":
		return models.Field(path, "year")
	case "oneline", "multiline":
		return models.Field(path, "text")
	case "accountno":
		return models.Field(path, "account_no")
	case "duplicate", "duplicate_year":
		return models.Field(path, tag, fe.Param())
	case "revoked_before", "subsidy_above", "same_as_self", "positive", "not_for_rule", "no_subject":
		return models.Field(path, tag)
	}
	return models.Field(path, "invalid")
}
