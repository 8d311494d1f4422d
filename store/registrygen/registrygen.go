// Package registrygen writes a synthetic registry — enterprises across
// Wenzhou's county-level divisions and universities with their donations —
// into a store, for the screening benchmark and for trying the service at
// the scale of a city (免申即享 screens every registered enterprise).
//
// The registry is deterministic: the same Options give the same records,
// and enterprise i is the same whatever the number of enterprises asked for
// (so a 1,000-enterprise registry is the start of a 100,000 one, but for
// group links to members beyond the end). It is generated and loaded batch
// by batch, never held whole in memory, through
// (*store.Store).BulkLoadRegistry.
//
// It is test support, plain Go so that benchmarks and commands can use it;
// it never imports api, engine or cmd.
package registrygen

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/wenzhou-subsidy/subsidy/models"
	"github.com/wenzhou-subsidy/subsidy/store"
)

// AsOf is the evaluation date the registry is shaped around: some
// certifications are granted after it (not yet in force), some before the
// plan period (2024–2027), and the donations arrive in the years before it.
var AsOf = models.MustDate("2025-06-30")

// GrantYear is the grant year of a payout run as of AsOf.
const GrantYear = 2025

// Actor is who the bulk loads are recorded as in the audit trail.
var Actor = models.Actor{KeyID: "registrygen", Role: models.RoleAdmin, RequestID: "registrygen"}

// Options say what to generate.
type Options struct {
	Enterprises  int
	Universities int
	// Seed selects the registry; the same seed gives the same records.
	Seed uint64
	// Batch is the number of enterprises loaded per transaction (default
	// 5000).
	Batch int
}

// DefaultBatch is the number of enterprises of one bulk load.
const DefaultBatch = 5000

// GroupEvery makes every GroupEvery-th enterprise a group parent (集团企业)
// whose next 1–4 enterprises are its member units.
const GroupEvery = 50

// Generate writes the registry of opts into st and returns what it
// inserted. Records are checked and loaded BulkLoadRegistry's way: st must
// not hold any of them yet (a fresh database).
func Generate(ctx context.Context, st *store.Store, opts Options) (store.BulkSummary, error) {
	batch := opts.Batch
	if batch <= 0 {
		batch = DefaultBatch
	}
	var total store.BulkSummary
	add := func(s store.BulkSummary) {
		total.Enterprises += s.Enterprises
		total.Certifications += s.Certifications
		total.CreditYears += s.CreditYears
		total.Universities += s.Universities
		total.Donations += s.Donations
	}
	for start := 0; start < opts.Enterprises; start += batch {
		var b store.RegistryBatch
		for i := start; i < min(opts.Enterprises, start+batch); i++ {
			appendEnterprise(&b, opts.Seed, i)
		}
		s, err := st.BulkLoadRegistry(ctx, Actor, b)
		if err != nil {
			return total, fmt.Errorf("registrygen: enterprises %d–%d: %w", start, start+len(b.Enterprises)-1, err)
		}
		add(s)
	}
	for start := 0; start < opts.Universities; start += 100 {
		var b store.RegistryBatch
		for j := start; j < min(opts.Universities, start+100); j++ {
			appendUniversity(&b, opts.Seed, j)
		}
		s, err := st.BulkLoadRegistry(ctx, Actor, b)
		if err != nil {
			return total, fmt.Errorf("registrygen: universities %d–%d: %w", start, start+len(b.Universities)-1, err)
		}
		add(s)
	}
	return total, nil
}

// ---- enterprises ----

// regions weighs where enterprises are registered: Wenzhou's twelve
// county-level divisions by their rough share of firms, a few under Wenzhou
// codes with no county finance bureau of their own (the city, the economic
// development zone: the city pays them), and a few outside Wenzhou (never
// due the grant).
var regions = []struct {
	code   string
	weight int
}{
	{"330302", 150}, // 鹿城
	{"330303", 70},  // 龙湾
	{"330304", 90},  // 瓯海
	{"330305", 15},  // 洞头
	{"330324", 70},  // 永嘉
	{"330326", 70},  // 平阳
	{"330327", 55},  // 苍南
	{"330328", 15},  // 文成
	{"330329", 15},  // 泰顺
	{"330381", 150}, // 瑞安
	{"330382", 160}, // 乐清
	{"330383", 60},  // 龙港
	{"330371", 25},  // 温州经济技术开发区: no county bureau
	{"330300", 15},  // the city itself
	{"330106", 15},  // 杭州西湖区: outside Wenzhou
	{"330212", 10},  // 宁波鄞州区
	{"310115", 15},  // 上海浦东新区
}

var regionTotal = func() int {
	n := 0
	for _, r := range regions {
		n += r.weight
	}
	return n
}()

