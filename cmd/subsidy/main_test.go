package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wenzhou-subsidy/subsidy/api"
	"github.com/wenzhou-subsidy/subsidy/app"
	"github.com/wenzhou-subsidy/subsidy/models"
	"github.com/wenzhou-subsidy/subsidy/store"
	"github.com/wenzhou-subsidy/subsidy/store/storetest"
)

// runCmd runs the program with args and returns its exit code and output.
func runCmd(t *testing.T, stdin string, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	getenv := func(k string) string { return env[k] }
	code := run(t.Context(), args, getenv, strings.NewReader(stdin), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func amounts(t *testing.T, out string) map[string]string {
	t.Helper()
	var resp models.EvaluateResponse
	if err := json.Unmarshal([]byte(out), &resp); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	got := map[string]string{}
	for _, r := range resp.Results {
		got[r.Rule] = r.Amount.String()
	}
	return got
}

func TestEval(t *testing.T) {
	code, out, errOut := runCmd(t, "", nil, "eval", "../../testdata/evaluate/enterprise-province.json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if got := amounts(t, out); got["cert-grant"] != "200000.00" || got["surcharge-credit"] != "50000.00" {
		t.Errorf("amounts %v", got)
	}
	// From stdin, in English.
	body, _ := os.ReadFile("../../testdata/evaluate/university.json")
	code, out, _ = runCmd(t, string(body), nil, "eval", "--lang", "en", "-")
	if code != 0 || !strings.Contains(out, "city-owned public university") || amounts(t, out)["donation-match"] != "1500000.00" {
		t.Errorf("exit %d: %s", code, out)
	}
}

// TestEvalBadInput: bad input prints the API's problem document on stderr
// and exits 2.
func TestEvalBadInput(t *testing.T) {
	code, out, errOut := runCmd(t, "", nil, "eval", "../../testdata/evaluate/bad-input.json")
	if code != 2 || out != "" {
		t.Fatalf("exit %d, stdout %q", code, out)
	}
	var p api.Problem
	if err := json.Unmarshal([]byte(errOut), &p); err != nil {
		t.Fatalf("%v: %s", err, errOut)
	}
	if p.Status != 400 || len(p.Errors) != 13 || p.Type != "urn:subsidy:problem:invalid" {
		t.Errorf("problem %+v", p)
	}
	if code, _, errOut := runCmd(t, `{"subject":`, nil, "eval"); code != 2 || !strings.Contains(errOut, `"status": 400`) {
		t.Errorf("malformed JSON: exit %d, %s", code, errOut)
	}
	if code, _, _ := runCmd(t, "", nil, "eval", "no-such-file.json"); code != 2 {
		t.Errorf("missing file: exit %d", code)
	}
}

// TestPolicyChangeIsARuleFileEdit: raising the provincial grant to 30万 is an
// edit to one rule file, picked up with --rules and no Go change.
func TestPolicyChangeIsARuleFileEdit(t *testing.T) {
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS("../../rules")); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "cert-grant.yaml")
	text, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	edited := bytes.Replace(text, []byte(`province: "200000.00"`), []byte(`province: "300000.00"`), 1)
	if bytes.Equal(edited, text) {
		t.Fatal("the provincial amount is not where the test expects it")
	}
	if err := os.WriteFile(file, edited, 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCmd(t, "", nil, "eval", "--rules", dir, "../../testdata/evaluate/enterprise-province.json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if got := amounts(t, out)["cert-grant"]; got != "300000.00" {
		t.Errorf("cert-grant with the edited rules = %s, want 300000.00", got)
	}
	// The shipped rules are unchanged, and the ruleset digest tells the two apart.
	_, shipped, _ := runCmd(t, "", nil, "eval", "../../testdata/evaluate/enterprise-province.json")
	if amounts(t, shipped)["cert-grant"] != "200000.00" || strings.Contains(shipped, digestOf(t, out)) {
		t.Error("the shipped rules changed, or the digests agree")
	}
	// A broken edit fails the load with the file and line.
	if err := os.WriteFile(file, bytes.Replace(text, []byte(`province: "200000.00"`), []byte(`province: "200000.001"`), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut = runCmd(t, "", nil, "rules", "--rules", dir)
	if code != 1 || !strings.Contains(errOut, "cert-grant.yaml:") || !strings.Contains(errOut, "more than 2 decimals") {
		t.Errorf("broken rules: exit %d: %s", code, errOut)
	}
}

func digestOf(t *testing.T, out string) string {
	var resp models.EvaluateResponse
	if err := json.Unmarshal([]byte(out), &resp); err != nil {
		t.Fatal(err)
	}
	return resp.Ruleset.Digest
}

func TestRulesAndTestCommands(t *testing.T) {
	code, out, _ := runCmd(t, "", nil, "rules", "--as-of", "2025-06-30")
	for _, want := range []string{"cert-grant", "surcharge-credit", "donation-match", "surcharge-credit.rate", `"0.30"`, "温发改社〔2024〕172号"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("rules output lacks %q (exit %d)", want, code)
		}
	}
	code, out, _ = runCmd(t, "", nil, "test")
	if code != 0 || !strings.Contains(out, " 0 failed") {
		t.Errorf("test: exit %d\n%s", code, out)
	}
	// A failing case exits 1 and says which.
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS("../../rules")); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "donation-match.yaml")
	text, _ := os.ReadFile(file)
	os.WriteFile(file, bytes.Replace(text, []byte(`value: "0.5"`), []byte(`value: "0.6"`), 1), 0o644)
	code, out, _ = runCmd(t, "", nil, "test", dir)
	if code != 1 || !strings.Contains(out, "FAIL donation-match") {
		t.Errorf("test with a changed ratio: exit %d\n%s", code, out)
	}
	if code, _, _ := runCmd(t, "", nil, "nope"); code != 2 {
		t.Errorf("unknown command: exit %d", code)
	}
}

