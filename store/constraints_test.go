package store_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/wenzhou-subsidy/subsidy/models"
	"github.com/wenzhou-subsidy/subsidy/store"
)

// The store leaves input checks to the service's validation; the database
// is the last line. What it refuses is invalid input, on insert and on
// update alike, in fixed words that name the field the constraint guards
// (migration 6 added those named here: CHECKs on PostgreSQL, triggers on
// SQLite) but never the constraint or the driver's text, which only the
// cause, for the logs, keeps.
func TestConstraintsRefuseAndName(t *testing.T) {
	eachKind(t, func(t *testing.T, s *store.Store) {
		code := creditCode(1)
		putEnterprise(t, s, models.EnterpriseRecord{CreditCode: code})
		noParent := &models.ParentLink{OwnershipPct: models.Percent{Decimal: models.MustDecimal("51")}}

		for _, tc := range []struct {
			name, constraint, field string
			do                      func() error
		}{
			// (with a parent: without one, the CHECK that an enterprise is
			// not its own parent fails first on PostgreSQL)
			{"an enterprise without a code", "enterprises_credit_code_set", "credit_code", func() error {
				_, _, err := s.PutEnterprise(ctxT(), finance, models.EnterpriseRecord{Name: "无代码", Region: "330382",
					Parent: &models.ParentLink{CreditCode: code}})
				return err
			}},
			{"a new enterprise with a share but no parent", "enterprises_parent_set", "parent.credit_code", func() error {
				_, _, err := s.PutEnterprise(ctxT(), finance, models.EnterpriseRecord{CreditCode: creditCode(2), Name: "x", Region: "330382", Parent: noParent})
				return err
			}},
			{"a registered enterprise given a share but no parent", "enterprises_parent_set", "parent.credit_code", func() error {
				_, _, err := s.PutEnterprise(ctxT(), finance, models.EnterpriseRecord{CreditCode: code, Name: "x", Region: "330382", Parent: noParent})
				return err
			}},
			{"a payee without its bank", "enterprises_payee_whole", "payee", func() error {
				_, _, err := s.PutEnterprise(ctxT(), finance, models.EnterpriseRecord{CreditCode: code, Name: "x", Region: "330382",
					Payee: &models.Payee{AccountName: "x", AccountNo: "12345678"}})
				return err
			}},
			{"a university payee's short account number", "universities_payee_account_no", "payee.account_no", func() error {
				_, _, err := s.PutUniversity(ctxT(), finance, models.UniversityRecord{Code: "WZU", Name: "x", Ownership: "public", Affiliation: "city",
					Payee: &models.Payee{AccountName: "x", AccountNo: "123", BankName: "y"}})
				return err
			}},
			{"a credit year 0", "credit_years_year", "year", func() error {
				_, _, err := s.PutCreditYear(ctxT(), tax, models.CreditYearRecord{CreditCode: code})
				return err
			}},
			{"a university without a code", "universities_code_set", "code", func() error {
				_, _, err := s.PutUniversity(ctxT(), finance, models.UniversityRecord{Name: "无代码", Ownership: "public", Affiliation: "city"})
				return err
			}},
			{"a key without a secret hash", "api_keys_secret_hash_set", "", func() error {
				_, err := s.CreateKey(ctxT(), finance, models.APIKey{Role: models.RoleTax}, "")
				return err
			}},
			{"no Idempotency-Key", "idempotency_keys_idem_key_set", "Idempotency-Key", func() error {
				_, _, _, err := s.BeginIdempotent(ctxT(), "k1", "", "fp")
				return err
			}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				err := tc.do()
				wantCode(t, err, models.CodeInvalid)
				e := err.(*models.Error)
				store.NoDriverText(t, e)
				var fields []string
				for _, f := range e.Fields {
					fields = append(fields, f.Field)
				}
				var want []string
				if tc.field != "" {
					want = []string{tc.field}
				}
				if !slices.Equal(fields, want) {
					t.Errorf("fields = %q, want %q", fields, want)
				}
				if e.Err == nil || !strings.Contains(e.Err.Error(), tc.constraint) {
					t.Errorf("cause = %v, want it to name %s for the logs", e.Err, tc.constraint)
				}
			})
		}
		if got, err := s.GetEnterprise(ctxT(), code); err != nil || got.Parent != nil || got.Name != "企业 "+code {
			t.Errorf("after refused updates: %+v, %v; want it unchanged", got, err)
		}
	})
}
