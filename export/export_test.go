package export_test

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"github.com/wenzhou-subsidy/subsidy/export"
	"github.com/wenzhou-subsidy/subsidy/models"
)

var ruleWords = map[string]string{
	"cert-grant":     "产教融合型企业认定一次性补助",
	"donation-match": "市属公办高校社会捐赠配比补助",
}

// payouts are a grant with a payee, a match without one, and names and a
// university code a spreadsheet would take for formulas.
func payouts() ([]models.Payout, map[string]models.Payee) {
	digest := "sha256:" + strings.Repeat("ab", 32)
	leqing := models.LocalFinanceBureau("330382")
	ps := []models.Payout{
		{ID: 7, Rule: "cert-grant", Subject: "91330382MA2AB3C47E", SubjectName: "=HYPERLINK(\"http://x\")", Level: "province", Amount: models.MustMoney("200000.00"), Status: "approved", Payer: leqing, RulesetVersion: "2024.172-1.1.0", RulesetDigest: digest},
		{ID: 9, Rule: "donation-match", Subject: "-wzvtc", SubjectName: "@温州职业技术学院", GrantYear: 2025, Amount: models.MustMoney("1500000.05"), Status: "paid", Payer: models.CityFinanceBureau, RulesetVersion: "2024.172-1.1.0", RulesetDigest: digest},
	}
	payees := map[string]models.Payee{
		"91330382MA2AB3C47E": {AccountName: "+示例电气有限公司", AccountNo: "6222021203001234567", BankName: "\t工商银行乐清支行"},
	}
	return ps, payees
}

var wantRows = [][]string{
	{"付款编号", "付款单位代码", "付款单位", "统一社会信用代码/高校代码", "企业/高校", "收款人户名", "收款账号", "开户行", "金额（元）", "补助项目", "认定等级", "补助年度", "状态", "备注", "规则集版本", "规则集摘要"},
	{"7", "330382", "乐清市财政局", "91330382MA2AB3C47E", "'=HYPERLINK(\"http://x\")", "'+示例电气有限公司", "6222021203001234567", "'\t工商银行乐清支行", "200000.00", "产教融合型企业认定一次性补助", "省级", "", "已审核", "", "2024.172-1.1.0", "sha256:" + strings.Repeat("ab", 32)},
	{"9", "330300", "温州市财政局", "'-wzvtc", "'@温州职业技术学院", "", "", "", "1500000.05", "市属公办高校社会捐赠配比补助", "", "2025", "已支付", "未登记收款账户", "2024.172-1.1.0", "sha256:" + strings.Repeat("ab", 32)},
	{"合计", "", "", "", "共 2 笔", "", "", "", "1700000.05", "", "", "", "", "", "", ""},
}

func TestTransferListCSV(t *testing.T) {
	ps, payees := payouts()
	out := export.TransferList(ps, payees, ruleWords).CSV()
	body, ok := bytes.CutPrefix(out, []byte("\ufeff"))
	if !ok {
		t.Fatalf("no byte-order mark: %q", out[:10])
	}
	rows, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantRows, rows); diff != "" {
		t.Errorf("CSV (-want +got):\n%s", diff)
	}
}

func TestTransferListXLSX(t *testing.T) {
	ps, payees := payouts()
	out, err := export.TransferList(ps, payees, ruleWords).XLSX()
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if sheets := f.GetSheetList(); len(sheets) != 1 || sheets[0] != "付款清单" {
		t.Fatalf("sheets %v", sheets)
	}
	const sheet = "付款清单"
	rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	// GetRows drops a row's trailing empty cells; the CSV keeps them.
	want := make([][]string, len(wantRows))
	for i, r := range wantRows {
		n := len(r)
		for n > 0 && r[n-1] == "" {
			n--
		}
		want[i] = r[:n]
	}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("cells (-want +got):\n%s", diff)
	}

	// Amounts are numbers in "#,##0.00", the total bold; ids and years numbers; the rest text.
	// (A cell without a type attribute is a number: OOXML's default.)
	for ref, number := range map[string]bool{"I2": true, "I4": true, "A2": true, "L3": true, "G2": false, "A4": false, "D3": false} {
		got, err := f.GetCellType(sheet, ref)
		if isNumber := got == excelize.CellTypeUnset || got == excelize.CellTypeNumber; err != nil || isNumber != number {
			t.Errorf("%s type %v (%v), want a number: %v", ref, got, err, number)
		}
	}
	for ref, bold := range map[string]bool{"I2": false, "I3": false, "I4": true} {
		id, err := f.GetCellStyle(sheet, ref)
		if err != nil {
			t.Fatal(err)
		}
		st, err := f.GetStyle(id)
		if err != nil {
			t.Fatal(err)
		}
		if st.NumFmt != 4 && (st.CustomNumFmt == nil || *st.CustomNumFmt != export.AmountFormat) {
			t.Errorf("%s number format %d %v, want %s", ref, st.NumFmt, st.CustomNumFmt, export.AmountFormat)
		}
		if (st.Font != nil && st.Font.Bold) != bold {
			t.Errorf("%s bold = %v, want %v", ref, !bold, bold)
		}
	}
	if shown, _ := f.GetCellValue(sheet, "I4"); shown != "1,700,000.05" {
		t.Errorf("the total shows as %q", shown)
	}
	panes, err := f.GetPanes(sheet)
	if err != nil || !panes.Freeze || panes.YSplit != 1 || panes.XSplit != 0 || panes.TopLeftCell != "A2" {
		t.Errorf("panes %+v (%v): want the header row frozen", panes, err)
	}
	if w, err := f.GetColWidth(sheet, "P"); err != nil || w < 70 {
		t.Errorf("the digest column is %v wide (%v)", w, err)
	}
}

// TestXLSXAmountsExact: every amount, up to the largest the service takes
// and beyond to what a sum can reach, reads back exactly as written.
func TestXLSXAmountsExact(t *testing.T) {
	fens := []int64{0, 1, 5, 10, 99, 100, 12345, 2000000000, 999999999999999, models.MaxMoney.Fen(), models.MaxMoney.Fen() - 1, 3*models.MaxMoney.Fen() + 7}
	for n := int64(1); n < 1e14; n = n*7 + 3 {
		fens = append(fens, n)
	}
	tab := export.Table{Sheet: "t", Columns: []export.Column{{Header: "amount", Width: 20}}, Total: []export.Cell{export.Text("end")}}
	for _, fen := range fens {
		tab.Rows = append(tab.Rows, []export.Cell{export.Amount(models.Fen(fen))})
	}
	out, err := tab.XLSX()
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("t", excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	for i, fen := range fens {
		if got, want := rows[i+1][0], models.Fen(fen).String(); got != want {
			t.Errorf("amount %d fen reads back as %q, want %q", fen, got, want)
		}
	}
}
