package web_test

import (
	"encoding/json"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// row is the selector of the n-th row (1-based) of a list of the form.
func row(list string, n int) string {
	return `[data-list="` + list + `"] > :nth-child(` + string(rune('0'+n)) + `) `
}

// fillProvinceExample enters the README's province example
// (testdata/evaluate/enterprise-province.json) through the form, as a
// clerk would.
func fillProvinceExample(tb *tab) {
	tb.t.Helper()
	tb.typeIn("#e-code", "91330382MA2AB3C47E")
	tb.typeIn("#e-name", "示例电气有限公司")
	tb.set("#e-region", "330382")
	tb.click(`[data-add="subject.certifications"]`)
	certs := row("subject.certifications", 1)
	tb.set(certs+`[data-field="level"]`, "province")
	tb.set(certs+`[data-field="certified_on"]`, "2024-03-01")
	tb.click(`[data-add="subject.grants_received"]`)
	grants := row("subject.grants_received", 1)
	tb.set(grants+`[data-field="level"]`, "city")
	tb.typeIn(grants+`[data-field="amount"]`, "50000.00")
	tb.set(grants+`[data-field="paid_on"]`, "2024-09-10")
	tb.click("#p-on")
	tb.typeIn("#p-code", "91330302145200011C")
	tb.typeIn("#p-pct", "100")
	tb.click(`[data-add="subject.parent.certifications"]`)
	parent := row("subject.parent.certifications", 1)
	tb.set(parent+`[data-field="level"]`, "national")
	tb.set(parent+`[data-field="certified_on"]`, "2024-05-01")
	tb.typeIn("#e-carry", "0.00")
	tb.click(`[data-add="subject.credit_years"]`)
	year := row("subject.credit_years", 1)
	tb.typeIn(year+`[data-field="year"]`, "2024")
	tb.typeIn(year+`[data-field="investment"]`, "1000000.00")
	tb.typeIn(year+`[data-field="fiscal_subsidy"]`, "0.00")
	tb.typeIn(year+`[data-field="withdrawn"]`, "0.00")
	tb.typeIn(year+`[data-field="education_surcharge"]`, "30000.00")
	tb.typeIn(year+`[data-field="local_education_surcharge"]`, "20000.00")
	tb.set("#as-of", "2025-06-30")
}

// TestSelfCheckProvinceExample: the README's example entered through the
// form gives 200,000.00 and 50,000.00, with every condition, the citation
// and the ledger; the form's request is the example's; the URL's fragment
// opens the same answer in another tab.
func TestSelfCheckProvinceExample(t *testing.T) {
	s := newSite(t)
	tb := s.tab(t)
	tb.open("/")
	fillProvinceExample(tb)
	tb.click("#submit")
	tb.waitText(`[data-rule="cert-grant"] .amount-value`, "200,000.00 元（20 万元）")
	tb.waitText(`[data-rule="surcharge-credit"] .amount-value`, "50,000.00 元（5 万元）")
	// The glossary's words: the paying bureau by name, the offset, the
	// grants received in full.
	tb.waitText(`[data-rule="cert-grant"]`, "付款单位：乐清市财政局")
	tb.waitText(`[data-rule="surcharge-credit"] .amount-big`, "实际抵免（所列年度合计）")
	tb.waitText(`[data-list="subject.grants_received"] legend`, "已领取的认定补助 1")
	tb.waitText(`[data-add="subject.grants_received"]`, "添加已领取的认定补助")
	for _, want := range []string{"符合条件", "温发改社〔2024〕172号", "对通过市级、省级、国家级认定的产教融合型企业", "2024.172-1.1.0", "sha256:", "2025年6月30日", "本结果为政策自查"} {
		if !strings.Contains(tb.text("#results"), want) {
			t.Errorf("the answer lacks %q", want)
		}
	}
	// Every condition is marked ✔ (all hold in the example).
	if n := eval[int](tb, `document.querySelectorAll('#results .conditions li.fail').length`); n != 0 {
		t.Errorf("%d conditions failed", n)
	}
	// The ledger: a table row for 2024 and a chart with its bars and line.
	tb.waitText(`[data-rule="surcharge-credit"] table.ledger tbody`, "300,000.00")
	if n := eval[int](tb, `document.querySelectorAll('[data-rule="surcharge-credit"] svg.chart rect').length`); n != 2 {
		t.Errorf("the ledger chart has %d bars, want 2 (generated and offset)", n)
	}

	// The fragment holds the very request of the README's example.
	frag := eval[string](tb, `location.hash`)
	raw, err := url.PathUnescape(strings.TrimPrefix(frag, "#q="))
	if err != nil {
		t.Fatal(err)
	}
	var got, want any
	if err := json.Unmarshal([]byte(raw), &got); err != nil {
		t.Fatalf("fragment %q: %v", raw, err)
	}
	file, err := os.ReadFile("../testdata/evaluate/enterprise-province.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(file, &want); err != nil {
		t.Fatal(err)
	}
	// The form leaves out an empty revocation date; the file says null.
	delete(want.(map[string]any)["subject"].(map[string]any)["certifications"].([]any)[0].(map[string]any), "revoked_on")
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("the form's request differs from the example (-want +got):\n%s", diff)
	}

	// A colleague opens the link: the form is filled and answered.
	other := s.tab(t)
	other.open("/" + frag)
	other.waitText(`[data-rule="cert-grant"] .amount-value`, "200,000.00")
	if v := eval[string](other, `document.getElementById('e-name').value`); v != "示例电气有限公司" {
		t.Errorf("the link's form has name %q", v)
	}

	// English re-labels the page and asks the API again in English.
	tb.click("#lang-switch")
	tb.waitText("h1", "Policy self-check")
	tb.waitText(`[data-rule="cert-grant"] h3`, "One-off certification grant")
	tb.waitText(`[data-rule="cert-grant"] .amount-value`, "200,000.00 yuan")
	tb.waitText(`[data-rule="cert-grant"] .conditions`, "Wenzhou")
	tb.waitText(`[data-rule="cert-grant"]`, "Yueqing City Finance Bureau")
	if l := eval[string](tb, `document.documentElement.lang`); l != "en" {
		t.Errorf("lang %q", l)
	}
}

