#!/usr/bin/env bash
# Refreshes the front-end files the project takes from npm, at the pinned
# versions below, and records their checksums (a test checks them). Run it
# through `make assets` when a version changes; nothing else needs npm or
# the network: the files are committed.
set -euo pipefail
cd "$(dirname "$0")/.."

AXE_VERSION=4.14.1 # accessibility engine of the browser tests

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "axe-core@$AXE_VERSION" >/dev/null && tar xzf "axe-core-$AXE_VERSION.tgz")
dest=internal/e2e/testdata/axe-core
mkdir -p "$dest"
cp "$tmp/package/axe.min.js" "$tmp/package/LICENSE" "$dest/"
(cd "$dest" && sha256sum axe.min.js > SHA256SUMS)
echo "axe-core@$AXE_VERSION from the npm registry (npm pack axe-core@$AXE_VERSION); refreshed by make assets" > "$dest/SOURCE"
echo "axe-core $AXE_VERSION in $dest"