func TestTestCoverage(t *testing.T) {
	code, out, _ := runCmd(t, "", nil, "test", "--coverage")
	for _, want := range []string{" 0 failed", "per-year condition member-unit ", "✔ failing in", "every condition seen passing and failing, every parameter read"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("test --coverage: exit %d, output lacks %q:\n%s", code, want, out)
		}
	}
	// A parameter no expression reads is a gap, reported but not fatal.
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS("../../rules")); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "donation-match.yaml")
	text, _ := os.ReadFile(file)
	unread := "parameters:\n  note:\n    type: string\n    description: {zh: 备注, en: A note}\n    values:\n      - {from: 2024-01-01, value: \"-\"}\n"
	os.WriteFile(file, bytes.Replace(text, []byte("parameters:\n"), []byte(unread), 1), 0o644)
	code, out, _ = runCmd(t, "", nil, "test", "--coverage", dir)
	if code != 0 || !strings.Contains(out, "parameter note") || !strings.Contains(out, "✘ never read") || !strings.Contains(out, "1 gap(s)") {
		t.Errorf("test --coverage with an unread parameter: exit %d\n%s", code, out)
	}
	code, out, _ = runCmd(t, "", nil, "test", "--coverage", "--json", dir)
	var report struct {
		Passed, Failed int
		Gaps           []string
	}
	if err := json.Unmarshal([]byte(out), &report); err != nil {
		t.Fatalf("test --json: %v\n%s", err, out)
	}
	if code != 0 || report.Failed != 0 || report.Passed == 0 || len(report.Gaps) != 1 || report.Gaps[0] != "donation-match: parameter note never read" {
		t.Errorf("test --coverage --json: exit %d, %+v", code, report)
	}
	// A failing case still exits 1.
	text, _ = os.ReadFile(file)
	os.WriteFile(file, bytes.Replace(text, []byte(`value: "0.5"`), []byte(`value: "0.6"`), 1), 0o644)
	if code, out, _ := runCmd(t, "", nil, "test", "--coverage", dir); code != 1 || !strings.Contains(out, "FAIL donation-match") {
		t.Errorf("test --coverage with a failing case: exit %d\n%s", code, out)
	}
}

