package models

import (
	"encoding/json"
	"time"
)

// Roles of API keys.
const (
	RoleAdmin      = "admin"      // everything, including the audit trail
	RoleFinance    = "finance"    // 财政局: the registry, payout runs and approvals
	RoleTax        = "tax"        // 税务: credit years, ledgers and verifications
	RoleEnterprise = "enterprise" // one enterprise, its own data only
	RoleUniversity = "university" // one university, its own data only
)

// Roles lists every role.
var Roles = []string{RoleAdmin, RoleFinance, RoleTax, RoleEnterprise, RoleUniversity}

// Actor is who makes a change, recorded with it in the audit trail.
type Actor struct {
	KeyID     string
	Role      string
	Subject   string // the credit code or university code of a subject key
	Label     string // the key's label, for the key's holder to see who they are signed in as
	RequestID string
}

// APIKey is an API key as stored: only a hash of the secret is kept.
type APIKey struct {
	ID        string     `json:"id"`
	Role      string     `json:"role"`
	Subject   string     `json:"subject,omitempty"`
	Label     string     `json:"label,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}

// ParentLink ties a member unit to its group parent (集团企业).
type ParentLink struct {
	CreditCode    string  `json:"credit_code" validate:"creditcode"`
	OwnershipPct  Percent `json:"ownership_pct"`
	ActualControl bool    `json:"actual_control,omitempty"`
}

// EnterpriseRecord is an enterprise in the registry.
type EnterpriseRecord struct {
	CreditCode string      `json:"credit_code"`
	Name       string      `json:"name"`
	Region     string      `json:"region"`
	Parent     *ParentLink `json:"parent,omitempty"`
	// CreditCarryIn is unused credit carried in from before the first
	// recorded credit year.
	CreditCarryIn Money `json:"credit_carry_in"`
	// Payee is the account the enterprise's grants are paid to, if recorded.
	Payee     *Payee    `json:"payee,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// CertificationRecord is one certification of an enterprise.
type CertificationRecord struct {
	ID          int64     `json:"id"`
	CreditCode  string    `json:"credit_code"`
	Level       string    `json:"level"`
	CertifiedOn Date      `json:"certified_on"`
	RevokedOn   *Date     `json:"revoked_on"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
	// CertificateNo and ApplicationID are set for a certification an
	// accepted application brought.
	CertificateNo string `json:"certificate_no,omitempty"`
	ApplicationID int64  `json:"application_id,omitempty"`
}

// CreditYearRecord is one year's credit figures of an enterprise.
type CreditYearRecord struct {
	CreditCode              string    `json:"credit_code"`
	Year                    int       `json:"year"`
	Investment              Money     `json:"investment"`
	FiscalSubsidy           Money     `json:"fiscal_subsidy"`
	Withdrawn               Money     `json:"withdrawn"`
	EducationSurcharge      Money     `json:"education_surcharge"`
	LocalEducationSurcharge Money     `json:"local_education_surcharge"`
	UpdatedAt               time.Time `json:"updated_at"`
}

// UniversityRecord is a university in the registry.
type UniversityRecord struct {
	Code        string `json:"code"`
	Name        string `json:"name"`
	Ownership   string `json:"ownership"`
	Affiliation string `json:"affiliation"`
	// Payee is the account the university's match is paid to, if recorded.
	Payee     *Payee    `json:"payee,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// DonationRecord is one donation (or pledge) to a university.
type DonationRecord struct {
	ID             int64     `json:"id"`
	UniversityCode string    `json:"university"`
	Amount         Money     `json:"amount"`
	Form           string    `json:"form"`
	ViaFoundation  bool      `json:"via_foundation"`
	ArrivedOn      *Date     `json:"arrived_on"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
	// ReceiptNo (捐赠票据号) and ApplicationID are set for a donation an
	// accepted application brought; a receipt is recorded once per
	// university.
	ReceiptNo     string `json:"receipt_no,omitempty"`
	ApplicationID int64  `json:"application_id,omitempty"`
}

// Payout statuses: pending → approved → paid, or pending → rejected.
const (
	PayoutPending  = "pending"
	PayoutApproved = "approved"
	PayoutPaid     = "paid"
	PayoutRejected = "rejected"
)

// PayoutStatuses lists every status.
var PayoutStatuses = []string{PayoutPending, PayoutApproved, PayoutPaid, PayoutRejected}

// Payer is the finance bureau that pays a payout.
type Payer struct {
	Code string `json:"code"` // the bureau's division code: 330382, or 330300 for the city
	Name string `json:"name"` // 乐清市财政局
}

// Payout is an amount due that a payout run recorded. Level is set for the
// certification grant, GrantYear for the donation match; together with the
// rule and subject they form the payout's key. Seq numbers the payouts of
// one key: a donation match raised by new donations gets a second payout
// for the difference.
type Payout struct {
	ID             int64           `json:"id"`
	RunID          int64           `json:"run_id"`
	Rule           string          `json:"rule"`
	Subject        string          `json:"subject"`
	SubjectName    string          `json:"subject_name"`
	Level          string          `json:"level,omitempty"`
	GrantYear      int             `json:"grant_year,omitempty"`
	Seq            int             `json:"seq"`
	Amount         Money           `json:"amount"`
	Status         string          `json:"status"`
	Payer          Payer           `json:"payer"`
	RulesetVersion string          `json:"ruleset_version"`
	RulesetDigest  string          `json:"ruleset_digest"`
	Reason         string          `json:"reason,omitempty"`
	Decision       json.RawMessage `json:"decision,omitempty"`
	CreatedAt      time.Time       `json:"created_at"`
	ApprovedAt     *time.Time      `json:"approved_at,omitempty"`
	// ApprovedBy is the id of the key that approved the payout (审核人),
	// which may not also mark it paid.
	ApprovedBy string     `json:"approved_by,omitempty"`
	PaidAt     *time.Time `json:"paid_at,omitempty"`
	RejectedAt *time.Time `json:"rejected_at,omitempty"`
}

// PayoutCandidate is what a payout run found due for one payout key. Total
// is the whole amount the rule allows for the key; the store records a new
// payout for Total minus what is already recorded for the key (in any
// status), if that is above zero, and nothing otherwise.
type PayoutCandidate struct {
	Rule           string
	Subject        string
	SubjectName    string
	Level          string
	GrantYear      int
	Total          Money
	Payer          Payer
	RulesetVersion string
	RulesetDigest  string
	Decision       json.RawMessage
}

// Payout run statuses: running until it ends completed or failed, or
// interrupted when its process stopped (or died) before it ended.
const (
	RunRunning     = "running"
	RunCompleted   = "completed"
	RunInterrupted = "interrupted"
	RunFailed      = "failed"
)

// RunStatuses lists every status of a payout run.
var RunStatuses = []string{RunRunning, RunCompleted, RunInterrupted, RunFailed}

// PayoutRun is one screening of the whole registry (免申即享), a job that
// goes on in the background with its progress recorded as it goes.
type PayoutRun struct {
	ID             int64       `json:"id"`
	Status         string      `json:"status"`
	AsOf           Date        `json:"as_of"`
	Rules          []string    `json:"rules"`
	GrantYear      int         `json:"grant_year,omitempty"`
	RulesetVersion string      `json:"ruleset_version"`
	RulesetDigest  string      `json:"ruleset_digest"`
	Screened       int         `json:"screened"`
	Total          int         `json:"total"` // subjects to screen, once known
	CreatedCount   int         `json:"created_count"`
	CreatedTotal   Money       `json:"created_total"`
	KeyID          string      `json:"key_id"`
	StartedAt      time.Time   `json:"started_at"`
	FinishedAt     *time.Time  `json:"finished_at,omitempty"`
	Idempotency    *IdemKeyRef `json:"-"`
	HeartbeatAt    time.Time   `json:"-"`
	Owner          string      `json:"-"` // the node running it
}

// IdemKeyRef names the Idempotency-Key a payout run was started with, so
// that the key can be released when the run is interrupted.
type IdemKeyRef struct {
	KeyID string // the API key's id
	Key   string // the client's Idempotency-Key
}

// RunFilter selects payout runs, newest first.
type RunFilter struct {
	BeforeID int64 // keyset pagination: only ids below this
	Limit    int
}

// PayoutFilter selects payouts; empty fields match everything.
type PayoutFilter struct {
	Rule    string
	Status  string
	Subject string
	Payer   string
	RunID   int64
	AfterID int64 // keyset pagination: only ids above this
	Limit   int
}

// CreditVerification is a tax officer's check of a claimed offset.
type CreditVerification struct {
	ID             int64     `json:"id"`
	CreditCode     string    `json:"credit_code"`
	Year           int       `json:"year"`
	ClaimedOffset  Money     `json:"claimed_offset"`
	AllowedOffset  Money     `json:"allowed_offset"`
	Difference     Money     `json:"difference"`
	Verdict        string    `json:"verdict"`
	LedgerRow      LedgerRow `json:"ledger_row"`
	AsOf           Date      `json:"as_of"`
	RulesetVersion string    `json:"ruleset_version"`
	RulesetDigest  string    `json:"ruleset_digest"`
	KeyID          string    `json:"key_id"`
	CreatedAt      time.Time `json:"created_at"`
}

// Verdicts of a credit verification.
const (
	VerdictMatch        = "match"
	VerdictOverClaimed  = "over_claimed"
	VerdictUnderClaimed = "under_claimed"
)

// AuditEntry records one write: who, when, what, before and after.
type AuditEntry struct {
	ID        int64           `json:"id"`
	At        time.Time       `json:"at"`
	KeyID     string          `json:"key_id"`
	Role      string          `json:"role"`
	RequestID string          `json:"request_id,omitempty"`
	Action    string          `json:"action"` // create, update, transition, import, run, verify, key
	Entity    string          `json:"entity"` // enterprise, certification, credit_year, university, donation, payout, payout_run, credit_verification, api_key, registry (a bulk load), application, attachment, budget
	EntityID  string          `json:"entity_id"`
	Before    json.RawMessage `json:"before,omitempty"`
	After     json.RawMessage `json:"after,omitempty"`
}

// AuditFilter selects audit entries; empty fields match everything.
type AuditFilter struct {
	Entity   string
	EntityID string
	KeyID    string
	AfterID  int64
	Limit    int
}
