package engine_test

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/wenzhou-subsidy/subsidy/engine"
	"github.com/wenzhou-subsidy/subsidy/models"
)

// The engine benchmarks of BENCHMARKS.md: make bench, or
//
//	go test ./engine -run '^$' -bench . -benchmem

func benchEngine(b testing.TB) *engine.Engine {
	b.Helper()
	e, err := engine.Load(os.DirFS("../rules"))
	if err != nil {
		b.Fatal(err)
	}
	return e
}

// typicalEnterprise is a province-certified enterprise with its city grant
// paid and two credit years: what a self-check usually sends.
func typicalEnterprise() *models.Enterprise {
	return &models.Enterprise{
		Kind: models.KindEnterprise, CreditCode: "91330382MA2AB3C47E", Name: "示例电气有限公司", Region: "330382",
		Certifications: []models.Certification{{Level: models.LevelProvince, CertifiedOn: models.MustDate("2024-03-01")}},
		GrantsReceived: []models.GrantReceived{{Level: models.LevelCity, Amount: models.MustMoney("50000.00")}},
		CreditYears: []models.CreditYear{
			{Year: 2024, Investment: models.MustMoney("1000000.00"), EducationSurcharge: models.MustMoney("30000.00"), LocalEducationSurcharge: models.MustMoney("20000.00")},
			{Year: 2025, Investment: models.MustMoney("400000.00"), FiscalSubsidy: models.MustMoney("50000.00"), EducationSurcharge: models.MustMoney("90000.00"), LocalEducationSurcharge: models.MustMoney("60000.00")},
		},
	}
}

// memberUnit is a member unit with a group parent and five credit years.
func memberUnit() *models.Enterprise {
	e := &models.Enterprise{
		Kind: models.KindEnterprise, CreditCode: "91330303MA2C00002K", Name: "成员单位", Region: "330303",
		Parent: &models.Parent{
			CreditCode: "91330302MA2C000012", OwnershipPct: models.Percent{Decimal: models.MustDecimal("51")},
			Certifications: []models.Certification{{Level: models.LevelNational, CertifiedOn: models.MustDate("2021-05-01")}},
		},
		CreditCarryIn: models.MustMoney("1234.56"),
	}
	for y := 2021; y <= 2025; y++ {
		e.CreditYears = append(e.CreditYears, models.CreditYear{
			Year: y, Investment: models.Yuan(int64(100000 * (y - 2019))), FiscalSubsidy: models.Yuan(10000),
			Withdrawn: models.Yuan(int64(1000 * (y % 2))), EducationSurcharge: models.Yuan(30000), LocalEducationSurcharge: models.Yuan(20000),
		})
	}
	return e
}

func benchUniversity(donations int) *models.University {
	u := &models.University{Kind: models.KindUniversity, Code: "wzvtc", Name: "温州职业技术学院", Ownership: "public", Affiliation: "city", GrantYear: 2025}
	forms := []string{"cash", "cash", "cash", "in_kind", "equity"}
	for i := 0; i < donations; i++ {
		d := models.MustDate(fmt.Sprintf("%d-%02d-15", 2023+i%3, 1+i%12))
		u.Donations = append(u.Donations, models.Donation{Amount: models.Yuan(int64(100000 + i)), Form: forms[i%len(forms)], ViaFoundation: i%7 != 0, ArrivedOn: &d})
	}
	return u
}

func benchEvaluate(b *testing.B, e *engine.Engine, req models.EvaluateRequest) {
	b.Helper()
	if _, err := e.Evaluate(req, models.LangZh); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Evaluate(req, models.LangZh); err != nil {
			b.Fatal(err)
		}
	}
}

var asOf = models.MustDate("2025-06-30")

// BenchmarkCertGrant: one enterprise, the certification grant only.
func BenchmarkCertGrant(b *testing.B) {
	benchEvaluate(b, benchEngine(b), models.EvaluateRequest{AsOf: asOf, Rules: []string{models.RuleCertGrant}, Subject: models.Subject{Enterprise: typicalEnterprise()}})
}

// BenchmarkCreditMemberUnit5Years: the surcharge credit of a member unit
// with a group parent and five credit years.
func BenchmarkCreditMemberUnit5Years(b *testing.B) {
	benchEvaluate(b, benchEngine(b), models.EvaluateRequest{AsOf: asOf, Rules: []string{models.RuleSurchargeCredit}, Subject: models.Subject{Enterprise: memberUnit()}})
}

