package models_test

import (
	"testing"

	"github.com/wenzhou-subsidy/subsidy/models"
)

func TestPayeeMasked(t *testing.T) {
	for _, tt := range []struct{ no, want string }{
		{"6222021203001234567", "***************4567"},
		{"12345678", "****5678"},
		{"1234", "1234"}, // never stored (8 digits at least), and never padded
	} {
		p := models.Payee{AccountName: "户名", AccountNo: tt.no, BankName: "开户行"}
		got := p.Masked()
		if got.AccountNo != tt.want || got.AccountName != p.AccountName || got.BankName != p.BankName {
			t.Errorf("Masked(%q) = %+v, want account_no %q", tt.no, got, tt.want)
		}
	}
}

func TestValidAccountNo(t *testing.T) {
	for no, want := range map[string]bool{
		"12345678": true, "12345678901234567890123456789012": true,
		"1234567": false, "123456789012345678901234567890123": false,
		"1234 5678": false, "１２３４５６７８": false, "": false, "-1234567": false,
	} {
		if got := models.ValidAccountNo(no); got != want {
			t.Errorf("ValidAccountNo(%q) = %v, want %v", no, got, want)
		}
	}
}

func TestPayerOf(t *testing.T) {
	for code, want := range map[string]string{"330382": "乐清市财政局", "330300": "温州市财政局", "330399": "", "330100": "", "": ""} {
		p, ok := models.PayerOf(code)
		if ok != (want != "") || (ok && (p.Name != want || p.Code != code)) {
			t.Errorf("PayerOf(%q) = %+v, %v; want %q", code, p, ok, want)
		}
	}
}
