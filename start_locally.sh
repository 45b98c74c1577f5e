#!/usr/bin/env bash
# Runs the server from this checkout on stdio against a local backend. Configure it with flags
# (passed through), the environment or a .env file in this directory (see .env.example); the
# server resolves flag > environment > .env > default itself, so this script sets nothing.
# No secrets belong in this script.
#
# stdout is the MCP protocol: everything this script prints itself (first-run install and build)
# goes to stderr. The first run takes a while (npm ci, then the build); an MCP client launching it
# may time out once, so run it once by hand first: ./start_locally.sh --version
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v node >/dev/null 2>&1; then
  echo "node is not on PATH: install Node.js 20.19 or newer" >&2
  exit 1
fi
if [ ! -d node_modules ]; then
  echo "start_locally.sh: first run: installing dependencies (npm ci)" >&2
  npm ci --no-audit --no-fund >&2
fi
if [ ! -f dist/cli.js ] || [ -n "$(find src -newer dist/cli.js -name '*.ts' -print -quit)" ]; then
  echo "start_locally.sh: building dist/ (npm run build)" >&2
  npm run build >&2
fi

exec node dist/cli.js --transport stdio "$@"
