package export

import (
	"fmt"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// NoPayee marks, in the remarks, a payout whose subject has no payee
// account recorded: it is listed, and cannot be transferred until one is.
const NoPayee = "未登记收款账户"

// transferColumns are the columns of the bank transfer list.
var transferColumns = []Column{
	{"付款编号", 10}, {"付款单位代码", 12}, {"付款单位", 16},
	{"统一社会信用代码/高校代码", 22}, {"企业/高校", 32},
	{"收款人户名", 32}, {"收款账号", 26}, {"开户行", 30},
	{"金额（元）", 18},
	{"补助项目", 34}, {"认定等级", 10}, {"补助年度", 10}, {"状态", 8}, {"备注", 18},
	{"规则集版本", 16}, {"规则集摘要", 74},
}

// TransferList is the bank transfer list (付款清单) of payouts, one row per
// payout in the order given, with its subject's payee account from payees
// (by subject code), the rule, level and status in words (ruleWords names
// each rule; levels and statuses are models' words, never ids) and a total
// row counting the payouts and summing their amounts.
func TransferList(payouts []models.Payout, payees map[string]models.Payee, ruleWords map[string]string) Table {
	t := Table{Sheet: "付款清单", Columns: transferColumns, Rows: make([][]Cell, 0, len(payouts))}
	var total models.Money
	for _, p := range payouts {
		total = total.Add(p.Amount)
		payee, remark := payees[p.Subject], ""
		if payee.AccountNo == "" {
			remark = NoPayee
		}
		year := Text("")
		if p.GrantYear != 0 {
			year = Int(int64(p.GrantYear))
		}
		rule := ruleWords[p.Rule]
		if rule == "" {
			rule = p.Rule // a rule no longer loaded: its id, rather than nothing
		}
		t.Rows = append(t.Rows, []Cell{
			Int(p.ID), Text(p.Payer.Code), Text(p.Payer.Name),
			Text(p.Subject), Text(p.SubjectName),
			Text(payee.AccountName), Text(payee.AccountNo), Text(payee.BankName),
			Amount(p.Amount),
			Text(rule), Text(models.LevelWords[p.Level].Zh), year, Text(models.StatusWords[p.Status].Zh), Text(remark),
			Text(p.RulesetVersion), Text(p.RulesetDigest),
		})
	}
	t.Total = make([]Cell, len(transferColumns)) // empty text cells but for the ones set below
	t.Total[0] = Text("合计")
	t.Total[4] = Text(fmt.Sprintf("共 %d 笔", len(payouts)))
	t.Total[8] = Amount(total)
	return t
}
