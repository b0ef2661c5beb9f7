#!/usr/bin/env bash
# Runs every fuzz target for a short while (FUZZTIME, default 10s each):
# their committed seeds run with every `go test`; this explores beyond them.
# A failing input is written under the package's testdata/fuzz/: commit it
# with the fix, so it is replayed from then on.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime="${FUZZTIME:-10s}"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
files() { if [ -d "$1" ]; then ls "$1" | wc -l; else echo 0; fi; }
# Minimizing a new input counts against no budget of its own: bound it, or
# one slow input eats the target's time.
for target in \
  ./internal/api:FuzzAPIRequests \
  ./internal/api:FuzzSquareNotice \
  ./internal/catalog:FuzzEuros \
  ./internal/pizzeria:FuzzAddress \
  ./internal/ops:FuzzBackupReader \
  ./internal/ops:FuzzRowCodec \
  ./internal/ops:FuzzFastRow \
  ./internal/store:FuzzParseSQLiteTime; do
  pkg=${target%%:*} name=${target##*:}
  echo "-- $name ($pkg, $fuzztime)"
  corpus="$pkg/testdata/fuzz/$name"
  before=$(files "$corpus")
  if ! go test "$pkg" -run '^$' -fuzz "^$name\$" -fuzztime "$fuzztime" -fuzzminimizetime 3s 2>&1 | tee "$out"; then
    # Go's fuzzing coordinator can fail a run whose time is up with a
    # bare "context deadline exceeded" and no failing input: a race in
    # the toolchain (golang/go#75804), not our code.
    # Only that exact case passes; a failing input is always written to
    # the corpus folder, and fails.
    after=$(files "$corpus")
    if [ "$after" -eq "$before" ] && grep -q '^    context deadline exceeded$' "$out" && [ "$(grep -c -- '--- FAIL' "$out")" -eq 1 ]; then
      echo "warning: $name ended with Go's fuzztime deadline race (golang/go#75804) and no failing input: not counted as a failure"
    else
      exit 1
    fi
  fi
done