var (
	namePlaces = []string{"瓯江", "雁荡", "东海", "楠溪", "飞云", "南麂", "江心", "塘河", "玉苍", "百丈", "仙岩", "大罗"}
	nameTrades = []string{"智能装备", "电气", "鞋业", "服饰", "眼镜", "阀门", "汽摩配", "印刷包装", "新材料", "软件", "生物医药", "泵业", "紧固件", "激光", "数控"}
	nameForms  = []string{"有限公司", "股份有限公司", "科技有限公司", "制造有限公司", "集团有限公司"}
)

// CreditCode returns the unified social credit code of enterprise i of
// region: 91 (a company), the region, "MA" and i in seven digits, and the
// GB 32100-2015 check character.
func CreditCode(region string, i int) string {
	return withCheck(fmt.Sprintf("91%sMA%07d", region, i))
}

// outsideParent is the code of a group parent that is not registered here
// (registered elsewhere, or not yet): its certifications never count.
func outsideParent(i int) string {
	return withCheck(fmt.Sprintf("91330100MB%07d", i))
}

func withCheck(first17 string) string {
	c, ok := models.CreditCodeCheckChar(first17)
	if !ok {
		panic("registrygen: bad credit code body " + first17)
	}
	return first17 + string(c)
}

// rngOf is the random source of one record: the same for the same seed and
// index whatever else is generated.
func rngOf(seed uint64, kind, i int) *rand.Rand {
	return rand.New(rand.NewPCG(seed, uint64(kind)<<40|uint64(i)))
}

const (
	kindEnterprise = 1
	kindUniversity = 2
)

// EnterpriseCode returns the credit code enterprise i of the registry of
// seed has (its region depends on the seed).
func EnterpriseCode(seed uint64, i int) string {
	return CreditCode(regionOf(rngOf(seed, kindEnterprise, i)), i)
}

// regionOf draws a region; it is the first draw of an enterprise's source.
func regionOf(r *rand.Rand) string {
	n := r.IntN(regionTotal)
	for _, reg := range regions {
		if n < reg.weight {
			return reg.code
		}
		n -= reg.weight
	}
	return regions[0].code
}

// groupOf returns the index of enterprise i's group parent, or -1 when i is
// no member unit.
func groupOf(seed uint64, i int) (parent int) {
	p := i - i%GroupEvery
	if p == i {
		return -1
	}
	if i-p > membersOf(seed, p) {
		return -1
	}
	return p
}

// membersOf is the number of member units (1–4) of group parent p.
func membersOf(seed uint64, p int) int {
	return 1 + rngOf(seed, kindEnterprise|0x100, p).IntN(4)
}

// appendEnterprise adds enterprise i with its certifications and credit
// years to b.
func appendEnterprise(b *store.RegistryBatch, seed uint64, i int) {
	r := rngOf(seed, kindEnterprise, i)
	region := regionOf(r)
	code := CreditCode(region, i)
	form := nameForms[r.IntN(len(nameForms)-1)]
	if i%GroupEvery == 0 {
		form = nameForms[len(nameForms)-1]
	}
	e := models.EnterpriseRecord{
		CreditCode: code,
		Name:       fmt.Sprintf("温州%s%s%d%s", namePlaces[r.IntN(len(namePlaces))], nameTrades[r.IntN(len(nameTrades))], i, form),
		Region:     region,
	}
	if p := groupOf(seed, i); p >= 0 {
		link := &models.ParentLink{CreditCode: EnterpriseCode(seed, p)}
		switch n := r.IntN(100); {
		case n < 40:
			link.OwnershipPct = pct("100")
		case n < 70:
			link.OwnershipPct = pct("51")
		case n < 85:
			link.OwnershipPct, link.ActualControl = pct("50"), true
		default:
			link.OwnershipPct = pct("50")
		}
		if r.IntN(20) == 0 {
			link.CreditCode = outsideParent(i) // a parent not in the registry
		}
		e.Parent = link
	}
	if r.IntN(20) == 0 {
		e.CreditCarryIn = models.Fen(int64(r.IntN(5_000_000)) * 100)
	}
	b.Enterprises = append(b.Enterprises, e)
	b.Certifications = append(b.Certifications, certificationsOf(r, code, i%GroupEvery == 0)...)
	b.CreditYears = append(b.CreditYears, creditYearsOf(r, code)...)
}

func pct(s string) models.Percent { return models.Percent{Decimal: models.MustDecimal(s)} }

// The certification mix, in parts per thousand: most enterprises are not
// certified; of the rest most are city level, fewer province, few
// national; some are certified before the plan period or after AsOf; and
// some certifications are revoked. Group parents are certified more often.
const (
	permilleCity     = 110
	permilleProvince = 50
	permilleNational = 15
	permilleOutside  = 35 // before 2024 or after AsOf
	permilleRevoked  = 60 // of the certifications
)

var (
	planStart = models.MustDate("2024-01-01")
	early     = models.MustDate("2019-01-01")
	late      = models.MustDate("2025-12-31")
)

