package engine_test

// The floor: the three decisions of the shipped rules written by hand in
// plain Go, with no expressions, no environment map and no interface
// boxing. It is the speed floor the engine's benchmarks are compared with
// (floor_bench_test.go), and TestFloorAgreesWithEngine proves that it
// decides exactly as the engine does on every rule test case in
// rules/cases: same conditions, messages, citation, ledger and payout.
//
// It follows the policy readings documented in rules/README.md (policy
// version 1.1) and the rule files; it does not share code with the engine
// (the ledger arithmetic, the grant stacking and the message rendering are
// written again here), so that agreement is evidence, not tautology. Money stays exact: models.Money and its
// MulRate/MulFraction, never float64.

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"github.com/wenzhou-subsidy/subsidy/engine"
	"github.com/wenzhou-subsidy/subsidy/models"
)

// --- titles and citations, as the rule files give them ----------------------

const (
	floorCertGrantTitle       = "产教融合型企业认定一次性补助"
	floorSurchargeCreditTitle = "投资职业教育抵免教育费附加和地方教育附加"
	floorDonationMatchTitle   = "市属公办高校社会捐赠配比补助"

	floorPlanDocument = "温发改社〔2024〕172号"
	floorPlanTitle    = "温州市深化产教融合建设实施方案（2024—2027年）"
)

var (
	floorCertGrantCitation = models.Citation{
		Document: floorPlanDocument,
		Title:    floorPlanTitle,
		Clause:   "附件1 六（十三）；附件2 第80项",
		Text:     "对通过市级、省级、国家级认定的产教融合型企业，当地财政分别给予5万元、20万元、50万元一次性补助。",
	}
	floorSurchargeCreditCitation = models.Citation{
		Document:   floorPlanDocument,
		Title:      floorPlanTitle,
		Clause:     "附件1 六（十三）；附件2 第79项",
		Paraphrase: true,
		Text:       "省级及以上产教融合型企业，可按投资职业教育投资额的30%抵免当年应缴教育费附加和地方教育附加，当年不足抵免的未抵免部分可在以后年度继续抵免；集团企业的下属成员单位（全资子公司、控股子公司）对职业教育有实际投入的，可按规定享受。",
		Related: []models.Citation{{
			Document: "财税〔2019〕46号",
			Title:    "财政部关于调整部分政府性基金有关政策的通知",
			Clause:   "第三条",
			Text:     "自2019年1月1日起，纳入产教融合型企业建设培育范围的试点企业，兴办职业教育的投资符合本通知规定的，可按投资额的30%比例，抵免该企业当年应缴教育费附加和地方教育附加。试点企业属于集团企业的，其下属成员单位（包括全资子公司、控股子公司）对职业教育有实际投入的，可按本通知规定抵免教育费附加和地方教育附加。……试点企业当年应缴教育费附加和地方教育附加不足抵免的，未抵免部分可在以后年度继续抵免。试点企业有撤回投资和转让股权等行为的，应当补缴已经抵免的教育费附加和地方教育附加。",
		}},
	}
	floorDonationMatchCitation = models.Citation{
		Document: floorPlanDocument,
		Title:    floorPlanTitle,
		Clause:   "附件1 七（十九）；附件2 第104项",
		Text:     "2024年至2026年，市财政对市属公办高校上一年度通过基金会接受的实际到账的货币资金按照1:0.5予以补助，并通过下一年度部门预算安排配比经费，每校每年度最多安排500万元。",
	}
)

// --- parameters -----------------------------------------------------------------

// floorParamSet is what the three parameter structs share: the date the
// shipped values take effect (the rule is not in force before it, unless
// every parameter is overridden) and the overrides applied.
type floorParamSet struct {
	from       models.Date
	count      int             // how many parameters the rule has
	overridden map[string]bool // parameter names set by an override
}

// inForce says whether every parameter has a value on asOf.
func (s *floorParamSet) inForce(asOf models.Date) bool {
	return !asOf.Before(s.from) || len(s.overridden) == s.count
}

// floorNotInForce is the single failed condition of a rule evaluated before
// its parameters apply.
func floorNotInForce(asOf, from models.Date) []models.ConditionResult {
	return []models.ConditionResult{{
		ID: "in-force", Passed: false,
		Message: "评估日 " + asOf.String() + " 本规则已生效（参数自 " + from.String() + " 起适用）",
	}}
}

// floorLevelAmounts is the grant per certification level.
type floorLevelAmounts struct {
	City     models.Money `json:"city"`
	Province models.Money `json:"province"`
	National models.Money `json:"national"`
}

// of returns the amount of a level rank (1 city, 2 province, 3 national).
func (a *floorLevelAmounts) of(rank int) models.Money {
	switch rank {
	case 1:
		return a.City
	case 2:
		return a.Province
	case 3:
		return a.National
	}
	return models.Money{}
}

// floorCertGrantParams are cert-grant's parameters and, once prepared, its
// condition messages rendered with them.
type floorCertGrantParams struct {
	Amounts      floorLevelAmounts
	PlanPeriod   models.Period
	RegionPrefix string
	Stacking     string

	set  floorParamSet
	msgs [3]string
}

func floorCertGrantDefaults() *floorCertGrantParams {
	p := &floorCertGrantParams{
		Amounts:      floorLevelAmounts{City: models.Yuan(50000), Province: models.Yuan(200000), National: models.Yuan(500000)},
		PlanPeriod:   models.Period{From: models.MustDate("2024-01-01"), To: models.MustDate("2027-12-31")},
		RegionPrefix: "3303",
		Stacking:     "cumulative",
		set:          floorParamSet{from: models.MustDate("2024-01-01"), count: 4},
	}
	p.prepare()
	return p
}

