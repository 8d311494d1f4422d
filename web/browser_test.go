package web_test

// The pages are tested in a real browser: Debian's chromium driven by
// chromedp, against the real server (api.NewServer behind web.New) on a
// scratch SQLite database. One browser serves every test of the binary;
// each test opens its own tab on its own server (its own origin, so its
// own storage).
//
// Without a browser the tests skip, unless CI is set: then they fail, so
// that CI never passes by skipping. A browser that is found but fails to
// start fails them too: a broken install must not pass by skipping.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/wenzhou-subsidy/subsidy/api"
	"github.com/wenzhou-subsidy/subsidy/app"
	"github.com/wenzhou-subsidy/subsidy/engine"
	"github.com/wenzhou-subsidy/subsidy/models"
	"github.com/wenzhou-subsidy/subsidy/store"
	"github.com/wenzhou-subsidy/subsidy/store/storetest"
	"github.com/wenzhou-subsidy/subsidy/web"
)

var (
	browserCtx   context.Context // the one browser; nil without one
	browserFound bool            // a Chromium binary was found (it may still fail to start)
	noBrowser    string          // why there is none
	browserOnce  sync.Once
	stopBrowser  = func() {}
)

// browserNames are the commands a Chromium may be installed as.
var browserNames = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}

func findBrowser() string {
	if p := os.Getenv("SUBSIDY_CHROMIUM"); p != "" {
		return p
	}
	for _, n := range browserNames {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	return ""
}

func TestMain(m *testing.M) {
	code := m.Run()
	stopBrowser()
	os.Exit(code)
}

// startBrowser starts the browser of the test binary, once, on first use.
func startBrowser() {
	path := findBrowser()
	if path == "" {
		noBrowser = "no Chromium found (apt-get install chromium)"
		return
	}
	browserFound = true
	dir, err := os.MkdirTemp("", "subsidy-chromium-")
	if err != nil {
		noBrowser = err.Error()
		return
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(dir),
		chromedp.WindowSize(1280, 900),
	)
	ctx, cancel := chromedp.NewContext(allocCtx)
	if err := chromedp.Do(ctx); err != nil {
		cancel()
		cancelAlloc()
		noBrowser = fmt.Sprintf("start %s: %v", path, err)
		return
	}
	browserCtx = ctx
	stopBrowser = func() {
		cancel()
		cancelAlloc()
		os.RemoveAll(dir)
	}
}

// needBrowser skips a test without a browser, or fails it when that may
// not pass unseen (see failWithoutBrowser).
func needBrowser(t testing.TB) {
	t.Helper()
	browserOnce.Do(startBrowser)
	if browserCtx != nil {
		return
	}
	if failWithoutBrowser(browserFound, os.Getenv("CI") != "") {
		t.Fatalf("the browser tests cannot run: %s", noBrowser)
	}
	t.Skipf("browser tests skipped: %s", noBrowser)
}

// failWithoutBrowser reports whether the browser tests fail, rather than
// skip, when there is no browser to run them: they skip only when no
// Chromium was found and CI is unset.
func failWithoutBrowser(found, ci bool) bool { return found || ci }

// Test data: enterprises and a university of the registry tests.
const (
	entA    = "91330382MA2AB3C47E" // 乐清, province level
	entB    = "91330302MA2C000012" // 鹿城, city level
	uniCode = "wzvtc"
)

// site is the real server on a scratch database, as cmd serves it.
type site struct {
	t   testing.TB
	url string
	svc *app.Service
	st  *store.Store

	mu     sync.Mutex
	served map[string]int // bytes answered per path, for the page weight
}

func newSite(t testing.TB) *site {
	t.Helper()
	st := storetest.Open(t, storetest.SQLite)
	eng, err := engine.Load(os.DirFS("../rules"))
	if err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return time.Date(2025, 6, 30, 10, 0, 0, 0, models.Wenzhou) }
	svc := app.New(eng, st, app.Options{Now: now})
	srv, err := api.NewServer(slog.New(slog.NewTextHandler(io.Discard, nil)), svc, st, api.Options{})
	if err != nil {
		t.Fatal(err)
	}
	h, err := web.New(srv)
	if err != nil {
		t.Fatal(err)
	}
	s := &site{t: t, svc: svc, st: st, served: map[string]int{}}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(countingWriter{w, s, r.URL.Path}, r)
	}))
	s.url = ts.URL
	t.Cleanup(ts.Close)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = svc.Shutdown(ctx)
	})
	return s
}

type countingWriter struct {
	http.ResponseWriter
	site *site
	path string
}

func (w countingWriter) Write(b []byte) (int, error) {
	w.site.mu.Lock()
	w.site.served[w.path] += len(b)
	w.site.mu.Unlock()
	return w.ResponseWriter.Write(b)
}

