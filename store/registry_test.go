package store_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wenzhou-subsidy/subsidy/models"
	"github.com/wenzhou-subsidy/subsidy/store"
	"github.com/wenzhou-subsidy/subsidy/store/storetest"
)

func TestPutEnterprise(t *testing.T) {
	eachKind(t, func(t *testing.T, s *store.Store) {
		code, parent := creditCode(1), creditCode(2)
		in := models.EnterpriseRecord{
			CreditCode:    code,
			Name:          "乐清电气有限公司",
			Region:        "330382",
			Parent:        &models.ParentLink{CreditCode: parent, OwnershipPct: models.Percent{Decimal: models.MustDecimal("66.67")}, ActualControl: true},
			CreditCarryIn: models.MustMoney("1000.05"),
		}
		created, isNew, err := s.PutEnterprise(ctxT(), finance, in)
		check(t, err)
		if !isNew {
			t.Error("first put: created = false")
		}
		want := in
		want.CreatedAt, want.UpdatedAt = created.CreatedAt, created.UpdatedAt
		if diff := cmp.Diff(want, created, cmpModels); diff != "" {
			t.Errorf("created (-want +got):\n%s", diff)
		}

		in.Name, in.Parent = "乐清电气集团", nil
		updated, isNew, err := s.PutEnterprise(ctxT(), finance, in)
		check(t, err)
		if isNew {
			t.Error("second put: created = true")
		}
		if !updated.CreatedAt.Equal(created.CreatedAt) || !updated.UpdatedAt.After(created.UpdatedAt) {
			t.Errorf("times after update: created %v updated %v, first %v", updated.CreatedAt, updated.UpdatedAt, created.CreatedAt)
		}
		got, err := s.GetEnterprise(ctxT(), code)
		check(t, err)
		if diff := cmp.Diff(updated, got, cmpModels); diff != "" {
			t.Errorf("GetEnterprise (-want +got):\n%s", diff)
		}

		audit := auditOf(t, s, "enterprise", code)
		if len(audit) != 2 {
			t.Fatalf("audit entries = %d, want 2", len(audit))
		}
		type change struct {
			Action, KeyID, Role, RequestID string
			Before, After                  *models.EnterpriseRecord
		}
		wantAudit := []change{
			{"create", finance.KeyID, finance.Role, finance.RequestID, nil, &created},
			{"update", finance.KeyID, finance.Role, finance.RequestID, &created, &updated},
		}
		for i, a := range audit {
			got := change{a.Action, a.KeyID, a.Role, a.RequestID, decode[models.EnterpriseRecord](t, a.Before), decode[models.EnterpriseRecord](t, a.After)}
			if diff := cmp.Diff(wantAudit[i], got, cmpModels); diff != "" {
				t.Errorf("audit entry %d (-want +got):\n%s", i, diff)
			}
		}

		_, err = s.GetEnterprise(ctxT(), creditCode(99))
		wantCode(t, err, models.CodeNotFound)

		for _, tc := range []struct {
			name string
			e    models.EnterpriseRecord
		}{
			{"no code", models.EnterpriseRecord{Name: "x"}},
			{"no name", models.EnterpriseRecord{CreditCode: code}},
			{"own parent", models.EnterpriseRecord{CreditCode: code, Name: "x", Parent: &models.ParentLink{CreditCode: code}}},
			{"negative carry-in", models.EnterpriseRecord{CreditCode: code, Name: "x", CreditCarryIn: models.Fen(-1)}},
			{"name too long for the database", models.EnterpriseRecord{CreditCode: code, Name: strings.Repeat("名", 201)}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, _, err := s.PutEnterprise(ctxT(), finance, tc.e)
				wantCode(t, err, models.CodeInvalid)
			})
		}
	})
}

