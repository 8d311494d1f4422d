// Command load is a small load generator for the benchmarks in
// BENCHMARKS.md: it sends one request file to an endpoint over C concurrent
// keep-alive connections for D seconds and reports requests per second and
// latency percentiles. It is a tool of the benchmarks, not of the product:
//
//	go run ./bench/load --url http://127.0.0.1:8080/v1/evaluate --file testdata/evaluate/enterprise-province.json -c 32 -d 10s
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"time"
)

// loadResult is what a load run measured.
type loadResult struct {
	Requests      int
	Errors        int // transport errors and non-2xx answers
	Elapsed       time.Duration
	P50, P90, P99 time.Duration
	Max           time.Duration
}

func (r loadResult) PerSecond() float64 { return float64(r.Requests) / r.Elapsed.Seconds() }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := load(ctx, os.Args[1:], os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

// load sends the load its flags describe and prints what it measured.
func load(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	target := fs.String("url", "http://127.0.0.1:8080/v1/evaluate", "endpoint to load")
	file := fs.String("file", "testdata/evaluate/enterprise-province.json", "request body to send")
	method := fs.String("method", http.MethodPost, "HTTP method")
	conns := fs.Int("c", 32, "concurrent connections")
	duration := fs.Duration("d", 10*time.Second, "how long to send")
	warmup := fs.Duration("warmup", time.Second, "load sent first and not counted")
	wait := fs.Duration("wait", 0, "first wait up to this long for the server's /healthz to answer 200")
	var headers headerList
	fs.Var(&headers, "H", `header to send, "Name: value" (repeatable)`)
	if err := fs.Parse(args); err != nil {
		return err
	}
	body, err := os.ReadFile(*file)
	if err != nil {
		return err
	}
	if *conns < 1 {
		return fmt.Errorf("-c must be at least 1")
	}
	client := &http.Client{Transport: &http.Transport{
		MaxIdleConns: *conns, MaxIdleConnsPerHost: *conns, MaxConnsPerHost: *conns, DisableCompression: true,
	}}
	send := func(ctx context.Context) (time.Duration, bool) {
		req, err := http.NewRequestWithContext(ctx, *method, *target, bytes.NewReader(body))
		if err != nil {
			return 0, false
		}
		req.Header.Set("Content-Type", "application/json")
		for _, h := range headers {
			name, value, _ := strings.Cut(h, ":")
			req.Header.Set(strings.TrimSpace(name), strings.TrimSpace(value))
		}
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			return time.Since(start), false
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return time.Since(start), resp.StatusCode < 300
	}
	if *wait > 0 {
		if err := waitHealthy(ctx, client, *target, *wait); err != nil {
			return err
		}
	}
	if *warmup > 0 {
		runLoad(ctx, *conns, *warmup, send)
	}
	res := runLoad(ctx, *conns, *duration, send)
	fmt.Fprintf(stdout, "%s %s: %d connections for %s\n", *method, *target, *conns, *duration)
	fmt.Fprintf(stdout, "requests  %d (%d errors)\nrate      %.0f req/s\n", res.Requests, res.Errors, res.PerSecond())
	fmt.Fprintf(stdout, "latency   p50 %s  p90 %s  p99 %s  max %s\n", round(res.P50), round(res.P90), round(res.P99), round(res.Max))
	if res.Errors > 0 {
		return fmt.Errorf("%d of %d requests failed", res.Errors, res.Requests)
	}
	return nil
}

// waitHealthy polls /healthz on the host of target until it answers 200.
func waitHealthy(ctx context.Context, client *http.Client, target string, limit time.Duration) error {
	u, err := url.Parse(target)
	if err != nil {
		return err
	}
	u.Path, u.RawQuery = "/healthz", ""
	deadline := time.Now().Add(limit)
	for {
		resp, err := client.Get(u.String())
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s did not answer 200 within %s", u, limit)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// runLoad calls send from conns goroutines until the duration is over.
func runLoad(ctx context.Context, conns int, duration time.Duration, send func(context.Context) (time.Duration, bool)) loadResult {
	ctx, cancel := context.WithTimeout(ctx, duration)
	defer cancel()
	var mu sync.Mutex
	var all []time.Duration
	errors := 0
	start := time.Now()
	var wg sync.WaitGroup
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			failed := 0
			for ctx.Err() == nil {
				d, ok := send(ctx)
				if ctx.Err() != nil {
					break // cut short by the end of the run: not counted
				}
				mine = append(mine, d)
				if !ok {
					failed++
				}
			}
			mu.Lock()
			all = append(all, mine...)
			errors += failed
			mu.Unlock()
		}()
	}
	wg.Wait()
	res := loadResult{Requests: len(all), Errors: errors, Elapsed: time.Since(start)}
	if len(all) == 0 {
		return res
	}
	slices.Sort(all)
	at := func(p float64) time.Duration { return all[min(len(all)-1, int(p*float64(len(all))))] }
	res.P50, res.P90, res.P99, res.Max = at(0.50), at(0.90), at(0.99), all[len(all)-1]
	return res
}

func round(d time.Duration) time.Duration {
	if d > time.Millisecond {
		return d.Round(10 * time.Microsecond)
	}
	return d.Round(time.Microsecond)
}

// headerList collects repeated -H flags.
type headerList []string

func (h *headerList) String() string     { return strings.Join(*h, ", ") }
func (h *headerList) Set(v string) error { *h = append(*h, v); return nil }
