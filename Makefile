# subsidy: make run starts the service with the embedded database and the
# shipped rules; make test runs every test.
GO ?= go
BIN := bin/subsidy

.PHONY: build run test lint bench fuzz loadtest screening forecast screenshots bench-web clean

build:
	$(GO) build -o $(BIN) ./cmd/subsidy

run: build
	$(BIN) serve --demo

# Every test; the race detector is on for all packages (the API and store
# tests run concurrent requests and payout runs).
test:
	$(GO) test -race -count=1 ./...

# gofmt, go vet and staticcheck (a tool of go.mod: no install needed).
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) tool staticcheck ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./engine/...

# Each fuzz target for FUZZTIME (default one minute).
FUZZTIME ?= 1m
fuzz:
	$(GO) test ./input -run '^$$' -fuzz '^FuzzDecodeEvaluate$$' -fuzztime $(FUZZTIME)
	$(GO) test ./engine -run '^$$' -fuzz '^FuzzEvaluate$$' -fuzztime $(FUZZTIME)

# Start a server on a scratch database (logs to /dev/null) and load
# POST /v1/evaluate with 32 connections for 10 s; see BENCHMARKS.md.
LOADTEST_ADDR ?= 127.0.0.1:18480
loadtest: build
	@dir=$$(mktemp -d); \
	$(BIN) serve --addr $(LOADTEST_ADDR) --db $$dir/load.db >/dev/null 2>&1 & pid=$$!; \
	trap "kill $$pid; rm -rf $$dir" EXIT; \
	$(GO) run ./bench/load --wait 30s --url http://$(LOADTEST_ADDR)/v1/evaluate \
		--file testdata/evaluate/enterprise-province.json -c 32 -d 10s

# The screening benchmark (免申即享 at scale): a payout run through the API
# over 1,000, 10,000 and 100,000 synthetic enterprises and 50 universities,
# first run and second, on SQLite and, with SUBSIDY_TEST_POSTGRES set, on
# PostgreSQL (-v says so when it is skipped); see BENCHMARKS.md. SCREENING
# picks sub-benchmarks, as in make screening SCREENING=sqlite/n=100000.
SCREENING ?=
screening:
	$(GO) test ./api -run '^$$' -bench '^BenchmarkScreening$$/$(SCREENING)' -benchtime 1x -timeout 60m -v

# PNGs of the main pages (the self-check; payouts, overview, forecast and an
# application under review as finance sees them; the application as its
# enterprise reads it; the credit ledger) at 1280 and 375 px wide in
# docs/screenshots (needs Chromium and, for legible Chinese, a CJK font such
# as Debian's fonts-noto-cjk).
screenshots:
	SUBSIDY_SCREENSHOTS=$(CURDIR)/docs/screenshots $(GO) test ./web -run '^TestScreenshots$$' -count=1 -v

# The self-check in the browser: its weight on first load and the time
# from submit to the rendered answer (see BENCHMARKS.md).
bench-web:
	$(GO) test ./web -run '^$$' -bench '^BenchmarkSelfCheck$$' -benchtime 100x

# The forecast benchmark: a forecast with a reform through the API over the
# same registries (POST /v1/forecasts); FORECAST picks sub-benchmarks, as in
# make forecast FORECAST=sqlite/n=100000. See BENCHMARKS.md.
FORECAST ?=
forecast:
	$(GO) test ./api -run '^$$' -bench '^BenchmarkForecast$$/$(FORECAST)' -benchtime 3x -timeout 60m -v

clean:
	rm -rf bin
