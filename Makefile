# xinyong — build, run, test, benchmark.
GO      ?= go
BIN     := bin/xinyong
PKGS    := ./...

.PHONY: all build run test test-go vet bench-smoke fuzz bench clean

all: build

build:
	CGO_ENABLED=0 $(GO) build -o $(BIN) ./cmd/xinyong

# Build and start the platform on the embedded SQLite default with demo data.
run: build
	./$(BIN) serve --demo --data xinyong-data

# Every test: vet, unit, API, end-to-end (builds and runs the binary), one
# pass of the intake benchmarks (so a regression shows), and a short run of
# each fuzz target.
test: vet test-go bench-smoke fuzz

vet:
	@unformatted=$$(gofmt -l cmd internal); if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	$(GO) vet $(PKGS)

# The PostgreSQL suites run against a throwaway server that
# scripts/with-postgres installs (Debian's postgresql) and starts when
# XINYONG_TEST_PG is not set; the portal's browser test runs headless
# Chromium, which scripts/with-chromium installs (Debian's chromium) when
# missing. `go test ./...` alone skips what it lacks and says why.
# The API, portal and console suites run twice: on SQLite, then on PostgreSQL.
test-go:
	scripts/with-chromium scripts/with-postgres sh -c '$(GO) test -count=1 $(PKGS) && XINYONG_TEST_BACKEND=postgres $(GO) test -count=1 ./internal/web/api/ ./internal/web/portal/ ./internal/web/console/'


bench-smoke:
	$(GO) test -run '^$$' -bench 'ImportCSV|Prepare|Submit$$|SubjectPage' -benchtime 1x ./internal/intake ./internal/store/sqlite ./internal/web/portal

# Short fuzz runs, bounded by executions rather than time: a time limit
# that ends while the fuzzer minimises a new input fails the run with
# "context deadline exceeded". Longer runs: make fuzz FUZZ=10
FUZZ ?= 1
fuzz:
	$(GO) test ./internal/ident -run '^$$' -fuzz '^FuzzUSCC$$' -fuzztime $$(( $(FUZZ) * 200000 ))x
	$(GO) test ./internal/ident -run '^$$' -fuzz '^FuzzIDCard$$' -fuzztime $$(( $(FUZZ) * 200000 ))x
	$(GO) test ./internal/ident -run '^$$' -fuzz '^FuzzOrgCode$$' -fuzztime $$(( $(FUZZ) * 200000 ))x
	$(GO) test ./internal/workday -run '^$$' -fuzz '^FuzzAddWorkingDays$$' -fuzztime $$(( $(FUZZ) * 200000 ))x
	$(GO) test ./internal/intake -run '^$$' -fuzz '^FuzzOpenTableCSV$$' -fuzztime $$(( $(FUZZ) * 30000 ))x
	$(GO) test ./internal/intake -run '^$$' -fuzz '^FuzzOpenTableJSONL$$' -fuzztime $$(( $(FUZZ) * 30000 ))x
	$(GO) test ./internal/intake -run '^$$' -fuzz '^FuzzOpenTableXLSX$$' -fuzztime $$(( $(FUZZ) * 20000 ))x
	$(GO) test ./internal/intake -run '^$$' -fuzz '^FuzzReadGBDecoder$$' -fuzztime $$(( $(FUZZ) * 30000 ))x
	$(GO) test ./internal/intake -run '^$$' -fuzz '^FuzzAppendJSON$$' -fuzztime $$(( $(FUZZ) * 30000 ))x

# Benchmarks behind the figures quoted in the README: the intake bench
# (1,000,000 CSV rows end to end against a bare insert of the same rows, a
# 1 GiB GBK file for memory, 100,000 XLSX rows), the portal bench (the page
# of an organisation with 200 records; subject pages under wrk, which is
# installed from Debian when missing), the PostgreSQL bench on a throwaway
# server (intake against a raw COPY; subject lookups and name searches over
# 10,000,000 records), then the Go benchmarks.
bench: build
	./$(BIN) bench intake
	@command -v wrk >/dev/null 2>&1 || $$( [ "$$(id -u)" -eq 0 ] || echo sudo ) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk
	./$(BIN) bench portal
	scripts/with-postgres ./$(BIN) bench postgres
	$(GO) test -run '^$$' -bench . -benchmem -count=1 ./...

clean:
	rm -rf bin
