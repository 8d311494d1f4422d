package store_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wenzhou-subsidy/subsidy/models"
	"github.com/wenzhou-subsidy/subsidy/store"
)

var approver = models.Actor{KeyID: "key_approver", Role: models.RoleFinance, RequestID: "req-3"}

func TestPayees(t *testing.T) {
	eachKind(t, func(t *testing.T, s *store.Store) {
		acct := &models.Payee{AccountName: "示例电气有限公司", AccountNo: "6222021203001234567", BankName: "中国工商银行乐清支行"}
		code := creditCode(1)
		e, created, err := s.PutEnterprise(ctxT(), finance, models.EnterpriseRecord{CreditCode: code, Name: "示例电气", Region: "330382", Payee: acct})
		check(t, err)
		if !created || !cmp.Equal(e.Payee, acct) {
			t.Fatalf("created %v with payee %+v", created, e.Payee)
		}
		// A correction that leaves the payee out keeps it; one that gives it replaces it.
		e, _, err = s.PutEnterprise(ctxT(), finance, models.EnterpriseRecord{CreditCode: code, Name: "示例电气有限公司", Region: "330382"})
		check(t, err)
		if !cmp.Equal(e.Payee, acct) {
			t.Errorf("payee after a correction without one: %+v", e.Payee)
		}
		moved := &models.Payee{AccountName: "示例电气有限公司", AccountNo: "33050162000000000001", BankName: "中国建设银行温州分行"}
		e, _, err = s.PutEnterprise(ctxT(), finance, models.EnterpriseRecord{CreditCode: code, Name: "示例电气有限公司", Region: "330382", Payee: moved})
		check(t, err)
		got, err := s.GetEnterprise(ctxT(), code)
		check(t, err)
		if !cmp.Equal(e.Payee, moved) || !cmp.Equal(got.Payee, moved) {
			t.Errorf("replaced payee %+v, stored %+v", e.Payee, got.Payee)
		}
		// The change is audited, before and after.
		audit := auditOf(t, s, "enterprise", code)
		last := audit[len(audit)-1]
		before, after := decode[models.EnterpriseRecord](t, last.Before), decode[models.EnterpriseRecord](t, last.After)
		if !cmp.Equal(before.Payee, acct) || !cmp.Equal(after.Payee, moved) {
			t.Errorf("audit before %s after %s", last.Before, last.After)
		}

		uni := &models.Payee{AccountName: "温州职业技术学院", AccountNo: "12345678", BankName: "温州银行"}
		_, _, err = s.PutUniversity(ctxT(), finance, models.UniversityRecord{Code: "wzvtc", Name: "温州职业技术学院", Ownership: "public", Affiliation: "city", Payee: uni})
		check(t, err)
		u, _, err := s.PutUniversity(ctxT(), finance, models.UniversityRecord{Code: "wzvtc", Name: "温州职业技术学院", Ownership: "public", Affiliation: "city"})
		check(t, err)
		if !cmp.Equal(u.Payee, uni) {
			t.Errorf("university payee after a correction without one: %+v", u.Payee)
		}
		putEnterprise(t, s, models.EnterpriseRecord{CreditCode: creditCode(2)})

		payees, err := s.Payees(ctxT(), []string{code, "wzvtc", creditCode(2), "nobody", code})
		check(t, err)
		if diff := cmp.Diff(map[string]models.Payee{code: *moved, "wzvtc": *uni}, payees); diff != "" {
			t.Errorf("Payees (-want +got):\n%s", diff)
		}

		// The database is the last line: half an account, or a short number, is refused.
		for _, bad := range []models.Payee{
			{AccountName: "x", AccountNo: "1234567", BankName: "y"},
			{AccountName: "", AccountNo: "12345678", BankName: "y"},
		} {
			_, _, err := s.PutEnterprise(ctxT(), finance, models.EnterpriseRecord{CreditCode: code, Name: "x", Region: "330382", Payee: &bad})
			wantCode(t, err, models.CodeInvalid)
		}
	})
}