func (p *floorCertGrantParams) override(name string, raw json.RawMessage) error {
	var err error
	switch name {
	case "amounts":
		err = floorStrict(raw, &p.Amounts)
	case "plan_period":
		err = floorStrict(raw, &p.PlanPeriod)
	case "region_prefix":
		err = floorStrict(raw, &p.RegionPrefix)
	case "stacking":
		err = floorStrict(raw, &p.Stacking)
	default:
		return fmt.Errorf("cert-grant has no parameter %q", name)
	}
	p.set.mark(name)
	return err
}

// prepare renders the condition messages, once per parameter set.
func (p *floorCertGrantParams) prepare() {
	a := &p.Amounts
	p.msgs = [3]string{
		"企业在温州市注册（行政区划代码以 " + p.RegionPrefix + " 开头）",
		"在实施期（" + p.PlanPeriod.From.String() + "至" + p.PlanPeriod.To.String() + "）内通过市级、省级或国家级产教融合型企业认定，认定日不晚于评估日，且截至评估日未被撤销",
		"尚有未领取的认定补助（每个等级每家企业只补助一次；标准：市级" + a.City.String() + "元、省级" + a.Province.String() + "元、国家级" + a.National.String() + "元）",
	}
}

// floorCreditParams are surcharge-credit's parameters and, once prepared,
// the per-year condition messages and the qualifying levels by rank.
type floorCreditParams struct {
	Rate                 models.Decimal
	AssessmentDay        models.MonthDay
	CreditFrom           models.Date
	QualifyingLevels     []string
	ExcludeFiscalSubsidy bool
	WhollyOwnedPct       models.Percent
	ControllingPct       models.Percent
	Allocation           string

	set        floorParamSet
	qualifying [4]bool // by level rank
	yearMsgs   [4]string
}

const (
	floorCreditSourceMsg    = "至少一个所列年度符合抵免条件，或有以前年度结转的可抵免额"
	floorCreditAvailableMsg = "至少一个年度有实际抵免额或可结转以后年度继续抵免的余额（结转不设期限，认定失效后仍可使用）"
)

func floorCreditDefaults() *floorCreditParams {
	p := &floorCreditParams{
		Rate:                 models.MustDecimal("0.30"),
		AssessmentDay:        models.MonthDay{Month: 12, Day: 31},
		CreditFrom:           models.MustDate("2019-01-01"),
		QualifyingLevels:     []string{models.LevelProvince, models.LevelNational},
		ExcludeFiscalSubsidy: true,
		WhollyOwnedPct:       models.Percent{Decimal: models.MustDecimal("100")},
		ControllingPct:       models.Percent{Decimal: models.MustDecimal("50")},
		Allocation:           "pro_rata",
		set:                  floorParamSet{from: models.MustDate("2019-01-01"), count: 8},
	}
	p.prepare()
	return p
}

func (p *floorCreditParams) override(name string, raw json.RawMessage) error {
	var err error
	switch name {
	case "rate":
		err = floorStrict(raw, &p.Rate)
	case "credit_from":
		err = floorStrict(raw, &p.CreditFrom)
	case "assessment_day":
		err = floorStrict(raw, &p.AssessmentDay)
	case "qualifying_levels":
		err = floorStrict(raw, &p.QualifyingLevels)
	case "exclude_fiscal_subsidy":
		err = floorStrict(raw, &p.ExcludeFiscalSubsidy)
	case "wholly_owned_pct":
		err = floorStrict(raw, &p.WhollyOwnedPct)
	case "controlling_pct":
		err = floorStrict(raw, &p.ControllingPct)
	case "allocation":
		err = floorStrict(raw, &p.Allocation)
	default:
		return fmt.Errorf("surcharge-credit has no parameter %q", name)
	}
	p.set.mark(name)
	return err
}

func (p *floorCreditParams) prepare() {
	p.qualifying = [4]bool{}
	names := map[string]string{models.LevelCity: "市级", models.LevelProvince: "省级", models.LevelNational: "国家级"}
	shown := make([]string, 0, len(p.QualifyingLevels))
	for _, l := range p.QualifyingLevels {
		p.qualifying[models.LevelRank(l)] = true
		shown = append(shown, names[l])
	}
	p.yearMsgs = [4]string{
		"投资年度在抵免政策执行期内（" + p.CreditFrom.String() + "起）",
		fmt.Sprintf("当年%d月%d日，企业本身持有有效的产教融合型企业认定（", p.AssessmentDay.Month, p.AssessmentDay.Day) + strings.Join(shown, "、") + "），或企业为成员单位且其集团企业持有该等认定",
		"企业为集团企业的成员单位：全资子公司（持股" + p.WhollyOwnedPct.String() + "%）或控股子公司（持股超过" + p.ControllingPct.String() + "%或实际控制）",
		"成员单位当年对职业教育有实际投入",
	}
}

// floorDonationParams are donation-match's parameters and, once prepared,
// its condition messages.
type floorDonationParams struct {
	GrantYears models.YearRange
	Ratio      models.Decimal
	Cap        models.Money
	BasisLag   int

	set  floorParamSet
	msgs [3]string
}