// waitServed waits until the server has answered path.
func (s *site) waitServed(path string) {
	s.t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		s.mu.Lock()
		_, ok := s.served[path]
		s.mu.Unlock()
		if ok {
			return
		}
	}
	s.t.Fatalf("%s was never asked for", path)
}

// servedBytes returns the bytes answered per path so far, and forgets them.
func (s *site) servedBytes() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.served
	s.served = map[string]int{}
	return out
}

var admin = models.Actor{KeyID: "test", Role: models.RoleAdmin}

// key makes a key of role (for subject) and returns its secret.
func (s *site) key(role, subject string) string {
	s.t.Helper()
	k, err := s.svc.CreateKey(context.Background(), admin, models.KeyEntry{Role: role, Subject: subject, Label: "test " + role})
	if err != nil {
		s.t.Fatal(err)
	}
	return k.Secret
}

// call sends an API request with a key and fails the test unless the
// status is want.
func (s *site) call(want int, key, method, path, body string) string {
	s.t.Helper()
	return s.callType(want, key, method, path, "", body)
}

// callType is call with the body's Content-Type.
func (s *site) callType(want int, key, method, path, contentType, body string) string {
	s.t.Helper()
	req, err := http.NewRequest(method, s.url+path, strings.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+key)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		s.t.Fatalf("%s %s: %d, want %d: %s", method, path, resp.StatusCode, want, out)
	}
	return string(out)
}

// callJSON is call decoding the answer's JSON into a T; a body that does
// not decode fails the test.
func callJSON[T any](s *site, want int, key, method, path, body string) T {
	s.t.Helper()
	var v T
	if err := json.Unmarshal([]byte(s.call(want, key, method, path, body)), &v); err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	return v
}

// getJSON reads path with key (200 expected) into a T.
func getJSON[T any](s *site, key, path string) T {
	s.t.Helper()
	return callJSON[T](s, http.StatusOK, key, "GET", path, "")
}

// seed registers A (province level) and B (city level) and the
// university with a donation that arrived in 2024.
func (s *site) seed(finance string) {
	s.call(201, finance, "PUT", "/v1/enterprises/"+entA, `{"name":"示例电气有限公司","region":"330382"}`)
	s.call(201, finance, "POST", "/v1/enterprises/"+entA+"/certifications", `{"level":"province","certified_on":"2024-03-01"}`)
	s.call(201, finance, "PUT", "/v1/enterprises/"+entB, `{"name":"鹿城机械有限公司","region":"330302"}`)
	s.call(201, finance, "POST", "/v1/enterprises/"+entB+"/certifications", `{"level":"city","certified_on":"2024-06-01"}`)
	s.call(201, finance, "PUT", "/v1/universities/"+uniCode, `{"name":"温州职业技术学院","ownership":"public","affiliation":"city"}`)
	s.call(201, finance, "POST", "/v1/universities/"+uniCode+"/donations", `{"amount":"3000000.00","form":"cash","via_foundation":true,"arrived_on":"2024-05-06"}`)
}

// tab is one browser tab on a site. Anything the page writes to the
// console as an error, any uncaught exception (a Content-Security-Policy
// violation among them) and any dialog fails the test.
type tab struct {
	t        testing.TB
	ctx      context.Context
	site     *site
	mu       sync.Mutex
	problems []string
}

func (s *site) tab(t testing.TB) *tab {
	t.Helper()
	needBrowser(t)
	ctx, cancel := chromedp.NewContext(browserCtx)
	t.Cleanup(cancel)
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(cancelTimeout)
	tb := &tab{t: t, ctx: ctx, site: s}
	if err := chromedp.Do(ctx); err != nil {
		t.Fatal(err)
	}
	console := chromedp.Console(ctx)
	go func() {
		for m, err := range console {
			if err != nil {
				return
			}
			// A refused API call is logged by the browser as a failed
			// resource ("network"): the tests cause those on purpose.
			if (m.Type == chromedp.ConsoleError || m.IsException()) && m.Source != "network" {
				tb.problem(fmt.Sprintf("console %s (%s:%d)", m, m.URL, m.Line+1))
			}
		}
	}()
	dialogs := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for ev, err := range dialogs {
			if err != nil {
				return
			}
			tb.problem("a dialog opened: " + ev.Message)
			_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
		}
	}()
	t.Cleanup(func() {
		tb.mu.Lock()
		defer tb.mu.Unlock()
		for _, p := range tb.problems {
			t.Errorf("browser: %s", p)
		}
	})
	return tb
}

func (tb *tab) problem(p string) {
	tb.mu.Lock()
	tb.problems = append(tb.problems, p)
	tb.mu.Unlock()
}

