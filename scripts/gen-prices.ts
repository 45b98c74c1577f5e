/**
 * Regenerates src/genai/prices.json (and PRICES-LICENSE) from a genai-prices wheel (pydantic, MIT).
 *
 *   npx tsx scripts/gen-prices.ts --version 0.2.3 --released 2026-11-10
 *       downloads genai-prices==0.2.3 with `python3 -m pip download` into a temp dir
 *   npx tsx scripts/gen-prices.ts --wheel ./genai_prices-0.2.3-py3-none-any.whl --released 2026-11-10
 *       reads a wheel you already have (offline)
 *
 * --released is the version's release date on PyPI (its release history); it becomes
 * `prices_as_of`. Options: --out FILE (default src/genai/prices.json), --license-out FILE (default
 * src/genai/PRICES-LICENSE). The output has no wall-clock stamp: the same wheel gives the same bytes.
 * The data lives in the wheel as Python source (genai_prices/data.py, the v2 data); see
 * gen-prices/python-literal.ts for why it is parsed rather than imported.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { buildPriceTable, serializeTable } from "./gen-prices/build-table.js";
import { parsePythonAssignment, toGenaiJson } from "./gen-prices/python-literal.js";
import { readZipMember, zipMemberNames } from "./gen-prices/wheel.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const PACKAGE = "genai-prices";
const DATA_MEMBER = "genai_prices/data.py";

export interface GenerateOptions {
  wheel: string;
  released: string;
  out: string;
  licenseOut: string;
}

/** Reads the wheel, builds the table, writes both files. Returns what it wrote, for the log. */
export function generate(opts: GenerateOptions): { bytes: number; providers: number; models: number; warnings: string[] } {
  const wheel = readFileSync(opts.wheel);
  const names = zipMemberNames(wheel);
  const metadataName = names.find((n) => /^genai_prices-[^/]+\.dist-info\/METADATA$/.test(n));
  if (!metadataName) throw new Error(`${opts.wheel}: no genai_prices-*.dist-info/METADATA; is this a genai-prices wheel?`);
  const version = /^Version: (.+)$/m.exec(readZipMember(wheel, metadataName).toString("utf8"))?.[1]?.trim();
  if (!version) throw new Error(`${metadataName}: no Version field`);
  const licenseName = names.find((n) => /^genai_prices-[^/]+\.dist-info\/(licenses\/)?LICENSE$/.test(n));
  if (!licenseName) throw new Error(`${opts.wheel}: no LICENSE in the wheel's dist-info`);
  const license = readZipMember(wheel, licenseName).toString("utf8");
  if (!/MIT License/.test(license)) throw new Error(`${licenseName}: expected the MIT license`);

  const source = readZipMember(wheel, DATA_MEMBER).toString("utf8");
  const providers = toGenaiJson(parsePythonAssignment(source, "providers"));
  const { table, orderDisagreements } = buildPriceTable({
    providers,
    source: { package: PACKAGE, version, registry: "PyPI", file: basename(opts.wheel), member: DATA_MEMBER },
    sourceSha256: createHash("sha256").update(wheel).digest("hex"),
    pricesAsOf: opts.released,
    license,
  });
  const text = serializeTable(table);
  writeFileSync(opts.out, text);
  writeFileSync(opts.licenseOut, `The price data in prices.json is generated from ${PACKAGE} ${version} (https://github.com/pydantic/genai-prices):\n\n${license.trim()}\n`);
  return {
    bytes: Buffer.byteLength(text),
    providers: table.providers.length,
    models: table.providers.reduce((n, p) => n + p.models.length, 0),
    warnings: [
      ...orderDisagreements.map((d) => `first-match and most-specific disagree: ${d}`),
      ...table.patches.map((p) => `patch ${p.provider}:${p.model}: ${p.status}`),
    ],
  };
}

function download(version: string): { wheel: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "gen-prices-"));
  const python = process.env.PYTHON ?? "python3";
  execFileSync(python, ["-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--dest", dir, `${PACKAGE}==${version}`], {
    stdio: ["ignore", "inherit", "inherit"],
  });
  const whl = readdirSync(dir).find((f) => f.endsWith(".whl"));
  if (!whl) throw new Error(`pip left no wheel in ${dir}`);
  return { wheel: join(dir, whl), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

function main(): void {
  const { values } = parseArgs({
    options: {
      version: { type: "string" },
      wheel: { type: "string" },
      released: { type: "string" },
      out: { type: "string", default: join(root, "src/genai/prices.json") },
      "license-out": { type: "string", default: join(root, "src/genai/PRICES-LICENSE") },
    },
  });
  if (!values.released || (!values.version && !values.wheel) || (values.version && values.wheel)) {
    process.stderr.write("usage: gen-prices.ts (--version X.Y.Z | --wheel FILE) --released YYYY-MM-DD [--out FILE] [--license-out FILE]\n");
    process.exit(2);
  }
  const fetched = values.version ? download(values.version) : undefined;
  try {
    const wheel = fetched?.wheel ?? resolve(values.wheel!);
    const result = generate({ wheel, released: values.released, out: values.out, licenseOut: values["license-out"] });
    for (const w of result.warnings) process.stderr.write(`${w}\n`);
    process.stderr.write(`wrote ${values.out}: ${result.providers} providers, ${result.models} models, ${result.bytes} bytes\n`);
  } finally {
    fetched?.cleanup();
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
