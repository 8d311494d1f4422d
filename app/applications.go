package app

import (
	"bytes"
	"context"
	"fmt"
	"mime"
	"slices"
	"strings"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// Applications (申报): an enterprise or a university
// brings facts the bureaus do not have yet, with evidence; each application
// is evaluated when it is submitted, on the registry plus its facts; the
// finance bureau accepts it (its facts enter the registry, and the next
// payout run pays), returns it for correction or rejects it. Nothing is
// paid outside a payout run. Entries reach these methods decoded and
// validated (package input); what needs the subject, the date or the
// registry is checked here, and races are decided by the store.

// UnsupportedMediaError refuses evidence that is not a PDF, PNG or JPEG
// file, or whose content is not what its declared type says (an executable
// renamed .pdf). It is not a models.Error: only HTTP has a status for it.
type UnsupportedMediaError struct {
	Declared string // the media type the client declared
	Detected string // the type of evidence the content is, "" for none
}

func (e *UnsupportedMediaError) Error() string { return e.Text().En }

// Text says what is wrong, in both languages.
func (e *UnsupportedMediaError) Text() models.Text {
	types := strings.Join(models.AttachmentTypes, ", ")
	if e.Detected == "" {
		return models.Text{
			Zh: "证明材料的内容不是 PDF、PNG 或 JPEG 文件（只接受 " + types + "）",
			En: "the evidence is not a PDF, PNG or JPEG file by its content (only " + types + " are taken)",
		}
	}
	return models.Text{
		Zh: fmt.Sprintf("证明材料的内容是 %s，与声明的类型 %q 不符（只接受 %s）", e.Detected, e.Declared, types),
		En: fmt.Sprintf("the evidence is %s by its content, not the %q declared (only %s are taken)", e.Detected, e.Declared, types),
	}
}

// TooLargeError refuses evidence above models.MaxAttachmentSize.
type TooLargeError struct{ Size, Limit int64 }

func (e *TooLargeError) Error() string { return e.Text().En }

// Text says what is wrong, in both languages.
func (e *TooLargeError) Text() models.Text {
	return models.Text{
		Zh: fmt.Sprintf("证明材料为 %d 字节，超过 %d 字节（5 MiB）的上限", e.Size, e.Limit),
		En: fmt.Sprintf("the evidence has %d bytes, more than the limit of %d bytes (5 MiB)", e.Size, e.Limit),
	}
}

// signatures are the first bytes of each type of evidence taken (the
// magic numbers net/http.DetectContentType also goes by).
var signatures = []struct {
	mediaType string
	magic     []byte
}{
	{"application/pdf", []byte("%PDF-")},
	{"image/png", []byte("\x89PNG\r\n\x1a\n")},
	{"image/jpeg", []byte{0xFF, 0xD8, 0xFF}},
}

// sniff returns the type of evidence data is by its content, or "".
func sniff(data []byte) string {
	for _, s := range signatures {
		if bytes.HasPrefix(data, s.magic) {
			return s.mediaType
		}
	}
	return ""
}

// evidenceType returns the media type of evidence declared as contentType
// when it is one taken and the content is of that type.
func evidenceType(contentType string, data []byte) (string, error) {
	declared, _, err := mime.ParseMediaType(contentType)
	detected := sniff(data)
	if err != nil || !slices.Contains(models.AttachmentTypes, declared) || detected != declared {
		return "", &UnsupportedMediaError{Declared: contentType, Detected: detected}
	}
	return declared, nil
}

// applicant returns the subject an application is for and its kind: a
// subject key's own (naming another subject is not found, as if it did not
// exist), or the one finance or admin name.
func applicant(actor models.Actor, named string) (code, kind string, err error) {
	if isSubjectKey(actor) {
		code, err := ownSubject(actor, named)
		if err != nil {
			return "", "", err
		}
		return code, actor.Role, nil
	}
	switch {
	case named == "":
		return "", "", models.InvalidInput(models.Field("subject", "required"))
	case models.ValidCreditCode(named):
		return named, models.KindEnterprise, nil
	case models.CreditCodeProblem(named) == "check":
		// Shaped as a credit code: a typo, not a university.
		return "", "", models.InvalidInput(models.Field("subject", "credit_check"))
	case models.ValidUniversityCode(named):
		return named, models.KindUniversity, nil
	}
	return "", "", models.InvalidInput(models.Field("subject", "subject_ref"))
}

// trimmed returns e with its certificate and receipt numbers as they are
// compared and stored: without surrounding spaces.
func trimmed(e models.ApplicationEntry) models.ApplicationEntry {
	e.Certifications = slices.Clone(e.Certifications)
	for i := range e.Certifications {
		e.Certifications[i].CertificateNo = strings.TrimSpace(e.Certifications[i].CertificateNo)
	}
	e.Donations = slices.Clone(e.Donations)
	for i := range e.Donations {
		e.Donations[i].ReceiptNo = strings.TrimSpace(e.Donations[i].ReceiptNo)
	}
	return e
}

// evaluateEntry checks an application's facts for a registered subject and
// evaluates its rule on the registry's facts plus the application's: a
// certification or a receipt the registry holds already is bad input, as
// is what CheckApplication refuses; a subject not registered is not found.
func (s *Service) evaluateEntry(ctx context.Context, code, kind string, e models.ApplicationEntry) (models.ApplicationEvaluation, error) {
	if err := s.input.CheckApplication(e, kind, s.Today()); err != nil {
		return models.ApplicationEvaluation{}, err
	}
	var subject models.Subject
	var fields []models.FieldError
	switch kind {
	case models.KindEnterprise:
		ent, err := s.store.EnterpriseFacts(ctx, code)
		if err != nil {
			return models.ApplicationEvaluation{}, err
		}
		recorded := ent.Certifications
		for i, c := range e.Certifications {
			for _, r := range recorded {
				if r.Level == c.Level && r.CertifiedOn == c.CertifiedOn {
					level, on := models.LevelWords[c.Level], c.CertifiedOn.String()
					fields = append(fields, models.FieldWords(fmt.Sprintf("certifications[%d].certified_on", i), "already_recorded",
						models.Text{Zh: level.Zh + "认定，" + on, En: "the " + level.En + " certification of " + on}))
					break
				}
			}
			ent.Certifications = append(ent.Certifications, c.Certification())
		}
		subject.Enterprise = &ent
	case models.KindUniversity:
		uni, err := s.store.UniversityFacts(ctx, code)
		if err != nil {
			return models.ApplicationEvaluation{}, err
		}
		recorded, err := s.store.ListDonations(ctx, code)
		if err != nil {
			return models.ApplicationEvaluation{}, err
		}
		receipts := map[string]bool{}
		for _, d := range recorded {
			receipts[d.ReceiptNo] = d.ReceiptNo != ""
		}
		for i, d := range e.Donations {
			if receipts[d.ReceiptNo] {
				fields = append(fields, models.Field(fmt.Sprintf("donations[%d].receipt_no", i), "already_recorded", d.ReceiptNo))
			}
			uni.Donations = append(uni.Donations, d.Donation())
		}
		uni.GrantYear = e.GrantYear
		subject.University = &uni
	}
	if len(fields) > 0 {
		return models.ApplicationEvaluation{}, models.InvalidInput(fields...)
	}
	return s.evaluateRule(e.Rule, subject)
}

// evaluateRule evaluates one rule on a subject's facts as of today, as POST
// /v1/evaluate would, with the messages in Chinese (what is kept).
func (s *Service) evaluateRule(rule string, subject models.Subject) (models.ApplicationEvaluation, error) {
	resp, err := s.engine.Evaluate(models.EvaluateRequest{AsOf: s.Today(), Rules: []string{rule}, Subject: subject}, models.LangZh)
	if err != nil {
		return models.ApplicationEvaluation{}, fmt.Errorf("evaluate the application of %s: %w", subject.Code(), err)
	}
	return models.ApplicationEvaluation{AsOf: resp.AsOf, Ruleset: resp.Ruleset, RuleResult: resp.Results[0]}, nil
}

// SubmitApplication records an application, evaluated on the registry plus
// its facts (POST /v1/applications).
func (s *Service) SubmitApplication(ctx context.Context, actor models.Actor, e models.ApplicationEntry) (models.Application, error) {
	code, kind, err := applicant(actor, e.Subject)
	if err != nil {
		return models.Application{}, err
	}
	e = trimmed(e)
	eval, err := s.evaluateEntry(ctx, code, kind, e)
	if err != nil {
		return models.Application{}, err
	}
	return s.store.CreateApplication(ctx, actor, models.Application{
		Subject: code, SubjectKind: kind, Rule: e.Rule, GrantYear: e.GrantYear,
		Certifications: e.Certifications, Donations: e.Donations, Evaluation: eval,
	})
}

// CorrectApplication submits a returned application again with corrected
// facts and a new evaluation (PUT /v1/applications/{id}). version, if not
// 0, is the version the client corrected (If-Match). A correction that
// would change the application's subject or rule is bad input; one of an
// application that is not returned is a conflict before its facts are
// evaluated (facts the registry holds since it was accepted are no reason
// to refuse them); the store checks the status again under the lock.
func (s *Service) CorrectApplication(ctx context.Context, actor models.Actor, id int64, version int, e models.ApplicationEntry) (models.Application, error) {
	cur, err := s.Application(ctx, actor, id)
	if err != nil {
		return models.Application{}, err
	}
	var fields []models.FieldError
	if e.Rule != cur.Rule {
		fields = append(fields, models.Field("rule", "eq", cur.Rule))
	}
	if e.Subject != "" && e.Subject != cur.Subject {
		fields = append(fields, models.Field("subject", "eq", cur.Subject))
	}
	if len(fields) > 0 {
		return models.Application{}, models.InvalidInput(fields...)
	}
	if err := models.CheckApplicationMove(id, cur.Status, models.ApplicationSubmitted); err != nil {
		return models.Application{}, err
	}
	e = trimmed(e)
	eval, err := s.evaluateEntry(ctx, cur.Subject, cur.SubjectKind, e)
	if err != nil {
		return models.Application{}, err
	}
	return s.store.TransitionApplication(ctx, actor, id, models.ApplicationTransition{
		To: models.ApplicationSubmitted,
		Corrected: &models.Application{
			GrantYear: e.GrantYear, Certifications: e.Certifications, Donations: e.Donations, Evaluation: eval,
		},
		Check: func(a models.Application) error { return sameVersion(a, version) },
	})
}

// sameVersion refuses to change an application that changed since the
// version the client saw (0: the client named none).
func sameVersion(a models.Application, version int) error {
	if version == 0 || a.Version == version {
		return nil
	}
	return models.Conflict(
		fmt.Sprintf("申报 %d 在您查看的第 %d 版之后已有改动（现为第 %d 版），请重新查看后再操作", a.ID, version, a.Version),
		fmt.Sprintf("application %d changed since the version %d you saw (it is at version %d): look at it again first", a.ID, version, a.Version))
}

// review decides on an application (finance, admin): not by a key that
// submitted or corrected it (four eyes), and only on the version the
// reviewer saw when one is named.
func (s *Service) review(ctx context.Context, actor models.Actor, id int64, version int, t models.ApplicationTransition) (models.Application, error) {
	t.Check = func(a models.Application) error {
		if err := s.keepApart(actor, a.Submitters()...); err != nil {
			return err
		}
		return sameVersion(a, version)
	}
	return s.store.TransitionApplication(ctx, actor, id, t)
}

// AcceptApplication accepts a submitted application: its facts enter the
// registry, linked to it, and its evaluation is made again on the registry
// and kept. The next payout run pays what is due.
func (s *Service) AcceptApplication(ctx context.Context, actor models.Actor, id int64, version int) (models.Application, error) {
	return s.review(ctx, actor, id, version, models.ApplicationTransition{
		To: models.ApplicationAccepted,
		Evaluate: func(a models.Application, subject models.Subject) (models.ApplicationEvaluation, error) {
			if subject.University != nil {
				subject.University.GrantYear = a.GrantYear
			}
			return s.evaluateRule(a.Rule, subject)
		},
	})
}

// ReturnApplication returns a submitted application for correction, for a
// reason the subject reads.
func (s *Service) ReturnApplication(ctx context.Context, actor models.Actor, id int64, version int, r models.ReasonEntry) (models.Application, error) {
	return s.review(ctx, actor, id, version, models.ApplicationTransition{To: models.ApplicationReturned, Reason: r.Reason})
}

// RejectApplication refuses a submitted application, finally, for a reason.
func (s *Service) RejectApplication(ctx context.Context, actor models.Actor, id int64, version int, r models.ReasonEntry) (models.Application, error) {
	return s.review(ctx, actor, id, version, models.ApplicationTransition{To: models.ApplicationRejected, Reason: r.Reason})
}

// Application returns an application the actor may read: a subject key
// asking for another subject's gets exactly what a missing one gets.
func (s *Service) Application(ctx context.Context, actor models.Actor, id int64) (models.Application, error) {
	a, err := s.store.GetApplication(ctx, id)
	if err != nil {
		return models.Application{}, err
	}
	if !mayRead(actor, a.SubjectKind, a.Subject) {
		return models.Application{}, models.ApplicationNotFound(id)
	}
	return a, nil
}

// Applications lists applications in id order, a page at a time: the
// review queue for finance and admin, its own for a subject key (asking for
// another subject's is not found).
func (s *Service) Applications(ctx context.Context, actor models.Actor, f models.ApplicationFilter) ([]models.Application, error) {
	subject, err := ownSubject(actor, f.Subject)
	if err != nil {
		return nil, err
	}
	f.Subject = subject
	list, err := s.store.ListApplications(ctx, f)
	return nonNil(list), err
}

// AddAttachment adds evidence (证明材料) to an open application the actor
// may read: a PDF, PNG or JPEG file of at most 5 MiB whose content is of
// the type declared.
func (s *Service) AddAttachment(ctx context.Context, actor models.Actor, id int64, contentType, name string, data []byte) (models.AttachmentInfo, error) {
	if _, err := s.Application(ctx, actor, id); err != nil {
		return models.AttachmentInfo{}, err
	}
	switch {
	case len(data) == 0:
		return models.AttachmentInfo{}, models.Errorf(models.CodeInvalid, "证明材料为空", "the evidence is empty")
	case len(data) > models.MaxAttachmentSize:
		return models.AttachmentInfo{}, &TooLargeError{Size: int64(len(data)), Limit: models.MaxAttachmentSize}
	}
	mediaType, err := evidenceType(contentType, data)
	if err != nil {
		return models.AttachmentInfo{}, err
	}
	return s.store.AddAttachment(ctx, actor, id, models.Attachment{
		AttachmentInfo: models.AttachmentInfo{Name: name, ContentType: mediaType}, Data: data,
	})
}

// Attachment returns the n-th evidence of an application the actor may read.
func (s *Service) Attachment(ctx context.Context, actor models.Actor, id int64, n int) (models.Attachment, error) {
	if _, err := s.Application(ctx, actor, id); err != nil {
		return models.Attachment{}, err
	}
	return s.store.GetAttachment(ctx, id, n)
}
