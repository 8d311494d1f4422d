package models_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/wenzhou-subsidy/subsidy/models"
)

func TestParseDecimal(t *testing.T) {
	tests := []struct {
		in       string
		maxScale int
		want     string // String keeps the written decimals
	}{
		{"0.30", 6, "0.30"},
		{"0.3", 6, "0.3"},
		{"0.5", 6, "0.5"},
		{"0", 6, "0"},
		{"0.000", 6, "0.000"},
		{"1", 6, "1"},
		{"1.000000", 6, "1.000000"},
		{"0.333333", 6, "0.333333"},
		{"51.5", 2, "51.5"},
		{"66.67", 2, "66.67"},
		{"007.10", 6, "7.10"},
		{"10", 0, "10"},
		{"123456789012", 6, "123456789012"},
		{"0.123456", 9, "0.123456"}, // maxScale above MaxDecimalScale is capped at 6
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			d, err := models.ParseDecimal(tt.in, tt.maxScale)
			if err != nil {
				t.Fatalf("ParseDecimal(%q, %d): %v", tt.in, tt.maxScale, err)
			}
			if got := d.String(); got != tt.want {
				t.Errorf("ParseDecimal(%q, %d).String() = %q, want %q", tt.in, tt.maxScale, got, tt.want)
			}
		})
	}
}

func TestParseDecimalRejects(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		maxScale int
		wantErr  string
	}{
		{"empty", "", 6, `invalid decimal "": empty`},
		{"negative", "-0.3", 6, `invalid decimal "-0.3": negative`},
		{"leading dot", ".3", 6, `invalid decimal ".3": not a plain decimal number`},
		{"trailing dot", "3.", 6, `invalid decimal "3.": not a plain decimal number`},
		{"exponent", "3e-1", 6, `invalid decimal "3e-1": not a plain decimal number`},
		{"percent sign", "30%", 6, `invalid decimal "30%": not a plain decimal number`},
		{"plus", "+0.3", 6, `invalid decimal "+0.3": not a plain decimal number`},
		{"seven decimals", "0.1234567", 6, `invalid decimal "0.1234567": more than 6 decimals`},
		{"scale capped at MaxDecimalScale", "0.1234567", 9, `invalid decimal "0.1234567": more than 6 decimals`},
		{"three decimals with scale 2", "0.305", 2, `invalid decimal "0.305": more than 2 decimals`},
		{"a decimal with scale 0", "1.5", 0, `invalid decimal "1.5": more than 0 decimals`},
		{"too large", "100000000000000000", 6, `invalid decimal "100000000000000000": too large`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := models.ParseDecimal(tt.in, tt.maxScale)
			if err == nil {
				t.Fatalf("ParseDecimal(%q, %d) = %s, want error %q", tt.in, tt.maxScale, d, tt.wantErr)
			}
			if err.Error() != tt.wantErr {
				t.Errorf("ParseDecimal(%q, %d) error:\n got %q\nwant %q", tt.in, tt.maxScale, err, tt.wantErr)
			}
			var de *models.FormatError
			if !errors.As(err, &de) {
				t.Errorf("error is %T, want *models.FormatError", err)
			}
		})
	}
}

func TestDecimalCmp(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"0.3", "0.30", 0},
		{"0.30", "0.3", 0},
		{"1", "1.000000", 0},
		{"0", "0.000", 0},
		{"0.29", "0.3", -1},
		{"0.3", "0.29", 1},
		{"0.299999", "0.3", -1},
		{"0.300001", "0.3", 1},
		{"10", "9.999999", 1},
		{"0.5", "1", -1},
		{"51.5", "51.49", 1},
	}
	for _, tt := range tests {
		t.Run(tt.a+" vs "+tt.b, func(t *testing.T) {
			if got := models.MustDecimal(tt.a).Cmp(models.MustDecimal(tt.b)); got != tt.want {
				t.Errorf("%s Cmp %s = %d, want %d", tt.a, tt.b, got, tt.want)
			}
		})
	}
}

func TestDecimalCmpInt(t *testing.T) {
	tests := []struct {
		d    string
		n    int
		want int
	}{
		{"0", 0, 0},
		{"0.00", 0, 0},
		{"0.01", 0, 1},
		{"1.0", 1, 0},
		{"0.999999", 1, -1},
		{"100.00", 100, 0},
		{"100.01", 100, 1},
		{"50", 51, -1},
	}
	for _, tt := range tests {
		t.Run(tt.d, func(t *testing.T) {
			if got := models.MustDecimal(tt.d).CmpInt(tt.n); got != tt.want {
				t.Errorf("%s CmpInt %d = %d, want %d", tt.d, tt.n, got, tt.want)
			}
		})
	}
}

