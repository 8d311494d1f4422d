package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wenzhou-subsidy/subsidy/models"
)

// TestMain lets a test start this binary's main in a process of its own
// (the test binary run again with SUBSIDY_TEST_RUN_MAIN=1), to kill it.
func TestMain(m *testing.M) {
	if os.Getenv("SUBSIDY_TEST_RUN_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// serveProcess starts `subsidy serve` on addr in a process of its own and
// waits for /healthz; the process is killed at the end of the test.
func serveProcess(t *testing.T, addr, db string, args ...string) (base string, proc *exec.Cmd) {
	t.Helper()
	proc = exec.Command(os.Args[0], append([]string{"serve", "--addr", addr, "--db", db}, args...)...)
	proc.Env = append(os.Environ(), "SUBSIDY_TEST_RUN_MAIN=1")
	proc.Stdout, proc.Stderr = io.Discard, io.Discard
	if err := proc.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = proc.Process.Kill()
		_ = proc.Wait()
	})
	base = "http://" + addr
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return base, proc
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not become ready: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestKilledRunIsInterruptedAndRetried: kill -9 in the middle of a payout
// run. When the service starts again (on the same node: host and address)
// the run is interrupted at once, its Idempotency-Key answers again, and
// the retry records exactly what was still due: together the two runs
// record every payout once.
func TestKilledRunIsInterruptedAndRetried(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills server processes")
	}
	db := filepath.Join(t.TempDir(), "subsidy.db")
	if code, _, errOut := runCmd(t, "", nil, "registry", "generate", "--db", db, "--enterprises", "40000", "--universities", "20"); code != 0 {
		t.Fatalf("registry generate: %d %s", code, errOut)
	}
	_, out, _ := runCmd(t, "", nil, "keys", "create", "--db", db, "--role", "finance")
	key := lastLine(out)
	// A heartbeat's staleness alone would take an hour: what interrupts the
	// killed run is the restart of its node.
	tuning := []string{"--run-heartbeat", "10ms", "--run-stale-after", "1h"}
	addr := freeAddr(t)

	base, proc := serveProcess(t, addr, db, tuning...)
	post := func(base string, headers ...string) (int, []byte) {
		req, _ := http.NewRequest("POST", base+"/v1/payout-runs", strings.NewReader(`{"as_of":"2025-06-30","grant_year":2025}`))
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("Idempotency-Key", "run-2025")
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	status, body := post(base, "Prefer", "respond-async")
	if status != http.StatusAccepted {
		t.Fatalf("start: %d %s", status, body)
	}
	var run models.PayoutRun
	if err := json.Unmarshal(body, &run); err != nil {
		t.Fatal(err)
	}
	getRun := func(base string) models.PayoutRun {
		var r models.PayoutRun
		if err := json.Unmarshal(call(t, key, "GET", fmt.Sprintf("%s/v1/payout-runs/%d", base, run.ID), "", 200), &r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	for r := getRun(base); r.CreatedCount == 0; r = getRun(base) {
		if r.Status != models.RunRunning {
			t.Fatalf("the run ended before it could be killed: %+v", r)
		}
		time.Sleep(2 * time.Millisecond)
	}
	if err := proc.Process.Kill(); err != nil { // SIGKILL: no chance to clean up
		t.Fatal(err)
	}
	_ = proc.Wait()

	base, _ = serveProcess(t, addr, db, tuning...)
	killed := getRun(base) // interrupted before the service was ready
	if killed.Status != models.RunInterrupted || killed.CreatedCount == 0 {
		t.Fatalf("the killed run %+v", killed)
	}
	status, body = post(base)
	if status != http.StatusCreated {
		t.Fatalf("the retry: %d %s", status, body)
	}
	var retry struct {
		ID      int64           `json:"id"`
		Created []models.Payout `json:"created"`
	}
	if err := json.Unmarshal(body, &retry); err != nil {
		t.Fatal(err)
	}
	if retry.ID == run.ID {
		t.Fatalf("the retry replayed the killed run")
	}
	// Every key once: what the killed run recorded and what the retry
	// recorded do not overlap, and a third run finds nothing due.
	var payouts struct {
		Payouts []models.Payout `json:"payouts"`
	}
	seen := map[string]bool{}
	after := int64(0)
	for {
		if err := json.Unmarshal(call(t, key, "GET", fmt.Sprintf("%s/v1/payouts?limit=1000&after=%d", base, after), "", 200), &payouts); err != nil {
			t.Fatal(err)
		}
		for _, p := range payouts.Payouts {
			k := fmt.Sprintf("%s|%s|%s|%d", p.Rule, p.Subject, p.Level, p.GrantYear)
			if seen[k] {
				t.Errorf("payout key %s recorded twice", k)
			}
			seen[k] = true
			after = p.ID
		}
		if len(payouts.Payouts) < 1000 {
			break
		}
	}
	// The interrupted run's count is that of the payouts carrying its id.
	if len(seen) != killed.CreatedCount+len(retry.Created) {
		t.Errorf("%d payouts, want %d killed + %d retried", len(seen), killed.CreatedCount, len(retry.Created))
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}
