package app

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/wenzhou-subsidy/subsidy/engine"
	"github.com/wenzhou-subsidy/subsidy/models"
	"github.com/wenzhou-subsidy/subsidy/store/storetest"
)

// TestEvidenceType: evidence is taken by its content, whatever its name or
// declared type says.
func TestEvidenceType(t *testing.T) {
	const (
		pdf  = "%PDF-1.7\n%%EOF"
		png  = "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
		jpeg = "\xff\xd8\xff\xdb\x00\x43"
	)
	tests := []struct {
		declared, data, want, detected string
	}{
		{"application/pdf", pdf, "application/pdf", ""},
		{"Application/PDF; name=x.pdf", pdf, "application/pdf", ""},
		{"image/png", png, "image/png", ""},
		{"image/jpeg", jpeg, "image/jpeg", ""},
		{"application/pdf", "MZ\x90\x00\x03\x00", "", ""},        // a Windows executable renamed .pdf
		{"application/pdf", "\x7fELF\x02\x01\x01", "", ""},       // a Linux one
		{"application/pdf", " %PDF-1.7", "", ""},                 // not at the start
		{"image/png", pdf, "", "application/pdf"},                // another type of evidence
		{"application/octet-stream", pdf, "", "application/pdf"}, // a type not taken
		{"text/html", "<html>", "", ""},
		{"", jpeg, "", "image/jpeg"},
		{"not a media type", pdf, "", "application/pdf"},
	}
	for _, tt := range tests {
		got, err := evidenceType(tt.declared, []byte(tt.data))
		var media *UnsupportedMediaError
		switch {
		case tt.want != "" && (err != nil || got != tt.want):
			t.Errorf("%q as %q: %q, %v; want %q", tt.data, tt.declared, got, err, tt.want)
		case tt.want == "" && (!errors.As(err, &media) || media.Detected != tt.detected || media.Text().Zh == ""):
			t.Errorf("%q as %q: %q, %v; want refused, detected %q", tt.data, tt.declared, got, err, tt.detected)
		}
	}
}

var clerk = models.Actor{KeyID: "key_finance", Role: models.RoleFinance}

// Reviewers other than the clerk, for four eyes.
var (
	reviewer  = models.Actor{KeyID: "key_reviewer", Role: models.RoleFinance}
	reviewer2 = models.Actor{KeyID: "key_reviewer2", Role: models.RoleAdmin}
)

// The subjects the application tests register.
const (
	appEnterprise = "91330382MA2AB3C47E"
	appUniversity = "wzu"
)

// cityCertification is the application the clerk submits for the enterprise.
var cityCertification = models.ApplicationEntry{
	Subject: appEnterprise, Rule: models.RuleCertGrant,
	Certifications: []models.ApplicationCertification{{Level: models.LevelCity, CertifiedOn: models.MustDate("2025-01-02"), CertificateNo: "C1"}},
}

