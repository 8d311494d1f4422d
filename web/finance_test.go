package web_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// TestFinanceFourEyesAndXLSX is the flow: a finance officer (the
// clerk) signs in, records a payee account, starts a run and watches it
// finish; the page offers it the approval, and the API's four-eyes refusal
// is shown beside the payout in words. The clerk signs out; the approver
// signs in, approves the three payouts at once, is refused marking one
// paid (four eyes again), and downloads the XLSX transfer list of every
// payer through the page, which is read back with excelize.
func TestFinanceFourEyesAndXLSX(t *testing.T) {
	s := newSite(t)
	clerk, approver := s.key(models.RoleFinance, ""), s.key(models.RoleFinance, "")
	s.seed(clerk)
	tb := s.tab(t)
	tb.signIn(clerk)

	// The payee account, entered on the enterprise's page.
	tb.goTo("#/enterprises/"+entA, "enterprise")
	tb.typeIn(`#page input[data-path="payee.account_name"]`, "示例电气有限公司")
	tb.typeIn(`#page input[data-path="payee.account_no"]`, "6222")
	tb.typeIn(`#page input[data-path="payee.bank_name"]`, "中国工商银行乐清支行")
	tb.clickText("#page form", "保存")
	tb.until(`document.querySelector('#page input[data-path="payee.account_no"]').getAttribute('aria-invalid') === 'true'`, "the short account number is marked")
	tb.clear(`#page input[data-path="payee.account_no"]`)
	tb.clear(`#page input[data-path="payee.bank_name"]`)
	tb.typeIn(`#page input[data-path="payee.account_no"]`, "6222 0212 0300 1234 567")
	tb.typeIn(`#page input[data-path="payee.bank_name"]`, "中国工商银行乐清支行")
	tb.clickText("#page form", "保存")
	tb.waitText("#page .notice.ok", "已保存")

	// A date after today is refused at its field; corrected, the same form
	// starts the run (a new request, under a new Idempotency-Key).
	tb.goTo("#/runs", "runs")
	tb.set(`#page input[type=date]`, "2099-01-01")
	tb.clickText("#page form", "开始发放测算")
	tb.until(`document.querySelector('#page input[type=date]').getAttribute('aria-invalid') === 'true'`, "the date is marked")
	tb.set(`#page input[type=date]`, "2025-06-30")
	tb.clickText("#page form", "开始发放测算")
	tb.until(`/^#\/runs\/\d+$/.test(location.hash)`, "the run's page opens")
	tb.waitText("#page", "已完成")
	tb.waitText("#page", "1,750,000.00 元（175 万元）")

	ids := payoutIDs(t, s, clerk)
	rowA := fmt.Sprintf(`#page tr[data-payout="%d"]`, ids[entA])
	tb.goTo("#/payouts?status=pending", "payouts")
	tb.waitText("#page tbody", "示例电气有限公司")
	tb.clickText(rowA, "审核通过") // offered: the API decides
	tb.waitText(rowA, "审核与经办分离")
	tb.waitText(rowA, "经办人不能审核本批次的补助发放")
	if got := s.payoutStatus(clerk, ids[entA]); got != "pending" {
		t.Errorf("the clerk's approval left the payout %s", got)
	}

	tb.click("#signout")
	tb.signIn(approver)
	tb.goTo("#/payouts?status=pending", "payouts")
	for _, id := range ids {
		tb.click(fmt.Sprintf(`#page tr[data-payout="%d"] input[type=checkbox]`, id))
	}
	tb.clickText("#page", "批量审核通过（3）")
	tb.waitText("#page .notice.ok", "已审核通过 3 笔")
	for subject, id := range ids {
		if got := s.payoutStatus(approver, id); got != "approved" {
			t.Errorf("the payout of %s is %s after the bulk approval", subject, got)
		}
	}
	tb.clickText(rowA, "标记已支付")
	tb.waitText(rowA, "审核人不能再将其标记为已支付")

	// The transfer list of every payer, approved, as a workbook.
	dir := t.TempDir()
	tb.goTo("#/payouts", "payouts")
	path := tb.download(dir, func() { tb.clickText("#page form", "导出转账清单（Excel）") })
	tb.waitText("#page form .notice.ok", "已导出全部付款单位的已审核转账清单（XLSX）")
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(f.GetSheetName(0), excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, r := range rows[1:] {
		r = append(r, make([]string, 16)...) // GetRows drops trailing empty cells
		key := r[3]                          // the payee's code; the total row has none
		if r[0] == "合计" {
			key = r[0]
		}
		got[key] = []string{r[6], r[8], r[12], r[13]} // account, amount, status, note
	}
	want := map[string][]string{
		entA:    {"6222021203001234567", "200000.00", "已审核", ""},
		entB:    {"", "50000.00", "已审核", "未登记收款账户"},
		uniCode: {"", "1500000.00", "已审核", "未登记收款账户"},
		"合计":    {"", "1750000.00", "", ""},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("the downloaded workbook (-want +got):\n%s", diff)
	}
}

// payoutStatus reads a payout's status through the API.
func (s *site) payoutStatus(key string, id int64) string {
	s.t.Helper()
	return getJSON[models.Payout](s, key, fmt.Sprintf("/v1/payouts/%d", id)).Status
}

// download lets the tab save files in dir, runs click and waits until the
// browser has saved one: its path.
func (tb *tab) download(dir string, click func()) string {
	tb.t.Helper()
	progress := chromedp.Events(tb.ctx, browser.DownloadProgress)
	if _, err := chromedp.Call(tb.ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: new(true),
	}); err != nil {
		tb.t.Fatal(err)
	}
	click()
	for ev, err := range progress {
		if err != nil {
			tb.t.Fatalf("waiting for the download: %v", err)
		}
		switch ev.State {
		case browser.DownloadProgressStateCompleted:
			path := filepath.Join(dir, ev.GUID)
			if _, err := os.Stat(path); err != nil {
				tb.t.Fatal(err)
			}
			return path
		case browser.DownloadProgressStateCanceled:
			tb.t.Fatal("the download was cancelled")
		}
	}
	tb.t.Fatal("no download")
	return ""
}

