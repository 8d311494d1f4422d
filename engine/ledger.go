package engine

import (
	"fmt"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// Allocation modes: how an offset smaller than both surcharges is split
// between 教育费附加 and 地方教育附加.
const (
	AllocationProRata        = "pro_rata"        // in proportion to the two payables
	AllocationEducationFirst = "education_first" // 教育费附加 first, the rest to 地方教育附加
)

var allocationModes = []string{AllocationProRata, AllocationEducationFirst}

// allocationParam names the parameter a rule with a credit ledger declares
// to choose the allocation mode.
const allocationParam = "allocation"

// ledgerYear is one year's input to the ledger arithmetic.
type ledgerYear struct {
	year                      int
	generated, reversed       models.Money
	education, localEducation models.Money
}

// ledgerRow computes one year of the credit ledger from the credit carried
// in, following the policy readings (rules/README.md):
//
//	available = carry_in + generated − reversed; below zero, the shortfall
//	            is clawback (补缴) and available is zero
//	offset    = min(available, education + local education surcharge)
//	carry_out = available − offset
//
// The offset is split between the two surcharges by the allocation mode;
// with pro_rata the education share is rounded half-up to the fen and the
// local share is the rest, so the two always add up to the offset.
func ledgerRow(carryIn models.Money, y ledgerYear, allocation string) (models.LedgerRow, error) {
	row := models.LedgerRow{
		Year: y.year, CarryIn: carryIn, Generated: y.generated, Reversed: y.reversed,
		Payable: y.education.Add(y.localEducation),
	}
	available := carryIn.Add(y.generated).Sub(y.reversed)
	if available.IsNegative() {
		row.Clawback = available.Neg()
		available = models.Money{}
	}
	row.Offset = models.MinMoney(available, row.Payable)
	row.CarryOut = available.Sub(row.Offset)
	switch {
	case row.Offset == row.Payable:
		row.OffsetEducation, row.OffsetLocal = y.education, y.localEducation
	case allocation == AllocationProRata:
		edu, err := row.Offset.MulFraction(y.education, row.Payable)
		if err != nil {
			return row, fmt.Errorf("year %d: split offset: %w", y.year, err)
		}
		row.OffsetEducation, row.OffsetLocal = edu, row.Offset.Sub(edu)
	case allocation == AllocationEducationFirst:
		row.OffsetEducation = models.MinMoney(row.Offset, y.education)
		row.OffsetLocal = row.Offset.Sub(row.OffsetEducation)
	default:
		return row, fmt.Errorf("year %d: unknown allocation mode %q", y.year, allocation)
	}
	return row, nil
}