func TestListEnterprises(t *testing.T) {
	eachKind(t, func(t *testing.T, s *store.Store) {
		parent := creditCode(100)
		var all []models.EnterpriseRecord
		for i := 1; i <= 5; i++ {
			e := models.EnterpriseRecord{CreditCode: creditCode(i), Region: "330382"}
			if i%2 == 0 {
				e.Region = "330302"
			}
			if i <= 2 {
				e.Parent = &models.ParentLink{CreditCode: parent, OwnershipPct: models.Percent{Decimal: models.MustDecimal("51")}}
			}
			all = append(all, putEnterprise(t, s, e))
		}
		for _, tc := range []struct {
			name string
			f    models.EnterpriseFilter
			want []models.EnterpriseRecord
		}{
			{"all", models.EnterpriseFilter{}, all},
			{"region", models.EnterpriseFilter{Region: "330302"}, []models.EnterpriseRecord{all[1], all[3]}},
			{"parent", models.EnterpriseFilter{Parent: parent}, all[:2]},
			{"page", models.EnterpriseFilter{AfterCode: all[1].CreditCode, Limit: 2}, all[2:4]},
			{"last page", models.EnterpriseFilter{AfterCode: all[3].CreditCode, Limit: 2}, all[4:]},
			{"none", models.EnterpriseFilter{Region: "330303"}, []models.EnterpriseRecord{}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got, err := s.ListEnterprises(ctxT(), tc.f)
				check(t, err)
				if diff := cmp.Diff(tc.want, got, cmpModels); diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
			})
		}
	})
}

func TestCertifications(t *testing.T) {
	eachKind(t, func(t *testing.T, s *store.Store) {
		code, other := creditCode(1), creditCode(2)
		putEnterprise(t, s, models.EnterpriseRecord{CreditCode: code})
		putEnterprise(t, s, models.EnterpriseRecord{CreditCode: other})

		later := addCert(t, s, code, models.LevelProvince, "2024-09-01")
		revoked := models.MustDate("2025-01-31")
		first, err := s.AddCertification(ctxT(), finance, models.CertificationRecord{
			CreditCode: code, Level: models.LevelCity, CertifiedOn: models.MustDate("2023-05-01"), RevokedOn: &revoked,
		})
		check(t, err)
		if first.ID == 0 || first.CreatedAt.IsZero() || first.RevokedOn == nil || *first.RevokedOn != revoked {
			t.Fatalf("added = %+v", first)
		}

		list, err := s.ListCertifications(ctxT(), code)
		check(t, err)
		if diff := cmp.Diff([]models.CertificationRecord{first, later}, list, cmpModels); diff != "" {
			t.Errorf("ListCertifications, by date (-want +got):\n%s", diff)
		}

		// Correct the later one to the national level, not revoked.
		fix := later
		fix.Level = models.LevelNational
		fixed, err := s.UpdateCertification(ctxT(), finance, fix)
		check(t, err)
		if fixed.Level != models.LevelNational || !fixed.UpdatedAt.After(later.UpdatedAt) || !fixed.CreatedAt.Equal(later.CreatedAt) {
			t.Errorf("updated = %+v", fixed)
		}
		audit := auditOf(t, s, "certification", strconv.FormatInt(later.ID, 10))
		if len(audit) != 2 || audit[1].Action != "update" ||
			!cmp.Equal(decode[models.CertificationRecord](t, audit[1].Before), &later, cmpModels) ||
			!cmp.Equal(decode[models.CertificationRecord](t, audit[1].After), &fixed, cmpModels) {
			t.Errorf("audit of the update = %+v", audit)
		}

		for _, tc := range []struct {
			name string
			do   func() error
			want models.ErrorCode
		}{
			{"add to an unregistered enterprise", func() error {
				_, err := s.AddCertification(ctxT(), finance, models.CertificationRecord{CreditCode: creditCode(9), Level: "city", CertifiedOn: models.MustDate("2024-01-01")})
				return err
			}, models.CodeNotFound},
			{"add the same certification twice", func() error {
				_, err := s.AddCertification(ctxT(), finance, models.CertificationRecord{CreditCode: code, Level: "city", CertifiedOn: models.MustDate("2023-05-01")})
				return err
			}, models.CodeConflict},
			{"add an unknown level", func() error {
				_, err := s.AddCertification(ctxT(), finance, models.CertificationRecord{CreditCode: code, Level: "galactic", CertifiedOn: models.MustDate("2024-01-01")})
				return err
			}, models.CodeInvalid},
			{"add revoked before certified", func() error {
				_, err := s.AddCertification(ctxT(), finance, models.CertificationRecord{CreditCode: code, Level: "city", CertifiedOn: models.MustDate("2024-01-01"), RevokedOn: ptr(models.MustDate("2023-01-01"))})
				return err
			}, models.CodeInvalid},
			{"update under another enterprise", func() error {
				c := first
				c.CreditCode = other
				_, err := s.UpdateCertification(ctxT(), finance, c)
				return err
			}, models.CodeNotFound},
			{"update an unknown id", func() error {
				c := first
				c.ID = 9999
				_, err := s.UpdateCertification(ctxT(), finance, c)
				return err
			}, models.CodeNotFound},
			{"update into a duplicate", func() error {
				c := fixed
				c.Level, c.CertifiedOn = first.Level, first.CertifiedOn
				_, err := s.UpdateCertification(ctxT(), finance, c)
				return err
			}, models.CodeConflict},
			{"list of an unregistered enterprise", func() error {
				_, err := s.ListCertifications(ctxT(), creditCode(9))
				return err
			}, models.CodeNotFound},
		} {
			t.Run(tc.name, func(t *testing.T) { wantCode(t, tc.do(), tc.want) })
		}
	})
}

