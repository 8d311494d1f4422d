package store_test

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/wenzhou-subsidy/subsidy/models"
	"github.com/wenzhou-subsidy/subsidy/store"
)

// A bulk load stores what the one-record writes store, with one audit entry
// for the batch.
func TestBulkLoadRegistry(t *testing.T) {
	eachKind(t, func(t *testing.T, s *store.Store) {
		group, member, other := creditCode(1), creditCode(2), creditCode(3)
		revoked := models.MustDate("2025-02-01")
		arrived := models.MustDate("2024-05-06")
		batch := store.RegistryBatch{
			Enterprises: []models.EnterpriseRecord{
				{CreditCode: group, Name: "集团", Region: "330302", CreditCarryIn: models.MustMoney("12.34")},
				{CreditCode: member, Name: "成员单位", Region: "330303",
					Parent: &models.ParentLink{CreditCode: group, OwnershipPct: models.Percent{Decimal: models.MustDecimal("50")}, ActualControl: true}},
				{CreditCode: other, Name: "另一家", Region: "310115"},
			},
			Certifications: []models.CertificationRecord{
				{CreditCode: group, Level: models.LevelNational, CertifiedOn: models.MustDate("2024-05-20")},
				{CreditCode: member, Level: models.LevelCity, CertifiedOn: models.MustDate("2024-03-01"), RevokedOn: &revoked},
			},
			CreditYears: []models.CreditYearRecord{
				{CreditCode: member, Year: 2024, Investment: models.Yuan(300000), FiscalSubsidy: models.Yuan(1000), Withdrawn: models.Yuan(5),
					EducationSurcharge: models.Yuan(45000), LocalEducationSurcharge: models.Yuan(30000)},
				{CreditCode: member, Year: 2025, Investment: models.Yuan(1)},
			},
			Universities: []models.UniversityRecord{{Code: "wzu", Name: "温州大学", Ownership: "public", Affiliation: "city"}},
			Donations: []models.DonationRecord{
				{UniversityCode: "wzu", Amount: models.Yuan(3000000), Form: "cash", ViaFoundation: true, ArrivedOn: &arrived},
				{UniversityCode: "wzu", Amount: models.Yuan(10), Form: "in_kind"},
			},
		}
		sum, err := s.BulkLoadRegistry(ctxT(), finance, batch)
		check(t, err)
		if want := (store.BulkSummary{Enterprises: 3, Certifications: 2, CreditYears: 2, Universities: 1, Donations: 2}); sum != want {
			t.Errorf("summary = %+v, want %+v", sum, want)
		}

		ignoreTimes := cmpopts.IgnoreFields(models.EnterpriseRecord{}, "CreatedAt", "UpdatedAt")
		for _, want := range batch.Enterprises {
			got, err := s.GetEnterprise(ctxT(), want.CreditCode)
			check(t, err)
			if diff := cmp.Diff(want, got, cmpModels, ignoreTimes); diff != "" || got.CreatedAt.IsZero() {
				t.Errorf("enterprise %s (-want +got):\n%s", want.CreditCode, diff)
			}
		}
		facts, err := s.EnterpriseFacts(ctxT(), member)
		check(t, err)
		wantFacts := models.Enterprise{
			Kind: "enterprise", CreditCode: member, Name: "成员单位", Region: "330303",
			Certifications: []models.Certification{{Level: "city", CertifiedOn: models.MustDate("2024-03-01"), RevokedOn: &revoked}},
			Parent: &models.Parent{CreditCode: group, OwnershipPct: models.Percent{Decimal: models.MustDecimal("50")}, ActualControl: true,
				Certifications: []models.Certification{{Level: "national", CertifiedOn: models.MustDate("2024-05-20")}}},
			CreditYears: []models.CreditYear{
				{Year: 2024, Investment: models.Yuan(300000), FiscalSubsidy: models.Yuan(1000), Withdrawn: models.Yuan(5),
					EducationSurcharge: models.Yuan(45000), LocalEducationSurcharge: models.Yuan(30000)},
				{Year: 2025, Investment: models.Yuan(1)},
			},
		}
		if diff := cmp.Diff(wantFacts, facts, cmpModels); diff != "" {
			t.Errorf("facts of the member (-want +got):\n%s", diff)
		}
		certs, err := s.ListCertifications(ctxT(), member)
		check(t, err)
		if len(certs) != 1 || certs[0].ID == 0 || certs[0].CreatedAt.IsZero() {
			t.Errorf("certifications = %+v, want one with an id and times", certs)
		}
		uni, err := s.UniversityFacts(ctxT(), "wzu")
		check(t, err)
		wantUni := models.University{Kind: "university", Code: "wzu", Name: "温州大学", Ownership: "public", Affiliation: "city", Donations: []models.Donation{
			{Amount: models.Yuan(3000000), Form: "cash", ViaFoundation: true, ArrivedOn: &arrived},
			{Amount: models.Yuan(10), Form: "in_kind"},
		}}
		if diff := cmp.Diff(wantUni, uni, cmpModels); diff != "" {
			t.Errorf("university facts (-want +got):\n%s", diff)
		}

		// One audit entry for the batch, none per record.
		audit, err := s.ListAudit(ctxT(), models.AuditFilter{})
		check(t, err)
		if len(audit) != 1 {
			t.Fatalf("audit entries = %d, want 1: %+v", len(audit), audit)
		}
		a := audit[0]
		if a.Action != "import" || a.Entity != "registry" || a.EntityID != "bulk:"+group || a.KeyID != finance.KeyID || a.Role != finance.Role || a.RequestID != finance.RequestID {
			t.Errorf("audit entry = %+v", a)
		}
		type after struct {
			store.BulkSummary
			First, Last string
		}
		if got := decode[after](t, a.After); got == nil || got.BulkSummary != sum || got.First != group || got.Last != "wzu" {
			t.Errorf("audit record = %s", a.After)
		}
	})
}

