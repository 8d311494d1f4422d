package models_test

import (
	"encoding/json"
	"errors"
	"math"
	"testing"

	"github.com/wenzhou-subsidy/subsidy/models"
)

func TestParseMoney(t *testing.T) {
	tests := []struct {
		in      string
		wantFen int64
	}{
		{"0", 0},
		{"0.00", 0},
		{"0.0", 0},
		{"1234", 123400},
		{"1234.5", 123450},
		{"1234.50", 123450},
		{"0.01", 1},
		{"0.1", 10},
		{"007.10", 710},
		{"000", 0},
		{"50000.00", 5_000_000},
		{"1000000000000", 100_000_000_000_000}, // MaxMoney itself
		{"1000000000000.00", 100_000_000_000_000}, // MaxMoney itself
		{"999999999999.99", 99_999_999_999_999},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := models.ParseMoney(tt.in)
			if err != nil {
				t.Fatalf("ParseMoney(%q): %v", tt.in, err)
			}
			if got.Fen() != tt.wantFen {
				t.Errorf("ParseMoney(%q) = %d fen, want %d", tt.in, got.Fen(), tt.wantFen)
			}
		})
	}
}

func TestParseMoneyRejects(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		wantErr string
	}{
		{"empty", "", `invalid amount "": empty`},
		{"negative", "-1", `invalid amount "-1": negative`},
		{"negative zero", "-0", `invalid amount "-0": negative`},
		{"three decimals", "1.234", `invalid amount "1.234": more than 2 decimals`},
		{"three zero decimals", "1.000", `invalid amount "1.000": more than 2 decimals`},
		{"exponent", "1e3", `invalid amount "1e3": not a plain decimal number`},
		{"thousands separator", "1,000", `invalid amount "1,000": not a plain decimal number`},
		{"leading space", " 1", `invalid amount " 1": not a plain decimal number`},
		{"trailing space", "1 ", `invalid amount "1 ": not a plain decimal number`},
		{"trailing dot", "1.", `invalid amount "1.": not a plain decimal number`},
		{"leading dot", ".5", `invalid amount ".5": not a plain decimal number`},
		{"plus sign", "+1", `invalid amount "+1": not a plain decimal number`},
		{"NaN", "NaN", `invalid amount "NaN": not a plain decimal number`},
		{"Inf", "Inf", `invalid amount "Inf": not a plain decimal number`},
		{"two dots", "1.2.3", `invalid amount "1.2.3": not a plain decimal number`},
		{"hex", "0x10", `invalid amount "0x10": not a plain decimal number`},
		{"full-width digit", "１", `invalid amount "１": not a plain decimal number`},
		{"yuan sign", "¥1", `invalid amount "¥1": not a plain decimal number`},
		{"one fen above MaxMoney", "1000000000000.01", `invalid amount "1000000000000.01": above the largest accepted amount 1000000000000.00`},
		{"one yuan above MaxMoney", "1000000000001", `invalid amount "1000000000001": above the largest accepted amount 1000000000000.00`},
		{"far above MaxMoney, fits int64", "10000000000000000", `invalid amount "10000000000000000": above the largest accepted amount 1000000000000.00`},
		{"17 digits overflowing int64 in fen", "99999999999999999", `invalid amount "99999999999999999": too large`},
		{"18 digits", "100000000000000000", `invalid amount "100000000000000000": too large`},
		{"30 digits", "123456789012345678901234567890", `invalid amount "123456789012345678901234567890": too large`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := models.ParseMoney(tt.in)
			if err == nil {
				t.Fatalf("ParseMoney(%q) = %s, want error %q", tt.in, got, tt.wantErr)
			}
			if err.Error() != tt.wantErr {
				t.Errorf("ParseMoney(%q) error:\n got %q\nwant %q", tt.in, err, tt.wantErr)
			}
			var fe *models.FormatError
			if !errors.As(err, &fe) {
				t.Errorf("ParseMoney(%q) error is %T, want *models.FormatError", tt.in, err)
			} else if fe.Text != tt.in {
				t.Errorf("FormatError.Text = %q, want %q", fe.Text, tt.in)
			}
		})
	}
}

func TestMustMoneyPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("MustMoney(\"1.234\") did not panic")
		}
	}()
	models.MustMoney("1.234")
}

func TestMoneyString(t *testing.T) {
	tests := []struct {
		m    models.Money
		want string
	}{
		{models.Fen(0), "0.00"},
		{models.Fen(1), "0.01"},
		{models.Fen(10), "0.10"},
		{models.Fen(99), "0.99"},
		{models.Fen(100), "1.00"},
		{models.Fen(123450), "1234.50"},
		{models.Yuan(50000), "50000.00"},
		{models.MaxMoney, "1000000000000.00"},
		{models.Fen(-1), "-0.01"},
		{models.Fen(-5), "-0.05"},
		{models.Fen(-100), "-1.00"},
		{models.Fen(-123456), "-1234.56"},
		{models.Yuan(-3), "-3.00"},
		{models.Fen(math.MaxInt64), "92233720368547758.07"},
		// Regression: negating the smallest int64 once printed
		// "--92233720368547758.-8".
		{models.Fen(math.MinInt64), "-92233720368547758.08"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := tt.m.String(); got != tt.want {
				t.Errorf("Fen(%d).String() = %q, want %q", tt.m.Fen(), got, tt.want)
			}
		})
	}
}

func TestMoneyGrouped(t *testing.T) {
	for _, tt := range []struct {
		m    models.Money
		want string
	}{
		{models.Fen(0), "0.00"},
		{models.Fen(99999), "999.99"},
		{models.Yuan(1000), "1,000.00"},
		{models.Fen(123456789), "1,234,567.89"},
		{models.Yuan(-200000), "-200,000.00"},
		{models.Fen(-5), "-0.05"},
		{models.MaxMoney, "1,000,000,000,000.00"},
		{models.Fen(math.MinInt64), "-92,233,720,368,547,758.08"},
	} {
		if got := tt.m.Grouped(); got != tt.want {
			t.Errorf("Fen(%d).Grouped() = %q, want %q", tt.m.Fen(), got, tt.want)
		}
	}
}

