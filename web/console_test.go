package web_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// TestFinanceRunAndApprove: a finance officer signs in, starts a payout
// run, watches it finish and signs out; a second finance officer approves
// one payout, rejects another with a reason, and sees the API's refusal
// of a payout approved meanwhile (four eyes will require the second key:
// this works now too).
func TestFinanceRunAndApprove(t *testing.T) {
	s := newSite(t)
	clerk, approver, other := s.key(models.RoleFinance, ""), s.key(models.RoleFinance, ""), s.key(models.RoleAdmin, "")
	s.seed(clerk)
	tb := s.tab(t)
	tb.signIn(clerk)
	tb.waitText("#menu", "发放批次")
	tb.goTo("#/runs", "runs")
	tb.set(`#page input[type=date]`, "2025-06-30")
	tb.clickText("#page form", "开始发放测算")
	tb.until(`/^#\/runs\/\d+$/.test(location.hash)`, "the run's page opens")
	tb.waitText("#page", "已完成")
	tb.waitText("#page", "已筛查 3 / 3")
	tb.until(`document.querySelector('#page progress').value === document.querySelector('#page progress').max`, "the progress bar is full")
	tb.waitText("#page", "1,750,000.00 元（175 万元）") // A 20万, B 5万, the university's match 150万
	// The run is listed with its status.
	tb.goTo("#/runs", "runs")
	tb.waitText("#page table", "已完成")

	// Signing out forgets the key: nothing of it stays in the tab's storage.
	tb.click("#signout")
	tb.until(`!document.getElementById('signin').hidden`, "the sign-in form")
	if eval[bool](tb, `sessionStorage.length > 0 || Object.values(localStorage).some((v) => v.startsWith('sk_')) || document.cookie !== '' || location.href.includes('sk_')`) {
		t.Error("the key stayed somewhere after signing out")
	}

	tb.signIn(approver)
	if !eval[bool](tb, `sessionStorage.getItem('subsidy.console.key') === `+jsString(approver)) {
		t.Error("the key is not in sessionStorage")
	}
	if eval[bool](tb, `Object.values(localStorage).some((v) => v.startsWith('sk_'))`) {
		t.Error("the key is in localStorage")
	}
	tb.goTo("#/payouts?status=pending", "payouts")
	tb.waitText("#page tbody", "示例电气有限公司")
	// The glossary's words: the enterprise or university paid, by its
	// code; the payer by its bureau's name.
	tb.waitText("#page thead", "企业/高校")
	tb.waitText("#page form", "统一社会信用代码/高校代码")
	tb.waitText(`#page select[data-path="payer"]`, "乐清市财政局 330382")
	payouts := payoutIDs(t, s, approver)
	a, b, u := payouts[entA], payouts[entB], payouts[uniCode]

	// Approve A's grant from its row.
	rowA := fmt.Sprintf(`#page tr[data-payout="%d"]`, a)
	tb.clickText(rowA, "审核通过")
	tb.waitText(rowA, "已审核")
	// Reject the university's match with a reason, in a dialog.
	rowU := fmt.Sprintf(`#page tr[data-payout="%d"]`, u)
	tb.clickText(rowU, "驳回")
	tb.until(`document.querySelector('dialog[open] textarea')`, "the reason dialog")
	tb.do(chromedpFocusType("dialog[open] textarea", "捐赠票据待核实"))
	tb.clickText("dialog[open]", "驳回")
	tb.waitText(rowU, "已驳回")

	// B's grant is approved by someone else meanwhile: the page's approve
	// is refused, and the API's reason is shown beside the payout.
	tb.goTo(fmt.Sprintf("#/payouts/%d", b), "payout")
	tb.waitText("#page", "鹿城机械有限公司")
	tb.waitText("#page", "企业在温州市注册") // the decision's conditions
	tb.waitText("#page .citation", "温发改社〔2024〕172号")
	s.call(200, other, "POST", fmt.Sprintf("/v1/payouts/%d/approve", b), "")
	tb.clickText("#page", "审核通过")
	tb.until(`document.querySelector('#page .notice.bad')`, "the refusal")
	if got := tb.text("#page .notice.bad"); !strings.Contains(got, "待审核") && !strings.Contains(got, "状态") {
		t.Errorf("the refusal says %q", got)
	}

	got := map[string]string{}
	for subject, id := range payouts {
		p := getJSON[models.Payout](s, approver, fmt.Sprintf("/v1/payouts/%d", id))
		got[subject] = p.Status + " " + p.Reason
	}
	want := map[string]string{entA: "approved ", entB: "approved ", uniCode: "rejected 捐赠票据待核实"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("payout of %s: %q, want %q", k, got[k], v)
		}
	}

	// The overview adds them up by payer.
	tb.goTo("#/overview", "overview")
	tb.waitText("#page table", "乐清市财政局")
	tb.waitText("#page tfoot", "1,500,000.00")
	if n := eval[int](tb, `document.querySelectorAll('#page svg.chart rect').length`); n < 3 {
		t.Errorf("the overview chart has %d bars", n)
	}
}

