package models

import (
	"errors"
	"fmt"
	"math/bits"
	"strconv"
	"strings"
)

// Money is an amount in yuan held exactly as a whole number of fen (分).
// It never passes through float64: it is parsed from and printed as decimal
// text, and rates are applied with integer arithmetic and explicit half-up
// rounding (四舍五入到分).
type Money struct{ fen int64 }

// MaxMoney is the largest amount accepted as input: one trillion yuan (1万亿).
// Bounding each input keeps ordinary sums and products far from int64's
// limit; arithmetic on many of them (AddChecked, MulRate) still reports
// ErrOverflow rather than wrap.
var MaxMoney = Money{fen: 100_000_000_000_000}

// Fen returns the amount of n fen.
func Fen(n int64) Money { return Money{fen: n} }

// Yuan returns the amount of n whole yuan.
func Yuan(n int64) Money { return Money{fen: n * 100} }

// Fen returns the amount as a whole number of fen.
func (m Money) Fen() int64 { return m.fen }

// IsZero reports whether the amount is zero.
func (m Money) IsZero() bool { return m.fen == 0 }

// IsPositive reports whether the amount is above zero.
func (m Money) IsPositive() bool { return m.fen > 0 }

// IsNegative reports whether the amount is below zero.
func (m Money) IsNegative() bool { return m.fen < 0 }

// Add returns m + o.
func (m Money) Add(o Money) Money { return Money{fen: m.fen + o.fen} }

// AddChecked returns m + o, or ErrOverflow when the sum does not fit.
func (m Money) AddChecked(o Money) (Money, error) {
	sum := m.fen + o.fen
	if (o.fen > 0 && sum < m.fen) || (o.fen < 0 && sum > m.fen) {
		return Money{}, fmt.Errorf("%s + %s: %w", m, o, ErrOverflow)
	}
	return Money{fen: sum}, nil
}

// Sub returns m − o, which may be negative.
func (m Money) Sub(o Money) Money { return Money{fen: m.fen - o.fen} }

// Neg returns −m.
func (m Money) Neg() Money { return Money{fen: -m.fen} }

// Cmp returns −1, 0 or +1 as m is less than, equal to or greater than o.
func (m Money) Cmp(o Money) int {
	switch {
	case m.fen < o.fen:
		return -1
	case m.fen > o.fen:
		return 1
	}
	return 0
}

// MinMoney returns the smaller of a and b.
func MinMoney(a, b Money) Money {
	if a.fen < b.fen {
		return a
	}
	return b
}

// MaxOf returns the larger of a and b.
func MaxOf(a, b Money) Money {
	if a.fen > b.fen {
		return a
	}
	return b
}

// ErrOverflow reports arithmetic whose exact result does not fit.
var ErrOverflow = errors.New("amount out of range")

// MulRate returns m × r rounded half-up (away from zero) to the fen, computed
// exactly on the full-precision product: 30% of 10.05 is 3.02 (3.015 → 3.02).
func (m Money) MulRate(r Decimal) (Money, error) {
	q, err := mulDivHalfUp(m.fen, r.coef, pow10[r.scale])
	if err != nil {
		return Money{}, fmt.Errorf("%s × %s: %w", m, r, err)
	}
	return Money{fen: q}, nil
}

// ErrBadFraction reports a pro-rata split by a non-positive whole or a
// negative part.
var ErrBadFraction = errors.New("the part must not be negative and the whole must be above zero")

// MulFraction returns m × num / den rounded half-up to the fen; den must be
// positive. It splits an amount pro rata without leaving integers.
func (m Money) MulFraction(num, den Money) (Money, error) {
	if den.fen <= 0 || num.fen < 0 {
		return Money{}, fmt.Errorf("%s × %s / %s: %w", m, num, den, ErrBadFraction)
	}
	q, err := mulDivHalfUp(m.fen, num.fen, den.fen)
	if err != nil {
		return Money{}, fmt.Errorf("%s × %s / %s: %w", m, num, den, err)
	}
	return Money{fen: q}, nil
}

// mulDivHalfUp returns a × b / d rounded half away from zero, using a 128-bit
// intermediate product; b ≥ 0 and d > 0.
func mulDivHalfUp(a, b, d int64) (int64, error) {
	neg := a < 0
	ua := uint64(a)
	if neg {
		ua = uint64(-a)
	}
	hi, lo := bits.Mul64(ua, uint64(b))
	if hi >= uint64(d) {
		return 0, ErrOverflow
	}
	q, rem := bits.Div64(hi, lo, uint64(d))
	if q > 1<<63-1 {
		return 0, ErrOverflow
	}
	// Round half up: compare 2·rem with d without overflowing.
	if rem >= uint64(d)-rem {
		if q == 1<<63-1 {
			return 0, ErrOverflow
		}
		q++
	}
	if neg {
		return -int64(q), nil
	}
	return int64(q), nil
}

