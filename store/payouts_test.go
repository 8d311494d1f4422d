package store_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/wenzhou-subsidy/subsidy/models"
	"github.com/wenzhou-subsidy/subsidy/store"
)

func TestPayoutRuns(t *testing.T) {
	eachKind(t, func(t *testing.T, s *store.Store) {
		in := models.PayoutRun{AsOf: models.MustDate("2025-06-30"), Rules: []string{"cert-grant"}, GrantYear: 2025, Total: 2600, RulesetVersion: "2025.1", RulesetDigest: "sha256:abc"}
		run, err := s.CreateRun(ctxT(), finance, in)
		check(t, err)
		want := in
		want.ID, want.Status, want.KeyID, want.StartedAt, want.HeartbeatAt = run.ID, models.RunRunning, finance.KeyID, run.StartedAt, run.StartedAt
		if diff := cmp.Diff(want, run, cmpModels); diff != "" || run.ID == 0 || run.StartedAt.IsZero() {
			t.Errorf("created run (-want +got):\n%s", diff)
		}
		got, err := s.GetRun(ctxT(), run.ID)
		check(t, err)
		if diff := cmp.Diff(run, got, cmpModels); diff != "" {
			t.Errorf("GetRun (-want +got):\n%s", diff)
		}

		// Progress while it runs.
		run.Screened, run.CreatedCount, run.CreatedTotal = 1000, 1, models.MustMoney("50000.00")
		check(t, s.RunProgress(ctxT(), run))
		got, err = s.GetRun(ctxT(), run.ID)
		check(t, err)
		if got.Status != models.RunRunning || got.Screened != 1000 || got.CreatedCount != 1 || got.FinishedAt != nil || !got.HeartbeatAt.After(run.HeartbeatAt) {
			t.Errorf("run in progress = %+v", got)
		}

		// What it created is counted from the payouts that carry its id.
		_, err = s.RecordPayouts(ctxT(), finance, run.ID, []models.PayoutCandidate{
			{Rule: "cert-grant", Subject: "91330382MA2AB3C47E", Level: models.LevelCity, Total: models.MustMoney("500.25"), Payer: models.CityFinanceBureau},
			{Rule: "cert-grant", Subject: "91330382MA2AB3C47E", Level: models.LevelProvince, Total: models.MustMoney("1000.25"), Payer: models.CityFinanceBureau},
		})
		check(t, err)
		run.Status, run.Screened, run.CreatedCount, run.CreatedTotal = models.RunCompleted, 2500, 99, models.MustMoney("1.00")
		finished, err := s.FinishRun(ctxT(), run)
		check(t, err)
		if finished.Status != models.RunCompleted || finished.Screened != 2500 || finished.CreatedCount != 2 || finished.CreatedTotal != models.MustMoney("1500.50") ||
			finished.FinishedAt == nil || !finished.FinishedAt.After(finished.StartedAt) {
			t.Errorf("finished run = %+v", finished)
		}
		// FinishRun has no actor: its entry names whoever started the run.
		audit := auditOf(t, s, "payout_run", strconv.FormatInt(run.ID, 10))
		if len(audit) != 2 || audit[1].Action != "run" || audit[1].KeyID != finance.KeyID || audit[1].Role != finance.Role || audit[1].RequestID != finance.RequestID {
			t.Errorf("audit = %+v", audit)
		}
		// A run ends once.
		_, err = s.FinishRun(ctxT(), run)
		wantCode(t, err, models.CodeConflict)
		// An ended run's progress is left alone, and its process told.
		wantCode(t, s.RunProgress(ctxT(), run), models.CodeConflict)
		if got, _ = s.GetRun(ctxT(), run.ID); got.Screened != 2500 {
			t.Errorf("an ended run's progress changed: %+v", got)
		}

		_, err = s.GetRun(ctxT(), 999)
		wantCode(t, err, models.CodeNotFound)
		_, err = s.FinishRun(ctxT(), models.PayoutRun{ID: 999, Status: models.RunFailed})
		wantCode(t, err, models.CodeNotFound)
		_, err = s.CreateRun(ctxT(), finance, models.PayoutRun{})
		wantCode(t, err, models.CodeInvalid)
	})
}