// payoutIDs maps each subject to its payout's id.
func payoutIDs(t *testing.T, s *site, key string) map[string]int64 {
	t.Helper()
	list := getJSON[struct{ Payouts []models.Payout }](s, key, "/v1/payouts")
	ids := map[string]int64{}
	for _, p := range list.Payouts {
		ids[p.Subject] = p.ID
	}
	if len(ids) != 3 {
		t.Fatalf("payouts %+v", list.Payouts)
	}
	return ids
}

// TestTaxRecordAndVerify: a tax officer finds an enterprise, records a
// credit year, sees the ledger as a table and a chart, and verifies a
// claim, with the verdict and the history.
func TestTaxRecordAndVerify(t *testing.T) {
	s := newSite(t)
	s.seed(s.key(models.RoleFinance, ""))
	tb := s.tab(t)
	tb.signIn(s.key(models.RoleTax, ""))
	if got := tb.text("#menu"); strings.Contains(got, "发放批次") || !strings.Contains(got, "抵免核验") {
		t.Errorf("the tax menu is %q", got)
	}
	tb.typeIn(`#page input[data-path="credit_code"]`, entA)
	tb.clickText("#page", "查找")
	tb.until(`location.hash === '#/credit/`+entA+`' && document.querySelector('#page > .page')?.dataset.rendered`, "the enterprise's credit page")
	tb.waitText("#page h2.subject-name", "示例电气有限公司")

	record := `#page form:has(input[data-path="investment"])`
	tb.typeIn(record+` input[data-path="year"]`, "2024")
	tb.typeIn(record+` input[data-path="investment"]`, "1,000,000.00")
	tb.typeIn(record+` input[data-path="fiscal_subsidy"]`, "0")
	tb.typeIn(record+` input[data-path="education_surcharge"]`, "30000")
	tb.typeIn(record+` input[data-path="local_education_surcharge"]`, "20000")
	tb.clickText(record, "保存该年度")
	tb.waitText("#page", "2024 年度已保存")
	tb.waitText("#page table.ledger tbody", "300,000.00")
	tb.waitText("#page table.ledger tbody", "250,000.00")
	if n := eval[int](tb, `document.querySelectorAll('#page svg.chart rect').length`); n != 2 {
		t.Errorf("the ledger chart has %d bars", n)
	}

	verify := `#page form:has(input[data-path="claimed_offset"])`
	tb.typeIn(verify+` input[data-path="year"]`, "2024")
	tb.typeIn(verify+` input[data-path="claimed_offset"]`, "60000.00")
	tb.clickText(verify, "核验")
	tb.waitText(verify, "多抵")
	tb.waitText(verify, "10,000.00")
	tb.clear(verify + ` input[data-path="claimed_offset"]`)
	tb.typeIn(verify+` input[data-path="claimed_offset"]`, "50000")
	tb.clickText(verify, "核验")
	tb.waitText(verify, "一致")
	tb.until("[...document.querySelectorAll('#page table')].find((t) => t.textContent.includes('申报抵免额'))?.tBodies[0].rows.length === 2", "two verifications in the history")
	tb.waitText("#page", "核验记录")

	// A year the ledger lacks is refused at its field.
	tb.clear(verify + ` input[data-path="year"]`)
	tb.typeIn(verify+` input[data-path="year"]`, "1999")
	tb.clickText(verify, "核验")
	tb.until(`document.querySelector('`+verify+` input[data-path="year"]').getAttribute('aria-invalid') === 'true'`, "the year is marked")
}

