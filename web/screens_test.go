package web_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// TestPrintsOnOneA4Page: the self-check result prints on one A4 page, with
// the date, the ruleset's version and digest, the citations and the line
// saying it is a self-check.
func TestPrintsOnOneA4Page(t *testing.T) {
	s := newSite(t)
	tb := s.tab(t)
	tb.open("/")
	fillProvinceExample(tb)
	tb.click("#submit")
	tb.waitText(`[data-rule="surcharge-credit"] .amount-value`, "50,000.00")
	pdf, err := chromedp.Run(tb.ctx, chromedp.PrintToPDF(chromedp.PDFPreferCSSPageSize()))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(regexp.MustCompile(`/Type\s*/Page[^s]`).FindAll(pdf, -1)); n != 1 {
		t.Errorf("the result prints on %d pages, want 1", n)
	}
	// What print shows: the result, not the form nor the switches.
	if _, err := chromedp.Call(tb.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		t.Fatal(err)
	}
	shown := eval[string](tb, `['check', 'results', 'header'].map((id) => getComputedStyle(id === 'header' ? document.querySelector('header') : document.getElementById(id)).display).join(' ')`)
	if shown != "none block none" {
		t.Errorf("printed: form, result, switch display %q, want none block none", shown)
	}
	printed := eval[string](tb, `document.getElementById('results').innerText`)
	for _, want := range []string{"自查日期", "规则集版本", "2024.172-1.1.0", "sha256:", "政策依据", "温发改社〔2024〕172号", "本结果为政策自查"} {
		if !strings.Contains(printed, want) {
			t.Errorf("the printed result lacks %q", want)
		}
	}
}

// TestNarrowScreen: at 375 px wide nothing is wider than the screen; wide
// tables scroll inside their own box.
func TestNarrowScreen(t *testing.T) {
	s := newSite(t)
	finance := s.key(models.RoleFinance, "")
	s.seed(finance)
	s.call(201, finance, "POST", "/v1/payout-runs", `{"as_of":"2025-06-30"}`)
	tb := s.tab(t)
	tb.do(chromedp.EmulateViewport(375, 812, chromedp.EmulateMobile))
	tb.open("/")
	fillProvinceExample(tb)
	tb.click("#submit")
	tb.waitText(`[data-rule="cert-grant"] .amount-value`, "200,000.00")
	tb.fitsWidth(375, "the self-check")
	tb.signIn(finance)
	for _, p := range [][2]string{{"#/payouts", "payouts"}, {"#/overview", "overview"}, {"#/runs", "runs"}} {
		tb.goTo(p[0], p[1])
		tb.fitsWidth(375, p[1])
	}
}

func (tb *tab) fitsWidth(width int, what string) {
	tb.t.Helper()
	if w := eval[int](tb, `document.documentElement.scrollWidth`); w > width {
		tb.t.Errorf("%s is %d px wide on a %d px screen", what, w, width)
	}
}

// TestScreenshots writes PNGs of the main pages at 1280 and 375 px wide to
// the directory SUBSIDY_SCREENSHOTS names (make screenshots: docs/screenshots).
func TestScreenshots(t *testing.T) {
	if os.Getenv("SUBSIDY_SCREENSHOTS") == "" {
		t.Skip("set SUBSIDY_SCREENSHOTS=DIR to write the screenshots (make screenshots)")
	}
	s := newSite(t)
	finance := s.key(models.RoleFinance, "")
	s.seed(finance)
	s.call(201, finance, "PUT", "/v1/enterprises/"+entA+"/credit-years/2024", `{"investment":"1000000.00","fiscal_subsidy":"0.00","education_surcharge":"30000.00","local_education_surcharge":"20000.00"}`)
	s.call(201, finance, "PUT", "/v1/enterprises/"+entA+"/credit-years/2025", `{"investment":"400000.00","fiscal_subsidy":"0.00","education_surcharge":"120000.00","local_education_surcharge":"80000.00"}`)
	s.call(201, finance, "POST", "/v1/payout-runs", `{"as_of":"2025-06-30"}`)
	ids := payoutIDs(t, s, finance)
	s.call(200, finance, "POST", "/v1/payouts/"+itoa(ids[entB])+"/approve", "")
	tax := s.key(models.RoleTax, "")
	for _, width := range []int64{1280, 375} {
		tb := s.tab(t)
		height := int64(900)
		if width == 375 {
			height = 812
			tb.do(chromedp.EmulateViewport(width, height, chromedp.EmulateMobile))
		} else {
			tb.do(chromedp.EmulateViewport(width, height))
		}
		shot := func(name string) {
			t.Helper()
			png, err := chromedp.Run(tb.ctx, chromedp.CaptureScreenshot())
			if err != nil {
				t.Fatal(err)
			}
			writeFile(t, name+"-"+itoa(width)+".png", png)
		}
		tb.open("/")
		fillProvinceExample(tb)
		tb.click("#submit")
		tb.waitText(`[data-rule="cert-grant"] .amount-value`, "200,000.00")
		if width == 375 {
			eval[bool](tb, `(document.getElementById('results').scrollIntoView(), true)`)
		} else {
			eval[bool](tb, `(window.scrollTo(0, 0), document.activeElement.blur(), true)`)
		}
		shot("selfcheck")
		tb.signIn(finance)
		tb.goTo("#/payouts", "payouts")
		tb.waitText("#page tbody", "示例电气有限公司")
		shot("payouts")
		tb.goTo("#/overview", "overview")
		tb.waitText("#page tfoot", "合计")
		shot("overview")
		tb.click("#signout")
		tb.signIn(tax)
		tb.goTo("#/credit/"+entA, "credit-of")
		tb.waitText("#page table.ledger", "2025")
		if width == 375 {
			eval[bool](tb, `(document.querySelector('#page table.ledger').closest('section').scrollIntoView(), true)`)
		}
		shot("credit")
	}
}

func itoa[T int64 | int](v T) string { return strconv.FormatInt(int64(v), 10) }

func writeFile(t *testing.T, name string, data []byte) {
	t.Helper()
	dir := os.Getenv("SUBSIDY_SCREENSHOTS")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
		t.Fatal(err)
	}
}