// A run whose heartbeat went stale is interrupted by the sweep, once, and
// its Idempotency-Key released; a run that beats is left running.
func TestInterruptStaleRuns(t *testing.T) {
	eachKind(t, func(t *testing.T, s *store.Store) {
		ref := &models.IdemKeyRef{KeyID: finance.KeyID, Key: "run-1"}
		status, _, _, err := s.BeginIdempotent(ctxT(), ref.KeyID, ref.Key, "fp")
		check(t, err)
		if status != 0 {
			t.Fatalf("the key was not free: %d", status)
		}
		dead, err := s.CreateRun(ctxT(), finance, models.PayoutRun{AsOf: models.MustDate("2025-06-30"), Rules: []string{"cert-grant"}, Idempotency: ref})
		check(t, err)

		stale, err := s.InterruptStaleRuns(ctxT(), time.Hour)
		check(t, err)
		if len(stale) != 0 {
			t.Errorf("a fresh run was interrupted: %+v", stale)
		}
		stale, err = s.InterruptStaleRuns(ctxT(), 0)
		check(t, err)
		if len(stale) != 1 || stale[0].ID != dead.ID || stale[0].Status != models.RunInterrupted || stale[0].FinishedAt == nil {
			t.Fatalf("interrupted = %+v", stale)
		}
		if again, err := s.InterruptStaleRuns(ctxT(), 0); err != nil || len(again) != 0 {
			t.Errorf("a second sweep: %+v, %v", again, err)
		}
		// The key is free again: a retry starts a new run.
		status, _, _, err = s.BeginIdempotent(ctxT(), ref.KeyID, ref.Key, "fp")
		check(t, err)
		if status != 0 {
			t.Errorf("the key of an interrupted run was not released: %d", status)
		}
		// A run interrupted by a sweep stays so when its process finishes it late.
		dead.Status = models.RunCompleted
		_, err = s.FinishRun(ctxT(), dead)
		wantCode(t, err, models.CodeConflict)
	})
}

// The runs a node left running are interrupted when it starts again,
// whatever their heartbeat; another node's are left alone.
func TestInterruptRunsOf(t *testing.T) {
	eachKind(t, func(t *testing.T, s *store.Store) {
		mine, err := s.CreateRun(ctxT(), finance, models.PayoutRun{AsOf: models.MustDate("2025-06-30"), Rules: []string{"cert-grant"}, Owner: "host-a 127.0.0.1:8080"})
		check(t, err)
		theirs, err := s.CreateRun(ctxT(), finance, models.PayoutRun{AsOf: models.MustDate("2025-06-30"), Rules: []string{"cert-grant"}, Owner: "host-b 127.0.0.1:8080"})
		check(t, err)
		// While its heartbeat is fresh, the run is left to its process.
		got, beating, err := s.InterruptRunsOf(ctxT(), "host-a 127.0.0.1:8080", time.Hour)
		check(t, err)
		if len(got) != 0 || beating != 1 {
			t.Errorf("a beating run: interrupted %+v, %d beating", got, beating)
		}
		got, beating, err = s.InterruptRunsOf(ctxT(), "host-a 127.0.0.1:8080", 0)
		check(t, err)
		if len(got) != 1 || got[0].ID != mine.ID || got[0].Status != models.RunInterrupted || beating != 0 {
			t.Errorf("interrupted %+v, %d beating", got, beating)
		}
		// Its process, still going, is told at its next heartbeat.
		if err := s.RunProgress(ctxT(), mine); models.CodeOf(err) != models.CodeConflict {
			t.Errorf("progress of an interrupted run: %v", err)
		}
		if run, _ := s.GetRun(ctxT(), theirs.ID); run.Status != models.RunRunning {
			t.Errorf("another node's run: %+v", run)
		}
	})
}