func TestImportCertifications(t *testing.T) {
	eachKind(t, func(t *testing.T, s *store.Store) {
		known := creditCode(1)
		putEnterprise(t, s, models.EnterpriseRecord{CreditCode: known, Name: "已登记企业"})
		addCert(t, s, known, models.LevelCity, "2024-01-15")

		row := func(i int, level, on string) models.CertificationImport {
			return models.CertificationImport{CreditCode: creditCode(i), Name: fmt.Sprintf("企业%d", i), Region: "330302", Level: level, CertifiedOn: models.MustDate(on)}
		}
		counts := func() (enterprises, certs, audit int) {
			es, err := s.ListEnterprises(ctxT(), models.EnterpriseFilter{})
			check(t, err)
			for _, e := range es {
				cs, err := s.ListCertifications(ctxT(), e.CreditCode)
				check(t, err)
				certs += len(cs)
			}
			all, err := s.ListAudit(ctxT(), models.AuditFilter{})
			check(t, err)
			return len(es), certs, len(all)
		}

		// Run in order: each step sees what the ones before it left.
		for _, tc := range []struct {
			name  string
			rows  []models.CertificationImport
			want  models.ImportSummary
			code  models.ErrorCode // of the error, if it must fail
			grown [3]int           // enterprises, certifications, audit entries added
		}{
			{
				name: "new and known enterprises, a repeated row",
				rows: []models.CertificationImport{
					row(1, "city", "2024-01-15"),     // recorded already
					row(1, "province", "2024-06-01"), // new level of a known enterprise
					row(2, "city", "2024-02-01"),     // new enterprise
					row(2, "city", "2024-02-01"),     // the same row again
					row(3, "national", "2024-03-01"), // new enterprise
				},
				want:  models.ImportSummary{Rows: 5, EnterprisesCreated: 2, CertificationsCreated: 3, Duplicates: 2},
				grown: [3]int{2, 3, 5},
			},
			{
				name:  "the same list again changes nothing",
				rows:  []models.CertificationImport{row(1, "province", "2024-06-01"), row(2, "city", "2024-02-01"), row(3, "national", "2024-03-01")},
				want:  models.ImportSummary{Rows: 3, Duplicates: 3},
				grown: [3]int{0, 0, 0},
			},
			{
				name: "a row the database rejects rolls back every row",
				rows: []models.CertificationImport{
					row(4, "city", "2024-04-01"),
					row(2, "province", "2024-04-01"),
					{CreditCode: creditCode(5), Name: strings.Repeat("名", 201), Region: "330302", Level: "city", CertifiedOn: models.MustDate("2024-04-01")},
				},
				code: models.CodeInvalid,
			},
			{
				name: "a bad row stops the whole list",
				rows: []models.CertificationImport{row(6, "city", "2024-04-01"), row(7, "galactic", "2024-04-01")},
				code: models.CodeInvalid,
			},
		} {
			t.Run(tc.name, func(t *testing.T) {
				e0, c0, a0 := counts()
				got, err := s.ImportCertifications(ctxT(), finance, tc.rows)
				if tc.code != "" {
					wantCode(t, err, tc.code)
				} else {
					check(t, err)
				}
				if diff := cmp.Diff(tc.want, got); diff != "" {
					t.Errorf("summary (-want +got):\n%s", diff)
				}
				e1, c1, a1 := counts()
				if grown := [3]int{e1 - e0, c1 - c0, a1 - a0}; grown != tc.grown {
					t.Errorf("added (enterprises, certifications, audit entries) = %v, want %v", grown, tc.grown)
				}
			})
		}

		// A known enterprise keeps its name; a new one has the row's.
		for code, want := range map[string]string{known: "已登记企业", creditCode(2): "企业2"} {
			e, err := s.GetEnterprise(ctxT(), code)
			check(t, err)
			if e.Name != want {
				t.Errorf("name of %s = %q, want %q", code, e.Name, want)
			}
		}
		for _, a := range auditOf(t, s, "enterprise", creditCode(2)) {
			if a.Action != "import" || a.Before != nil || a.After == nil {
				t.Errorf("audit of an imported enterprise = %+v", a)
			}
		}
	})
}

