package models

import (
	"context"
	"time"
)

// The interfaces of the service's persistence. store implements them with
// gorm on SQLite or PostgreSQL; api uses them and never imports store.
//
// Conventions for every implementation:
//   - A missing record is an *Error with CodeNotFound; a write that clashes
//     with the current state (an invalid transition, a reused idempotency
//     key) is CodeConflict; bad input the caller should have caught is
//     CodeInvalid. Anything else is an internal error.
//   - Every write records an AuditEntry (actor, time, action, entity, the
//     record before and after as JSON) in the same transaction as the write.
//   - Times are set by the store from its clock, in UTC.

// Store is everything the service persists.
type Store interface {
	KeyStore
	RegistryStore
	PayoutStore
	BudgetStore
	CreditStore
	ApplicationStore
	AuditStore
	// Ping checks the database answers.
	Ping(ctx context.Context) error
	// CheckWritable checks the database accepts writes (a health check
	// that writes nothing): nil when it does, a CodeUnavailable error when
	// it cannot be reached, accepts no writes (a standby, a read-only file)
	// or is full.
	CheckWritable(ctx context.Context) error
	// Close releases the database.
	Close() error
}

// KeyStore keeps API keys. Only a hash of each secret is stored.
type KeyStore interface {
	// CreateKey stores a new key with the hash of its secret.
	CreateKey(ctx context.Context, actor Actor, key APIKey, secretHash string) (APIKey, error)
	// KeyByHash finds a key by the hash of its secret; revoked keys are
	// returned too, with RevokedAt set.
	KeyByHash(ctx context.Context, secretHash string) (APIKey, error)
	// ListKeys lists every key, oldest first.
	ListKeys(ctx context.Context) ([]APIKey, error)
	// RevokeKey marks a key revoked; revoking a revoked key is a no-op.
	RevokeKey(ctx context.Context, actor Actor, id string) (APIKey, error)
}

// EnterpriseFilter selects enterprises; empty fields match everything.
type EnterpriseFilter struct {
	Region    string
	Parent    string // member units of this parent
	Name      string // names holding this text, taken literally, the case of Latin letters aside
	AfterCode string // keyset pagination: credit codes after this one
	Limit     int
}

// CertificationImport is one row of a published certification list.
type CertificationImport struct {
	CreditCode  string
	Name        string
	Region      string
	Level       string
	CertifiedOn Date
}

// ImportSummary says what an import did.
type ImportSummary struct {
	Rows                  int `json:"rows"`
	EnterprisesCreated    int `json:"enterprises_created"`
	CertificationsCreated int `json:"certifications_created"`
	// Duplicates are rows whose certification (code, level, date) was
	// already recorded; they change nothing.
	Duplicates int `json:"duplicates"`
}