func floorDonationDefaults() *floorDonationParams {
	p := &floorDonationParams{
		GrantYears: models.YearRange{From: 2024, To: 2026},
		Ratio:      models.MustDecimal("0.5"),
		Cap:        models.Yuan(5000000),
		BasisLag:   1,
		set:        floorParamSet{from: models.MustDate("2024-01-01"), count: 4},
	}
	p.prepare()
	return p
}

func (p *floorDonationParams) override(name string, raw json.RawMessage) error {
	var err error
	switch name {
	case "grant_years":
		err = floorStrict(raw, &p.GrantYears)
	case "ratio":
		err = floorStrict(raw, &p.Ratio)
	case "cap":
		err = floorStrict(raw, &p.Cap)
	case "basis_lag":
		err = floorStrict(raw, &p.BasisLag)
	default:
		return fmt.Errorf("donation-match has no parameter %q", name)
	}
	p.set.mark(name)
	return err
}

func (p *floorDonationParams) prepare() {
	p.msgs = [3]string{
		"学校为市属公办高校",
		fmt.Sprintf("补助年度在 %d年至%d年 之间", p.GrantYears.From, p.GrantYears.To),
		"上一年度通过基金会接受并实际到账的货币资金按 1:" + p.Ratio.String() + " 配比后补助额大于零（每校每年最多 " + p.Cap.String() + " 元）",
	}
}

func (s *floorParamSet) mark(name string) {
	if s.overridden == nil {
		s.overridden = map[string]bool{}
	}
	s.overridden[name] = true
}