// TestBudgetsOnTheOverview: a budget set on its page holds an approval
// that would exceed it (the 409 shown beside the payout, naming what
// remains); raised, it lets the approval through, and the overview shows
// it against what is committed and what remains.
func TestBudgetsOnTheOverview(t *testing.T) {
	s := newSite(t)
	clerk, approver := s.key(models.RoleFinance, ""), s.key(models.RoleFinance, "")
	s.seed(clerk)
	s.call(201, clerk, "POST", "/v1/payout-runs", `{"as_of":"2025-06-30"}`)
	ids := payoutIDs(t, s, clerk)
	tb := s.tab(t)
	tb.signIn(approver)
	tb.goTo("#/budgets?year=2025", "budgets")
	tb.set(`#page select[data-path="payer"]`, "330382")
	if got := eval[string](tb, `document.querySelector('#page input[data-path="year"]').value`); got != "2025" {
		t.Errorf("the year field holds %q", got)
	}
	tb.typeIn(`#page input[data-path="amount"]`, "100,000")
	tb.clickText("#page form", "保存预算指标")
	tb.waitText(`#page tr[data-payer="330382"]`, "100,000.00")
	tb.waitText("#page .notice.ok", "乐清市财政局 2025 年度预算指标：100,000.00 元")

	rowA := fmt.Sprintf(`#page tr[data-payout="%d"]`, ids[entA])
	tb.goTo("#/payouts?status=pending", "payouts")
	tb.clickText(rowA, "审核通过")
	tb.waitText(rowA, "超出预算指标")
	tb.waitText(rowA, "可用余额 100,000.00 元")

	tb.goTo("#/budgets?year=2025", "budgets")
	tb.clickText(`#page tr[data-payer="330382"]`, "修改")
	if got := eval[string](tb, `document.querySelector('#page input[data-path="amount"]').value`); got != "100000.00" {
		t.Errorf("修改 filled the amount with %q", got)
	}
	tb.clear(`#page input[data-path="amount"]`)
	tb.typeIn(`#page input[data-path="amount"]`, "300000")
	tb.clickText("#page form", "保存预算指标")
	tb.waitText(`#page tr[data-payer="330382"]`, "300,000.00")

	tb.goTo("#/payouts?status=pending", "payouts")
	tb.clickText(rowA, "审核通过")
	tb.waitText(rowA, "已审核")

	tb.goTo("#/overview?year=2025", "overview")
	row := `#page tr[data-payer="330382"]`
	tb.waitText(row, "300,000.00")
	cells := eval[[]string](tb, `[...document.querySelector('`+row+`').cells].slice(-3).map((c) => c.textContent)`)
	if diff := cmp.Diff([]string{"300,000.00", "200,000.00", "100,000.00"}, cells); diff != "" {
		t.Errorf("budget, committed, remaining (-want +got):\n%s", diff)
	}
	if got := tb.text(`#page tr[data-payer="330302"]`); !strings.Contains(got, "未设定（不限）") {
		t.Errorf("a payer without a budget reads %q", got)
	}
	if n := eval[int](tb, `document.querySelectorAll('#page svg.chart rect.bar-budget').length`); n != 1 {
		t.Errorf("%d budget bars", n)
	}
	if got := tb.text("#page svg.chart"); !strings.Contains(got, "30万") || !strings.Contains(got, "20万") {
		t.Errorf("the chart's figures: %q", got)
	}
}

