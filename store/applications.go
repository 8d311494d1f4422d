package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// Applications (申报), their history and their evidence. The database
// decides every race (see models.ApplicationStore): the partial unique index
// applications_open lets one open application per subject, rule and grant
// year in; a transition locks the application's row, so that of two
// reviewers, or a reviewer and a correcting subject, one changes it and the
// other finds it changed; the facts an acceptance records are inserted in
// the transition's transaction, so they are recorded once or not at all.

type applicationRow struct {
	ID             int64 `gorm:"primaryKey"`
	Subject        string
	SubjectKind    string
	Rule           string
	GrantYear      int
	Status         string
	Version        int
	Facts          jsonText
	Evaluation     jsonText
	RulesetVersion string
	RulesetDigest  string
	Reason         string
	KeyID          string
	KeyRole        string
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

func (applicationRow) TableName() string { return "applications" }

// applicationFacts are the facts an application claims, stored as one
// document: they are replaced whole when a returned application is
// corrected.
type applicationFacts struct {
	Certifications []models.ApplicationCertification `json:"certifications,omitempty"`
	Donations      []models.ApplicationDonation      `json:"donations,omitempty"`
}

// setFacts sets the row's grant year, facts and evaluation from a.
func (r *applicationRow) setFacts(a models.Application) error {
	facts, err := json.Marshal(applicationFacts{Certifications: a.Certifications, Donations: a.Donations})
	if err != nil {
		return fmt.Errorf("encode the facts of an application: %w", err)
	}
	r.GrantYear, r.Facts = a.GrantYear, facts
	return r.setEvaluation(a.Evaluation)
}

func (r *applicationRow) setEvaluation(e models.ApplicationEvaluation) error {
	eval, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("encode the evaluation of an application: %w", err)
	}
	r.Evaluation, r.RulesetVersion, r.RulesetDigest = eval, e.Ruleset.Version, e.Ruleset.Digest
	return nil
}

// model is the application without its history and evidence.
func (r applicationRow) model() (models.Application, error) {
	a := models.Application{
		ID:          r.ID,
		Status:      r.Status,
		Subject:     r.Subject,
		SubjectKind: r.SubjectKind,
		Rule:        r.Rule,
		GrantYear:   r.GrantYear,
		Reason:      r.Reason,
		Version:     r.Version,
		KeyID:       r.KeyID,
		Attachments: []models.AttachmentInfo{},
		History:     []models.ApplicationEvent{},
		CreatedAt:   r.CreatedAt.UTC(),
		UpdatedAt:   r.UpdatedAt.UTC(),
	}
	var facts applicationFacts
	if err := json.Unmarshal(r.Facts, &facts); err != nil {
		return models.Application{}, fmt.Errorf("application %d: facts: %w", r.ID, err)
	}
	a.Certifications, a.Donations = facts.Certifications, facts.Donations
	if err := json.Unmarshal(r.Evaluation, &a.Evaluation); err != nil {
		return models.Application{}, fmt.Errorf("application %d: evaluation: %w", r.ID, err)
	}
	return a, nil
}

// applicationAudit is an application as the audit trail shows it: its
// facts and status, and of its evaluation only the outcome.
type applicationAudit struct {
	ID             int64                             `json:"id"`
	Status         string                            `json:"status"`
	Subject        string                            `json:"subject"`
	Rule           string                            `json:"rule"`
	GrantYear      int                               `json:"grant_year,omitempty"`
	Certifications []models.ApplicationCertification `json:"certifications,omitempty"`
	Donations      []models.ApplicationDonation      `json:"donations,omitempty"`
	Eligible       bool                              `json:"eligible"`
	Amount         models.Money                      `json:"amount"`
	RulesetDigest  string                            `json:"ruleset_digest"`
	Reason         string                            `json:"reason,omitempty"`
	Version        int                               `json:"version"`
}