// RegistryStore keeps enterprises, certifications, credit years,
// universities and donations, and assembles the facts rules evaluate.
type RegistryStore interface {
	// PutEnterprise creates or updates an enterprise (name, region, parent)
	// and reports whether it was created. A new enterprise starts with
	// e.CreditCarryIn; an update leaves the stored carry-in as it is.
	PutEnterprise(ctx context.Context, actor Actor, e EnterpriseRecord) (EnterpriseRecord, bool, error)
	// SetCreditCarryIn records the credit carried in from before an
	// enterprise's first recorded credit year.
	SetCreditCarryIn(ctx context.Context, actor Actor, creditCode string, amount Money) (EnterpriseRecord, error)
	GetEnterprise(ctx context.Context, creditCode string) (EnterpriseRecord, error)
	ListEnterprises(ctx context.Context, f EnterpriseFilter) ([]EnterpriseRecord, error)

	// AddCertification records a certification of a registered enterprise
	// (NotFound when it is not registered). ID and times are set.
	AddCertification(ctx context.Context, actor Actor, c CertificationRecord) (CertificationRecord, error)
	// UpdateCertification corrects a certification (level, dates), found by
	// its ID and credit code.
	UpdateCertification(ctx context.Context, actor Actor, c CertificationRecord) (CertificationRecord, error)
	ListCertifications(ctx context.Context, creditCode string) ([]CertificationRecord, error)
	// ImportCertifications applies a whole certification list in one
	// transaction: a missing enterprise is created with the row's name and
	// region, a certification already recorded (same code, level and date)
	// is counted as a duplicate, anything else is added. Either every row
	// is applied or none.
	ImportCertifications(ctx context.Context, actor Actor, rows []CertificationImport) (ImportSummary, error)

	// PutCreditYear creates or replaces one year's credit figures of a
	// registered enterprise and reports whether it was created.
	PutCreditYear(ctx context.Context, actor Actor, y CreditYearRecord) (CreditYearRecord, bool, error)
	ListCreditYears(ctx context.Context, creditCode string) ([]CreditYearRecord, error)

	PutUniversity(ctx context.Context, actor Actor, u UniversityRecord) (UniversityRecord, bool, error)
	GetUniversity(ctx context.Context, code string) (UniversityRecord, error)
	ListUniversities(ctx context.Context, afterCode string, limit int) ([]UniversityRecord, error)
	// AddDonation records a donation of a registered university.
	AddDonation(ctx context.Context, actor Actor, d DonationRecord) (DonationRecord, error)
	// UpdateDonation corrects a donation (say, a pledge that arrived),
	// found by its ID and university code.
	UpdateDonation(ctx context.Context, actor Actor, d DonationRecord) (DonationRecord, error)
	ListDonations(ctx context.Context, universityCode string) ([]DonationRecord, error)
	// Payees returns the payee accounts recorded for the subjects (credit
	// codes or university codes) among codes; a subject without one, or
	// not registered, is left out.
	Payees(ctx context.Context, codes []string) (map[string]Payee, error)

	// EnterpriseFacts assembles an enterprise as the rules see it: its
	// certifications; its parent link, with the parent's certifications
	// when the parent is registered itself; its credit carry-in and credit
	// years in year order; and as grants_received, per level, the
	// certification-grant payouts recorded for it in any status.
	EnterpriseFacts(ctx context.Context, creditCode string) (Enterprise, error)
	// ScreenEnterprises calls fn with every registered enterprise,
	// assembled as by EnterpriseFacts, in credit-code order and in batches
	// of at most batchSize, never holding the whole registry in memory.
	ScreenEnterprises(ctx context.Context, batchSize int, fn func([]Enterprise) error) error
	// UniversityFacts assembles a university with its donations
	// (GrantYear left zero for the caller to set), as the rules see it.
	UniversityFacts(ctx context.Context, code string) (University, error)
	// ScreenUniversities calls fn with every registered university, as
	// UniversityFacts, in code order and in batches of at most batchSize.
	ScreenUniversities(ctx context.Context, batchSize int, fn func([]University) error) error
}

// PayoutStore keeps payout runs and payouts.
type PayoutStore interface {
	// CreateRun records the start of a payout run (status running); ID,
	// StartedAt and HeartbeatAt are set.
	CreateRun(ctx context.Context, actor Actor, run PayoutRun) (PayoutRun, error)
	// RunProgress records a running run's counts so far (Screened, Total,
	// CreatedCount, CreatedTotal) and that it is alive (HeartbeatAt). A
	// run that is not running any more (a sweep ended it) is a Conflict:
	// its process must stop it.
	RunProgress(ctx context.Context, run PayoutRun) error
	// FinishRun records how a run ended (Status completed, failed or
	// interrupted), its counts and FinishedAt; an interrupted or failed
	// run's Idempotency-Key is released, so that a retry starts a new run.
	FinishRun(ctx context.Context, run PayoutRun) (PayoutRun, error)
	// InterruptStaleRuns marks as interrupted every run still running whose
	// last heartbeat is older than staleAfter by the store's clock (its
	// process died), releases their Idempotency-Keys, and returns them.
	InterruptStaleRuns(ctx context.Context, staleAfter time.Duration) ([]PayoutRun, error)
	// InterruptRunsOf marks as interrupted every run of owner still
	// running whose heartbeat has been silent for silentFor: called when
	// that node starts, as the runs its earlier process left. It also
	// counts the owner's runs that still beat (an earlier process still
	// finishing its runs at a graceful shutdown).
	InterruptRunsOf(ctx context.Context, owner string, silentFor time.Duration) (interrupted []PayoutRun, beating int, err error)
	GetRun(ctx context.Context, id int64) (PayoutRun, error)
	// ListRuns lists runs newest first.
	ListRuns(ctx context.Context, f RunFilter) ([]PayoutRun, error)
	// CountSubjects counts the registered subjects of a kind.
	CountSubjects(ctx context.Context, kind string) (int, error)
	// RecordPayouts records, for each candidate, a pending payout of
	// Total minus the amounts already recorded for its key (rule, subject,
	// level, grant year) in any status, when that is above zero; for a
	// certification grant (Level set) there is at most one payout per key,
	// ever. It returns the payouts created. It must be safe under any
	// number of concurrent calls: the database's constraints, not the
	// caller, guarantee that no key is ever recorded beyond its Total.
	RecordPayouts(ctx context.Context, actor Actor, runID int64, cands []PayoutCandidate) ([]Payout, error)
	// PayoutsDue returns, for each candidate in order, what RecordPayouts
	// would record for it now (zero for nothing), recording nothing.
	PayoutsDue(ctx context.Context, cands []PayoutCandidate) ([]Money, error)
	// ListPayouts lists payouts in id order, without their decisions.
	ListPayouts(ctx context.Context, f PayoutFilter) ([]Payout, error)
	// GetPayout returns one payout with its decision.
	GetPayout(ctx context.Context, id int64) (Payout, error)
	// TransitionPayout moves a payout to status t.To: pending → approved,
	// pending → rejected (reason required), approved → paid. Any other
	// transition is a Conflict, decided atomically by the database. With
	// t.FourEyes, the key that started the payout's run may not approve or
	// reject it, nor the key that approved it mark it paid (Forbidden). An
	// approval that would take its payer's committed amount for the run's
	// grant year above the payer's budget for that year is a Conflict
	// naming what remains; the database decides it, so that concurrent
	// approvals never overspend.
	TransitionPayout(ctx context.Context, actor Actor, t PayoutTransition) (Payout, error)
}