func TestMoneyArithmetic(t *testing.T) {
	a, b := models.MustMoney("10.05"), models.MustMoney("20.10")
	tests := []struct {
		name string
		got  models.Money
		want string
	}{
		{"add", a.Add(b), "30.15"},
		{"sub", b.Sub(a), "10.05"},
		{"sub below zero", a.Sub(b), "-10.05"},
		{"neg", a.Neg(), "-10.05"},
		{"min", models.MinMoney(b, a), "10.05"},
		{"max", models.MaxOf(a, b), "20.10"},
		{"yuan", models.Yuan(7), "7.00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.got.String(); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
	if got := a.Cmp(b); got != -1 {
		t.Errorf("10.05 Cmp 20.10 = %d, want -1", got)
	}
	if got := b.Cmp(a); got != 1 {
		t.Errorf("20.10 Cmp 10.05 = %d, want 1", got)
	}
	if got := a.Cmp(models.Fen(1005)); got != 0 {
		t.Errorf("10.05 Cmp 1005 fen = %d, want 0", got)
	}
	if !models.Fen(0).IsZero() || models.Fen(1).IsZero() {
		t.Error("IsZero is wrong")
	}
	if !models.Fen(1).IsPositive() || models.Fen(0).IsPositive() || models.Fen(-1).IsPositive() {
		t.Error("IsPositive is wrong")
	}
	if !models.Fen(-1).IsNegative() || models.Fen(0).IsNegative() || models.Fen(1).IsNegative() {
		t.Error("IsNegative is wrong")
	}
}

func TestMoneyJSON(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string // MarshalJSON of the decoded value
	}{
		{"string two decimals", `"1234.50"`, `"1234.50"`},
		{"string one decimal", `"1234.5"`, `"1234.50"`},
		{"string whole", `"1234"`, `"1234.00"`},
		{"string zero", `"0"`, `"0.00"`},
		{"string leading zeros", `"007.10"`, `"7.10"`},
		{"number two decimals", `1234.50`, `"1234.50"`},
		{"number one decimal", `1234.5`, `"1234.50"`},
		{"number whole", `1234`, `"1234.00"`},
		{"number zero", `0`, `"0.00"`},
		{"number one fen", `0.01`, `"0.01"`},
		{"MaxMoney", `1000000000000`, `"1000000000000.00"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var m models.Money
			if err := json.Unmarshal([]byte(tt.in), &m); err != nil {
				t.Fatalf("Unmarshal(%s): %v", tt.in, err)
			}
			got, err := json.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("Marshal(Unmarshal(%s)) = %s, want %s", tt.in, got, tt.want)
			}
			// The output decodes back to the same amount.
			var back models.Money
			if err := json.Unmarshal(got, &back); err != nil {
				t.Fatalf("Unmarshal(%s): %v", got, err)
			}
			if back != m {
				t.Errorf("round trip: %s became %s", m, back)
			}
		})
	}
}

func TestMoneyJSONInStruct(t *testing.T) {
	var v struct {
		A models.Money `json:"a"`
		B models.Money `json:"b"`
	}
	if err := json.Unmarshal([]byte(`{"a": 10.5, "b": "0.05"}`), &v); err != nil {
		t.Fatal(err)
	}
	got, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"a":"10.50","b":"0.05"}`; string(got) != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestMoneyJSONRejects(t *testing.T) {
	tests := []struct {
		in      string
		wantErr string
	}{
		{`"1.234"`, `invalid amount "1.234": more than 2 decimals`},
		{`1.234`, `invalid amount "1.234": more than 2 decimals`},
		{`"-1"`, `invalid amount "-1": negative`},
		{`-1`, `invalid amount "-1": negative`},
		{`1e3`, `invalid amount "1e3": not a plain decimal number`},
		{`"1e3"`, `invalid amount "1e3": not a plain decimal number`},
		{`""`, `invalid amount "": empty`},
		{`"1\u0030"`, `invalid amount "1\\u0030": not a plain decimal number`},
		{`true`, `invalid amount "true": not a plain decimal number`},
		{`"1000000000000.01"`, `invalid amount "1000000000000.01": above the largest accepted amount 1000000000000.00`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var m models.Money
			err := json.Unmarshal([]byte(tt.in), &m)
			if err == nil {
				t.Fatalf("Unmarshal(%s) = %s, want error", tt.in, m)
			}
			if err.Error() != tt.wantErr {
				t.Errorf("Unmarshal(%s) error:\n got %q\nwant %q", tt.in, err, tt.wantErr)
			}
		})
	}
}

func TestMoneyText(t *testing.T) {
	m := models.MustMoney("1234.5")
	b, err := m.MarshalText()
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != "1234.50" {
		t.Errorf("MarshalText = %q, want %q", b, "1234.50")
	}
	var back models.Money
	if err := back.UnmarshalText(b); err != nil {
		t.Fatal(err)
	}
	if back != m {
		t.Errorf("UnmarshalText(%q) = %s, want %s", b, back, m)
	}
	if err := back.UnmarshalText([]byte("1,5")); err == nil || err.Error() != `invalid amount "1,5": not a plain decimal number` {
		t.Errorf("UnmarshalText(\"1,5\") error = %v", err)
	}
}

func TestMulRate(t *testing.T) {
	tests := []struct {
		name   string
		amount models.Money
		rate   string
		want   string
	}{
		{"30% of 10.05 rounds the half fen up", models.MustMoney("10.05"), "0.30", "3.02"},
		{"rate written 0.3", models.MustMoney("10.05"), "0.3", "3.02"},
		{"half of one fen is one fen", models.MustMoney("0.01"), "0.5", "0.01"},
		{"half of three fen is two fen", models.MustMoney("0.03"), "0.5", "0.02"},
		{"below the half fen rounds down", models.MustMoney("0.01"), "0.499999", "0.00"},
		{"above the half fen rounds up", models.MustMoney("0.01"), "0.500001", "0.01"},
		{"0.4 fen rounds down", models.MustMoney("0.01"), "0.4", "0.00"},
		{"one third of 1.00", models.MustMoney("1.00"), "0.333333", "0.33"},
		{"one third of 2.00", models.MustMoney("2.00"), "0.333333", "0.67"},
		{"exact", models.MustMoney("1000000.00"), "0.30", "300000.00"},
		{"1:0.5 match", models.MustMoney("3000000.01"), "0.5", "1500000.01"},
		{"whole rate", models.MustMoney("5.00"), "2", "10.00"},
		{"rate one", models.MaxMoney, "1", "1000000000000.00"},
		{"rate zero", models.MustMoney("1234.56"), "0", "0.00"},
		{"zero amount", models.MustMoney("0"), "0.30", "0.00"},
		{"MaxMoney times the largest sane rate", models.MaxMoney, "10", "10000000000000.00"},
		{"negative: 30% of -10.05 rounds away from zero", models.MustMoney("10.05").Neg(), "0.30", "-3.02"},
		{"negative: half of -0.01", models.MustMoney("0.01").Neg(), "0.5", "-0.01"},
		{"negative: half of -0.03", models.MustMoney("0.03").Neg(), "0.5", "-0.02"},
		{"negative: below the half fen", models.MustMoney("0.01").Neg(), "0.4", "0.00"},
		{"negative: one third of -2.00", models.MustMoney("2.00").Neg(), "0.333333", "-0.67"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rate := models.MustDecimal(tt.rate)
			got, err := tt.amount.MulRate(rate)
			if err != nil {
				t.Fatalf("%s × %s: %v", tt.amount, rate, err)
			}
			if got.String() != tt.want {
				t.Errorf("%s × %s = %s, want %s", tt.amount, rate, got, tt.want)
			}
		})
	}
}

func TestMulFraction(t *testing.T) {
	tests := []struct {
		name          string
		m, num, den   string
		neg           bool // negate m
		want          string
		wantRemainder string // m − result, the other share of a pro-rata split
	}{
		{"3:2 split exact", "100.00", "30.00", "50.00", false, "60.00", "40.00"},
		{"exact half fen rounds up", "1.01", "1.00", "2.00", false, "0.51", "0.50"},
		{"one fen split in two", "0.01", "1.00", "2.00", false, "0.01", "0.00"},
		{"one third", "1.00", "1.00", "3.00", false, "0.33", "0.67"},
		{"two thirds", "1.00", "2.00", "3.00", false, "0.67", "0.33"},
		{"whole", "123.45", "7.00", "7.00", false, "123.45", "0.00"},
		{"nothing", "123.45", "0", "7.00", false, "0.00", "123.45"},
		{"zero amount", "0", "1.00", "3.00", false, "0.00", "0.00"},
		{"large amounts keep full precision", "999999999999.99", "999999999999.99", "1000000000000.00", false, "999999999999.98", "0.01"},
		{"negative rounds away from zero", "1.01", "1.00", "2.00", true, "-0.51", "-0.50"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := models.MustMoney(tt.m)
			if tt.neg {
				m = m.Neg()
			}
			got, err := m.MulFraction(models.MustMoney(tt.num), models.MustMoney(tt.den))
			if err != nil {
				t.Fatalf("%s × %s / %s: %v", m, tt.num, tt.den, err)
			}
			if got.String() != tt.want {
				t.Errorf("%s × %s / %s = %s, want %s", m, tt.num, tt.den, got, tt.want)
			}
			if rest := m.Sub(got).String(); rest != tt.wantRemainder {
				t.Errorf("remainder %s − %s = %s, want %s", m, got, rest, tt.wantRemainder)
			}
		})
	}
}

// TestMulOverflow checks that a product that does not fit is ErrOverflow,
// never a panic nor a wrong amount.
func TestMulOverflow(t *testing.T) {
	tests := []struct {
		name    string
		mul     func() (models.Money, error)
		wantErr string
		wantIs  error // the sentinel the error wraps; ErrOverflow when nil
	}{
		{
			name:    "MulRate result above int64",
			mul:     func() (models.Money, error) { return models.Fen(math.MaxInt64).MulRate(models.MustDecimal("2")) },
			wantErr: "92233720368547758.07 × 2: amount out of range",
		},
		{
			name: "MulRate product above 128 bits / scale",
			mul: func() (models.Money, error) {
				return models.Fen(math.MaxInt64).MulRate(models.MustDecimal("999999999999.999999"))
			},
			wantErr: "92233720368547758.07 × 999999999999.999999: amount out of range",
		},
		{
			name:    "MulRate negative result below int64",
			mul:     func() (models.Money, error) { return models.Fen(math.MinInt64 + 1).MulRate(models.MustDecimal("1.5")) },
			wantErr: "-92233720368547758.07 × 1.5: amount out of range",
		},
		{
			name: "MulFraction result above int64",
			mul: func() (models.Money, error) {
				return models.Fen(math.MaxInt64).MulFraction(models.Fen(3), models.Fen(2))
			},
			wantErr: "92233720368547758.07 × 0.03 / 0.02: amount out of range",
		},
		{
			name: "MulFraction zero denominator",
			mul: func() (models.Money, error) {
				return models.MustMoney("1.00").MulFraction(models.MustMoney("1.00"), models.Fen(0))
			},
			wantErr: "1.00 × 1.00 / 0.00: the part must not be negative and the whole must be above zero",
			wantIs:  models.ErrBadFraction,
		},
		{
			name: "MulFraction negative denominator",
			mul: func() (models.Money, error) {
				return models.MustMoney("1.00").MulFraction(models.MustMoney("1.00"), models.Fen(-1))
			},
			wantErr: "1.00 × 1.00 / -0.01: the part must not be negative and the whole must be above zero",
			wantIs:  models.ErrBadFraction,
		},
		{
			name: "MulFraction negative numerator",
			mul: func() (models.Money, error) {
				return models.MustMoney("1.00").MulFraction(models.Fen(-1), models.MustMoney("1.00"))
			},
			wantErr: "1.00 × -0.01 / 1.00: the part must not be negative and the whole must be above zero",
			wantIs:  models.ErrBadFraction,
		},
		// Regression: the exact quotient 2^64−1 rounding up once wrapped to
		// 0.00 with no error.
		// 31 × 1190112520884487201 = 2^65 − 1; / 2 = 2^64 − 1 remainder 1.
		{
			name: "MulFraction quotient 2^64-1 rounding up",
			mul: func() (models.Money, error) {
				return models.Fen(31).MulFraction(models.Fen(1190112520884487201), models.Fen(2))
			},
			wantErr: "0.31 × 11901125208844872.01 / 0.02: amount out of range",
		},
		// 31 × 5950562604422436005 = 10 × (2^64 − 1) + 5.
		{
			name: "MulRate quotient 2^64-1 rounding up",
			mul: func() (models.Money, error) {
				return models.Fen(31).MulRate(models.NewDecimal(5950562604422436005, 1))
			},
			wantErr: "0.31 × 595056260442243600.5: amount out of range",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.mul()
			if err == nil {
				t.Fatalf("got %s, want error %q", got, tt.wantErr)
			}
			wantIs := tt.wantIs
			if wantIs == nil {
				wantIs = models.ErrOverflow
			}
			if !errors.Is(err, wantIs) {
				t.Errorf("error %v is not %v", err, wantIs)
			}
			if err.Error() != tt.wantErr {
				t.Errorf("error:\n got %q\nwant %q", err, tt.wantErr)
			}
			if got != (models.Money{}) {
				t.Errorf("amount on error = %s, want 0.00", got)
			}
		})
	}
}
