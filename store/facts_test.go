package store_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wenzhou-subsidy/subsidy/models"
	"github.com/wenzhou-subsidy/subsidy/store"
)

func TestEnterpriseFacts(t *testing.T) {
	eachKind(t, func(t *testing.T, s *store.Store) {
		group, member, orphan, unregistered := creditCode(1), creditCode(2), creditCode(3), creditCode(4)
		pct := func(s string) models.Percent { return models.Percent{Decimal: models.MustDecimal(s)} }

		putEnterprise(t, s, models.EnterpriseRecord{CreditCode: group, Name: "集团"})
		addCert(t, s, group, models.LevelNational, "2023-11-20")
		putEnterprise(t, s, models.EnterpriseRecord{
			CreditCode: member, Name: "成员单位", Region: "330302", CreditCarryIn: models.MustMoney("12.50"),
			Parent: &models.ParentLink{CreditCode: group, OwnershipPct: pct("60"), ActualControl: true},
		})
		addCert(t, s, member, models.LevelProvince, "2024-06-01")
		addCert(t, s, member, models.LevelCity, "2022-03-01")
		putEnterprise(t, s, models.EnterpriseRecord{
			CreditCode: orphan, Name: "母公司未登记", Parent: &models.ParentLink{CreditCode: unregistered, OwnershipPct: pct("50.5")},
		})
		for _, y := range []int{2024, 2022, 2023} { // stored out of order
			_, _, err := s.PutCreditYear(ctxT(), tax, models.CreditYearRecord{CreditCode: member, Year: y, Investment: models.Yuan(int64(y)), EducationSurcharge: models.Yuan(1)})
			check(t, err)
		}
		// Grants: city paid, province rejected (it still counts); the
		// donation match of another subject and the member's own
		// non-certification payouts do not.
		run := newRun(t, s)
		created, err := s.RecordPayouts(ctxT(), finance, run.ID, []models.PayoutCandidate{
			{Rule: "cert-grant", Subject: member, Level: models.LevelCity, GrantYear: 2024, Total: models.Yuan(100000)},
			{Rule: "cert-grant", Subject: member, Level: models.LevelProvince, GrantYear: 2025, Total: models.Yuan(300000)},
			{Rule: "donation-match", Subject: member, GrantYear: 2025, Total: models.Yuan(7)},
		})
		check(t, err)
		byLevel := map[string]models.Payout{}
		for _, p := range created {
			byLevel[p.Level] = p
		}
		_, err = s.TransitionPayout(ctxT(), finance, models.PayoutTransition{ID: byLevel["city"].ID, To: models.PayoutApproved})
		check(t, err)
		paid, err := s.TransitionPayout(ctxT(), finance, models.PayoutTransition{ID: byLevel["city"].ID, To: models.PayoutPaid})
		check(t, err)
		_, err = s.TransitionPayout(ctxT(), finance, models.PayoutTransition{ID: byLevel["province"].ID, To: models.PayoutRejected, Reason: "重复申报"})
		check(t, err)
		paidOn := models.LocalDate(*paid.PaidAt)

		for _, tc := range []struct {
			name string
			code string
			want models.Enterprise
		}{
			{"member of a registered group", member, models.Enterprise{
				Kind: "enterprise", CreditCode: member, Name: "成员单位", Region: "330302",
				Certifications: []models.Certification{
					{Level: "city", CertifiedOn: models.MustDate("2022-03-01")},
					{Level: "province", CertifiedOn: models.MustDate("2024-06-01")},
				},
				// Up to each level, what was received in all: the city's
				// and the province's own for the province.
				GrantsReceived: []models.GrantReceived{
					{Level: "city", Amount: models.Yuan(100000), PaidOn: &paidOn},
					{Level: "province", Amount: models.Yuan(400000)},
				},
				Parent: &models.Parent{CreditCode: group, OwnershipPct: pct("60"), ActualControl: true, Certifications: []models.Certification{
					{Level: "national", CertifiedOn: models.MustDate("2023-11-20")},
				}},
				CreditCarryIn: models.MustMoney("12.50"),
				CreditYears: []models.CreditYear{
					{Year: 2022, Investment: models.Yuan(2022), EducationSurcharge: models.Yuan(1)},
					{Year: 2023, Investment: models.Yuan(2023), EducationSurcharge: models.Yuan(1)},
					{Year: 2024, Investment: models.Yuan(2024), EducationSurcharge: models.Yuan(1)},
				},
			}},
			{"parent not registered: no parent certifications", orphan, models.Enterprise{
				Kind: "enterprise", CreditCode: orphan, Name: "母公司未登记", Region: "330382",
				Parent: &models.Parent{CreditCode: unregistered, OwnershipPct: pct("50.5")},
			}},
			{"the group itself", group, models.Enterprise{
				Kind: "enterprise", CreditCode: group, Name: "集团", Region: "330382",
				Certifications: []models.Certification{{Level: "national", CertifiedOn: models.MustDate("2023-11-20")}},
			}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got, err := s.EnterpriseFacts(ctxT(), tc.code)
				check(t, err)
				if diff := cmp.Diff(tc.want, got, cmpModels); diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
			})
		}
		_, err = s.EnterpriseFacts(ctxT(), unregistered)
		wantCode(t, err, models.CodeNotFound)
	})
}

