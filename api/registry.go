package api

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// Request bodies of the registry (service-v1.md). Fields without omitempty
// are required; unknown fields are refused.

type enterpriseBody struct {
	Name   string             `json:"name" validate:"required,max=200"`
	Region string             `json:"region" validate:"region"`
	Parent *models.ParentLink `json:"parent,omitempty"`
}

type carryInBody struct {
	CreditCarryIn models.Money `json:"credit_carry_in"`
}

type certificationBody struct {
	Level       string       `json:"level" validate:"oneof=city province national"`
	CertifiedOn models.Date  `json:"certified_on"`
	RevokedOn   *models.Date `json:"revoked_on,omitempty"`
}

type creditYearBody struct {
	Investment              models.Money `json:"investment"`
	FiscalSubsidy           models.Money `json:"fiscal_subsidy"`
	Withdrawn               models.Money `json:"withdrawn,omitempty"`
	EducationSurcharge      models.Money `json:"education_surcharge"`
	LocalEducationSurcharge models.Money `json:"local_education_surcharge"`
}

type universityBody struct {
	Name        string `json:"name" validate:"required,max=200"`
	Ownership   string `json:"ownership" validate:"oneof=public private"`
	Affiliation string `json:"affiliation" validate:"oneof=city province central other"`
}

type donationBody struct {
	Amount        models.Money `json:"amount"`
	Form          string       `json:"form" validate:"oneof=cash in_kind equity other"`
	ViaFoundation bool         `json:"via_foundation"`
	ArrivedOn     *models.Date `json:"arrived_on,omitempty"`
}

// enterpriseView is an enterprise with its certifications and credit years.
type enterpriseView struct {
	models.EnterpriseRecord
	Certifications []models.CertificationRecord `json:"certifications"`
	CreditYears    []models.CreditYearRecord    `json:"credit_years"`
}

type universityView struct {
	models.UniversityRecord
	Donations []models.DonationRecord `json:"donations"`
}

// decodeBody reads and decodes a JSON body into v with every check.
func (s *Server) decodeBody(c echo.Context, v any) error {
	body, err := s.readBody(c)
	if err != nil {
		return err
	}
	return s.decoder.Body(body, v)
}

func creditCodeParam(c echo.Context) (string, error) {
	code := c.Param("credit_code")
	if p := models.CreditCodeProblem(code); p != "" {
		return "", models.InvalidInput(models.Field("credit_code", "credit_"+p))
	}
	return code, nil
}

func universityCodeParam(c echo.Context) (string, error) {
	code := c.Param("code")
	if !validUniversityCode(code) {
		return "", models.InvalidInput(models.Field("code", "subject_code"))
	}
	return code, nil
}

func yearParam(c echo.Context) (int, error) {
	y, err := strconv.Atoi(c.Param("year"))
	if err != nil || y < 2000 || y > 2100 {
		return 0, models.InvalidInput(models.Field("year", "year"))
	}
	return y, nil
}

func idParam(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, models.InvalidInput(models.Field("id", "positive"))
	}
	return id, nil
}

// limitParam reads ?limit (default 100, at most 1000): lists come in pages,
// the next one from ?after=next_after.
func limitParam(c echo.Context) (int, error) {
	text := c.QueryParam("limit")
	if text == "" {
		return 100, nil
	}
	n, err := strconv.Atoi(text)
	if err != nil || n < 1 || n > 1000 {
		return 0, models.InvalidInput(models.Field("limit", "range", "1..1000"))
	}
	return n, nil
}

// putStatus is 201 for a record created by PUT, 200 for one updated.
func putStatus(created bool) int {
	if created {
		return http.StatusCreated
	}
	return http.StatusOK
}

func respond(c echo.Context, status int, v any) error {
	return writeJSON(c, status, echo.MIMEApplicationJSON, v)
}

// putEnterprise answers PUT /v1/enterprises/{credit_code}.
func (s *Server) putEnterprise(c echo.Context) error {
	code, err := creditCodeParam(c)
	if err != nil {
		return err
	}
	var b enterpriseBody
	if err := s.decodeBody(c, &b); err != nil {
		return err
	}
	if b.Parent != nil && b.Parent.CreditCode == code {
		return models.InvalidInput(models.Field("parent.credit_code", "same_as_self"))
	}
	rec, created, err := s.store.PutEnterprise(c.Request().Context(), actorOf(c), models.EnterpriseRecord{
		CreditCode: code, Name: b.Name, Region: b.Region, Parent: b.Parent,
	})
	if err != nil {
		return err
	}
	return respond(c, putStatus(created), rec)
}

