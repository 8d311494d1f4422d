package models_test

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// validCreditCodes are real, well-formed unified social credit codes.
var validCreditCodes = []string{
	"9144030071526726XG",
	"91110000802100433B",
	"91330382MA2AB3C47E",
	"91330302145200011C",
}

// creditCharset is GB 32100-2015's character set: digits and capitals
// without I, O, Z, S and V.
const creditCharset = "0123456789ABCDEFGHJKLMNPQRTUWXY"

func TestCreditCodeProblem(t *testing.T) {
	tests := []struct {
		name string
		code string
		want string
	}{
		{"valid with X and G", "9144030071526726XG", ""},
		{"valid with check B", "91110000802100433B", ""},
		{"valid Wenzhou MA code", "91330382MA2AB3C47E", ""},
		{"valid Wenzhou parent", "91330302145200011C", ""},

		{"wrong check character G→H", "9144030071526726XH", "check"},
		{"wrong check character B→A", "91110000802100433A", "check"},
		{"wrong check character E→F", "91330382MA2AB3C47F", "check"},
		{"wrong check digit", "913303021452000110", "check"},
		{"two digits swapped", "91330302145200101C", "check"},
		{"one digit changed", "91330302145200012C", "check"},

		{"forbidden I", "91330382IA2AB3C47E", "charset"},
		{"forbidden O", "91330382OA2AB3C47E", "charset"},
		{"forbidden Z", "91330382ZA2AB3C47E", "charset"},
		{"forbidden S", "91330382SA2AB3C47E", "charset"},
		{"forbidden V", "91330382VA2AB3C47E", "charset"},
		{"forbidden letter as check character", "91330382MA2AB3C47O", "charset"},
		{"lower case", "91330382ma2ab3c47e", "charset"},
		{"space", "91330382 A2AB3C47E", "charset"},
		{"hyphen", "91330382-A2AB3C47E", "charset"},

		{"empty", "", "length"},
		{"17 characters", "91330382MA2AB3C47", "length"},
		{"19 characters", "91330382MA2AB3C47EE", "length"},
		{"full-width digit makes 20 bytes", "９1330382MA2AB3C47E", "length"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := models.CreditCodeProblem(tt.code); got != tt.want {
				t.Errorf("CreditCodeProblem(%q) = %q, want %q", tt.code, got, tt.want)
			}
			if got := models.ValidCreditCode(tt.code); got != (tt.want == "") {
				t.Errorf("ValidCreditCode(%q) = %v, want %v", tt.code, got, tt.want == "")
			}
		})
	}
}

func TestCreditCodeCheckChar(t *testing.T) {
	for _, code := range validCreditCodes {
		got, ok := models.CreditCodeCheckChar(code[:17])
		if !ok || got != code[17] {
			t.Errorf("CreditCodeCheckChar(%q) = %q, %v; want %q, true", code[:17], got, ok, code[17])
		}
	}
	for _, bad := range []string{"", "9133038", "91330382MA2AB3C47E", "91330382IA2AB3C47", "91330382ma2ab3c47"} {
		if got, ok := models.CreditCodeCheckChar(bad); ok || got != 0 {
			t.Errorf("CreditCodeCheckChar(%q) = %q, %v; want 0, false", bad, got, ok)
		}
	}
}

// TestCreditCodeCheckCharAgrees generates many codes and checks that the
// check character CreditCodeCheckChar computes is the one, and the only
// one, that ValidCreditCode accepts.
func TestCreditCodeCheckCharAgrees(t *testing.T) {
	rng := rand.New(rand.NewPCG(2015, 32100))
	for n := 0; n < 5000; n++ {
		var b strings.Builder
		for i := 0; i < 17; i++ {
			b.WriteByte(creditCharset[rng.IntN(len(creditCharset))])
		}
		first17 := b.String()
		check, ok := models.CreditCodeCheckChar(first17)
		if !ok {
			t.Fatalf("CreditCodeCheckChar(%q) failed", first17)
		}
		for i := 0; i < len(creditCharset); i++ {
			c := creditCharset[i]
			code := first17 + string(c)
			want := ""
			if c != check {
				want = "check"
			}
			if got := models.CreditCodeProblem(code); got != want {
				t.Fatalf("CreditCodeProblem(%q) = %q, want %q (check character %q)", code, got, want, check)
			}
		}
	}
}
