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

var (
	clerk    = models.Actor{KeyID: "key_clerk", Role: models.RoleEnterprise}
	reviewer = models.Actor{KeyID: "key_reviewer", Role: models.RoleFinance}
)

// certApplication is an application of enterprise code for a national
// certification, evaluated as eligible for amount.
func certApplication(code, on, amount string) models.Application {
	return models.Application{
		Subject: code, SubjectKind: models.KindEnterprise, Rule: models.RuleCertGrant,
		Certifications: []models.ApplicationCertification{{Level: models.LevelNational, CertifiedOn: models.MustDate(on), CertificateNo: "N-" + on}},
		Evaluation: models.ApplicationEvaluation{
			AsOf: models.MustDate("2025-06-30"), Ruleset: models.Ruleset{Version: "v", Digest: "sha256:d"},
			RuleResult: models.RuleResult{Rule: models.RuleCertGrant, Eligible: true, Amount: models.MustMoney(amount)},
		},
	}
}

// donationApplication is an application of university code for grantYear
// with donations of the given receipt numbers.
func donationApplication(code string, grantYear int, receipts ...string) models.Application {
	a := models.Application{
		Subject: code, SubjectKind: models.KindUniversity, Rule: models.RuleDonationMatch, GrantYear: grantYear,
		Evaluation: models.ApplicationEvaluation{RuleResult: models.RuleResult{Rule: models.RuleDonationMatch}},
	}
	for _, r := range receipts {
		a.Donations = append(a.Donations, models.ApplicationDonation{
			Amount: models.MustMoney("1000.00"), Form: "cash", ViaFoundation: true, ArrivedOn: models.MustDate("2024-05-06"), ReceiptNo: r,
		})
	}
	return a
}

// keep is an Evaluate that keeps the evaluation, noting the facts it got.
func keep(seen *models.Subject) func(models.Application, models.Subject) (models.ApplicationEvaluation, error) {
	return func(a models.Application, s models.Subject) (models.ApplicationEvaluation, error) {
		*seen = s
		return a.Evaluation, nil
	}
}

