package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/wenzhou-subsidy/subsidy/models"
)

type runRow struct {
	ID             int64 `gorm:"primaryKey"`
	Status         string
	AsOf           date
	Rules          jsonText
	GrantYear      int
	RulesetVersion string
	RulesetDigest  string
	Screened       int
	Total          int
	CreatedCount   int
	CreatedTotal   int64
	KeyID          string
	KeyRole        string
	RequestID      string
	StartedAt      time.Time
	FinishedAt     *time.Time
	HeartbeatAt    *time.Time
	IdemKeyID      string
	IdemKey        string
	Owner          string
}

func (runRow) TableName() string { return "payout_runs" }

func (r runRow) auditRecord() (any, error) { return r.model() }

// starter is the actor who started the run.
func (r runRow) starter() models.Actor {
	return models.Actor{KeyID: r.KeyID, Role: r.KeyRole, RequestID: r.RequestID}
}

func (r runRow) model() (models.PayoutRun, error) {
	run := models.PayoutRun{
		ID:             r.ID,
		Status:         r.Status,
		AsOf:           r.AsOf.Date,
		GrantYear:      r.GrantYear,
		RulesetVersion: r.RulesetVersion,
		RulesetDigest:  r.RulesetDigest,
		Screened:       r.Screened,
		Total:          r.Total,
		CreatedCount:   r.CreatedCount,
		CreatedTotal:   models.Fen(r.CreatedTotal),
		KeyID:          r.KeyID,
		StartedAt:      r.StartedAt.UTC(),
		FinishedAt:     utc(r.FinishedAt),
	}
	if r.HeartbeatAt != nil {
		run.HeartbeatAt = r.HeartbeatAt.UTC()
	}
	if r.IdemKey != "" {
		run.Idempotency = &models.IdemKeyRef{KeyID: r.IdemKeyID, Key: r.IdemKey}
	}
	run.Owner = r.Owner
	if err := json.Unmarshal(r.Rules, &run.Rules); err != nil {
		return models.PayoutRun{}, fmt.Errorf("payout run %d: rules: %w", r.ID, err)
	}
	return run, nil
}

type payoutRow struct {
	ID             int64 `gorm:"primaryKey"`
	RunID          int64
	Rule           string
	Subject        string
	SubjectName    string
	Level          string
	GrantYear      int
	Seq            int
	Amount         int64
	Status         string
	PayerCode      string
	PayerName      string
	RulesetVersion string
	RulesetDigest  string
	Reason         string
	Decision       jsonText
	CreatedAt      time.Time
	ApprovedAt     *time.Time
	ApprovedBy     string
	PaidAt         *time.Time
	RejectedAt     *time.Time
}

func (payoutRow) TableName() string { return "payouts" }

var payoutTable = table[payoutRow]{
	name: "payouts",
	cols: []string{"run_id", "rule", "subject", "subject_name", "level", "grant_year", "seq", "amount",
		"status", "payer_code", "payer_name", "ruleset_version", "ruleset_digest", "decision", "created_at"},
	values: func(r *payoutRow, v []any) []any {
		return append(v, r.RunID, r.Rule, r.Subject, r.SubjectName, r.Level, r.GrantYear, r.Seq, r.Amount,
			r.Status, r.PayerCode, r.PayerName, r.RulesetVersion, r.RulesetDigest, r.Decision, r.CreatedAt)
	},
}

// payoutKey is the unique key of one payout row (the constraint payouts_key).
type payoutKey struct {
	rule, subject, level string
	grantYear, seq       int
}

func (r *payoutRow) key() payoutKey {
	return payoutKey{r.Rule, r.Subject, r.Level, r.GrantYear, r.Seq}
}

// auditRecord is the payout without its decision: the audit trail records
// what was paid and each change of status, not the unchanged decision
// (GetPayout returns it).
func (r payoutRow) auditRecord() (any, error) {
	r.Decision = nil
	return r.model(), nil
}

