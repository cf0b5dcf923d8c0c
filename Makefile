# xinyong — build, run, test, benchmark.
GO      ?= go
BIN     := bin/xinyong
PKGS    := ./...

.PHONY: all build run test test-go vet fuzz bench clean

all: build

build:
	CGO_ENABLED=0 $(GO) build -o $(BIN) ./cmd/xinyong

# Build and start the platform on the embedded SQLite default with demo data.
run: build
	./$(BIN) serve --demo --data xinyong-data

# Every test: vet, unit, API, end-to-end (builds and runs the binary), and a
# short run of each fuzz target.
test: vet test-go fuzz

vet:
	@unformatted=$$(gofmt -l cmd internal); if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	$(GO) vet $(PKGS)

test-go:
	$(GO) test -count=1 $(PKGS)

# Short fuzz runs; longer ones: make fuzz FUZZTIME=5m
FUZZTIME ?= 10s
fuzz:
	$(GO) test ./internal/ident -run '^$$' -fuzz '^FuzzUSCC$$' -fuzztime $(FUZZTIME)
	$(GO) test ./internal/ident -run '^$$' -fuzz '^FuzzIDCard$$' -fuzztime $(FUZZTIME)
	$(GO) test ./internal/ident -run '^$$' -fuzz '^FuzzOrgCode$$' -fuzztime $(FUZZTIME)
	$(GO) test ./internal/workday -run '^$$' -fuzz '^FuzzAddWorkingDays$$' -fuzztime $(FUZZTIME)

# Benchmarks behind the figures quoted in the README.
bench:
	$(GO) test -run '^$$' -bench . -benchmem -count=1 ./...

clean:
	rm -rf bin