// TestApplicationLifecycle: submitted, returned, corrected, accepted, with
// the history, versions and audit entries of each step; an accepted
// application's facts enter the registry once, linked to it.
func TestApplicationLifecycle(t *testing.T) {
	eachKind(t, func(t *testing.T, s *store.Store) {
		code := creditCode(1)
		putEnterprise(t, s, models.EnterpriseRecord{CreditCode: code})
		a, err := s.CreateApplication(ctxT(), clerk, certApplication(code, "2025-03-01", "500000.00"))
		check(t, err)
		if a.ID == 0 || a.Status != models.ApplicationSubmitted || a.Version != 1 || a.KeyID != clerk.KeyID || len(a.History) != 1 || a.Evaluation.Amount.String() != "500000.00" {
			t.Fatalf("created %+v", a)
		}
		// Another open application of the subject for the rule is refused.
		_, err = s.CreateApplication(ctxT(), clerk, certApplication(code, "2025-04-01", "500000.00"))
		wantCode(t, err, models.CodeConflict)

		// A transition the status does not allow, or one a check refuses,
		// changes nothing.
		_, err = s.TransitionApplication(ctxT(), clerk, a.ID, models.ApplicationTransition{To: models.ApplicationSubmitted, Corrected: &a})
		wantCode(t, err, models.CodeConflict)
		refused := errors.New("refused")
		_, err = s.TransitionApplication(ctxT(), reviewer, a.ID, models.ApplicationTransition{To: models.ApplicationRejected, Reason: "x", Check: func(models.Application) error { return refused }})
		if !errors.Is(err, refused) {
			t.Fatalf("a refusing check: %v", err)
		}
		_, err = s.TransitionApplication(ctxT(), reviewer, 999, models.ApplicationTransition{To: models.ApplicationAccepted})
		wantCode(t, err, models.CodeNotFound)

		a, err = s.TransitionApplication(ctxT(), reviewer, a.ID, models.ApplicationTransition{To: models.ApplicationReturned, Reason: " 日期有误 "})
		check(t, err)
		if a.Status != models.ApplicationReturned || a.Reason != "日期有误" || a.Version != 2 {
			t.Fatalf("returned %+v", a)
		}
		corrected := certApplication(code, "2025-03-02", "500000.00")
		a, err = s.TransitionApplication(ctxT(), clerk, a.ID, models.ApplicationTransition{To: models.ApplicationSubmitted, Corrected: &corrected})
		check(t, err)
		if a.Status != models.ApplicationSubmitted || a.Reason != "" || a.Certifications[0].CertifiedOn.String() != "2025-03-02" || a.Version != 3 {
			t.Fatalf("corrected %+v", a)
		}

		var seen models.Subject
		a, err = s.TransitionApplication(ctxT(), reviewer, a.ID, models.ApplicationTransition{To: models.ApplicationAccepted, Evaluate: keep(&seen)})
		check(t, err)
		if a.Status != models.ApplicationAccepted || a.Version != 4 {
			t.Fatalf("accepted %+v", a)
		}
		// Evaluate saw the registry with the certification recorded.
		if seen.Enterprise == nil || len(seen.Enterprise.Certifications) != 1 || seen.Enterprise.Certifications[0].CertifiedOn.String() != "2025-03-02" {
			t.Errorf("evaluated on %+v", seen.Enterprise)
		}
		var history []string
		for _, e := range a.History {
			history = append(history, fmt.Sprintf("%s v%d %s %s", e.Status, e.Version, e.KeyID, e.Reason))
		}
		want := []string{
			"submitted v1 key_clerk ", "returned v2 key_reviewer 日期有误",
			"submitted v3 key_clerk ", "accepted v4 key_reviewer ",
		}
		if diff := cmp.Diff(want, history); diff != "" {
			t.Errorf("history (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(a, must(t)(s.GetApplication(ctxT(), a.ID)), cmpModels); diff != "" {
			t.Errorf("read back (-answer +stored):\n%s", diff)
		}

		certs, err := s.ListCertifications(ctxT(), code)
		check(t, err)
		if len(certs) != 1 || certs[0].ApplicationID != a.ID || certs[0].CertificateNo != "N-2025-03-02" {
			t.Fatalf("registry %+v", certs)
		}
		// Accepting again is a conflict and records nothing.
		_, err = s.TransitionApplication(ctxT(), reviewer, a.ID, models.ApplicationTransition{To: models.ApplicationAccepted, Evaluate: keep(&seen)})
		wantCode(t, err, models.CodeConflict)
		if certs, _ := s.ListCertifications(ctxT(), code); len(certs) != 1 {
			t.Errorf("%d certifications after accepting twice", len(certs))
		}

		var actions []string
		for _, e := range auditOf(t, s, "application", fmt.Sprint(a.ID)) {
			actions = append(actions, e.Action+" "+e.KeyID)
		}
		if diff := cmp.Diff([]string{"create key_clerk", "transition key_reviewer", "transition key_clerk", "transition key_reviewer"}, actions); diff != "" {
			t.Errorf("audit (-want +got):\n%s", diff)
		}
		if got := auditOf(t, s, "certification", fmt.Sprint(certs[0].ID)); len(got) != 1 || got[0].KeyID != reviewer.KeyID {
			t.Errorf("the certification's audit %+v", got)
		}

		// Closed, the subject may apply again.
		_, err = s.CreateApplication(ctxT(), clerk, certApplication(code, "2025-05-01", "0.00"))
		check(t, err)
	})
}

// TestAcceptRecordsOnce: a certification the registry got meanwhile is not
// recorded twice; a receipt recorded meanwhile refuses the acceptance whole.
func TestAcceptRecordsOnce(t *testing.T) {
	eachKind(t, func(t *testing.T, s *store.Store) {
		code := creditCode(2)
		putEnterprise(t, s, models.EnterpriseRecord{CreditCode: code})
		a, err := s.CreateApplication(ctxT(), clerk, certApplication(code, "2025-03-01", "1"))
		check(t, err)
		addCert(t, s, code, models.LevelNational, "2025-03-01") // an imported list caught up
		var seen models.Subject
		_, err = s.TransitionApplication(ctxT(), reviewer, a.ID, models.ApplicationTransition{To: models.ApplicationAccepted, Evaluate: keep(&seen)})
		check(t, err)
		if certs, _ := s.ListCertifications(ctxT(), code); len(certs) != 1 || certs[0].ApplicationID != 0 {
			t.Errorf("registry %+v", certs)
		}

		putUniversity(t, s, "wzvtc")
		first, err := s.CreateApplication(ctxT(), clerk, donationApplication("wzvtc", 2025, "R1", "R2"))
		check(t, err)
		second, err := s.CreateApplication(ctxT(), clerk, donationApplication("wzvtc", 2026, "R3", "R2"))
		check(t, err)
		_, err = s.TransitionApplication(ctxT(), reviewer, first.ID, models.ApplicationTransition{To: models.ApplicationAccepted, Evaluate: keep(&seen)})
		check(t, err)
		if seen.University == nil || len(seen.University.Donations) != 2 {
			t.Errorf("evaluated on %+v", seen.University)
		}
		_, err = s.TransitionApplication(ctxT(), reviewer, second.ID, models.ApplicationTransition{To: models.ApplicationAccepted, Evaluate: keep(&seen)})
		wantCode(t, err, models.CodeConflict)
		if !strings.Contains(err.Error(), "R2") {
			t.Errorf("the conflict does not name the receipt: %v", err)
		}
		donations, err := s.ListDonations(ctxT(), "wzvtc")
		check(t, err)
		var receipts []string
		for _, d := range donations {
			receipts = append(receipts, fmt.Sprintf("%s@%d", d.ReceiptNo, d.ApplicationID))
		}
		if diff := cmp.Diff([]string{fmt.Sprintf("R1@%d", first.ID), fmt.Sprintf("R2@%d", first.ID)}, receipts); diff != "" {
			t.Errorf("donations (-want +got):\n%s", diff)
		}
		if got := must(t)(s.GetApplication(ctxT(), second.ID)); got.Status != models.ApplicationSubmitted || got.Version != 1 {
			t.Errorf("the refused acceptance changed the application: %+v", got)
		}
	})
}

// TestConcurrentApplications: of concurrent submissions one is recorded, of
// concurrent acceptances one records the facts.
func TestConcurrentApplications(t *testing.T) {
	eachKind(t, func(t *testing.T, s *store.Store) {
		putUniversity(t, s, "wzvtc")
		accept := func(id int64) error {
			var seen models.Subject
			_, err := s.TransitionApplication(ctxT(), reviewer, id, models.ApplicationTransition{To: models.ApplicationAccepted, Evaluate: keep(&seen)})
			return err
		}
		got := concurrently(8, func(i int) error {
			_, err := s.CreateApplication(ctxT(), clerk, donationApplication("wzvtc", 2025, fmt.Sprint("R", i)))
			return err
		})
		if diff := cmp.Diff(map[models.ErrorCode]int{"ok": 1, models.CodeConflict: 7}, got); diff != "" {
			t.Errorf("submissions (-want +got):\n%s", diff)
		}
		list, err := s.ListApplications(ctxT(), models.ApplicationFilter{Status: models.ApplicationSubmitted})
		check(t, err)
		if len(list) != 1 {
			t.Fatalf("%d open applications", len(list))
		}

		got = concurrently(8, func(int) error { return accept(list[0].ID) })
		if diff := cmp.Diff(map[models.ErrorCode]int{"ok": 1, models.CodeConflict: 7}, got); diff != "" {
			t.Errorf("acceptances (-want +got):\n%s", diff)
		}
		if donations, _ := s.ListDonations(ctxT(), "wzvtc"); len(donations) != 1 {
			t.Errorf("%d donations recorded", len(donations))
		}

		// Two applications claiming one receipt, accepted at once: one
		// records it, the other is refused whole.
		x, err := s.CreateApplication(ctxT(), clerk, donationApplication("wzvtc", 2026, "S1", "S2"))
		check(t, err)
		y, err := s.CreateApplication(ctxT(), clerk, donationApplication("wzvtc", 2027, "S3", "S1"))
		check(t, err)
		got = concurrently(2, func(i int) error { return accept([]int64{x.ID, y.ID}[i]) })
		if diff := cmp.Diff(map[models.ErrorCode]int{"ok": 1, models.CodeConflict: 1}, got); diff != "" {
			t.Errorf("one receipt accepted twice at once (-want +got):\n%s", diff)
		}
		if donations, _ := s.ListDonations(ctxT(), "wzvtc"); len(donations) != 3 {
			t.Errorf("%d donations recorded, want 3", len(donations))
		}
	})
}

// concurrently calls fn(0) … fn(n-1) at once and counts their errors by
// code ("ok" for none).
func concurrently(n int, fn func(i int) error) map[models.ErrorCode]int {
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- fn(i)
		}()
	}
	wg.Wait()
	close(errs)
	count := map[models.ErrorCode]int{}
	for err := range errs {
		code := models.ErrorCode("ok")
		if err != nil {
			code = models.CodeOf(err)
		}
		count[code]++
	}
	return count
}

