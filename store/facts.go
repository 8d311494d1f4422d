package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// Facts are subjects assembled as the rules see them. A batch of subjects is
// assembled with one query per kind of related record (IN lists over the
// batch's codes), so screening the registry costs a few queries per batch
// whatever its size, and never holds more than one batch in memory.

// maxScreenBatch caps a screening batch so that its IN lists (a batch's
// codes and its parents' codes) stay well within the databases' limits on
// bound parameters.
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

// EnterpriseFacts assembles one registered enterprise as the rules see it.
func (s *Store) EnterpriseFacts(ctx context.Context, creditCode string) (models.Enterprise, error) {
	var row enterpriseRow
	db := s.db.WithContext(ctx)
	if err := db.Where("credit_code = ?", creditCode).Take(&row).Error; err != nil {
		return models.Enterprise{}, translate(err, meaning{op: "enterprise facts " + creditCode, notFound: enterpriseNotFound(creditCode)})
	}
	out, err := s.assembleEnterprises(db, []enterpriseRow{row})
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
	db := s.db.WithContext(ctx)
	after := ""
	for {
		var rows []enterpriseRow
		q := db.Order("credit_code").Limit(n)
		if after != "" {
			q = q.Where("credit_code > ?", after)
		}
		if err := q.Find(&rows).Error; err != nil {
			return translate(err, meaning{op: "screen enterprises after " + after})
		}
		if len(rows) == 0 {
			return nil
		}
		batch, err := s.assembleEnterprises(db, rows)
		if err != nil {
			return err
		}
		if err := fn(batch); err != nil {
			return err
		}
		if len(rows) < n {
			return nil
		}
		after = rows[len(rows)-1].CreditCode
	}
}

// assembleEnterprises loads the related records of a batch of enterprises
// with three queries: the certifications of the enterprises and of their
// parents together (a parent's certifications exist only if the parent is
// registered: the foreign key sees to that), the credit years, and the
// certification-grant payouts.
func (s *Store) assembleEnterprises(db *gorm.DB, rows []enterpriseRow) ([]models.Enterprise, error) {
	codes := make([]string, 0, len(rows))
	withParents := make([]string, 0, 2*len(rows))
	for _, r := range rows {
		codes = append(codes, r.CreditCode)
		withParents = append(withParents, r.CreditCode)
		if r.ParentCode != "" {
			withParents = append(withParents, r.ParentCode)
		}
	}
	withParents = uniqueSorted(withParents)

	var certs []certRow
	if err := db.Where("credit_code IN ?", withParents).Order("credit_code, certified_on, id").Find(&certs).Error; err != nil {
		return nil, fmt.Errorf("load certifications: %w", err)
	}
	certsOf := map[string][]models.Certification{}
	for _, c := range certs {
		certsOf[c.CreditCode] = append(certsOf[c.CreditCode], c.certification())
	}

	var years []creditYearRow
	if err := db.Where("credit_code IN ?", codes).Order("credit_code, year").Find(&years).Error; err != nil {
		return nil, fmt.Errorf("load credit years: %w", err)
	}
	yearsOf := map[string][]models.CreditYear{}
	for _, y := range years {
		yearsOf[y.CreditCode] = append(yearsOf[y.CreditCode], y.creditYear())
	}

	// Only certification-grant payouts carry a level.
	var grants []grantRow
	err := db.Model(&payoutRow{}).Select("subject", "level", "amount", "status", "paid_at").
		Where("subject IN ? AND level <> ''", codes).Order("subject, id").Find(&grants).Error
	if err != nil {
		return nil, fmt.Errorf("load grants received: %w", err)
	}
	grantsOf := map[string][]grantRow{}
	for _, g := range grants {
		grantsOf[g.Subject] = append(grantsOf[g.Subject], g)
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

// grantsReceived sums an enterprise's certification-grant payouts per level,
// in any status, lowest level first. PaidOn is the day (in Wenzhou) the
// level's grant was paid, when every payout of it is paid.
func grantsReceived(rows []grantRow) []models.GrantReceived {
	var out []models.GrantReceived
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
		g.Level = level
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
	var row universityRow
	db := s.db.WithContext(ctx)
	if err := db.Where("code = ?", code).Take(&row).Error; err != nil {
		return models.University{}, translate(err, meaning{op: "university facts " + code, notFound: universityNotFound(code)})
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
	db := s.db.WithContext(ctx)
	after := ""
	for {
		var rows []universityRow
		q := db.Order("code").Limit(n)
		if after != "" {
			q = q.Where("code > ?", after)
		}
		if err := q.Find(&rows).Error; err != nil {
			return translate(err, meaning{op: "screen universities after " + after})
		}
		if len(rows) == 0 {
			return nil
		}
		batch, err := assembleUniversities(db, rows)
		if err != nil {
			return err
		}
		if err := fn(batch); err != nil {
			return err
		}
		if len(rows) < n {
			return nil
		}
		after = rows[len(rows)-1].Code
	}
}

// assembleUniversities loads a batch's donations with one query.
func assembleUniversities(db *gorm.DB, rows []universityRow) ([]models.University, error) {
	codes := make([]string, len(rows))
	for i, r := range rows {
		codes[i] = r.Code
	}
	var donations []donationRow
	if err := db.Where("university_code IN ?", codes).Order("university_code, id").Find(&donations).Error; err != nil {
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
