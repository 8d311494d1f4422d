package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wenzhou-subsidy/subsidy/api"
	"github.com/wenzhou-subsidy/subsidy/app"
	"github.com/wenzhou-subsidy/subsidy/models"
)

// Evidence files by their first bytes, and an executable renamed .pdf.
const (
	pdfFile  = "%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n"
	pngFile  = "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01"
	jpegFile = "\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01"
	exeFile  = "MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"
)

// The applications the tests submit.
const (
	nationalBody  = `{"rule":"cert-grant","certifications":[{"level":"national","certified_on":"2025-03-01","certificate_no":"发改社会〔2025〕7号-12"}]}`
	donationsBody = `{"rule":"donation-match","grant_year":2025,"donations":[` +
		`{"amount":"2000000.00","form":"cash","via_foundation":true,"arrived_on":"2024-09-10","receipt_no":"浙财0033001"},` +
		`{"amount":"500000","form":"cash","via_foundation":true,"arrived_on":"2024-11-20","receipt_no":"浙财0033002"}]}`
)

type applicationList struct {
	Applications []models.Application `json:"applications"`
	NextAfter    int64                `json:"next_after"`
}

type certificationList struct {
	Certifications []models.CertificationRecord `json:"certifications"`
}

type donationList struct {
	Donations []models.DonationRecord `json:"donations"`
}

// submit submits an application as role and returns it.
func (h *harness) submit(role, body string) models.Application {
	h.t.Helper()
	return decode[models.Application](h.t, h.must(201, role, "POST", "/v1/applications", body))
}

func applicationPath(a models.Application, rest string) string {
	return fmt.Sprintf("/v1/applications/%d%s", a.ID, rest)
}

func etag(a models.Application) string { return fmt.Sprintf("%q", fmt.Sprint(a.Version)) }

// statuses lists the statuses of an application's history with who set them.
func statuses(a models.Application) []string {
	var out []string
	for _, e := range a.History {
		out = append(out, e.Status+" by "+e.Role)
		if e.KeyID == "" || e.At.IsZero() {
			out = append(out, "an event without key or time")
		}
	}
	return out
}

