package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// Facts are subjects assembled as the rules see them. A batch of subjects is
// a range of codes (a page of the registry in code order), and its related
// records are read with one range query per kind over the same codes, plus
// one IN list for the group parents outside the range. Screening the
// registry thus costs a few queries per batch whatever its size, each
// reading only the batch's rows by index, and never holds more than one
// batch in memory. (PostgreSQL answers an IN list of a thousand codes by
// scanning the whole table: a cost per batch that would grow with the
// registry, and screening time with its square.)
//
// The reads select only the columns the facts need and scan them without
// reflection: screening a city's registry reads a few hundred thousand
// rows, and gorm's per-row reflection and the parsing of unused timestamps
// were most of its cost. On SQLite they run without the caller's
// cancellation (see manyRows) and check the context between batches.

// manyRows returns db for queries that read many rows. On SQLite it drops
// the cancellation of db's context: mattn/go-sqlite3 watches a cancellable
// context (every served request has one) by starting a goroutine for each
// row fetched, which costs more than reading the row. Its callers keep each
// query short (a batch) and check the context between queries.
func (s *Store) manyRows(db *gorm.DB) *gorm.DB {
	if s.dialect != dialectSQLite || db.Statement.Context == nil {
		return db
	}
	return db.WithContext(context.WithoutCancel(db.Statement.Context))
}

// maxScreenBatch caps a screening batch so that the IN list of its
// parents' codes stays well within the databases' limits on bound
// parameters.
const maxScreenBatch = 2000

// screenBatch returns the batch size to use for a requested one.
func screenBatch(n int) int {
	if n <= 0 || n > maxScreenBatch {
		return maxScreenBatch
	}
	return n
}

// grantRow is a certification-grant payout as grants_received counts it.
type grantRow struct {
	Subject string
	Level   string
	Amount  int64
	Status  string
	PaidAt  *time.Time
}

// readEnterprises reads enterprises with only the columns the facts use;
// tail is the rest of the query after WHERE.
func readEnterprises(db *gorm.DB, tail string, args ...any) ([]enterpriseRow, error) {
	var out []enterpriseRow
	err := scanAll(db.Raw(`SELECT credit_code, name, region, parent_code, parent_ownership_pct, parent_actual_control, credit_carry_in
FROM enterprises WHERE `+tail, args...), func(rs *sql.Rows) error {
		var r enterpriseRow
		if err := rs.Scan(&r.CreditCode, &r.Name, &r.Region, &r.ParentCode, &r.ParentOwnershipPct, &r.ParentActualControl, &r.CreditCarryIn); err != nil {
			return err
		}
		out = append(out, r)
		return nil
	})
	return out, err
}

// EnterpriseFacts assembles one registered enterprise as the rules see it.
func (s *Store) EnterpriseFacts(ctx context.Context, creditCode string) (models.Enterprise, error) {
	var out models.Enterprise
	err := s.read(ctx, func(db *gorm.DB) error {
		var err error
		out, err = enterpriseFacts(s.manyRows(db), creditCode)
		return err
	})
	if err != nil {
		return models.Enterprise{}, translate(err, meaning{op: "enterprise facts " + creditCode, notFound: models.EnterpriseNotFound(creditCode)})
	}
	return out, nil
}

// enterpriseFacts assembles one registered enterprise in db (a read or a
// transaction).
func enterpriseFacts(db *gorm.DB, creditCode string) (models.Enterprise, error) {
	found, err := readEnterprises(db, "credit_code = ?", creditCode)
	if err != nil {
		return models.Enterprise{}, err
	}
	if len(found) == 0 {
		return models.Enterprise{}, gorm.ErrRecordNotFound
	}
	out, err := assembleEnterprises(db, found)
	if err != nil {
		return models.Enterprise{}, err
	}
	return out[0], nil
}

// ScreenEnterprises calls fn with every registered enterprise, assembled as
// by EnterpriseFacts, in credit-code order, in batches of at most batchSize
// (at most maxScreenBatch; a batchSize of 0 or less means that). It reads
// page by page (keyset pagination on the credit code), so an enterprise
// registered during the screening is seen if its code sorts after the
// current page. An error from fn stops the screening and is returned as is.
func (s *Store) ScreenEnterprises(ctx context.Context, batchSize int, fn func([]models.Enterprise) error) error {
	n := screenBatch(batchSize)
	return screenPages(ctx, n, func(after string) (batch []models.Enterprise, last string, err error) {
		err = s.read(ctx, func(db *gorm.DB) error {
			db = s.manyRows(db)
			page, err := readEnterprises(db, "credit_code > ? ORDER BY credit_code LIMIT ?", after, n)
			if err != nil || len(page) == 0 {
				return err
			}
			last = page[len(page)-1].CreditCode
			batch, err = assembleEnterprises(db, page)
			return err
		})
		return batch, last, translate(err, meaning{op: "screen enterprises after " + after})
	}, fn)
}