// String formats the amount with exactly two decimals: "1234.50", "-0.05".
func (m Money) String() string {
	var buf [24]byte
	return string(m.appendText(buf[:0]))
}

// Grouped formats the amount as people read it, with thousands separators
// and two decimals: "1,234,567.50".
func (m Money) Grouped() string {
	plain := m.String()
	sign := ""
	if plain[0] == '-' {
		sign, plain = "-", plain[1:]
	}
	whole, cents, _ := strings.Cut(plain, ".")
	var b strings.Builder
	b.WriteString(sign)
	for i, d := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(d)
	}
	b.WriteString("." + cents)
	return b.String()
}

// appendText appends the amount with exactly two decimals; it is what every
// JSON answer spends on amounts, so it avoids fmt.
func (m Money) appendText(b []byte) []byte {
	// In uint64 so that the smallest int64 has a magnitude too.
	n := uint64(m.fen)
	if m.fen < 0 {
		b = append(b, '-')
		n = -n
	}
	b = strconv.AppendUint(b, n/100, 10)
	cents := n % 100
	return append(b, '.', byte('0'+cents/10), byte('0'+cents%10))
}

// ParseMoney parses a non-negative amount in yuan with at most two decimals,
// written in plain decimal notation ("1234", "1234.5", "1234.50").
func ParseMoney(s string) (Money, error) {
	fen, reason := parseFixed(s, 2)
	if reason == 0 && fen > MaxMoney.fen {
		reason = ReasonAboveMaxMoney
	}
	if reason != 0 {
		return Money{}, &FormatError{Kind: "amount", Text: s, Reason: reason, MaxScale: 2}
	}
	return Money{fen: fen}, nil
}

// MustMoney parses s or panics; for constants in tests and fixtures.
func MustMoney(s string) Money {
	m, err := ParseMoney(s)
	if err != nil {
		panic(err)
	}
	return m
}

// parseFixed parses a non-negative decimal with at most maxScale decimals and
// returns it scaled by 10^maxScale, or the reason why it is not acceptable.
func parseFixed(s string, maxScale int) (int64, FormatReason) {
	if s == "" {
		return 0, ReasonEmpty
	}
	if s[0] == '-' {
		return 0, ReasonNegative
	}
	intPart, frac, hasDot := strings.Cut(s, ".")
	if intPart == "" || !allDigits(intPart) || (hasDot && (frac == "" || !allDigits(frac))) {
		return 0, ReasonNotDecimal
	}
	if len(frac) > maxScale {
		return 0, ReasonTooManyDecimals
	}
	intPart = strings.TrimLeft(intPart, "0")
	if len(intPart) > 17 {
		return 0, ReasonTooLarge
	}
	digits := intPart + frac + strings.Repeat("0", maxScale-len(frac))
	if digits == "" {
		return 0, 0
	}
	v, err := strconv.ParseInt(digits, 10, 64)
	if err != nil {
		return 0, ReasonTooLarge
	}
	return v, 0
}

// allDigits reports whether s holds only ASCII digits ("" does).
func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// MarshalJSON writes the amount as a string with two decimals.
func (m Money) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 24)
	b = append(b, '"')
	b = m.appendText(b)
	return append(b, '"'), nil
}

// UnmarshalJSON accepts a JSON string or number with at most two decimals.
// A JSON null leaves the amount unchanged, as encoding/json's convention
// asks; the api decoder decides whether null is allowed.
func (m *Money) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	v, err := ParseMoney(unquoteNumber(b))
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// MarshalText and UnmarshalText let amounts appear in YAML and CSV.
func (m Money) MarshalText() ([]byte, error) { return m.appendText(nil), nil }

// UnmarshalText parses the amount's decimal text.
func (m *Money) UnmarshalText(b []byte) error {
	v, err := ParseMoney(string(b))
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// unquoteNumber strips the quotes of a JSON string holding a number; a bare
// JSON number is returned as is. Escapes are not expected in numbers, so a
// quoted text with a backslash is returned whole and fails to parse.
func unquoteNumber(b []byte) string {
	if len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"' {
		return string(b[1 : len(b)-1])
	}
	return string(b)
}