// TestApplicationEnterpriseFlow: an enterprise applies with a certification
// not yet on an imported list, with evidence; finance returns it, the
// enterprise corrects it, finance accepts it; the next payout run pays it
// once, and nothing pays before.
func TestApplicationEnterpriseFlow(t *testing.T) {
	forEachDB(t, func(t *testing.T, h *harness) {
		h.seed()
		rec := h.must(201, "enterprise", "POST", "/v1/applications", nationalBody)
		a := decode[models.Application](t, rec)
		if a.Status != models.ApplicationSubmitted || a.Subject != entA || a.SubjectKind != models.KindEnterprise || a.Version != 1 {
			t.Fatalf("submitted %+v", a)
		}
		if rec.Header().Get("ETag") != `"1"` || rec.Header().Get("Location") != applicationPath(a, "") {
			t.Errorf("ETag %q, Location %q", rec.Header().Get("ETag"), rec.Header().Get("Location"))
		}
		// Evaluated on the registry (province, 2024) plus the claim (national).
		ev := a.Evaluation
		if ev.Rule != models.RuleCertGrant || !ev.Eligible || ev.Amount.String() != "700000.00" || len(ev.Conditions) == 0 ||
			ev.Citation.Document != "温发改社〔2024〕172号" || ev.Ruleset.Digest == "" || ev.AsOf.String() != "2025-06-30" {
			t.Errorf("evaluation %+v", ev)
		}
		// Nothing is recorded or paid yet.
		certs := decode[certificationList](t, h.must(200, "finance", "GET", "/v1/enterprises/"+entA+"/certifications", ""))
		if len(certs.Certifications) != 1 {
			t.Errorf("the registry has %d certifications before the review", len(certs.Certifications))
		}
		// One open application per subject for cert-grant.
		h.must(409, "enterprise", "POST", "/v1/applications", strings.Replace(nationalBody, "2025-03-01", "2025-02-01", 1))

		// Evidence, checked by its content.
		info := decode[models.AttachmentInfo](t, h.must(201, "enterprise", "POST", applicationPath(a, "/attachments?name=认定证书.pdf"), pdfFile, "Content-Type", "application/pdf"))
		if info.N != 1 || info.Size != int64(len(pdfFile)) || info.ContentType != "application/pdf" || len(info.SHA256) != 64 || info.Name != "认定证书.pdf" {
			t.Errorf("attachment %+v", info)
		}
		h.must(201, "enterprise", "POST", applicationPath(a, "/attachments"), pngFile, "Content-Type", "image/png")
		h.must(415, "enterprise", "POST", applicationPath(a, "/attachments?name=证书.pdf"), exeFile, "Content-Type", "application/pdf")
		h.must(415, "enterprise", "POST", applicationPath(a, "/attachments"), jpegFile, "Content-Type", "image/png")
		h.must(415, "enterprise", "POST", applicationPath(a, "/attachments"), "plain words", "Content-Type", "text/plain")
		h.must(413, "enterprise", "POST", applicationPath(a, "/attachments"), pdfFile+strings.Repeat("x", models.MaxAttachmentSize), "Content-Type", "application/pdf")
		h.must(400, "enterprise", "POST", applicationPath(a, "/attachments"), "", "Content-Type", "application/pdf")
		h.must(400, "enterprise", "POST", applicationPath(a, "/attachments?name=../x.pdf"), pdfFile, "Content-Type", "application/pdf")
		got := h.must(200, "finance", "GET", applicationPath(a, "/attachments/1"), "")
		if got.Body.String() != pdfFile || got.Header().Get("Content-Type") != "application/pdf" ||
			!strings.HasPrefix(got.Header().Get("Content-Disposition"), "attachment;") || got.Header().Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("download: %q %v", got.Body.String(), got.Header())
		}
		h.must(404, "finance", "GET", applicationPath(a, "/attachments/3"), "")

		// Finance reviews what it saw: two files added, version 3.
		a = decode[models.Application](t, h.must(200, "finance", "GET", applicationPath(a, ""), ""))
		if a.Version != 3 || len(a.Attachments) != 2 {
			t.Fatalf("after the evidence: %+v", a)
		}
		h.must(403, "enterprise", "POST", applicationPath(a, "/accept"), "")
		h.must(400, "finance", "POST", applicationPath(a, "/return"), `{"reason":" "}`)
		a = decode[models.Application](t, h.must(200, "finance", "POST", applicationPath(a, "/return"), `{"reason":"认定日期与证书不符"}`, "If-Match", etag(a)))
		if a.Status != models.ApplicationReturned || a.Reason != "认定日期与证书不符" {
			t.Fatalf("returned %+v", a)
		}
		h.must(409, "finance", "POST", applicationPath(a, "/accept"), "")
		h.must(409, "finance", "POST", applicationPath(a, "/reject"), `{"reason":"x"}`)

		// The enterprise corrects it: submitted again, evaluated again.
		h.must(400, "enterprise", "PUT", applicationPath(a, ""), `{"rule":"donation-match","grant_year":2025,"donations":[]}`)
		h.must(409, "enterprise", "PUT", applicationPath(a, ""), strings.Replace(nationalBody, "2025-03-01", "2025-03-02", 1), "If-Match", `"1"`)
		a = decode[models.Application](t, h.must(200, "enterprise", "PUT", applicationPath(a, ""), strings.Replace(nationalBody, "2025-03-01", "2025-03-02", 1), "If-Match", etag(a)))
		if a.Status != models.ApplicationSubmitted || a.Certifications[0].CertifiedOn.String() != "2025-03-02" || a.Reason != "" || a.Evaluation.Amount.String() != "700000.00" {
			t.Fatalf("corrected %+v", a)
		}
		h.must(409, "enterprise", "PUT", applicationPath(a, ""), nationalBody)

		// Accepted on the version seen; again is 409, and records nothing twice.
		h.must(409, "finance", "POST", applicationPath(a, "/accept"), "", "If-Match", `"2"`)
		a = decode[models.Application](t, h.must(200, "finance", "POST", applicationPath(a, "/accept"), "", "If-Match", etag(a)))
		if a.Status != models.ApplicationAccepted || a.Evaluation.Amount.String() != "700000.00" {
			t.Fatalf("accepted %+v", a)
		}
		want := []string{"submitted by enterprise", "returned by finance", "submitted by enterprise", "accepted by finance"}
		if diff := cmp.Diff(want, statuses(a)); diff != "" {
			t.Errorf("history (-want +got):\n%s", diff)
		}
		h.must(409, "finance", "POST", applicationPath(a, "/accept"), "")
		h.must(409, "admin", "POST", applicationPath(a, "/accept"), "{}")
		h.must(409, "enterprise", "POST", applicationPath(a, "/attachments"), pdfFile, "Content-Type", "application/pdf")

		certs = decode[certificationList](t, h.must(200, "enterprise", "GET", "/v1/enterprises/"+entA+"/certifications", ""))
		var linked []models.CertificationRecord
		for _, c := range certs.Certifications {
			if c.ApplicationID == a.ID {
				linked = append(linked, c)
			}
		}
		if len(certs.Certifications) != 2 || len(linked) != 1 || linked[0].Level != models.LevelNational ||
			linked[0].CertifiedOn.String() != "2025-03-02" || linked[0].CertificateNo != "发改社会〔2025〕7号-12" {
			t.Fatalf("registry after accepting: %+v", certs.Certifications)
		}

		// The next payout run pays the national grant, once.
		run := decode[runAnswer](t, h.must(201, "finance", "POST", "/v1/payout-runs", `{"as_of":"2025-06-30","rules":["cert-grant"]}`))
		paid := map[string]string{}
		for _, p := range run.Created {
			paid[p.Subject+" "+p.Level] = p.Amount.String()
		}
		if diff := cmp.Diff(map[string]string{entA + " province": "200000.00", entA + " national": "500000.00"}, paid); diff != "" {
			t.Errorf("run (-want +got):\n%s", diff)
		}
		run = decode[runAnswer](t, h.must(201, "finance", "POST", "/v1/payout-runs", `{"as_of":"2025-06-30","rules":["cert-grant"]}`))
		if len(run.Created) != 0 {
			t.Errorf("a second run created %+v", run.Created)
		}

		// Audited: the application's steps, the certification it brought, the evidence.
		audit := decode[struct {
			Entries []models.AuditEntry `json:"entries"`
		}](t, h.must(200, "admin", "GET", fmt.Sprintf("/v1/audit?entity=application&entity_id=%d", a.ID), ""))
		var actions []string
		for _, e := range audit.Entries {
			actions = append(actions, e.Action+" by "+e.Role)
		}
		if diff := cmp.Diff([]string{"create by enterprise", "transition by finance", "transition by enterprise", "transition by finance"}, actions); diff != "" {
			t.Errorf("application audit (-want +got):\n%s", diff)
		}
		audit = decode[struct {
			Entries []models.AuditEntry `json:"entries"`
		}](t, h.must(200, "admin", "GET", fmt.Sprintf("/v1/audit?entity=certification&entity_id=%d", linked[0].ID), ""))
		if len(audit.Entries) != 1 || audit.Entries[0].Role != models.RoleFinance || !strings.Contains(string(audit.Entries[0].After), fmt.Sprintf(`"application_id":%d`, a.ID)) {
			t.Errorf("certification audit %+v", audit.Entries)
		}
		audit = decode[struct {
			Entries []models.AuditEntry `json:"entries"`
		}](t, h.must(200, "admin", "GET", fmt.Sprintf("/v1/audit?entity=attachment&entity_id=%d/1", a.ID), ""))
		if len(audit.Entries) != 1 {
			t.Errorf("evidence audit %+v", audit.Entries)
		}

		// A new application may follow the accepted one; what the registry
		// holds already is nothing to apply for.
		p := decode[api.Problem](t, h.must(400, "enterprise", "POST", "/v1/applications", strings.Replace(nationalBody, "2025-03-01", "2025-03-02", 1)))
		if len(p.Errors) != 1 || p.Errors[0].Field != "certifications[0].certified_on" || p.Errors[0].Code != "already_recorded" {
			t.Errorf("already recorded: %+v", p.Errors)
		}
		h.submit("enterprise", `{"rule":"cert-grant","certifications":[{"level":"city","certified_on":"2024-05-01","certificate_no":"温产教认2024-3"}]}`)
	})
}

