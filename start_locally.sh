#!/usr/bin/env bash
# Runs the server from this checkout on stdio against a local backend. Configure it through the
# environment or a .env file (see .env.example); no secrets belong in this script.
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v node >/dev/null 2>&1; then
  echo "node is not on PATH: install Node.js 20.19 or newer" >&2
  exit 1
fi
if [ ! -d node_modules ]; then
  npm ci --no-audit --no-fund >&2
fi
if [ ! -f dist/cli.js ] || [ -n "$(find src -newer dist/cli.js -name '*.ts' -print -quit)" ]; then
  npm run build >&2
fi

BACKEND_TYPE="${BACKEND_TYPE:-jaeger}"
BACKEND_URL="${BACKEND_URL:-http://localhost:16686}"
echo "Starting opentelemetry-mcp (stdio): backend ${BACKEND_TYPE} at ${BACKEND_URL}" >&2
export BACKEND_TYPE BACKEND_URL
exec node dist/cli.js --transport stdio "$@"
