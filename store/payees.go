package store

import (
	"context"

	"gorm.io/gorm"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// PayeeColumns are the payee account (收款人) of an enterprise's or a
// university's row: all three set, or none (the constraints *_payee_whole).
// Rows embed it; it is exported only because gorm reads no unexported
// embedded struct.
type PayeeColumns struct {
	PayeeAccountName string
	PayeeAccountNo   string
	PayeeBankName    string
}

func payeeColumnsOf(p *models.Payee) PayeeColumns {
	if p == nil {
		return PayeeColumns{}
	}
	return PayeeColumns{PayeeAccountName: p.AccountName, PayeeAccountNo: p.AccountNo, PayeeBankName: p.BankName}
}

// payee is the account of the row, nil when none is recorded.
func (c PayeeColumns) payee() *models.Payee {
	if c.PayeeAccountNo == "" {
		return nil
	}
	return &models.Payee{AccountName: c.PayeeAccountName, AccountNo: c.PayeeAccountNo, BankName: c.PayeeBankName}
}

// set adds the columns to an update.
func (c PayeeColumns) set(set map[string]any) {
	set["payee_account_name"] = c.PayeeAccountName
	set["payee_account_no"] = c.PayeeAccountNo
	set["payee_bank_name"] = c.PayeeBankName
}

// Payees returns the payee accounts recorded for the subjects among codes
// (credit codes and university codes, which never coincide).
func (s *Store) Payees(ctx context.Context, codes []string) (map[string]models.Payee, error) {
	out := map[string]models.Payee{}
	err := s.read(ctx, func(db *gorm.DB) error {
		for _, chunk := range chunks(uniqueSorted(codes), inListChunk) {
			for _, q := range []struct{ table, code string }{{"enterprises", "credit_code"}, {"universities", "code"}} {
				var rows []struct {
					Code string
					PayeeColumns
				}
				// table and code are the store's own names, never input.
				err := db.Table(q.table).Select(q.code+" AS code, payee_account_name, payee_account_no, payee_bank_name").
					Where(q.code+" IN ? AND payee_account_no <> ''", chunk).Find(&rows).Error
				if err != nil {
					return err
				}
				for _, r := range rows {
					out[r.Code] = *r.payee()
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, translate(err, meaning{op: "read payee accounts"})
	}
	return out, nil
}