// ListRuns pages newest first; CountSubjects counts a kind of subject.
func TestListRunsAndCount(t *testing.T) {
	eachKind(t, func(t *testing.T, s *store.Store) {
		var ids []int64
		for range 3 {
			run, err := s.CreateRun(ctxT(), finance, models.PayoutRun{AsOf: models.MustDate("2025-06-30"), Rules: []string{"cert-grant"}})
			check(t, err)
			ids = append(ids, run.ID)
		}
		page, err := s.ListRuns(ctxT(), models.RunFilter{Limit: 2})
		check(t, err)
		if len(page) != 2 || page[0].ID != ids[2] || page[1].ID != ids[1] {
			t.Errorf("first page %+v", page)
		}
		page, err = s.ListRuns(ctxT(), models.RunFilter{BeforeID: ids[1], Limit: 2})
		check(t, err)
		if len(page) != 1 || page[0].ID != ids[0] {
			t.Errorf("second page %+v", page)
		}
		putEnterprise(t, s, models.EnterpriseRecord{CreditCode: creditCode(1), Name: "x", Region: "330382"})
		n, err := s.CountSubjects(ctxT(), models.KindEnterprise)
		check(t, err)
		u, err := s.CountSubjects(ctxT(), models.KindUniversity)
		check(t, err)
		if n != 1 || u != 0 {
			t.Errorf("counted %d enterprises, %d universities", n, u)
		}
	})
}

// payoutKey names a payout key in test expectations.
type payoutKey struct {
	Rule, Subject, Level string
	GrantYear            int
}

type recorded struct {
	Key    payoutKey
	Seq    int
	Amount string
}

func recordedOf(ps []models.Payout) []recorded {
	out := make([]recorded, len(ps))
	for i, p := range ps {
		out[i] = recorded{payoutKey{p.Rule, p.Subject, p.Level, p.GrantYear}, p.Seq, p.Amount.String()}
	}
	return out
}