func (r applicationRow) auditRecord() (any, error) {
	a, err := r.model()
	if err != nil {
		return nil, err
	}
	return applicationAudit{
		ID: a.ID, Status: a.Status, Subject: a.Subject, Rule: a.Rule, GrantYear: a.GrantYear,
		Certifications: a.Certifications, Donations: a.Donations, Eligible: a.Evaluation.Eligible,
		Amount: a.Evaluation.Amount, RulesetDigest: r.RulesetDigest, Reason: a.Reason, Version: a.Version,
	}, nil
}

type applicationEventRow struct {
	ID            int64 `gorm:"primaryKey"`
	ApplicationID int64
	Status        string
	Version       int
	KeyID         string
	Role          string
	Reason        string
	At            time.Time
}

func (applicationEventRow) TableName() string { return "application_events" }

func (r applicationEventRow) model() models.ApplicationEvent {
	return models.ApplicationEvent{Status: r.Status, Version: r.Version, KeyID: r.KeyID, Role: r.Role, At: r.At.UTC(), Reason: r.Reason}
}

type attachmentRow struct {
	ApplicationID int64 `gorm:"primaryKey;autoIncrement:false"`
	N             int   `gorm:"column:n;primaryKey;autoIncrement:false"`
	Name          string
	ContentType   string
	Size          int64
	SHA256        string `gorm:"column:sha256"`
	Data          []byte
	KeyID         string
	CreatedAt     time.Time
}

func (attachmentRow) TableName() string { return "application_attachments" }

// attachmentInfoColumns are the columns of an attachment but its content.
var attachmentInfoColumns = []string{"application_id", "n", "name", "content_type", "size", "sha256", "key_id", "created_at"}

func (r attachmentRow) info() models.AttachmentInfo {
	return models.AttachmentInfo{
		N: r.N, Name: r.Name, ContentType: r.ContentType, Size: r.Size, SHA256: r.SHA256,
		KeyID: r.KeyID, CreatedAt: r.CreatedAt.UTC(),
	}
}

// openConflict is the answer to a second open application of one subject,
// rule and grant year.
var openConflict = models.Conflict(
	"该主体已有同一项目（同一补助年度）尚未办结的申报（已提交或退回修改），请修改该申报或待其审核后再申报",
	"the subject already has an open application (submitted or returned) for this rule and grant year: correct it, or await its review")

// CreateApplication records a submitted application with the first entry
// of its history.
func (s *Store) CreateApplication(ctx context.Context, actor models.Actor, a models.Application) (models.Application, error) {
	var out models.Application
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		now := s.now()
		row := applicationRow{
			Subject: a.Subject, SubjectKind: a.SubjectKind, Rule: a.Rule, Status: models.ApplicationSubmitted,
			Version: 1, KeyID: actor.KeyID, KeyRole: actor.Role, CreatedAt: now, UpdatedAt: now,
		}
		if err := row.setFacts(a); err != nil {
			return err
		}
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		if err := addEvent(tx, actor, row, now); err != nil {
			return err
		}
		rec, err := row.auditRecord()
		if err != nil {
			return err
		}
		if err := s.audit(tx, entry{actor, actionCreate, entityApplication, strconv.FormatInt(row.ID, 10)}, nil, rec); err != nil {
			return err
		}
		out, err = loadApplication(tx, row)
		return err
	})
	if err != nil {
		return models.Application{}, translate(err, meaning{op: "create an application of " + a.Subject, conflict: openConflict})
	}
	return out, nil
}

// addEvent adds the status row has just taken to its history.
func addEvent(tx *gorm.DB, actor models.Actor, row applicationRow, at time.Time) error {
	return tx.Create(&applicationEventRow{
		ApplicationID: row.ID, Status: row.Status, Version: row.Version, KeyID: actor.KeyID,
		Role: actor.Role, Reason: row.Reason, At: at,
	}).Error
}