func TestCreditYears(t *testing.T) {
	eachKind(t, func(t *testing.T, s *store.Store) {
		code := creditCode(1)
		putEnterprise(t, s, models.EnterpriseRecord{CreditCode: code})
		year := func(y int, investment string) models.CreditYearRecord {
			return models.CreditYearRecord{
				CreditCode: code, Year: y,
				Investment: models.MustMoney(investment), FiscalSubsidy: models.MustMoney("100"), Withdrawn: models.MustMoney("0.01"),
				EducationSurcharge: models.MustMoney("300.30"), LocalEducationSurcharge: models.MustMoney("200.20"),
			}
		}
		y2024, created, err := s.PutCreditYear(ctxT(), tax, year(2024, "5000"))
		check(t, err)
		if !created || y2024.UpdatedAt.IsZero() {
			t.Errorf("first put: created %v, %+v", created, y2024)
		}
		y2023, _, err := s.PutCreditYear(ctxT(), tax, year(2023, "4000"))
		check(t, err)
		replaced, created, err := s.PutCreditYear(ctxT(), tax, year(2024, "6000.50"))
		check(t, err)
		if created || replaced.Investment != models.MustMoney("6000.50") {
			t.Errorf("replace: created %v, %+v", created, replaced)
		}

		list, err := s.ListCreditYears(ctxT(), code)
		check(t, err)
		if diff := cmp.Diff([]models.CreditYearRecord{y2023, replaced}, list, cmpModels); diff != "" {
			t.Errorf("ListCreditYears (-want +got):\n%s", diff)
		}
		audit := auditOf(t, s, "credit_year", code+"/2024")
		if len(audit) != 2 || audit[0].Action != "create" || audit[1].Action != "update" || audit[1].Role != models.RoleTax ||
			!cmp.Equal(decode[models.CreditYearRecord](t, audit[1].Before), &y2024, cmpModels) ||
			!cmp.Equal(decode[models.CreditYearRecord](t, audit[1].After), &replaced, cmpModels) {
			t.Errorf("audit = %+v", audit)
		}

		_, _, err = s.PutCreditYear(ctxT(), tax, models.CreditYearRecord{CreditCode: creditCode(9), Year: 2024})
		wantCode(t, err, models.CodeNotFound)
		bad := year(2025, "1")
		bad.Withdrawn = models.Fen(-5)
		_, _, err = s.PutCreditYear(ctxT(), tax, bad)
		wantCode(t, err, models.CodeInvalid)
		_, err = s.ListCreditYears(ctxT(), creditCode(9))
		wantCode(t, err, models.CodeNotFound)
	})
}