// TestForecastWithReform: the reform's fields come from the rules, each
// with the value in force; raising the city-level grant forecasts the
// reform beside the baseline, with who gains, by payer and by rule, and the
// revenue forgone. A bad value is refused at its field.
func TestForecastWithReform(t *testing.T) {
	s := newSite(t)
	finance := s.key(models.RoleFinance, "")
	s.seed(finance)
	tb := s.tab(t)
	tb.signIn(finance)
	tb.goTo("#/forecast", "forecast")
	amounts := `#page [data-param="cert-grant.amounts"]`
	tb.waitText(amounts, "现行：市级 50,000.00 元（5 万元）、省级 200,000.00 元（20 万元）、国家级 500,000.00 元（50 万元）")
	tb.waitText(`#page [data-param="surcharge-credit.allocation"]`, "按应缴额比例分配")
	tb.typeIn(`#page input[data-path="grant_year"]`, "2025")
	tb.set(`#page input[data-path="as_of"]`, "2025-06-30")
	tb.until(`document.querySelector('#page .reform').dataset.asOf === '2025-06-30' && !document.querySelector('#page .reform[aria-busy]')`, "the parameters in force on that day")

	city := amounts + ` input[data-path="overrides.cert-grant.amounts"]`
	tb.clear(city)
	tb.typeIn(city, "80000")
	tb.until(`document.querySelector('`+amounts+`').classList.contains('changed') && document.querySelectorAll('#page .param.changed').length === 1`, "the amounts, and they alone, are marked changed")
	tb.clickText("#page form", "开始测算")
	tb.waitText(`#page [data-figure="baseline"]`, "1,750,000.00 元（175 万元）")
	figures := eval[[]string](tb, `[...document.querySelectorAll('#page [data-figure]')].map((e) => e.textContent)`)
	want := []string{"1,750,000.00 元（175 万元） （3 家单位）", "1,780,000.00 元（178 万元） （3 家单位）", "+30,000.00 元", "增加 1 家，减少 0 家，不变 2 家"}
	if diff := cmp.Diff(want, figures); diff != "" {
		t.Errorf("the figures (-want +got):\n%s", diff)
	}
	byPayer := eval[[]string](tb, `[...document.querySelectorAll('#page .forecast-result section:nth-of-type(1) tbody tr')].map((r) => [...r.cells].map((c) => c.textContent).join(' '))`)
	wantPayer := []string{
		"温州市财政局 1,500,000.00 1 1,500,000.00 1 0.00",
		"鹿城区财政局 50,000.00 1 80,000.00 1 +30,000.00",
		"乐清市财政局 200,000.00 1 200,000.00 1 0.00",
	}
	if diff := cmp.Diff(wantPayer, byPayer); diff != "" {
		t.Errorf("by payer (-want +got):\n%s", diff)
	}
	if n := eval[int](tb, `document.querySelectorAll('#page .forecast-result section:nth-of-type(1) svg.chart rect.bar-reform').length`); n != 3 {
		t.Errorf("%d reform bars by payer", n)
	}
	tb.waitText("#page .forecast-result", "税式支出（减少的附加收入）：2025 年度")
	tb.waitText(`#page tr[data-credit="offset_local"]`, "其中地方教育附加")
	tb.waitText("#page .forecast-result .overrides", "市级 80,000.00 元")

	cap := `#page input[data-path="overrides.donation-match.cap"]`
	tb.clear(cap)
	tb.typeIn(cap, "很多")
	tb.clickText("#page form", "开始测算")
	tb.until(`document.querySelector('`+cap+`').getAttribute('aria-invalid') === 'true'`, "the cap is marked")
	if got := tb.text(`#page [data-param="donation-match.cap"] .field-error`); !strings.Contains(got, "参数取值无效") {
		t.Errorf("the cap's error reads %q", got)
	}
}

