package registrygen_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wenzhou-subsidy/subsidy/models"
	"github.com/wenzhou-subsidy/subsidy/store"
	"github.com/wenzhou-subsidy/subsidy/store/registrygen"
	"github.com/wenzhou-subsidy/subsidy/store/storetest"
)

var cmpModels = cmp.AllowUnexported(models.Money{}, models.Date{}, models.Decimal{})

// screen reads every enterprise and university of s.
func screen(t *testing.T, s *store.Store) ([]models.Enterprise, []models.University) {
	t.Helper()
	var es []models.Enterprise
	var us []models.University
	ctx := context.Background()
	if err := s.ScreenEnterprises(ctx, 1000, func(b []models.Enterprise) error { es = append(es, b...); return nil }); err != nil {
		t.Fatal(err)
	}
	if err := s.ScreenUniversities(ctx, 1000, func(b []models.University) error { us = append(us, b...); return nil }); err != nil {
		t.Fatal(err)
	}
	return es, us
}

// The registry has the mix the screening benchmark needs, on either
// database.
func TestGenerate(t *testing.T) {
	for _, kind := range storetest.Kinds(t) {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			s := storetest.Open(t, kind)
			opts := registrygen.Options{Enterprises: 3000, Universities: 40, Seed: 1, Batch: 700}
			sum, err := registrygen.Generate(context.Background(), s, opts)
			if err != nil {
				t.Fatal(err)
			}
			es, us := screen(t, s)
			if len(es) != opts.Enterprises || sum.Enterprises != opts.Enterprises || len(us) != opts.Universities || sum.Universities != opts.Universities {
				t.Fatalf("registry has %d enterprises and %d universities (summary %+v), want %d and %d",
					len(es), len(us), sum, opts.Enterprises, opts.Universities)
			}
			registered := map[string]bool{}
			for _, e := range es {
				registered[e.CreditCode] = true
			}

			// Count what the mix should show.
			counts := map[string]int{}
			certs, years, donations := 0, 0, 0
			for _, e := range es {
				if !models.ValidCreditCode(e.CreditCode) {
					t.Errorf("invalid credit code %s", e.CreditCode)
				}
				switch name := models.LocalFinanceBureau(e.Region).Name; {
				case e.Region[:4] != "3303":
					counts["outside Wenzhou"]++
				case name == models.CityFinanceBureau.Name:
					counts["Wenzhou, no county bureau"]++
				default:
					counts["county "+e.Region]++
				}
				if len(e.Certifications) == 0 {
					counts["not certified"]++
				}
				for _, c := range e.Certifications {
					counts["level "+c.Level]++
					switch {
					case c.CertifiedOn.Before(models.MustDate("2024-01-01")):
						counts["certified before 2024"]++
					case c.CertifiedOn.After(registrygen.AsOf):
						counts["certified after as_of"]++
					}
					if c.RevokedOn != nil {
						counts["revoked"]++
					}
				}
				if p := e.Parent; p != nil {
					counts["member unit"]++
					counts["ownership "+p.OwnershipPct.String()]++
					if p.ActualControl {
						counts["actual control"]++
					}
					if !registered[p.CreditCode] {
						counts["parent not registered"]++
					}
				}
				if len(e.CreditYears) > 5 {
					t.Errorf("%s has %d credit years", e.CreditCode, len(e.CreditYears))
				}
				counts["credit years: "+string(rune('0'+len(e.CreditYears)))]++
				certs += len(e.Certifications)
				years += len(e.CreditYears)
			}
			for _, u := range us {
				counts["university "+u.Ownership+" "+u.Affiliation]++
				if len(u.Donations) > 30 {
					t.Errorf("%s has %d donations", u.Code, len(u.Donations))
				}
				for _, d := range u.Donations {
					counts["donation "+d.Form]++
					if d.ArrivedOn == nil {
						counts["pledge"]++
					}
				}
				donations += len(u.Donations)
			}
			if certs != sum.Certifications || years != sum.CreditYears || donations != sum.Donations {
				t.Errorf("read back %d certifications, %d credit years, %d donations; summary %+v", certs, years, donations, sum)
			}
			t.Logf("mix of %d enterprises and %d universities: %v", len(es), len(us), counts)
			for _, c := range models.Counties {
				if counts["county "+c.Code] == 0 {
					t.Errorf("no enterprise in county %s", c.Code)
				}
			}
			for _, what := range []string{
				"outside Wenzhou", "Wenzhou, no county bureau", "level city", "level province", "level national",
				"certified before 2024", "certified after as_of", "revoked", "member unit", "ownership 100", "ownership 51",
				"ownership 50", "actual control", "parent not registered", "credit years: 0", "credit years: 1", "credit years: 5",
				"university public city", "donation cash", "donation in_kind", "donation equity", "donation other", "pledge",
			} {
				if counts[what] == 0 {
					t.Errorf("the registry has no %q: %v", what, counts)
				}
			}
			// Most are not certified; city is the commonest level, national the rarest.
			if counts["not certified"] < opts.Enterprises*7/10 ||
				!(counts["level city"] > counts["level province"] && counts["level province"] > counts["level national"]) {
				t.Errorf("unrealistic mix: %v", counts)
			}
		})
	}
}

// The same options give the same registry, whatever the batch size, and
// enterprise i is the same in a larger registry.
func TestGenerateDeterministic(t *testing.T) {
	ctx := context.Background()
	a, b := storetest.Open(t, storetest.SQLite), storetest.Open(t, storetest.SQLite)
	if _, err := registrygen.Generate(ctx, a, registrygen.Options{Enterprises: 500, Universities: 5, Seed: 42}); err != nil {
		t.Fatal(err)
	}
	if _, err := registrygen.Generate(ctx, b, registrygen.Options{Enterprises: 800, Universities: 5, Seed: 42, Batch: 77}); err != nil {
		t.Fatal(err)
	}
	ea, ua := screen(t, a)
	eb, ub := screen(t, b)
	inA := map[string]models.Enterprise{}
	for _, e := range ea {
		inA[e.CreditCode] = e
	}
	matched := 0
	for _, e := range eb {
		want, ok := inA[e.CreditCode]
		if !ok {
			continue
		}
		matched++
		// Group links to members beyond the smaller registry's end differ
		// in nothing the enterprise itself holds.
		if diff := cmp.Diff(want, e, cmpModels); diff != "" {
			t.Errorf("enterprise %s differs between the registries (-500 +800):\n%s", e.CreditCode, diff)
		}
	}
	if matched != len(ea) {
		t.Errorf("%d of the 500 enterprises are in the larger registry, want all", matched)
	}
	if diff := cmp.Diff(ua, ub, cmpModels); diff != "" {
		t.Errorf("universities differ (-a +b):\n%s", diff)
	}
	for i := range 500 {
		if _, ok := inA[registrygen.EnterpriseCode(42, i)]; !ok {
			t.Errorf("EnterpriseCode(42, %d) = %s, not in the registry", i, registrygen.EnterpriseCode(42, i))
		}
	}

	c := storetest.Open(t, storetest.SQLite)
	if _, err := registrygen.Generate(ctx, c, registrygen.Options{Enterprises: 500, Universities: 5, Seed: 43}); err != nil {
		t.Fatal(err)
	}
	if ec, _ := screen(t, c); cmp.Equal(ea, ec, cmpModels) {
		t.Error("seeds 42 and 43 gave the same registry")
	}
}
