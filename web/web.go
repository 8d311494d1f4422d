// Package web serves the pages people use: the public self-check (/) and
// the staff console (/console/), as templates and static files embedded in
// the binary. The pages are plain ES modules that call the documented REST
// API like any other client: one source of truth and one set of errors.
//
// web imports nothing of subsidy's but models (the county list); never the
// API, the use cases or the store. New puts the pages in front of the API
// handler it is given.
package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"time"

	"github.com/wenzhou-subsidy/subsidy/models"
)

//go:embed templates/*.html static
var files embed.FS

// ContentSecurityPolicy is sent with every page, script and style: scripts
// and styles only from our own files (no inline script, no style
// attributes), requests only to our own API, never framed, and Trusted
// Types required so that no script can ever assign markup to innerHTML.
// blob: is allowed for images and frames only: the evidence of an
// application (a PDF, PNG or JPEG) is fetched with the key in a header and
// shown from an object URL of what was fetched, never from another host.
const ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; " +
	"frame-src blob:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'; " +
	"require-trusted-types-for 'script'; trusted-types 'none'"

// apiPaths are the paths the API answers: everything under /v1/, the
// health check and the OpenAPI document. Every other path is a page's.
var apiPaths = []string{"/v1/", "/healthz", "/openapi.json"}

// New returns the site: the pages and their files, and api for the API's
// paths. A path that is neither is a plain HTML 404 (the API keeps its own
// JSON problems for its paths).
func New(api http.Handler) (http.Handler, error) {
	pages, err := newPages()
	if err != nil {
		return nil, err
	}
	static, err := newStatic(pages.notFound())
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	for _, p := range apiPaths {
		mux.Handle(p, api)
	}
	mux.Handle("GET /{$}", secure(pages.handler("selfcheck.html")))
	mux.Handle("GET /console/{$}", secure(pages.handler("console.html")))
	mux.Handle("GET /console", http.RedirectHandler("/console/", http.StatusMovedPermanently))
	mux.Handle("GET /static/", secure(static))
	mux.Handle("/", secure(pages.notFound()))
	return mux, nil
}

// secure sets the security headers of every page answer.
func secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", ContentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		next.ServeHTTP(w, r)
	})
}

// pages renders the HTML templates. Each is rendered once, at start: the
// pages hold no per-request data (the scripts fetch it).
type pages struct {
	rendered map[string][]byte
}

// pageData is what the templates see.
type pageData struct {
	Counties  []models.County // the twelve counties, then the city itself
	CityLevel models.County
}

func newPages() (*pages, error) {
	msgs, err := loadMessages()
	if err != nil {
		return nil, err
	}
	funcs := template.FuncMap{
		// t is a label in Chinese, the pages' first language; the scripts
		// switch the labels marked data-i18n to English.
		"t": func(key string) (string, error) {
			m, ok := msgs[key]
			if !ok {
				return "", fmt.Errorf("no message %q in static/messages.json", key)
			}
			return m.Zh, nil
		},
	}
	tmpl, err := template.New("").Funcs(funcs).ParseFS(files, "templates/*.html")
	if err != nil {
		return nil, err
	}
	data := pageData{Counties: models.Counties, CityLevel: models.CityLevel}
	p := &pages{rendered: map[string][]byte{}}
	for _, name := range []string{"selfcheck.html", "console.html", "notfound.html"} {
		var buf bytes.Buffer
		if err := tmpl.ExecuteTemplate(&buf, name, data); err != nil {
			return nil, fmt.Errorf("render %s: %w", name, err)
		}
		p.rendered[name] = buf.Bytes()
	}
	return p, nil
}

func (p *pages) handler(name string) http.Handler {
	body := p.rendered[name]
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = w.Write(body)
	})
}

// notFound is the plain HTML 404 of a path that is no page.
func (p *pages) notFound() http.Handler {
	body := p.rendered["notfound.html"]
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		if r.Method != http.MethodHead {
			_, _ = w.Write(body)
		}
	})
}

// message is one label of static/messages.json in both languages.
type message struct {
	Zh string `json:"zh"`
	En string `json:"en"`
}

func loadMessages() (map[string]message, error) {
	raw, err := files.ReadFile("static/messages.json")
	if err != nil {
		return nil, err
	}
	var msgs map[string]message
	if err := json.Unmarshal(raw, &msgs); err != nil {
		return nil, fmt.Errorf("static/messages.json: %w", err)
	}
	for k, m := range msgs {
		if m.Zh == "" || m.En == "" {
			return nil, fmt.Errorf("static/messages.json: %q lacks a language", k)
		}
	}
	return msgs, nil
}

// staticFile is one embedded file, ready to serve.
type staticFile struct {
	body        []byte
	contentType string
	etag        string
}

// contentTypes are the types of the files under static/, set here rather
// than from the system's table, which differs between machines.
var contentTypes = map[string]string{
	".js":   "text/javascript; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".json": "application/json; charset=utf-8",
	".svg":  "image/svg+xml",
	".png":  "image/png",
	".ico":  "image/x-icon",
}

// newStatic serves the files under static/, each with a strong ETag:
// browsers revalidate (no-cache) and get 304 while the binary is the same.
func newStatic(notFound http.Handler) (http.Handler, error) {
	byPath := map[string]staticFile{}
	err := fs.WalkDir(files, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		ct, ok := contentTypes[path.Ext(p)]
		if !ok {
			return fmt.Errorf("%s: no content type for its extension", p)
		}
		body, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		byPath["/"+p] = staticFile{body: body, contentType: ct, etag: `"` + hex.EncodeToString(sum[:12]) + `"`}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, ok := byPath[r.URL.Path]
		if !ok {
			notFound.ServeHTTP(w, r)
			return
		}
		h := w.Header()
		h.Set("Content-Type", f.contentType)
		h.Set("Cache-Control", "no-cache")
		h.Set("ETag", f.etag)
		// ServeContent answers If-None-Match (304) and HEAD from the ETag
		// set; the zero time sends no Last-Modified.
		http.ServeContent(w, r, r.URL.Path, time.Time{}, bytes.NewReader(f.body))
	}), nil
}
