package models

import "regexp"

// The limits and formats of the codes and years a client writes, defined
// once for every check that needs them.

// Years the service takes: 2000 to 2100.
const (
	MinYear = 2000
	MaxYear = 2100
)

// ValidYear reports whether y is a year the service takes.
func ValidYear(y int) bool { return y >= MinYear && y <= MaxYear }

// ValidRegion reports whether s is a six-digit administrative division code.
func ValidRegion(s string) bool { return len(s) == 6 && allDigits(s) }

var universityCodePattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// ValidUniversityCode accepts a code usable in a URL that is not a unified
// social credit code: payouts name their subject by code, and a university
// must never share one with an enterprise.
func ValidUniversityCode(code string) bool {
	return universityCodePattern.MatchString(code) && !ValidCreditCode(code)
}
