package app

import (
	"errors"
	"os"
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

// submitted returns a service over a fresh SQLite store, with opts, and an
// application the clerk submitted for a registered enterprise.
func submitted(t *testing.T, opts Options) (*Service, models.Application) {
	t.Helper()
	eng, err := engine.Load(os.DirFS("../rules"))
	if err != nil {
		t.Fatal(err)
	}
	opts.Now = func() time.Time { return time.Date(2025, 6, 30, 10, 0, 0, 0, models.Wenzhou) }
	svc := New(eng, storetest.Open(t, storetest.SQLite), opts)
	const code = "91330382MA2AB3C47E"
	if _, _, err := svc.PutEnterprise(t.Context(), clerk, models.EnterpriseEntry{CreditCode: code, Name: "企业", Region: "330382"}); err != nil {
		t.Fatal(err)
	}
	a, err := svc.SubmitApplication(t.Context(), clerk, models.ApplicationEntry{
		Subject: code, Rule: models.RuleCertGrant,
		Certifications: []models.ApplicationCertification{{Level: models.LevelCity, CertifiedOn: models.MustDate("2025-01-02"), CertificateNo: "C1"}},
	})
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
