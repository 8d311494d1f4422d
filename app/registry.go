package app

import (
	"context"

	"github.com/wenzhou-subsidy/subsidy/input"
	"github.com/wenzhou-subsidy/subsidy/models"
)

// The registry: enterprises with their certifications and credit years,
// universities with their donations. Entries reach these methods validated
// (package input); the store's constraints are the last line.

// EnterpriseView is an enterprise with its certifications and credit years.
type EnterpriseView struct {
	models.EnterpriseRecord
	Certifications []models.CertificationRecord `json:"certifications"`
	CreditYears    []models.CreditYearRecord    `json:"credit_years"`
}

// UniversityView is a university with its donations.
type UniversityView struct {
	models.UniversityRecord
	Donations []models.DonationRecord `json:"donations"`
}

// PutEnterprise registers or corrects an enterprise and reports whether it
// was created.
func (s *Service) PutEnterprise(ctx context.Context, actor models.Actor, e models.EnterpriseEntry) (models.EnterpriseRecord, bool, error) {
	return s.store.PutEnterprise(ctx, actor, models.EnterpriseRecord{
		CreditCode: e.CreditCode, Name: e.Name, Region: e.Region, Parent: e.Parent, Payee: e.Payee,
	})
}

// SetCreditCarryIn records the credit an enterprise carries in from before
// its first recorded credit year.
func (s *Service) SetCreditCarryIn(ctx context.Context, actor models.Actor, code string, e models.CarryInEntry) (models.EnterpriseRecord, error) {
	return s.store.SetCreditCarryIn(ctx, actor, code, e.CreditCarryIn)
}

// Enterprise returns a registered enterprise the actor may read, its payee
// account as the actor may read it.
func (s *Service) Enterprise(ctx context.Context, actor models.Actor, code string) (models.EnterpriseRecord, error) {
	if err := canRead(actor, models.KindEnterprise, code); err != nil {
		return models.EnterpriseRecord{}, err
	}
	e, err := s.store.GetEnterprise(ctx, code)
	e.Payee = payeeFor(actor, e.Payee)
	return e, err
}

// EnterpriseView returns an enterprise with its certifications and credit years.
func (s *Service) EnterpriseView(ctx context.Context, actor models.Actor, code string) (EnterpriseView, error) {
	rec, err := s.Enterprise(ctx, actor, code)
	if err != nil {
		return EnterpriseView{}, err
	}
	certs, err := s.store.ListCertifications(ctx, code)
	if err != nil {
		return EnterpriseView{}, err
	}
	years, err := s.store.ListCreditYears(ctx, code)
	if err != nil {
		return EnterpriseView{}, err
	}
	return EnterpriseView{EnterpriseRecord: rec, Certifications: nonNil(certs), CreditYears: nonNil(years)}, nil
}

// ListEnterprises lists enterprises in credit-code order, a page at a
// time, their payee accounts as the actor may read them.
func (s *Service) ListEnterprises(ctx context.Context, actor models.Actor, f models.EnterpriseFilter) ([]models.EnterpriseRecord, error) {
	list, err := s.store.ListEnterprises(ctx, f)
	for i := range list {
		list[i].Payee = payeeFor(actor, list[i].Payee)
	}
	return nonNil(list), err
}

// AddCertification records a certification of a registered enterprise.
func (s *Service) AddCertification(ctx context.Context, actor models.Actor, code string, c models.Certification) (models.CertificationRecord, error) {
	return s.store.AddCertification(ctx, actor, models.CertificationRecord{
		CreditCode: code, Level: c.Level, CertifiedOn: c.CertifiedOn, RevokedOn: c.RevokedOn,
	})
}

// UpdateCertification corrects a certification, such as recording its revocation.
func (s *Service) UpdateCertification(ctx context.Context, actor models.Actor, code string, id int64, c models.Certification) (models.CertificationRecord, error) {
	return s.store.UpdateCertification(ctx, actor, models.CertificationRecord{
		ID: id, CreditCode: code, Level: c.Level, CertifiedOn: c.CertifiedOn, RevokedOn: c.RevokedOn,
	})
}

// Certifications lists an enterprise's certifications.
func (s *Service) Certifications(ctx context.Context, actor models.Actor, code string) ([]models.CertificationRecord, error) {
	if _, err := s.Enterprise(ctx, actor, code); err != nil {
		return nil, err
	}
	list, err := s.store.ListCertifications(ctx, code)
	return nonNil(list), err
}

