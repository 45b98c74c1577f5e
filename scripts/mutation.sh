#!/usr/bin/env bash
# npm run test:mutation: Stryker over the core modules (stryker.config.mjs), on Node 22.
#
# Why not devDependencies: Stryker 10 requires Node >= 22 and this project's .npmrc sets
# engine-strict, so listing it would make `npm ci` fail on Node 20, which the package supports and
# CI runs on. Instead this script installs, when missing:
#   - Node $NODE_VERSION from the npm registry (node-linux-<arch>) into $CACHE_DIR/node-$NODE_VERSION,
#     the same place and layout .ci/run uses, so the two share one copy;
#   - the pinned Stryker packages into node_modules without saving them (package.json and the
#     lock file stay as they are; the next `npm ci` removes them again), so Stryker resolves the
#     project's own vitest.
# Extra arguments go to Stryker, e.g. `npm run test:mutation -- --mutate src/query/plan.ts` (one
# module, a minute or two), or `npm run test:mutation -- --incremental` (re-tests only mutants whose
# code or covering tests changed since the last incremental run; state in reports/, git-ignored).
# A full run takes ~35-40 min on 2 busy cores: too long for .ci/run, so run it before submitting
# a change to the mutated modules, and read the survivors in reports/mutation/index.html.
set -euo pipefail
cd "$(dirname "$0")/.."

NODE_VERSION=22.23.5
STRYKER_VERSION=10.1.1
CACHE_DIR="${NODE_CACHE_DIR:-$PWD/.cache}"

case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) echo "test:mutation: no node-linux package for $(uname -m)" >&2; exit 1 ;;
esac
prefix="$CACHE_DIR/node-$NODE_VERSION"
bin="$prefix/node_modules/node-linux-$arch/bin/node"
if [ ! -x "$bin" ] || [ "$("$bin" --version 2>/dev/null)" != "v$NODE_VERSION" ]; then
  echo "== installing node $NODE_VERSION (node-linux-$arch from the npm registry) into $prefix" >&2
  rm -rf "$prefix"
  npm install --prefix "$prefix" --no-save --ignore-scripts --no-audit --no-fund --loglevel=error "node-linux-$arch@$NODE_VERSION" >&2
fi
export PATH="$(dirname "$bin"):$PATH"

installed() { node -p "require('./node_modules/$1/package.json').version" 2>/dev/null || true; }
if [ "$(installed @stryker-mutator/core)" != "$STRYKER_VERSION" ] || [ "$(installed @stryker-mutator/vitest-runner)" != "$STRYKER_VERSION" ]; then
  echo "== installing @stryker-mutator/core and vitest-runner $STRYKER_VERSION into node_modules (not saved)" >&2
  npm install --no-save --no-audit --no-fund --loglevel=error "@stryker-mutator/core@$STRYKER_VERSION" "@stryker-mutator/vitest-runner@$STRYKER_VERSION" >&2
fi

echo "== stryker $STRYKER_VERSION on node $(node --version), $(nproc) cores" >&2
start=$(date +%s)
set +e
node node_modules/@stryker-mutator/core/bin/stryker.js run stryker.config.mjs "$@"
rc=$?
set -e
echo "== test:mutation took $(($(date +%s) - start)) s (rc $rc); report: reports/mutation/index.html" >&2
exit $rc
