package web_test

import (
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/wenzhou-subsidy/subsidy/web"
)

// apiStub stands for the API: it answers every request it gets with its path.
var apiStub = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(http.StatusTeapot)
	io.WriteString(w, "api "+r.URL.Path)
})

func serve(t *testing.T, method, path string, headers ...string) *httptest.ResponseRecorder {
	t.Helper()
	h, err := web.New(apiStub)
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(method, path, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// TestRouting: the API's paths go to the API (its own JSON problems),
// pages and their files are served, anything else is a plain HTML 404.
func TestRouting(t *testing.T) {
	tests := []struct {
		method, path string
		status       int
		contentType  string
		body         string
	}{
		{"GET", "/", 200, "text/html; charset=utf-8", `<script type="module" src="/static/js/selfcheck.js">`},
		{"HEAD", "/", 200, "text/html; charset=utf-8", ""},
		{"GET", "/console/", 200, "text/html; charset=utf-8", `src="/static/js/console/main.js"`},
		{"GET", "/console", 301, "text/html; charset=utf-8", ""},
		{"GET", "/static/js/selfcheck.js", 200, "text/javascript; charset=utf-8", "import"},
		{"GET", "/static/css/site.css", 200, "text/css; charset=utf-8", "@media print"},
		{"GET", "/static/messages.json", 200, "application/json; charset=utf-8", `"site.name"`},
		{"GET", "/static/favicon.svg", 200, "image/svg+xml", "<svg"},
		{"GET", "/static/nope.js", 404, "text/html; charset=utf-8", "页面不存在"},
		{"GET", "/nope", 404, "text/html; charset=utf-8", "页面不存在"},
		{"GET", "/console/nope", 404, "text/html; charset=utf-8", "页面不存在"},
		{"POST", "/", 404, "text/html; charset=utf-8", ""},
		{"GET", "/v1/evaluate", 418, "application/problem+json", "api /v1/evaluate"},
		{"GET", "/v1/nope", 418, "application/problem+json", "api /v1/nope"},
		{"GET", "/healthz", 418, "application/problem+json", "api /healthz"},
		{"GET", "/openapi.json", 418, "application/problem+json", "api /openapi.json"},
	}
	for _, tt := range tests {
		rec := serve(t, tt.method, tt.path)
		if rec.Code != tt.status || rec.Header().Get("Content-Type") != tt.contentType || !strings.Contains(rec.Body.String(), tt.body) {
			t.Errorf("%s %s: %d %q, want %d %q containing %q", tt.method, tt.path, rec.Code, rec.Header().Get("Content-Type"), tt.status, tt.contentType, tt.body)
		}
	}
}

// TestSecurityHeaders: every page answer carries the headers; the policy
// allows no inline script or style and no framing.
func TestSecurityHeaders(t *testing.T) {
	for _, path := range []string{"/", "/console/", "/static/js/dom.js", "/nope"} {
		rec := serve(t, "GET", path)
		want := map[string]string{
			"Content-Security-Policy": web.ContentSecurityPolicy,
			"X-Content-Type-Options":  "nosniff",
			"Referrer-Policy":         "no-referrer",
			"X-Frame-Options":         "DENY",
		}
		for k, v := range want {
			if got := rec.Header().Get(k); got != v {
				t.Errorf("%s: %s = %q, want %q", path, k, got, v)
			}
		}
	}
	for _, part := range []string{"script-src 'self';", "style-src 'self';", "frame-ancestors 'none'", "require-trusted-types-for 'script'", "default-src 'none'"} {
		if !strings.Contains(web.ContentSecurityPolicy, part) {
			t.Errorf("the policy lacks %q", part)
		}
	}
	if strings.Contains(web.ContentSecurityPolicy, "unsafe") {
		t.Error("the policy allows something unsafe")
	}
	// Nothing from another host; blob: (the evidence viewer's object URLs)
	// for images and frames only.
	for _, d := range strings.Split(web.ContentSecurityPolicy, ";") {
		f := strings.Fields(d)
		for _, src := range f[1:] {
			if strings.Contains(src, "://") || strings.Contains(src, "*") || (src == "blob:" && f[0] != "img-src" && f[0] != "frame-src") {
				t.Errorf("the policy's %s allows %s", f[0], src)
			}
		}
	}
}

// TestStaticRevalidation: a file the browser has is answered 304.
func TestStaticRevalidation(t *testing.T) {
	rec := serve(t, "GET", "/static/js/dom.js")
	etag := rec.Header().Get("ETag")
	if etag == "" || rec.Header().Get("Cache-Control") != "no-cache" {
		t.Fatalf("ETag %q, Cache-Control %q", etag, rec.Header().Get("Cache-Control"))
	}
	if rec := serve(t, "GET", "/static/js/dom.js", "If-None-Match", etag); rec.Code != http.StatusNotModified || rec.Body.Len() != 0 {
		t.Errorf("revalidation: %d with %d bytes", rec.Code, rec.Body.Len())
	}
	if rec := serve(t, "GET", "/static/js/dom.js", "If-None-Match", `"other"`); rec.Code != http.StatusOK {
		t.Errorf("another ETag: %d", rec.Code)
	}
}

// TestNoInlineScriptOrStyle: the templates hold no inline script, no
// event-handler attribute and no style attribute; the scripts never
// assign markup, never write a key to localStorage, and fetch nothing
// from elsewhere.
func TestNoInlineScriptOrStyle(t *testing.T) {
	inline := regexp.MustCompile(`<script(?:\s+[^>]*)?>\s*[^<\s]|\son[a-z]+=|\sstyle=`)
	for _, page := range []string{"/", "/console/", "/nope"} {
		body := serve(t, "GET", page).Body.String()
		// The JSON data blocks are data, not script.
		body = regexp.MustCompile(`(?s)<script type="application/json"[^>]*>.*?</script>`).ReplaceAllString(body, "")
		if m := inline.FindString(body); m != "" {
			t.Errorf("%s has inline script or style: %q", page, m)
		}
	}
	banned := regexp.MustCompile(`innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function|https?://|localStorage\.setItem\([^)]*key`)
	walkJS(t, func(path, src string) {
		for _, m := range banned.FindAllString(src, -1) {
			if m == "http://" && strings.Contains(src, "http://www.w3.org/2000/svg") {
				continue
			}
			t.Errorf("%s uses %q", path, m)
		}
	})
}

func walkJS(t *testing.T, fn func(path, src string)) {
	t.Helper()
	err := filepath.WalkDir("static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(p) != ".js" {
			return err
		}
		b, err := os.ReadFile(p)
		fn(p, string(b))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestMessagesCoverEveryLabel: every label the templates and scripts name
// is in messages.json in both languages, and every message is used.
func TestMessagesCoverEveryLabel(t *testing.T) {
	raw, err := os.ReadFile("static/messages.json")
	if err != nil {
		t.Fatal(err)
	}
	var msgs map[string]struct{ Zh, En string }
	if err := json.Unmarshal(raw, &msgs); err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{}
	literal := regexp.MustCompile(`\bt\('([a-z_.-]+)'`)
	dynamic := regexp.MustCompile("t\\(`([a-z_.]+)\\$\\{")
	group := regexp.MustCompile(`status\([^,()]*(?:\([^)]*\))?[^,()]*,\s*'([a-z_]+)'\)|label\('([a-z_]+)'`)
	var prefixes []string
	walkJS(t, func(_, src string) {
		for _, m := range literal.FindAllStringSubmatch(src, -1) {
			used[m[1]] = true
		}
		for _, m := range dynamic.FindAllStringSubmatch(src, -1) {
			prefixes = append(prefixes, m[1])
		}
		for _, m := range group.FindAllStringSubmatch(src, -1) {
			prefixes = append(prefixes, m[1]+m[2]+".")
		}
	})
	prefixes = append(prefixes, "status.", "credit.")
	tmpl := regexp.MustCompile(`data-i18n(?:-aria)?="([a-z_.-]+)"|\{\{t "([a-z_.-]+)"`)
	files, _ := filepath.Glob("templates/*.html")
	for _, f := range files {
		b, _ := os.ReadFile(f)
		for _, m := range tmpl.FindAllStringSubmatch(string(b), -1) {
			used[m[1]+m[2]] = true
		}
	}
	var missing, unused []string
	for k := range used {
		if _, ok := msgs[k]; !ok {
			missing = append(missing, k)
		}
	}
	for k, m := range msgs {
		if m.Zh == "" || m.En == "" {
			t.Errorf("%s lacks a language", k)
		}
		if used[k] {
			continue
		}
		found := false
		for _, p := range prefixes {
			found = found || strings.HasPrefix(k, p)
		}
		if !found {
			unused = append(unused, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(unused)
	if len(missing) > 0 {
		t.Errorf("labels used but not in messages.json: %v", missing)
	}
	if len(unused) > 0 {
		t.Errorf("messages no page uses: %v", unused)
	}
}

// TestBrowserSkipsOnlyWhenNoneFound: the browser tests skip only when no
// Chromium is found and CI is unset; one found that fails to start fails
// them, CI or not.
func TestBrowserSkipsOnlyWhenNoneFound(t *testing.T) {
	tests := []struct {
		found, ci, fail bool
	}{
		{found: false, ci: false, fail: false},
		{found: false, ci: true, fail: true},
		{found: true, ci: false, fail: true},
		{found: true, ci: true, fail: true},
	}
	for _, tt := range tests {
		if got := failWithoutBrowser(tt.found, tt.ci); got != tt.fail {
			t.Errorf("found %v, CI %v: fail %v, want %v", tt.found, tt.ci, got, tt.fail)
		}
	}
}