// TestAttachments: evidence is numbered per application, kept byte for
// byte, limited in number, and taken only while the application is open.
func TestAttachments(t *testing.T) {
	eachKind(t, func(t *testing.T, s *store.Store) {
		putUniversity(t, s, "wzvtc")
		a, err := s.CreateApplication(ctxT(), clerk, donationApplication("wzvtc", 2025, "R1"))
		check(t, err)
		data := []byte("%PDF-1.7\x00\xff binary")
		info, err := s.AddAttachment(ctxT(), clerk, a.ID, models.Attachment{AttachmentInfo: models.AttachmentInfo{Name: "票据.pdf", ContentType: "application/pdf"}, Data: data})
		check(t, err)
		if info.N != 1 || info.Size != int64(len(data)) || info.KeyID != clerk.KeyID || len(info.SHA256) != 64 {
			t.Errorf("attached %+v", info)
		}
		got, err := s.GetAttachment(ctxT(), a.ID, 1)
		check(t, err)
		if string(got.Data) != string(data) || got.Name != "票据.pdf" {
			t.Errorf("read back %+v", got)
		}
		_, err = s.GetAttachment(ctxT(), a.ID, 2)
		wantCode(t, err, models.CodeNotFound)
		_, err = s.AddAttachment(ctxT(), clerk, 999, models.Attachment{AttachmentInfo: models.AttachmentInfo{ContentType: "image/png"}, Data: data})
		wantCode(t, err, models.CodeNotFound)
		for range models.MaxAttachments - 1 {
			_, err := s.AddAttachment(ctxT(), clerk, a.ID, models.Attachment{AttachmentInfo: models.AttachmentInfo{ContentType: "image/png"}, Data: data})
			check(t, err)
		}
		_, err = s.AddAttachment(ctxT(), clerk, a.ID, models.Attachment{AttachmentInfo: models.AttachmentInfo{ContentType: "image/png"}, Data: data})
		wantCode(t, err, models.CodeConflict)
		a, err = s.GetApplication(ctxT(), a.ID)
		check(t, err)
		if len(a.Attachments) != models.MaxAttachments || a.Attachments[19].N != 20 || a.Version != 1+models.MaxAttachments {
			t.Errorf("%d attachments, version %d", len(a.Attachments), a.Version)
		}
		if got := auditOf(t, s, "attachment", fmt.Sprintf("%d/1", a.ID)); len(got) != 1 {
			t.Errorf("evidence audit %+v", got)
		}

		b, err := s.CreateApplication(ctxT(), clerk, donationApplication("wzvtc", 2026, "R2"))
		check(t, err)
		_, err = s.TransitionApplication(ctxT(), reviewer, b.ID, models.ApplicationTransition{To: models.ApplicationRejected, Reason: "不符合条件"})
		check(t, err)
		_, err = s.AddAttachment(ctxT(), clerk, b.ID, models.Attachment{AttachmentInfo: models.AttachmentInfo{ContentType: "image/png"}, Data: data})
		wantCode(t, err, models.CodeConflict)
	})
}

