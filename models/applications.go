package models

import (
	"fmt"
	"time"
)

// Applications (申报): an enterprise or a university brings facts the
// bureaus do not have yet (a certification not yet on an imported list, the
// donations its foundation received) with its evidence; the finance bureau
// reviews them before they enter the registry.

// Application statuses: submitted → accepted, returned or rejected; a
// returned application, corrected, is submitted again. Submitted and
// returned applications are open.
const (
	ApplicationSubmitted = "submitted" // 已提交
	ApplicationReturned  = "returned"  // 退回修改
	ApplicationAccepted  = "accepted"  // 已受理
	ApplicationRejected  = "rejected"  // 不予受理
)

// ApplicationStatuses lists every status of an application.
var ApplicationStatuses = []string{ApplicationSubmitted, ApplicationReturned, ApplicationAccepted, ApplicationRejected}

// applicationMoves maps each status an application may be moved to to the
// only status it may be moved from, with the words for messages.
var applicationMoves = map[string]struct {
	from string
	verb Text
}{
	ApplicationAccepted:  {ApplicationSubmitted, Text{Zh: "受理", En: "accepted"}},
	ApplicationReturned:  {ApplicationSubmitted, Text{Zh: "退回修改", En: "returned"}},
	ApplicationRejected:  {ApplicationSubmitted, Text{Zh: "不予受理", En: "rejected"}},
	ApplicationSubmitted: {ApplicationReturned, Text{Zh: "修改后重新提交", En: "corrected and submitted again"}},
}

// ApplicationMoveFrom returns the only status an application may be moved
// to status to from; false when no application is ever moved to it.
func ApplicationMoveFrom(to string) (string, bool) {
	m, ok := applicationMoves[to]
	return m.from, ok
}

// CheckApplicationMove refuses, as a conflict, to move application id from
// status to status to unless it is one of the moves above (any other is
// 409): the store checks it under the row's lock, and a use case may check
// it first, before work that would be lost.
func CheckApplicationMove(id int64, status, to string) error {
	m := applicationMoves[to]
	if status == m.from {
		return nil
	}
	return Conflict(
		fmt.Sprintf("申报 %d 当前状态为“%s”，只有“%s”的申报可以%s", id, ApplicationStatusWords[status].Zh, ApplicationStatusWords[m.from].Zh, m.verb.Zh),
		fmt.Sprintf("application %d is %s: only a %s application can be %s", id, status, m.from, m.verb.En))
}

// ApplicationRules are the rules an application brings facts for:
// certifications for the certification grant, donations for the match.
var ApplicationRules = []string{RuleCertGrant, RuleDonationMatch}

// Evidence (证明材料) an application takes: PDF, PNG or JPEG files of at most
// MaxAttachmentSize bytes each, at most MaxAttachments of them.
const (
	MaxAttachmentSize = 5 << 20
	MaxAttachments    = 20
)

// AttachmentTypes are the media types of evidence.
var AttachmentTypes = []string{"application/pdf", "image/png", "image/jpeg"}

// ApplicationEntry is what a subject submits (POST /v1/applications) or
// corrects (PUT /v1/applications/{id}). Subject names the applicant when
// finance or admin submit on its behalf; a subject's own key may leave it
// out. The record rules of package input say which facts each rule takes.
type ApplicationEntry struct {
	Subject        string                     `json:"subject,omitempty" validate:"max=64"`
	Rule           string                     `json:"rule" validate:"oneof=cert-grant donation-match"`
	GrantYear      int                        `json:"grant_year,omitempty" validate:"omitempty,year"`
	Certifications []ApplicationCertification `json:"certifications,omitempty" validate:"max=10,dive"`
	Donations      []ApplicationDonation      `json:"donations,omitempty" validate:"max=100,dive"`
}

// ApplicationCertification is a certification an enterprise claims, with
// the number of its certificate.
type ApplicationCertification struct {
	Level         string `json:"level" validate:"oneof=city province national"`
	CertifiedOn   Date   `json:"certified_on"`
	CertificateNo string `json:"certificate_no" validate:"required,notblank,max=100,oneline"`
}

// ApplicationDonation is a donation a university claims, with the number of
// its donation receipt (捐赠票据号). It arrived: a pledge is no evidence.
type ApplicationDonation struct {
	Amount        Money  `json:"amount"`
	Form          string `json:"form" validate:"oneof=cash in_kind equity other"`
	ViaFoundation bool   `json:"via_foundation"`
	ArrivedOn     Date   `json:"arrived_on"`
	ReceiptNo     string `json:"receipt_no" validate:"required,notblank,max=100,oneline"`
}

