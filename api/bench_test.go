package api

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
)

// BenchmarkEvaluateEndpoint: a whole POST /v1/evaluate through the server's
// handler (middleware, decoding, evaluation, JSON answer), without the network.
func BenchmarkEvaluateEndpoint(b *testing.B) {
	s := newPublicServer(b, nil)
	body := readFile(b, "../testdata/evaluate/enterprise-province.json")
	b.ReportAllocs()
	for b.Loop() {
		if rec := do(b, s, http.MethodPost, "/v1/evaluate", body); rec.Code != http.StatusOK {
			b.Fatal(rec.Code)
		}
	}
}

// BenchmarkEchoFloor: the floor BenchmarkEvaluateEndpoint is compared with
// (BENCHMARKS.md) — a bare echo handler that reads the same body and writes
// the same answer, doing none of subsidy's work.
func BenchmarkEchoFloor(b *testing.B) {
	s := newPublicServer(b, nil)
	body := readFile(b, "../testdata/evaluate/enterprise-province.json")
	answer := do(b, s, http.MethodPost, "/v1/evaluate", body).Body.Bytes()
	e := echo.New()
	e.POST("/v1/evaluate", func(c echo.Context) error {
		if _, err := io.Copy(io.Discard, c.Request().Body); err != nil {
			return err
		}
		return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, answer)
	})
	b.ReportAllocs()
	for b.Loop() {
		if rec := do(b, e, http.MethodPost, "/v1/evaluate", body); rec.Code != http.StatusOK {
			b.Fatal(rec.Code)
		}
	}
}

// oneMiB builds a POST /v1/evaluate body of about 1 MiB: a university with
// donations as many as fit, each entry as given.
func oneMiB(entry string) []byte {
	head := `{"as_of":"2025-06-30","subject":{"kind":"university","code":"wzvtc","name":"温州职业技术学院","ownership":"public","affiliation":"city","grant_year":2025,"donations":[`
	var b bytes.Buffer
	b.WriteString(head)
	for b.Len()+len(entry)+4 < DefaultBodyLimit {
		if b.Len() > len(head) {
			b.WriteByte(',')
		}
		b.WriteString(entry)
	}
	b.WriteString(`]}}`)
	return b.Bytes()
}

// enterpriseMiB builds a 1 MiB POST /v1/evaluate body of an enterprise whose
// list holds as many entries as fit, entry(i) the i-th.
func enterpriseMiB(list string, entry func(i int) string) []byte {
	var b bytes.Buffer
	b.WriteString(`{"as_of":"2025-06-30","subject":{"kind":"enterprise","credit_code":"91330382MA2AB3C47E","name":"x","region":"330382","` + list + `":[`)
	for i := 0; b.Len() < DefaultBodyLimit-200; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(entry(i))
	}
	b.WriteString(`]}}`)
	return b.Bytes()
}

// BenchmarkBadInputMiB compares what a 1 MiB body of bad entries costs the
// evaluate endpoint with what a valid 1 MiB body costs (BENCHMARKS.md: at
// most 3×). The valid body is a university with 10,000 donations, the most
// a subject may list; the bad ones are empty entries (each missing its
// fields), entries of the wrong type, and entries whose values are wrong.
func BenchmarkBadInputMiB(b *testing.B) {
	s := newPublicServer(b, nil)
	valid := func() []byte {
		head := `{"as_of":"2025-06-30","subject":{"kind":"university","code":"wzvtc","name":"温州职业技术学院","ownership":"public","affiliation":"city","grant_year":2025,"donations":[`
		entry := `{"amount":"123456.78","form":"cash","via_foundation":true,"arrived_on":"2024-05-06"},`
		body := head + strings.Repeat(entry, 10000)
		return []byte(strings.TrimSuffix(body, ",") + `]}}`)
	}()
	for _, bc := range []struct {
		name   string
		body   []byte
		status int
	}{
		{"valid", valid, http.StatusOK},
		{"empty-entries", oneMiB(`{}`), http.StatusBadRequest},
		{"wrong-types", oneMiB(`1`), http.StatusBadRequest},
		{"wrong-values", oneMiB(`{"amount":"-1","form":"gold","via_foundation":true,"arrived_on":"2024-13-01"}`), http.StatusBadRequest},
		{"distinct-bad-grants", enterpriseMiB("grants_received", func(i int) string {
			return fmt.Sprintf(`{"level":"l%d","amount":"1.00"}`, i)
		}), http.StatusBadRequest},
		{"distinct-bad-years", enterpriseMiB("credit_years", func(i int) string {
			return fmt.Sprintf(`{"year":%d,"investment":"1","fiscal_subsidy":"0","education_surcharge":"1","local_education_surcharge":"1"}`, 3000+i)
		}), http.StatusBadRequest},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(bc.body)))
			b.ReportAllocs()
			for b.Loop() {
				if rec := do(b, s, http.MethodPost, "/v1/evaluate", bc.body); rec.Code != bc.status {
					b.Fatalf("%d: %.300s", rec.Code, rec.Body)
				}
			}
		})
	}
}