// RecordPayouts records only the difference between a key's Total and what
// it has recorded; a certification level is recorded once, ever.
func TestRecordPayoutsDifference(t *testing.T) {
	eachKind(t, func(t *testing.T, s *store.Store) {
		run := newRun(t, s)
		ent := creditCode(1)
		match := func(subject string, year int, total string) models.PayoutCandidate {
			return models.PayoutCandidate{Rule: "donation-match", Subject: subject, SubjectName: "温州大学", GrantYear: year, Total: models.MustMoney(total),
				Payer: models.CityFinanceBureau, RulesetVersion: "v1", RulesetDigest: "d1", Decision: json.RawMessage(`{"eligible":true}`)}
		}
		grant := func(level string, year int, total string) models.PayoutCandidate {
			return models.PayoutCandidate{Rule: "cert-grant", Subject: ent, Level: level, GrantYear: year, Total: models.MustMoney(total),
				Payer: models.LocalFinanceBureau("330382")}
		}
		// In order: each step sees what the ones before it recorded.
		for _, tc := range []struct {
			name  string
			cands []models.PayoutCandidate
			want  []recorded
		}{
			{"donation match 100", []models.PayoutCandidate{match("WZU", 2025, "100")},
				[]recorded{{payoutKey{"donation-match", "WZU", "", 2025}, 1, "100.00"}}},
			{"raised to 150: the difference", []models.PayoutCandidate{match("WZU", 2025, "150")},
				[]recorded{{payoutKey{"donation-match", "WZU", "", 2025}, 2, "50.00"}}},
			{"150 again: nothing", []models.PayoutCandidate{match("WZU", 2025, "150")}, nil},
			{"lowered to 120: nothing", []models.PayoutCandidate{match("WZU", 2025, "120")}, nil},
			{"another grant year is another key", []models.PayoutCandidate{match("WZU", 2026, "70")},
				[]recorded{{payoutKey{"donation-match", "WZU", "", 2026}, 1, "70.00"}}},
			{"zero total: nothing", []models.PayoutCandidate{match("WMU", 2025, "0")}, nil},
			{"a key listed twice in one call counts once", []models.PayoutCandidate{match("WMU", 2025, "40"), match("WMU", 2025, "40"), match("WMU", 2025, "45")},
				[]recorded{{payoutKey{"donation-match", "WMU", "", 2025}, 1, "40.00"}, {payoutKey{"donation-match", "WMU", "", 2025}, 2, "5.00"}}},
			{"city grant", []models.PayoutCandidate{grant("city", 2025, "100000")},
				[]recorded{{payoutKey{"cert-grant", ent, "city", 2025}, 1, "100000.00"}}},
			{"city grant again, larger, next year: nothing, ever", []models.PayoutCandidate{grant("city", 2026, "150000"), grant("city", 2025, "200000")}, nil},
			{"province grant", []models.PayoutCandidate{grant("province", 2026, "300000"), grant("province", 2026, "300000")},
				[]recorded{{payoutKey{"cert-grant", ent, "province", 2026}, 1, "300000.00"}}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got, err := s.RecordPayouts(ctxT(), finance, run.ID, tc.cands)
				check(t, err)
				if diff := cmp.Diff(tc.want, recordedOf(got), cmpopts.EquateEmpty()); diff != "" {
					t.Errorf("created (-want +got):\n%s", diff)
				}
				for _, p := range got {
					if p.Status != models.PayoutPending || p.RunID != run.ID || p.ID == 0 || p.Payer.Code == "" || p.Decision != nil {
						t.Errorf("created payout = %+v", p)
					}
				}
			})
		}

		// Each created payout is audited with its record.
		all, err := s.ListPayouts(ctxT(), models.PayoutFilter{})
		check(t, err)
		for _, p := range all {
			audit := auditOf(t, s, "payout", strconv.FormatInt(p.ID, 10))
			if len(audit) != 1 || audit[0].Action != "create" || audit[0].Before != nil || !cmp.Equal(decode[models.Payout](t, audit[0].After), &p, cmpModels) {
				t.Errorf("audit of payout %d = %+v", p.ID, audit)
			}
		}

		_, err = s.RecordPayouts(ctxT(), finance, 999, []models.PayoutCandidate{match("XYZ", 2025, "1")})
		wantCode(t, err, models.CodeNotFound)
		// Candidates come from a payout run, not a user: a broken one is a
		// bug (internal), or what the database refuses (invalid).
		for _, tc := range []struct {
			name string
			cand models.PayoutCandidate
			want models.ErrorCode
		}{
			{"no rule", models.PayoutCandidate{Subject: "X", Total: models.Yuan(1)}, models.CodeInternal},
			{"no subject", models.PayoutCandidate{Rule: "r", Total: models.Yuan(1)}, models.CodeInternal},
			{"a decision that is not JSON", models.PayoutCandidate{Rule: "r", Subject: "X", Total: models.Fen(1), Decision: json.RawMessage(`{`)}, models.CodeInternal},
			{"an unknown level", models.PayoutCandidate{Rule: "r", Subject: "X", Level: "galactic", Total: models.Yuan(1)}, models.CodeInvalid},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := s.RecordPayouts(ctxT(), finance, run.ID, []models.PayoutCandidate{tc.cand})
				wantCode(t, err, tc.want)
			})
		}
		// A negative total leaves nothing due.
		got, err := s.RecordPayouts(ctxT(), finance, run.ID, []models.PayoutCandidate{{Rule: "r", Subject: "X", Total: models.Fen(-1)}})
		if err != nil || len(got) != 0 {
			t.Errorf("a negative total recorded %+v, %v; want nothing", got, err)
		}
	})
}