func (r payoutRow) model() models.Payout {
	return models.Payout{
		ID:             r.ID,
		RunID:          r.RunID,
		Rule:           r.Rule,
		Subject:        r.Subject,
		SubjectName:    r.SubjectName,
		Level:          r.Level,
		GrantYear:      r.GrantYear,
		Seq:            r.Seq,
		Amount:         models.Fen(r.Amount),
		Status:         r.Status,
		Payer:          models.Payer{Code: r.PayerCode, Name: r.PayerName},
		RulesetVersion: r.RulesetVersion,
		RulesetDigest:  r.RulesetDigest,
		Reason:         r.Reason,
		Decision:       json.RawMessage(r.Decision),
		CreatedAt:      r.CreatedAt.UTC(),
		ApprovedAt:     utc(r.ApprovedAt),
		ApprovedBy:     r.ApprovedBy,
		PaidAt:         utc(r.PaidAt),
		RejectedAt:     utc(r.RejectedAt),
	}
}

// ---- runs ----

// CreateRun records the start of a payout run, running; ID, StartedAt,
// HeartbeatAt and KeyID (the actor's) are set.
func (s *Store) CreateRun(ctx context.Context, actor models.Actor, run models.PayoutRun) (models.PayoutRun, error) {
	rules := run.Rules
	if rules == nil {
		rules = []string{}
	}
	rulesJSON, err := json.Marshal(rules)
	if err != nil {
		return models.PayoutRun{}, fmt.Errorf("create payout run: %w", err)
	}
	var out models.PayoutRun
	err = s.inTx(ctx, func(tx *gorm.DB) error {
		now := s.now()
		row := runRow{
			Status:         models.RunRunning,
			AsOf:           date{run.AsOf},
			Rules:          rulesJSON,
			GrantYear:      run.GrantYear,
			RulesetVersion: run.RulesetVersion,
			RulesetDigest:  run.RulesetDigest,
			Total:          run.Total,
			KeyID:          actor.KeyID,
			KeyRole:        actor.Role,
			RequestID:      actor.RequestID,
			StartedAt:      now,
			HeartbeatAt:    &now,
			Owner:          run.Owner,
		}
		if run.Idempotency != nil {
			row.IdemKeyID, row.IdemKey = run.Idempotency.KeyID, run.Idempotency.Key
		}
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		var err error
		if out, err = row.model(); err != nil {
			return err
		}
		return s.audit(tx, entry{actor, actionRun, entityPayoutRun, strconv.FormatInt(row.ID, 10)}, nil, out)
	})
	if err != nil {
		return models.PayoutRun{}, translate(err, meaning{op: "create payout run"})
	}
	return out, nil
}

// FinishRun records how a run ended (completed, failed or interrupted),
// the subjects it screened, the payouts it created (counted from the
// payouts table) and FinishedAt, and releases the Idempotency-Key of a run that
// did not complete. Only a running run can finish: a run already marked
// interrupted by a sweep stays so. FinishRun has no actor: its audit entry
// names the key that started the run.
func (s *Store) FinishRun(ctx context.Context, run models.PayoutRun) (models.PayoutRun, error) {
	if run.Status == models.RunRunning || !slices.Contains(models.RunStatuses, run.Status) {
		return models.PayoutRun{}, fmt.Errorf("finish payout run %d: status %q is not an end", run.ID, run.Status)
	}
	var ended runRow
	err := s.inTx(ctx, func(tx *gorm.DB) (err error) {
		ended, _, err = s.endRun(tx, run.ID, func(r *runRow) (bool, error) {
			if r.Status != models.RunRunning {
				return false, models.Conflict(
					fmt.Sprintf("发放批次 %d 已结束（%s）", run.ID, models.RunStatusWords[r.Status].Zh),
					fmt.Sprintf("payout run %d has ended already (%s)", run.ID, r.Status))
			}
			r.Status, r.Screened = run.Status, run.Screened
			return true, nil
		})
		return err
	})
	if err != nil {
		return models.PayoutRun{}, translate(err, meaning{op: fmt.Sprintf("finish payout run %d", run.ID), notFound: models.RunNotFound(run.ID)})
	}
	return ended.model()
}