// recordOne records one payout of total for a key in run.
func recordOne(t *testing.T, s *store.Store, actor models.Actor, runID int64, c models.PayoutCandidate) models.Payout {
	t.Helper()
	ps, err := s.RecordPayouts(ctxT(), actor, runID, []models.PayoutCandidate{c})
	check(t, err)
	if len(ps) != 1 {
		t.Fatalf("recorded %d payouts, want 1", len(ps))
	}
	return ps[0]
}

func TestPayoutsDue(t *testing.T) {
	eachKind(t, func(t *testing.T, s *store.Store) {
		run := newRun(t, s)
		grant := models.PayoutCandidate{Rule: "cert-grant", Subject: creditCode(1), Level: "city", Total: models.Yuan(50000)}
		match := models.PayoutCandidate{Rule: "donation-match", Subject: "wzvtc", GrantYear: 2025, Total: models.Yuan(100)}
		recordOne(t, s, finance, run.ID, grant)
		recordOne(t, s, finance, run.ID, match)

		raisedGrant := grant
		raisedGrant.Total = models.Yuan(80000) // a level is paid once, whatever its amount
		raisedMatch := match
		raisedMatch.Total = models.Yuan(130)
		newGrant := models.PayoutCandidate{Rule: "cert-grant", Subject: creditCode(1), Level: "province", Total: models.Yuan(200000)}
		otherYear := match
		otherYear.GrantYear = 2026
		cands := []models.PayoutCandidate{raisedGrant, raisedMatch, newGrant, otherYear, match, newGrant}
		due, err := s.PayoutsDue(ctxT(), cands)
		check(t, err)
		// The second province grant is limited by the first in the same call, as RecordPayouts would.
		want := []models.Money{models.Yuan(0), models.Yuan(30), models.Yuan(200000), models.Yuan(100), models.Yuan(0), models.Yuan(0)}
		if diff := cmp.Diff(want, due, cmpModels); diff != "" {
			t.Errorf("PayoutsDue (-want +got):\n%s", diff)
		}
		// Nothing was recorded; RecordPayouts then records exactly that.
		created, err := s.RecordPayouts(ctxT(), finance, run.ID, cands)
		check(t, err)
		var total models.Money
		for _, p := range created {
			total = total.Add(p.Amount)
		}
		if len(created) != 3 || total != models.Yuan(200130) {
			t.Errorf("RecordPayouts after PayoutsDue recorded %d payouts, %s", len(created), total)
		}
		if due, err := s.PayoutsDue(ctxT(), cands); err != nil || !cmp.Equal(due, make([]models.Money, len(cands)), cmpModels) {
			t.Errorf("PayoutsDue once recorded = %v, %v; want zeros", due, err)
		}
	})
}