// Sixteen runs recording the same candidates at once record each key
// exactly once, with exactly its Total; sixteen runs raising one donation
// match to different totals leave it at the largest total, never above.
func TestRecordPayoutsConcurrent(t *testing.T) {
	eachKind(t, func(t *testing.T, s *store.Store) {
		run := newRun(t, s)
		// More candidates than one chunk, to cross a chunk boundary.
		var cands []models.PayoutCandidate
		totals := map[payoutKey]models.Money{}
		for i := range 1200 {
			c := models.PayoutCandidate{Rule: "donation-match", Subject: fmt.Sprintf("U%04d", i), GrantYear: 2025, Total: models.Fen(int64(1000 + i))}
			if i%2 == 0 {
				c = models.PayoutCandidate{Rule: "cert-grant", Subject: creditCode(i), Level: models.Levels[i%3], GrantYear: 2025, Total: models.Fen(int64(5000 + i))}
			}
			cands = append(cands, c)
			totals[payoutKey{c.Rule, c.Subject, c.Level, c.GrantYear}] = c.Total
		}

		const runs = 16
		created := make([][]models.Payout, runs)
		var wg sync.WaitGroup
		for g := range runs {
			wg.Go(func() {
				var err error
				if created[g], err = s.RecordPayouts(ctxT(), finance, run.ID, cands); err != nil {
					t.Errorf("run %d: %v", g, err)
				}
			})
		}
		wg.Wait()

		n := 0
		for _, c := range created {
			n += len(c)
		}
		if n != len(cands) {
			t.Errorf("the runs created %d payouts together, want %d", n, len(cands))
		}
		all, err := s.ListPayouts(ctxT(), models.PayoutFilter{})
		check(t, err)
		got := map[payoutKey]models.Money{}
		for _, p := range all {
			k := payoutKey{p.Rule, p.Subject, p.Level, p.GrantYear}
			if _, dup := got[k]; dup {
				t.Errorf("key %+v recorded twice", k)
			}
			got[k] = p.Amount
		}
		if diff := cmp.Diff(totals, got, cmpModels); diff != "" {
			t.Errorf("recorded per key (-want +got):\n%s", diff)
		}

		// Rising totals at once: the key ends at the largest, in parts.
		var wg2 sync.WaitGroup
		for g := range runs {
			wg2.Go(func() {
				c := models.PayoutCandidate{Rule: "donation-match", Subject: "RISING", GrantYear: 2025, Total: models.Yuan(int64(100 + 10*g))}
				if _, err := s.RecordPayouts(ctxT(), finance, run.ID, []models.PayoutCandidate{c}); err != nil {
					t.Errorf("rising run %d: %v", g, err)
				}
			})
		}
		wg2.Wait()
		rising, err := s.ListPayouts(ctxT(), models.PayoutFilter{Subject: "RISING"})
		check(t, err)
		sum := models.Money{}
		for i, p := range rising {
			sum = sum.Add(p.Amount)
			if p.Seq != i+1 {
				t.Errorf("payout %d of the rising key has seq %d, want %d", i, p.Seq, i+1)
			}
		}
		if want := models.Yuan(100 + 10*(runs-1)); sum != want {
			t.Errorf("rising key recorded %s in %d parts, want exactly %s", sum, len(rising), want)
		}
	})
}