// TestRunAndForecastNeedARule: unticking every rule of a payout run or a
// forecast is refused in the page, in words at the rules fieldset (the API
// would read an empty list as every rule); nothing is sent.
func TestRunAndForecastNeedARule(t *testing.T) {
	s := newSite(t)
	finance := s.key(models.RoleFinance, "")
	s.seed(finance)
	tb := s.tab(t)
	tb.signIn(finance)
	rules := `#page fieldset[data-path="rules"]`
	untickAll := func() {
		for _, r := range []string{"cert-grant", "donation-match"} {
			tb.click(rules + ` input[value="` + r + `"]`)
		}
	}
	refused := func(what string) {
		tb.t.Helper()
		tb.until(`document.querySelector('`+rules+`').getAttribute('aria-invalid') === 'true'`, what+": the rules are marked")
		tb.waitText(rules+" .field-error", "请至少选择一项规则")
		if !eval[bool](tb, `document.activeElement === document.querySelector('`+rules+` input')`) {
			t.Errorf("%s: the focus is not on the first rule", what)
		}
	}

	tb.goTo("#/runs", "runs")
	untickAll()
	tb.clickText("#page form", "开始发放测算")
	refused("the run")
	if got := getJSON[struct{ Runs []models.PayoutRun }](s, finance, "/v1/payout-runs").Runs; len(got) != 0 {
		t.Errorf("%d runs started without a rule", len(got))
	}
	// Ticked again, the mark goes.
	tb.click(rules + ` input[value="cert-grant"]`)
	tb.until(`!document.querySelector('`+rules+`').hasAttribute('aria-invalid')`, "the mark goes")

	tb.goTo("#/forecast", "forecast")
	tb.until(`document.querySelector('#page .reform details')`, "the reform's fields")
	untickAll()
	tb.clickText("#page form", "开始测算")
	refused("the forecast")
	if got := tb.text("#page .forecast-result"); got != "" {
		t.Errorf("a forecast without a rule shows %q", got)
	}
}

// TestTotalRows: the past runs and a tax officer's credit years each end in
// a total row, summed exactly.
func TestTotalRows(t *testing.T) {
	s := newSite(t)
	finance := s.key(models.RoleFinance, "")
	s.seed(finance)
	s.call(201, finance, "POST", "/v1/payout-runs", `{"as_of":"2025-06-30"}`) // A 20万, B 5万, the university 150万
	s.call(201, finance, "PUT", "/v1/enterprises/91330381MA2C00004Q", `{"name":"瑞安汽摩配件股份有限公司","region":"330381"}`)
	s.call(201, finance, "POST", "/v1/enterprises/91330381MA2C00004Q/certifications", `{"level":"city","certified_on":"2025-01-10"}`)
	s.call(201, finance, "POST", "/v1/payout-runs", `{"as_of":"2025-06-30"}`) // 瑞安 5万
	s.call(201, finance, "PUT", "/v1/enterprises/"+entA+"/credit-years/2024", `{"investment":"1000000.00","fiscal_subsidy":"0.00","education_surcharge":"30000.00","local_education_surcharge":"20000.00"}`)
	s.call(201, finance, "PUT", "/v1/enterprises/"+entA+"/credit-years/2025", `{"investment":"400000.01","fiscal_subsidy":"0.00","withdrawn":"100.00","education_surcharge":"120000.00","local_education_surcharge":"80000.00"}`)
	tb := s.tab(t)
	foot := func(table string) []string {
		tb.t.Helper()
		tb.until(table+`?.tFoot`, "the table's total row")
		return eval[[]string](tb, `[...`+table+`.tFoot.rows[0].cells].map((c) => c.textContent)`)
	}

	tb.signIn(finance)
	tb.goTo("#/runs", "runs")
	tb.until(`document.querySelectorAll('#page section tbody tr').length === 2`, "the two runs")
	want := []string{"合计", "", "", "", "", "", "", "4", "1,800,000.00"}
	if diff := cmp.Diff(want, foot(`document.querySelector('#page section table')`)); diff != "" {
		t.Errorf("the runs' total row (-want +got):\n%s", diff)
	}

	tb.click("#signout")
	tb.signIn(s.key(models.RoleTax, ""))
	tb.goTo("#/credit/"+entA, "credit-of")
	years := `[...document.querySelectorAll('#page table')].find((t) => t.caption?.textContent === '抵免年度')`
	want = []string{"合计", "1,400,000.01", "0.00", "100.00", "150,000.00", "100,000.00", ""}
	if diff := cmp.Diff(want, foot(years)); diff != "" {
		t.Errorf("the credit years' total row (-want +got):\n%s", diff)
	}
}

