/**
 * The layering rule, enforced: every relative import in src/ must point at the same layer or a
 * lower one (type-only imports included: a type is a dependency too). The table below is the
 * architecture; a new folder must be placed in it, or this test fails.
 *
 *   bin -> cli -> mcp -> app -> tools -> query -> backends -> store/ingest -> analytics/redact/access
 *       -> genai/otlp -> domain/util/errors/logger/version
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), "../../src");

/** Rank of each top-level folder (or root file, by its name without extension). */
const LAYERS: Readonly<Record<string, number>> = {
  domain: 0,
  util: 0,
  errors: 0,
  logger: 0,
  version: 0,
  genai: 1,
  otlp: 1,
  analytics: 2,
  redact: 2,
  access: 2,
  store: 3,
  ingest: 3,
  sql: 3,
  backends: 4,
  query: 5,
  "env-file": 5,
  config: 5,
  demo: 6,
  tools: 6,
  resources: 6,
  prompts: 6,
  app: 7,
  mcp: 8,
  cli: 9,
  // The executable: runs cli's main and exits.
  bin: 10,
};

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : p.endsWith(".ts") ? [p] : [];
  });
}

function layerOf(file: string): string {
  const rel = relative(SRC, file).split(/[\\/]/);
  return rel.length === 1 ? rel[0]!.replace(/\.ts$/, "") : rel[0]!;
}

/** Relative module specifiers of static imports, re-exports and dynamic imports. */
function importsOf(source: string): string[] {
  const out: string[] = [];
  const re = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)["'](\.{1,2}\/[^"']+)["']/gm;
  for (const m of source.matchAll(re)) out.push(m[1]!);
  return out;
}

const FILES = filesUnder(SRC);

describe("layering", () => {
  it("every src folder has a layer", () => {
    const unknown = [...new Set(FILES.map(layerOf))].filter((l) => !(l in LAYERS));
    expect(unknown, "add these to LAYERS in test/architecture/layers.test.ts").toEqual([]);
  });

  it("nothing imports upward", () => {
    const violations: string[] = [];
    for (const file of FILES) {
      const from = layerOf(file);
      for (const spec of importsOf(readFileSync(file, "utf8"))) {
        const target = resolve(dirname(file), spec).replace(/\.js$/, ".ts");
        const to = layerOf(target);
        if ((LAYERS[to] ?? Infinity) > (LAYERS[from] ?? -Infinity)) {
          violations.push(`${relative(SRC, file)} (${from}) imports ${relative(SRC, target)} (${to})`);
        }
      }
    }
    expect(violations).toEqual([]);
  });

  it("the checker sees imports (it would catch an upward one)", () => {
    expect(importsOf(`import { a } from "../tools/x.js";\nconst m = await import("./y.js");\nexport { b } from "../z.js";`)).toEqual([
      "../tools/x.js",
      "./y.js",
      "../z.js",
    ]);
    expect(FILES.some((f) => importsOf(readFileSync(f, "utf8")).length > 0)).toBe(true);
  });
});