// TestEnterpriseSeesOnlyItsOwn: an enterprise's key sees its eligibility,
// its ledger and its own payouts; another's data is not there for it.
func TestEnterpriseSeesOnlyItsOwn(t *testing.T) {
	s := newSite(t)
	finance := s.key(models.RoleFinance, "")
	s.seed(finance)
	s.call(200, finance, "PUT", "/v1/enterprises/"+entA, `{"name":"示例电气有限公司","region":"330382","payee":{"account_name":"示例电气有限公司","account_no":"6222021203001234567","bank_name":"中国工商银行乐清支行"}}`)
	s.call(201, finance, "POST", "/v1/payout-runs", `{"as_of":"2025-06-30"}`)
	ids := payoutIDs(t, s, finance)
	s.call(200, s.key(models.RoleFinance, ""), "POST", fmt.Sprintf("/v1/payouts/%d/approve", ids[entA]), "")
	tb := s.tab(t)
	tb.signIn(s.key(models.RoleEnterprise, entA))
	menu := tb.text("#menu")
	for _, want := range []string{"资格与金额", "抵免台账", "补助发放"} {
		if !strings.Contains(menu, want) {
			t.Errorf("the menu %q lacks %s", menu, want)
		}
	}
	if strings.Contains(menu, "发放批次") || strings.Contains(menu, "企业与高校") {
		t.Errorf("the enterprise's menu offers staff pages: %q", menu)
	}
	tb.waitText("#whoami", entA)
	tb.waitText("#page", "示例电气有限公司")
	tb.waitText(`#page [data-rule="cert-grant"]`, "符合条件")
	// Its payee account, the number masked to its last four digits.
	tb.waitText("#page .payee", "***************4567")
	if got := tb.text("#page"); strings.Contains(got, "6222021203001234567") {
		t.Error("the enterprise sees its whole account number")
	}

	tb.goTo("#/payouts", "payouts")
	tb.waitText("#page tbody", "200,000.00")
	tb.waitText("#page tbody ol.steps", "已审核 ") // its history: recorded, then approved
	if n := eval[int](tb, `document.querySelectorAll('#page tbody ol.steps li').length`); n != 2 {
		t.Errorf("the payout's history has %d steps, want 2", n)
	}
	if got := tb.text("#page"); strings.Contains(got, "鹿城机械") || strings.Contains(got, "温州职业技术学院") || strings.Contains(got, "审核通过") {
		t.Errorf("the enterprise sees others' payouts or staff actions: %q", got)
	}
	tb.goTo("#/mine/ledger", "my-ledger")
	tb.waitText("#page", "还没有抵免年度")

	// Another's payout, asked for by its address: not found.
	eval[bool](tb, fmt.Sprintf(`(location.hash = '#/payouts/%d', true)`, ids[entB]))
	tb.until(`document.querySelector('#page .notice.bad')`, "a refusal")
	if got := tb.text("#page"); !strings.Contains(got, "未找到") || strings.Contains(got, "鹿城机械") {
		t.Errorf("another's payout: %q", got)
	}
	// A staff page is not offered: the console goes back to its own.
	eval[bool](tb, `(location.hash = '#/registry', true)`)
	tb.until(`location.hash === '#/mine'`, "back to its own page")
}

// TestNamesAreText: an enterprise named like markup is shown as those
// characters, in the console and in the self-check; no script runs.
func TestNamesAreText(t *testing.T) {
	s := newSite(t)
	finance := s.key(models.RoleFinance, "")
	const name = `<img src=x onerror=alert(1)>`
	body, _ := json.Marshal(map[string]string{"name": name, "region": "330382"})
	s.call(201, finance, "PUT", "/v1/enterprises/"+entA, string(body))
	tb := s.tab(t)
	tb.signIn(finance)
	tb.goTo("#/registry", "registry")
	tb.waitText("#page tbody", name)
	if got := eval[string](tb, `document.querySelector('#page .subject-name').textContent`); got != name {
		t.Errorf("the list shows %q", got)
	}
	tb.goTo("#/enterprises/"+entA, "enterprise")
	if got := eval[string](tb, `document.querySelector('#page h1').textContent`); got != name {
		t.Errorf("the heading shows %q", got)
	}
	if n := eval[int](tb, `document.querySelectorAll('img').length`); n != 0 {
		t.Errorf("%d img elements in the page", n)
	}
	if got := eval[string](tb, `document.title`); !strings.HasPrefix(got, name) {
		t.Errorf("title %q", got)
	}

	other := s.tab(t)
	other.open("/")
	other.typeIn("#e-code", entA)
	other.typeIn("#e-name", name)
	other.set("#e-region", "330382")
	other.click("#submit")
	other.waitText("#results-meta", name)
	if n := eval[int](other, `document.querySelectorAll('img').length`); n != 0 {
		t.Errorf("%d img elements in the self-check", n)
	}
}