// do runs browser actions and fails the test on an error.
func (tb *tab) do(actions ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	if err := chromedp.Do(tb.ctx, actions...); err != nil {
		tb.t.Fatalf("browser: %v", err)
	}
}

// eval evaluates a JavaScript expression in the page.
func eval[T any](tb *tab, expr string) T {
	tb.t.Helper()
	v, err := chromedp.Run(tb.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		tb.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// open loads a page of the site and waits until its script has run.
func (tb *tab) open(path string) {
	tb.t.Helper()
	tb.do(chromedp.Navigate(tb.site.url + path))
	tb.until(`document.body.dataset.ready === 'true'`, "the page's script ran")
}

// until waits for a JavaScript condition.
func (tb *tab) until(cond, what string) {
	tb.t.Helper()
	var err error
	for range 3 { // a navigation may replace the page's context while polling
		_, err = chromedp.Run(tb.ctx, chromedp.Poll[chromedp.Void](cond, chromedp.WithPollingTimeout(15*time.Second), chromedp.WithPollingInterval(20*time.Millisecond)))
		if err == nil || !strings.Contains(err.Error(), "Cannot find context") {
			break
		}
	}
	if err != nil {
		tb.t.Fatalf("waiting until %s (%s): %v\npage text:\n%s", what, cond, err, tb.text("body"))
	}
}

// waitText waits until the element sel holds text.
func (tb *tab) waitText(sel, text string) {
	tb.t.Helper()
	tb.until(fmt.Sprintf(`(document.querySelector(%s)?.textContent || '').includes(%s)`, jsString(sel), jsString(text)), fmt.Sprintf("%s shows %q", sel, text))
}

// text is the text of the first element sel matches ("" if none).
func (tb *tab) text(sel string) string {
	v, _ := chromedp.Run(tb.ctx, chromedp.Evaluate[string](fmt.Sprintf(`document.querySelector(%s)?.textContent || ''`, jsString(sel))))
	return v
}

// typeIn types into a field with the keyboard.
func (tb *tab) typeIn(sel, text string) {
	tb.t.Helper()
	tb.do(chromedp.SendKeys(chromedp.CSS(sel), text))
}

// set sets a select's or a date field's value and tells the page.
func (tb *tab) set(sel, value string) {
	tb.t.Helper()
	tb.do(chromedp.SetValue(chromedp.CSS(sel), value))
	eval[bool](tb, fmt.Sprintf(`document.querySelector(%s).dispatchEvent(new Event('change', {bubbles: true}))`, jsString(sel)))
}

func (tb *tab) click(sel string) {
	tb.t.Helper()
	tb.do(chromedp.Click(chromedp.CSS(sel)))
}

// clickText clicks the first button or link under scope whose text is text.
func (tb *tab) clickText(scope, text string) {
	tb.t.Helper()
	ok := eval[bool](tb, fmt.Sprintf(`(() => {
		const el = [...document.querySelectorAll(%s + ' button, ' + %s + ' a')].find((e) => e.textContent.trim() === %s);
		if (!el) return false;
		el.click();
		return true;
	})()`, jsString(scope), jsString(scope), jsString(text)))
	if !ok {
		tb.t.Fatalf("no button or link %q under %s; page text:\n%s", text, scope, tb.text("body"))
	}
}

// signIn signs in to the console with a key and waits for the first page.
func (tb *tab) signIn(key string) {
	tb.t.Helper()
	if !eval[bool](tb, `location.pathname === '/console/' && !document.getElementById('signin')?.hidden`) {
		tb.open("/console/")
	}
	tb.typeIn("#signin-key", key+"\r") // Enter submits: the keyboard alone signs in
	tb.until(`document.querySelector('#page > .page')?.dataset.rendered`, "the console's first page")
}

// goTo opens a console page by its hash and waits until it is rendered.
func (tb *tab) goTo(hash, page string) {
	tb.t.Helper()
	eval[bool](tb, fmt.Sprintf(`(location.hash = %s, true)`, jsString(hash)))
	tb.until(fmt.Sprintf(`document.querySelector('#page > .page')?.dataset.rendered === %s && location.hash === %s`, jsString(page), jsString(hash)), "page "+page)
}

func jsString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x2028 || r == 0x2029:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// chromedpBackspace deletes the last character of a field with the keyboard.
func chromedpBackspace(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.SendKeys(chromedp.CSS(sel), "\b")
}

// chromedpFocusType types into a field after focusing it.
func chromedpFocusType(sel, text string) chromedp.Action[chromedp.Void] {
	return chromedp.SendKeys(chromedp.CSS(sel), text)
}

// clear empties a field.
func (tb *tab) clear(sel string) {
	tb.t.Helper()
	eval[bool](tb, fmt.Sprintf(`(document.querySelector(%s).value = '', true)`, jsString(sel)))
}
