package app

import (
	"context"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// PutBudget sets a payer's appropriation (预算指标) for a grant year and
// reports whether it was new; approvals that would commit more than it are
// refused. The payer and the year come checked (input.Payer, input.Year);
// the database refuses a year outside models.MinYear..MaxYear too.
func (s *Service) PutBudget(ctx context.Context, actor models.Actor, e models.BudgetEntry) (models.Budget, bool, error) {
	payer, _ := models.PayerOf(e.Payer)
	return s.store.PutBudget(ctx, actor, payer, e.Year, e.Amount)
}

// Budgets lists the budgets of a grant year (every year for 0), each with
// what its payer's approved and paid payouts of that year commit.
func (s *Service) Budgets(ctx context.Context, year int) ([]models.Budget, error) {
	list, err := s.store.ListBudgets(ctx, year)
	return nonNil(list), err
}