// putCreditCarryIn answers PUT /v1/enterprises/{credit_code}/credit-carry-in:
// the unused credit carried in from before the first recorded credit year.
func (s *Server) putCreditCarryIn(c echo.Context) error {
	code, err := creditCodeParam(c)
	if err != nil {
		return err
	}
	var b carryInBody
	if err := s.decodeBody(c, &b); err != nil {
		return err
	}
	rec, err := s.store.SetCreditCarryIn(c.Request().Context(), actorOf(c), code, b.CreditCarryIn)
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, rec)
}

// getEnterprise answers GET /v1/enterprises/{credit_code}.
func (s *Server) getEnterprise(c echo.Context) error {
	rec, err := s.ownEnterprise(c)
	if err != nil {
		return err
	}
	ctx, code := c.Request().Context(), rec.CreditCode
	certs, err := s.store.ListCertifications(ctx, code)
	if err != nil {
		return err
	}
	years, err := s.store.ListCreditYears(ctx, code)
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, enterpriseView{EnterpriseRecord: rec, Certifications: certs, CreditYears: years})
}

// listEnterprises answers GET /v1/enterprises?region=&parent=&after=&limit=.
func (s *Server) listEnterprises(c echo.Context) error {
	limit, err := limitParam(c)
	if err != nil {
		return err
	}
	list, err := s.store.ListEnterprises(c.Request().Context(), models.EnterpriseFilter{
		Region: c.QueryParam("region"), Parent: c.QueryParam("parent"), AfterCode: c.QueryParam("after"), Limit: limit,
	})
	if err != nil {
		return err
	}
	next := ""
	if len(list) == limit {
		next = list[len(list)-1].CreditCode
	}
	return respond(c, http.StatusOK, map[string]any{"enterprises": nonNil(list), "next_after": next})
}

// addCertification answers POST /v1/enterprises/{credit_code}/certifications.
func (s *Server) addCertification(c echo.Context) error {
	code, err := creditCodeParam(c)
	if err != nil {
		return err
	}
	var b certificationBody
	if err := s.decodeBody(c, &b); err != nil {
		return err
	}
	cert := models.Certification{Level: b.Level, CertifiedOn: b.CertifiedOn, RevokedOn: b.RevokedOn}
	if fields := cert.Problems(); len(fields) > 0 {
		return models.InvalidInput(fields...)
	}
	rec, err := s.store.AddCertification(c.Request().Context(), actorOf(c), models.CertificationRecord{
		CreditCode: code, Level: b.Level, CertifiedOn: b.CertifiedOn, RevokedOn: b.RevokedOn,
	})
	if err != nil {
		return err
	}
	return respond(c, http.StatusCreated, rec)
}

// putCertification answers PUT /v1/enterprises/{credit_code}/certifications/{id}:
// an audited correction, such as recording a revocation.
func (s *Server) putCertification(c echo.Context) error {
	code, err := creditCodeParam(c)
	if err != nil {
		return err
	}
	id, err := idParam(c)
	if err != nil {
		return err
	}
	var b certificationBody
	if err := s.decodeBody(c, &b); err != nil {
		return err
	}
	cert := models.Certification{Level: b.Level, CertifiedOn: b.CertifiedOn, RevokedOn: b.RevokedOn}
	if fields := cert.Problems(); len(fields) > 0 {
		return models.InvalidInput(fields...)
	}
	rec, err := s.store.UpdateCertification(c.Request().Context(), actorOf(c), models.CertificationRecord{
		ID: id, CreditCode: code, Level: b.Level, CertifiedOn: b.CertifiedOn, RevokedOn: b.RevokedOn,
	})
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, rec)
}

// listCertifications answers GET /v1/enterprises/{credit_code}/certifications.
func (s *Server) listCertifications(c echo.Context) error {
	rec, err := s.ownEnterprise(c)
	if err != nil {
		return err
	}
	list, err := s.store.ListCertifications(c.Request().Context(), rec.CreditCode)
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, map[string]any{"certifications": nonNil(list)})
}

// putCreditYear answers PUT /v1/enterprises/{credit_code}/credit-years/{year}.
func (s *Server) putCreditYear(c echo.Context) error {
	code, err := creditCodeParam(c)
	if err != nil {
		return err
	}
	year, err := yearParam(c)
	if err != nil {
		return err
	}
	var b creditYearBody
	if err := s.decodeBody(c, &b); err != nil {
		return err
	}
	cy := models.CreditYear{Year: year, Investment: b.Investment, FiscalSubsidy: b.FiscalSubsidy}
	if fields := cy.Problems(); len(fields) > 0 {
		return models.InvalidInput(fields...)
	}
	rec, created, err := s.store.PutCreditYear(c.Request().Context(), actorOf(c), models.CreditYearRecord{
		CreditCode: code, Year: year, Investment: b.Investment, FiscalSubsidy: b.FiscalSubsidy,
		Withdrawn: b.Withdrawn, EducationSurcharge: b.EducationSurcharge, LocalEducationSurcharge: b.LocalEducationSurcharge,
	})
	if err != nil {
		return err
	}
	return respond(c, putStatus(created), rec)
}