// endRun ends a run in tx when end says so (having set its status and
// screened count), with FinishedAt now and the payouts it created counted
// from the payouts that carry its id (what a run recorded before its
// process died is all there); releases the Idempotency-Key of a run that
// did not complete, so that a retry starts a new run; and audits the change
// in the name of the key that started the run. It returns the run as it is
// now and reports whether it ended.
func (s *Store) endRun(tx *gorm.DB, id int64, end func(r *runRow) (bool, error)) (runRow, bool, error) {
	// Who started the run never changes: it is read before the row is
	// locked, for the audit entry of the change.
	var started runRow
	if err := tx.Select("key_id", "key_role", "request_id").Where("id = ?", id).Take(&started).Error; err != nil {
		return runRow{}, false, err
	}
	ended := false
	row, err := updateRow(s, tx, entry{started.starter(), actionRun, entityPayoutRun, strconv.FormatInt(id, 10)}, func(r *runRow) (map[string]any, error) {
		var err error
		if ended, err = end(r); err != nil || !ended {
			return nil, err
		}
		var created struct {
			Count int
			Total int64
		}
		if err := tx.Raw("SELECT COUNT(*) AS count, COALESCE(SUM(amount), 0) AS total FROM payouts WHERE run_id = ?", id).Scan(&created).Error; err != nil {
			return nil, err
		}
		r.CreatedCount, r.CreatedTotal = created.Count, created.Total
		now := s.now()
		r.FinishedAt = &now
		return map[string]any{
			"status":        r.Status,
			"screened":      r.Screened,
			"created_count": r.CreatedCount,
			"created_total": r.CreatedTotal,
			"finished_at":   now,
		}, nil
	}, "id = ?", id)
	if err != nil || !ended {
		return row, false, err
	}
	if row.Status != models.RunCompleted && row.IdemKey != "" {
		if err := tx.Where("key_id = ? AND idem_key = ?", row.IdemKeyID, row.IdemKey).Delete(&idemRow{}).Error; err != nil {
			return row, false, err
		}
	}
	return row, true, nil
}

// GetRun returns a payout run.
func (s *Store) GetRun(ctx context.Context, id int64) (models.PayoutRun, error) {
	var row runRow
	if err := s.read(ctx, func(db *gorm.DB) error { return db.Where("id = ?", id).Take(&row).Error }); err != nil {
		return models.PayoutRun{}, translate(err, meaning{op: fmt.Sprintf("get payout run %d", id), notFound: models.RunNotFound(id)})
	}
	return row.model()
}

// ---- recording payouts ----

// payoutChunk is how many candidates one transaction of RecordPayouts
// handles: large enough that a run of tens of thousands takes a few dozen
// transactions, small enough that no transaction holds the write lock (or,
// on PostgreSQL, row locks) for long.
const payoutChunk = 1000

// recordAttempts bounds the attempts of one chunk of RecordPayouts. A
// chunk loses a race only when a concurrent call committed a payout for one
// of its keys, which can happen only as often as concurrent calls raise a
// key's total, so the bound is generous.
const recordAttempts = 32

// limitKey is what a payout's amount is limited by: a certification grant
// (level set) is paid once per rule, subject and level whatever the grant
// year (the partial unique index payouts_level_once); any other payout key
// may be paid in several parts (seq) up to its Total.
type limitKey struct {
	rule, subject, level string
	grantYear            int
}

func limitOf(rule, subject, level string, grantYear int) limitKey {
	if level != "" {
		grantYear = 0
	}
	return limitKey{rule, subject, level, grantYear}
}

// recordedSum is what is already recorded for one limit key.
type recordedSum struct {
	Count  int64 // payouts
	Sum    int64 // fen
	MaxSeq int
}

