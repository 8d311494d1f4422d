package models

import (
	"fmt"
	"math/bits"
	"strconv"
	"strings"
)

// MaxDecimalScale is the most decimals a Decimal may carry.
const MaxDecimalScale = 6

var pow10 = [...]int64{1, 10, 100, 1_000, 10_000, 100_000, 1_000_000}

// Decimal is an exact non-negative decimal number such as a rate ("0.30"),
// a matching ratio ("0.5") or an ownership percentage ("51.5"). It is held as
// an integer coefficient and a number of decimals, never as a float.
type Decimal struct {
	coef  int64
	scale uint8
}

// NewDecimal returns coef × 10^−scale.
func NewDecimal(coef int64, scale int) Decimal {
	return Decimal{coef: coef, scale: uint8(scale)}
}

// ParseDecimal parses a non-negative decimal in plain notation with at most
// maxScale decimals (maxScale ≤ MaxDecimalScale).
func ParseDecimal(s string, maxScale int) (Decimal, error) {
	if maxScale > MaxDecimalScale {
		maxScale = MaxDecimalScale
	}
	_, frac, _ := strings.Cut(s, ".")
	v, reason := parseFixed(s, maxScale)
	if reason != 0 {
		return Decimal{}, &FormatError{Kind: "decimal", Text: s, Reason: reason, MaxScale: maxScale}
	}
	// Keep the written number of decimals so "0.30" prints back as "0.30".
	scale := len(frac)
	return Decimal{coef: v / pow10[maxScale-scale], scale: uint8(scale)}, nil
}

// MustDecimal parses s or panics; for constants in tests.
func MustDecimal(s string) Decimal {
	d, err := ParseDecimal(s, MaxDecimalScale)
	if err != nil {
		panic(err)
	}
	return d
}

// Cmp compares two decimals exactly, on 128-bit products so that no scale
// or size of coefficient can overflow.
func (d Decimal) Cmp(o Decimal) int {
	// d.coef/10^d.scale vs o.coef/10^o.scale ⇔ d.coef·10^o.scale vs o.coef·10^d.scale.
	ah, al := bits.Mul64(uint64(d.coef), uint64(pow10[o.scale]))
	bh, bl := bits.Mul64(uint64(o.coef), uint64(pow10[d.scale]))
	switch {
	case ah < bh || ah == bh && al < bl:
		return -1
	case ah > bh || ah == bh && al > bl:
		return 1
	}
	return 0
}

// CmpInt compares the decimal with a whole number.
func (d Decimal) CmpInt(n int) int {
	return d.Cmp(Decimal{coef: int64(n)})
}

// IsZero reports whether the decimal is zero.
func (d Decimal) IsZero() bool { return d.coef == 0 }

// String prints the decimal with the decimals it was written with.
func (d Decimal) String() string {
	if d.scale == 0 {
		return strconv.FormatInt(d.coef, 10)
	}
	p := pow10[d.scale]
	return fmt.Sprintf("%d.%0*d", d.coef/p, int(d.scale), d.coef%p)
}

// MarshalJSON writes the decimal as a JSON string.
func (d Decimal) MarshalJSON() ([]byte, error) {
	return []byte(`"` + d.String() + `"`), nil
}

// UnmarshalJSON accepts a JSON string or number in plain decimal notation.
func (d *Decimal) UnmarshalJSON(b []byte) error {
	v, err := ParseDecimal(unquoteNumber(b), MaxDecimalScale)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Percent is an ownership share 0..100 with at most two decimals ("51",
// "66.67"), as the parent's 持股比例 is written.
type Percent struct{ Decimal }

// ParsePercent parses a share between 0 and 100 with at most two decimals.
func ParsePercent(s string) (Percent, error) {
	d, err := ParseDecimal(s, 2)
	if err != nil {
		return Percent{}, err
	}
	if d.CmpInt(100) > 0 {
		return Percent{}, &FormatError{Kind: "decimal", Text: s, Reason: ReasonAbove100, MaxScale: 2}
	}
	return Percent{Decimal: d}, nil
}

// UnmarshalJSON accepts a JSON string or number 0..100 with at most two decimals.
func (p *Percent) UnmarshalJSON(b []byte) error {
	v, err := ParsePercent(unquoteNumber(b))
	if err != nil {
		return err
	}
	*p = v
	return nil
}
