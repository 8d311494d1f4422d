package models

import "encoding/json"

// What clients write to the service, beyond the evaluation request: the
// registry entries a clerk keeps and the requests of the use cases. Fields
// tagged json:"-" come from elsewhere (the path of a URL) and are set before
// the entry is validated. `validate` tags hold the field-level rules; the
// rules that span fields are registered per type in package input.

// EnterpriseEntry registers or corrects an enterprise
// (PUT /v1/enterprises/{credit_code}).
type EnterpriseEntry struct {
	CreditCode string      `json:"-"`
	Name       string      `json:"name" validate:"required,max=200,oneline"`
	Region     string      `json:"region" validate:"region"`
	Parent     *ParentLink `json:"parent,omitempty"`
	// Payee, when given, replaces the enterprise's payee account; when
	// left out, the recorded one stays.
	Payee *Payee `json:"payee,omitempty"`
}

// CreditYearEntry records one year's credit figures of an enterprise
// (PUT /v1/enterprises/{credit_code}/credit-years/{year}).
type CreditYearEntry struct {
	CreditCode              string `json:"-"`
	Year                    int    `json:"-"`
	Investment              Money  `json:"investment"`
	FiscalSubsidy           Money  `json:"fiscal_subsidy"`
	Withdrawn               Money  `json:"withdrawn,omitempty"`
	EducationSurcharge      Money  `json:"education_surcharge"`
	LocalEducationSurcharge Money  `json:"local_education_surcharge"`
}

// CarryInEntry records the credit carried in from before an enterprise's
// first recorded credit year (PUT /v1/enterprises/{credit_code}/credit-carry-in).
type CarryInEntry struct {
	CreditCarryIn Money `json:"credit_carry_in"`
}

// UniversityEntry registers or corrects a university
// (PUT /v1/universities/{code}).
type UniversityEntry struct {
	Code        string `json:"-"`
	Name        string `json:"name" validate:"required,max=200,oneline"`
	Ownership   string `json:"ownership" validate:"oneof=public private"`
	Affiliation string `json:"affiliation" validate:"oneof=city province central other"`
	// Payee, when given, replaces the university's payee account; when
	// left out, the recorded one stays.
	Payee *Payee `json:"payee,omitempty"`
}

// DonationEntry records or corrects a donation (or a pledge) of a
// university (POST /v1/universities/{code}/donations, PUT …/donations/{id}):
// the donation as the rules read it, and the number of its receipt
// (捐赠票据号), recorded once per university.
type DonationEntry struct {
	Amount        Money  `json:"amount"`
	Form          string `json:"form" validate:"oneof=cash in_kind equity other"`
	ViaFoundation bool   `json:"via_foundation"`
	ArrivedOn     *Date  `json:"arrived_on,omitempty"`
	ReceiptNo     string `json:"receipt_no,omitempty" validate:"max=100,oneline"`
}

// KeyEntry asks for a new API key (POST /v1/keys, subsidy keys create): a
// subject key names its subject — a credit code for an enterprise, a
// university's code for a university — and no other key does.
type KeyEntry struct {
	Role    string `json:"role" validate:"oneof=admin finance tax enterprise university"`
	Subject string `json:"subject,omitempty"`
	Label   string `json:"label,omitempty" validate:"max=200,oneline"`
}

// PayoutRunRequest starts a payout run (POST /v1/payout-runs): as_of
// defaults to today and grant_year to as_of's year, rules to every rule
// that pays out. GrantYear is nil when the client gave none, so that a
// grant_year of 0 is refused rather than taken for the default.
type PayoutRunRequest struct {
	AsOf      Date     `json:"as_of,omitempty"`
	Rules     []string `json:"rules,omitempty" validate:"max=10"`
	GrantYear *int     `json:"grant_year,omitempty" validate:"omitempty,year"`
}

// ReasonEntry gives the reason of a refusal (rejecting a payout, returning
// or rejecting an application): it may span lines, but takes no other
// control characters.
type ReasonEntry struct {
	Reason string `json:"reason" validate:"required,notblank,max=500,multiline"`
}

// CreditClaim is an offset an enterprise claimed for a year, to verify
// (POST /v1/credit-verifications).
type CreditClaim struct {
	CreditCode    string `json:"credit_code" validate:"creditcode"`
	Year          int    `json:"year" validate:"year"`
	ClaimedOffset Money  `json:"claimed_offset"`
	AsOf          Date   `json:"as_of,omitempty"`
}

// ForecastRequest asks what a payout run would record, without recording
// it (POST /v1/forecasts): as_of defaults to today and may be in the
// future (a budget is drawn up before its year), grant_year to as_of's
// year (GrantYear nil: none given), rules to every rule that pays out;
// overrides, keyed RULE.PARAM as in an evaluation, give the reform to set
// beside the shipped rules.
type ForecastRequest struct {
	AsOf      Date                       `json:"as_of,omitempty"`
	Rules     []string                   `json:"rules,omitempty" validate:"max=10"`
	GrantYear *int                       `json:"grant_year,omitempty" validate:"omitempty,year"`
	Overrides map[string]json.RawMessage `json:"overrides,omitempty" validate:"max=50"`
}

// BudgetEntry sets a payer's appropriation for a grant year
// (PUT /v1/budgets/{payer}/{year}).
type BudgetEntry struct {
	Payer  string `json:"-"`
	Year   int    `json:"-"`
	Amount Money  `json:"amount"`
}
