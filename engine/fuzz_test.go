package engine_test

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/wenzhou-subsidy/subsidy/engine"
	"github.com/wenzhou-subsidy/subsidy/models"
)

// FuzzEvaluate builds enterprises and universities from fuzzed figures and
// evaluates them with every shipped rule. Nothing may panic or fail, and
// the results must keep their invariants: eligible only with every condition
// met, no amount when not eligible, each ledger row consistent, the
// credit the sum of the ledger's offsets.
//
//	go test ./engine -run '^$' -fuzz '^FuzzEvaluate$' -fuzztime 1m
func FuzzEvaluate(f *testing.F) {
	f.Add(int64(100000000), int64(0), int64(0), int64(3000000), int64(2000000), int64(0), uint8(2), uint16(100), uint16(2024), uint8(0), true)
	f.Add(int64(1005), int64(5), int64(1005), int64(1001), int64(2002), int64(300), uint8(1), uint16(51), uint16(2019), uint8(3), false)
	f.Add(int64(0), int64(0), int64(99999999999), int64(0), int64(1), int64(99999999999), uint8(3), uint16(50), uint16(2100), uint8(1), true)
	eng, err := engine.Load(os.DirFS("../rules"))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, investment, subsidy, withdrawn, edu, local, carryIn int64, level uint8, pct uint16, year uint16, stacking uint8, control bool) {
		clamp := func(v int64) models.Money {
			if v < 0 {
				v = -v
			}
			return models.Fen(v % (models.MaxMoney.Fen() + 1))
		}
		inv := clamp(investment)
		sub := models.MinMoney(clamp(subsidy), inv)
		y := 2000 + int(year)%101
		lvl := models.Levels[int(level)%3]
		certified := models.MustDate("2024-03-01")
		ent := &models.Enterprise{
			Kind: models.KindEnterprise, CreditCode: "91330382MA2AB3C47E", Name: "fuzz", Region: "330382",
			Certifications: []models.Certification{{Level: lvl, CertifiedOn: certified}},
			Parent: &models.Parent{
				CreditCode: "91330302145200011C", OwnershipPct: percent(t, int(pct)%10001),
				ActualControl: control, Certifications: []models.Certification{{Level: models.LevelNational, CertifiedOn: certified}},
			},
			CreditCarryIn: clamp(carryIn),
			CreditYears: []models.CreditYear{
				{Year: y, Investment: inv, FiscalSubsidy: sub, Withdrawn: clamp(withdrawn), EducationSurcharge: clamp(edu), LocalEducationSurcharge: clamp(local)},
				{Year: 2000 + (y-2000+1)%101, Investment: sub, Withdrawn: clamp(withdrawn / 3), EducationSurcharge: clamp(local), LocalEducationSurcharge: clamp(edu)},
			},
		}
		if ent.CreditYears[0].Year == ent.CreditYears[1].Year {
			ent.CreditYears = ent.CreditYears[:1]
		}
		modes := []string{"cumulative", "top_up", "highest_only"}
		overrides := map[string]json.RawMessage{"cert-grant.stacking": raw(`"` + modes[int(stacking)%3] + `"`)}
		req := models.EvaluateRequest{AsOf: yearEnd(y), Subject: models.Subject{Enterprise: ent}, Overrides: overrides}
		checkInvariants(t, eng, req)

		uni := &models.University{
			Kind: models.KindUniversity, Code: "u", Name: "u", Ownership: "public", Affiliation: "city", GrantYear: y,
			Donations: []models.Donation{{Amount: inv, Form: "cash", ViaFoundation: control, ArrivedOn: ptr(yearEnd(y - 1))}},
		}
		checkInvariants(t, eng, models.EvaluateRequest{AsOf: yearEnd(y), Subject: models.Subject{University: uni}})
	})
}

func checkInvariants(t *testing.T, eng *engine.Engine, req models.EvaluateRequest) {
	t.Helper()
	resp, err := eng.Evaluate(req, models.LangEn)
	if err != nil {
		t.Fatalf("evaluate: %v", err)
	}
	for _, r := range resp.Results {
		failed := false
		for _, c := range r.Conditions {
			failed = failed || !c.Passed
		}
		if r.Eligible == failed {
			t.Errorf("%s: eligible %v with a failed condition %v", r.Rule, r.Eligible, failed)
		}
		if r.Amount.IsNegative() || (!r.Eligible && !r.Amount.IsZero()) {
			t.Errorf("%s: amount %s (eligible %v)", r.Rule, r.Amount, r.Eligible)
		}
		total := models.Money{}
		for _, row := range r.Ledger {
			total = total.Add(row.Offset)
			if row.Offset.Cmp(row.Payable) > 0 || row.OffsetEducation.Add(row.OffsetLocal) != row.Offset ||
				row.CarryOut.IsNegative() || row.Clawback.IsNegative() || row.OffsetEducation.IsNegative() || row.OffsetLocal.IsNegative() {
				t.Errorf("%s: ledger row breaks an invariant: %+v", r.Rule, row)
			}
		}
		if r.Rule == models.RuleSurchargeCredit && r.Eligible && total != r.Amount {
			t.Errorf("credit amount %s, ledger offsets total %s", r.Amount, total)
		}
	}
}

func percent(t *testing.T, hundredths int) models.Percent {
	p, err := models.ParsePercent(models.NewDecimal(int64(hundredths), 2).String())
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func ptr[T any](v T) *T { return &v }

func yearEnd(y int) models.Date { return models.MonthDay{Month: 12, Day: 31}.In(y) }