// screenPages is the keyset pagination of the screenings: page(after)
// reads and assembles up to n records whose key follows after, and returns
// the last key read; fn gets each batch in turn, until a page is short.
func screenPages[T any](ctx context.Context, n int, page func(after string) ([]T, string, error), fn func([]T) error) error {
	after := ""
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		batch, last, err := page(after)
		if err != nil || len(batch) == 0 {
			return err
		}
		if err := fn(batch); err != nil {
			return err
		}
		if len(batch) < n {
			return nil
		}
		after = last
	}
}

// assembleEnterprises loads the related records of enterprises in
// credit-code order: the certifications of the codes from the first to the
// last and, by an IN list, of the parents outside that range (a parent's
// certifications exist only if the parent is registered: the foreign key
// sees to that); the credit years of the range; and its
// certification-grant payouts. Records of codes in the range that are not
// among rows (registered since the page was read) are left out.
func assembleEnterprises(db *gorm.DB, rows []enterpriseRow) ([]models.Enterprise, error) {
	lo, hi := rows[0].CreditCode, rows[len(rows)-1].CreditCode
	var outside []string
	for _, r := range rows {
		if r.ParentCode != "" && (r.ParentCode < lo || r.ParentCode > hi) {
			outside = append(outside, r.ParentCode)
		}
	}
	outside = uniqueSorted(outside)

	certsOf := map[string][]models.Certification{}
	readCerts := func(where string, args ...any) error {
		return scanAll(db.Raw("SELECT credit_code, level, certified_on, revoked_on FROM certifications WHERE "+where+
			" ORDER BY credit_code, certified_on, id", args...), func(rs *sql.Rows) error {
			var c certRow
			if err := rs.Scan(&c.CreditCode, &c.Level, &c.CertifiedOn, &c.RevokedOn); err != nil {
				return err
			}
			certsOf[c.CreditCode] = append(certsOf[c.CreditCode], c.certification())
			return nil
		})
	}
	if err := readCerts("credit_code BETWEEN ? AND ?", lo, hi); err != nil {
		return nil, fmt.Errorf("load certifications: %w", err)
	}
	for _, chunk := range chunks(outside, inListChunk) {
		if err := readCerts("credit_code IN ?", chunk); err != nil {
			return nil, fmt.Errorf("load certifications of parents: %w", err)
		}
	}

	yearsOf := map[string][]models.CreditYear{}
	err := scanAll(db.Raw(`SELECT credit_code, year, investment, fiscal_subsidy, withdrawn, education_surcharge, local_education_surcharge
FROM credit_years WHERE credit_code BETWEEN ? AND ? ORDER BY credit_code, year`, lo, hi), func(rs *sql.Rows) error {
		var y creditYearRow
		if err := rs.Scan(&y.CreditCode, &y.Year, &y.Investment, &y.FiscalSubsidy, &y.Withdrawn, &y.EducationSurcharge, &y.LocalEducationSurcharge); err != nil {
			return err
		}
		yearsOf[y.CreditCode] = append(yearsOf[y.CreditCode], y.creditYear())
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load credit years: %w", err)
	}

	// Only certification-grant payouts carry a level.
	grantsOf := map[string][]grantRow{}
	err = scanAll(db.Raw(`SELECT subject, level, amount, status, paid_at FROM payouts
WHERE subject BETWEEN ? AND ? AND level <> '' ORDER BY subject, id`, lo, hi), func(rs *sql.Rows) error {
		var g grantRow
		if err := rs.Scan(&g.Subject, &g.Level, &g.Amount, &g.Status, &g.PaidAt); err != nil {
			return err
		}
		grantsOf[g.Subject] = append(grantsOf[g.Subject], g)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load grants received: %w", err)
	}

	out := make([]models.Enterprise, len(rows))
	for i, r := range rows {
		e := models.Enterprise{
			Kind:           models.KindEnterprise,
			CreditCode:     r.CreditCode,
			Name:           r.Name,
			Region:         r.Region,
			Certifications: certsOf[r.CreditCode],
			GrantsReceived: grantsReceived(grantsOf[r.CreditCode]),
			CreditCarryIn:  models.Fen(r.CreditCarryIn),
			CreditYears:    yearsOf[r.CreditCode],
		}
		if r.ParentCode != "" {
			pct, err := parsePercent(r.ParentOwnershipPct)
			if err != nil {
				return nil, fmt.Errorf("enterprise %s: %w", r.CreditCode, err)
			}
			e.Parent = &models.Parent{
				CreditCode:     r.ParentCode,
				OwnershipPct:   pct,
				ActualControl:  r.ParentActualControl,
				Certifications: certsOf[r.ParentCode],
			}
		}
		out[i] = e
	}
	return out, nil
}

// grantsReceived gives, for each level with certification-grant payouts
// (in any status), lowest level first, the grant the enterprise has received
// up to that level in total: the payouts of the level and of the levels
// below. That is what a level's grant amounts to when it was paid as a
// difference (补差额: a province grant of 150,000.00 after a city grant of
// 50,000.00 is the province's 200,000.00), so that top_up subtracts all
// that was received and never pays beyond the highest level; the other
// stacking modes read only which levels were paid. PaidOn is the day (in
// Wenzhou) the level's payouts were paid, when all of them are.
func grantsReceived(rows []grantRow) []models.GrantReceived {
	var out []models.GrantReceived
	var received models.Money
	for _, level := range models.Levels {
		var g models.GrantReceived
		allPaid, found := true, false
		var paid time.Time
		for _, r := range rows {
			if r.Level != level {
				continue
			}
			found = true
			g.Amount = g.Amount.Add(models.Fen(r.Amount))
			if r.Status != models.PayoutPaid || r.PaidAt == nil {
				allPaid = false
			} else if r.PaidAt.After(paid) {
				paid = *r.PaidAt
			}
		}
		if !found {
			continue
		}
		received = received.Add(g.Amount)
		g.Level, g.Amount = level, received
		if allPaid {
			d := models.LocalDate(paid)
			g.PaidOn = &d
		}
		out = append(out, g)
	}
	return out
}

// UniversityFacts assembles a registered university with its donations;
// GrantYear is left zero for the caller to set.
func (s *Store) UniversityFacts(ctx context.Context, code string) (models.University, error) {
	var out models.University
	err := s.read(ctx, func(db *gorm.DB) error {
		var err error
		out, err = universityFacts(s.manyRows(db), code)
		return err
	})
	if err != nil {
		return models.University{}, translate(err, meaning{op: "university facts " + code, notFound: models.UniversityNotFound(code)})
	}
	return out, nil
}

// universityFacts assembles one registered university in db (a read or a
// transaction).
func universityFacts(db *gorm.DB, code string) (models.University, error) {
	var row universityRow
	if err := db.Where("code = ?", code).Take(&row).Error; err != nil {
		return models.University{}, err
	}
	out, err := assembleUniversities(db, []universityRow{row})
	if err != nil {
		return models.University{}, err
	}
	return out[0], nil
}

// ScreenUniversities calls fn with every registered university, as
// UniversityFacts, in code order and in batches of at most batchSize.
func (s *Store) ScreenUniversities(ctx context.Context, batchSize int, fn func([]models.University) error) error {
	n := screenBatch(batchSize)
	return screenPages(ctx, n, func(after string) (batch []models.University, last string, err error) {
		err = s.read(ctx, func(db *gorm.DB) error {
			db = s.manyRows(db)
			var rows []universityRow
			if err := db.Where("code > ?", after).Order("code").Limit(n).Find(&rows).Error; err != nil || len(rows) == 0 {
				return err
			}
			last = rows[len(rows)-1].Code
			var err error
			batch, err = assembleUniversities(db, rows)
			return err
		})
		return batch, last, translate(err, meaning{op: "screen universities after " + after})
	}, fn)
}

// assembleUniversities loads the donations of a batch of universities in
// code order with one range query (see assembleEnterprises).
func assembleUniversities(db *gorm.DB, rows []universityRow) ([]models.University, error) {
	lo, hi := rows[0].Code, rows[len(rows)-1].Code
	var donations []donationRow
	if err := db.Select("university_code", "amount", "form", "via_foundation", "arrived_on").
		Where("university_code BETWEEN ? AND ?", lo, hi).Order("university_code, id").Find(&donations).Error; err != nil {
		return nil, fmt.Errorf("load donations: %w", err)
	}
	donationsOf := map[string][]models.Donation{}
	for _, d := range donations {
		donationsOf[d.UniversityCode] = append(donationsOf[d.UniversityCode], d.donation())
	}
	out := make([]models.University, len(rows))
	for i, r := range rows {
		out[i] = models.University{
			Kind:        models.KindUniversity,
			Code:        r.Code,
			Name:        r.Name,
			Ownership:   r.Ownership,
			Affiliation: r.Affiliation,
			Donations:   donationsOf[r.Code],
		}
	}
	return out, nil
}