// TestApplicationUniversityFlow: a university brings the donations its
// foundation received, with their receipt numbers; accepted, they enter the
// registry with them and the next run pays the match once.
func TestApplicationUniversityFlow(t *testing.T) {
	forEachDB(t, func(t *testing.T, h *harness) {
		h.seed()
		a := h.submit("university", donationsBody)
		// 2024's cash: 3,000,000 registered and 2,500,000 claimed, matched 1:0.5.
		if a.Subject != uniCode || a.GrantYear != 2025 || !a.Evaluation.Eligible || a.Evaluation.Amount.String() != "2750000.00" {
			t.Fatalf("submitted %+v", a)
		}
		if a.Donations[1].Amount.String() != "500000.00" || a.Donations[1].ReceiptNo != "浙财0033002" {
			t.Errorf("donations %+v", a.Donations)
		}
		// Open per grant year: another year may be applied for at once.
		h.must(409, "university", "POST", "/v1/applications", donationsBody)
		other := h.submit("university", `{"rule":"donation-match","grant_year":2026,"donations":[{"amount":"100","form":"cash","via_foundation":true,"arrived_on":"2025-01-10","receipt_no":"浙财0033001"}]}`)

		a = decode[models.Application](t, h.must(200, "finance", "POST", applicationPath(a, "/accept"), ""))
		if a.Status != models.ApplicationAccepted || a.Evaluation.Amount.String() != "2750000.00" {
			t.Fatalf("accepted %+v", a)
		}
		donations := decode[donationList](t, h.must(200, "university", "GET", "/v1/universities/"+uniCode+"/donations", ""))
		receipts := map[string]int64{}
		for _, d := range donations.Donations {
			if d.ReceiptNo != "" {
				receipts[d.ReceiptNo] = d.ApplicationID
			}
		}
		if diff := cmp.Diff(map[string]int64{"浙财0033001": a.ID, "浙财0033002": a.ID}, receipts); diff != "" {
			t.Errorf("receipts in the registry (-want +got):\n%s", diff)
		}
		// The other application claims a receipt recorded meanwhile: it
		// cannot bring money twice.
		h.must(409, "finance", "POST", applicationPath(other, "/accept"), "")
		h.must(200, "finance", "POST", applicationPath(other, "/reject"), `{"reason":"捐赠票据号已登记"}`)
		// And a new application naming it is bad input.
		p := decode[api.Problem](t, h.must(400, "university", "POST", "/v1/applications", donationsBody))
		var fields []string
		for _, f := range p.Errors {
			fields = append(fields, f.Field+":"+f.Code)
		}
		if diff := cmp.Diff([]string{"donations[0].receipt_no:already_recorded", "donations[1].receipt_no:already_recorded"}, fields); diff != "" {
			t.Errorf("recorded receipts (-want +got):\n%s", diff)
		}

		run := decode[runAnswer](t, h.must(201, "finance", "POST", "/v1/payout-runs", `{"as_of":"2025-06-30","rules":["donation-match"],"grant_year":2025}`))
		if len(run.Created) != 1 || run.Created[0].Amount.String() != "2750000.00" {
			t.Fatalf("run %+v", run.Created)
		}
		run = decode[runAnswer](t, h.must(201, "finance", "POST", "/v1/payout-runs", `{"as_of":"2025-06-30","rules":["donation-match"],"grant_year":2025}`))
		if len(run.Created) != 0 {
			t.Errorf("a second run created %+v", run.Created)
		}

		// The public evaluation's donations keep their shape: no receipt_no.
		p = decode[api.Problem](t, h.must(400, "", "POST", "/v1/evaluate", `{"as_of":"2025-06-30","subject":{"kind":"university","code":"wzvtc","name":"x","ownership":"public","affiliation":"city","grant_year":2025,`+
			`"donations":[{"amount":"1","form":"cash","via_foundation":true,"arrived_on":"2024-01-01","receipt_no":"R1"}]}}`))
		if len(p.Errors) != 1 || p.Errors[0].Field != "subject.donations[0].receipt_no" || p.Errors[0].Code != "unknown_field" {
			t.Errorf("evaluate with a receipt: %+v", p.Errors)
		}

		// The review queue: by status and rule; the university sees its own.
		list := decode[applicationList](t, h.must(200, "finance", "GET", "/v1/applications?status=accepted&rule=donation-match", ""))
		if len(list.Applications) != 1 || list.Applications[0].ID != a.ID || len(list.Applications[0].History) != 2 {
			t.Errorf("queue %+v", list.Applications)
		}
		list = decode[applicationList](t, h.must(200, "finance", "GET", "/v1/applications?limit=1", ""))
		if len(list.Applications) != 1 || list.NextAfter != a.ID {
			t.Errorf("first page %+v, next %d", list.Applications, list.NextAfter)
		}
		list = decode[applicationList](t, h.must(200, "university", "GET", "/v1/applications", ""))
		if len(list.Applications) != 2 {
			t.Errorf("the university's own: %d", len(list.Applications))
		}
		list = decode[applicationList](t, h.must(200, "enterprise", "GET", "/v1/applications", ""))
		if len(list.Applications) != 0 {
			t.Errorf("the enterprise sees %d applications", len(list.Applications))
		}
		h.must(404, "enterprise", "GET", "/v1/applications?subject="+uniCode, "")
		h.must(400, "finance", "GET", "/v1/applications?status=pending", "")
		h.must(400, "finance", "GET", "/v1/applications?rule=surcharge-credit", "")
	})
}

