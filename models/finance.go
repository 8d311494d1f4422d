package models

import (
	"strings"
	"time"
)

// The finance bureau's own records around payouts: where a subject is paid
// (its payee account), how much a payer may commit in a grant year (its
// budget), and the words a person reads for the ids on a transfer list.

// Payee is the bank account a subject is paid to (收款人): 户名, 账号, 开户行.
type Payee struct {
	AccountName string `json:"account_name" validate:"required,notblank,max=200,oneline"`
	// AccountNo is 8 to 32 digits; a subject's own key reads it masked to
	// its last four digits (MaskedAccountNo).
	AccountNo string `json:"account_no" validate:"accountno"`
	BankName  string `json:"bank_name" validate:"required,notblank,max=200,oneline"`
}

// Masked returns the payee with the account number masked to its last four
// digits, as a subject's own key reads it.
func (p Payee) Masked() Payee {
	if n := len(p.AccountNo); n > 4 {
		p.AccountNo = strings.Repeat("*", n-4) + p.AccountNo[n-4:]
	}
	return p
}

// ValidAccountNo reports whether s is a bank account number as the
// transfer list takes it: 8 to 32 digits.
func ValidAccountNo(s string) bool { return len(s) >= 8 && len(s) <= 32 && allDigits(s) }

// PayerOf returns the finance bureau with a payer's division code: one of
// the twelve counties' or the city's (330300).
func PayerOf(code string) (Payer, bool) {
	if code == CityFinanceBureau.Code {
		return CityFinanceBureau, true
	}
	for _, c := range Counties {
		if c.Code == code {
			return LocalFinanceBureau(code), true
		}
	}
	return Payer{Code: code}, false
}

// Budget is the appropriation (预算指标) of one payer for one grant year,
// with what its approved and paid payouts of that year already commit.
// Remaining is below zero when the budget was set (or cut) below what had
// been approved already.
type Budget struct {
	Payer     Payer     `json:"payer"`
	Year      int       `json:"year"`
	Amount    Money     `json:"amount"`
	Committed Money     `json:"committed"`
	Remaining Money     `json:"remaining"`
	UpdatedAt time.Time `json:"updated_at"`
}

// PayoutTransition asks for a payout's move to status To (approved,
// rejected or paid).
type PayoutTransition struct {
	ID     int64
	To     string
	Reason string // a rejection's reason
	// FourEyes refuses the key that started the payout's run as the one
	// that approves or rejects it, and the key that approved it as the one
	// that marks it paid (审核与经办分离).
	FourEyes bool
}