// Tax officers saving the same and different years at once: nobody gets an
// error, every year is there, and the shared year holds one writer's figures
// whole, the last one's (the last audit entry's).
func TestCreditYearsConcurrent(t *testing.T) {
	eachKind(t, func(t *testing.T, s *store.Store) {
		code := creditCode(1)
		putEnterprise(t, s, models.EnterpriseRecord{CreditCode: code})
		const writers = 8
		var wg sync.WaitGroup
		for i := range writers {
			wg.Go(func() {
				for _, y := range []int{2024, 2010 + i} {
					v := models.Yuan(int64(1000 + i))
					_, _, err := s.PutCreditYear(ctxT(), tax, models.CreditYearRecord{
						CreditCode: code, Year: y, Investment: v, FiscalSubsidy: v, EducationSurcharge: v, LocalEducationSurcharge: v,
					})
					if err != nil {
						t.Errorf("writer %d, year %d: %v", i, y, err)
					}
				}
			})
		}
		wg.Wait()

		list, err := s.ListCreditYears(ctxT(), code)
		check(t, err)
		if len(list) != writers+1 {
			t.Fatalf("years = %d, want %d", len(list), writers+1)
		}
		shared := list[len(list)-1]
		if shared.Year != 2024 || shared.Investment != shared.FiscalSubsidy || shared.Investment != shared.LocalEducationSurcharge {
			t.Errorf("2024 = %+v: figures of more than one writer", shared)
		}
		audit := auditOf(t, s, "credit_year", code+"/2024")
		if len(audit) != writers {
			t.Fatalf("audit entries of 2024 = %d, want %d (one create, the rest updates)", len(audit), writers)
		}
		if last := decode[models.CreditYearRecord](t, audit[len(audit)-1].After); !cmp.Equal(last, &shared, cmpModels) {
			t.Errorf("2024 = %+v, but the last write was %+v", shared, last)
		}
	})
}

