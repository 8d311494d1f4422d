package web_test

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
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
	for _, p := range [][2]string{{"#/payouts", "payouts"}, {"#/overview", "overview"}, {"#/runs", "runs"}, {"#/budgets", "budgets"}, {"#/forecast", "forecast"}, {"#/applications", "applications"}} {
		tb.goTo(p[0], p[1])
		tb.fitsWidth(375, p[1])
	}
	// An enterprise on its phone: its payouts and its applications.
	tb.click("#signout")
	tb.signIn(s.key(models.RoleEnterprise, entA))
	for _, p := range [][2]string{{"#/payouts", "payouts"}, {"#/mine/applications", "my-applications"}, {"#/mine/applications/new", "my-application-new"}} {
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
	s.call(201, finance, "PUT", "/v1/budgets/330382/2025", `{"amount":"300000.00"}`)
	s.call(201, finance, "PUT", "/v1/budgets/330302/2025", `{"amount":"100000.00"}`)
	s.call(201, finance, "PUT", "/v1/budgets/330300/2025", `{"amount":"2000000.00"}`)
	s.call(201, finance, "POST", "/v1/payout-runs", `{"as_of":"2025-06-30"}`)
	ids := payoutIDs(t, s, finance)
	approver := s.key(models.RoleFinance, "")
	s.call(200, approver, "POST", "/v1/payouts/"+itoa(ids[entB])+"/approve", "")
	s.call(200, approver, "POST", "/v1/payouts/"+itoa(ids[uniCode])+"/approve", "")
	// Certified since the run: what the forecast finds still due.
	s.call(201, finance, "PUT", "/v1/enterprises/91330381MA2C00004Q", `{"name":"瑞安汽摩配件股份有限公司","region":"330381"}`)
	s.call(201, finance, "POST", "/v1/enterprises/91330381MA2C00004Q/certifications", `{"level":"province","certified_on":"2025-01-10"}`)
	s.call(201, finance, "PUT", "/v1/enterprises/91330324MA2C00006D", `{"name":"永嘉泵阀制造有限公司","region":"330324"}`)
	s.call(201, finance, "POST", "/v1/enterprises/91330324MA2C00006D/certifications", `{"level":"city","certified_on":"2025-02-01"}`)
	tax := s.key(models.RoleTax, "")
	ent := s.key(models.RoleEnterprise, entB)
	app := callJSON[struct{ ID int64 }](s, 201, ent, "POST", "/v1/applications", `{"rule":"cert-grant","certifications":[{"level":"province","certified_on":"2025-03-01","certificate_no":"浙产教认〔2025〕018号"}]}`)
	s.callType(201, ent, "POST", "/v1/applications/"+itoa(app.ID)+"/attachments?name=认定证书.png", "image/png", certificatePNG(t))
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
		tb.goTo("#/forecast", "forecast")
		city := `#page input[data-path="overrides.cert-grant.amounts"]`
		tb.until(`document.querySelector('`+city+`')`, "the reform's fields")
		tb.typeIn(`#page input[data-path="grant_year"]`, "2025")
		tb.clear(city)
		tb.typeIn(city, "80000")
		tb.clickText("#page form", "开始测算")
		tb.waitText(`#page [data-figure="changes"]`, "增加 1 家")
		eval[bool](tb, `(document.querySelector('#page .forecast-result').scrollIntoView(), true)`)
		shot("forecast")
		tb.goTo("#/applications/"+itoa(app.ID), "application")
		tb.clickText(`#page .evidence tr[data-evidence="1"]`, "查看")
		tb.until(`document.querySelector('#page img.evidence-image')?.complete`, "the evidence in the viewer")
		eval[bool](tb, `(document.querySelector('#page .evaluation').scrollIntoView(), document.activeElement.blur(), true)`)
		shot("review")
		tb.click("#signout")
		tb.signIn(ent)
		tb.goTo("#/mine/applications/"+itoa(app.ID), "my-application")
		tb.waitText("#page .evaluation", "符合条件")
		eval[bool](tb, `(window.scrollTo(0, 0), document.activeElement.blur(), true)`)
		shot("application")
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

// certificatePNG draws a certificate-like picture (a frame, lines of
// "text" and a red seal) to show in the evidence viewer.
func certificatePNG(t *testing.T) string {
	const w, h = 640, 440
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	paper, ink, red := color.RGBA{0xfb, 0xf7, 0xee, 0xff}, color.RGBA{0x8a, 0x6d, 0x3b, 0xff}, color.RGBA{0xc8, 0x1e, 0x1e, 0xff}
	for y := range h {
		for x := range w {
			c := paper
			switch {
			case x < 14 || y < 14 || x >= w-14 || y >= h-14:
				c = ink
			case y%36 < 6 && y > 80 && y < 330 && x > 70 && x < w-70-(y%72)*2:
				c = color.RGBA{0x55, 0x55, 0x55, 0xff}
			}
			if dx, dy := x-w+150, y-h+130; dx*dx+dy*dy < 70*70 && dx*dx+dy*dy > 60*60 {
				c = red
			}
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.String()
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
