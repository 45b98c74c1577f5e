/**
 * Build: type-check with tsc, then bundle src/bin.ts with esbuild into dist/ (the package bin is
 * dist/cli.js). Why a bundle: resolving, reading and compiling ~400 files from node_modules
 * dominated the cold start; one ESM bundle with code splitting keeps the lazy parts lazy (the
 * HTTP transport, demo-data, each backend adapter with undici, and the tool registry stay
 * separate chunks loaded by their dynamic imports). See the two plugins for what else is kept
 * off the start-up path. `npm test` and the e2e suite build with this script too, so they test
 * the bundle that ships.
 *
 * Chunks sit next to cli.js on purpose: src/version.ts reads `../package.json` relative to
 * `import.meta.url`, which must stay one level below the package root in every chunk.
 *
 * Everything the bundle imports is bundled, so package.json's runtime `dependencies` hold only
 * what cannot be: native addons (e.g. @duckdb/node-api), which stay external and resolve from
 * node_modules at run time (load them lazily, with a dynamic import). Every runtime dependency is
 * external; test/cli/bundle.test.ts checks that the two lists agree.
 *
 * `node scripts/build.mjs --no-typecheck` skips tsc (the bench and quick loops).
 */
import { execFileSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { lazyAjvPlugin } from "./lazy-ajv-plugin.mjs";
import { zodNamespacePlugin } from "./zod-namespace-plugin.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outdir = join(root, "dist");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));

/** Native addons cannot be bundled; nor can anything listed as a runtime dependency (it is installed next to us). */
const NATIVE = ["@duckdb/*"];
const EXTERNAL = [...NATIVE, ...Object.keys(pkg.dependencies ?? {}).flatMap((name) => [name, `${name}/*`])];

if (!process.argv.includes("--no-typecheck")) {
  const require = createRequire(import.meta.url);
  const tsc = join(dirname(require.resolve("typescript/package.json")), "bin", "tsc");
  execFileSync(process.execPath, [tsc, "-p", "tsconfig.json", "--noEmit"], { cwd: root, stdio: "inherit" });
}

// A clean dist/: stale chunks or tsc output from a previous build must not end up in the tarball.
rmSync(outdir, { recursive: true, force: true });

await build({
  absWorkingDir: root,
  // src/bin.ts (the executable) becomes dist/cli.js, the package bin.
  entryPoints: { cli: "src/bin.ts" },
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  // Fewer bytes to compile at start-up. (keepNames would keep function names in stack traces but
  // cost ~10 ms of cold start; error messages, which is what users see, are unaffected.)
  minify: true,
  logLevel: "warning",
  // CommonJS dependencies (pino, commander, dotenv, ajv) call require(); an ESM bundle has none.
  banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
  external: EXTERNAL,
  plugins: [lazyAjvPlugin(), zodNamespacePlugin()],
  // A native addon with per-platform binaries: loaded from node_modules at run time, and only by
  // the local store's dynamic import (src/store/duckdb.ts).
  external: ["@duckdb/node-api"],
});