func TestUniversitiesAndDonations(t *testing.T) {
	eachKind(t, func(t *testing.T, s *store.Store) {
		u := models.UniversityRecord{Code: "WZU", Name: "温州大学", Ownership: "public", Affiliation: "province"}
		created, isNew, err := s.PutUniversity(ctxT(), finance, u)
		check(t, err)
		if !isNew {
			t.Error("first put: created = false")
		}
		u.Name = "温州大学（新）"
		updated, isNew, err := s.PutUniversity(ctxT(), finance, u)
		check(t, err)
		if isNew || updated.Name != u.Name || !updated.CreatedAt.Equal(created.CreatedAt) {
			t.Errorf("update: created %v, %+v", isNew, updated)
		}
		got, err := s.GetUniversity(ctxT(), "WZU")
		check(t, err)
		if diff := cmp.Diff(updated, got); diff != "" {
			t.Errorf("GetUniversity (-want +got):\n%s", diff)
		}
		other, _, err := s.PutUniversity(ctxT(), finance, models.UniversityRecord{Code: "WMU", Name: "温州医科大学", Ownership: "public", Affiliation: "province"})
		check(t, err)
		for _, tc := range []struct {
			after string
			limit int
			want  []models.UniversityRecord
		}{
			{"", 0, []models.UniversityRecord{other, updated}},
			{"", 1, []models.UniversityRecord{other}},
			{"WMU", 5, []models.UniversityRecord{updated}},
			{"WZU", 5, []models.UniversityRecord{}},
		} {
			got, err := s.ListUniversities(ctxT(), tc.after, tc.limit)
			check(t, err)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ListUniversities(%q, %d) (-want +got):\n%s", tc.after, tc.limit, diff)
			}
		}

		pledge, err := s.AddDonation(ctxT(), finance, models.DonationRecord{UniversityCode: "WZU", Amount: models.Yuan(2000000), Form: "cash", ViaFoundation: true})
		check(t, err)
		arrived := models.MustDate("2025-03-01")
		pledge.ArrivedOn = &arrived
		landed, err := s.UpdateDonation(ctxT(), finance, pledge)
		check(t, err)
		if landed.ArrivedOn == nil || *landed.ArrivedOn != arrived || !landed.UpdatedAt.After(landed.CreatedAt) {
			t.Errorf("updated donation = %+v", landed)
		}
		goods, err := s.AddDonation(ctxT(), finance, models.DonationRecord{UniversityCode: "WZU", Amount: models.MustMoney("1.5"), Form: "in_kind", ArrivedOn: &arrived})
		check(t, err)
		list, err := s.ListDonations(ctxT(), "WZU")
		check(t, err)
		if diff := cmp.Diff([]models.DonationRecord{landed, goods}, list, cmpModels); diff != "" {
			t.Errorf("ListDonations (-want +got):\n%s", diff)
		}
		audit := auditOf(t, s, "donation", strconv.FormatInt(pledge.ID, 10))
		if len(audit) != 2 || decode[models.DonationRecord](t, audit[1].Before).ArrivedOn != nil || decode[models.DonationRecord](t, audit[1].After).ArrivedOn == nil {
			t.Errorf("audit of the donation = %+v", audit)
		}

		for _, tc := range []struct {
			name string
			do   func() error
			want models.ErrorCode
		}{
			{"get unknown university", func() error { _, err := s.GetUniversity(ctxT(), "NOPE"); return err }, models.CodeNotFound},
			{"donation to unknown university", func() error {
				_, err := s.AddDonation(ctxT(), finance, models.DonationRecord{UniversityCode: "NOPE", Amount: models.Yuan(1), Form: "cash"})
				return err
			}, models.CodeNotFound},
			{"update donation under another university", func() error {
				d := landed
				d.UniversityCode = "WMU"
				_, err := s.UpdateDonation(ctxT(), finance, d)
				return err
			}, models.CodeNotFound},
			{"donations of unknown university", func() error { _, err := s.ListDonations(ctxT(), "NOPE"); return err }, models.CodeNotFound},
			{"unknown ownership", func() error {
				_, _, err := s.PutUniversity(ctxT(), finance, models.UniversityRecord{Code: "X", Name: "x", Ownership: "mixed", Affiliation: "city"})
				return err
			}, models.CodeInvalid},
			{"unknown donation form", func() error {
				_, err := s.AddDonation(ctxT(), finance, models.DonationRecord{UniversityCode: "WZU", Amount: models.Yuan(1), Form: "poem"})
				return err
			}, models.CodeInvalid},
		} {
			t.Run(tc.name, func(t *testing.T) { wantCode(t, tc.do(), tc.want) })
		}
	})
}