func certificationsOf(r *rand.Rand, code string, parent bool) []models.CertificationRecord {
	n := r.IntN(1000)
	if parent {
		n /= 3
	}
	var levels []string
	var from, to models.Date
	switch {
	case n < permilleNational:
		levels, from, to = []string{models.LevelNational}, planStart, AsOf
		if r.IntN(3) == 0 {
			levels = []string{models.LevelProvince, models.LevelNational}
		}
	case n < permilleNational+permilleProvince:
		levels, from, to = []string{models.LevelProvince}, planStart, AsOf
		if r.IntN(3) == 0 {
			levels = []string{models.LevelCity, models.LevelProvince}
		}
	case n < permilleNational+permilleProvince+permilleCity:
		levels, from, to = []string{models.LevelCity}, planStart, AsOf
	case n < permilleNational+permilleProvince+permilleCity+permilleOutside:
		levels = []string{models.Levels[r.IntN(3)]}
		if r.IntN(2) == 0 {
			from, to = early, models.MustDate("2023-12-31")
		} else {
			from, to = models.DateOf(AsOf.Time().AddDate(0, 0, 1)), late
		}
	default:
		return nil
	}
	out := make([]models.CertificationRecord, 0, len(levels))
	on := between(r, from, to)
	for k, level := range levels {
		if k > 0 { // a higher level later
			on = between(r, on, to)
			if out[k-1].CertifiedOn == on {
				on = models.DateOf(on.Time().AddDate(0, 0, 1))
			}
		}
		c := models.CertificationRecord{CreditCode: code, Level: level, CertifiedOn: on}
		if r.IntN(1000) < permilleRevoked {
			rev := between(r, on, late)
			c.RevokedOn = &rev
		}
		out = append(out, c)
	}
	return out
}

// between draws a date in [from, to].
func between(r *rand.Rand, from, to models.Date) models.Date {
	days := int(to.Time().Sub(from.Time()).Hours() / 24)
	if days <= 0 {
		return from
	}
	return models.DateOf(from.Time().AddDate(0, 0, r.IntN(days+1)))
}

// creditYearsOf gives a third of enterprises 1–5 credit years (the surcharge
// credit), ending in 2024 or 2025.
func creditYearsOf(r *rand.Rand, code string) []models.CreditYearRecord {
	if r.IntN(3) != 0 {
		return nil
	}
	n := 1 + r.IntN(5)
	last := 2024 + r.IntN(2)
	out := make([]models.CreditYearRecord, 0, n)
	for y := last - n + 1; y <= last; y++ {
		inv := int64(r.IntN(5_000_000)) * 100
		y := models.CreditYearRecord{
			CreditCode:              code,
			Year:                    y,
			Investment:              models.Fen(inv),
			FiscalSubsidy:           models.Fen(inv / int64(3+r.IntN(10))),
			EducationSurcharge:      models.Fen(int64(r.IntN(300_000)) * 100),
			LocalEducationSurcharge: models.Fen(int64(r.IntN(200_000)) * 100),
		}
		if r.IntN(10) == 0 {
			y.Withdrawn = models.Fen(int64(r.IntN(100_000)) * 100)
		}
		out = append(out, y)
	}
	return out
}

// ---- universities ----

// UniversityCode returns the code of university j.
func UniversityCode(j int) string { return fmt.Sprintf("wz-u%04d", j) }

var donationForms = []string{"cash", "cash", "cash", "cash", "cash", "cash", "in_kind", "in_kind", "equity", "other"}

// appendUniversity adds university j and its 0–30 donations to b: half are
// city-owned public universities (the match's subjects), the rest are
// private or affiliated elsewhere.
func appendUniversity(b *store.RegistryBatch, seed uint64, j int) {
	r := rngOf(seed, kindUniversity, j)
	u := models.UniversityRecord{Code: UniversityCode(j), Name: fmt.Sprintf("温州第%d职业技术学院", j+1), Ownership: "public", Affiliation: "city"}
	switch n := r.IntN(10); {
	case n < 5:
	case n < 7:
		u.Affiliation = "province"
	case n < 8:
		u.Affiliation = "central"
	case n < 9:
		u.Ownership, u.Affiliation = "private", "other"
	default:
		u.Ownership = "private"
	}
	b.Universities = append(b.Universities, u)
	for range r.IntN(31) {
		d := models.DonationRecord{
			UniversityCode: u.Code,
			// 1,000 to about 2,000,000 yuan, most of them small.
			Amount:        models.Yuan(int64(1000 + r.IntN(2000)*r.IntN(1000))),
			Form:          donationForms[r.IntN(len(donationForms))],
			ViaFoundation: r.IntN(5) != 0,
		}
		if r.IntN(10) != 0 { // else a pledge, not arrived
			on := between(r, models.MustDate("2022-01-01"), AsOf)
			d.ArrivedOn = &on
		}
		b.Donations = append(b.Donations, d)
	}
}