// floorStrict decodes an override value, rejecting unknown fields.
func floorStrict(raw json.RawMessage, v any) error {
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// floorParams holds one parameter set per rule.
type floorParams struct {
	cert     *floorCertGrantParams
	credit   *floorCreditParams
	donation *floorDonationParams
}

// newFloorParams returns the shipped parameters with the overrides
// (RULE.PARAM → JSON value) applied and the messages rendered.
func newFloorParams(overrides map[string]json.RawMessage) (floorParams, error) {
	p := floorParams{cert: floorCertGrantDefaults(), credit: floorCreditDefaults(), donation: floorDonationDefaults()}
	for _, key := range slices.Sorted(maps.Keys(overrides)) {
		ruleID, name, _ := strings.Cut(key, ".")
		var err error
		switch ruleID {
		case models.RuleCertGrant:
			err = p.cert.override(name, overrides[key])
		case models.RuleSurchargeCredit:
			err = p.credit.override(name, overrides[key])
		case models.RuleDonationMatch:
			err = p.donation.override(name, overrides[key])
		default:
			err = fmt.Errorf("no rule %q", ruleID)
		}
		if err != nil {
			return p, fmt.Errorf("override %s: %w", key, err)
		}
	}
	p.cert.prepare()
	p.credit.prepare()
	p.donation.prepare()
	return p, nil
}

// --- shared helpers ---------------------------------------------------------------

// floorCertInForce: certified on or before day, not revoked on or before it.
func floorCertInForce(c *models.Certification, day models.Date) bool {
	return !c.CertifiedOn.After(day) && (c.RevokedOn == nil || c.RevokedOn.After(day))
}

// floorHolds says whether one of certs, at a qualifying level, is in force on day.
func floorHolds(certs []models.Certification, qualifying *[4]bool, day models.Date) bool {
	for i := range certs {
		if qualifying[models.LevelRank(certs[i].Level)] && floorCertInForce(&certs[i], day) {
			return true
		}
	}
	return false
}

// floorPayout is a payout with room for its items, so that a grant's
// payout costs one allocation.
type floorPayout struct {
	info  models.PayoutInfo
	items [3]models.PayoutItem
}

// --- cert-grant ---------------------------------------------------------------------

// floorCertGrant decides the one-off certification grant (附件1（十三）).
func floorCertGrant(ent *models.Enterprise, asOf models.Date, p *floorCertGrantParams) (models.RuleResult, error) {
	res := models.RuleResult{Rule: models.RuleCertGrant, Title: floorCertGrantTitle, Citation: floorCertGrantCitation}
	if !p.set.inForce(asOf) {
		res.Conditions = floorNotInForce(asOf, p.set.from)
		return res, nil
	}
	// Counted: in force on as_of and certified within the plan period.
	var certified [4]bool
	counted, highest := 0, 0
	for i := range ent.Certifications {
		c := &ent.Certifications[i]
		if !floorCertInForce(c, asOf) || !p.PlanPeriod.Contains(c.CertifiedOn) {
			continue
		}
		rank := models.LevelRank(c.Level)
		if rank == 0 {
			return res, fmt.Errorf("cert-grant: unknown level %q", c.Level)
		}
		certified[rank] = true
		highest = max(highest, rank)
		counted++
	}
	var paid [4]bool
	largest := models.Money{}
	for i := range ent.GrantsReceived {
		g := &ent.GrantsReceived[i]
		paid[models.LevelRank(g.Level)] = true
		if g.Amount.Cmp(largest) > 0 {
			largest = g.Amount
		}
	}
	// What is due, level by level.
	var items [3]models.PayoutItem
	n := 0
	switch p.Stacking {
	case "cumulative": // each level certified and not yet paid, in full
		for rank := 1; rank <= 3; rank++ {
			if certified[rank] && !paid[rank] {
				items[n] = models.PayoutItem{Level: models.Levels[rank-1], Amount: p.Amounts.of(rank)}
				n++
			}
		}
	case "top_up": // the highest level less the largest grant received
		if highest > 0 {
			if diff := p.Amounts.of(highest).Sub(largest); diff.IsPositive() {
				items[0] = models.PayoutItem{Level: models.Levels[highest-1], Amount: diff}
				n = 1
			}
		}
	case "highest_only": // the highest level, only if no grant was ever received
		if highest > 0 && len(ent.GrantsReceived) == 0 {
			items[0] = models.PayoutItem{Level: models.Levels[highest-1], Amount: p.Amounts.of(highest)}
			n = 1
		}
	default:
		if highest > 0 {
			return res, fmt.Errorf("cert-grant: unknown stacking %q", p.Stacking)
		}
	}
	due := models.Money{}
	for i := range n {
		due = due.Add(items[i].Amount)
	}

	registered := strings.HasPrefix(ent.Region, p.RegionPrefix)
	hasCert := counted > 0
	unpaid := due.IsPositive()
	res.Conditions = []models.ConditionResult{
		{ID: "registered-in-wenzhou", Passed: registered, Message: p.msgs[0]},
		{ID: "certified-in-plan-period", Passed: hasCert, Message: p.msgs[1]},
		{ID: "grant-not-yet-paid", Passed: unpaid, Message: p.msgs[2]},
	}
	res.Eligible = registered && hasCert && unpaid
	if res.Eligible {
		res.Amount = due
		po := &floorPayout{info: models.PayoutInfo{Payer: models.PayerLocal}}
		po.items = items
		po.info.Items = po.items[:n:n]
		res.Payout = &po.info
	}
	return res, nil
}

// --- surcharge-credit ---------------------------------------------------------------

// floorSurchargeCredit decides the surcharge credit (附件1（十三）; 46号 第三条):
// the ledger year by year, then the rule's conditions.
func floorSurchargeCredit(ent *models.Enterprise, asOf models.Date, p *floorCreditParams) (models.RuleResult, error) {
	res := models.RuleResult{Rule: models.RuleSurchargeCredit, Title: floorSurchargeCreditTitle, Citation: floorSurchargeCreditCitation}
	if !p.set.inForce(asOf) {
		res.Ledger = []models.LedgerRow{}
		res.Conditions = floorNotInForce(asOf, p.set.from)
		return res, nil
	}
	parent := ent.Parent
	// 成员单位: wholly owned, more than the controlling share, or controlled in fact.
	member := parent != nil && (parent.OwnershipPct.Cmp(p.WhollyOwnedPct.Decimal) >= 0 ||
		parent.OwnershipPct.Cmp(p.ControllingPct.Decimal) > 0 || parent.ActualControl)

	// Years in year order; the common case (already in order) allocates nothing.
	years := ent.CreditYears
	if !slices.IsSortedFunc(years, func(a, b models.CreditYear) int { return a.Year - b.Year }) {
		years = slices.Clone(years)
		slices.SortFunc(years, func(a, b models.CreditYear) int { return a.Year - b.Year })
	}

	rows := make([]models.LedgerRow, len(years))
	// Every year's conditions share one backing array: at most four a year.
	conds := make([]models.ConditionResult, 0, 4*len(years))
	carry := ent.CreditCarryIn
	anyQualified, anyAvailable := false, false
	total := models.Money{}
	for i := range years {
		y := &years[i]
		yearEnd := p.AssessmentDay.In(y.Year)
		self := floorHolds(ent.Certifications, &p.qualifying, yearEnd)
		group := member && floorHolds(parent.Certifications, &p.qualifying, yearEnd)

		start := len(conds)
		covered := !yearEnd.Before(p.CreditFrom)
		certified := self || group
		conds = append(conds,
			models.ConditionResult{ID: "year-covered", Passed: covered, Message: p.yearMsgs[0]},
			models.ConditionResult{ID: "certified-at-year-end", Passed: certified, Message: p.yearMsgs[1]})
		qualified := covered && certified
		if !self && parent != nil {
			conds = append(conds, models.ConditionResult{ID: "member-unit", Passed: member, Message: p.yearMsgs[2]})
			qualified = qualified && member
		}
		if !self && group {
			invested := y.Investment.IsPositive()
			conds = append(conds, models.ConditionResult{ID: "member-unit-invested", Passed: invested, Message: p.yearMsgs[3]})
			qualified = qualified && invested
		}

		// Generated only in a qualifying year; reversed always.
		var generated models.Money
		if qualified {
			basis := y.Investment
			if p.ExcludeFiscalSubsidy {
				basis = basis.Sub(y.FiscalSubsidy)
			}
			g, err := basis.MulRate(p.Rate)
			if err != nil {
				return res, fmt.Errorf("surcharge-credit: year %d: %w", y.Year, err)
			}
			generated = g
		}
		reversed, err := y.Withdrawn.MulRate(p.Rate)
		if err != nil {
			return res, fmt.Errorf("surcharge-credit: year %d: %w", y.Year, err)
		}
		if generated.IsNegative() || reversed.IsNegative() {
			return res, fmt.Errorf("surcharge-credit: year %d: negative credit", y.Year)
		}

		row := &rows[i]
		if err := floorLedgerRow(row, carry, y, generated, reversed, p.Allocation); err != nil {
			return res, err
		}
		row.Qualified = qualified
		row.Conditions = conds[start:len(conds):len(conds)]
		carry = row.CarryOut

		anyQualified = anyQualified || qualified
		anyAvailable = anyAvailable || row.Offset.IsPositive() || row.CarryOut.IsPositive()
		total = total.Add(row.Offset)
	}
	res.Ledger = rows

	source := anyQualified || ent.CreditCarryIn.IsPositive()
	res.Conditions = []models.ConditionResult{
		{ID: "credit-source", Passed: source, Message: floorCreditSourceMsg},
		{ID: "credit-available", Passed: anyAvailable, Message: floorCreditAvailableMsg},
	}
	res.Eligible = source && anyAvailable
	if res.Eligible {
		res.Amount = total
	}
	return res, nil
}

// floorLedgerRow is one year of the ledger arithmetic of the policy readings:
// available = carry_in + generated − reversed (below zero: the shortfall is
// clawback and available is zero); offset = min(available, payable), split
// pro rata (education half-up, local the rest) or education first;
// carry_out = available − offset.
func floorLedgerRow(row *models.LedgerRow, carryIn models.Money, y *models.CreditYear, generated, reversed models.Money, allocation string) error {
	edu, local := y.EducationSurcharge, y.LocalEducationSurcharge
	payable := edu.Add(local)
	available := carryIn.Add(generated).Sub(reversed)
	var clawback models.Money
	if available.IsNegative() {
		clawback, available = available.Neg(), models.Money{}
	}
	offset := models.MinMoney(available, payable)
	var offEdu, offLocal models.Money
	switch {
	case offset == payable:
		offEdu, offLocal = edu, local
	case allocation == "pro_rata":
		e, err := offset.MulFraction(edu, payable)
		if err != nil {
			return fmt.Errorf("surcharge-credit: year %d: %w", y.Year, err)
		}
		offEdu, offLocal = e, offset.Sub(e)
	case allocation == "education_first":
		offEdu = models.MinMoney(offset, edu)
		offLocal = offset.Sub(offEdu)
	default:
		return fmt.Errorf("surcharge-credit: year %d: unknown allocation %q", y.Year, allocation)
	}
	*row = models.LedgerRow{
		Year: y.Year, CarryIn: carryIn, Generated: generated, Reversed: reversed, Clawback: clawback,
		Payable: payable, Offset: offset, OffsetEducation: offEdu, OffsetLocal: offLocal,
		CarryOut: available.Sub(offset),
	}
	return nil
}

// --- donation-match -------------------------------------------------------------------

// floorDonationMatch decides the city's matching grant (附件1（十九）).
func floorDonationMatch(u *models.University, asOf models.Date, p *floorDonationParams) (models.RuleResult, error) {
	res := models.RuleResult{Rule: models.RuleDonationMatch, Title: floorDonationMatchTitle, Citation: floorDonationMatchCitation}
	if !p.set.inForce(asOf) {
		res.Conditions = floorNotInForce(asOf, p.set.from)
		return res, nil
	}
	// Basis: cash through the foundation that arrived in grant_year − lag.
	basisYear := u.GrantYear - p.BasisLag
	basis := models.Money{}
	for i := range u.Donations {
		d := &u.Donations[i]
		if d.Form == "cash" && d.ViaFoundation && d.ArrivedOn != nil && d.ArrivedOn.Year() == basisYear {
			basis = basis.Add(d.Amount)
		}
	}
	match, err := basis.MulRate(p.Ratio)
	if err != nil {
		return res, fmt.Errorf("donation-match: %w", err)
	}
	match = models.MinMoney(match, p.Cap)

	public := u.Ownership == "public" && u.Affiliation == "city"
	inWindow := p.GrantYears.Contains(u.GrantYear)
	positive := match.IsPositive()
	res.Conditions = []models.ConditionResult{
		{ID: "city-owned-public", Passed: public, Message: p.msgs[0]},
		{ID: "grant-year-in-window", Passed: inWindow, Message: p.msgs[1]},
		{ID: "foundation-cash-in-basis-year", Passed: positive, Message: p.msgs[2]},
	}
	res.Eligible = public && inWindow && positive
	if res.Eligible {
		res.Amount = match
		po := &floorPayout{info: models.PayoutInfo{Payer: models.PayerCity}}
		po.items[0] = models.PayoutItem{Amount: match}
		po.info.Items = po.items[:1:1]
		res.Payout = &po.info
	}
	return res, nil
}

// --- a request ---------------------------------------------------------------------------

var errFloorInvalid = errors.New("floor: invalid request")

// floorCheckEnterprise applies the cross-field checks Engine.Evaluate makes
// on every request (revoked before certified, a level or a year twice, a
// subsidy above the investment, the parent's code the subject's own).
func floorCheckEnterprise(ent *models.Enterprise) bool {
	for i := range ent.Certifications {
		if c := &ent.Certifications[i]; c.RevokedOn != nil && c.RevokedOn.Before(c.CertifiedOn) {
			return false
		}
	}
	for i := range ent.GrantsReceived {
		for j := range i {
			if ent.GrantsReceived[j].Level == ent.GrantsReceived[i].Level {
				return false
			}
		}
	}
	if p := ent.Parent; p != nil {
		if p.CreditCode != "" && p.CreditCode == ent.CreditCode {
			return false
		}
		for i := range p.Certifications {
			if c := &p.Certifications[i]; c.RevokedOn != nil && c.RevokedOn.Before(c.CertifiedOn) {
				return false
			}
		}
	}
	for i := range ent.CreditYears {
		y := &ent.CreditYears[i]
		for j := range i {
			if ent.CreditYears[j].Year == y.Year {
				return false
			}
		}
		if y.FiscalSubsidy.Cmp(y.Investment) > 0 {
			return false
		}
	}
	return true
}

// floorEnterpriseRules are the rules for an enterprise, in rule-id order:
// what a request naming no rules evaluates.
var floorEnterpriseRules = []string{models.RuleCertGrant, models.RuleSurchargeCredit}

// floorEvaluateEnterprise is the floor's Engine.Evaluate for an enterprise:
// the checks, then each rule named (by default cert-grant and
// surcharge-credit), in the order named, into a response.
func floorEvaluateEnterprise(ent *models.Enterprise, asOf models.Date, ruleset models.Ruleset, p *floorParams, rules []string) (models.EvaluateResponse, error) {
	if asOf.IsZero() || !floorCheckEnterprise(ent) {
		return models.EvaluateResponse{}, errFloorInvalid
	}
	if len(rules) == 0 {
		rules = floorEnterpriseRules
	}
	resp := models.EvaluateResponse{AsOf: asOf, Ruleset: ruleset, Results: make([]models.RuleResult, len(rules))}
	for i, id := range rules {
		var err error
		switch id {
		case models.RuleCertGrant:
			resp.Results[i], err = floorCertGrant(ent, asOf, p.cert)
		case models.RuleSurchargeCredit:
			resp.Results[i], err = floorSurchargeCredit(ent, asOf, p.credit)
		default:
			err = fmt.Errorf("floor: rule %q for an enterprise", id)
		}
		if err != nil {
			return models.EvaluateResponse{}, err
		}
	}
	return resp, nil
}

// floorEvaluateUniversity is the floor's Engine.Evaluate for a university.
func floorEvaluateUniversity(u *models.University, asOf models.Date, ruleset models.Ruleset, p *floorParams, rules []string) (models.EvaluateResponse, error) {
	if asOf.IsZero() {
		return models.EvaluateResponse{}, errFloorInvalid
	}
	if len(rules) > 1 || len(rules) == 1 && rules[0] != models.RuleDonationMatch {
		return models.EvaluateResponse{}, fmt.Errorf("floor: rules %v for a university", rules)
	}
	resp := models.EvaluateResponse{AsOf: asOf, Ruleset: ruleset, Results: make([]models.RuleResult, 1)}
	var err error
	if resp.Results[0], err = floorDonationMatch(u, asOf, p.donation); err != nil {
		return models.EvaluateResponse{}, err
	}
	return resp, nil
}

// floorEvaluate runs the floor on a request: its overrides applied to the
// shipped parameters (outside a benchmark's timer, this is per request),
// then its rules.
func floorEvaluate(req models.EvaluateRequest, ruleset models.Ruleset) (models.EvaluateResponse, error) {
	p, err := newFloorParams(req.Overrides)
	if err != nil {
		return models.EvaluateResponse{}, err
	}
	if u := req.Subject.University; u != nil {
		return floorEvaluateUniversity(u, req.AsOf, ruleset, &p, req.Rules)
	}
	return floorEvaluateEnterprise(req.Subject.Enterprise, req.AsOf, ruleset, &p, req.Rules)
}

// --- the agreement test ---------------------------------------------------------------------

// floorCmp compares amounts and dates exactly (their fields are unexported).
var floorCmp = cmp.Options{
	cmp.Comparer(func(a, b models.Money) bool { return a == b }),
	cmp.Comparer(func(a, b models.Date) bool { return a == b }),
}

type floorCaseFile struct {
	Rule  string `yaml:"rule"`
	Cases []struct {
		Name      string               `yaml:"name"`
		AsOf      string               `yaml:"as_of"`
		Overrides map[string]yaml.Node `yaml:"overrides"`
		Input     yaml.Node            `yaml:"input"`
		Output    *yaml.Node           `yaml:"output"`
		Errors    []string             `yaml:"errors"`
	} `yaml:"cases"`
}

// TestFloorAgreesWithEngine runs every rule test case that has an output
// through the engine and through the floor and requires identical results.
func TestFloorAgreesWithEngine(t *testing.T) {
	eng := mustEngine(t)
	files, err := filepath.Glob("../rules/cases/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no case files: %v", err)
	}
	outputLine := regexp.MustCompile(`(?m)^\s+output:`)
	wantCases, parsedCases, compared := 0, 0, 0
	perRule := map[string]int{}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		// Counted from the text as well as from the parse, so that a case the
		// parse missed cannot go uncompared.
		wantCases += len(outputLine.FindAll(data, -1))
		var cf floorCaseFile
		if err := yaml.Unmarshal(data, &cf); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		for _, c := range cf.Cases {
			if c.Output == nil {
				if len(c.Errors) == 0 {
					t.Errorf("%s: %s: neither output nor errors", file, c.Name)
				}
				continue
			}
			parsedCases++
			t.Run(cf.Rule+"/"+c.Name, func(t *testing.T) {
				day, err := models.ParseDate(c.AsOf)
				if err != nil {
					t.Fatalf("as_of: %v", err)
				}
				req := models.EvaluateRequest{AsOf: day, Rules: []string{cf.Rule}}
				subject, err := engine.YAMLToJSON(&c.Input)
				if err != nil {
					t.Fatalf("input: %v", err)
				}
				if err := decodeSubject(subject, &req.Subject); err != nil {
					t.Fatalf("input: %v", err)
				}
				for k, v := range c.Overrides {
					raw, err := engine.YAMLToJSON(&v)
					if err != nil {
						t.Fatalf("overrides %s: %v", k, err)
					}
					if req.Overrides == nil {
						req.Overrides = map[string]json.RawMessage{}
					}
					req.Overrides[k] = raw
				}

				want, err := eng.Evaluate(req, models.LangZh)
				if err != nil {
					t.Fatalf("engine: %v", err)
				}
				got, err := floorEvaluate(req, eng.Ruleset())
				if err != nil {
					t.Fatalf("floor: %v", err)
				}
				if len(want.Results) != 1 || len(got.Results) != 1 {
					t.Fatalf("results: engine %d, floor %d, want 1 each", len(want.Results), len(got.Results))
				}
				if diff := cmp.Diff(want.Results[0], got.Results[0], floorCmp); diff != "" {
					t.Fatalf("engine and floor differ (-engine +floor):\n%s", diff)
				}
				compared++
				perRule[cf.Rule]++
			})
		}
	}
	t.Logf("compared %d of %d output cases (%d parsed) in %d files: %v", compared, wantCases, parsedCases, len(files), perRule)
	if compared < wantCases || compared < parsedCases || wantCases == 0 {
		t.Errorf("compared %d cases, but the files have %d with an output (%d parsed)", compared, wantCases, parsedCases)
	}
	for _, id := range eng.RuleIDs() {
		if perRule[id] == 0 {
			t.Errorf("no case of rule %s compared", id)
		}
	}
}

