package web_test

import (
	"net/url"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// BenchmarkSelfCheck measures the self-check in the browser: each
// iteration presses 开始自查 on the README's province example and waits
// until the answer is on the page (the API's evaluation, the rendering of
// the rule cards with the ledger table and chart): submit-to-answer-ms as
// the page measures it, ns/op with the DevTools round trip on top. It reports the
// page's weight on first load: the bytes of every file it fetched (its HTML,
// scripts, styles, labels and favicon), uncompressed (page-bytes), and how
// many files that is.
//
//	go test ./web -run '^$' -bench BenchmarkSelfCheck -benchtime 50x
func BenchmarkSelfCheck(b *testing.B) {
	s := newSite(b)
	tb := s.tab(b)
	file, err := os.ReadFile("../testdata/evaluate/enterprise-province.json")
	if err != nil {
		b.Fatal(err)
	}
	weight, list := firstLoad(s, tb)
	files := len(list)
	b.Logf("first load: %d bytes in %d files: %s", weight, files, strings.Join(list, " "))
	// The form filled from a link, as a colleague would open it.
	tb.open("/#q=" + url.PathEscape(strings.Join(strings.Fields(string(file)), " ")))
	tb.waitText(`[data-rule="cert-grant"] .amount-value`, "200,000.00")
	// The page itself times each answer (performance.now), from the click
	// to the moment the ledger chart is in the document.
	const press = `new Promise((resolve) => {
		const body = document.getElementById('results-body');
		body.replaceChildren();
		const t0 = performance.now();
		const seen = new MutationObserver(() => {
			if (body.querySelector('[data-rule="surcharge-credit"] svg.chart')) {
				seen.disconnect();
				resolve(performance.now() - t0);
			}
		});
		seen.observe(body, {childList: true, subtree: true});
		document.getElementById('submit').click();
	})`
	var total float64
	b.ResetTimer()
	for b.Loop() {
		ms, err := chromedp.Run(tb.ctx, chromedp.Evaluate[float64](press, chromedp.EvalAwaitPromise))
		if err != nil {
			b.Fatal(err)
		}
		total += ms
	}
	b.ReportMetric(total/float64(b.N), "submit-to-answer-ms")
	b.ReportMetric(float64(weight), "page-bytes")
	b.ReportMetric(float64(files), "files")
}

// firstLoad opens the self-check in tb and returns its weight on first load:
// the bytes the server answered for every file it fetched, and their paths.
// The favicon counts too: the browser asks for it by itself once the page
// is in, so it is waited for.
func firstLoad(s *site, tb *tab) (int, []string) {
	tb.t.Helper()
	s.servedBytes()
	tb.open("/")
	s.waitServed("/static/favicon.svg")
	weight := 0
	var list []string
	for p, n := range s.servedBytes() {
		weight += n
		list = append(list, p)
	}
	sort.Strings(list)
	return weight, list
}

// TestFirstLoadWeight: the weight the benchmark reports counts every file
// of the self-check's first load, the favicon among them.
func TestFirstLoadWeight(t *testing.T) {
	s := newSite(t)
	_, list := firstLoad(s, s.tab(t))
	for _, want := range []string{"/", "/static/css/site.css", "/static/js/selfcheck.js", "/static/messages.json", "/static/favicon.svg"} {
		if !slices.Contains(list, want) {
			t.Errorf("the first load %v lacks %s", list, want)
		}
	}
}
