#!/usr/bin/env bash
# Installs chDB (ClickHouse embedded in a Node addon) for the ClickHouse test suite and prints the
# directory it lives in (the one holding node_modules/chdb); tests load it with createRequire.
#
# Why a cache outside the project: chdb pulls @chdb/lib-linux-x64-gnu (libchdb.so, ~550 MB
# installed). The unit suite must not need it, so it is not a devDependency; it is installed once
# per machine into $CACHE_DIR and reused.
#
# Idempotent: $CHDB_DIR, or the cached install, is reused when chdb loads there and answers SELECT 1.
set -euo pipefail

CHDB_VERSION="3.4.0"
CACHE_ROOT="${XDG_CACHE_HOME:-$HOME/.cache}/opentelemetry-mcp"
CACHE_DIR="$CACHE_ROOT/chdb-$CHDB_VERSION"

log() { echo "install-chdb: $*" >&2; }
die() { echo "install-chdb: ERROR: $*" >&2; exit 1; }

# Loads chdb from $1 and runs a query; prints the engine version on success.
works() {
  (cd "$1" && node -e '
    const { createRequire } = require("node:module");
    const req = createRequire(process.cwd() + "/package.json");
    const { query } = req("chdb");
    const out = query("SELECT version()", "TabSeparated").trim();
    if (!out) process.exit(1);
    console.log(out);
  ' 2>/dev/null)
}

if [[ -n "${CHDB_DIR:-}" ]]; then
  [[ -d "$CHDB_DIR/node_modules/chdb" ]] || die "CHDB_DIR=$CHDB_DIR has no node_modules/chdb"
  works "$CHDB_DIR" >/dev/null || die "CHDB_DIR=$CHDB_DIR: chdb does not load or cannot run SELECT 1"
  echo "$CHDB_DIR"
  exit 0
fi

if [[ -d "$CACHE_DIR/node_modules/chdb" ]] && works "$CACHE_DIR" >/dev/null; then
  echo "$CACHE_DIR"
  exit 0
fi

command -v npm >/dev/null 2>&1 || die "npm is required to install chdb (npm not found on PATH)"

log "installing chdb@$CHDB_VERSION (about 550 MB, once) into $CACHE_DIR"
mkdir -p "$CACHE_ROOT"
tmp_dir="$CACHE_ROOT/chdb-$CHDB_VERSION.tmp.$$"
trap 'rm -rf "$tmp_dir"' EXIT
mkdir -p "$tmp_dir"
# A private package.json so npm installs here and not into the enclosing project.
cat >"$tmp_dir/package.json" <<EOF
{ "name": "otel-mcp-chdb-cache", "private": true, "version": "0.0.0", "dependencies": { "chdb": "$CHDB_VERSION" } }
EOF
started=$(date +%s)
if ! (cd "$tmp_dir" && npm install --no-audit --no-fund --no-package-lock --omit=dev --loglevel=error >&2); then
  die "npm install chdb@$CHDB_VERSION failed (output above)"
fi
engine="$(works "$tmp_dir")" || die "chdb@$CHDB_VERSION installed but does not load on node $(node --version) ($(uname -sm))"
rm -rf "$CACHE_DIR"
mv "$tmp_dir" "$CACHE_DIR"
trap - EXIT
log "installed chdb@$CHDB_VERSION (ClickHouse $engine) in $(( $(date +%s) - started )) s, $(du -sh "$CACHE_DIR" | cut -f1) at $CACHE_DIR"
echo "$CACHE_DIR"