// TestFinanceEditsTheRegistry: a finance officer finds an enterprise by a
// part of its name, adds a certification and corrects it (records its
// revocation); edits a university's record and its payee account, and adds
// a donation. The pages show each change, and the API holds it.
func TestFinanceEditsTheRegistry(t *testing.T) {
	s := newSite(t)
	finance := s.key(models.RoleFinance, "")
	s.seed(finance)
	tb := s.tab(t)
	tb.signIn(finance)

	// Found by name, opened from the list.
	tb.goTo("#/registry", "registry")
	tb.typeIn(`#page input[type=search]`, "示例电气\r")
	tb.until(`location.hash === '#/registry?q=%E7%A4%BA%E4%BE%8B%E7%94%B5%E6%B0%94' && document.querySelectorAll('#page tbody tr').length === 1`, "the enterprise found")
	tb.clickText("#page tbody", "示例电气有限公司")
	tb.until(`document.querySelector('#page > .page')?.dataset.rendered === 'enterprise'`, "the enterprise's page")

	// A certification added, then its revocation recorded.
	cert := `#page form:has(input[data-path="revoked_on"])`
	tb.set(cert+` select[data-path="level"]`, "national")
	tb.set(cert+` input[data-path="certified_on"]`, "2025-01-10")
	tb.clickText(cert, "添加")
	tb.waitText("#page .notice.ok", "认定已保存")
	tb.waitText("#page section table", "国家级")
	national := `[...document.querySelectorAll('#page section tbody tr')].find((r) => r.cells[0].textContent === '国家级')`
	eval[bool](tb, `(`+national+`.querySelector('button').click(), true)`)
	tb.waitText(cert+" h3", "修改国家级认定")
	tb.set(cert+` input[data-path="revoked_on"]`, "2025-05-01")
	tb.clickText(cert, "保存")
	tb.until(national+`?.cells[2].textContent === '2025年5月1日'`, "the revocation in the table")
	certs := getJSON[struct{ Certifications []models.CertificationRecord }](s, finance, "/v1/enterprises/"+entA+"/certifications")
	var got []string
	for _, c := range certs.Certifications {
		g := c.Level + " " + c.CertifiedOn.String()
		if c.RevokedOn != nil {
			g += " revoked " + c.RevokedOn.String()
		}
		got = append(got, g)
	}
	if diff := cmp.Diff([]string{"province 2024-03-01", "national 2025-01-10 revoked 2025-05-01"}, got); diff != "" {
		t.Errorf("the certifications the API holds (-want +got):\n%s", diff)
	}

	// The university: its record and payee account, then a donation.
	tb.goTo("#/registry?tab=universities", "registry")
	tb.clickText("#page tbody", "温州职业技术学院")
	tb.until(`document.querySelector('#page > .page')?.dataset.rendered === 'university'`, "the university's page")
	record := `#page form:has(input[data-path="payee.account_no"])`
	tb.clear(record + ` input[data-path="name"]`)
	tb.typeIn(record+` input[data-path="name"]`, "温州职业技术学院（滨海校区）")
	tb.typeIn(record+` input[data-path="payee.account_name"]`, "温州职业技术学院")
	tb.typeIn(record+` input[data-path="payee.account_no"]`, "3301 0400 0000 1234 5678")
	tb.typeIn(record+` input[data-path="payee.bank_name"]`, "中国银行温州分行")
	tb.clickText(record, "保存")
	tb.waitText("#page .notice.ok", "已保存")
	tb.waitText("#page h1", "温州职业技术学院（滨海校区）")

	donation := `#page form:has(input[data-path="arrived_on"])`
	tb.typeIn(donation+` input[data-path="amount"]`, "1,000,000")
	tb.set(donation+` input[data-path="arrived_on"]`, "2025-03-01")
	tb.clickText(donation, "添加")
	tb.waitText("#page .notice.ok", "捐赠已记录")
	tb.waitText("#page section tbody", "2025年3月1日")
	tb.waitText("#page section tfoot", "4,000,000.00")

	type university struct {
		Name      string
		Payee     *models.Payee
		Donations []struct {
			Amount    models.Money
			ArrivedOn *models.Date `json:"arrived_on"`
		}
	}
	u := getJSON[university](s, finance, "/v1/universities/"+uniCode)
	if u.Name != "温州职业技术学院（滨海校区）" {
		t.Errorf("the university's name is %q", u.Name)
	}
	if diff := cmp.Diff(&models.Payee{AccountName: "温州职业技术学院", AccountNo: "33010400000012345678", BankName: "中国银行温州分行"}, u.Payee); diff != "" {
		t.Errorf("the payee the API holds (-want +got):\n%s", diff)
	}
	var donations []string
	for _, d := range u.Donations {
		donations = append(donations, d.Amount.String()+" "+d.ArrivedOn.String())
	}
	if diff := cmp.Diff([]string{"3000000.00 2024-05-06", "1000000.00 2025-03-01"}, donations); diff != "" {
		t.Errorf("the donations the API holds (-want +got):\n%s", diff)
	}
}