// TransitionApplication changes an application's status under its row
// lock (see models.ApplicationStore).
func (s *Store) TransitionApplication(ctx context.Context, actor models.Actor, id int64, t models.ApplicationTransition) (models.Application, error) {
	if _, ok := models.ApplicationMoveFrom(t.To); !ok {
		return models.Application{}, invalid("status", "status", "submitted, accepted, returned, rejected")
	}
	var out models.Application
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		e := entry{actor, actionTransition, entityApplication, strconv.FormatInt(id, 10)}
		row, err := updateRow(s, tx, e, func(r *applicationRow) (map[string]any, error) {
			if err := models.CheckApplicationMove(id, r.Status, t.To); err != nil {
				return nil, err
			}
			if t.Check != nil {
				cur, err := loadApplication(tx, *r)
				if err != nil {
					return nil, err
				}
				if err := t.Check(cur); err != nil {
					return nil, err
				}
			}
			now := s.now()
			r.Status, r.Version, r.Reason, r.UpdatedAt = t.To, r.Version+1, "", now
			switch t.To {
			case models.ApplicationReturned, models.ApplicationRejected:
				r.Reason = strings.TrimSpace(t.Reason)
			case models.ApplicationSubmitted:
				if t.Corrected == nil {
					return nil, fmt.Errorf("application %d: a correction without facts", id)
				}
				if err := r.setFacts(*t.Corrected); err != nil {
					return nil, err
				}
			case models.ApplicationAccepted:
				if err := s.accept(tx, actor, r, t.Evaluate); err != nil {
					return nil, err
				}
			}
			if err := addEvent(tx, actor, *r, now); err != nil {
				return nil, err
			}
			return map[string]any{
				"status":          r.Status,
				"version":         r.Version,
				"reason":          r.Reason,
				"grant_year":      r.GrantYear,
				"facts":           r.Facts,
				"evaluation":      r.Evaluation,
				"ruleset_version": r.RulesetVersion,
				"ruleset_digest":  r.RulesetDigest,
				"updated_at":      r.UpdatedAt,
			}, nil
		}, "id = ?", id)
		if err != nil {
			return err
		}
		out, err = loadApplication(tx, row)
		return err
	})
	if err != nil {
		return models.Application{}, translate(err, meaning{
			op:       fmt.Sprintf("%s application %d", t.To, id),
			notFound: models.ApplicationNotFound(id),
			conflict: openConflict,
		})
	}
	return out, nil
}

