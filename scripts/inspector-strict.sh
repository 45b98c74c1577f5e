#!/usr/bin/env bash
# The MCP Inspector CLI (pinned) against the built server over stdio, in both protocol eras
# (the initialize handshake and 2026-07-28): tools/list with --strict (schema portability lint),
# resources/templates/list, prompts/list, and a tools/call that must succeed. Exits non-zero on
# any Inspector failure and on any warning or error it prints.
#
# The Inspector needs Node >= 22.19: INSPECTOR_NODE names a node binary, else Node $NODE_VERSION
# is taken from (or installed into) .cache/ the way .ci/run does. The tools/call talks to a tiny
# stand-in Jaeger on 127.0.0.1 (a free port) that knows one service. Needs dist/ (npm run build)
# and the npm registry (npx fetches the Inspector once; later runs use the npm cache).
set -euo pipefail
cd "$(dirname "$0")/.."

INSPECTOR="@modelcontextprotocol/inspector@2.12.0"
NODE_VERSION="${NODE_VERSION:-22.23.5}"
CACHE_DIR="${NODE_CACHE_DIR:-$PWD/.cache}"

node22() {
  if [ -n "${INSPECTOR_NODE:-}" ]; then echo "$INSPECTOR_NODE"; return; fi
  local arch
  case "$(uname -m)" in
    x86_64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) echo "no node-linux package for $(uname -m); set INSPECTOR_NODE" >&2; return 1 ;;
  esac
  local prefix="$CACHE_DIR/node-$NODE_VERSION"
  local bin="$prefix/node_modules/node-linux-$arch/bin/node"
  if [ ! -x "$bin" ] || [ "$("$bin" --version 2>/dev/null)" != "v$NODE_VERSION" ]; then
    echo "== installing node $NODE_VERSION (node-linux-$arch from the npm registry) into $prefix" >&2
    rm -rf "$prefix"
    npm install --prefix "$prefix" --no-save --ignore-scripts --no-audit --no-fund --loglevel=error "node-linux-$arch@$NODE_VERSION" >&2
  fi
  echo "$bin"
}

[ -f dist/cli.js ] || { echo "dist/cli.js is missing: run npm run build first" >&2; exit 1; }
NODE_BIN=$(node22)
export PATH="$(dirname "$NODE_BIN"):$PATH"
SERVER=("$NODE_BIN" "$PWD/dist/cli.js")

scratch=$(mktemp -d)
stub_pid=""
cleanup() {
  if [ -n "$stub_pid" ]; then kill "$stub_pid" 2>/dev/null || true; fi
  rm -rf "$scratch"
}
trap cleanup EXIT

# Stand-in Jaeger: every path answers one service, which is all list_services reads.
node -e '
  const http = require("node:http");
  const s = http.createServer((req, res) => { res.setHeader("content-type", "application/json"); res.end(JSON.stringify({ data: ["inspector-probe"], total: 1 })); });
  s.listen(0, "127.0.0.1", () => process.stdout.write(`${s.address().port}\n`));
' >"$scratch/port" &
stub_pid=$!
for _ in $(seq 1 100); do [ -s "$scratch/port" ] && break; sleep 0.05; done
port=$(head -n 1 "$scratch/port")
[ -n "$port" ] || { echo "the stand-in Jaeger did not start" >&2; exit 1; }

failures=0
# run LABEL INSPECTOR-ARGS...: one Inspector run; fails on a non-zero exit or any warning/error line on stderr.
run() {
  local label=$1
  shift
  local rc=0
  (cd "$scratch" && npx -y "$INSPECTOR" --cli -e LOG_LEVEL=error -e BACKEND_TYPE=jaeger -e "BACKEND_URL=http://127.0.0.1:$port" "$@" -- "${SERVER[@]}") \
    >"$scratch/out" 2>"$scratch/err" || rc=$?
  local problems
  problems=$(grep -E '^(Warning|Error)|[1-9][0-9]* (errors?|warnings?)' "$scratch/err" || true)
  if [ "$rc" -ne 0 ] || [ -n "$problems" ]; then
    echo "FAIL $label (exit $rc)"
    cat "$scratch/err"
    failures=$((failures + 1))
  else
    echo "ok   $label: $(tr -d '\n' <"$scratch/out" | head -c 120)"
  fi
}

for era in legacy modern; do
  run "$era tools/list --strict" --protocol-era "$era" --method tools/list --strict
  run "$era resources/templates/list" --protocol-era "$era" --method resources/templates/list
  run "$era prompts/list" --protocol-era "$era" --method prompts/list
  run "$era tools/call list_services" --protocol-era "$era" --method tools/call --tool-name list_services
done

if [ "$failures" -gt 0 ]; then
  echo "inspector-strict: $failures check(s) failed"
  exit 1
fi
echo "inspector-strict: all checks passed (Inspector ${INSPECTOR##*@}, node $("$NODE_BIN" --version))"