// freeAddr returns a free loopback address.
func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// serve starts `subsidy serve` and waits until /healthz answers 200.
func serve(t *testing.T, env map[string]string, args ...string) (base string, stdout *storetest.SyncBuffer, stop func() error) {
	t.Helper()
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(t.Context())
	stdout = &storetest.SyncBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "--addr", addr}, args...), func(k string) string { return env[k] }, nil, stdout, io.Discard)
	}()
	base = "http://" + addr
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		select {
		case code := <-done:
			cancel()
			t.Fatalf("serve exited %d before it was ready: %s", code, stdout.String())
		default:
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatal("serve did not become ready")
		}
		time.Sleep(20 * time.Millisecond)
	}
	return base, stdout, func() error {
		cancel()
		if code := <-done; code != 0 {
			return fmt.Errorf("serve exited %d", code)
		}
		return nil
	}
}

// TestServeEndToEnd starts the binary's serve on a free port with the demo
// registry, uses it as a finance officer would, stops it, starts it again on
// the same database and finds everything still there.
func TestServeEndToEnd(t *testing.T) {
	for _, kind := range storetest.Kinds(t) {
		t.Run(kind, func(t *testing.T) {
			dsn := storetest.DSN(t, kind)
			env := map[string]string{"SUBSIDY_DB": dsn}
			base, out, stop := serve(t, env, "--demo")
			keys := demoKeys(t, out.String())
			admin, clerk, approver := keys["admin"], keys["clerk"], keys["approver"]

			body, _ := os.ReadFile("../../testdata/evaluate/enterprise-province.json")
			resp, err := http.Post(base+"/v1/evaluate", "application/json", bytes.NewReader(body))
			if err != nil || resp.StatusCode != 200 {
				t.Fatalf("evaluate: %v %v", err, resp)
			}
			resp.Body.Close()

			// The pages are served beside the API, the API's unknown paths
			// stay JSON problems, other unknown paths a plain HTML 404.
			for _, tt := range []struct {
				path, contentType string
				status            int
			}{
				{"/", "text/html; charset=utf-8", 200},
				{"/console/", "text/html; charset=utf-8", 200},
				{"/static/js/selfcheck.js", "text/javascript; charset=utf-8", 200},
				{"/v1/nope", "application/problem+json; charset=utf-8", 404},
				{"/nope", "text/html; charset=utf-8", 404},
			} {
				resp, err := http.Get(base + tt.path)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != tt.status || resp.Header.Get("Content-Type") != tt.contentType {
					t.Errorf("GET %s: %d %q, want %d %q", tt.path, resp.StatusCode, resp.Header.Get("Content-Type"), tt.status, tt.contentType)
				}
				if tt.contentType == "text/html; charset=utf-8" && !strings.Contains(resp.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
					t.Errorf("GET %s: no Content-Security-Policy", tt.path)
				}
			}

			run := call(t, clerk, "POST", base+"/v1/payout-runs", `{"as_of":"2025-06-30","grant_year":2025}`, 201)
			var answer struct {
				Run     models.PayoutRun `json:"run"`
				Created []models.Payout  `json:"created"`
			}
			json.Unmarshal(run, &answer)
			// demo/README.md gives the figures of this run.
			if answer.Run.CreatedCount != 6 || answer.Run.CreatedTotal.String() != "2500000.00" {
				t.Errorf("demo run: %+v", answer.Run)
			}
			// The walk of the README: the clerk may not approve what it ran
			// (four eyes); the approver approves, the clerk marks paid.
			id := fmt.Sprint(answer.Created[0].ID)
			call(t, clerk, "POST", base+"/v1/payouts/"+id+"/approve", "", 403)
			call(t, approver, "POST", base+"/v1/payouts/"+id+"/approve", "", 200)
			call(t, approver, "POST", base+"/v1/payouts/"+id+"/paid", "", 403)
			call(t, clerk, "POST", base+"/v1/payouts/"+id+"/paid", "", 200)
			if xlsx := call(t, clerk, "GET", base+"/v1/payouts/export?status=paid&format=xlsx", "", 200); !bytes.HasPrefix(xlsx, []byte("PK")) {
				t.Errorf("the workbook is not a zip file: %.20q", xlsx)
			}
			// The enterprise key reads its own payee account masked; the tax key reads ledgers.
			own := call(t, keys["enterprise"], "GET", base+"/v1/enterprises/91330382MA2C00005A", "", 200)
			if !bytes.Contains(own, []byte(`"account_no":"***************6789"`)) {
				t.Errorf("the enterprise reads %s", own)
			}
			call(t, keys["tax"], "GET", base+"/v1/enterprises/91330302MA2C000012/credit-ledger", "", 200)
			// The university key reads its own evaluation, and not another's.
			call(t, keys["university"], "GET", base+"/v1/universities/wzvtc/evaluation?grant_year=2025", "", 200)
			call(t, keys["university"], "GET", base+"/v1/universities/wzu/evaluation?grant_year=2025", "", 404)
			if err := stop(); err != nil {
				t.Fatal(err)
			}

			// Restart on the same database: the data and the keys survive;
			// the demo registry is not loaded twice.
			base, out, stop = serve(t, env, "--demo")
			if strings.Contains(out.String(), "loaded the demo registry") {
				t.Error("the demo registry was loaded into a database that had one")
			}
			call(t, admin, "GET", base+"/v1/payouts?limit=1000", "", 401) // the old demo keys are revoked
			var payouts struct {
				Payouts []models.Payout `json:"payouts"`
			}
			json.Unmarshal(call(t, demoKeys(t, out.String())["clerk"], "GET", base+"/v1/payouts?limit=1000", "", 200), &payouts)
			if len(payouts.Payouts) != 6 {
				t.Errorf("%d payouts after the restart, want 6", len(payouts.Payouts))
			}
			if err := stop(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestKeysCommand creates, lists and revokes keys on a database.
func TestKeysCommand(t *testing.T) {
	db := storetest.DSN(t, storetest.SQLite)
	code, out, errOut := runCmd(t, "", nil, "keys", "create", "--db", db, "--role", "enterprise", "--subject", "91330382MA2AB3C47E", "--label", "示例")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	secret := lines[len(lines)-1]
	if !strings.HasPrefix(secret, "sk_") || strings.Contains(secret, " ") {
		t.Errorf("the key is not alone on the last line: %q", out)
	}
	code, out, _ = runCmd(t, "", map[string]string{"SUBSIDY_DB": db}, "keys", "list")
	if code != 0 || !strings.Contains(out, "enterprise") || !strings.Contains(out, "91330382MA2AB3C47E") || strings.Contains(out, secret) {
		t.Errorf("list: exit %d\n%s", code, out)
	}
	id := strings.Fields(strings.Split(out, "\n")[1])[0]
	if code, out, _ = runCmd(t, "", nil, "keys", "revoke", "--db", db, id); code != 0 || !strings.Contains(out, "revoked key "+id) {
		t.Errorf("revoke: exit %d %s", code, out)
	}
	for _, bad := range [][]string{
		{"keys", "create", "--db", db, "--role", "root"},
		{"keys", "create", "--db", db, "--role", "enterprise"},
		{"keys", "create", "--db", db, "--role", "enterprise", "--subject", "91330382MA2AB3C47F"},
		{"keys", "create", "--db", db, "--role", "finance", "--subject", "x"},
		{"keys", "revoke", "--db", db},
		{"keys"},
	} {
		if code, _, _ := runCmd(t, "", nil, bad...); code != 2 {
			t.Errorf("%v: exit %d, want 2", bad, code)
		}
	}
	if code, _, _ := runCmd(t, "", nil, "keys", "revoke", "--db", db, "key_nope"); code != 1 {
		t.Errorf("revoking an unknown key: exit %d", code)
	}
}

// demoKeys finds the keys serve --demo printed, by name: admin, clerk,
// approver, tax, enterprise and university.
func demoKeys(t *testing.T, out string) map[string]string {
	t.Helper()
	keys := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		rest, ok := strings.CutPrefix(line, "subsidy: demo ")
		name, _, named := strings.Cut(rest, " key (")
		if !ok || !named {
			continue
		}
		keys[name] = line[strings.LastIndex(line, ": ")+2:]
	}
	for _, name := range []string{"admin", "clerk", "approver", "tax", "enterprise", "university"} {
		if !strings.HasPrefix(keys[name], "sk_") {
			t.Fatalf("no demo %s key in:\n%s", name, out)
		}
	}
	return keys
}

func call(t *testing.T, key, method, url, body string, want int) []byte {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: %d, want %d: %s", method, url, resp.StatusCode, want, b)
	}
	return b
}

// TestGracefulShutdown: a request in flight when SIGINT/SIGTERM arrives
// (the context is cancelled) is finished and answered before serve returns.
func TestGracefulShutdown(t *testing.T) {
	env := map[string]string{"SUBSIDY_DB": storetest.DSN(t, storetest.SQLite)}
	base, _, stop := serve(t, env)
	body, _ := os.ReadFile("../../testdata/evaluate/university.json")
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// Send the headers and half the body: the request is now in flight.
	fmt.Fprintf(conn, "POST /v1/evaluate HTTP/1.1\r\nHost: test\r\nContent-Length: %d\r\n\r\n", len(body))
	conn.Write(body[:len(body)/2])
	time.Sleep(100 * time.Millisecond)

	stopped := make(chan error, 1)
	go func() { stopped <- stop() }()
	time.Sleep(200 * time.Millisecond)
	select {
	case err := <-stopped:
		t.Fatalf("serve returned before the request in flight finished: %v", err)
	default:
	}
	// New connections are refused while it drains.
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Error("serve accepted a new request while shutting down")
	}
	conn.Write(body[len(body)/2:])
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 {
		t.Errorf("the request in flight got %d", resp.StatusCode)
	}
	resp.Body.Close()
	if err := <-stopped; err != nil {
		t.Fatal(err)
	}
}

// TestDemoRefusesARealRegistry: --demo never mints keys on a database whose
// registry it did not load.
func TestDemoRefusesARealRegistry(t *testing.T) {
	db := storetest.DSN(t, storetest.SQLite)
	st := storetest.OpenDSN(t, db, store.Options{})
	if _, _, err := st.PutEnterprise(t.Context(), cliActor, models.EnterpriseRecord{CreditCode: "91330382MA2AB3C47E", Name: "示例", Region: "330382"}); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCmd(t, "", map[string]string{"SUBSIDY_DB": db}, "serve", "--addr", freeAddr(t), "--demo")
	if code != 2 || strings.Contains(out, "key") || !strings.Contains(errOut, "--demo") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	keys, err := st.ListKeys(t.Context())
	if err != nil || len(keys) != 0 {
		t.Errorf("keys made: %v %v", keys, err)
	}
}

// TestFourEyesOff: serve --four-eyes=false (or SUBSIDY_FOUR_EYES=false)
// lets the clerk approve what it ran and mark it paid.
func TestFourEyesOff(t *testing.T) {
	for _, how := range []struct {
		env  map[string]string
		args []string
	}{
		{map[string]string{}, []string{"--four-eyes=false"}},
		{map[string]string{"SUBSIDY_FOUR_EYES": "false"}, nil},
	} {
		how.env["SUBSIDY_DB"] = storetest.DSN(t, storetest.SQLite)
		base, out, stop := serve(t, how.env, append([]string{"--demo"}, how.args...)...)
		clerk := demoKeys(t, out.String())["clerk"]
		var answer struct {
			Created []models.Payout `json:"created"`
		}
		json.Unmarshal(call(t, clerk, "POST", base+"/v1/payout-runs", `{"as_of":"2025-06-30","grant_year":2025}`, 201), &answer)
		id := fmt.Sprint(answer.Created[0].ID)
		call(t, clerk, "POST", base+"/v1/payouts/"+id+"/approve", "", 200)
		call(t, clerk, "POST", base+"/v1/payouts/"+id+"/paid", "", 200)
		if err := stop(); err != nil {
			t.Fatal(err)
		}
	}
	if code, _, errOut := runCmd(t, "", map[string]string{"SUBSIDY_FOUR_EYES": "maybe"}, "serve", "--addr", freeAddr(t)); code != 2 || !strings.Contains(errOut, "SUBSIDY_FOUR_EYES") {
		t.Errorf("SUBSIDY_FOUR_EYES=maybe: exit %d, %s", code, errOut)
	}
}

// TestForecastCommand: subsidy forecast prints the demo registry's
// forecast as a table (and as JSON), beside a reform, and names bad input
// by its flag.
func TestForecastCommand(t *testing.T) {
	db := storetest.DSN(t, storetest.SQLite)
	st := storetest.OpenDSN(t, db, store.Options{})
	eng, err := loadEngine("")
	if err != nil {
		t.Fatal(err)
	}
	if err := importDemo(t.Context(), app.New(eng, st, app.Options{})); err != nil {
		t.Fatal(err)
	}

	code, out, errOut := runCmd(t, "", nil, "forecast", "--db", db, "--grant-year", "2025", "--as-of", "2025-06-30",
		"--override", "donation-match.cap=1000000.00", "--override", "cert-grant.stacking=top_up")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	// demo/README.md: the run records 2,500,000.00; a cap of 100万 takes
	// 500,000.00 off the match, and top_up 50,000.00 off 乐清's two grants.
	for _, want := range []string{
		"资金测算：2025 年度补助，测算日 2025年6月30日", "现行政策", "调整方案", "增减",
		"2,500,000.00", "1,950,000.00", "-550,000.00", "市属公办高校社会捐赠配比补助", "温州市财政局 330300", "乐清市财政局 330382",
		"税式支出", "其中 教育费附加", "减少 2 个",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the table lacks %q:\n%s", want, out)
		}
	}

	code, out, _ = runCmd(t, "", map[string]string{"SUBSIDY_DB": db}, "forecast", "--grant-year", "2025", "--as-of", "2025-06-30", "--rules", "cert-grant", "--json")
	var f struct {
		Rules    []string `json:"rules"`
		Baseline struct {
			Total  models.Money `json:"total"`
			ByRule []struct {
				Rule string `json:"rule"`
			} `json:"by_rule"`
			Credit struct {
				Offset models.Money `json:"offset"`
			} `json:"credit"`
		} `json:"baseline"`
	}
	if err := json.Unmarshal([]byte(out), &f); code != 0 || err != nil {
		t.Fatalf("--json: exit %d, %v: %s", code, err, out)
	}
	if f.Baseline.Total.String() != "1000000.00" || len(f.Baseline.ByRule) != 1 || !f.Baseline.Credit.Offset.IsPositive() {
		t.Errorf("--json --rules cert-grant: %+v", f)
	}
	// Nothing was recorded: a forecast is a read.
	if ps, err := st.ListPayouts(t.Context(), models.PayoutFilter{}); err != nil || len(ps) != 0 {
		t.Errorf("the forecast recorded %d payouts (%v)", len(ps), err)
	}

	code, _, errOut = runCmd(t, "", nil, "forecast", "--db", db, "--grant-year", "1999", "--override", "cert-grant.nope=1", "--rules", "surcharge-credit")
	for _, want := range []string{"--grant-year", "--override cert-grant.nope", "--rules rules[0]"} {
		if code != 2 || !strings.Contains(errOut, want) {
			t.Errorf("bad input: exit %d, stderr lacks %q:\n%s", code, want, errOut)
		}
	}
	code, _, errOut = runCmd(t, "", nil, "forecast", "--db", db, "--override", "donation-match.cap=abc", "--json")
	var p api.Problem
	if err := json.Unmarshal([]byte(errOut), &p); code != 2 || err != nil || len(p.Errors) != 1 || p.Errors[0].Field != "overrides.donation-match.cap" {
		t.Errorf("bad override, --json: exit %d, %v: %s", code, err, errOut)
	}
	for _, bad := range [][]string{{"forecast", "--db", db, "--as-of", "2025-13-01"}, {"forecast", "--db", db, "--override", "nothing"}, {"forecast", "--db", db, "extra"}} {
		if code, _, _ := runCmd(t, "", nil, bad...); code != 2 {
			t.Errorf("%v: exit %d, want 2", bad, code)
		}
	}
}