// TestApplicationBadInput: every refusal names its field.
func TestApplicationBadInput(t *testing.T) {
	forEachDB(t, func(t *testing.T, h *harness) {
		h.seed()
		cert := func(level, on, no string) string {
			return fmt.Sprintf(`{"level":%q,"certified_on":%q,"certificate_no":%q}`, level, on, no)
		}
		donation := func(amount, on, receipt string) string {
			return fmt.Sprintf(`{"amount":%q,"form":"cash","via_foundation":true,"arrived_on":%q,"receipt_no":%q}`, amount, on, receipt)
		}
		tests := []struct {
			name, role, body string
			want             []string // field:code
		}{
			{"a date after today", "enterprise", `{"rule":"cert-grant","certifications":[` + cert("national", "2025-07-01", "N1") + `]}`,
				[]string{"certifications[0].certified_on:not_future"}},
			{"an arrival after today", "university", `{"rule":"donation-match","grant_year":2025,"donations":[` + donation("1", "2025-07-01", "R1") + `]}`,
				[]string{"donations[0].arrived_on:not_future"}},
			{"a rule of another kind", "enterprise", `{"rule":"donation-match","grant_year":2025,"donations":[` + donation("1", "2024-07-01", "R1") + `]}`,
				[]string{"rule:rule_kind"}},
			{"a rule not applied for", "enterprise", `{"rule":"surcharge-credit"}`,
				[]string{"rule:oneof"}},
			{"a grant year after the rule's", "university", `{"rule":"donation-match","grant_year":2027,"donations":[` + donation("1", "2024-07-01", "R1") + `]}`,
				[]string{"grant_year:range"}},
			{"a grant year before the rule's", "university", `{"rule":"donation-match","grant_year":2023,"donations":[` + donation("1", "2022-07-01", "R1") + `]}`,
				[]string{"grant_year:range"}},
			{"a receipt twice", "university", `{"rule":"donation-match","grant_year":2025,"donations":[` + donation("1", "2024-07-01", "R1") + `,` + donation("2", "2024-08-01", " R1 ") + `]}`,
				[]string{"donations[1].receipt_no:duplicate"}},
			{"a certificate twice, a level and date twice", "enterprise", `{"rule":"cert-grant","certifications":[` + cert("national", "2025-01-01", "N1") + `,` + cert("national", "2025-01-01", "N1") + `]}`,
				[]string{"certifications[1].certificate_no:duplicate", "certifications[1].certified_on:duplicate"}},
			{"no certificate number", "enterprise", `{"rule":"cert-grant","certifications":[{"level":"national","certified_on":"2025-01-01"}]}`,
				[]string{"certifications[0].certificate_no:required"}},
			{"a blank receipt, no amount", "university", `{"rule":"donation-match","grant_year":2025,"donations":[` + donation("0", "2024-07-01", "  ") + `]}`,
				[]string{"donations[0].amount:positive", "donations[0].receipt_no:required"}},
			{"facts of another rule", "enterprise", `{"rule":"cert-grant","grant_year":2025,"donations":[` + donation("1", "2024-07-01", "R1") + `]}`,
				[]string{"certifications:required", "donations:not_for_rule", "grant_year:not_for_rule"}},
			{"no grant year, no donations", "university", `{"rule":"donation-match"}`,
				[]string{"donations:required", "grant_year:required"}},
			{"a pledge", "university", `{"rule":"donation-match","grant_year":2025,"donations":[{"amount":"1","form":"cash","via_foundation":true,"arrived_on":null,"receipt_no":"R"}]}`,
				[]string{"donations[0].arrived_on:not_null"}},
			{"an unknown field", "enterprise", `{"rule":"cert-grant","certifications":[` + cert("national", "2025-01-01", "N1") + `],"note":"x"}`,
				[]string{"note:unknown_field"}},
			{"a certification recorded already", "enterprise", `{"rule":"cert-grant","certifications":[` + cert("province", "2024-03-01", "P1") + `]}`,
				[]string{"certifications[0].certified_on:already_recorded"}},
			{"finance names no subject", "finance", `{"rule":"cert-grant","certifications":[` + cert("national", "2025-01-01", "N1") + `]}`,
				[]string{"subject:required"}},
			{"finance names no subject it knows", "finance", `{"subject":"no such school!","rule":"cert-grant","certifications":[` + cert("national", "2025-01-01", "N1") + `]}`,
				[]string{"subject:subject_ref"}},
			{"finance mistypes a credit code", "finance", `{"subject":"91330382MA2AB3C47F","rule":"cert-grant","certifications":[` + cert("national", "2025-01-01", "N1") + `]}`,
				[]string{"subject:credit_check"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				p := decode[api.Problem](t, h.must(400, tt.role, "POST", "/v1/applications", tt.body))
				var got []string
				for _, f := range p.Errors {
					got = append(got, f.Field+":"+f.Code)
					if f.Message == "" {
						t.Errorf("%s has no message", f.Field)
					}
				}
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("fields (-want +got):\n%s", diff)
				}
			})
		}
		// Messages in English on request, in the glossary's words in Chinese.
		recorded := `{"rule":"cert-grant","certifications":[` + cert("province", "2024-03-01", "P1") + `]}`
		if p := decode[api.Problem](t, h.must(400, "enterprise", "POST", "/v1/applications", recorded)); p.Errors[0].Message != "已登记在册（省级认定，2024-03-01），无需申报" {
			t.Errorf("Chinese: %+v", p.Errors)
		}
		if p := decode[api.Problem](t, h.must(400, "enterprise", "POST", "/v1/applications", recorded, "Accept-Language", "en")); p.Errors[0].Message != "is already recorded (the province certification of 2024-03-01): there is nothing to apply for" {
			t.Errorf("English: %+v", p.Errors)
		}
		nobody := `{"subject":"` + outside + `","rule":"cert-grant","certifications":[` + cert("national", "2025-01-01", "N1") + `]}`
		h.must(404, "enterprise", "POST", "/v1/applications", nobody) // another subject's: as if it did not exist
		h.must(404, "finance", "POST", "/v1/applications", nobody)    // not registered
		h.must(403, "tax", "POST", "/v1/applications", nobody)
		h.must(401, "", "POST", "/v1/applications", nobody)
		h.must(201, "enterprise", "POST", "/v1/applications", `{"subject":"`+entA+`","rule":"cert-grant","certifications":[`+cert("national", "2025-01-01", "N1")+`]}`)
	})
}