// RecordPayouts records, for each candidate, a pending payout of its Total
// less what is already recorded for its key in any status, when that is
// above zero; a certification grant (Level set) is recorded at most once per
// rule, subject and level, ever, whatever its Total or grant year.
//
// Candidates are handled in key order, payoutChunk at a time, each chunk in
// one transaction that reads what its keys have recorded and inserts the
// differences with seq = the key's highest seq + 1. Two concurrent runs that
// read the same state insert the same seq; the unique constraints let one of
// them in and fail the other, whose transaction then runs again and finds
// the key recorded. So no key is ever recorded beyond its Total, whatever
// the callers do. On SQLite the transactions take turns anyway (one writer
// at a time, the write lock taken at BEGIN), so the read is never stale; on
// PostgreSQL the second insert waits for the first transaction and fails
// when it commits. Handling keys in one order means two chunks never wait
// for each other in a cycle.
//
// The payouts created are returned in id order, without their decisions
// (the caller has them). If a chunk fails, the chunks before it stay
// recorded: running the same candidates again records only the rest.
func (s *Store) RecordPayouts(ctx context.Context, actor models.Actor, runID int64, cands []models.PayoutCandidate) ([]models.Payout, error) {
	if err := checkCandidates(cands); err != nil {
		return nil, fmt.Errorf("record payouts of run %d: %w", runID, err)
	}

	sorted := slices.Clone(cands)
	slices.SortStableFunc(sorted, func(a, b models.PayoutCandidate) int {
		return cmp.Or(
			strings.Compare(a.Rule, b.Rule),
			strings.Compare(a.Subject, b.Subject),
			strings.Compare(a.Level, b.Level),
			cmp.Compare(a.GrantYear, b.GrantYear),
		)
	})

	var created []models.Payout
	for _, chunk := range chunks(sorted, payoutChunk) {
		var got []models.Payout
		err := s.inTxAttempts(ctx, recordAttempts, func(tx *gorm.DB) error {
			var err error
			got, err = s.recordChunk(tx, actor, runID, chunk)
			return err
		})
		if err != nil {
			return nil, translate(err, meaning{
				op:     fmt.Sprintf("record payouts of run %d", runID),
				parent: models.RunNotFound(runID),
			})
		}
		created = append(created, got...)
	}
	return created, nil
}

// checkCandidates guards invariants of candidates, which the service
// computes (a payout run) rather than a user types: a bad one is a bug, an
// internal error. The database checks the rest (the level, for one).
func checkCandidates(cands []models.PayoutCandidate) error {
	for i, c := range cands {
		switch {
		case c.Rule == "" || c.Subject == "":
			return fmt.Errorf("candidate %d names no rule or no subject", i)
		case len(c.Decision) > 0 && !json.Valid(c.Decision):
			return fmt.Errorf("candidate %d: the decision is not JSON", i)
		}
	}
	return nil
}

