package models

import (
	"encoding/json"
	"fmt"
)

// Subject kinds: who a rule applies to.
const (
	KindEnterprise = "enterprise"
	KindUniversity = "university"
)

// CertificationLevel values: the level of a 产教融合型企业 certification.
const (
	LevelCity     = "city"     // 市级
	LevelProvince = "province" // 省级
	LevelNational = "national" // 国家级
)

// Levels lists the certification levels from lowest to highest.
var Levels = []string{LevelCity, LevelProvince, LevelNational}

// LevelRank returns 1, 2, 3 for city, province, national and 0 otherwise.
func LevelRank(level string) int {
	for i, l := range Levels {
		if l == level {
			return i + 1
		}
	}
	return 0
}

// Struct tags: `json` names the field on the wire (omitempty marks it
// optional: the strict decoder in api requires every other field), `expr`
// names it inside rule expressions, `validate` holds field-level checks run by
// go-playground/validator in api.

// Enterprise is a company whose certification grant or surcharge credit is
// evaluated.
type Enterprise struct {
	Kind           string          `json:"kind" expr:"kind" validate:"eq=enterprise"`
	CreditCode     string          `json:"credit_code" expr:"credit_code" validate:"creditcode"`
	Name           string          `json:"name" expr:"name" validate:"required,max=200"`
	Region         string          `json:"region" expr:"region" validate:"region"`
	Certifications []Certification `json:"certifications,omitempty" expr:"certifications" validate:"max=100,dive"`
	GrantsReceived []GrantReceived `json:"grants_received,omitempty" expr:"grants_received" validate:"max=10,dive"`
	Parent         *Parent         `json:"parent,omitempty" expr:"parent"`
	CreditCarryIn  Money           `json:"credit_carry_in,omitempty" expr:"credit_carry_in"`
	CreditYears    []CreditYear    `json:"credit_years,omitempty" expr:"credit_years" validate:"max=101,dive"`
}

// Certification is one 产教融合型企业 certification of an enterprise.
type Certification struct {
	Level       string `json:"level" expr:"level" validate:"oneof=city province national"`
	CertifiedOn Date   `json:"certified_on" expr:"certified_on"`
	RevokedOn   *Date  `json:"revoked_on,omitempty" expr:"revoked_on"`
}

// GrantReceived is a certification grant already paid to the enterprise.
type GrantReceived struct {
	Level  string `json:"level" expr:"level" validate:"oneof=city province national"`
	Amount Money  `json:"amount" expr:"amount"`
	PaidOn *Date  `json:"paid_on,omitempty" expr:"paid_on"`
}

// Parent is the group enterprise (集团企业) an enterprise is a member unit of.
type Parent struct {
	CreditCode     string          `json:"credit_code" expr:"credit_code" validate:"creditcode"`
	OwnershipPct   Percent         `json:"ownership_pct" expr:"ownership_pct"`
	ActualControl  bool            `json:"actual_control,omitempty" expr:"actual_control"`
	Certifications []Certification `json:"certifications,omitempty" expr:"certifications" validate:"max=100,dive"`
}

// CreditYear holds one year's figures for the surcharge credit.
type CreditYear struct {
	Year                    int   `json:"year" expr:"year" validate:"year"`
	Investment              Money `json:"investment" expr:"investment"`
	FiscalSubsidy           Money `json:"fiscal_subsidy" expr:"fiscal_subsidy"`
	Withdrawn               Money `json:"withdrawn,omitempty" expr:"withdrawn"`
	EducationSurcharge      Money `json:"education_surcharge" expr:"education_surcharge"`             // 教育费附加
	LocalEducationSurcharge Money `json:"local_education_surcharge" expr:"local_education_surcharge"` // 地方教育附加
}

// University is a school whose donation match is evaluated.
type University struct {
	Kind        string     `json:"kind" expr:"kind" validate:"eq=university"`
	Code        string     `json:"code" expr:"code" validate:"subjectcode"`
	Name        string     `json:"name" expr:"name" validate:"required,max=200"`
	Ownership   string     `json:"ownership" expr:"ownership" validate:"oneof=public private"`
	Affiliation string     `json:"affiliation" expr:"affiliation" validate:"oneof=city province central other"`
	GrantYear   int        `json:"grant_year" expr:"grant_year" validate:"year"`
	Donations   []Donation `json:"donations,omitempty" expr:"donations" validate:"max=10000,dive"`
}

// Donation is money or goods a university received or was pledged.
type Donation struct {
	Amount        Money  `json:"amount" expr:"amount"`
	Form          string `json:"form" expr:"form" validate:"oneof=cash in_kind equity other"`
	ViaFoundation bool   `json:"via_foundation" expr:"via_foundation"`
	ArrivedOn     *Date  `json:"arrived_on,omitempty" expr:"arrived_on"`
}

// Subject is what a rule is evaluated for: exactly one of Enterprise and
// University is set, as its kind says.
type Subject struct {
	Enterprise *Enterprise
	University *University
}

// Kind returns the subject's kind, or "" when neither is set.
func (s Subject) Kind() string {
	switch {
	case s.Enterprise != nil:
		return KindEnterprise
	case s.University != nil:
		return KindUniversity
	}
	return ""
}

// Code returns the subject's identifying code (credit code or school code).
func (s Subject) Code() string {
	switch {
	case s.Enterprise != nil:
		return s.Enterprise.CreditCode
	case s.University != nil:
		return s.University.Code
	}
	return ""
}

// MarshalJSON writes the one subject that is set.
func (s Subject) MarshalJSON() ([]byte, error) {
	switch {
	case s.Enterprise != nil:
		return json.Marshal(s.Enterprise)
	case s.University != nil:
		return json.Marshal(s.University)
	}
	return []byte("null"), nil
}

// Variant returns a new value to decode a subject of the given kind into,
// for decoders that read the kind first.
func (s *Subject) Variant(kind string) (any, error) {
	switch kind {
	case KindEnterprise:
		s.Enterprise, s.University = &Enterprise{}, nil
		return s.Enterprise, nil
	case KindUniversity:
		s.Enterprise, s.University = nil, &University{}
		return s.University, nil
	}
	return nil, fmt.Errorf("unknown subject kind %q", kind)
}

// SubjectKinds lists the kinds a Subject may hold.
var SubjectKinds = []string{KindEnterprise, KindUniversity}

// Rule ids: the names clients, rule files and stored payouts use for the
// three rules; they never change.
const (
	RuleCertGrant       = "cert-grant"
	RuleSurchargeCredit = "surcharge-credit"
	RuleDonationMatch   = "donation-match"
)