func TestTransitionPayout(t *testing.T) {
	eachKind(t, func(t *testing.T, s *store.Store) {
		run := newRun(t, s)
		// newPayout records a fresh pending payout and moves it through path.
		next := 0
		newPayout := func(t *testing.T, path ...string) models.Payout {
			t.Helper()
			next++
			ps, err := s.RecordPayouts(ctxT(), finance, run.ID, []models.PayoutCandidate{
				{Rule: "donation-match", Subject: fmt.Sprintf("U%d", next), GrantYear: 2025, Total: models.Yuan(10), Decision: json.RawMessage(`{"n":1}`)},
			})
			check(t, err)
			p := ps[0]
			for _, to := range path {
				p, err = s.TransitionPayout(ctxT(), finance, models.PayoutTransition{ID: p.ID, To: to, Reason: "理由"})
				check(t, err)
			}
			return p
		}

		for _, tc := range []struct {
			name    string
			path    []string // to reach the starting status
			to      string
			reason  string
			code    models.ErrorCode // "" for success
			message string           // of the conflict, in English
		}{
			{name: "approve pending", to: "approved"},
			{name: "reject pending", to: "rejected", reason: "材料不全"},
			{name: "pay approved", path: []string{"approved"}, to: "paid"},
			{name: "pay pending", to: "paid", code: models.CodeConflict, message: "payout %d is pending: only a payout that is approved can be marked paid"},
			{name: "approve approved", path: []string{"approved"}, to: "approved", code: models.CodeConflict, message: "payout %d is approved: only a payout that is pending can be approved"},
			{name: "reject approved", path: []string{"approved"}, to: "rejected", reason: "r", code: models.CodeConflict, message: "payout %d is approved: only a payout that is pending can be rejected"},
			{name: "approve rejected", path: []string{"rejected"}, to: "approved", code: models.CodeConflict, message: "payout %d is rejected: only a payout that is pending can be approved"},
			{name: "pay paid", path: []string{"approved", "paid"}, to: "paid", code: models.CodeConflict, message: "payout %d is paid: only a payout that is approved can be marked paid"},
			{name: "reject without reason", to: "rejected", reason: "  ", code: models.CodeInvalid},
			{name: "unknown status", to: "cancelled", code: models.CodeInvalid},
			{name: "back to pending", path: []string{"approved"}, to: "pending", code: models.CodeInvalid},
		} {
			t.Run(tc.name, func(t *testing.T) {
				p := newPayout(t, tc.path...)
				got, err := s.TransitionPayout(ctxT(), tax, models.PayoutTransition{ID: p.ID, To: tc.to, Reason: tc.reason})
				if tc.code != "" {
					wantCode(t, err, tc.code)
					var e *models.Error
					if tc.message != "" && errors.As(err, &e) && (e.Message.En != fmt.Sprintf(tc.message, p.ID) || e.Message.Zh == "") {
						t.Errorf("conflict message = %q (%q), want %q", e.Message.En, e.Message.Zh, fmt.Sprintf(tc.message, p.ID))
					}
					after, err := s.GetPayout(ctxT(), p.ID)
					check(t, err)
					if after.Status != p.Status {
						t.Errorf("status after a refused transition = %s, want %s", after.Status, p.Status)
					}
					return
				}
				check(t, err)
				want := p
				want.Status, want.Decision = tc.to, json.RawMessage(`{"n":1}`)
				want.ApprovedAt, want.PaidAt, want.RejectedAt = got.ApprovedAt, got.PaidAt, got.RejectedAt
				switch tc.to {
				case "rejected":
					want.Reason = tc.reason
				case "approved":
					want.ApprovedBy = tax.KeyID
				case "paid":
					want.ApprovedBy = finance.KeyID // who approved it on the way
				}
				if diff := cmp.Diff(want, got, cmpModels); diff != "" {
					t.Errorf("transitioned payout (-want +got):\n%s", diff)
				}
				stamp := map[string]bool{"approved": got.ApprovedAt != nil, "paid": got.PaidAt != nil, "rejected": got.RejectedAt != nil}
				if !stamp[tc.to] {
					t.Errorf("%s_at not set: %+v", tc.to, got)
				}
				stored, err := s.GetPayout(ctxT(), p.ID)
				check(t, err)
				if diff := cmp.Diff(got, stored, cmpModels); diff != "" {
					t.Errorf("GetPayout after the transition (-want +got):\n%s", diff)
				}
				audit := auditOf(t, s, "payout", strconv.FormatInt(p.ID, 10))
				last := audit[len(audit)-1]
				before, after := decode[models.Payout](t, last.Before), decode[models.Payout](t, last.After)
				if last.Action != "transition" || last.KeyID != tax.KeyID || before.Status != p.Status || after.Status != tc.to {
					t.Errorf("audit entry = %+v, before %s, after %s", last, last.Before, last.After)
				}
			})
		}
		_, err := s.TransitionPayout(ctxT(), finance, models.PayoutTransition{ID: 99999, To: "approved"})
		wantCode(t, err, models.CodeNotFound)
	})
}