// TestApplicationConstraints: the database refuses what the service never
// writes: a status without a reason, a cert-grant application with a grant
// year, evidence of another type.
func TestApplicationConstraints(t *testing.T) {
	eachKind(t, func(t *testing.T, s *store.Store) {
		putUniversity(t, s, "wzvtc")
		a := certApplication("wzvtc", "2025-03-01", "1")
		a.GrantYear = 2025
		_, err := s.CreateApplication(ctxT(), clerk, a)
		wantCode(t, err, models.CodeInvalid)
		b, err := s.CreateApplication(ctxT(), clerk, donationApplication("wzvtc", 2025, "R1"))
		check(t, err)
		_, err = s.TransitionApplication(ctxT(), reviewer, b.ID, models.ApplicationTransition{To: models.ApplicationReturned, Reason: "  "})
		wantCode(t, err, models.CodeInvalid)
		_, err = s.AddAttachment(ctxT(), clerk, b.ID, models.Attachment{AttachmentInfo: models.AttachmentInfo{ContentType: "text/html"}, Data: []byte("<p>")})
		wantCode(t, err, models.CodeInvalid)
	})
}

// must returns a function that fails the test on an error and returns the value.
func must(t testing.TB) func(models.Application, error) models.Application {
	return func(a models.Application, err error) models.Application {
		t.Helper()
		check(t, err)
		return a
	}
}
