package web_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// A small valid PDF: one empty page.
const onePagePDF = "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n" +
	"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"

// files writes files named as given into a temporary directory: their paths.
func files(t *testing.T, byName map[string]string) map[string]string {
	t.Helper()
	dir := t.TempDir()
	paths := map[string]string{}
	for name, body := range byName {
		paths[name] = filepath.Join(dir, name)
		if err := os.WriteFile(paths[name], []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return paths
}

// TestApplicationReturnedCorrectedAccepted: an enterprise submits a
// certification with its PDF and reads the evaluation at once; a renamed
// executable is refused (415) in words. A finance officer opens the PDF in
// the viewer and returns the application with a reason; the enterprise
// reads it, corrects the date and submits again; another finance officer,
// whose page is overtaken by new evidence (409, in words), reloads and
// accepts it, and the certification is in the registry.
func TestApplicationReturnedCorrectedAccepted(t *testing.T) {
	s := newSite(t)
	reviewer, accepter := s.key(models.RoleFinance, ""), s.key(models.RoleFinance, "")
	s.seed(reviewer)
	ent := s.key(models.RoleEnterprise, entB)
	paths := files(t, map[string]string{
		"认定文件.pdf": onePagePDF,
		"证书.pdf":   "MZ\x90\x00\x03\x00\x00\x00 this program cannot be run in DOS mode",
		"扫描件.pdf":  "%PDF-1.4\n" + strings.Repeat("0", 5<<20),
	})

	tb := s.tab(t)
	tb.signIn(ent)
	tb.goTo("#/mine/applications", "my-applications")
	tb.waitText("#page", "还没有申报")
	tb.clickText("#page", "新的申报")
	tb.until(`document.querySelector('#page > .page')?.dataset.rendered === 'my-application-new'`, "the new application's form")
	tb.set(`#page select[data-path="certifications[0].level"]`, "province")
	tb.set(`#page input[data-path="certifications[0].certified_on"]`, "2025-03-01")
	tb.typeIn(`#page input[data-path="certifications[0].certificate_no"]`, "浙产教认〔2025〕018号")
	tb.do(chromedp.SetUploadFiles(chromedp.CSS(`#page input[type=file]`), []string{paths["认定文件.pdf"]}))
	tb.clickText("#page form", "提交申报")
	tb.until(`/^#\/mine\/applications\/\d+$/.test(location.hash) && document.querySelector('#page > .page')?.dataset.rendered === 'my-application'`, "the application's page")
	tb.waitText("#page", "已提交申报")
	tb.waitText("#page .evaluation", "符合条件")
	tb.waitText("#page .evaluation .amount-value", "250,000.00") // the city level recorded, the province claimed: both due
	tb.waitText("#page .evaluation", "温发改社〔2024〕172号")
	tb.waitText("#page .evidence .notice.ok", "认定文件.pdf：已上传")
	tb.waitText("#page .evidence table", "认定文件.pdf")
	id := strings.TrimPrefix(eval[string](tb, `location.hash`), "#/mine/applications/")
	if got := tb.text("#page"); strings.Contains(got, "null") || strings.Contains(got, "undefined") {
		t.Errorf("the page shows a missing value: %q", got)
	}

	// An executable named like a PDF (the API reads its content), and a
	// file above 5 MiB: each refused, in words.
	tb.do(chromedp.SetUploadFiles(chromedp.CSS(`#page .evidence input[type=file]`), []string{paths["证书.pdf"], paths["扫描件.pdf"]}))
	tb.clickText("#page .evidence", "上传")
	tb.waitText("#page .evidence .evidence-notes", "证书.pdf：未上传")
	notes := eval[[]string](tb, `[...document.querySelectorAll('#page .evidence-notes .notice.bad')].map((n) => n.textContent)`)
	if len(notes) != 2 || !strings.Contains(notes[0], "不是 PDF、PNG 或 JPEG 文件") || !strings.Contains(notes[1], "扫描件.pdf：未上传") || !strings.Contains(notes[1], "请压缩或分拆后再上传") {
		t.Errorf("the refusals read %q", notes)
	}
	if n := eval[int](tb, `document.querySelectorAll('#page .evidence tbody tr').length`); n != 1 {
		t.Errorf("%d files listed after the refusal, want 1", n)
	}
	tb.click("#signout")

	// Review: the evidence in the viewer, then returned with a reason.
	tb.signIn(reviewer)
	tb.goTo("#/applications", "applications")
	row := fmt.Sprintf(`#page tr[data-application="%s"]`, id)
	tb.waitText(row, "鹿城机械有限公司")
	tb.waitText(row, "已提交")
	tb.clickText(row, "#"+id)
	tb.until(`document.querySelector('#page > .page')?.dataset.rendered === 'application'`, "the review page")
	tb.waitText("#page", "已登记的认定")
	tb.waitText("#page", "市级 2024年6月1日")
	tb.waitText("#page .evaluation", "250,000.00")
	if got := tb.text("#page"); strings.Contains(got, "null") || strings.Contains(got, "undefined") {
		t.Errorf("the review page shows a missing value: %q", got)
	}
	tb.clickText(`#page .evidence tr[data-evidence="1"]`, "查看")
	tb.until(`document.querySelector('#page iframe.evidence-frame')?.src.startsWith('blob:')`, "the PDF in the viewer")
	tb.until(`document.querySelector('#page iframe.evidence-frame').contentDocument?.readyState === 'complete'`, "the viewer loaded")
	tb.clickText("#page .decision", "退回修改")
	tb.until(`document.querySelector('dialog[open] textarea')`, "the reason dialog")
	tb.clickText("dialog[open]", "退回修改") // no reason: refused at the field, in the dialog
	tb.until(`document.querySelector('dialog[open] textarea').getAttribute('aria-invalid') === 'true'`, "the empty reason is marked")
	tb.do(chromedpFocusType("dialog[open] textarea", "认定日期与证书不符，请核对"))
	tb.clickText("dialog[open]", "退回修改")
	tb.waitText("#page .notice.ok", "已退回修改")
	tb.waitText("#page .page-head .status", "退回修改")
	tb.click("#signout")

	// The enterprise reads why, corrects the date and submits again.
	tb.signIn(ent)
	tb.goTo("#/mine/applications", "my-applications")
	tb.waitText(fmt.Sprintf(`#page tr[data-application="%s"]`, id), "请修改后重新提交")
	tb.goTo("#/mine/applications/"+id, "my-application")
	tb.waitText("#page .notice.bad", "退回修改：认定日期与证书不符，请核对")
	if got := eval[string](tb, `document.querySelector('#page input[data-path="certifications[0].certificate_no"]').value`); got != "浙产教认〔2025〕018号" {
		t.Errorf("the correction form holds %q", got)
	}
	tb.set(`#page input[data-path="certifications[0].certified_on"]`, "2025-03-02")
	tb.clickText("#page form", "重新提交")
	tb.waitText("#page .notice.ok", "已重新提交")
	tb.waitText("#page .page-head .status", "已提交")
	tb.waitText("#page .history", "退回修改")
	tb.click("#signout")

	// Another officer accepts; new evidence meanwhile makes the page's
	// version stale: refused in words, then reloaded and accepted.
	tb.signIn(accepter)
	tb.goTo("#/applications/"+id, "application")
	tb.waitText("#page .decision", "受理")
	s.upload(ent, id, "补充.pdf", onePagePDF)
	tb.clickText("#page .decision", "受理")
	tb.until(`document.querySelector('dialog[open]')`, "the confirmation")
	tb.clickText("dialog[open]", "受理")
	tb.until(`document.querySelector('#page .decision .notice.bad')`, "the conflict")
	if got := tb.text("#page .decision .notice.bad"); !strings.Contains(got, "已有改动") {
		t.Errorf("the conflict reads %q", got)
	}
	tb.clickText("#page .decision", "重新载入")
	tb.waitText("#page .evidence table", "补充.pdf")
	tb.clickText("#page .decision", "受理")
	tb.until(`document.querySelector('dialog[open]')`, "the confirmation")
	tb.clickText("dialog[open]", "受理")
	tb.waitText("#page .notice.ok", "已受理")
	tb.waitText("#page .page-head .status", "已受理")

	certs := getJSON[struct{ Certifications []models.Certification }](s, accepter, "/v1/enterprises/"+entB+"/certifications")
	var levels []string
	for _, c := range certs.Certifications {
		levels = append(levels, c.Level+" "+c.CertifiedOn.String())
	}
	if got := strings.Join(levels, ", "); got != "city 2024-06-01, province 2025-03-02" {
		t.Errorf("the registry holds %s", got)
	}
}

// upload attaches a file to an application through the API.
func (s *site) upload(key, id, name, body string) {
	s.t.Helper()
	req := fmt.Sprintf("/v1/applications/%s/attachments?name=%s", id, name)
	s.callType(201, key, "POST", req, "application/pdf", body)
}

// TestUniversityApplication: a university adds and removes donation rows;
// a missing receipt number is marked at its row's field; submitted, the
// evaluation counts the donations claimed with those recorded.
func TestUniversityApplication(t *testing.T) {
	s := newSite(t)
	s.seed(s.key(models.RoleFinance, ""))
	tb := s.tab(t)
	tb.signIn(s.key(models.RoleUniversity, uniCode))
	if got := tb.text("#menu"); !strings.Contains(got, "我的申报") {
		t.Errorf("the university's menu is %q", got)
	}
	tb.goTo("#/mine/applications/new", "my-application-new")
	tb.typeIn(`#page input[data-path="grant_year"]`, "2025")
	tb.typeIn(`#page input[data-path="donations[0].amount"]`, "999")
	tb.clickText("#page form", "添加捐赠")
	tb.typeIn(`#page input[data-path="donations[1].amount"]`, "1,000,000")
	tb.set(`#page input[data-path="donations[1].arrived_on"]`, "2024-09-10")
	tb.clickText(`#page fieldset.row:first-of-type`, "删除此项")
	if got := eval[string](tb, `document.querySelector('#page input[data-path="donations[0].amount"]').value`); got != "1,000,000" {
		t.Errorf("after removing the first row, the first holds %q", got)
	}
	tb.clickText("#page form", "提交申报")
	tb.until(`document.querySelector('#page input[data-path="donations[0].receipt_no"]').getAttribute('aria-invalid') === 'true'`, "the receipt number is marked")
	tb.typeIn(`#page input[data-path="donations[0].receipt_no"]`, "浙财0033001")
	tb.clickText("#page form", "提交申报")
	tb.until(`document.querySelector('#page > .page')?.dataset.rendered === 'my-application'`, "the application's page")
	tb.waitText("#page .evaluation .amount-value", "2,000,000.00") // (3,000,000 recorded + 1,000,000 claimed) × 0.5
	tb.waitText("#page table", "浙财0033001")
}
