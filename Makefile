# One-line targets; everything real lives in the Go code.
GO ?= go

.PHONY: run test test-short build vet lint bench loadtest screens assets fuzz vulncheck

run:
	$(GO) run ./cmd/ocpizza serve --demo

# The full suite: unit tests, then the store and API suites on SQLite,
# PostgreSQL and MariaDB (skipped loudly when a server is absent, except
# under CI=true where that fails).
# checkptr (on with -race) checks every unsafe pointer conversion: the
# SQLite driver, C translated to Go, is made of them, and checking them
# took a fifth of the suite's CPU. Our code and every other module keep it.
RACE = -race -gcflags='modernc.org/...=-d=checkptr=0'
# A binary built with -race sleeps a second before it exits, in case a
# goroutine is about to report a race: a second per test binary (and per
# process the tests start), some 30 s of the suite. Races are reported as
# they are found; the sleep only waits for one in its last instant.
export GORACE ?= atexit_sleep_ms=0

test: vet
	$(GO) test $(RACE) -count=1 ./...

test-short:
	$(GO) test -count=1 ./...

vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt needed"; exit 1; }

# staticcheck: unused code, values computed and dropped, misused APIs —
# what vet does not look for. Pinned, fetched through the module proxy.
STATICCHECK_VERSION ?= v0.8.2
lint:
	$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) ./...

# Every fuzz target for FUZZTIME (default 10s) each.
fuzz:
	bash scripts/fuzz.sh

# govulncheck, failing on a called vulnerable function of a required module.
vulncheck:
	bash scripts/vulncheck.sh

# Releases are built with the newest Go the module proxy serves, whose
# standard library has no vulnerability our code calls (CI checks it); the
# module itself still builds with Go 1.26 for development.
RELEASE_GO ?= go1.27.3

build:
	GOTOOLCHAIN=$(RELEASE_GO) CGO_ENABLED=0 $(GO) build -trimpath -o bin/ocpizza ./cmd/ocpizza

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./internal/store/

loadtest: build
	./bin/ocpizza loadtest

# Screenshots of every page at 390 px and 1280 px wide, in French and
# English, into docs/screens/ (needs chromium).
screens:
	OCPIZZA_SCREENS=$(CURDIR)/docs/screens $(GO) test -count=1 -run 'TestEveryPageIsAccessible|TestStaffScreensAreAccessible|TestEveryOfficePageIsAccessible' ./internal/e2e/

# Refresh the front-end files taken from npm (pinned versions, checksums
# recorded; see scripts/assets.sh). Nothing else needs npm.
assets:
	bash scripts/assets.sh

