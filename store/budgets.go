package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// Budgets (预算指标): a payer's appropriation for a grant year. What a
// budget has committed is not stored but summed, when asked, from the
// payer's approved and paid payouts of runs of that grant year, so that it
// can never drift from the payouts. An approval decides whether it fits
// with the budget's row locked (transitions in payouts.go).

const entityBudget = "budget"

type budgetRow struct {
	PayerCode string `gorm:"primaryKey"`
	Year      int    `gorm:"primaryKey;autoIncrement:false"`
	Amount    int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (budgetRow) TableName() string { return "budgets" }

// budgetRecord is a budget as the audit trail records it: what was set,
// not what was committed at the time.
type budgetRecord struct {
	Payer     string       `json:"payer"`
	Year      int          `json:"year"`
	Amount    models.Money `json:"amount"`
	UpdatedAt time.Time    `json:"updated_at"`
}

func (r budgetRow) auditRecord() (any, error) {
	return budgetRecord{Payer: r.PayerCode, Year: r.Year, Amount: models.Fen(r.Amount), UpdatedAt: r.UpdatedAt.UTC()}, nil
}

// model is the budget with committed fen committed against it.
func (r budgetRow) model(committed int64) models.Budget {
	payer, ok := models.PayerOf(r.PayerCode)
	if !ok {
		payer = models.Payer{Code: r.PayerCode}
	}
	return models.Budget{
		Payer:     payer,
		Year:      r.Year,
		Amount:    models.Fen(r.Amount),
		Committed: models.Fen(committed),
		Remaining: models.Fen(r.Amount - committed),
		UpdatedAt: r.UpdatedAt.UTC(),
	}
}

// committedStatuses are the statuses whose payouts use up a budget.
var committedStatuses = []string{models.PayoutApproved, models.PayoutPaid}

// committedIn sums what approved and paid payouts commit, in fen, per payer
// and grant year (keyed by budgetID), of the payouts (p) and runs (r) that
// cond, when set, selects.
func committedIn(db *gorm.DB, cond string, args ...any) (map[string]int64, error) {
	q := `SELECT p.payer_code, r.grant_year, SUM(p.amount) FROM payouts p JOIN payout_runs r ON r.id = p.run_id
WHERE p.status IN ?`
	if cond != "" {
		q += " AND " + cond
	}
	sums := map[string]int64{}
	err := scanAll(db.Raw(q+" GROUP BY p.payer_code, r.grant_year", append([]any{committedStatuses}, args...)...), func(rs *sql.Rows) error {
		var payer string
		var year int
		var sum int64
		if err := rs.Scan(&payer, &year, &sum); err != nil {
			return err
		}
		sums[budgetID(payer, year)] = sum
		return nil
	})
	return sums, err
}

// committedOf sums what a payer's approved and paid payouts of grant year
// commit, in fen.
func committedOf(db *gorm.DB, payer string, year int) (int64, error) {
	sums, err := committedIn(db, "p.payer_code = ? AND r.grant_year = ?", payer, year)
	return sums[budgetID(payer, year)], err
}

func budgetID(payer string, year int) string { return fmt.Sprintf("%s/%d", payer, year) }

// PutBudget sets a payer's appropriation for a grant year, audited before
// and after, and reports whether it was new.
func (s *Store) PutBudget(ctx context.Context, actor models.Actor, payer models.Payer, year int, amount models.Money) (models.Budget, bool, error) {
	var out models.Budget
	var created bool
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		now := s.now()
		in := budgetRow{PayerCode: payer.Code, Year: year, Amount: amount.Fen(), CreatedAt: now, UpdatedAt: now}
		row, isNew, err := putRow(s, tx, entry{actor, actionUpdate, entityBudget, budgetID(payer.Code, year)}, in, func(r *budgetRow) (map[string]any, error) {
			r.Amount, r.UpdatedAt = in.Amount, now
			return map[string]any{"amount": r.Amount, "updated_at": r.UpdatedAt}, nil
		}, "payer_code = ? AND year = ?", payer.Code, year)
		if err != nil {
			return err
		}
		created = isNew
		committed, err := committedOf(tx, payer.Code, year)
		out = row.model(committed)
		return err
	})
	if err != nil {
		return models.Budget{}, false, translate(err, meaning{op: "put budget " + budgetID(payer.Code, year)})
	}
	return out, created, nil
}

// ListBudgets lists the budgets of a grant year (every year for 0) by year
// and payer code, with what each has committed.
func (s *Store) ListBudgets(ctx context.Context, year int) ([]models.Budget, error) {
	var rows []budgetRow
	var committed map[string]int64
	err := s.read(ctx, func(db *gorm.DB) error {
		q := db.Model(&budgetRow{})
		var cond string
		var args []any
		if year != 0 {
			q = q.Where("year = ?", year)
			cond, args = "r.grant_year = ?", []any{year}
		}
		if err := q.Order("year, payer_code").Find(&rows).Error; err != nil {
			return err
		}
		var err error
		committed, err = committedIn(db, cond, args...)
		return err
	})
	if err != nil {
		return nil, translate(err, meaning{op: "list budgets"})
	}
	out := make([]models.Budget, len(rows))
	for i, r := range rows {
		out[i] = r.model(committed[budgetID(r.PayerCode, r.Year)])
	}
	return out, nil
}

// withinBudget refuses, with a Conflict naming what remains, the approval
// of p when it would take its payer's committed amount for year, its run's
// grant year, above the payer's budget for that year; a payer-year without
// a budget is not limited. The budget's row stays locked until tx ends
// (FOR UPDATE on PostgreSQL; SQLite's transaction holds the write lock), so
// the sum is read after every approval that committed before: concurrent
// approvals take turns and never overspend.
func withinBudget(tx *gorm.DB, p *payoutRow, year int) error {
	var b budgetRow
	err := forUpdate(tx).Where("payer_code = ? AND year = ?", p.PayerCode, year).Take(&b).Error
	if classify(err) == failNotFound {
		return nil
	}
	if err != nil {
		return err
	}
	committed, err := committedOf(tx, p.PayerCode, year)
	if err != nil {
		return err
	}
	if committed+p.Amount <= b.Amount {
		return nil
	}
	amount, used, left, want := models.Fen(b.Amount).Grouped(), models.Fen(committed).Grouped(), models.Fen(b.Amount-committed).Grouped(), models.Fen(p.Amount).Grouped()
	return models.Conflict(
		fmt.Sprintf("超出预算指标：%s（%s）%d 年度预算指标 %s 元，已占用 %s 元，可用余额 %s 元，不足以审核通过补助发放记录 %d 的 %s 元；请调整预算指标或暂缓审核",
			p.PayerName, p.PayerCode, year, amount, used, left, p.ID, want),
		fmt.Sprintf("over budget: the %d budget of %s (%s) is %s yuan, of which %s is committed; the %s yuan remaining do not cover payout %d of %s yuan",
			year, p.PayerName, p.PayerCode, amount, used, left, p.ID, want))
}
