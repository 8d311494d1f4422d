package store_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wenzhou-subsidy/subsidy/models"
	"github.com/wenzhou-subsidy/subsidy/store"
)

func TestListAudit(t *testing.T) {
	eachKind(t, func(t *testing.T, s *store.Store) {
		a, b := creditCode(1), creditCode(2)
		putEnterprise(t, s, models.EnterpriseRecord{CreditCode: a})
		putEnterprise(t, s, models.EnterpriseRecord{CreditCode: b})
		_, _, err := s.PutCreditYear(ctxT(), tax, models.CreditYearRecord{CreditCode: a, Year: 2024})
		check(t, err)
		putEnterprise(t, s, models.EnterpriseRecord{CreditCode: a, Name: "改名"})

		all, err := s.ListAudit(ctxT(), models.AuditFilter{})
		check(t, err)
		type entry struct{ Action, Entity, EntityID, KeyID string }
		summary := func(es []models.AuditEntry) []entry {
			out := make([]entry, len(es))
			for i, e := range es {
				out[i] = entry{e.Action, e.Entity, e.EntityID, e.KeyID}
			}
			return out
		}
		if diff := cmp.Diff([]entry{
			{"create", "enterprise", a, finance.KeyID},
			{"create", "enterprise", b, finance.KeyID},
			{"create", "credit_year", a + "/2024", tax.KeyID},
			{"update", "enterprise", a, finance.KeyID},
		}, summary(all)); diff != "" {
			t.Fatalf("audit trail (-want +got):\n%s", diff)
		}
		for i, e := range all {
			if e.ID == 0 || e.At.IsZero() || (i > 0 && !e.At.After(all[i-1].At)) {
				t.Errorf("entry %d: id %d at %v", i, e.ID, e.At)
			}
		}

		for _, tc := range []struct {
			name string
			f    models.AuditFilter
			want []models.AuditEntry
		}{
			{"entity", models.AuditFilter{Entity: "enterprise"}, []models.AuditEntry{all[0], all[1], all[3]}},
			{"record", models.AuditFilter{Entity: "enterprise", EntityID: a}, []models.AuditEntry{all[0], all[3]}},
			{"key", models.AuditFilter{KeyID: tax.KeyID}, []models.AuditEntry{all[2]}},
			{"page", models.AuditFilter{AfterID: all[0].ID, Limit: 2}, all[1:3]},
			{"none", models.AuditFilter{KeyID: "nobody"}, []models.AuditEntry{}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got, err := s.ListAudit(ctxT(), tc.f)
				check(t, err)
				if diff := cmp.Diff(tc.want, got); diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
			})
		}
	})
}