func TestDecimalMisc(t *testing.T) {
	if got := models.NewDecimal(30, 2).String(); got != "0.30" {
		t.Errorf("NewDecimal(30, 2) = %s, want 0.30", got)
	}
	if got := models.NewDecimal(5, 0).String(); got != "5" {
		t.Errorf("NewDecimal(5, 0) = %s, want 5", got)
	}
	if got := models.NewDecimal(1, 6).String(); got != "0.000001" {
		t.Errorf("NewDecimal(1, 6) = %s, want 0.000001", got)
	}
	if !models.MustDecimal("0.000").IsZero() || models.MustDecimal("0.001").IsZero() {
		t.Error("IsZero is wrong")
	}
	if models.NewDecimal(30, 2).Cmp(models.MustDecimal("0.3")) != 0 {
		t.Error("NewDecimal(30, 2) differs from 0.3")
	}
}

func TestDecimalJSON(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{`"0.30"`, `"0.30"`},
		{`"0.3"`, `"0.3"`},
		{`0.30`, `"0.30"`},
		{`0.5`, `"0.5"`},
		{`1`, `"1"`},
		{`"0.333333"`, `"0.333333"`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var d models.Decimal
			if err := json.Unmarshal([]byte(tt.in), &d); err != nil {
				t.Fatalf("Unmarshal(%s): %v", tt.in, err)
			}
			got, err := json.Marshal(d)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("Marshal(Unmarshal(%s)) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
	for _, in := range []string{`"-0.3"`, `3e-1`, `"0.1234567"`, `""`, `"abc"`} {
		t.Run("rejects "+in, func(t *testing.T) {
			var d models.Decimal
			if err := json.Unmarshal([]byte(in), &d); err == nil {
				t.Errorf("Unmarshal(%s) = %s, want an error", in, d)
			}
		})
	}
}

func TestParsePercent(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"0", "0"},
		{"0.00", "0.00"},
		{"50", "50"},
		{"51.5", "51.5"},
		{"66.67", "66.67"},
		{"99.99", "99.99"},
		{"100", "100"},
		{"100.00", "100.00"},
		{"100.0", "100.0"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			p, err := models.ParsePercent(tt.in)
			if err != nil {
				t.Fatalf("ParsePercent(%q): %v", tt.in, err)
			}
			if got := p.String(); got != tt.want {
				t.Errorf("ParsePercent(%q).String() = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestParsePercentRejects(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		wantErr string
	}{
		{"one hundredth above 100", "100.01", `invalid decimal "100.01": above 100`},
		{"101", "101", `invalid decimal "101": above 100`},
		{"1000", "1000", `invalid decimal "1000": above 100`},
		{"three decimals", "66.667", `invalid decimal "66.667": more than 2 decimals`},
		{"three zero decimals", "100.000", `invalid decimal "100.000": more than 2 decimals`},
		{"negative", "-1", `invalid decimal "-1": negative`},
		{"empty", "", `invalid decimal "": empty`},
		{"percent sign", "50%", `invalid decimal "50%": not a plain decimal number`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := models.ParsePercent(tt.in)
			if err == nil {
				t.Fatalf("ParsePercent(%q) = %s, want error %q", tt.in, p, tt.wantErr)
			}
			if err.Error() != tt.wantErr {
				t.Errorf("ParsePercent(%q) error:\n got %q\nwant %q", tt.in, err, tt.wantErr)
			}
		})
	}
}

func TestPercentJSON(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr string
	}{
		{in: `"100"`, want: `"100"`},
		{in: `51.5`, want: `"51.5"`},
		{in: `"66.67"`, want: `"66.67"`},
		{in: `"100.01"`, wantErr: `invalid decimal "100.01": above 100`},
		{in: `66.667`, wantErr: `invalid decimal "66.667": more than 2 decimals`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var p models.Percent
			err := json.Unmarshal([]byte(tt.in), &p)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Errorf("Unmarshal(%s) error = %v, want %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Unmarshal(%s): %v", tt.in, err)
			}
			got, err := json.Marshal(p)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("Marshal(Unmarshal(%s)) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

// TestDecimalCmpAcrossMaxScales compares decimals parsed with different
// maxScale arguments: a whole number parsed with maxScale 0 may have 17
// digits, and scaling it up by 10^6 to meet a six-decimal value must not
// overflow.
func TestDecimalCmpAcrossMaxScales(t *testing.T) {
	tests := []struct {
		a      string
		aScale int
		b      string
		want   int
	}{
		{"12345678901234567", 0, "0.5", 1},
		{"100000000000000", 2, "0.000001", 1},
		// Regression: 18446744073709552 × 10^6 once wrapped around int64 to
		// 384000, so that Cmp said 18446744073709552 < 0.500000.
		{"18446744073709552", 0, "0.500000", 1},
		// 27670116110564327 × 10^6 wraps to −424000.
		{"27670116110564327", 0, "0.000001", 1},
	}
	for _, tt := range tests {
		t.Run(tt.a+" vs "+tt.b, func(t *testing.T) {
			a, err := models.ParseDecimal(tt.a, tt.aScale)
			if err != nil {
				t.Fatal(err)
			}
			b := models.MustDecimal(tt.b)
			if got := a.Cmp(b); got != tt.want {
				t.Errorf("%s Cmp %s = %d, want %d", a, b, got, tt.want)
			}
			if got := b.Cmp(a); got != -tt.want {
				t.Errorf("%s Cmp %s = %d, want %d", b, a, got, -tt.want)
			}
		})
	}
}
