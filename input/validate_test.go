package input

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// TestRecordRules: the rules that span a record's fields, each reported at
// its own path, for the subject of an evaluation and for registry entries.
func TestRecordRules(t *testing.T) {
	revoked := models.MustDate("2024-02-01")
	code := "91330382MA2AB3C47E"
	ent := &models.Enterprise{
		Kind: models.KindEnterprise, CreditCode: code, Name: "示例", Region: "330382",
		Certifications: []models.Certification{{Level: models.LevelProvince, CertifiedOn: models.MustDate("2024-03-01"), RevokedOn: &revoked}},
		GrantsReceived: []models.GrantReceived{{Level: "city", Amount: models.MustMoney("1")}, {Level: "city", Amount: models.MustMoney("1")}},
		Parent:         &models.Parent{CreditCode: code, OwnershipPct: models.Percent{}},
		CreditYears: []models.CreditYear{
			{Year: 2024, Investment: models.MustMoney("1")},
			{Year: 2024, Investment: models.MustMoney("1.00"), FiscalSubsidy: models.MustMoney("2.00")},
		},
	}
	tests := []struct {
		name string
		v    any
		want []string
	}{
		{"enterprise", &models.EvaluateRequest{AsOf: models.MustDate("2025-06-30"), Subject: models.Subject{Enterprise: ent}}, []string{
			"subject.certifications[0].revoked_on:revoked_before",
			"subject.credit_years[1].fiscal_subsidy:subsidy_above",
			"subject.credit_years[1].year:duplicate_year",
			"subject.grants_received[1].level:duplicate",
			"subject.parent.credit_code:same_as_self",
		}},
		{"enterprise entry", &models.EnterpriseEntry{CreditCode: code, Name: "示例", Region: "330382", Parent: &models.ParentLink{CreditCode: code}}, []string{
			"parent.credit_code:same_as_self",
		}},
		{"credit year entry", &models.CreditYearEntry{Investment: models.MustMoney("1"), FiscalSubsidy: models.MustMoney("2")}, []string{
			"fiscal_subsidy:subsidy_above",
		}},
		{"names on one line", &models.UniversityEntry{Code: "u", Name: "温州\n学院", Ownership: "public", Affiliation: "city"}, []string{
			"name:text",
		}},
		{"a bidi override", &models.EnterpriseEntry{CreditCode: code, Name: "示例\u202e", Region: "330382"}, []string{
			"name:text",
		}},
		{"a left-to-right mark", &models.EnterpriseEntry{CreditCode: code, Name: "示例\u200e", Region: "330382"}, []string{
			"name:text",
		}},
		{"a right-to-left mark", &models.UniversityEntry{Code: "u", Name: "\u200f温州学院", Ownership: "public", Affiliation: "city"}, []string{
			"name:text",
		}},
		{"an Arabic letter mark", &models.KeyEntry{Role: "tax", Label: "经办\u061c"}, []string{
			"label:text",
		}},
		{"a reason over lines", &models.ReasonEntry{Reason: "企业已申请注销：\n\t1. 注销公告\n\t2. 税务清算"}, nil},
		{"a reason with an escape", &models.ReasonEntry{Reason: "x\x1b[2J"}, []string{
			"reason:text",
		}},
		{"a reason with a carriage return", &models.ReasonEntry{Reason: "已核实\r已注销"}, []string{
			"reason:text",
		}},
		{"a reason with a bidi override", &models.ReasonEntry{Reason: "暂缓\u202e拨付"}, []string{
			"reason:text",
		}},
		{"a reason with a line separator", &models.ReasonEntry{Reason: "暂缓\u2028拨付"}, []string{
			"reason:text",
		}},
		{"a payee account", &models.EnterpriseEntry{CreditCode: code, Name: "示例", Region: "330382", Payee: &models.Payee{AccountName: " ", AccountNo: "6222 0212", BankName: "工商\r银行"}}, []string{
			"payee.account_name:required",
			"payee.account_no:account_no",
			"payee.bank_name:text",
		}},
		{"a university's payee", &models.UniversityEntry{Code: "u", Name: "温州学院", Ownership: "public", Affiliation: "city", Payee: &models.Payee{AccountName: "温州学院", AccountNo: "1234567", BankName: "温州银行"}}, []string{
			"payee.account_no:account_no",
		}},
		{"a good payee", &models.UniversityEntry{Code: "u", Name: "温州学院", Ownership: "public", Affiliation: "city", Payee: &models.Payee{AccountName: "温州学院", AccountNo: "12345678901234567890123456789012", BankName: "温州银行"}}, nil},
	}
	v := NewValidator()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var probs problems
			probs.addChecked(v.Check(tt.v))
			probs.sort()
			var got []string
			for _, f := range probs.list {
				got = append(got, f.Field+":"+f.Code)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}
