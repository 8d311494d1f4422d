package input

import (
	"strconv"
	"strings"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// Values a client names outside a body: in a URL's path or query. Each
// check returns the value or a *models.Error naming the parameter.

// CreditCode checks a unified social credit code.
func CreditCode(name, code string) (string, error) {
	if p := models.CreditCodeProblem(code); p != "" {
		return "", models.InvalidInput(models.Field(name, "credit_"+p))
	}
	return code, nil
}

// UniversityCode checks a university's code.
func UniversityCode(name, code string) (string, error) {
	if !models.ValidUniversityCode(code) {
		return "", models.InvalidInput(models.Field(name, "subject_code"))
	}
	return code, nil
}

// Payer checks the division code of a payer: one of the twelve counties'
// finance bureaus, or the city's (330300).
func Payer(name, code string) (models.Payer, error) {
	p, ok := models.PayerOf(code)
	if !ok {
		return models.Payer{}, models.InvalidInput(models.Field(name, "payer"))
	}
	return p, nil
}

// Year checks a year the service takes, written as its four digits ("+2025"
// or "02025" is not how a year is written); "" gives def.
func Year(name, text string, def int) (int, error) {
	if text == "" {
		return def, nil
	}
	y, err := strconv.Atoi(text)
	if len(text) != 4 || strings.Trim(text, "0123456789") != "" || err != nil || !models.ValidYear(y) {
		return 0, models.InvalidInput(models.Field(name, "year"))
	}
	return y, nil
}

// ID checks a record's numeric id.
func ID(name, text string) (int64, error) {
	id, err := strconv.ParseInt(text, 10, 64)
	if err != nil || id <= 0 {
		return 0, models.InvalidInput(models.Field(name, "positive"))
	}
	return id, nil
}

// Date checks a date; "" gives def.
func Date(name, text string, def models.Date) (models.Date, error) {
	if text == "" {
		return def, nil
	}
	d, err := models.ParseDate(text)
	if err != nil {
		return d, models.InvalidInput(models.Field(name, "date"))
	}
	return d, nil
}

// OneOf checks that text, when given, is one of allowed.
func OneOf(name, text string, allowed []string) (string, error) {
	if text == "" {
		return "", nil
	}
	for _, a := range allowed {
		if text == a {
			return text, nil
		}
	}
	return "", models.InvalidInput(models.Field(name, "oneof", strings.Join(allowed, ", ")))
}

// DefaultLimit and MaxLimit bound the pages of every list.
const (
	DefaultLimit = 100
	MaxLimit     = 1000
)

// Limit reads the size of a list's page: default DefaultLimit, at most
// MaxLimit; the next page starts after the last id or code of this one.
func Limit(text string) (int, error) {
	if text == "" {
		return DefaultLimit, nil
	}
	n, err := strconv.Atoi(text)
	if err != nil || n < 1 || n > MaxLimit {
		return 0, models.InvalidInput(models.Field("limit", "range", "1..1000"))
	}
	return n, nil
}

// AfterID reads the id a page of a list starts after (0 for the first page).
func AfterID(text string) (int64, error) {
	if text == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil || n < 0 {
		return 0, models.InvalidInput(models.Field("after", "non_negative"))
	}
	return n, nil
}
