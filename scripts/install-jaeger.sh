#!/usr/bin/env bash
# Installs the Jaeger v2 all-in-one binary for the end-to-end tests and prints its path.
#
# Why not `go install ...@v2.x`: Jaeger's go.mod has no /v2 suffix, so the v2.x tags are not
# valid module versions (the proxy answers 403). Every v2 release is also tagged v1.x on the
# same commit; v1.76.0 is Jaeger v2.13. `go install` refuses it because go.mod has a replace
# directive, so we download the module and build ./cmd/jaeger inside it.
#
# Idempotent: $JAEGER_BIN, or the cached binary, is reused when it runs.
set -euo pipefail

JAEGER_MODULE_VERSION="v1.76.0"
CACHE_ROOT="${XDG_CACHE_HOME:-$HOME/.cache}/opentelemetry-mcp"
CACHE_DIR="$CACHE_ROOT/jaeger-$JAEGER_MODULE_VERSION"
CACHED_BIN="$CACHE_DIR/jaeger"

log() { echo "install-jaeger: $*" >&2; }
die() { echo "install-jaeger: ERROR: $*" >&2; exit 1; }

runs() { "$1" version >/dev/null 2>&1 || "$1" --help >/dev/null 2>&1; }

if [[ -n "${JAEGER_BIN:-}" ]]; then
  [[ -x "$JAEGER_BIN" ]] || die "JAEGER_BIN=$JAEGER_BIN is not an executable file"
  runs "$JAEGER_BIN" || die "JAEGER_BIN=$JAEGER_BIN does not run ('$JAEGER_BIN version' failed)"
  echo "$JAEGER_BIN"
  exit 0
fi

if [[ -x "$CACHED_BIN" ]] && runs "$CACHED_BIN"; then
  echo "$CACHED_BIN"
  exit 0
fi

command -v go >/dev/null 2>&1 || die "the Go toolchain is required to build Jaeger (go not found on PATH); install Go >= 1.24 or set JAEGER_BIN to a Jaeger v2 binary"

log "building Jaeger (module github.com/jaegertracing/jaeger@$JAEGER_MODULE_VERSION = Jaeger v2.13) into $CACHE_DIR; this takes a few minutes the first time"
mkdir -p "$CACHE_DIR"

download_json="$(mktemp)"
trap 'rm -f "$download_json"' EXIT
if ! go mod download -json "github.com/jaegertracing/jaeger@$JAEGER_MODULE_VERSION" >"$download_json" 2>&1; then
  cat "$download_json" >&2
  die "go mod download github.com/jaegertracing/jaeger@$JAEGER_MODULE_VERSION failed (output above)"
fi
module_dir="$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p' "$download_json" | head -n 1)"
[[ -n "$module_dir" && -d "$module_dir" ]] || { cat "$download_json" >&2; die "could not find the downloaded module directory in the 'go mod download -json' output (above)"; }

tmp_bin="$CACHE_DIR/jaeger.tmp.$$"
# The module cache is read-only; the build writes only the output binary and the Go build cache.
if ! (cd "$module_dir" && go build -trimpath -o "$tmp_bin" ./cmd/jaeger); then
  rm -f "$tmp_bin"
  die "go build ./cmd/jaeger in $module_dir failed (output above)"
fi
mv -f "$tmp_bin" "$CACHED_BIN"
runs "$CACHED_BIN" || die "the freshly built $CACHED_BIN does not run"
log "installed $CACHED_BIN"
echo "$CACHED_BIN"