// applicationService returns a service over a fresh store of the given
// kind, with opts, its clock at 2025-06-30, with an enterprise and a city
// university registered.
func applicationService(t *testing.T, kind string, opts Options) *Service {
	t.Helper()
	eng, err := engine.Load(os.DirFS("../rules"))
	if err != nil {
		t.Fatal(err)
	}
	opts.Now = func() time.Time { return time.Date(2025, 6, 30, 10, 0, 0, 0, models.Wenzhou) }
	svc := New(eng, storetest.Open(t, kind), opts)
	if _, _, err := svc.PutEnterprise(t.Context(), clerk, models.EnterpriseEntry{CreditCode: appEnterprise, Name: "企业", Region: "330382"}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.PutUniversity(t.Context(), clerk, models.UniversityEntry{Code: appUniversity, Name: "温州大学", Ownership: "public", Affiliation: "city"}); err != nil {
		t.Fatal(err)
	}
	return svc
}

// submitted returns a service over a fresh SQLite store, with opts, and an
// application the clerk submitted for a registered enterprise.
func submitted(t *testing.T, opts Options) (*Service, models.Application) {
	t.Helper()
	svc := applicationService(t, storetest.SQLite, opts)
	a, err := svc.SubmitApplication(t.Context(), clerk, cityCertification)
	if err != nil {
		t.Fatal(err)
	}
	return svc, a
}

// TestEvidenceLimits: empty evidence is bad input, evidence above 5 MiB or
// of another type is refused with the errors only HTTP has a status for.
func TestEvidenceLimits(t *testing.T) {
	svc, a := submitted(t, Options{})
	_, err := svc.AddAttachment(t.Context(), clerk, a.ID, "application/pdf", "", nil)
	if models.CodeOf(err) != models.CodeInvalid {
		t.Errorf("empty: %v", err)
	}
	var large *TooLargeError
	_, err = svc.AddAttachment(t.Context(), clerk, a.ID, "application/pdf", "", make([]byte, models.MaxAttachmentSize+1))
	if !errors.As(err, &large) || large.Limit != models.MaxAttachmentSize {
		t.Errorf("too large: %v", err)
	}
	var media *UnsupportedMediaError
	_, err = svc.AddAttachment(t.Context(), clerk, a.ID, "application/pdf", "x.pdf", []byte("MZ\x90\x00"))
	if !errors.As(err, &media) {
		t.Errorf("an executable: %v", err)
	}
	info, err := svc.AddAttachment(t.Context(), clerk, a.ID, "application/pdf", "x.pdf", []byte("%PDF-1.7"))
	if err != nil || info.N != 1 {
		t.Errorf("a PDF: %+v, %v", info, err)
	}
	// The limit itself is taken: a PDF of exactly 5 MiB.
	pdf := append([]byte("%PDF-1.7\n"), make([]byte, models.MaxAttachmentSize-9)...)
	info, err = svc.AddAttachment(t.Context(), clerk, a.ID, "application/pdf", "", pdf)
	if err != nil || info.Size != models.MaxAttachmentSize {
		t.Errorf("a PDF of exactly %d bytes: %+v, %v", models.MaxAttachmentSize, info, err)
	}
	_, err = svc.AddAttachment(t.Context(), clerk, a.ID, "application/pdf", "", append(pdf, 0))
	if !errors.As(err, &large) || large.Size != models.MaxAttachmentSize+1 {
		t.Errorf("a PDF one byte above the limit: %v", err)
	}
}

// TestFourEyesSwitch: a key may not decide on the application it
// submitted, unless the office turned four eyes off.
func TestFourEyesSwitch(t *testing.T) {
	for _, tt := range []struct {
		name       string
		noFourEyes bool
		want       models.ErrorCode
	}{
		{"on by default", false, models.CodeForbidden},
		{"off", true, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			svc, a := submitted(t, Options{NoFourEyes: tt.noFourEyes})
			_, err := svc.AcceptApplication(t.Context(), clerk, a.ID, 0)
			got := models.ErrorCode("")
			if err != nil {
				got = models.CodeOf(err)
			}
			if got != tt.want {
				t.Errorf("accepting one's own: %v, want code %q", err, tt.want)
			}
		})
	}
}

// TestCorrectingWhatIsNotReturned: only a returned application may be
// corrected; an accepted one, sent again with its own facts (which the
// registry holds since it was accepted), is the store's conflict, not bad
// input.
func TestCorrectingWhatIsNotReturned(t *testing.T) {
	svc, a := submitted(t, Options{NoFourEyes: true})
	if _, err := svc.AcceptApplication(t.Context(), clerk, a.ID, 0); err != nil {
		t.Fatal(err)
	}
	entry := models.ApplicationEntry{Rule: a.Rule, Certifications: a.Certifications}
	_, err := svc.CorrectApplication(t.Context(), clerk, a.ID, 0, entry)
	_, storeErr := svc.store.TransitionApplication(t.Context(), clerk, a.ID, models.ApplicationTransition{
		To: models.ApplicationSubmitted, Corrected: &models.Application{Certifications: a.Certifications},
	})
	var got, want *models.Error
	if !errors.As(err, &got) || !errors.As(storeErr, &want) || got.Code != models.CodeConflict || got.Message != want.Message {
		t.Errorf("correcting an accepted application: %v; want the store's %v", err, storeErr)
	}
}

// TestOneOpenApplicationWhileReturned: a returned application is still
// open, so another for the same subject and rule is a conflict until it is
// decided.
func TestOneOpenApplicationWhileReturned(t *testing.T) {
	svc, a := submitted(t, Options{})
	if _, err := svc.ReturnApplication(t.Context(), reviewer, a.ID, 0, models.ReasonEntry{Reason: "请补充证书"}); err != nil {
		t.Fatal(err)
	}
	another := cityCertification
	another.Certifications = []models.ApplicationCertification{{Level: models.LevelProvince, CertifiedOn: models.MustDate("2025-03-01"), CertificateNo: "P1"}}
	if _, err := svc.SubmitApplication(t.Context(), clerk, another); models.CodeOf(err) != models.CodeConflict {
		t.Errorf("another application while one is returned: %v, want a conflict", err)
	}
	list, err := svc.Applications(t.Context(), clerk, models.ApplicationFilter{})
	if err != nil || len(list) != 1 {
		t.Errorf("applications %d, %v; want the returned one only", len(list), err)
	}
}