// Sixteen officers approving one payout at once: one succeeds, fifteen are
// told it is approved already.
func TestTransitionPayoutConcurrent(t *testing.T) {
	eachKind(t, func(t *testing.T, s *store.Store) {
		run := newRun(t, s)
		ps, err := s.RecordPayouts(ctxT(), finance, run.ID, []models.PayoutCandidate{{Rule: "donation-match", Subject: "WZU", GrantYear: 2025, Total: models.Yuan(10)}})
		check(t, err)
		id := ps[0].ID

		const officers = 16
		errs := make([]error, officers)
		var wg sync.WaitGroup
		for i := range officers {
			wg.Go(func() {
				_, errs[i] = s.TransitionPayout(ctxT(), finance, models.PayoutTransition{ID: id, To: "approved"})
			})
		}
		wg.Wait()
		if diff := cmp.Diff(map[models.ErrorCode]int{"ok": 1, models.CodeConflict: officers - 1}, outcomes(errs)); diff != "" {
			t.Errorf("outcomes (-want +got):\n%s", diff)
		}
		if audit := auditOf(t, s, "payout", strconv.FormatInt(id, 10)); len(audit) != 2 {
			t.Errorf("audit entries = %d, want 2 (create, one approval)", len(audit))
		}
	})
}

func TestListPayouts(t *testing.T) {
	eachKind(t, func(t *testing.T, s *store.Store) {
		run1, run2 := newRun(t, s), newRun(t, s)
		decision := json.RawMessage(`{"rule":"cert-grant","amount":"100.00"}`)
		a, err := s.RecordPayouts(ctxT(), finance, run1.ID, []models.PayoutCandidate{
			{Rule: "cert-grant", Subject: creditCode(1), Level: "city", Total: models.Yuan(100), Payer: models.LocalFinanceBureau("330382"), Decision: decision},
			{Rule: "donation-match", Subject: "WZU", GrantYear: 2025, Total: models.Yuan(200), Payer: models.CityFinanceBureau, Decision: decision},
		})
		check(t, err)
		b, err := s.RecordPayouts(ctxT(), finance, run2.ID, []models.PayoutCandidate{
			{Rule: "cert-grant", Subject: creditCode(2), Level: "national", Total: models.Yuan(300), Payer: models.CityFinanceBureau},
		})
		check(t, err)
		approved, err := s.TransitionPayout(ctxT(), finance, models.PayoutTransition{ID: a[1].ID, To: "approved"})
		check(t, err)
		approved.Decision = nil
		grant1, match, grant2 := a[0], approved, b[0]

		for _, tc := range []struct {
			name string
			f    models.PayoutFilter
			want []models.Payout
		}{
			{"all", models.PayoutFilter{}, []models.Payout{grant1, match, grant2}},
			{"rule", models.PayoutFilter{Rule: "cert-grant"}, []models.Payout{grant1, grant2}},
			{"status", models.PayoutFilter{Status: "approved"}, []models.Payout{match}},
			{"subject", models.PayoutFilter{Subject: creditCode(2)}, []models.Payout{grant2}},
			{"payer", models.PayoutFilter{Payer: "330300"}, []models.Payout{match, grant2}},
			{"run", models.PayoutFilter{RunID: run1.ID}, []models.Payout{grant1, match}},
			{"page", models.PayoutFilter{AfterID: grant1.ID, Limit: 1}, []models.Payout{match}},
			{"none", models.PayoutFilter{Status: "paid"}, []models.Payout{}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got, err := s.ListPayouts(ctxT(), tc.f)
				check(t, err)
				if diff := cmp.Diff(tc.want, got, cmpModels); diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
			})
		}

		got, err := s.GetPayout(ctxT(), grant1.ID)
		check(t, err)
		want := grant1
		want.Decision = decision // byte for byte, on either database
		if diff := cmp.Diff(want, got, cmpModels); diff != "" {
			t.Errorf("GetPayout (-want +got):\n%s", diff)
		}
		_, err = s.GetPayout(ctxT(), 99999)
		wantCode(t, err, models.CodeNotFound)
	})
}