// TestAdminKeys: an administrator creates a key (its secret shown once),
// sees it listed, revokes it; the audit trail shows both.
func TestAdminKeys(t *testing.T) {
	s := newSite(t)
	tb := s.tab(t)
	tb.signIn(s.key(models.RoleAdmin, ""))
	tb.goTo("#/keys", "keys")
	tb.set(`#page select[data-path="role"]`, "tax")
	tb.typeIn(`#page input[data-path="label"]`, "瓯海区税务局 李四")
	tb.clickText("#page", "生成密钥")
	tb.until(`document.getElementById('new-secret')?.value.startsWith('sk_')`, "the secret is shown")
	secret := eval[string](tb, `document.getElementById('new-secret').value`)
	s.call(200, secret, "GET", "/v1/whoami", "")
	tb.waitText("#page table", "瓯海区税务局 李四")

	keys := getJSON[struct{ Keys []models.APIKey }](s, s.key(models.RoleAdmin, ""), "/v1/keys")
	var id string
	for _, k := range keys.Keys {
		if k.Label == "瓯海区税务局 李四" {
			id = k.ID
		}
	}
	tb.clickText(fmt.Sprintf(`#page tr:has(td:first-child span[class="mono"]):nth-child(%d)`, 2), "吊销")
	tb.until(`document.querySelector('dialog[open]')`, "the confirmation")
	tb.clickText("dialog[open]", "吊销")
	tb.waitText("#page", "已吊销")
	s.call(401, secret, "GET", "/v1/whoami", "")

	// Leaving the page forgets the secret.
	tb.goTo("#/audit?entity=api_key&entity_id="+id, "audit")
	tb.waitText("#page tbody", id)
	if n := eval[int](tb, `document.querySelectorAll('#page tbody tr').length`); n != 2 {
		t.Errorf("the audit trail of the key has %d entries, want 2", n)
	}
	if strings.Contains(tb.text("body"), secret) {
		t.Error("the secret is still on the page")
	}
}

// TestImportShowsRejectedLines: a certification list with bad lines is
// refused whole, every bad line in a table by its line and column; a good
// list is imported and summed up.
func TestImportShowsRejectedLines(t *testing.T) {
	s := newSite(t)
	tb := s.tab(t)
	tb.signIn(s.key(models.RoleFinance, ""))
	tb.goTo("#/import", "import")
	bad := "统一社会信用代码,企业名称,所在地,认定等级,认定日期\n" +
		"91330381MA2C00004Q,瑞安汽摩,瑞安市,省级,2024-09-01\n" +
		"91330381MA2C00004X,坏代码,瑞安市,省级,2024-09-01\n" +
		"91330326MA2C00007D,平阳,火星,县级,2024-13-01\n"
	eval[bool](tb, `(document.querySelector('#page textarea').value = `+jsString(bad)+`, true)`)
	tb.clickText("#page form", "导入名单")
	tb.until(`document.querySelectorAll('#page section tbody tr').length > 0`, "the refused lines")
	rows := eval[[]string](tb, `[...document.querySelectorAll('#page section tbody tr')].map((r) => [...r.cells].slice(0, 2).map((c) => c.textContent).join(' '))`)
	want := []string{"3 统一社会信用代码", "4 所在地", "4 认定等级", "4 认定日期"}
	if strings.Join(rows, "|") != strings.Join(want, "|") {
		t.Errorf("rejected lines %q, want %q; the page says:\n%s", rows, want, tb.text("#page"))
	}
	s.call(404, s.key(models.RoleFinance, ""), "GET", "/v1/enterprises/91330381MA2C00004Q", "")

	good := "统一社会信用代码,企业名称,所在地,认定日期\n91330381MA2C00004Q,瑞安汽摩,瑞安市,2024年9月1日\n"
	eval[bool](tb, `(document.querySelector('#page textarea').value = `+jsString(good)+`, true)`)
	tb.set(`#page select[data-path="level"]`, "province")
	tb.clickText("#page form", "导入名单")
	tb.waitText("#page section", "名单已全部导入")
	s.call(200, s.key(models.RoleFinance, ""), "GET", "/v1/enterprises/91330381MA2C00004Q", "")
}

// TestConsoleInEnglish: the switch relabels the console and the API's
// messages come in English.
func TestConsoleInEnglish(t *testing.T) {
	s := newSite(t)
	finance := s.key(models.RoleFinance, "")
	s.seed(finance)
	tb := s.tab(t)
	tb.signIn(finance)
	tb.click("#lang-switch")
	tb.waitText("#menu", "Payout runs")
	tb.goTo("#/registry", "registry")
	tb.waitText("#page h1", "Registry")
	// A refused registration: the API's message is in English, at its field.
	tb.clickText("#page form:has(h2)", "Register")
	tb.until(`document.querySelector('#page [data-path="credit_code"]')?.getAttribute('aria-invalid') === 'true'`, "the code is marked")
	if got := tb.text(`#page form:has(h2) .field-error:not([hidden])`); !strings.Contains(got, "unified social credit code") {
		t.Errorf("the error reads %q", got)
	}
	// The reform's fields: the rules' descriptions and values in force, in English.
	tb.goTo("#/forecast", "forecast")
	tb.waitText(`#page [data-param="cert-grant.amounts"]`, "In force: City 50,000.00 yuan, Province 200,000.00 yuan")
	tb.waitText(`#page [data-param="cert-grant.stacking"]`, "each level in full")
}