// TestAcceptedDonationsAreAudited: accepting a university's application
// records its donations, each audited as created by the reviewer and
// linked to the application.
func TestAcceptedDonationsAreAudited(t *testing.T) {
	svc := applicationService(t, storetest.SQLite, Options{})
	arrived := models.MustDate("2024-09-10")
	a, err := svc.SubmitApplication(t.Context(), clerk, models.ApplicationEntry{
		Subject: appUniversity, Rule: models.RuleDonationMatch, GrantYear: 2025,
		Donations: []models.ApplicationDonation{{Amount: models.Yuan(2000000), Form: "cash", ViaFoundation: true, ArrivedOn: arrived, ReceiptNo: "浙财0033001"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AcceptApplication(t.Context(), reviewer, a.ID, 0); err != nil {
		t.Fatal(err)
	}
	entries, err := svc.Audit(t.Context(), models.AuditFilter{Entity: "donation"})
	if err != nil || len(entries) != 1 {
		t.Fatalf("donation audit entries %+v, %v; want one", entries, err)
	}
	var after models.DonationRecord
	if err := json.Unmarshal(entries[0].After, &after); err != nil {
		t.Fatal(err)
	}
	e := entries[0]
	if e.Action != "create" || e.KeyID != reviewer.KeyID || e.EntityID != fmt.Sprint(after.ID) ||
		after.ApplicationID != a.ID || after.ReceiptNo != "浙财0033001" || after.UniversityCode != appUniversity {
		t.Errorf("the donation's audit entry %+v (after %+v), want it created by %s, linked to application %d", e, after, reviewer.KeyID, a.ID)
	}
}

// TestReturnRacesAccept: two reviewers decide on a submitted application
// at once, one returning it and one accepting it: exactly one succeeds,
// the other is a conflict, and the registry holds the facts exactly when
// the acceptance won, on both databases.
func TestReturnRacesAccept(t *testing.T) {
	for _, kind := range storetest.Kinds(t) {
		t.Run(kind, func(t *testing.T) {
			svc := applicationService(t, kind, Options{})
			for round := range 5 {
				a, err := svc.SubmitApplication(t.Context(), clerk, cityCertification)
				if err != nil {
					t.Fatal(err)
				}
				start := make(chan struct{})
				errs := make([]error, 2)
				var wg sync.WaitGroup
				wg.Add(2)
				go func() {
					defer wg.Done()
					<-start
					_, errs[0] = svc.ReturnApplication(t.Context(), reviewer, a.ID, 0, models.ReasonEntry{Reason: "请补充证书"})
				}()
				go func() {
					defer wg.Done()
					<-start
					_, errs[1] = svc.AcceptApplication(t.Context(), reviewer2, a.ID, 0)
				}()
				close(start)
				wg.Wait()
				ok, conflicts := 0, 0
				for _, err := range errs {
					switch {
					case err == nil:
						ok++
					case models.CodeOf(err) == models.CodeConflict:
						conflicts++
					default:
						t.Errorf("round %d: %v", round, err)
					}
				}
				if ok != 1 || conflicts != 1 {
					t.Fatalf("round %d: return %v, accept %v; want one to succeed and one conflict", round, errs[0], errs[1])
				}
				got, err := svc.Application(t.Context(), clerk, a.ID)
				if err != nil {
					t.Fatal(err)
				}
				certs, err := svc.Certifications(t.Context(), clerk, appEnterprise)
				if err != nil {
					t.Fatal(err)
				}
				accepted := errs[1] == nil
				if want := map[bool]string{true: models.ApplicationAccepted, false: models.ApplicationReturned}[accepted]; got.Status != want || len(got.History) != 2 {
					t.Errorf("round %d: status %s with %d events, want %s with 2", round, got.Status, len(got.History), want)
				}
				if accepted != (len(certs) == 1) {
					t.Errorf("round %d: accepted %v, %d certifications recorded", round, accepted, len(certs))
				}
				if accepted {
					return // the certification is recorded: nothing more to apply for
				}
				// Corrected and rejected, it is closed, and the next round
				// may apply again.
				if _, err := svc.CorrectApplication(t.Context(), clerk, a.ID, 0, cityCertification); err != nil {
					t.Fatal(err)
				}
				if _, err := svc.RejectApplication(t.Context(), reviewer, a.ID, 0, models.ReasonEntry{Reason: "x"}); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}
