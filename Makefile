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

test-go:
	$(GO) test -count=1 $(PKGS)

bench-smoke:
	$(GO) test -run '^$$' -bench 'ImportCSV|Prepare|Submit$$' -benchtime 1x ./internal/intake ./internal/store/sqlite

# Short fuzz runs; longer ones: make fuzz FUZZTIME=5m
FUZZTIME ?= 10s
fuzz:
	$(GO) test ./internal/ident -run '^$$' -fuzz '^FuzzUSCC$$' -fuzztime $(FUZZTIME)
	$(GO) test ./internal/ident -run '^$$' -fuzz '^FuzzIDCard$$' -fuzztime $(FUZZTIME)
	$(GO) test ./internal/ident -run '^$$' -fuzz '^FuzzOrgCode$$' -fuzztime $(FUZZTIME)
	$(GO) test ./internal/workday -run '^$$' -fuzz '^FuzzAddWorkingDays$$' -fuzztime $(FUZZTIME)
	$(GO) test ./internal/intake -run '^$$' -fuzz '^FuzzOpenTableCSV$$' -fuzztime $(FUZZTIME)
	$(GO) test ./internal/intake -run '^$$' -fuzz '^FuzzOpenTableJSONL$$' -fuzztime $(FUZZTIME)
	$(GO) test ./internal/intake -run '^$$' -fuzz '^FuzzOpenTableXLSX$$' -fuzztime $(FUZZTIME)
	$(GO) test ./internal/intake -run '^$$' -fuzz '^FuzzReadGBDecoder$$' -fuzztime $(FUZZTIME)
	$(GO) test ./internal/intake -run '^$$' -fuzz '^FuzzAppendJSON$$' -fuzztime $(FUZZTIME)

# Benchmarks behind the figures quoted in the README: the intake bench
# (1,000,000 CSV rows end to end against a bare insert of the same rows, a
# 1 GiB GBK file for memory, 100,000 XLSX rows), then the Go benchmarks.
bench: build
	./$(BIN) bench intake
	$(GO) test -run '^$$' -bench . -benchmem -count=1 ./...

clean:
	rm -rf bin
