package input

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// fieldsOf lists an error's fields as "path:code".
func fieldsOf(err error) []string {
	var e *models.Error
	if !errors.As(err, &e) {
		return nil
	}
	var out []string
	for _, f := range e.Fields {
		out = append(out, f.Field+":"+f.Code)
	}
	return out
}

// TestApplicationRecordRules: an application brings its rule's facts only,
// each certificate and receipt once, donations of some amount.
func TestApplicationRecordRules(t *testing.T) {
	on := models.MustDate("2024-05-01")
	cert := func(level, no string) models.ApplicationCertification {
		return models.ApplicationCertification{Level: level, CertifiedOn: on, CertificateNo: no}
	}
	donation := func(amount, receipt string) models.ApplicationDonation {
		return models.ApplicationDonation{Amount: models.MustMoney(amount), Form: "cash", ArrivedOn: on, ReceiptNo: receipt}
	}
	tests := []struct {
		name string
		a    models.ApplicationEntry
		want []string
	}{
		{"a certification", models.ApplicationEntry{Rule: models.RuleCertGrant, Certifications: []models.ApplicationCertification{cert("city", "C1")}}, nil},
		{"donations", models.ApplicationEntry{Rule: models.RuleDonationMatch, GrantYear: 2025, Donations: []models.ApplicationDonation{donation("1", "R1"), donation("2", "R2")}}, nil},
		{"another rule's facts", models.ApplicationEntry{Rule: models.RuleCertGrant, GrantYear: 2025, Donations: []models.ApplicationDonation{donation("1", "R1")}}, []string{
			"certifications:required", "donations:not_for_rule", "grant_year:not_for_rule",
		}},
		{"the match's facts missing", models.ApplicationEntry{Rule: models.RuleDonationMatch, Certifications: []models.ApplicationCertification{cert("city", "C1")}}, []string{
			"certifications:not_for_rule", "donations:required", "grant_year:required",
		}},
		{"twice", models.ApplicationEntry{Rule: models.RuleCertGrant, Certifications: []models.ApplicationCertification{cert("city", "C1"), cert("city", " C1"), cert("province", "C2")}}, []string{
			"certifications[1].certificate_no:duplicate", "certifications[1].certified_on:duplicate",
		}},
		{"a receipt twice, no amount", models.ApplicationEntry{Rule: models.RuleDonationMatch, GrantYear: 2025, Donations: []models.ApplicationDonation{donation("1", "R1"), donation("0", "R1 ")}}, []string{
			"donations[1].amount:positive", "donations[1].receipt_no:duplicate",
		}},
		{"an unknown rule", models.ApplicationEntry{Rule: "surcharge-credit"}, []string{"rule:oneof"}},
	}
	v := NewValidator()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var probs problems
			probs.addChecked(v.Check(&tt.a))
			probs.sort()
			if diff := cmp.Diff(tt.want, fieldsOf(probs.err())); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

// TestCheckApplication: the rule is of the subject's kind, the grant year
// within the rule's grant_years (read through the engine), no date after
// today.
func TestCheckApplication(t *testing.T) {
	d := NewDecoder(mustEngine(t))
	today := models.MustDate("2025-06-30")
	donations := func(on string) []models.ApplicationDonation {
		return []models.ApplicationDonation{{Amount: models.MustMoney("1"), Form: "cash", ArrivedOn: models.MustDate(on), ReceiptNo: "R"}}
	}
	tests := []struct {
		name string
		a    models.ApplicationEntry
		kind string
		want []string
	}{
		{"fine", models.ApplicationEntry{Rule: models.RuleDonationMatch, GrantYear: 2026, Donations: donations("2025-06-30")}, models.KindUniversity, nil},
		{"another kind's rule", models.ApplicationEntry{Rule: models.RuleDonationMatch, GrantYear: 2025, Donations: donations("2024-01-01")}, models.KindEnterprise, []string{"rule:rule_kind"}},
		{"outside the grant years", models.ApplicationEntry{Rule: models.RuleDonationMatch, GrantYear: 2027, Donations: donations("2024-01-01")}, models.KindUniversity, []string{"grant_year:range"}},
		{"tomorrow", models.ApplicationEntry{Rule: models.RuleDonationMatch, GrantYear: 2025, Donations: donations("2025-07-01")}, models.KindUniversity, []string{"donations[0].arrived_on:not_future"}},
		{"certified tomorrow", models.ApplicationEntry{Rule: models.RuleCertGrant, Certifications: []models.ApplicationCertification{{Level: "city", CertifiedOn: models.MustDate("2025-07-01"), CertificateNo: "C"}}}, models.KindEnterprise, []string{"certifications[0].certified_on:not_future"}},
		{"no such rule", models.ApplicationEntry{Rule: "no-such-rule"}, models.KindEnterprise, []string{"rule:unknown_rule"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, fieldsOf(d.CheckApplication(tt.a, tt.kind, today))); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

func TestIfMatch(t *testing.T) {
	for text, want := range map[string]int{"": 0, "*": 0, `"3"`: 3, "12": 12, `"0"`: -1, `W/"3"`: -1, "x": -1, `"-1"`: -1} {
		got, err := IfMatch(text)
		if want < 0 {
			if diff := cmp.Diff([]string{"If-Match:if_match"}, fieldsOf(err)); diff != "" {
				t.Errorf("IfMatch(%q) (-want +got):\n%s", text, diff)
			}
			continue
		}
		if err != nil || got != want {
			t.Errorf("IfMatch(%q) = %d, %v; want %d", text, got, err, want)
		}
	}
}

func TestFileName(t *testing.T) {
	for text, ok := range map[string]bool{
		"": true, "认定证书.pdf": true, "scan 1.png": true,
		"../x.pdf": false, `a\b.pdf`: false, "a\nb": false, "x\u202egpj.exe": false, strings.Repeat("证", 201): false,
	} {
		_, err := FileName("name", text)
		if (err == nil) != ok {
			t.Errorf("FileName(%q): %v", text, err)
		}
	}
}