// recordChunk records the payouts due for sorted candidates in tx.
func (s *Store) recordChunk(tx *gorm.DB, actor models.Actor, runID int64, cands []models.PayoutCandidate) ([]models.Payout, error) {
	recorded, err := readRecordedOf(s.manyRows(tx), cands)
	if err != nil {
		return nil, err
	}

	now := s.now()
	var rows []payoutRow
	for _, c := range cands {
		due, seq := takeDue(recorded, c)
		if due <= 0 {
			continue
		}
		rows = append(rows, payoutRow{
			RunID:          runID,
			Rule:           c.Rule,
			Subject:        c.Subject,
			SubjectName:    c.SubjectName,
			Level:          c.Level,
			GrantYear:      c.GrantYear,
			Seq:            seq,
			Amount:         due,
			Status:         models.PayoutPending,
			PayerCode:      c.Payer.Code,
			PayerName:      c.Payer.Name,
			RulesetVersion: c.RulesetVersion,
			RulesetDigest:  c.RulesetDigest,
			Decision:       jsonText(c.Decision),
			CreatedAt:      now,
		})
	}
	if len(rows) == 0 {
		return nil, nil
	}
	ids, err := insertNumbered(tx, s.dialect, payoutTable, rows, (*payoutRow).key, "rule, subject, level, grant_year, seq",
		func(rs *sql.Rows) (int64, payoutKey, error) {
			var r payoutRow
			err := rs.Scan(&r.ID, &r.Rule, &r.Subject, &r.Level, &r.GrantYear, &r.Seq)
			return r.ID, r.key(), err
		})
	if err != nil {
		// A unique violation means a concurrent run recorded one of the
		// keys first: the chunk runs again.
		return nil, raced(err)
	}
	for i := range rows {
		rows[i].ID = ids[i]
	}
	// In id order, as RecordPayouts returns them.
	slices.SortFunc(rows, func(a, b payoutRow) int { return cmp.Compare(a.ID, b.ID) })

	out := make([]models.Payout, len(rows))
	audits := make([]auditRow, len(rows))
	for i, r := range rows {
		// The decision stays on the payout; the answer does not repeat it
		// (the caller has it; GetPayout returns it), nor does the audit trail.
		r.Decision = nil
		out[i] = r.model()
		a, err := s.auditRecord(entry{actor, actionCreate, entityPayout, strconv.FormatInt(r.ID, 10)}, nil, out[i])
		if err != nil {
			return nil, err
		}
		audits[i] = a
	}
	if err := insertRows(tx, s.dialect, auditTable, audits); err != nil {
		return nil, fmt.Errorf("audit payouts: %w", err)
	}
	return out, nil
}

// takeDue returns what recording c adds to its key, given what the key
// has recorded (zero for nothing), and the new payout's seq; it counts
// that amount as recorded, so that a key listed twice in one call is
// limited by what the call added. A certification grant is paid once, ever.
func takeDue(recorded map[limitKey]recordedSum, c models.PayoutCandidate) (due int64, seq int) {
	k := limitOf(c.Rule, c.Subject, c.Level, c.GrantYear)
	cur := recorded[k]
	if c.Level != "" && cur.Count > 0 {
		return 0, 0
	}
	if due = c.Total.Fen() - cur.Sum; due <= 0 {
		return 0, 0
	}
	recorded[k] = recordedSum{Count: cur.Count + 1, Sum: cur.Sum + due, MaxSeq: cur.MaxSeq + 1}
	return due, cur.MaxSeq + 1
}

// readRecordedOf reads what the keys of cands have recorded so far, with
// one query per rule over their subjects, served by the unique index
// (rule, subject, …).
func readRecordedOf(db *gorm.DB, cands []models.PayoutCandidate) (map[limitKey]recordedSum, error) {
	subjects := map[string][]string{}
	var rules []string
	for _, c := range cands {
		if _, ok := subjects[c.Rule]; !ok {
			rules = append(rules, c.Rule)
		}
		subjects[c.Rule] = append(subjects[c.Rule], c.Subject)
	}
	recorded := map[limitKey]recordedSum{}
	for _, rule := range rules {
		if err := readRecorded(db, rule, uniqueSorted(subjects[rule]), recorded); err != nil {
			return nil, fmt.Errorf("read recorded payouts: %w", err)
		}
	}
	return recorded, nil
}

// PayoutsDue returns, for each candidate in order, what RecordPayouts
// would record for it now, recording nothing: its Total less what its key
// has recorded (nothing for a certification grant recorded once), the
// amounts of earlier candidates of the same key counted as recorded. It
// reads as a payout run's recording does (see readRecorded).
func (s *Store) PayoutsDue(ctx context.Context, cands []models.PayoutCandidate) ([]models.Money, error) {
	if err := checkCandidates(cands); err != nil {
		return nil, fmt.Errorf("payouts due: %w", err)
	}
	var recorded map[limitKey]recordedSum
	err := s.read(ctx, func(db *gorm.DB) error {
		var err error
		recorded, err = readRecordedOf(s.manyRows(db), cands)
		return err
	})
	if err != nil {
		return nil, translate(err, meaning{op: "read payouts due"})
	}
	out := make([]models.Money, len(cands))
	for i, c := range cands {
		due, _ := takeDue(recorded, c)
		out[i] = models.Fen(due)
	}
	return out, nil
}