// Imports of one list at once (each in its own order) all succeed, and
// every row is applied by exactly one of them.
func TestImportCertificationsConcurrent(t *testing.T) {
	eachKind(t, func(t *testing.T, s *store.Store) {
		const n, imports = 300, 8
		rows := make([]models.CertificationImport, n)
		for i := range rows {
			rows[i] = models.CertificationImport{CreditCode: creditCode(i), Name: fmt.Sprintf("企业%d", i), Region: "330382", Level: "city", CertifiedOn: models.MustDate("2024-01-02")}
		}
		sums := make([]models.ImportSummary, imports)
		var wg sync.WaitGroup
		for g := range imports {
			wg.Go(func() {
				mine := slices.Clone(rows)
				rand.Shuffle(len(mine), func(i, j int) { mine[i], mine[j] = mine[j], mine[i] })
				var err error
				if sums[g], err = s.ImportCertifications(ctxT(), finance, mine); err != nil {
					t.Errorf("import %d: %v", g, err)
				}
			})
		}
		wg.Wait()
		var total models.ImportSummary
		for _, s := range sums {
			total.Rows += s.Rows
			total.EnterprisesCreated += s.EnterprisesCreated
			total.CertificationsCreated += s.CertificationsCreated
			total.Duplicates += s.Duplicates
		}
		want := models.ImportSummary{Rows: n * imports, EnterprisesCreated: n, CertificationsCreated: n, Duplicates: n * (imports - 1)}
		if diff := cmp.Diff(want, total); diff != "" {
			t.Errorf("summaries added up (-want +got):\n%s", diff)
		}
	})
}

// TestTextPostgresCannotStore: a NUL in a name is refused as invalid input on
// PostgreSQL (the API refuses it before; this is the store's own backstop).
func TestTextPostgresCannotStore(t *testing.T) {
	s := storetest.Open(t, storetest.Postgres)
	_, _, err := s.PutEnterprise(t.Context(), models.Actor{KeyID: "t"}, models.EnterpriseRecord{
		CreditCode: "91330382MA2AB3C47E", Name: "a\x00b", Region: "330382",
	})
	if models.CodeOf(err) != models.CodeInvalid {
		t.Fatalf("error %v, want invalid input", err)
	}
}

// TestListEnterprisesByName: a name filter finds the names holding the
// text, ignoring the case of Latin letters; "%", "_" and "\" in it are
// those characters, not LIKE's wildcards; it combines with the other
// filters and the pages.
func TestListEnterprisesByName(t *testing.T) {
	eachKind(t, func(t *testing.T, s *store.Store) {
		var all []models.EnterpriseRecord
		for i, name := range []string{"乐清电气有限公司", "ABC Electric Co.", "abc_tools", "abcxtools", "100% 电气", `A\B 机械`} {
			e := models.EnterpriseRecord{CreditCode: creditCode(i + 1), Name: name}
			if i%2 == 1 {
				e.Region = "330302"
			}
			all = append(all, putEnterprise(t, s, e))
		}
		for _, tc := range []struct {
			name string
			f    models.EnterpriseFilter
			want []models.EnterpriseRecord
		}{
			{"part of a name", models.EnterpriseFilter{Name: "电气"}, []models.EnterpriseRecord{all[0], all[4]}},
			{"Latin in any case", models.EnterpriseFilter{Name: "aBc"}, all[1:4]},
			{"upper case finds lower", models.EnterpriseFilter{Name: "ELECTRIC"}, all[1:2]},
			{"percent is a percent sign", models.EnterpriseFilter{Name: "%"}, all[4:5]},
			{"underscore is an underscore", models.EnterpriseFilter{Name: "c_t"}, all[2:3]},
			{"backslash is a backslash", models.EnterpriseFilter{Name: `\`}, all[5:6]},
			{"with a region", models.EnterpriseFilter{Name: "abc", Region: "330302"}, []models.EnterpriseRecord{all[1], all[3]}},
			{"a page", models.EnterpriseFilter{Name: "abc", AfterCode: all[1].CreditCode, Limit: 1}, all[2:3]},
			{"nothing", models.EnterpriseFilter{Name: "温州"}, []models.EnterpriseRecord{}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got, err := s.ListEnterprises(ctxT(), tc.f)
				check(t, err)
				if diff := cmp.Diff(tc.want, got, cmpModels); diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
			})
		}
	})
}