// TestApplicationAccess: a subject sees and changes only its own
// applications, and only finance and admin review, never the key that
// submitted or corrected (four eyes, whatever its role).
func TestApplicationAccess(t *testing.T) {
	forEachDB(t, func(t *testing.T, h *harness) {
		h.seed()
		h.must(201, "finance", "PUT", "/v1/universities/wzu", `{"name":"温州大学","ownership":"public","affiliation":"city"}`)
		ent := h.submit("enterprise", nationalBody)
		h.must(201, "enterprise", "POST", applicationPath(ent, "/attachments"), pdfFile, "Content-Type", "application/pdf")
		for _, tt := range []struct{ role, method, path, body string }{
			{"university", "GET", applicationPath(ent, ""), ""},
			{"university", "GET", applicationPath(ent, "/attachments/1"), ""},
			{"university", "PUT", applicationPath(ent, ""), nationalBody},
			{"university", "POST", applicationPath(ent, "/attachments"), pdfFile},
			{"finance", "GET", "/v1/applications/999", ""},
		} {
			if rec := h.do(tt.role, tt.method, tt.path, tt.body, "Content-Type", "application/pdf"); rec.Code != 404 {
				t.Errorf("%s %s as %s: %d, want 404", tt.method, tt.path, tt.role, rec.Code)
			}
		}
		for _, path := range []string{"/accept", "/return", "/reject"} {
			for _, role := range []string{"tax", "enterprise", "university"} {
				h.must(403, role, "POST", applicationPath(ent, path), `{"reason":"x"}`)
			}
		}
		h.must(403, "tax", "GET", "/v1/applications", "")

		// Finance submits for wzu; that key may not review it, another may.
		on := h.submit("finance", `{"subject":"wzu","rule":"donation-match","grant_year":2025,"donations":[{"amount":"100","form":"cash","via_foundation":true,"arrived_on":"2024-01-10","receipt_no":"R9"}]}`)
		p := decode[api.Problem](t, h.must(403, "finance", "POST", applicationPath(on, "/accept"), ""))
		if !strings.Contains(p.Detail, "审核与经办分离") {
			t.Errorf("four eyes: %+v", p)
		}
		h.must(403, "finance", "POST", applicationPath(on, "/return"), `{"reason":"x"}`)
		h.must(403, "finance", "POST", applicationPath(on, "/reject"), `{"reason":"x"}`)
		h.must(200, "admin", "POST", applicationPath(on, "/return"), `{"reason":"请补充捐赠票据"}`)
		// The admin key corrects it: now neither key may accept it.
		on = decode[models.Application](t, h.must(200, "admin", "PUT", applicationPath(on, ""), `{"subject":"wzu","rule":"donation-match","grant_year":2025,"donations":[{"amount":"200","form":"cash","via_foundation":true,"arrived_on":"2024-01-10","receipt_no":"R9"}]}`))
		h.must(403, "admin", "POST", applicationPath(on, "/accept"), "")
		h.must(403, "finance", "POST", applicationPath(on, "/accept"), "")
		h.keys["finance"] = h.newKey(models.RoleFinance, "")
		h.must(200, "finance", "POST", applicationPath(on, "/accept"), "")
		// The subject and rule of an application stay what they are.
		p = decode[api.Problem](t, h.must(400, "finance", "PUT", applicationPath(ent, ""), `{"subject":"wzu","rule":"donation-match","grant_year":2025,"donations":[{"amount":"1","form":"cash","via_foundation":true,"arrived_on":"2024-01-10","receipt_no":"R1"}]}`))
		if len(p.Errors) != 2 || p.Errors[0].Field != "rule" || p.Errors[1].Field != "subject" {
			t.Errorf("changing subject and rule: %+v", p.Errors)
		}
		h.must(400, "finance", "POST", applicationPath(ent, "/accept"), "", "If-Match", "W/x")
	})
}

