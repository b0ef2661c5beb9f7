#!/usr/bin/env bash
# govulncheck over the whole module, failing only when our code calls a
# vulnerable function of a module we require (scripts/vulngate).
#
# The vulnerability database's own site is not reachable from our machines
# or CI; the Go module proxy is. So the database is the golang.org/x/vulndb
# module at a pinned version (its OSV files), indexed locally once and kept
# in the cache. Move VULNDB_VERSION on to get newer reports.
set -euo pipefail
cd "$(dirname "$0")/.."
GOVULNCHECK_VERSION=v1.9.0
VULNDB_VERSION=v0.0.0-20261105234957-e22db6528018
cache="${OCPIZZA_VULNDB_DIR:-$(go env GOCACHE)/ocpizza-vulndb}/$VULNDB_VERSION"

go install "golang.org/x/vuln/cmd/govulncheck@$GOVULNCHECK_VERSION"
if [ ! -f "$cache/index/db.json" ]; then
  echo "indexing the vulnerability database $VULNDB_VERSION (once per machine)"
  src=$(cd "$(mktemp -d)" && go mod download -json "golang.org/x/vulndb@$VULNDB_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  rm -rf "$cache.tmp"
  mkdir -p "$(dirname "$cache")"
  (cd "$(mktemp -d)" && go run "golang.org/x/vulndb/cmd/indexdb@$VULNDB_VERSION" -vulns "$src/data/osv" -out "$cache.tmp")
  rm -rf "$cache"
  mv "$cache.tmp" "$cache"
fi
"$(go env GOPATH)/bin/govulncheck" -db "file://$cache" -format json ./... | go run ./scripts/vulngate "$@"
