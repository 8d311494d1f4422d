package models

import (
	"fmt"
	"time"
)

// Date is a civil date (YYYY-MM-DD) without time or zone. It is held as the
// number YYYYMMDD, so that comparing two dates is comparing two integers.
// The zero Date means "no date".
type Date struct{ ymd int32 }

// NewDate returns the date y-m-d; it must be a real calendar date.
func NewDate(y, m, d int) (Date, error) {
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Year() != y || int(t.Month()) != m || t.Day() != d || y < 1 || y > 9999 {
		return Date{}, fmt.Errorf("%04d-%02d-%02d is not a calendar date", y, m, d)
	}
	return Date{ymd: int32(y*10000 + m*100 + d)}, nil
}

// MustDate parses s or panics; for constants in tests.
func MustDate(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// DateOf returns the civil date of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{ymd: int32(y*10000 + int(m)*100 + d)}
}

// ParseDate parses a YYYY-MM-DD date.
func ParseDate(s string) (Date, error) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' ||
		!allDigits(s[0:4]) || !allDigits(s[5:7]) || !allDigits(s[8:10]) {
		return Date{}, fmt.Errorf("invalid date %q: want YYYY-MM-DD", s)
	}
	y := atoiDigits(s[0:4])
	m := atoiDigits(s[5:7])
	d := atoiDigits(s[8:10])
	date, err := NewDate(y, m, d)
	if err != nil {
		return Date{}, fmt.Errorf("invalid date %q: not a calendar date", s)
	}
	return date, nil
}

func atoiDigits(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// MonthDay is a day of the year without the year, such as 31 December, the
// day on which a year's certification is judged. 29 February is not one:
// it would not exist every year.
type MonthDay struct {
	Month int `json:"month"`
	Day   int `json:"day"`
}

// ParseMonthDay parses MM-DD ("12-31").
func ParseMonthDay(s string) (MonthDay, error) {
	if len(s) != 5 || s[2] != '-' || !allDigits(s[:2]) || !allDigits(s[3:]) {
		return MonthDay{}, fmt.Errorf("invalid day of the year %q: want MM-DD", s)
	}
	md := MonthDay{Month: atoiDigits(s[:2]), Day: atoiDigits(s[3:])}
	if _, err := NewDate(2023, md.Month, md.Day); err != nil { // 2023: not a leap year
		return MonthDay{}, fmt.Errorf("invalid day of the year %q: not a day of every year", s)
	}
	return md, nil
}

// In returns the day in year y.
func (md MonthDay) In(y int) Date { return Date{ymd: int32(y*10000 + md.Month*100 + md.Day)} }

func (md MonthDay) String() string { return fmt.Sprintf("%02d-%02d", md.Month, md.Day) }

// MarshalJSON writes the day as "MM-DD".
func (md MonthDay) MarshalJSON() ([]byte, error) { return []byte(`"` + md.String() + `"`), nil }

// UnmarshalJSON reads an "MM-DD" string.
func (md *MonthDay) UnmarshalJSON(b []byte) error {
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return fmt.Errorf("invalid day of the year %s: want a \"MM-DD\" string", b)
	}
	v, err := ParseMonthDay(string(b[1 : len(b)-1]))
	if err != nil {
		return err
	}
	*md = v
	return nil
}

// IsZero reports whether d is the zero Date (no date).
func (d Date) IsZero() bool { return d.ymd == 0 }

// Year returns the year of d.
func (d Date) Year() int { return int(d.ymd / 10000) }

// Before reports whether d is strictly before o.
func (d Date) Before(o Date) bool { return d.ymd < o.ymd }

// After reports whether d is strictly after o.
func (d Date) After(o Date) bool { return d.ymd > o.ymd }

// Cmp returns −1, 0 or +1 as d is before, the same day as or after o.
func (d Date) Cmp(o Date) int {
	switch {
	case d.ymd < o.ymd:
		return -1
	case d.ymd > o.ymd:
		return 1
	}
	return 0
}

// Time returns midnight UTC of d.
func (d Date) Time() time.Time {
	return time.Date(d.Year(), time.Month(d.ymd/100%100), int(d.ymd%100), 0, 0, 0, 0, time.UTC)
}

// String formats d as YYYY-MM-DD, or "" for the zero Date.
func (d Date) String() string {
	if d.ymd == 0 {
		return ""
	}
	var buf [10]byte
	return string(d.appendText(buf[:0]))
}

// appendText appends YYYY-MM-DD without fmt: dates are in every answer.
func (d Date) appendText(b []byte) []byte {
	y, m, day := int(d.ymd/10000), int(d.ymd/100%100), int(d.ymd%100)
	return append(b, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-',
		byte('0'+m/10), byte('0'+m%10), '-', byte('0'+day/10), byte('0'+day%10))
}

// MarshalJSON writes the date as "YYYY-MM-DD", or null for the zero Date.
func (d Date) MarshalJSON() ([]byte, error) {
	if d.ymd == 0 {
		return []byte("null"), nil
	}
	b := make([]byte, 0, 12)
	b = append(b, '"')
	b = d.appendText(b)
	return append(b, '"'), nil
}

// UnmarshalJSON accepts a "YYYY-MM-DD" string; a JSON null leaves the date
// unchanged (the zero Date marshals as null).
func (d *Date) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return fmt.Errorf("invalid date %s: want a \"YYYY-MM-DD\" string", b)
	}
	v, err := ParseDate(string(b[1 : len(b)-1]))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// MarshalText writes the date as YYYY-MM-DD.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText parses a YYYY-MM-DD date.
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Period is an inclusive range of dates, such as the plan period
// 2024-01-01..2027-12-31.
type Period struct {
	From Date `json:"from" expr:"from"`
	To   Date `json:"to" expr:"to"`
}

// Contains reports whether d lies within the period, both ends included.
func (p Period) Contains(d Date) bool { return !d.Before(p.From) && !d.After(p.To) }

func (p Period) String() string { return p.From.String() + ".." + p.To.String() }

// YearRange is an inclusive range of years, such as the grant years 2024..2026.
type YearRange struct {
	From int `json:"from" expr:"from"`
	To   int `json:"to" expr:"to"`
}

// Contains reports whether y lies within the range, both ends included.
func (r YearRange) Contains(y int) bool { return y >= r.From && y <= r.To }

func (r YearRange) String() string { return fmt.Sprintf("%d..%d", r.From, r.To) }

// Wenzhou is the time zone dates are spoken in: China Standard Time, UTC+8
// all year (China keeps no daylight saving time).
var Wenzhou = time.FixedZone("CST", 8*60*60)

// LocalDate returns the date in Wenzhou at instant t.
func LocalDate(t time.Time) Date { return DateOf(t.In(Wenzhou)) }