// numberedCode is the i-th valid credit code of a county's test enterprises.
func numberedCode(t *testing.T, region string, i int) string {
	t.Helper()
	first17 := fmt.Sprintf("91%sMA2D%05d", region, i)
	c, ok := models.CreditCodeCheckChar(first17)
	if !ok {
		t.Fatalf("no check character for %s", first17)
	}
	return first17 + string(c)
}

// TestRegistrySearch: an enterprise is found by a part of its name, Latin
// letters in any case, among the whole registry (not only the page
// loaded), and "%" finds a percent sign only; the universities have a
// search box too, and their list is paged.
func TestRegistrySearch(t *testing.T) {
	s := newSite(t)
	finance := s.key(models.RoleFinance, "")
	s.seed(finance) // 示例电气有限公司 (91330382MA2A…), 鹿城机械有限公司 (91330302…)
	// More enterprises than a page holds, their codes before the one sought
	// (imported as a certification list: one request).
	list := "统一社会信用代码,企业名称,所在地,认定等级,认定日期\n"
	for i := range 500 {
		list += fmt.Sprintf("%s,鹿城企业%03d,鹿城区,市级,2024-06-01\n", numberedCode(t, "330302", i), i)
	}
	s.callType(200, finance, "POST", "/v1/certifications/import", "text/csv", list)
	s.call(201, finance, "PUT", "/v1/enterprises/"+numberedCode(t, "330383", 1), `{"name":"龙港 Smart 100% 包装有限公司","region":"330383"}`)
	for i := range 100 {
		s.call(201, finance, "PUT", fmt.Sprintf("/v1/universities/u%03d", i), fmt.Sprintf(`{"name":"测试学院%03d","ownership":"public","affiliation":"city"}`, i))
	}
	tb := s.tab(t)
	tb.signIn(finance)
	tb.goTo("#/registry", "registry")
	names := func() []string {
		return eval[[]string](tb, `[...document.querySelectorAll('#page tbody .subject-name')].map((e) => e.textContent)`)
	}
	// search types text and presses Enter; the page it opens is a new one
	// (the one searched from is marked, not to be mistaken for it).
	search := func(text string) {
		tb.t.Helper()
		eval[bool](tb, `(document.querySelector('#page > .page').dataset.old = 'true', true)`)
		tb.clear(`#page input[type=search]`)
		tb.typeIn(`#page input[type=search]`, text+"\r")
		tb.until(`(() => { const p = document.querySelector('#page > .page'); return !p.dataset.old && p.dataset.rendered === 'registry'; })()`, "the answer to "+text)
	}
	search("smart")
	if diff := cmp.Diff([]string{"龙港 Smart 100% 包装有限公司"}, names()); diff != "" {
		t.Errorf("smart (-want +got):\n%s", diff)
	}
	search("%")
	if diff := cmp.Diff([]string{"龙港 Smart 100% 包装有限公司"}, names()); diff != "" {
		t.Errorf("%% (-want +got):\n%s", diff)
	}
	search("电气")
	if diff := cmp.Diff([]string{"示例电气有限公司"}, names()); diff != "" {
		t.Errorf("电气 (-want +got):\n%s", diff)
	}
	search("没有这家")
	tb.waitText("#page section", "没有找到")

	// The universities: a page of 100, then the rest; found by name.
	tb.goTo("#/registry?tab=universities", "registry")
	tb.until(`document.querySelectorAll('#page tbody tr').length === 100`, "the first page of universities")
	tb.clickText("#page section", "加载更多")
	tb.until(`document.querySelectorAll('#page tbody tr').length === 101`, "every university")
	if tb.text("#page section button") != "" {
		t.Error("a 加载更多 after the last page")
	}
	search("职业")
	if diff := cmp.Diff([]string{"温州职业技术学院"}, names()); diff != "" {
		t.Errorf("职业 (-want +got):\n%s", diff)
	}
	search("U00")
	if n := len(names()); n != 10 {
		t.Errorf("U00 finds %d universities, want 10 (u000 to u009)", n)
	}
}