// smallInList is the most subjects whose recorded payouts are read with
// an IN list; more are read as the range from the first to the last. A
// screening batch's candidates are a contiguous range of the registry, and
// PostgreSQL answers an IN list of a thousand codes by scanning the whole
// table, a range by the index.
const smallInList = 100

// readRecorded adds to recorded what the payouts of rule for subjects
// (sorted, distinct) total per limit key, and possibly those of other
// subjects between them.
func readRecorded(tx *gorm.DB, rule string, subjects []string, recorded map[limitKey]recordedSum) error {
	where, args := "rule = ? AND subject IN ?", []any{rule, subjects}
	if len(subjects) > smallInList {
		where, args = "rule = ? AND subject BETWEEN ? AND ?", []any{rule, subjects[0], subjects[len(subjects)-1]}
	}
	q := tx.Raw("SELECT subject, level, grant_year, COUNT(*), SUM(amount), MAX(seq) FROM payouts WHERE "+where+
		" GROUP BY subject, level, grant_year", args...)
	return scanAll(q, func(rs *sql.Rows) error {
		var subject, level string
		var grantYear, maxSeq int
		var n, total int64
		if err := rs.Scan(&subject, &level, &grantYear, &n, &total, &maxSeq); err != nil {
			return err
		}
		k := limitOf(rule, subject, level, grantYear)
		cur := recorded[k]
		cur.Count += n
		cur.Sum += total
		cur.MaxSeq = max(cur.MaxSeq, maxSeq)
		recorded[k] = cur
		return nil
	})
}

// ---- reading payouts ----

// ListPayouts lists payouts in id order, without their decisions. Limit 0
// lists every match.
func (s *Store) ListPayouts(ctx context.Context, f models.PayoutFilter) ([]models.Payout, error) {
	var rows []payoutRow
	err := s.read(ctx, func(db *gorm.DB) error {
		return listed(db.Model(&payoutRow{}).Omit("decision"), []match{
			{"rule", f.Rule}, {"status", f.Status}, {"subject", f.Subject},
			{"payer_code", f.Payer}, {"run_id", f.RunID},
		}, "id", f.AfterID, f.Limit).Find(&rows).Error
	})
	if err != nil {
		return nil, translate(err, meaning{op: "list payouts"})
	}
	out := make([]models.Payout, len(rows))
	for i, r := range rows {
		out[i] = r.model()
	}
	return out, nil
}

// GetPayout returns one payout with its decision.
func (s *Store) GetPayout(ctx context.Context, id int64) (models.Payout, error) {
	var row payoutRow
	if err := s.read(ctx, func(db *gorm.DB) error { return db.Where("id = ?", id).Take(&row).Error }); err != nil {
		return models.Payout{}, translate(err, meaning{op: fmt.Sprintf("get payout %d", id), notFound: models.PayoutNotFound(id)})
	}
	return row.model(), nil
}

// ---- transitions ----

// transitions maps each target status to the only status it may be reached
// from, with its words for messages.
var transitions = map[string]struct {
	from           string
	column         string // the time column the transition sets
	verbZh, verbEn string
}{
	models.PayoutApproved: {models.PayoutPending, "approved_at", "审核通过", "approved"},
	models.PayoutRejected: {models.PayoutPending, "rejected_at", "驳回", "rejected"},
	models.PayoutPaid:     {models.PayoutApproved, "paid_at", "标记为已支付", "marked paid"},
}