// TestFloorAgreesOnBenchSubjects checks that the floor benchmarks compute
// what the engine benchmarks do: the whole response, for each subject and
// rule selection of bench_test.go.
func TestFloorAgreesOnBenchSubjects(t *testing.T) {
	eng := mustEngine(t)
	reqs := map[string]models.EvaluateRequest{
		"CertGrant":                 {AsOf: asOf, Rules: []string{models.RuleCertGrant}, Subject: models.Subject{Enterprise: typicalEnterprise()}},
		"CreditMemberUnit5Years":    {AsOf: asOf, Rules: []string{models.RuleSurchargeCredit}, Subject: models.Subject{Enterprise: memberUnit()}},
		"DonationMatch20":           {AsOf: asOf, Subject: models.Subject{University: benchUniversity(20)}},
		"TypicalEnterpriseAllRules": {AsOf: asOf, Subject: models.Subject{Enterprise: typicalEnterprise()}},
	}
	for _, n := range []int{1, 5, 20} {
		reqs[fmt.Sprintf("CreditYears/years=%d", n)] = models.EvaluateRequest{AsOf: asOf, Rules: []string{models.RuleSurchargeCredit}, Subject: models.Subject{Enterprise: floorCreditYearsSubject(n)}}
	}
	for name, req := range reqs {
		t.Run(name, func(t *testing.T) {
			want, err := eng.Evaluate(req, models.LangZh)
			if err != nil {
				t.Fatal(err)
			}
			got, err := floorEvaluate(req, eng.Ruleset())
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got, floorCmp); diff != "" {
				t.Errorf("engine and floor differ (-engine +floor):\n%s", diff)
			}
		})
	}
}