// TestApplicationRaces: every race is decided once by the database, the
// others answered 409: reviewers accepting at once, a subject correcting
// while a reviewer accepts, submissions at once. The facts are recorded once.
func TestApplicationRaces(t *testing.T) {
	forEachDB(t, func(t *testing.T, h *harness) {
		h.seed()
		race := func(n int, call func(i int) int) map[int]int {
			var wg sync.WaitGroup
			codes := make(chan int, n)
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					codes <- call(i)
				}()
			}
			wg.Wait()
			close(codes)
			count := map[int]int{}
			for c := range codes {
				count[c]++
			}
			return count
		}

		// Submissions at once: one is recorded.
		got := race(8, func(i int) int {
			body := strings.Replace(nationalBody, "7号-12", fmt.Sprintf("7号-%d", i), 1)
			return h.do("enterprise", "POST", "/v1/applications", body).Code
		})
		if diff := cmp.Diff(map[int]int{201: 1, 409: 7}, got); diff != "" {
			t.Errorf("submissions at once (-want +got):\n%s", diff)
		}
		list := decode[applicationList](t, h.must(200, "finance", "GET", "/v1/applications", ""))
		if len(list.Applications) != 1 {
			t.Fatalf("%d applications recorded", len(list.Applications))
		}
		a := list.Applications[0]

		// Reviewers at once, with several keys: one accepts.
		h.keys["finance2"] = h.newKey(models.RoleFinance, "")
		h.keys["admin2"] = h.newKey(models.RoleAdmin, "")
		reviewers := []string{"finance", "admin", "finance2", "admin2"}
		got = race(8, func(i int) int {
			return h.do(reviewers[i%len(reviewers)], "POST", applicationPath(a, "/accept"), "").Code
		})
		if diff := cmp.Diff(map[int]int{200: 1, 409: 7}, got); diff != "" {
			t.Errorf("accepts at once (-want +got):\n%s", diff)
		}
		certs := decode[certificationList](t, h.must(200, "finance", "GET", "/v1/enterprises/"+entA+"/certifications", ""))
		if n := len(certs.Certifications); n != 2 {
			t.Errorf("%d certifications after accepting at once, want 2", n)
		}

		// A subject correcting while a reviewer accepts what it saw: one wins.
		a = h.submit("university", donationsBody)
		a = decode[models.Application](t, h.must(200, "finance", "POST", applicationPath(a, "/return"), `{"reason":"请核对到账日期"}`))
		corrected := strings.Replace(donationsBody, "2024-09-10", "2024-09-11", 1)
		got = race(2, func(i int) int {
			if i == 0 {
				return h.do("university", "PUT", applicationPath(a, ""), corrected, "If-Match", etag(a)).Code
			}
			return h.do("admin", "POST", applicationPath(a, "/accept"), "", "If-Match", etag(a)).Code
		})
		if diff := cmp.Diff(map[int]int{200: 1, 409: 1}, got); diff != "" {
			t.Errorf("correcting while accepting (-want +got):\n%s", diff)
		}
		a = decode[models.Application](t, h.must(200, "finance", "GET", applicationPath(a, ""), ""))
		donations := decode[donationList](t, h.must(200, "finance", "GET", "/v1/universities/"+uniCode+"/donations", ""))
		if a.Status != models.ApplicationSubmitted || len(donations.Donations) != 1 {
			t.Errorf("after the race: %s with %d donations recorded", a.Status, len(donations.Donations))
		}

		// A subject adding evidence while a reviewer accepts what it saw:
		// either the evidence comes first (and the reviewer must look
		// again) or the acceptance does (and the application takes no more).
		got = race(2, func(i int) int {
			if i == 0 {
				return h.do("university", "POST", applicationPath(a, "/attachments"), jpegFile, "Content-Type", "image/jpeg").Code
			}
			return h.do("admin", "POST", applicationPath(a, "/accept"), "", "If-Match", etag(a)).Code
		})
		after := decode[models.Application](t, h.must(200, "finance", "GET", applicationPath(a, ""), ""))
		donations = decode[donationList](t, h.must(200, "finance", "GET", "/v1/universities/"+uniCode+"/donations", ""))
		switch {
		case got[201] == 1 && got[409] == 1: // the evidence first
			if after.Status != models.ApplicationSubmitted || len(after.Attachments) != 1 || len(donations.Donations) != 1 {
				t.Errorf("the evidence won, but: %s, %d files, %d donations", after.Status, len(after.Attachments), len(donations.Donations))
			}
		case got[200] == 1 && got[409] == 1: // the acceptance first
			if after.Status != models.ApplicationAccepted || len(after.Attachments) != 0 || len(donations.Donations) != 3 {
				t.Errorf("the acceptance won, but: %s, %d files, %d donations", after.Status, len(after.Attachments), len(donations.Donations))
			}
		default:
			t.Errorf("evidence while accepting: %v", got)
		}
	})
}

// TestProblemOfAppErrors: the errors of package app that only HTTP has a
// status for get theirs, with their messages.
func TestProblemOfAppErrors(t *testing.T) {
	tests := []struct {
		err    error
		status int
		detail string
	}{
		{&app.UnsupportedMediaError{Declared: "text/plain"}, http.StatusUnsupportedMediaType, "不是 PDF、PNG 或 JPEG"},
		{fmt.Errorf("wrapped: %w", &app.TooLargeError{Size: 6 << 20, Limit: models.MaxAttachmentSize}), http.StatusRequestEntityTooLarge, "5 MiB"},
	}
	for _, tt := range tests {
		p := api.NewProblem(tt.err, models.LangZh)
		if p.Status != tt.status || !strings.Contains(p.Detail, tt.detail) {
			t.Errorf("%v: %+v", tt.err, p)
		}
	}
}