// Screening 2,500 enterprises in batches of 1,000 yields three batches in
// credit-code order, every enterprise once, each assembled as
// EnterpriseFacts assembles it.
func TestScreenEnterprises(t *testing.T) {
	eachKind(t, func(t *testing.T, s *store.Store) {
		const n = 2500
		ids := rand.Perm(n) // registered in random order
		rows := make([]models.CertificationImport, n)
		for i, id := range ids {
			rows[i] = models.CertificationImport{CreditCode: creditCode(id), Name: fmt.Sprintf("企业%d", id), Region: "330382", Level: "city", CertifiedOn: models.MustDate("2024-01-02")}
		}
		_, err := s.ImportCertifications(ctxT(), finance, rows)
		check(t, err)
		// A few with parents, credit years and grants, across batches.
		special := []int{0, 999, 1000, 1777, 2499}
		run := newRun(t, s)
		var cands []models.PayoutCandidate
		for _, id := range special {
			code := creditCode(id)
			putEnterprise(t, s, models.EnterpriseRecord{CreditCode: code, Name: fmt.Sprintf("企业%d", id),
				Parent: &models.ParentLink{CreditCode: creditCode((id + 1) % n), OwnershipPct: models.Percent{Decimal: models.MustDecimal("51")}}})
			_, _, err := s.PutCreditYear(ctxT(), tax, models.CreditYearRecord{CreditCode: code, Year: 2024, Investment: models.Yuan(9)})
			check(t, err)
			cands = append(cands, models.PayoutCandidate{Rule: "cert-grant", Subject: code, Level: "city", Total: models.Yuan(100000)})
		}
		_, err = s.RecordPayouts(ctxT(), finance, run.ID, cands)
		check(t, err)

		var sizes []int
		var codes []string
		seen := map[string]models.Enterprise{}
		err = s.ScreenEnterprises(ctxT(), 1000, func(batch []models.Enterprise) error {
			sizes = append(sizes, len(batch))
			for _, e := range batch {
				codes = append(codes, e.CreditCode)
				seen[e.CreditCode] = e
			}
			return nil
		})
		check(t, err)
		if diff := cmp.Diff([]int{1000, 1000, 500}, sizes); diff != "" {
			t.Errorf("batch sizes (-want +got):\n%s", diff)
		}
		if !slices.IsSorted(codes) || len(seen) != n || len(codes) != n {
			t.Errorf("screened %d enterprises (%d distinct, sorted %v), want %d once each in order", len(codes), len(seen), slices.IsSorted(codes), n)
		}
		for _, id := range append(special, 1, 500, 2000) {
			code := creditCode(id)
			want, err := s.EnterpriseFacts(ctxT(), code)
			check(t, err)
			if diff := cmp.Diff(want, seen[code], cmpModels); diff != "" {
				t.Errorf("screened %s differs from its facts (-facts +screened):\n%s", code, diff)
			}
		}
		if e := seen[creditCode(999)]; e.Parent == nil || len(e.Parent.Certifications) != 1 || len(e.GrantsReceived) != 1 || len(e.CreditYears) != 1 {
			t.Errorf("enterprise 999 assembled without its related records: %+v", e)
		}

		// An error from fn stops the screening and comes back as is.
		stop := errors.New("stop")
		calls := 0
		err = s.ScreenEnterprises(ctxT(), 1000, func([]models.Enterprise) error { calls++; return stop })
		if !errors.Is(err, stop) || calls != 1 {
			t.Errorf("screening with a failing fn: err %v after %d calls, want stop after 1", err, calls)
		}
	})
}

func TestUniversityFacts(t *testing.T) {
	eachKind(t, func(t *testing.T, s *store.Store) {
		var want []models.University
		for i := 1; i <= 5; i++ {
			code := fmt.Sprintf("U%02d", i)
			putUniversity(t, s, code)
			u := models.University{Kind: "university", Code: code, Name: "高校 " + code, Ownership: "public", Affiliation: "city"}
			for j := 0; j < i%3; j++ {
				d := models.Donation{Amount: models.Yuan(int64(100 * (j + 1))), Form: "cash", ViaFoundation: j == 0}
				if j == 1 {
					d.ArrivedOn = ptr(models.MustDate("2024-12-31"))
				}
				_, err := s.AddDonation(ctxT(), finance, models.DonationRecord{UniversityCode: code, Amount: d.Amount, Form: d.Form, ViaFoundation: d.ViaFoundation, ArrivedOn: d.ArrivedOn})
				check(t, err)
				u.Donations = append(u.Donations, d)
			}
			want = append(want, u)
		}

		got, err := s.UniversityFacts(ctxT(), "U02")
		check(t, err)
		if diff := cmp.Diff(want[1], got, cmpModels); diff != "" {
			t.Errorf("UniversityFacts (-want +got):\n%s", diff)
		}
		_, err = s.UniversityFacts(ctxT(), "U99")
		wantCode(t, err, models.CodeNotFound)

		var batches [][]models.University
		err = s.ScreenUniversities(ctxT(), 2, func(b []models.University) error {
			batches = append(batches, b)
			return nil
		})
		check(t, err)
		if diff := cmp.Diff([][]models.University{want[0:2], want[2:4], want[4:]}, batches, cmpModels); diff != "" {
			t.Errorf("ScreenUniversities batches (-want +got):\n%s", diff)
		}
	})
}