// floorCreditYearsSubject is BenchmarkCreditYears' subject with n years.
func floorCreditYearsSubject(n int) *models.Enterprise {
	ent := memberUnit()
	ent.CreditYears = nil
	for y := 0; y < n; y++ {
		ent.CreditYears = append(ent.CreditYears, models.CreditYear{Year: 2006 + y, Investment: models.Yuan(100000), EducationSurcharge: models.Yuan(3000), LocalEducationSurcharge: models.Yuan(2000)})
	}
	return ent
}

// TestFloorAgreesOnGeneratedSubjects compares the floor with the engine on
// generated subjects, as_of dates, rule selections and overrides, reaching
// combinations the rule cases do not (a self-certified member unit,
// withdrawals with carry-in, pro rata splits of odd amounts, every stacking
// mode with revoked and out-of-period certifications).
func TestFloorAgreesOnGeneratedSubjects(t *testing.T) {
	eng := mustEngine(t)
	rng := rand.New(rand.NewPCG(172, 2024))
	n := 3000
	if testing.Short() {
		n = 300
	}
	day := func(fromYear, toYear int) models.Date {
		d, err := models.NewDate(fromYear+rng.IntN(toYear-fromYear+1), 1+rng.IntN(12), 1+rng.IntN(28))
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	fen := func(maxYuan int64) models.Money {
		switch rng.IntN(4) {
		case 0:
			return models.Money{}
		case 1:
			return models.Fen(rng.Int64N(10000)) // small, odd amounts
		}
		return models.Fen(rng.Int64N(maxYuan * 100))
	}
	certs := func() []models.Certification {
		var out []models.Certification
		for range rng.IntN(4) {
			c := models.Certification{Level: models.Levels[rng.IntN(3)], CertifiedOn: day(2017, 2028)}
			if rng.IntN(3) == 0 {
				r := day(c.CertifiedOn.Year(), 2029)
				if r.Before(c.CertifiedOn) {
					r = c.CertifiedOn
				}
				c.RevokedOn = &r
			}
			out = append(out, c)
		}
		return out
	}
	asOfs := []string{"2018-12-31", "2019-01-01", "2023-12-31", "2024-01-01", "2024-06-30", "2025-06-30", "2026-12-31", "2027-12-31", "2028-03-31"}
	pcts := []string{"0", "30", "50", "50.01", "51", "99.99", "100"}
	ruleSets := [][]string{nil, {models.RuleCertGrant}, {models.RuleSurchargeCredit}, {models.RuleSurchargeCredit, models.RuleCertGrant}}
	enterpriseOverrides := []map[string]string{
		nil,
		{"cert-grant.stacking": `"top_up"`},
		{"cert-grant.stacking": `"highest_only"`},
		{"cert-grant.amounts": `{"city": "60000.00", "province": "250000.00", "national": "600000.00"}`, "cert-grant.stacking": `"top_up"`},
		{"cert-grant.plan_period": `{"from": "2019-01-01", "to": "2030-12-31"}`},
		{"surcharge-credit.allocation": `"education_first"`},
		{"surcharge-credit.rate": `"0.25"`, "surcharge-credit.exclude_fiscal_subsidy": `false`},
		{"surcharge-credit.rate": `"0.333333"`, "surcharge-credit.qualifying_levels": `["city", "national"]`},
		{"surcharge-credit.credit_from": `"2022-01-01"`, "surcharge-credit.controlling_pct": `"30"`},
		{"surcharge-credit.wholly_owned_pct": `"99.99"`, "cert-grant.region_prefix": `"33"`},
	}
	universityOverrides := []map[string]string{
		nil,
		{"donation-match.ratio": `"0.75"`},
		{"donation-match.cap": `"100000.00"`, "donation-match.basis_lag": `2`},
		{"donation-match.grant_years": `{"from": 2020, "to": 2030}`, "donation-match.ratio": `"0.333"`},
		// every parameter overridden: in force even before 2024
		{"donation-match.grant_years": `{"from": 2020, "to": 2030}`, "donation-match.ratio": `"1"`, "donation-match.cap": `"5000000.00"`, "donation-match.basis_lag": `1`},
	}
	toRaw := func(m map[string]string) map[string]json.RawMessage {
		if m == nil {
			return nil
		}
		out := map[string]json.RawMessage{}
		for k, v := range m {
			out[k] = json.RawMessage(v)
		}
		return out
	}
	compared := 0
	for i := range n {
		req := models.EvaluateRequest{AsOf: models.MustDate(asOfs[rng.IntN(len(asOfs))])}
		if i%4 == 3 {
			u := &models.University{
				Kind: models.KindUniversity, Code: "wzu", Name: "温州大学",
				Ownership: []string{"public", "public", "private"}[rng.IntN(3)], Affiliation: []string{"city", "city", "province", "central", "other"}[rng.IntN(5)],
				GrantYear: 2022 + rng.IntN(7),
			}
			for range rng.IntN(8) {
				d := models.Donation{Amount: fen(8000000), Form: []string{"cash", "cash", "cash", "in_kind", "equity", "other"}[rng.IntN(6)], ViaFoundation: rng.IntN(4) != 0}
				if rng.IntN(5) != 0 {
					a := day(2020, 2028)
					d.ArrivedOn = &a
				}
				u.Donations = append(u.Donations, d)
			}
			req.Subject.University = u
			req.Overrides = toRaw(universityOverrides[rng.IntN(len(universityOverrides))])
		} else {
			ent := &models.Enterprise{
				Kind: models.KindEnterprise, CreditCode: "91330382MA2AB3C47E", Name: "示例电气有限公司",
				Region: []string{"330382", "330302", "330102", "330000"}[rng.IntN(4)], Certifications: certs(),
			}
			for _, rank := range rng.Perm(3)[:rng.IntN(4)] {
				ent.GrantsReceived = append(ent.GrantsReceived, models.GrantReceived{Level: models.Levels[rank], Amount: []models.Money{models.Yuan(50000), models.Yuan(200000), models.Yuan(500000), fen(600000)}[rng.IntN(4)]})
			}
			if rng.IntN(2) == 0 {
				ent.Parent = &models.Parent{
					CreditCode: "91330302145200011C", OwnershipPct: models.Percent{Decimal: models.MustDecimal(pcts[rng.IntN(len(pcts))])},
					ActualControl: rng.IntN(4) == 0, Certifications: certs(),
				}
			}
			if rng.IntN(3) == 0 {
				ent.CreditCarryIn = fen(500000)
			}
			for _, y := range rng.Perm(12)[:rng.IntN(7)] {
				inv := fen(2000000)
				cy := models.CreditYear{Year: 2016 + y, Investment: inv, EducationSurcharge: fen(100000), LocalEducationSurcharge: fen(70000)}
				if inv.IsPositive() && rng.IntN(2) == 0 {
					cy.FiscalSubsidy = models.Fen(rng.Int64N(inv.Fen() + 1))
				}
				if rng.IntN(3) == 0 {
					cy.Withdrawn = fen(1000000)
				}
				ent.CreditYears = append(ent.CreditYears, cy)
			}
			req.Subject.Enterprise = ent
			req.Rules = ruleSets[rng.IntN(len(ruleSets))]
			req.Overrides = toRaw(enterpriseOverrides[rng.IntN(len(enterpriseOverrides))])
		}
		want, err := eng.Evaluate(req, models.LangZh)
		if err != nil {
			t.Fatalf("subject %d: engine: %v", i, err)
		}
		got, err := floorEvaluate(req, eng.Ruleset())
		if err != nil {
			t.Fatalf("subject %d: floor: %v", i, err)
		}
		want.Overrides = nil // the engine echoes the overrides; the floor does not
		if diff := cmp.Diff(want, got, floorCmp); diff != "" {
			body, _ := json.Marshal(req)
			t.Fatalf("subject %d: engine and floor differ (-engine +floor):\n%s\nrequest: %s", i, diff, body)
		}
		compared++
	}
	t.Logf("compared %d generated requests", compared)
}

// decodeSubject reads a subject of either kind from JSON (the API's strict
// decoder is tested in api; this only needs the case inputs, which it checks).
func decodeSubject(raw []byte, s *models.Subject) error {
	var head struct {
		Kind string `json:"kind"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return err
	}
	target, err := s.Variant(head.Kind)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, target)
}