// ImportCertifications applies a published certification list (CSV, UTF-8
// or GB18030) all at once, or refuses it with every bad line named.
func (s *Service) ImportCertifications(ctx context.Context, actor models.Actor, list []byte, defaults map[string]string) (models.ImportSummary, error) {
	rows, err := input.CertificationList(list, defaults)
	if err != nil {
		return models.ImportSummary{}, err
	}
	return s.store.ImportCertifications(ctx, actor, rows)
}

// PutCreditYear records one year's credit figures and reports whether the
// year was new.
func (s *Service) PutCreditYear(ctx context.Context, actor models.Actor, y models.CreditYearEntry) (models.CreditYearRecord, bool, error) {
	return s.store.PutCreditYear(ctx, actor, models.CreditYearRecord{
		CreditCode: y.CreditCode, Year: y.Year, Investment: y.Investment, FiscalSubsidy: y.FiscalSubsidy,
		Withdrawn: y.Withdrawn, EducationSurcharge: y.EducationSurcharge, LocalEducationSurcharge: y.LocalEducationSurcharge,
	})
}

// CreditYears lists an enterprise's recorded credit years.
func (s *Service) CreditYears(ctx context.Context, actor models.Actor, code string) ([]models.CreditYearRecord, error) {
	if _, err := s.Enterprise(ctx, actor, code); err != nil {
		return nil, err
	}
	list, err := s.store.ListCreditYears(ctx, code)
	return nonNil(list), err
}

// PutUniversity registers or corrects a university.
func (s *Service) PutUniversity(ctx context.Context, actor models.Actor, u models.UniversityEntry) (models.UniversityRecord, bool, error) {
	return s.store.PutUniversity(ctx, actor, models.UniversityRecord{
		Code: u.Code, Name: u.Name, Ownership: u.Ownership, Affiliation: u.Affiliation, Payee: u.Payee,
	})
}

// University returns a registered university the actor may read, its
// payee account as the actor may read it.
func (s *Service) University(ctx context.Context, actor models.Actor, code string) (models.UniversityRecord, error) {
	if err := canRead(actor, models.KindUniversity, code); err != nil {
		return models.UniversityRecord{}, err
	}
	u, err := s.store.GetUniversity(ctx, code)
	u.Payee = payeeFor(actor, u.Payee)
	return u, err
}

// UniversityView returns a university with its donations.
func (s *Service) UniversityView(ctx context.Context, actor models.Actor, code string) (UniversityView, error) {
	rec, err := s.University(ctx, actor, code)
	if err != nil {
		return UniversityView{}, err
	}
	donations, err := s.store.ListDonations(ctx, code)
	if err != nil {
		return UniversityView{}, err
	}
	return UniversityView{UniversityRecord: rec, Donations: nonNil(donations)}, nil
}

// ListUniversities lists universities in code order, a page at a time.
func (s *Service) ListUniversities(ctx context.Context, after string, limit int) ([]models.UniversityRecord, error) {
	list, err := s.store.ListUniversities(ctx, after, limit)
	return nonNil(list), err
}

// AddDonation records a donation (or a pledge) to a registered university;
// a receipt number recorded already for the university is a conflict.
func (s *Service) AddDonation(ctx context.Context, actor models.Actor, code string, d models.DonationEntry) (models.DonationRecord, error) {
	return s.store.AddDonation(ctx, actor, models.DonationRecord{
		UniversityCode: code, Amount: d.Amount, Form: d.Form, ViaFoundation: d.ViaFoundation, ArrivedOn: d.ArrivedOn, ReceiptNo: d.ReceiptNo,
	})
}

// UpdateDonation corrects a donation, such as the arrival of a pledge.
func (s *Service) UpdateDonation(ctx context.Context, actor models.Actor, code string, id int64, d models.DonationEntry) (models.DonationRecord, error) {
	return s.store.UpdateDonation(ctx, actor, models.DonationRecord{
		ID: id, UniversityCode: code, Amount: d.Amount, Form: d.Form, ViaFoundation: d.ViaFoundation, ArrivedOn: d.ArrivedOn, ReceiptNo: d.ReceiptNo,
	})
}

// Donations lists a university's donations.
func (s *Service) Donations(ctx context.Context, actor models.Actor, code string) ([]models.DonationRecord, error) {
	if _, err := s.University(ctx, actor, code); err != nil {
		return nil, err
	}
	list, err := s.store.ListDonations(ctx, code)
	return nonNil(list), err
}

// Audit lists the audit trail, a page at a time.
func (s *Service) Audit(ctx context.Context, f models.AuditFilter) ([]models.AuditEntry, error) {
	list, err := s.store.ListAudit(ctx, f)
	return nonNil(list), err
}

// nonNil makes an empty list encode as [] rather than null.
func nonNil[T any](list []T) []T {
	if list == nil {
		return []T{}
	}
	return list
}
