/**
 * esbuild plugin: makes the MCP SDK's AJV validator load ajv + ajv-formats on first use instead of
 * at import time.
 *
 * Why: `Server`'s constructor does `new AjvJsonSchemaValidator()`, which builds an Ajv instance
 * with every format, and the module imports ajv statically. The validator is only used to check
 * elicitation answers (`elicitInput`), which this server never sends, yet it cost a large share of
 * the cold start. The rewrite keeps the SDK's code and behaviour: the same Ajv options, the same
 * formats, the same errors, created the first time `_ajv` is read. ajv goes to its own file next
 * to the chunks (dist/ajv-bundle.cjs), so the ~130 kB of it is not even compiled at start-up, and
 * nothing is resolved from node_modules at run time.
 *
 * Every rewrite must match exactly once: an SDK upgrade that changes the file fails the build
 * instead of silently shipping an unpatched (still correct, just slower) or broken provider.
 */
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";

const PROVIDER = /[\\/]@modelcontextprotocol[\\/]sdk[\\/]dist[\\/]esm[\\/]validation[\\/]ajv-provider\.js$/;

/** File name of the separately built ajv + ajv-formats bundle, next to the chunks in dist/. */
export const AJV_BUNDLE = "ajv-bundle.cjs";

const REWRITES = [
  {
    from: "import Ajv from 'ajv';\nimport _addFormats from 'ajv-formats';",
    to: [
      "let __ajvModules;",
      "function __loadAjv() {",
      // Resolved at run time against dist/ by the bundle's createRequire banner (see scripts/build.mjs).
      `    return (__ajvModules ??= require('./${AJV_BUNDLE}'));`,
      "}",
      // `new Ajv(...)` below returns the real instance: a constructor returning an object yields that object.
      "function Ajv(options) { return new (__loadAjv().Ajv)(options); }",
      "function _addFormats(ajv, options) { return __loadAjv().addFormats(ajv, options); }",
    ].join("\n"),
  },
  {
    from: "this._ajv = ajv ?? createDefaultAjvInstance();",
    to: [
      "if (ajv !== undefined && ajv !== null) { this._ajv = ajv; return; }",
      // A self-replacing accessor: the first read (or write) turns `_ajv` into a plain data property.
      "        const settle = (self, value) => Object.defineProperty(self, '_ajv', { value, writable: true, enumerable: true, configurable: true });",
      "        Object.defineProperty(this, '_ajv', {",
      "            configurable: true,",
      "            enumerable: true,",
      "            get() { const value = createDefaultAjvInstance(); settle(this, value); return value; },",
      "            set(value) { settle(this, value); },",
      "        });",
    ].join("\n"),
  },
];

/**
 * @returns {import("esbuild").Plugin} Rewrites the provider and, after the main build, writes
 * `<outdir>/ajv-bundle.cjs`: ajv + ajv-formats as resolved from the SDK's own directory (the copies
 * the SDK would have imported), as one CommonJS file loaded only by `__loadAjv()`.
 */
export function lazyAjvPlugin() {
  return {
    name: "lazy-ajv",
    setup(build) {
      let providerDir;
      build.onResolve({ filter: new RegExp(`^\\./${AJV_BUNDLE.replace(".", "\\.")}$`) }, (args) => ({ path: args.path, external: true }));
      build.onStart(() => {
        providerDir = undefined;
      });
      build.onLoad({ filter: PROVIDER }, async (args) => {
        let source = (await readFile(args.path, "utf8")).replace(/\r\n/g, "\n");
        for (const { from, to } of REWRITES) {
          const at = source.indexOf(from);
          if (at < 0 || source.indexOf(from, at + 1) >= 0) {
            throw new Error(`lazy-ajv: expected exactly one '${from.split("\n")[0]}' in ${args.path}; the SDK changed, update scripts/lazy-ajv-plugin.mjs`);
          }
          source = source.slice(0, at) + to + source.slice(at + from.length);
        }
        providerDir = dirname(args.path);
        return { contents: source, loader: "js" };
      });
      build.onEnd(async (result) => {
        if (result.errors.length > 0) return;
        if (!providerDir) throw new Error("lazy-ajv: the SDK's validation/ajv-provider.js was not part of the bundle; did its path change?");
        const outdir = build.initialOptions.outdir;
        if (!outdir) throw new Error("lazy-ajv: needs the build's outdir");
        await build.esbuild.build({
          stdin: {
            contents: "const ajv = require('ajv');\nconst formats = require('ajv-formats');\nmodule.exports = { Ajv: ajv.default ?? ajv, addFormats: formats.default ?? formats };\n",
            resolveDir: providerDir,
            loader: "js",
            sourcefile: "ajv-bundle.cjs",
          },
          outfile: join(outdir, AJV_BUNDLE),
          bundle: true,
          format: "cjs",
          platform: "node",
          target: build.initialOptions.target ?? "node20",
          minify: build.initialOptions.minify ?? false,
          logLevel: "warning",
        });
      });
    },
  };
}