// BenchmarkDonationMatch20: a university with 20 donations.
func BenchmarkDonationMatch20(b *testing.B) {
	benchEvaluate(b, benchEngine(b), models.EvaluateRequest{AsOf: asOf, Subject: models.Subject{University: benchUniversity(20)}})
}

// BenchmarkTypicalEnterpriseAllRules: every default rule (cert-grant and
// surcharge-credit) on a typical enterprise, with conditions and citations.
func BenchmarkTypicalEnterpriseAllRules(b *testing.B) {
	benchEvaluate(b, benchEngine(b), models.EvaluateRequest{AsOf: asOf, Subject: models.Subject{Enterprise: typicalEnterprise()}})
}

// BenchmarkCreditYears shows how the credit grows with the years listed.
func BenchmarkCreditYears(b *testing.B) {
	e := benchEngine(b)
	for _, n := range []int{1, 5, 20} {
		b.Run(fmt.Sprintf("years=%d", n), func(b *testing.B) {
			ent := memberUnit()
			ent.CreditYears = nil
			for y := 0; y < n; y++ {
				ent.CreditYears = append(ent.CreditYears, models.CreditYear{Year: 2006 + y, Investment: models.Yuan(100000), EducationSurcharge: models.Yuan(3000), LocalEducationSurcharge: models.Yuan(2000)})
			}
			benchEvaluate(b, e, models.EvaluateRequest{AsOf: asOf, Rules: []string{models.RuleSurchargeCredit}, Subject: models.Subject{Enterprise: ent}})
		})
	}
}

// TestAllocationsIndependentOfLoadedRules: evaluating a subject allocates
// the same whether 3 or 123 rules are loaded, when the extra rules are not
// evaluated.
func TestAllocationsIndependentOfLoadedRules(t *testing.T) {
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS("../rules")); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"cert-grant", "donation-match"} {
		src, err := os.ReadFile(dir + "/" + id + ".yaml")
		if err != nil {
			t.Fatal(err)
		}
		for i := range 60 {
			copyID := fmt.Sprintf("%s-copy%d", id, i)
			text := strings.Replace(string(src), "id: "+id, "id: "+copyID, 1)
			if err := os.WriteFile(fmt.Sprintf("%s/%s.yaml", dir, copyID), []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	small := benchEngine(t)
	large, err := engine.Load(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(large.RuleIDs()); n != 123 {
		t.Fatalf("%d rules loaded, want 123", n)
	}
	// allocs measures the bytes allocated per evaluation (a count would
	// miss one slice that grows with the rules loaded).
	allocs := func(e *engine.Engine, req models.EvaluateRequest) uint64 {
		if _, err := e.Evaluate(req, models.LangZh); err != nil {
			t.Fatal(err)
		}
		// The least of a few trials: pooled buffers (which the race
		// detector empties at random) only ever add.
		least := uint64(1 << 62)
		for range 5 {
			const runs = 200
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			for range runs {
				e.Evaluate(req, models.LangZh)
			}
			runtime.ReadMemStats(&after)
			least = min(least, (after.TotalAlloc-before.TotalAlloc)/runs)
		}
		return least
	}
	// A few bytes either way come from pooled buffers; a slice sized by the
	// rules loaded would add 8 bytes for each of the 120 extra rules.
	const tolerance = 400
	same := func(a, b uint64) bool { return max(a, b)-min(a, b) <= tolerance }
	named := models.EvaluateRequest{AsOf: asOf, Rules: []string{models.RuleCertGrant, models.RuleSurchargeCredit}, Subject: models.Subject{Enterprise: typicalEnterprise()}}
	if a, b := allocs(small, named), allocs(large, named); !same(a, b) {
		t.Errorf("rules named: %d bytes allocated with 3 rules loaded, %d with 123", a, b)
	}
	// The twenty donation-match copies apply to universities only.
	university := models.EvaluateRequest{AsOf: asOf, Rules: []string{models.RuleDonationMatch}, Subject: models.Subject{University: benchUniversity(20)}}
	if a, b := allocs(small, university), allocs(large, university); !same(a, b) {
		t.Errorf("university, one rule: %d bytes allocated with 3 rules loaded, %d with 123", a, b)
	}
}