// A bulk load is all or nothing: a record the database refuses (a
// constraint), a record that exists (a conflict) or a record of an
// unregistered subject (not found) leaves none of the batch behind.
func TestBulkLoadRegistryRefuses(t *testing.T) {
	eachKind(t, func(t *testing.T, s *store.Store) {
		existing, fresh := creditCode(10), creditCode(11)
		putEnterprise(t, s, models.EnterpriseRecord{CreditCode: existing})
		ok := models.EnterpriseRecord{CreditCode: fresh, Name: "新", Region: "330382"}

		for _, tc := range []struct {
			name  string
			batch store.RegistryBatch
			want  models.ErrorCode
		}{
			{"an enterprise without a name", store.RegistryBatch{
				Enterprises: []models.EnterpriseRecord{ok, {CreditCode: creditCode(12), Region: "330382"}},
			}, models.CodeInvalid},
			{"an enterprise without a code", store.RegistryBatch{
				Enterprises: []models.EnterpriseRecord{ok, {Name: "无代码", Region: "330382"}},
			}, models.CodeInvalid},
			{"an unknown certification level", store.RegistryBatch{
				Enterprises:    []models.EnterpriseRecord{ok},
				Certifications: []models.CertificationRecord{{CreditCode: fresh, Level: "county", CertifiedOn: models.MustDate("2024-01-01")}},
			}, models.CodeInvalid},
			{"a negative investment", store.RegistryBatch{
				Enterprises: []models.EnterpriseRecord{ok},
				CreditYears: []models.CreditYearRecord{{CreditCode: fresh, Year: 2024, Investment: models.Fen(-1)}},
			}, models.CodeInvalid},
			{"a donation without a form", store.RegistryBatch{
				Universities: []models.UniversityRecord{{Code: "u", Name: "大学", Ownership: "public", Affiliation: "city"}},
				Enterprises:  []models.EnterpriseRecord{ok},
				Donations:    []models.DonationRecord{{UniversityCode: "u", Amount: models.Yuan(1)}},
			}, models.CodeInvalid},
			{"an enterprise already registered", store.RegistryBatch{
				Enterprises: []models.EnterpriseRecord{ok, {CreditCode: existing, Name: "旧", Region: "330382"}},
			}, models.CodeConflict},
			{"a certification of an unregistered enterprise", store.RegistryBatch{
				Enterprises:    []models.EnterpriseRecord{ok},
				Certifications: []models.CertificationRecord{{CreditCode: creditCode(12), Level: "city", CertifiedOn: models.MustDate("2024-01-01")}},
			}, models.CodeNotFound},
			{"a donation of an unregistered university", store.RegistryBatch{
				Enterprises: []models.EnterpriseRecord{ok},
				Donations:   []models.DonationRecord{{UniversityCode: "nowhere", Amount: models.Yuan(1), Form: "cash"}},
			}, models.CodeNotFound},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := s.BulkLoadRegistry(ctxT(), finance, tc.batch)
				wantCode(t, err, tc.want)
				_, err = s.GetEnterprise(ctxT(), fresh)
				wantCode(t, err, models.CodeNotFound)
			})
		}
		if audit := auditOf(t, s, "registry", "bulk:"+fresh); len(audit) != 0 {
			t.Errorf("refused loads left audit entries: %+v", audit)
		}
	})
}

// Batches larger than one INSERT statement (on either database) load whole
// and read back in screening order.
func TestBulkLoadRegistryLarge(t *testing.T) {
	eachKind(t, func(t *testing.T, s *store.Store) {
		const n = 2345
		var b store.RegistryBatch
		for i := range n {
			code := creditCode(i)
			b.Enterprises = append(b.Enterprises, models.EnterpriseRecord{CreditCode: code, Name: fmt.Sprintf("企业%d", i), Region: "330382"})
			if i%3 == 0 {
				b.Certifications = append(b.Certifications, models.CertificationRecord{CreditCode: code, Level: models.Levels[i%3], CertifiedOn: models.MustDate("2024-06-01")})
			}
			for y := range i % 4 {
				b.CreditYears = append(b.CreditYears, models.CreditYearRecord{CreditCode: code, Year: 2022 + y, Investment: models.Fen(int64(i))})
			}
		}
		_, err := s.BulkLoadRegistry(ctxT(), finance, b)
		check(t, err)
		seen, certs, years := 0, 0, 0
		err = s.ScreenEnterprises(ctxT(), 1000, func(batch []models.Enterprise) error {
			for _, e := range batch {
				if want := creditCode(seen); e.CreditCode != want {
					return fmt.Errorf("enterprise %d is %s, want %s", seen, e.CreditCode, want)
				}
				if len(e.CreditYears) != seen%4 {
					return fmt.Errorf("%s has %d credit years, want %d", e.CreditCode, len(e.CreditYears), seen%4)
				}
				seen++
				certs += len(e.Certifications)
				years += len(e.CreditYears)
			}
			return nil
		})
		check(t, err)
		if seen != n || certs != len(b.Certifications) || years != len(b.CreditYears) {
			t.Errorf("screened %d enterprises, %d certifications, %d credit years; want %d, %d, %d",
				seen, certs, years, n, len(b.Certifications), len(b.CreditYears))
		}
	})
}