func TestFourEyes(t *testing.T) {
	eachKind(t, func(t *testing.T, s *store.Store) {
		run := newRun(t, s) // started by finance
		next := 0
		payout := func() models.Payout {
			next++
			return recordOne(t, s, finance, run.ID, models.PayoutCandidate{Rule: "donation-match", Subject: fmt.Sprintf("U%d", next), GrantYear: 2025, Total: models.Yuan(10)})
		}
		move := func(actor models.Actor, id int64, to string, fourEyes bool) error {
			_, err := s.TransitionPayout(ctxT(), actor, models.PayoutTransition{ID: id, To: to, Reason: "理由", FourEyes: fourEyes})
			return err
		}

		// The clerk who started the run may neither approve nor reject its payouts.
		p := payout()
		for _, to := range []string{models.PayoutApproved, models.PayoutRejected} {
			err := move(finance, p.ID, to, true)
			wantCode(t, err, models.CodeForbidden)
			var e *models.Error
			if errors.As(err, &e) && (!strings.Contains(e.Message.Zh, "审核与经办分离") || !strings.Contains(e.Message.En, "four eyes")) {
				t.Errorf("four-eyes message %+v", e.Message)
			}
		}
		// Another key approves; the approver may not mark it paid; the clerk may.
		check(t, move(approver, p.ID, models.PayoutApproved, true))
		wantCode(t, move(approver, p.ID, models.PayoutPaid, true), models.CodeForbidden)
		check(t, move(finance, p.ID, models.PayoutPaid, true))
		got, err := s.GetPayout(ctxT(), p.ID)
		check(t, err)
		if got.Status != models.PayoutPaid || got.ApprovedBy != approver.KeyID {
			t.Errorf("payout %+v", got)
		}
		// The status is checked first: a payout that is not pending is a conflict to anyone.
		wantCode(t, move(finance, p.ID, models.PayoutApproved, true), models.CodeConflict)

		// Turned off (a one-person office), one key does it all.
		q := payout()
		check(t, move(finance, q.ID, models.PayoutApproved, false))
		check(t, move(finance, q.ID, models.PayoutPaid, false))
	})
}

func TestBudgets(t *testing.T) {
	eachKind(t, func(t *testing.T, s *store.Store) {
		leqing := models.LocalFinanceBureau("330382")
		b, created, err := s.PutBudget(ctxT(), finance, leqing, 2025, models.Yuan(300000))
		check(t, err)
		want := models.Budget{Payer: leqing, Year: 2025, Amount: models.Yuan(300000), Remaining: models.Yuan(300000), UpdatedAt: b.UpdatedAt}
		if diff := cmp.Diff(want, b, cmpModels); !created || diff != "" {
			t.Errorf("created %v (-want +got):\n%s", created, diff)
		}

		run := newRun(t, s) // grant year 2025
		old, err := s.CreateRun(ctxT(), finance, models.PayoutRun{AsOf: models.MustDate("2024-06-30"), Rules: []string{"cert-grant"}, GrantYear: 2024})
		check(t, err)
		grant := func(runID int64, i int, level string, yuan int64) models.Payout {
			return recordOne(t, s, finance, runID, models.PayoutCandidate{Rule: "cert-grant", Subject: creditCode(i), Level: level, Total: models.Yuan(yuan), Payer: leqing})
		}
		approve := func(id int64) error {
			_, err := s.TransitionPayout(ctxT(), approver, models.PayoutTransition{ID: id, To: models.PayoutApproved, FourEyes: true})
			return err
		}
		a := grant(run.ID, 1, "province", 200000)
		c := grant(run.ID, 2, "city", 50000)
		d := grant(run.ID, 3, "province", 200000)
		r := grant(run.ID, 4, "city", 50000)
		prior := grant(old.ID, 5, "national", 500000) // grant year 2024: not this budget's
		check(t, approve(a.ID))
		check(t, approve(c.ID))
		check(t, approve(prior.ID)) // no 2024 budget: not limited
		_, err = s.TransitionPayout(ctxT(), finance, models.PayoutTransition{ID: a.ID, To: models.PayoutPaid, FourEyes: true})
		check(t, err)
		_, err = s.TransitionPayout(ctxT(), approver, models.PayoutTransition{ID: r.ID, To: models.PayoutRejected, Reason: "注销", FourEyes: true})
		check(t, err)

		// 250,000 committed (paid and approved); 50,000 left: d's 200,000 is refused, and stays pending.
		err = approve(d.ID)
		wantCode(t, err, models.CodeConflict)
		var e *models.Error
		if errors.As(err, &e) {
			if wantEn := fmt.Sprintf("over budget: the 2025 budget of 乐清市财政局 (330382) is 300,000.00 yuan, of which 250,000.00 is committed; the 50,000.00 yuan remaining do not cover payout %d of 200,000.00 yuan", d.ID); e.Message.En != wantEn {
				t.Errorf("message\n%s\nwant\n%s", e.Message.En, wantEn)
			}
			if !strings.Contains(e.Message.Zh, "可用余额 50,000.00 元") {
				t.Errorf("message %s", e.Message.Zh)
			}
		}
		if got, _ := s.GetPayout(ctxT(), d.ID); got.Status != models.PayoutPending {
			t.Errorf("refused payout is %s", got.Status)
		}

		// Raised, it fits exactly.
		b, created, err = s.PutBudget(ctxT(), finance, leqing, 2025, models.Yuan(450000))
		check(t, err)
		if created || b.Committed != models.Yuan(250000) || b.Remaining != models.Yuan(200000) {
			t.Errorf("raised budget %+v (created %v)", b, created)
		}
		check(t, approve(d.ID))
		// Cut below what is committed: recorded, with a negative remainder.
		_, _, err = s.PutBudget(ctxT(), finance, leqing, 2025, models.Yuan(100000))
		check(t, err)
		city := models.CityFinanceBureau
		_, _, err = s.PutBudget(ctxT(), finance, city, 2026, models.Yuan(0))
		check(t, err)

		list, err := s.ListBudgets(ctxT(), 2025)
		check(t, err)
		if len(list) != 1 || list[0].Committed != models.Yuan(450000) || list[0].Remaining != models.Yuan(-350000) {
			t.Errorf("2025 budgets %+v", list)
		}
		all, err := s.ListBudgets(ctxT(), 0)
		check(t, err)
		if len(all) != 2 || all[0].Year != 2025 || all[1].Payer != city || !all[1].Committed.IsZero() {
			t.Errorf("every budget %+v", all)
		}
		if none, err := s.ListBudgets(ctxT(), 2030); err != nil || len(none) != 0 {
			t.Errorf("2030 budgets %+v %v", none, err)
		}

		// Every write of a budget is audited with what was set.
		audit := auditOf(t, s, "budget", "330382/2025")
		if len(audit) != 3 || audit[0].Action != "create" || audit[2].Action != "update" {
			t.Fatalf("audit %+v", audit)
		}
		type amount struct{ Amount models.Money }
		before, after := decode[amount](t, audit[2].Before), decode[amount](t, audit[2].After)
		if before.Amount != models.Yuan(450000) || after.Amount != models.Yuan(100000) {
			t.Errorf("audit of the cut: %s → %s", audit[2].Before, audit[2].After)
		}
	})
}