// BudgetStore keeps the payers' appropriations (预算指标) per grant year.
type BudgetStore interface {
	// PutBudget sets a payer's appropriation for a grant year and reports
	// whether it was new. Any amount may be set, even below what is
	// committed already; approvals are then refused until it is raised.
	PutBudget(ctx context.Context, actor Actor, payer Payer, year int, amount Money) (Budget, bool, error)
	// ListBudgets lists the budgets of a grant year (every year for 0) by
	// year and payer code, each with what is committed against it.
	ListBudgets(ctx context.Context, year int) ([]Budget, error)
}

// CreditStore keeps the record of credit verifications.
type CreditStore interface {
	RecordVerification(ctx context.Context, actor Actor, v CreditVerification) (CreditVerification, error)
	ListVerifications(ctx context.Context, creditCode string) ([]CreditVerification, error)
}

// ApplicationStore keeps applications (申报), their history and their
// evidence. The database decides every race: one open application per
// subject, rule and grant year (a partial unique index); one transition of
// an application at a time (a row lock), so that its facts enter the
// registry once.
type ApplicationStore interface {
	// CreateApplication records a submitted application (version 1) with
	// the first entry of its history. Another open application of the same
	// subject, rule and grant year is a Conflict.
	CreateApplication(ctx context.Context, actor Actor, a Application) (Application, error)
	// TransitionApplication changes an application's status under a row
	// lock: submitted → accepted, returned or rejected (with a reason), and
	// returned → submitted (with the corrected facts); any other transition
	// is a Conflict. Accepting records the facts in the registry, each
	// linked to the application, and keeps t.Evaluate's evaluation. Every
	// transition is audited and added to the history, and raises the
	// version.
	TransitionApplication(ctx context.Context, actor Actor, id int64, t ApplicationTransition) (Application, error)
	// GetApplication returns an application with its evidence (without
	// content) and history.
	GetApplication(ctx context.Context, id int64) (Application, error)
	// ListApplications lists applications in id order, as GetApplication.
	ListApplications(ctx context.Context, f ApplicationFilter) ([]Application, error)
	// AddAttachment adds evidence to an open application (a Conflict
	// otherwise, or once it has MaxAttachments), numbered after the last,
	// and raises the application's version.
	AddAttachment(ctx context.Context, actor Actor, id int64, a Attachment) (AttachmentInfo, error)
	// GetAttachment returns the n-th evidence of an application with its content.
	GetAttachment(ctx context.Context, id int64, n int) (Attachment, error)
}

// AuditStore reads the audit trail.
type AuditStore interface {
	ListAudit(ctx context.Context, f AuditFilter) ([]AuditEntry, error)
}
