package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// Bulk loading puts a whole slice of a registry into the database at once:
// a synthetic registry for the screening benchmark (store/registrygen), or a
// first load of a published register. The audited one-record writes of
// registry.go cost a transaction and an audit entry each, which is right for
// a clerk's edit and far too slow for a hundred thousand enterprises.

// RegistryBatch is a slice of a registry to load in one transaction. Every
// record in it is new: the enterprises and universities are not registered
// yet, and the certifications, credit years and donations belong to
// enterprises and universities of this batch or of one loaded before.
type RegistryBatch struct {
	Enterprises    []models.EnterpriseRecord
	Certifications []models.CertificationRecord
	CreditYears    []models.CreditYearRecord
	Universities   []models.UniversityRecord
	Donations      []models.DonationRecord
}

// BulkSummary counts the records a bulk load inserted.
type BulkSummary struct {
	Enterprises    int `json:"enterprises"`
	Certifications int `json:"certifications"`
	CreditYears    int `json:"credit_years"`
	Universities   int `json:"universities"`
	Donations      int `json:"donations"`
}

// entityRegistry is the audit entity of a bulk load: one entry per batch.
const entityRegistry = "registry"

var bulkConflict = models.Conflict(
	"批量导入的记录已存在（企业、高校已登记，或认定重复）",
	"a record of the bulk load already exists (an enterprise or university already registered, or a repeated certification)")

var bulkParent = models.Errorf(models.CodeNotFound,
	"批量导入的认定、信用年度或捐赠所属的企业或高校未登记",
	"a certification, credit year or donation of the bulk load belongs to an enterprise or university that is not registered")

// BulkLoadRegistry inserts a batch of new registry records in one
// transaction, with multi-row INSERTs, and records one audit entry for the
// whole batch (action "import", entity "registry", the counts and the first
// and last codes as its record) instead of one per record. The batch is
// all or nothing: a record the database refuses (a constraint, as for the
// one-record writes: CodeInvalid naming it) leaves none of it written, as
// does a record that already exists (Conflict) or a dependent record of an
// unregistered enterprise or university (NotFound). IDs and times of the
// records are set by the store, as by the one-record writes; the IDs are
// not returned.
func (s *Store) BulkLoadRegistry(ctx context.Context, actor models.Actor, b RegistryBatch) (BulkSummary, error) {
	sum := BulkSummary{
		Enterprises: len(b.Enterprises), Certifications: len(b.Certifications), CreditYears: len(b.CreditYears),
		Universities: len(b.Universities), Donations: len(b.Donations),
	}
	if sum == (BulkSummary{}) {
		return sum, nil
	}
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		now := s.now()
		if err := insertRows(tx, s.dialect, enterpriseTable, rowsOf(b.Enterprises, now, enterpriseRowOf)); err != nil {
			return fmt.Errorf("insert enterprises: %w", err)
		}
		if err := insertRows(tx, s.dialect, certTable, rowsOf(b.Certifications, now, certRowOf)); err != nil {
			return fmt.Errorf("insert certifications: %w", err)
		}
		if err := insertRows(tx, s.dialect, creditYearTable, rowsOf(b.CreditYears, now, creditYearRowOf)); err != nil {
			return fmt.Errorf("insert credit years: %w", err)
		}
		if err := insertRows(tx, s.dialect, universityTable, rowsOf(b.Universities, now, universityRowOf)); err != nil {
			return fmt.Errorf("insert universities: %w", err)
		}
		if err := insertRows(tx, s.dialect, donationTable, rowsOf(b.Donations, now, donationRowOf)); err != nil {
			return fmt.Errorf("insert donations: %w", err)
		}
		return s.audit(tx, entry{actor, actionImport, entityRegistry, batchID(b)}, nil, struct {
			BulkSummary
			First string `json:"first,omitempty"`
			Last  string `json:"last,omitempty"`
		}{sum, firstCode(b), lastCode(b)})
	})
	if err != nil {
		return BulkSummary{}, translate(err, meaning{op: "bulk load registry", conflict: bulkConflict, parent: bulkParent})
	}
	return sum, nil
}

// rowsOf converts new records to the rows that store them, written at now.
func rowsOf[M, R any](records []M, now time.Time, row func(M, time.Time) R) []R {
	out := make([]R, len(records))
	for i, m := range records {
		out[i] = row(m, now)
	}
	return out
}

// batchID names a batch in the audit trail by the first code it loads.
func batchID(b RegistryBatch) string {
	return "bulk:" + firstCode(b)
}

func firstCode(b RegistryBatch) string {
	switch {
	case len(b.Enterprises) > 0:
		return b.Enterprises[0].CreditCode
	case len(b.Universities) > 0:
		return b.Universities[0].Code
	case len(b.Certifications) > 0:
		return b.Certifications[0].CreditCode
	case len(b.CreditYears) > 0:
		return b.CreditYears[0].CreditCode
	case len(b.Donations) > 0:
		return b.Donations[0].UniversityCode
	}
	return ""
}

func lastCode(b RegistryBatch) string {
	switch {
	case len(b.Universities) > 0:
		return b.Universities[len(b.Universities)-1].Code
	case len(b.Enterprises) > 0:
		return b.Enterprises[len(b.Enterprises)-1].CreditCode
	}
	return ""
}