// TransitionPayout moves a payout to status t.To and returns it with its
// decision: pending → approved, pending → rejected (with a reason, which
// is recorded; the database refuses a rejection without one), approved →
// paid. The reason of any other transition is not stored. The payout's row
// is locked while its status is checked and changed, so of any number of
// concurrent attempts exactly one succeeds; the others, and any transition
// from another status, get a Conflict naming the payout's current status.
// Under the same lock, t.FourEyes refuses the key that started the run
// (approve, reject) or approved the payout (paid), and an approval is
// checked against its payer's budget (withinBudget). The approving key is
// recorded.
func (s *Store) TransitionPayout(ctx context.Context, actor models.Actor, pt models.PayoutTransition) (models.Payout, error) {
	id, to := pt.ID, pt.To
	t, ok := transitions[to]
	if !ok {
		return models.Payout{}, invalid("status", "status", "approved, rejected, paid")
	}
	var out models.Payout
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		e := entry{actor, actionTransition, entityPayout, strconv.FormatInt(id, 10)}
		row, err := updateRow(s, tx, e, func(r *payoutRow) (map[string]any, error) {
			if r.Status != t.from {
				return nil, models.Conflict(
					fmt.Sprintf("补助发放记录 %d 当前状态为“%s”（%s），只有“%s”（%s）状态的记录可以%s",
						id, models.StatusWords[r.Status].Zh, r.Status, models.StatusWords[t.from].Zh, t.from, t.verbZh),
					fmt.Sprintf("payout %d is %s: only a payout that is %s can be %s", id, r.Status, t.from, t.verbEn))
			}
			// Who started the payout's run (four eyes) and its grant year
			// (the budget), read once.
			var starter string
			var year int
			if to != models.PayoutPaid {
				if err := tx.Raw(`SELECT key_id, grant_year FROM payout_runs WHERE id = ?`, r.RunID).Row().Scan(&starter, &year); err != nil {
					return nil, fmt.Errorf("run %d of payout %d: %w", r.RunID, id, err)
				}
			}
			if pt.FourEyes {
				if err := fourEyes(r, actor, to, starter); err != nil {
					return nil, err
				}
			}
			now := s.now()
			r.Status = to
			set := map[string]any{"status": to, t.column: now}
			switch to {
			case models.PayoutApproved:
				if err := withinBudget(tx, r, year); err != nil {
					return nil, err
				}
				r.ApprovedAt, r.ApprovedBy = &now, actor.KeyID
				set["approved_by"] = r.ApprovedBy
			case models.PayoutRejected:
				r.RejectedAt, r.Reason = &now, strings.TrimSpace(pt.Reason)
				set["reason"] = r.Reason
			case models.PayoutPaid:
				r.PaidAt = &now
			}
			return set, nil
		}, "id = ?", id)
		out = row.model()
		return err
	})
	if err != nil {
		return models.Payout{}, translate(err, meaning{op: fmt.Sprintf("%s payout %d", to, id), notFound: models.PayoutNotFound(id)})
	}
	return out, nil
}

// fourEyes refuses (Forbidden) the actor as the one who approves or
// rejects a payout of a run it started (the key starter), or marks paid a
// payout it approved (审核与经办分离). An empty key (an approval recorded
// before approvers were) binds no one.
func fourEyes(p *payoutRow, actor models.Actor, to, starter string) error {
	if to == models.PayoutPaid {
		if p.ApprovedBy != "" && p.ApprovedBy == actor.KeyID {
			return models.Errorf(models.CodeForbidden,
				"审核与经办分离：补助发放记录 %d 由本密钥审核通过，审核人不能再将其标记为已支付，请由另一名经办人办理",
				"four eyes: this key approved payout %d, and the approver may not also mark it paid; another clerk must", p.ID)
		}
		return nil
	}
	if starter != "" && starter == actor.KeyID {
		verbZh, verbEn := "审核", "approve"
		if to == models.PayoutRejected {
			verbZh, verbEn = "驳回", "reject"
		}
		return &models.Error{Code: models.CodeForbidden, Message: models.Text{
			Zh: fmt.Sprintf("审核与经办分离：补助发放记录 %d 所在的发放批次 %d 由本密钥发起，经办人不能%s本批次的补助发放，请由另一名审核人办理", p.ID, p.RunID, verbZh),
			En: fmt.Sprintf("four eyes: this key started payout run %d, and the clerk who started a run may not %s its payouts (payout %d); another approver must", p.RunID, verbEn, p.ID),
		}}
	}
	return nil
}