// TestBudgetConcurrentApprovals: sixteen approvals at once against a
// budget that fits five of them approve exactly five.
func TestBudgetConcurrentApprovals(t *testing.T) {
	eachKind(t, func(t *testing.T, s *store.Store) {
		payer := models.LocalFinanceBureau("330302")
		_, _, err := s.PutBudget(ctxT(), finance, payer, 2025, models.Yuan(55))
		check(t, err)
		run := newRun(t, s)
		const n = 16
		ids := make([]int64, n)
		for i := range n {
			ids[i] = recordOne(t, s, finance, run.ID, models.PayoutCandidate{Rule: "cert-grant", Subject: creditCode(100 + i), Level: "city", Total: models.Yuan(10), Payer: payer}).ID
		}
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				_, errs[i] = s.TransitionPayout(ctxT(), approver, models.PayoutTransition{ID: ids[i], To: models.PayoutApproved, FourEyes: true})
			})
		}
		wg.Wait()
		if diff := cmp.Diff(map[models.ErrorCode]int{"ok": 5, models.CodeConflict: n - 5}, outcomes(errs)); diff != "" {
			t.Errorf("outcomes (-want +got):\n%s", diff)
		}
		list, err := s.ListBudgets(ctxT(), 2025)
		check(t, err)
		if len(list) != 1 || list[0].Committed != models.Yuan(50) || list[0].Remaining != models.Yuan(5) {
			t.Errorf("budget after the approvals %+v", list)
		}
	})
}
