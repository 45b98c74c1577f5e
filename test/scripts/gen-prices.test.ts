import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { buildPriceTable, PATCHES, serializeTable } from "../../scripts/gen-prices/build-table.js";
import { parsePythonAssignment, toGenaiJson } from "../../scripts/gen-prices/python-literal.js";
import { readZipMember, zipMemberNames } from "../../scripts/gen-prices/wheel.js";
import { generate } from "../../scripts/gen-prices.js";
import { createPriceLookup } from "../../src/genai/price-lookup.js";
import type { PriceTable } from "../../src/genai/price-table.js";
import { buildZip } from "../helpers/zip.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const FIXTURE = readFileSync(join(root, "test/fixtures/genai-prices/data.py"), "utf8");
const MIT = "The MIT License (MIT)\n\nCopyright (c) Example\n\nPermission is hereby granted, free of charge, ...\n";
const METADATA = "Metadata-Version: 2.4\nName: genai-prices\nVersion: 9.8.7\nLicense-Expression: MIT\n";
const tmp = mkdtempSync(join(tmpdir(), "gen-prices-test-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function fixtureWheel(name = "genai_prices-9.8.7-py3-none-any.whl", data = FIXTURE): string {
  const zip = buildZip([
    { name: "genai_prices/__init__.py", data: "" },
    { name: "genai_prices/data.py", data, deflate: true },
    { name: "genai_prices-9.8.7.dist-info/METADATA", data: METADATA },
    { name: "genai_prices-9.8.7.dist-info/licenses/LICENSE", data: MIT, deflate: true },
  ]);
  const path = join(tmp, name);
  writeFileSync(path, zip);
  return path;
}

const SOURCE = { package: "genai-prices", version: "9.8.7", registry: "PyPI", file: "x.whl", member: "genai_prices/data.py" };
function fixtureTable(patches = PATCHES): PriceTable {
  const providers = toGenaiJson(parsePythonAssignment(FIXTURE, "providers"));
  return buildPriceTable({ providers, source: SOURCE, sourceSha256: "ab".repeat(32), pricesAsOf: "2026-11-10", license: MIT, patches }).table;
}
const model = (t: PriceTable, provider: string, id: string) => t.providers.find((p) => p.id === provider)!.models.find((m) => m.id === id);

describe("reading genai-prices' data.py (Python literals)", () => {
  it("parses calls, keywords, lists, dicts, numbers, booleans, None, dotted names and concatenated strings", () => {
    const src = `x = 1\nvalue: list[Thing] = [\n  Thing(a='it\\'s', b="two" 'parts', c=[1, -2.5, True, None], d={'k': 'v'}, e=datetime.UTC),  # comment\n]\n`;
    expect(parsePythonAssignment(src, "value")).toEqual([
      {
        kind: "call",
        name: "Thing",
        args: [],
        kwargs: { a: "it's", b: "twoparts", c: [1, -2.5, true, null], d: { kind: "dict", entries: [["k", "v"]] }, e: { kind: "name", name: "datetime.UTC" } },
      },
    ]);
  });

  it("keeps the backslash of escapes Python does not know (regexes) and decodes the ones it does", () => {
    expect(parsePythonAssignment(String.raw`r = ['^gpt-5\\.4-\d{4}$', 'a\nb', '\x41\u00e9', r'\d']`, "r")).toEqual(["^gpt-5\\.4-\\d{4}$", "a\nb", "Aé", "\\d"]);
  });

  it("converts to genai-prices' JSON shape: or_/and_ renamed, Decimal to number, dates and UTC times to text", () => {
    const src = `p = [M(match=ClauseOr(or_=[ClauseEquals(equals='a'), ClauseAnd(and_=[ClauseContains(contains='b')])]), price=Decimal('0.075'), d=datetime.date(2025, 6, 1), t=datetime.time(16, 30, tzinfo=datetime.UTC))]`;
    expect(toGenaiJson(parsePythonAssignment(src, "p"))).toEqual([
      { match: { or: [{ equals: "a" }, { and: [{ contains: "b" }] }] }, price: 0.075, d: "2025-06-01", t: "16:30:00Z" },
    ]);
  });

  it.each([
    ["a tuple", "p = (1, 2)", /line 1: tuples are not part/],
    ["an unknown character", "p = [1]\nq = [1 ; 2]", /line 2: unexpected character/],
    ["an unterminated string", "p = ['abc]", /line 1: (newline in a string literal|unterminated string)/],
    ["a bytes literal", "p = [b'x']", /unsupported string prefix b/],
    ["a missing assignment", "q = 1", /no top-level assignment to 'p'/],
  ])("fails loudly, with the line, on %s", (_what, src, message) => {
    expect(() => toGenaiJson(parsePythonAssignment(src, "p"))).toThrow(message);
  });

  it("rejects a non-UTC time and a bad Decimal", () => {
    expect(() => toGenaiJson(parsePythonAssignment("p = datetime.time(1, 0, tzinfo=tz)", "p"))).toThrow(/only UTC/);
    expect(() => toGenaiJson(parsePythonAssignment("p = Decimal('abc')", "p"))).toThrow(/bad Decimal/);
  });
});

describe("reading a member of a wheel", () => {
  it("lists members and reads stored and deflated ones", () => {
    const zip = buildZip([
      { name: "a.txt", data: "stored text" },
      { name: "dir/b.py", data: "x = 1\n".repeat(1000), deflate: true },
    ]);
    expect(zipMemberNames(zip)).toEqual(["a.txt", "dir/b.py"]);
    expect(readZipMember(zip, "a.txt").toString()).toBe("stored text");
    expect(readZipMember(zip, "dir/b.py").toString()).toBe("x = 1\n".repeat(1000));
    expect(() => readZipMember(zip, "missing")).toThrow(/missing is not in the archive/);
    expect(() => readZipMember(Buffer.from("not a zip at all, just text"), "a")).toThrow(/not a zip/);
  });
});

describe("building the table", () => {
  it("keeps match rules, token prices, tiers and conditional prices; drops everything else", () => {
    const t = fixtureTable();
    expect(model(t, "openai", "o3")).toEqual({
      id: "o3",
      match: { or: [{ equals: "o3" }, { equals: "o3-2025-04-16" }] },
      prices: [{ prices: { input: 10, output: 40 } }, { when: { from_date: "2025-06-10" }, prices: { input: 2, output: 8, cache_read: 0.5 } }],
    });
    expect(model(t, "anthropic", "claude-sonnet-4-5")!.prices).toEqual({
      input: { base: 3, tiers: [{ start: 200000, price: 6 }] },
      output: { base: 15, tiers: [{ start: 200000, price: 22.5 }] },
      cache_read: { base: 0.3, tiers: [{ start: 200000, price: 0.6 }] },
      cache_write: { base: 3.75, tiers: [{ start: 200000, price: 7.5 }] },
    });
    expect(model(t, "deepseek", "deepseek-chat")!.prices).toEqual([
      { prices: { input: 0.135, output: 0.55 } },
      { when: { utc_time: ["00:30:00", "16:30:00"] }, prices: { input: 0.27, output: 1.1 } },
    ]);
    expect(model(t, "openai", "o-think")!.prices).toEqual({ input: 1, output: 4, reasoning: 2 });
    const openai = t.providers.find((p) => p.id === "openai")!;
    expect(openai.model_match).toEqual({ or: [{ starts_with: "gpt-" }, { equals: "whisper-1" }, { regex: "^o[134]" }] });
    expect(openai.provider_match).toEqual({ contains: "openai" });
    expect(t.providers.find((p) => p.id === "azure")!.fallback).toEqual(["openai"]);
    expect(Object.keys(openai).sort()).toEqual(["id", "model_match", "models", "provider_match"]);
    expect(model(t, "openai", "gpt-4o")!.prices).toEqual({ input: 2.5, output: 10, cache_read: 1.25 }); // web searches dropped
  });

  it("sorts models into priced, input-only, free and unpriced", () => {
    const t = fixtureTable();
    expect(model(t, "openai", "text-embedding-3-small")).toMatchObject({ input_only: true, prices: { input: 0.02 } });
    expect(model(t, "openai", "moderation")).toMatchObject({ free: true, prices: { input: 0, output: 0 } });
    expect(model(t, "openrouter", "meta-llama/llama-3.3-70b-instruct:free")).toMatchObject({ free: true, prices: { input: 0, output: 0 } });
    // Per-character speech pricing only: known, not billed per token, so no prices at all.
    expect(model(t, "openai", "tts-1")).toEqual({ id: "tts-1", match: { equals: "tts-1" } });
  });

  it("stamps the source, its sha256, prices_as_of and the license, and no wall-clock time", () => {
    const t = fixtureTable();
    expect(t.schema).toBe(1);
    expect(t.source).toEqual(SOURCE);
    expect(t.source_sha256).toBe("ab".repeat(32));
    expect(t.prices_as_of).toBe("2026-11-10");
    expect(t.license).toBe(MIT.trim());
    expect(t.unit).toBe("USD per million tokens");
    expect(JSON.stringify(t)).not.toMatch(/generated_at|T\d\d:\d\d/);
  });

  it("rejects a prices_as_of that is not a date", () => {
    const providers = toGenaiJson(parsePythonAssignment(FIXTURE, "providers"));
    expect(() => buildPriceTable({ providers, source: SOURCE, sourceSha256: "", pricesAsOf: "Nov 2026", license: MIT })).toThrow(/YYYY-MM-DD/);
  });

  it("rejects data it does not understand instead of guessing", () => {
    const bad = [{ id: "p", models: [{ id: "m", match: { fuzzy: "m" }, prices: { input_mtok: 1 } }] }];
    expect(() => buildPriceTable({ providers: bad, source: SOURCE, sourceSha256: "", pricesAsOf: "2026-01-01", license: MIT })).toThrow(/unknown match clause fuzzy/);
    const badRegex = [{ id: "p", models: [{ id: "m", match: { regex: "(?P<x>a)" }, prices: { input_mtok: 1 } }] }];
    expect(() => buildPriceTable({ providers: badRegex, source: SOURCE, sourceSha256: "", pricesAsOf: "2026-01-01", license: MIT })).toThrow(/not valid in JavaScript/);
  });
});

describe("the gpt-4o-2024-05-13 patch", () => {
  const at = Date.parse("2026-11-10T12:00:00Z");

  it("is in the patch list with its reason", () => {
    expect(PATCHES).toContainEqual(expect.objectContaining({ provider: "openai", model: "gpt-4o-2024-05-13", prices: { input: 5, output: 15 } }));
  });

  it("fixes data that prices the May 2024 snapshot as gpt-4o, without touching gpt-4o", () => {
    const unpatched = createPriceLookup(fixtureTable([]));
    expect(unpatched.resolvePrice("gpt-4o-2024-05-13", "openai", at)?.prices).toEqual({ input: 2.5, output: 10, cache_read: 1.25 });

    const t = fixtureTable();
    expect(t.patches).toEqual([expect.objectContaining({ provider: "openai", model: "gpt-4o-2024-05-13", status: "applied" })]);
    const lookup = createPriceLookup(t);
    expect(lookup.resolvePrice("gpt-4o-2024-05-13", "openai", at)).toMatchObject({ entry: "gpt-4o-2024-05-13", prices: { input: 5, output: 15 } });
    expect(lookup.resolvePrice("gpt-4o-2024-05-13", undefined, at)?.prices).toEqual({ input: 5, output: 15 });
    expect(lookup.resolvePrice("gpt-4o-2024-08-06", "openai", at)).toMatchObject({ entry: "gpt-4o", prices: { input: 2.5, output: 10 } });
    expect(lookup.resolvePrice("gpt-4o", "openai", at)).toMatchObject({ entry: "gpt-4o" });
    // Azure serves OpenAI's models: the fix reaches it through the fallback.
    expect(lookup.resolvePrice("gpt-4o-2024-05-13", "azure.ai.openai", at)?.prices).toEqual({ input: 5, output: 15 });
    expect(model(t, "openai", "gpt-4o")!.match).toEqual({ or: [{ equals: "gpt-4o" }, { equals: "gpt-4o-2024-08-06" }] });
  });

  it("is recorded as already correct when the source has it right", () => {
    const fixed = FIXTURE.replace("ClauseEquals(equals='gpt-4o-2024-05-13'),", "").replace(
      "ModelInfo(\n                id='o3',",
      "ModelInfo(id='gpt-4o-2024-05-13', match=ClauseEquals(equals='gpt-4o-2024-05-13'), prices=ModelPrice(input_mtok=Decimal('5'), output_mtok=Decimal('15'))),\n            ModelInfo(\n                id='o3',",
    );
    expect(fixed).not.toBe(FIXTURE);
    const providers = toGenaiJson(parsePythonAssignment(fixed, "providers"));
    const { table } = buildPriceTable({ providers, source: SOURCE, sourceSha256: "", pricesAsOf: "2026-11-10", license: MIT });
    expect(table.patches.map((p) => p.status)).toEqual(["already correct in source"]);
  });
});

describe("generate() from a wheel", () => {
  it("writes prices.json and PRICES-LICENSE, stamped with the wheel's version and sha256", () => {
    const wheel = fixtureWheel();
    const out = join(tmp, "prices.json");
    const licenseOut = join(tmp, "PRICES-LICENSE");
    const result = generate({ wheel, released: "2026-11-10", out, licenseOut });
    const table = JSON.parse(readFileSync(out, "utf8")) as PriceTable;
    expect(table.source).toEqual({ package: "genai-prices", version: "9.8.7", registry: "PyPI", file: "genai_prices-9.8.7-py3-none-any.whl", member: "genai_prices/data.py" });
    expect(table.source_sha256).toBe(createHash("sha256").update(readFileSync(wheel)).digest("hex"));
    expect(table.prices_as_of).toBe("2026-11-10");
    expect(readFileSync(licenseOut, "utf8")).toContain("Copyright (c) Example");
    expect(result).toMatchObject({ providers: 5, models: 11, bytes: readFileSync(out).length });
    expect(result.warnings).toContain("patch openai:gpt-4o-2024-05-13: applied");
  });

  it("is reproducible: the same wheel gives the same bytes, equal to serializing the built table", () => {
    const wheel = fixtureWheel();
    const a = join(tmp, "a.json");
    const b = join(tmp, "b.json");
    generate({ wheel, released: "2026-11-10", out: a, licenseOut: join(tmp, "la") });
    generate({ wheel, released: "2026-11-10", out: b, licenseOut: join(tmp, "lb") });
    expect(readFileSync(a, "utf8")).toBe(readFileSync(b, "utf8"));
    const table = JSON.parse(readFileSync(a, "utf8")) as PriceTable;
    expect(serializeTable(table)).toBe(readFileSync(a, "utf8"));
  });

  it("refuses a wheel that is not genai-prices", () => {
    const path = join(tmp, "other.whl");
    writeFileSync(path, buildZip([{ name: "other/__init__.py", data: "" }]));
    expect(() => generate({ wheel: path, released: "2026-11-10", out: join(tmp, "x.json"), licenseOut: join(tmp, "x") })).toThrow(/is this a genai-prices wheel/);
  });
});

describe("the gen-prices command", () => {
  const run = promisify(execFile);
  const tsx = join(dirname(createRequire(import.meta.url).resolve("tsx/package.json")), "dist/cli.mjs");

  it("regenerates from --wheel and reports what it wrote; prints usage without a source", async () => {
    const wheel = fixtureWheel("genai_prices-9.8.7-py3-none-any.whl");
    const out = join(tmp, "cli.json");
    const { stderr } = await run(process.execPath, [tsx, "scripts/gen-prices.ts", "--wheel", wheel, "--released", "2026-11-10", "--out", out, "--license-out", join(tmp, "cli-license")], { cwd: root });
    expect(stderr).toContain(`wrote ${out}: 5 providers, 11 models`);
    expect((JSON.parse(readFileSync(out, "utf8")) as PriceTable).source.version).toBe("9.8.7");
    const usage = await run(process.execPath, [tsx, "scripts/gen-prices.ts", "--released", "2026-11-10"], { cwd: root }).catch((e: { code: number; stderr: string }) => e);
    expect(usage).toMatchObject({ code: 2, stderr: expect.stringContaining("usage: gen-prices.ts (--version X.Y.Z | --wheel FILE) --released YYYY-MM-DD") });
  });
});
