# subsidy: make run starts the service with the embedded database and the
# shipped rules; make test runs every test.
GO ?= go
BIN := bin/subsidy

.PHONY: build run test lint bench fuzz loadtest clean

build:
	$(GO) build -o $(BIN) ./cmd/subsidy

run: build
	$(BIN) serve --demo

# Every test; the race detector is on for all packages (the API and store
# tests run concurrent requests and payout runs).
test:
	$(GO) test -race -count=1 ./...

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./engine/...

# Each fuzz target for FUZZTIME (default one minute).
FUZZTIME ?= 1m
fuzz:
	$(GO) test ./api -run '^$$' -fuzz '^FuzzDecodeEvaluate$$' -fuzztime $(FUZZTIME)
	$(GO) test ./engine -run '^$$' -fuzz '^FuzzEvaluate$$' -fuzztime $(FUZZTIME)

# Start a server on a scratch database (logs to /dev/null) and load
# POST /v1/evaluate with 32 connections for 10 s; see BENCHMARKS.md.
LOADTEST_ADDR ?= 127.0.0.1:18480
loadtest: build
	@dir=$$(mktemp -d); \
	$(BIN) serve --addr $(LOADTEST_ADDR) --db $$dir/load.db >/dev/null 2>&1 & pid=$$!; \
	trap "kill $$pid; rm -rf $$dir" EXIT; \
	$(BIN) load --wait 30s --url http://$(LOADTEST_ADDR)/v1/evaluate \
		--file testdata/evaluate/enterprise-province.json -c 32 -d 10s

clean:
	rm -rf bin
