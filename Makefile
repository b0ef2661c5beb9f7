# One-line targets; everything real lives in the Go code.
GO ?= go

.PHONY: run test test-short build vet bench loadtest

run:
	$(GO) run ./cmd/ocpizza serve --demo

# The full suite: unit tests, then the store and API suites on SQLite,
# PostgreSQL and MariaDB (skipped loudly when a server is absent, except
# under CI=true where that fails).
test: vet
	$(GO) test -race -count=1 ./...

test-short:
	$(GO) test -count=1 ./...

vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt needed"; exit 1; }

build:
	CGO_ENABLED=0 $(GO) build -trimpath -o bin/ocpizza ./cmd/ocpizza

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./internal/store/

loadtest: build
	./bin/ocpizza loadtest
