package models

import "encoding/json"

// Languages of messages: Chinese is the default, English on request.
const (
	LangZh = "zh"
	LangEn = "en"
)

// Text is a message in Chinese and English.
type Text struct {
	Zh string `json:"zh" yaml:"zh"`
	En string `json:"en" yaml:"en"`
}

// In returns the text in lang, falling back to Chinese.
func (t Text) In(lang string) string {
	if lang == LangEn && t.En != "" {
		return t.En
	}
	return t.Zh
}

// EvaluateRequest is the body of POST /v1/evaluate.
type EvaluateRequest struct {
	// AsOf is the date the evaluation speaks for; the API defaults it to today.
	AsOf Date `json:"as_of,omitempty"`
	// Rules lists the rule ids to evaluate; empty means every rule for the
	// subject's kind.
	Rules []string `json:"rules,omitempty" validate:"max=20"`
	// Overrides replace rule parameter values, keyed RULE.PARAM.
	Overrides map[string]json.RawMessage `json:"overrides,omitempty" validate:"max=50"`
	Subject   Subject                    `json:"subject"`
}

// Ruleset identifies the exact rule files behind a decision.
type Ruleset struct {
	Version string `json:"version"`
	Digest  string `json:"digest"` // "sha256:" and the hex digest of the rule files
}

// EvaluateResponse is the 200 answer of POST /v1/evaluate.
type EvaluateResponse struct {
	AsOf      Date                       `json:"as_of"`
	Ruleset   Ruleset                    `json:"ruleset"`
	Overrides map[string]json.RawMessage `json:"overrides,omitempty"`
	Results   []RuleResult               `json:"results"`
}

// RuleResult is one rule's decision for the subject, with its reasons.
type RuleResult struct {
	Rule       string            `json:"rule"`
	Title      string            `json:"title"`
	Eligible   bool              `json:"eligible"`
	Amount     Money             `json:"amount"`
	Conditions []ConditionResult `json:"conditions"`
	Citation   Citation          `json:"citation"`
	// Ledger is set for the surcharge credit only: one row per listed year.
	Ledger []LedgerRow `json:"ledger,omitzero"`
	// Payout says who pays an eligible grant and in which parts; the
	// payout runs of the service record one payout per item.
	Payout *PayoutInfo `json:"payout,omitempty"`
}

// Payers of a grant as a rule names them: the finance bureau of the
// enterprise's region (当地财政) or the city's (市财政).
const (
	PayerLocal = "local"
	PayerCity  = "city"
)

// PayoutInfo is the paying side of an eligible grant.
type PayoutInfo struct {
	Payer string       `json:"payer"`
	Items []PayoutItem `json:"items"`
}

// PayoutItem is one part of a grant: for the certification grant, one
// level's grant.
type PayoutItem struct {
	Level  string `json:"level,omitempty" expr:"level"`
	Amount Money  `json:"amount" expr:"amount"`
}

// ConditionResult says whether one condition of a rule held, and what it asks.
type ConditionResult struct {
	ID      string `json:"id"`
	Passed  bool   `json:"passed"`
	Message string `json:"message"`
}

// Citation points to the policy text a rule comes from.
type Citation struct {
	Document string `json:"document"`
	Title    string `json:"title,omitempty"`
	Clause   string `json:"clause"`
	Text     string `json:"text,omitempty"`
	// Paraphrase is true when Text restates the clause rather than quoting it.
	Paraphrase bool       `json:"paraphrase,omitempty"`
	Related    []Citation `json:"related,omitempty"`
}

// LedgerRow is one year of the surcharge credit ledger.
type LedgerRow struct {
	Year            int   `json:"year" expr:"year"`
	CarryIn         Money `json:"carry_in" expr:"carry_in"`
	Generated       Money `json:"generated" expr:"generated"`
	Reversed        Money `json:"reversed" expr:"reversed"`
	Clawback        Money `json:"clawback" expr:"clawback"`
	Payable         Money `json:"payable" expr:"payable"`
	Offset          Money `json:"offset" expr:"offset"`
	OffsetEducation Money `json:"offset_education" expr:"offset_education"`
	OffsetLocal     Money `json:"offset_local" expr:"offset_local"`
	CarryOut        Money `json:"carry_out" expr:"carry_out"`
	// Qualified says whether the year earned credit; Conditions say why.
	Qualified  bool              `json:"qualified" expr:"qualified"`
	Conditions []ConditionResult `json:"conditions"`
}
