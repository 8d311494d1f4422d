package main

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestOpsListener: metrics and profiles are served on the operators'
// listener only, and the profile of the command line (which may hold the
// database's password) nowhere. The metrics count requests, evaluations by
// rule and outcome, payout runs by status and what they recorded.
func TestOpsListener(t *testing.T) {
	ops := freeAddr(t)
	db := filepath.Join(t.TempDir(), "subsidy.db")
	base, out, stop := serve(t, map[string]string{"SUBSIDY_DB": db}, "--ops-addr", ops, "--demo")
	defer func() {
		if err := stop(); err != nil {
			t.Error(err)
		}
	}()
	if !strings.Contains(out.String(), "operators' listener on http://"+ops) {
		t.Errorf("serve did not say where the operators' listener is: %s", out)
	}
	get := func(url string) (int, string) {
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	// A request to count, an evaluation (both rules eligible) and a payout
	// run (demo/README.md: 6 payouts, 2,500,000.00).
	if code, _ := get(base + "/v1/rules"); code != 200 {
		t.Fatalf("rules: %d", code)
	}
	body, err := os.ReadFile("../../testdata/evaluate/enterprise-province.json")
	if err != nil {
		t.Fatal(err)
	}
	call(t, "", "POST", base+"/v1/evaluate", string(body), 200)
	call(t, demoKeys(t, out.String())["clerk"], "POST", base+"/v1/payout-runs", `{"as_of":"2025-06-30","grant_year":2025}`, 201)
	code, metrics := get("http://" + ops + "/metrics")
	if code != 200 {
		t.Fatalf("metrics: %d", code)
	}
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`subsidy_http_request_duration_seconds_count\{method="GET",route="/v1/rules",status="200"\} 1`),
		regexp.MustCompile(`go_sql_open_connections\{db_name="sqlite"\}`),
		regexp.MustCompile(`go_goroutines`),
		regexp.MustCompile(`(?m)^subsidy_evaluations_total\{outcome="eligible",rule="cert-grant"\} 1$`),
		regexp.MustCompile(`(?m)^subsidy_evaluations_total\{outcome="eligible",rule="surcharge-credit"\} 1$`),
		regexp.MustCompile(`(?m)^subsidy_payout_runs_total\{status="completed"\} 1$`),
		regexp.MustCompile(`(?m)^subsidy_payouts_recorded_total 6$`),
		regexp.MustCompile(`(?m)^subsidy_payout_amount_fen_total 2\.5e\+08$`),
	} {
		if !want.MatchString(metrics) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if code, _ := get("http://" + ops + "/debug/pprof/"); code != 200 {
		t.Errorf("pprof index: %d", code)
	}
	for _, url := range []string{"http://" + ops + "/debug/pprof/cmdline", base + "/debug/pprof/", base + "/metrics"} {
		if code, body := get(url); code == 200 {
			t.Errorf("%s is served: %.200s", url, body)
		}
	}
}

// TestPasswordsAreMasked: a database password never shows in what the
// command prints, in a URL, its query or a keyword string.
func TestPasswordsAreMasked(t *testing.T) {
	for _, dsn := range []string{
		"postgres://app:s3cret-pw@127.0.0.1:1/none?sslmode=disable&connect_timeout=1",
		"postgres://127.0.0.1:1/none?user=app&password=s3cret-pw&sslmode=disable&connect_timeout=1",
		"host=127.0.0.1 port=1 user=app password=s3cret-pw dbname=none sslmode=disable connect_timeout=1",
	} {
		code, stdout, stderr := runCmd(t, "", nil, "keys", "list", "--db", dsn)
		if code == 0 {
			t.Errorf("%s: opened a database that is not there", dsn)
		}
		if strings.Contains(stdout+stderr, "s3cret-pw") {
			t.Errorf("the password shows:\n%s%s", stdout, stderr)
		}
	}
}

// TestKeyLabelsAreOneLine: a key's label takes no control characters.
func TestKeyLabelsAreOneLine(t *testing.T) {
	db := filepath.Join(t.TempDir(), "subsidy.db")
	for _, label := range []string{"经办\n审核", "x\x1b[2J", "a\u202eb"} {
		code, _, stderr := runCmd(t, "", nil, "keys", "create", "--db", db, "--role", "tax", "--label", label)
		if code != exitUsage || !strings.Contains(stderr, "label") {
			t.Errorf("label %q: exit %d: %s", label, code, stderr)
		}
	}
}

func TestOpsAddrIsLoopbackUnlessTold(t *testing.T) {
	for in, want := range map[string]string{":9090": "127.0.0.1:9090", "0.0.0.0:9090": "0.0.0.0:9090", "10.1.2.3:9090": "10.1.2.3:9090"} {
		if got := loopbackUnlessTold(in); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}