// Certification is the claimed certification as the rules see it.
func (c ApplicationCertification) Certification() Certification {
	return Certification{Level: c.Level, CertifiedOn: c.CertifiedOn}
}

// Donation is the claimed donation as the rules see it.
func (d ApplicationDonation) Donation() Donation {
	on := d.ArrivedOn
	return Donation{Amount: d.Amount, Form: d.Form, ViaFoundation: d.ViaFoundation, ArrivedOn: &on}
}

// ApplicationEvaluation is the rule's answer for an application, as POST
// /v1/evaluate gives it, with the date and the rule set it speaks for.
type ApplicationEvaluation struct {
	AsOf    Date    `json:"as_of"`
	Ruleset Ruleset `json:"ruleset"`
	RuleResult
}

// Application is an application as stored, with its evidence and history.
type Application struct {
	ID             int64                      `json:"id"`
	Status         string                     `json:"status"`
	Subject        string                     `json:"subject"`
	SubjectKind    string                     `json:"subject_kind"`
	Rule           string                     `json:"rule"`
	GrantYear      int                        `json:"grant_year,omitempty"`
	Certifications []ApplicationCertification `json:"certifications,omitempty"`
	Donations      []ApplicationDonation      `json:"donations,omitempty"`
	// Evaluation is the rule's answer on the registry plus the
	// application's facts (on the registry alone once accepted).
	Evaluation ApplicationEvaluation `json:"evaluation"`
	// Reason is that of the last return or rejection.
	Reason string `json:"reason,omitempty"`
	// Version counts the application's changes (its ETag): a reviewer
	// who names the version seen never decides on another.
	Version     int                `json:"version"`
	KeyID       string             `json:"key_id"` // the key that submitted it
	Attachments []AttachmentInfo   `json:"attachments"`
	History     []ApplicationEvent `json:"history"`
	CreatedAt   time.Time          `json:"created_at"`
	UpdatedAt   time.Time          `json:"updated_at"`
}

// Submitters are the keys that submitted the application or corrected it:
// none of them may review it (four eyes).
func (a Application) Submitters() []string {
	var keys []string
	for _, e := range a.History {
		if e.Status == ApplicationSubmitted {
			keys = append(keys, e.KeyID)
		}
	}
	return keys
}

// ApplicationEvent is one step of an application's history: who (key and
// role) made it take which status, when and why.
type ApplicationEvent struct {
	Status  string    `json:"status"`
	Version int       `json:"version"`
	KeyID   string    `json:"key_id"`
	Role    string    `json:"role"`
	At      time.Time `json:"at"`
	Reason  string    `json:"reason,omitempty"`
}

// AttachmentInfo describes one piece of evidence (证明材料), numbered from 1
// within its application.
type AttachmentInfo struct {
	N           int       `json:"n"`
	Name        string    `json:"name,omitempty"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	KeyID       string    `json:"key_id"`
	CreatedAt   time.Time `json:"created_at"`
}

// Attachment is a piece of evidence with its content.
type Attachment struct {
	AttachmentInfo
	Data []byte `json:"-"`
}

// ApplicationTransition is a change of an application's status, made by
// ApplicationStore.TransitionApplication.
type ApplicationTransition struct {
	To     string
	Reason string // of a return or a rejection
	// Corrected holds the corrected facts and their evaluation when a
	// returned application is submitted again.
	Corrected *Application
	// Check, if set, is called with the application as stored (with its
	// history), under the lock, before anything changes; an error stops
	// the change.
	Check func(Application) error
	// Evaluate gives the evaluation an accepted application keeps, on the
	// subject's facts as the registry holds them once the application's
	// facts are recorded.
	Evaluate func(Application, Subject) (ApplicationEvaluation, error)
}

// ApplicationFilter selects applications in id order; empty fields match
// everything.
type ApplicationFilter struct {
	Status  string
	Rule    string
	Subject string
	AfterID int64 // keyset pagination: only ids above this
	Limit   int
}

// ApplicationNotFound is the one answer for an application that does not
// exist or is another subject's.
func ApplicationNotFound(id int64) *Error { return NotFound("申报 %d", "application %d", id) }
