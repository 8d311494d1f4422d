package app

import (
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/wenzhou-subsidy/subsidy/engine"
	"github.com/wenzhou-subsidy/subsidy/models"
	"github.com/wenzhou-subsidy/subsidy/store/registrygen"
	"github.com/wenzhou-subsidy/subsidy/store/storetest"
)

var cmpMoney = cmp.AllowUnexported(models.Money{})

var runClerk = models.Actor{KeyID: "key_clerk", Role: models.RoleFinance}

// newGenerated is a service over a generated registry, its clock at the
// registry's as_of.
func newGenerated(t *testing.T, kind string, enterprises int) *Service {
	t.Helper()
	st := storetest.Open(t, kind)
	if _, err := registrygen.Generate(t.Context(), st, registrygen.Options{Enterprises: enterprises, Universities: 50, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	eng, err := engine.Load(os.DirFS("../rules"))
	if err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return time.Date(2025, 6, 30, 10, 0, 0, 0, models.Wenzhou) }
	return New(eng, st, Options{Now: now})
}

// run records a payout run and returns what it created, summed as a
// forecast sums it.
func run(t *testing.T, s *Service, req models.PayoutRunRequest) map[dueKey]models.Money {
	t.Helper()
	job, err := s.StartRun(t.Context(), runClerk, req, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	<-job.Done()
	res, err := job.Result()
	if err != nil {
		t.Fatal(err)
	}
	out := map[dueKey]models.Money{}
	for _, p := range res.Created {
		k := dueKey{rule: p.Rule, subject: p.Subject, payer: p.Payer}
		out[k] = out[k].Add(p.Amount)
	}
	return out
}

// TestForecastAgreesWithRun: a forecast without overrides finds, subject by
// subject, exactly what a payout run then records — on a fresh registry,
// after a run of one rule, and after new donations raise a match — and
// nothing once everything is recorded.
func TestForecastAgreesWithRun(t *testing.T) {
	for _, kind := range storetest.Kinds(t) {
		t.Run(kind, func(t *testing.T) {
			s := newGenerated(t, kind, 2000)
			ctx := t.Context()
			asOf := registrygen.AsOf
			check := func(name string, req models.ForecastRequest) {
				t.Helper()
				f, scenarios, err := s.forecast(ctx, req)
				if err != nil {
					t.Fatal(err)
				}
				recorded := run(t, s, models.PayoutRunRequest{AsOf: req.AsOf, Rules: req.Rules, GrantYear: req.GrantYear})
				if len(recorded) == 0 && name == "fresh" {
					t.Fatal("the run recorded nothing: the test proves nothing")
				}
				if diff := cmp.Diff(recorded, scenarios[0].due, cmpMoney, cmp.AllowUnexported(dueKey{})); diff != "" {
					t.Errorf("%s: forecast against run, subject by subject (-run +forecast):\n%s", name, diff)
				}
				var total models.Money
				for _, m := range recorded {
					total = total.Add(m)
				}
				if f.Baseline.Total != total || f.Reform != nil || f.Changes != nil {
					t.Errorf("%s: baseline total %s, run %s; reform %v", name, f.Baseline.Total, total, f.Reform)
				}
			}
			check("fresh, cert-grant only", models.ForecastRequest{AsOf: asOf, GrantYear: new(2025), Rules: []string{models.RuleCertGrant}})
			check("fresh", models.ForecastRequest{AsOf: asOf, GrantYear: new(2025)})
			check("another grant year", models.ForecastRequest{AsOf: asOf, GrantYear: new(2026)})

			// New donations of 2024 raise a 2025 match: only the difference is due.
			unis, err := s.ListUniversities(ctx, "", 100)
			if err != nil {
				t.Fatal(err)
			}
			arrived := models.MustDate("2024-11-11")
			for _, u := range unis {
				if u.Ownership == "public" && u.Affiliation == "city" {
					if _, err := s.AddDonation(ctx, runClerk, u.Code, models.DonationEntry{Amount: models.Yuan(100000), Form: "cash", ViaFoundation: true, ArrivedOn: &arrived}); err != nil {
						t.Fatal(err)
					}
				}
			}
			check("raised matches", models.ForecastRequest{AsOf: asOf, GrantYear: new(2025)})
			f, _, err := s.forecast(ctx, models.ForecastRequest{AsOf: asOf, GrantYear: new(2025)})
			if err != nil || !f.Baseline.Total.IsZero() || f.Baseline.Subjects != 0 || len(f.Baseline.ByPayer) != 0 {
				t.Errorf("a forecast once everything is recorded: %+v, %v", f.Baseline, err)
			}
		})
	}
}

// TestForecastReform: the shipped values as overrides change nothing; a
// lower cap and a lower credit rate lose money, subject by subject.
func TestForecastReform(t *testing.T) {
	s := newGenerated(t, storetest.SQLite, 1000)
	ctx := t.Context()
	req := models.ForecastRequest{AsOf: registrygen.AsOf, GrantYear: new(2025)}
	base, _, err := s.forecast(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if base.Baseline.Credit.Enterprises == 0 || !base.Baseline.Credit.Offset.IsPositive() {
		t.Fatalf("the generated registry has no credit in 2025: %+v", base.Baseline.Credit)
	}
	c := base.Baseline.Credit
	if c.OffsetEducation.Add(c.OffsetLocal) != c.Offset {
		t.Errorf("credit %+v: the parts do not add up", c)
	}

	same := req
	same.Overrides = map[string]json.RawMessage{"surcharge-credit.rate": json.RawMessage(`"0.30"`), "donation-match.ratio": json.RawMessage(`"0.5"`)}
	f, _, err := s.forecast(ctx, same)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(f.Baseline, *f.Reform, cmpMoney); diff != "" {
		t.Errorf("the shipped values as a reform (-baseline +reform):\n%s", diff)
	}
	if want := (ForecastChanges{Unchanged: f.Baseline.Subjects}); *f.Changes != want {
		t.Errorf("changes %+v, want %+v", *f.Changes, want)
	}

	lower := req
	lower.Overrides = map[string]json.RawMessage{"surcharge-credit.rate": json.RawMessage(`"0.10"`), "donation-match.cap": json.RawMessage(`"100000.00"`)}
	f, scenarios, err := s.forecast(ctx, lower)
	if err != nil {
		t.Fatal(err)
	}
	if f.Reform.Credit.Offset.Cmp(f.Baseline.Credit.Offset) >= 0 || f.Reform.Total.Cmp(f.Baseline.Total) >= 0 {
		t.Errorf("a lower rate and cap: credit %s → %s, total %s → %s", f.Baseline.Credit.Offset, f.Reform.Credit.Offset, f.Baseline.Total, f.Reform.Total)
	}
	if f.Changes.Difference != f.Reform.Total.Sub(f.Baseline.Total) || f.Changes.Losers == 0 || f.Changes.Gainers != 0 {
		t.Errorf("changes %+v", *f.Changes)
	}
	// Every university matched in the baseline loses down to the cap; enterprises keep their grants.
	before, after := scenarios[0].bySubject(), scenarios[1].bySubject()
	losers := 0
	for subject, amount := range before {
		if after[subject] != amount {
			losers++
			if after[subject] != models.Yuan(100000) {
				t.Errorf("%s: %s → %s, want the cap", subject, amount, after[subject])
			}
		}
	}
	if losers != f.Changes.Losers || f.Changes.Unchanged != len(before)-losers {
		t.Errorf("losers %d, changes %+v", losers, *f.Changes)
	}
}