// TestSelfCheckBadCreditCode: a wrong check character is marked at its
// field as it is typed, and the API's answer marks the same field (and the
// others it names) when the form is sent.
func TestSelfCheckBadCreditCode(t *testing.T) {
	s := newSite(t)
	tb := s.tab(t)
	tb.open("/")
	tb.typeIn("#e-code", "91330382MA2AB3C47F")
	tb.until(`document.getElementById('e-code').getAttribute('aria-invalid') === 'true'`, "the code is marked")
	tb.waitText("#e-code-error", "校验位")
	// Corrected, the mark goes.
	tb.do(chromedpBackspace("#e-code"))
	tb.typeIn("#e-code", "E")
	tb.until(`!document.getElementById('e-code').hasAttribute('aria-invalid')`, "the mark goes")
	tb.do(chromedpBackspace("#e-code"))
	tb.typeIn("#e-code", "F")
	tb.click("#submit")
	tb.until(`!document.getElementById('error-summary').hidden`, "the error summary shows")
	tb.waitText("#e-code-error", "GB 32100-2015")
	tb.waitText("#e-name-error", "必填")
	if got := eval[string](tb, `document.getElementById('e-code').getAttribute('aria-describedby')`); !strings.Contains(got, "e-code-error") {
		t.Errorf("the error is not tied to its field: aria-describedby %q", got)
	}
	if !eval[bool](tb, `document.getElementById('results').hidden`) {
		t.Error("results are shown for a refused request")
	}
	// A row's field is marked by its index: the second credit year.
	tb.click(`[data-add="subject.credit_years"]`)
	tb.click(`[data-add="subject.credit_years"]`)
	second := row("subject.credit_years", 2)
	tb.typeIn(second+`[data-field="year"]`, "2024")
	tb.typeIn(second+`[data-field="investment"]`, "100")
	tb.typeIn(second+`[data-field="fiscal_subsidy"]`, "200")
	tb.click("#submit")
	tb.until(`document.querySelector('[data-path="subject.credit_years[1].fiscal_subsidy"]')?.getAttribute('aria-invalid') === 'true'`, "the second year's subsidy is marked")
}