// accept records an accepted application's facts in the registry, each
// linked to the application and audited, and sets the evaluation evaluate
// gives on the subject's facts as the registry now holds them. A
// certification recorded meanwhile (the same level and date, say from an
// imported list) is there already and is not recorded again; a donation
// receipt recorded meanwhile is a Conflict: the same receipt cannot bring
// money twice.
func (s *Store) accept(tx *gorm.DB, actor models.Actor, r *applicationRow, evaluate func(models.Application, models.Subject) (models.ApplicationEvaluation, error)) error {
	var facts applicationFacts
	if err := json.Unmarshal(r.Facts, &facts); err != nil {
		return fmt.Errorf("application %d: facts: %w", r.ID, err)
	}
	now := s.now()
	var subject models.Subject
	switch r.SubjectKind {
	case models.KindEnterprise:
		for _, c := range facts.Certifications {
			var n int64
			if err := tx.Model(&certRow{}).Where("credit_code = ? AND level = ? AND certified_on = ?", r.Subject, c.Level, date{c.CertifiedOn}).Count(&n).Error; err != nil {
				return err
			}
			if n > 0 {
				continue
			}
			row := certRowOf(models.CertificationRecord{CreditCode: r.Subject, Level: c.Level, CertifiedOn: c.CertifiedOn}, now)
			row.CertificateNo, row.ApplicationID = c.CertificateNo, &r.ID
			// A concurrent import may record it first: the transaction
			// then runs again and finds it.
			if err := s.insertCert(tx, actor, &row); err != nil {
				return raced(err)
			}
		}
		ent, err := enterpriseFacts(tx, r.Subject)
		if err != nil {
			return err
		}
		subject.Enterprise = &ent
	case models.KindUniversity:
		receipts := make([]string, len(facts.Donations))
		for i, d := range facts.Donations {
			receipts[i] = d.ReceiptNo
		}
		var taken []string
		if err := tx.Model(&donationRow{}).Where("university_code = ? AND receipt_no IN ?", r.Subject, receipts).Order("receipt_no").Pluck("receipt_no", &taken).Error; err != nil {
			return err
		}
		if len(taken) > 0 {
			list := strings.Join(taken, ", ")
			return models.Conflict(
				fmt.Sprintf("捐赠票据号 %s 已登记在册，申报 %d 不能受理", list, r.ID),
				fmt.Sprintf("the receipt no. %s is already recorded: application %d cannot be accepted", list, r.ID))
		}
		for _, d := range facts.Donations {
			on := d.ArrivedOn
			row := donationRowOf(models.DonationRecord{
				UniversityCode: r.Subject, Amount: d.Amount, Form: d.Form, ViaFoundation: d.ViaFoundation, ArrivedOn: &on, ReceiptNo: d.ReceiptNo,
			}, now)
			row.ApplicationID = &r.ID
			// Another application with the same receipt accepted at the
			// same moment: the transaction runs again and says so.
			if err := s.insertDonation(tx, actor, &row); err != nil {
				return raced(err)
			}
		}
		uni, err := universityFacts(tx, r.Subject)
		if err != nil {
			return err
		}
		subject.University = &uni
	default:
		return fmt.Errorf("application %d: unknown subject kind %q", r.ID, r.SubjectKind)
	}
	app, err := r.model()
	if err != nil {
		return err
	}
	eval, err := evaluate(app, subject)
	if err != nil {
		return err
	}
	return r.setEvaluation(eval)
}

// GetApplication returns an application with its evidence and history.
func (s *Store) GetApplication(ctx context.Context, id int64) (models.Application, error) {
	var out models.Application
	err := s.read(ctx, func(db *gorm.DB) error {
		var row applicationRow
		if err := db.Where("id = ?", id).Take(&row).Error; err != nil {
			return err
		}
		var err error
		out, err = loadApplication(db, row)
		return err
	})
	if err != nil {
		return models.Application{}, translate(err, meaning{op: fmt.Sprintf("get application %d", id), notFound: models.ApplicationNotFound(id)})
	}
	return out, nil
}

// ListApplications lists applications in id order. Limit 0 lists every
// match.
func (s *Store) ListApplications(ctx context.Context, f models.ApplicationFilter) ([]models.Application, error) {
	var out []models.Application
	err := s.read(ctx, func(db *gorm.DB) error {
		q := listed(db.Model(&applicationRow{}), []match{
			{"status", f.Status}, {"rule", f.Rule}, {"subject", f.Subject},
		}, "id", f.AfterID, f.Limit)
		var rows []applicationRow
		if err := q.Find(&rows).Error; err != nil {
			return err
		}
		var err error
		out, err = loadApplications(db, rows)
		return err
	})
	if err != nil {
		return nil, translate(err, meaning{op: "list applications"})
	}
	return out, nil
}

// loadApplication is loadApplications for one.
func loadApplication(db *gorm.DB, row applicationRow) (models.Application, error) {
	out, err := loadApplications(db, []applicationRow{row})
	if err != nil {
		return models.Application{}, err
	}
	return out[0], nil
}

