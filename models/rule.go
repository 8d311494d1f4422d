package models

import "encoding/json"

// RuleInfo describes one loaded rule for the catalogue (GET /v1/rules): what
// it is, where it comes from, its parameters with every dated value, and the
// expressions it evaluates.
type RuleInfo struct {
	ID           string            `json:"id"`
	Title        Text              `json:"title"`
	Subject      string            `json:"subject"`
	File         string            `json:"file"`
	Citation     Citation          `json:"citation"`
	Parameters   []ParameterInfo   `json:"parameters"`
	Definitions  []DefinitionInfo  `json:"definitions"`
	Conditions   []ConditionInfo   `json:"conditions"`
	Amount       string            `json:"amount"`
	CreditLedger *CreditLedgerInfo `json:"credit_ledger,omitempty"`
	Payout       *PayoutDeclInfo   `json:"payout,omitempty"`
}

// PayoutDeclInfo says who pays a grant rule and how it splits into payouts.
type PayoutDeclInfo struct {
	Payer string `json:"payer"`           // local | city
	Items string `json:"items,omitempty"` // the expression of the parts, if any
}

// ParameterInfo is one rule parameter: a policy number, date, rate or choice.
type ParameterInfo struct {
	Name string `json:"name"`
	// Key is what overrides use: RULE.PARAM.
	Key         string   `json:"key"`
	Type        string   `json:"type"`
	Enum        []string `json:"enum,omitempty"`
	Description Text     `json:"description"`
	// Interpretation is set where the value is a reading of an open policy
	// text rather than its letter.
	Interpretation *Text        `json:"interpretation,omitempty"`
	Values         []DatedValue `json:"values"`
	// InForce is the value in force on the catalogue's date, if any.
	InForce json.RawMessage `json:"in_force,omitempty"`
}

// DatedValue is a parameter value and the date it takes effect.
type DatedValue struct {
	From  Date            `json:"from"`
	Value json.RawMessage `json:"value"`
}

// DefinitionInfo is a named intermediate value of a rule.
type DefinitionInfo struct {
	Name string `json:"name"`
	Expr string `json:"expr"`
}

// ConditionInfo is one condition of a rule as written in its file.
type ConditionInfo struct {
	ID        string `json:"id"`
	AppliesIf string `json:"applies_if,omitempty"`
	Expr      string `json:"expr"`
	Message   Text   `json:"message"`
}

// CreditLedgerInfo describes the per-year part of the surcharge credit.
type CreditLedgerInfo struct {
	Allocation  string           `json:"allocation"`
	Definitions []DefinitionInfo `json:"definitions"`
	Conditions  []ConditionInfo  `json:"conditions"`
	Generated   string           `json:"generated"`
	Reversed    string           `json:"reversed"`
}

// Catalogue is the answer of GET /v1/rules.
type Catalogue struct {
	Ruleset Ruleset    `json:"ruleset"`
	AsOf    Date       `json:"as_of"`
	Rules   []RuleInfo `json:"rules"`
}