// listCreditYears answers GET /v1/enterprises/{credit_code}/credit-years.
func (s *Server) listCreditYears(c echo.Context) error {
	rec, err := s.ownEnterprise(c)
	if err != nil {
		return err
	}
	list, err := s.store.ListCreditYears(c.Request().Context(), rec.CreditCode)
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, map[string]any{"credit_years": nonNil(list)})
}

// ownEnterprise returns the registered enterprise the path names, hidden
// from other subjects' keys.
func (s *Server) ownEnterprise(c echo.Context) (models.EnterpriseRecord, error) {
	code, err := creditCodeParam(c)
	if err != nil {
		return models.EnterpriseRecord{}, err
	}
	if err := ownSubject(c, code, "enterprise "+code); err != nil {
		return models.EnterpriseRecord{}, err
	}
	return s.store.GetEnterprise(c.Request().Context(), code)
}

// ownUniversity returns the registered university the path names, hidden
// from other subjects' keys.
func (s *Server) ownUniversity(c echo.Context) (models.UniversityRecord, error) {
	code, err := universityCodeParam(c)
	if err != nil {
		return models.UniversityRecord{}, err
	}
	if err := ownSubject(c, code, "university "+code); err != nil {
		return models.UniversityRecord{}, err
	}
	return s.store.GetUniversity(c.Request().Context(), code)
}

// putUniversity answers PUT /v1/universities/{code}.
func (s *Server) putUniversity(c echo.Context) error {
	code, err := universityCodeParam(c)
	if err != nil {
		return err
	}
	var b universityBody
	if err := s.decodeBody(c, &b); err != nil {
		return err
	}
	rec, created, err := s.store.PutUniversity(c.Request().Context(), actorOf(c), models.UniversityRecord{
		Code: code, Name: b.Name, Ownership: b.Ownership, Affiliation: b.Affiliation,
	})
	if err != nil {
		return err
	}
	return respond(c, putStatus(created), rec)
}

// getUniversity answers GET /v1/universities/{code} with its donations.
func (s *Server) getUniversity(c echo.Context) error {
	rec, err := s.ownUniversity(c)
	if err != nil {
		return err
	}
	donations, err := s.store.ListDonations(c.Request().Context(), rec.Code)
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, universityView{UniversityRecord: rec, Donations: nonNil(donations)})
}

// listUniversities answers GET /v1/universities?after=&limit=.
func (s *Server) listUniversities(c echo.Context) error {
	limit, err := limitParam(c)
	if err != nil {
		return err
	}
	list, err := s.store.ListUniversities(c.Request().Context(), c.QueryParam("after"), limit)
	if err != nil {
		return err
	}
	next := ""
	if len(list) == limit {
		next = list[len(list)-1].Code
	}
	return respond(c, http.StatusOK, map[string]any{"universities": nonNil(list), "next_after": next})
}

// addDonation answers POST /v1/universities/{code}/donations.
func (s *Server) addDonation(c echo.Context) error {
	code, err := universityCodeParam(c)
	if err != nil {
		return err
	}
	var b donationBody
	if err := s.decodeBody(c, &b); err != nil {
		return err
	}
	rec, err := s.store.AddDonation(c.Request().Context(), actorOf(c), models.DonationRecord{
		UniversityCode: code, Amount: b.Amount, Form: b.Form, ViaFoundation: b.ViaFoundation, ArrivedOn: b.ArrivedOn,
	})
	if err != nil {
		return err
	}
	return respond(c, http.StatusCreated, rec)
}

// putDonation answers PUT /v1/universities/{code}/donations/{id}: an
// audited correction, such as the arrival date of a pledge.
func (s *Server) putDonation(c echo.Context) error {
	code, err := universityCodeParam(c)
	if err != nil {
		return err
	}
	id, err := idParam(c)
	if err != nil {
		return err
	}
	var b donationBody
	if err := s.decodeBody(c, &b); err != nil {
		return err
	}
	rec, err := s.store.UpdateDonation(c.Request().Context(), actorOf(c), models.DonationRecord{
		ID: id, UniversityCode: code, Amount: b.Amount, Form: b.Form, ViaFoundation: b.ViaFoundation, ArrivedOn: b.ArrivedOn,
	})
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, rec)
}

// listDonations answers GET /v1/universities/{code}/donations.
func (s *Server) listDonations(c echo.Context) error {
	rec, err := s.ownUniversity(c)
	if err != nil {
		return err
	}
	list, err := s.store.ListDonations(c.Request().Context(), rec.Code)
	if err != nil {
		return err
	}
	return respond(c, http.StatusOK, map[string]any{"donations": nonNil(list)})
}

// nonNil makes an empty list encode as [] rather than null.
func nonNil[T any](list []T) []T {
	if list == nil {
		return []T{}
	}
	return list
}