// loadApplications returns the applications of rows with their history and
// their evidence (without its content), read with one query each per chunk
// of ids.
func loadApplications(db *gorm.DB, rows []applicationRow) ([]models.Application, error) {
	out := make([]models.Application, len(rows))
	at := make(map[int64]int, len(rows))
	ids := make([]int64, len(rows))
	for i, r := range rows {
		a, err := r.model()
		if err != nil {
			return nil, err
		}
		out[i], at[r.ID], ids[i] = a, i, r.ID
	}
	for _, chunk := range chunks(ids, inListChunk) {
		var events []applicationEventRow
		if err := db.Where("application_id IN ?", chunk).Order("application_id, id").Find(&events).Error; err != nil {
			return nil, fmt.Errorf("load the history of applications: %w", err)
		}
		for _, e := range events {
			a := &out[at[e.ApplicationID]]
			a.History = append(a.History, e.model())
		}
		var atts []attachmentRow
		if err := db.Select(attachmentInfoColumns).Where("application_id IN ?", chunk).Order("application_id, n").Find(&atts).Error; err != nil {
			return nil, fmt.Errorf("load the evidence of applications: %w", err)
		}
		for _, r := range atts {
			a := &out[at[r.ApplicationID]]
			a.Attachments = append(a.Attachments, r.info())
		}
	}
	return out, nil
}

// AddAttachment adds evidence to an open application, numbered after its
// last, and raises the application's version, under the application's row
// lock: evidence added while a reviewer decides is either seen by the
// decision's check of the version or refused once the application is no
// longer open.
func (s *Store) AddAttachment(ctx context.Context, actor models.Actor, id int64, a models.Attachment) (models.AttachmentInfo, error) {
	var out models.AttachmentInfo
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		var app applicationRow
		if err := forUpdate(tx).Select("id", "status").Where("id = ?", id).Take(&app).Error; err != nil {
			return err
		}
		if app.Status != models.ApplicationSubmitted && app.Status != models.ApplicationReturned {
			return models.Conflict(
				fmt.Sprintf("申报 %d 当前状态为“%s”，不能再补充证明材料", id, models.ApplicationStatusWords[app.Status].Zh),
				fmt.Sprintf("application %d is %s: it takes no more evidence", id, app.Status))
		}
		var count int64
		var last int
		if err := tx.Raw(`SELECT COUNT(*), COALESCE(MAX(n), 0) FROM application_attachments WHERE application_id = ?`, id).Row().Scan(&count, &last); err != nil {
			return err
		}
		if count >= models.MaxAttachments {
			return models.Conflict(
				fmt.Sprintf("申报 %d 的证明材料已达 %d 份的上限", id, models.MaxAttachments),
				fmt.Sprintf("application %d already has the most evidence it takes, %d files", id, models.MaxAttachments))
		}
		sum := sha256.Sum256(a.Data)
		now := s.now()
		row := attachmentRow{
			ApplicationID: id, N: last + 1, Name: a.Name, ContentType: a.ContentType, Size: int64(len(a.Data)),
			SHA256: hex.EncodeToString(sum[:]), Data: a.Data, KeyID: actor.KeyID, CreatedAt: now,
		}
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		if err := tx.Model(&applicationRow{}).Where("id = ?", id).
			Updates(map[string]any{"version": gorm.Expr("version + 1"), "updated_at": now}).Error; err != nil {
			return err
		}
		out = row.info()
		return s.audit(tx, entry{actor, actionCreate, entityAttachment, fmt.Sprintf("%d/%d", id, row.N)}, nil, out)
	})
	if err != nil {
		return models.AttachmentInfo{}, translate(err, meaning{
			op:       fmt.Sprintf("add evidence to application %d", id),
			notFound: models.ApplicationNotFound(id),
		})
	}
	return out, nil
}

// GetAttachment returns the n-th evidence of an application with its content.
func (s *Store) GetAttachment(ctx context.Context, id int64, n int) (models.Attachment, error) {
	var row attachmentRow
	err := s.read(ctx, func(db *gorm.DB) error {
		return db.Where("application_id = ? AND n = ?", id, n).Take(&row).Error
	})
	if err != nil {
		return models.Attachment{}, translate(err, meaning{
			op:       fmt.Sprintf("get evidence %d of application %d", n, id),
			notFound: models.NotFound("申报 %[1]d 的证明材料 %[2]d", "evidence %[2]d of application %[1]d", id, n),
		})
	}
	return models.Attachment{AttachmentInfo: row.info(), Data: row.Data}, nil
}
