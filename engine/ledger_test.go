package engine

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// moneyText compares amounts by their text, so that diffs read "3.02".
var moneyText = cmp.Transformer("Money", func(m models.Money) string { return m.String() })

func mustMoney(tb testing.TB, s string) models.Money {
	tb.Helper()
	m, err := models.ParseMoney(s)
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

func TestLedgerRow(t *testing.T) {
	// row is the expected row, every amount as text; "" means 0.00.
	type row struct {
		carryIn, generated, reversed, clawback, payable, offset, offsetEducation, offsetLocal, carryOut string
	}
	tests := []struct {
		name       string
		carryIn    string
		generated  string
		reversed   string
		education  string
		local      string
		allocation string
		want       row
	}{
		{
			name:      "full offset, the rest carried out",
			generated: "300000.00", education: "30000.00", local: "20000.00", allocation: AllocationProRata,
			want: row{generated: "300000.00", payable: "50000.00", offset: "50000.00",
				offsetEducation: "30000.00", offsetLocal: "20000.00", carryOut: "250000.00"},
		},
		{
			name:    "full offset, exactly used up",
			carryIn: "20.00", generated: "30.00", education: "30.00", local: "20.00", allocation: AllocationProRata,
			want: row{carryIn: "20.00", generated: "30.00", payable: "50.00", offset: "50.00",
				offsetEducation: "30.00", offsetLocal: "20.00"},
		},
		{
			name:    "full offset with education_first",
			carryIn: "100.00", education: "30.00", local: "20.00", allocation: AllocationEducationFirst,
			want: row{carryIn: "100.00", payable: "50.00", offset: "50.00",
				offsetEducation: "30.00", offsetLocal: "20.00", carryOut: "50.00"},
		},
		{
			name:    "pro_rata exact split 3:2",
			carryIn: "10.00", education: "9.00", local: "6.00", allocation: AllocationProRata,
			want: row{carryIn: "10.00", payable: "15.00", offset: "10.00",
				offsetEducation: "6.00", offsetLocal: "4.00"},
		},
		{
			// 1.01 × 1.00 / 2.00 = 0.505: the half fen goes up to the
			// education share; the local share is the rest, 0.50 (rounding
			// it on its own would give 0.51 and a total of 1.02).
			name:    "pro_rata exact half fen rounds the education share up",
			carryIn: "1.01", education: "1.00", local: "1.00", allocation: AllocationProRata,
			want: row{carryIn: "1.01", payable: "2.00", offset: "1.01",
				offsetEducation: "0.51", offsetLocal: "0.50"},
		},
		{
			name:    "pro_rata half fen of three fen",
			carryIn: "0.05", education: "0.03", local: "0.03", allocation: AllocationProRata,
			want: row{carryIn: "0.05", payable: "0.06", offset: "0.05",
				offsetEducation: "0.03", offsetLocal: "0.02"},
		},
		{
			// 0.02 × 0.01 / 0.03 = 0.0066…: rounds up to one fen.
			name:    "pro_rata two thirds of a fen rounds up",
			carryIn: "0.02", education: "0.01", local: "0.02", allocation: AllocationProRata,
			want: row{carryIn: "0.02", payable: "0.03", offset: "0.02",
				offsetEducation: "0.01", offsetLocal: "0.01"},
		},
		{
			// 0.01 × 0.01 / 0.03 = 0.0033…: rounds down to nothing, and
			// the local surcharge gets the rest, the whole fen.
			name:    "pro_rata local share gets the rest",
			carryIn: "0.01", education: "0.01", local: "0.02", allocation: AllocationProRata,
			want: row{carryIn: "0.01", payable: "0.03", offset: "0.01",
				offsetEducation: "0.00", offsetLocal: "0.01"},
		},
		{
			// 100.00 × 1.00 / 3.00 = 33.333…
			name:    "pro_rata one third",
			carryIn: "100.00", education: "100.00", local: "200.00", allocation: AllocationProRata,
			want: row{carryIn: "100.00", payable: "300.00", offset: "100.00",
				offsetEducation: "33.33", offsetLocal: "66.67"},
		},
		{
			name:    "pro_rata only local surcharge payable",
			carryIn: "10.00", education: "0", local: "20.00", allocation: AllocationProRata,
			want: row{carryIn: "10.00", payable: "20.00", offset: "10.00",
				offsetEducation: "0.00", offsetLocal: "10.00"},
		},
		{
			name:    "education_first covers part of education",
			carryIn: "25000.00", education: "30000.00", local: "20000.00", allocation: AllocationEducationFirst,
			want: row{carryIn: "25000.00", payable: "50000.00", offset: "25000.00",
				offsetEducation: "25000.00", offsetLocal: "0.00"},
		},
		{
			name:    "education_first covers education and part of local",
			carryIn: "40000.00", education: "30000.00", local: "20000.00", allocation: AllocationEducationFirst,
			want: row{carryIn: "40000.00", payable: "50000.00", offset: "40000.00",
				offsetEducation: "30000.00", offsetLocal: "10000.00"},
		},
		{
			name:      "zero payable carries everything (pro_rata)",
			generated: "3000.00", education: "0", local: "0", allocation: AllocationProRata,
			want: row{generated: "3000.00", carryOut: "3000.00"},
		},
		{
			name:    "zero payable carries everything (education_first)",
			carryIn: "12.34", generated: "3000.00", education: "0", local: "0", allocation: AllocationEducationFirst,
			want: row{carryIn: "12.34", generated: "3000.00", carryOut: "3012.34"},
		},
		{
			name:    "nothing available",
			carryIn: "0", education: "30.00", local: "20.00", allocation: AllocationProRata,
			want: row{payable: "50.00"},
		},
		{
			name:    "withdrawal within the balance",
			carryIn: "10000.00", reversed: "3000.00", education: "1000.00", local: "1000.00", allocation: AllocationProRata,
			want: row{carryIn: "10000.00", reversed: "3000.00", payable: "2000.00", offset: "2000.00",
				offsetEducation: "1000.00", offsetLocal: "1000.00", carryOut: "5000.00"},
		},
		{
			name:    "withdrawal using up the balance exactly",
			carryIn: "3000.00", reversed: "3000.00", education: "1000.00", local: "1000.00", allocation: AllocationProRata,
			want: row{carryIn: "3000.00", reversed: "3000.00", payable: "2000.00"},
		},
		{
			name:    "withdrawal beyond the balance: clawback, nothing available",
			carryIn: "1000.00", reversed: "3000.00", education: "500.00", local: "500.00", allocation: AllocationProRata,
			want: row{carryIn: "1000.00", reversed: "3000.00", clawback: "2000.00", payable: "1000.00"},
		},
		{
			name:    "withdrawal beyond the year's credit and carry-in",
			carryIn: "100.00", generated: "300.00", reversed: "900.00", education: "50.00", local: "50.00",
			allocation: AllocationEducationFirst,
			want:       row{carryIn: "100.00", generated: "300.00", reversed: "900.00", clawback: "500.00", payable: "100.00"},
		},
		{
			name:    "carry_out: carry-in and generated above payable",
			carryIn: "500.00", generated: "300.00", education: "200.00", local: "100.00", allocation: AllocationProRata,
			want: row{carryIn: "500.00", generated: "300.00", payable: "300.00", offset: "300.00",
				offsetEducation: "200.00", offsetLocal: "100.00", carryOut: "500.00"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := func(s string) models.Money {
				if s == "" {
					return models.Money{}
				}
				return mustMoney(t, s)
			}
			in := ledgerYear{year: 2024, generated: m(tt.generated), reversed: m(tt.reversed), education: m(tt.education), localEducation: m(tt.local)}
			got, err := ledgerRow(m(tt.carryIn), in, tt.allocation)
			if err != nil {
				t.Fatal(err)
			}
			w := tt.want
			want := models.LedgerRow{
				Year: 2024, CarryIn: m(w.carryIn), Generated: m(w.generated), Reversed: m(w.reversed),
				Clawback: m(w.clawback), Payable: m(w.payable), Offset: m(w.offset),
				OffsetEducation: m(w.offsetEducation), OffsetLocal: m(w.offsetLocal), CarryOut: m(w.carryOut),
			}
			if diff := cmp.Diff(want, got, moneyText); diff != "" {
				t.Errorf("ledgerRow (-want +got):\n%s", diff)
			}
			// The invariants of the policy readings hold whatever the case.
			if s := got.OffsetEducation.Add(got.OffsetLocal); s != got.Offset {
				t.Errorf("offset_education + offset_local = %s, want offset %s", s, got.Offset)
			}
			if got.OffsetEducation.Cmp(in.education) > 0 || got.OffsetLocal.Cmp(in.localEducation) > 0 {
				t.Errorf("an offset share is above its surcharge: %s > %s or %s > %s", got.OffsetEducation, in.education, got.OffsetLocal, in.localEducation)
			}
			available := got.CarryIn.Add(got.Generated).Sub(got.Reversed).Add(got.Clawback)
			if s := got.Offset.Add(got.CarryOut); s != available {
				t.Errorf("offset + carry_out = %s, want available %s", s, available)
			}
		})
	}
}

func TestLedgerRowUnknownAllocation(t *testing.T) {
	in := ledgerYear{year: 2025, education: mustMoney(t, "30.00"), localEducation: mustMoney(t, "20.00")}
	_, err := ledgerRow(mustMoney(t, "10.00"), in, "alphabetical")
	want := `year 2025: unknown allocation mode "alphabetical"`
	if err == nil || err.Error() != want {
		t.Errorf("ledgerRow error = %v, want %q", err, want)
	}
}
