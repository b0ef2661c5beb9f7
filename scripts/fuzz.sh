#!/usr/bin/env bash
# Runs every fuzz target for a short while (FUZZTIME, default 10s each):
# their committed seeds run with every `go test`; this explores beyond them.
# A failing input is written under the package's testdata/fuzz/: commit it
# with the fix, so it is replayed from then on.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime="${FUZZTIME:-10s}"
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
  go test "$pkg" -run '^$' -fuzz "^$name\$" -fuzztime "$fuzztime" -fuzzminimizetime 3s
done
