/**
 * The DuckDB dialect's JavaScript-semantics helpers against JavaScript itself, over many values:
 * the filter compiler relies on them to compare exactly as the filter engine does.
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toBool, toNumber } from "../../src/domain/attributes.js";
import { mulberry32 } from "../../src/demo/plan.js";
import { openEngine, type Engine } from "../../src/store/duckdb.js";
import { duckdbDialect } from "../../src/store/sql/dialect.js";
import { tempDir } from "./helpers.js";

let engine: Engine;
let dir: string;

beforeAll(async () => {
  dir = tempDir();
  engine = await openEngine({ dataDir: dir, tempDir: join(dir), memoryLimit: "128MB", backgroundMemoryLimit: "64MB", threads: 1 });
  for (const sql of duckdbDialect.setup) await engine.reads.run(sql);
});

afterAll(() => {
  engine.close();
  rmSync(dir, { recursive: true, force: true });
});

async function mapDoubles(fn: string, values: number[]): Promise<unknown[]> {
  const rows = await engine.reads.all<{ i: number; r: unknown }>(
    `SELECT i, ${fn}(x) AS r FROM (SELECT unnest($v) AS x, generate_subscripts($v, 1) AS i) ORDER BY i`,
    { v: { value: values, type: "DOUBLE[]" } },
  );
  return rows.map((r) => r.r);
}

async function mapStrings(fn: string, values: string[]): Promise<unknown[]> {
  const rows = await engine.reads.all<{ i: number; r: unknown }>(
    `SELECT i, ${fn}(x) AS r FROM (SELECT unnest($v) AS x, generate_subscripts($v, 1) AS i) ORDER BY i`,
    { v: { value: values, type: "VARCHAR[]" } },
  );
  return rows.map((r) => r.r);
}

function randomDoubles(n: number): number[] {
  const rand = mulberry32(7);
  const view = new DataView(new ArrayBuffer(8));
  const out: number[] = [];
  while (out.length < n) {
    view.setUint32(0, Math.floor(rand() * 2 ** 32));
    view.setUint32(4, Math.floor(rand() * 2 ** 32));
    const x = view.getFloat64(0);
    if (Number.isFinite(x)) out.push(x);
  }
  return out;
}

describe("js_num_str prints a DOUBLE as String(x) does", () => {
  it("on edge values", async () => {
    const edges = [0, -0, 1, -1, 100, 1200.5, 0.1, 0.000001, 1e-7, 1.5e-7, 123456789012345680000, 1e21, 1.5e21, 2 ** 53, 1e16, 1e15, 1 / 3,
      5e-324, Number.MAX_VALUE, -42.5, 0.00025, 1e20, 12345678.9, 999999999999999999999, 1e-6, 0.0000015, 1.7e308, 4.35, 0.3, 2.5e-5];
    expect(await mapDoubles("js_num_str", edges)).toEqual(edges.map(String));
  });

  it("on random bit patterns, random decimals and ms durations", async () => {
    const rand = mulberry32(11);
    const decimals = Array.from({ length: 3000 }, () => Math.round(rand() * 1e9) / 10 ** Math.floor(rand() * 12));
    const durations = Array.from({ length: 2000 }, () => Math.floor(rand() * 1e12) / 1e6);
    const values = [...randomDoubles(5000), ...decimals, ...durations];
    expect(await mapDoubles("js_num_str", values)).toEqual(values.map(String));
  });
});

const NUMERIC_LIKE = ["7", " 7 ", "-3", "+4", "1e3", "1E3", "1e+3", "1e-3", ".5", "5.", "007", "0x1A", "0b11", "0o7", "1_000", "NaN", "Infinity",
  "-Infinity", "inf", "1e400", "-1e400", "1e-400", "", " ", "abc", "1 2", "\u00a012\u00a0", "\ufeff5", "\u20285\u2029", "\t\n 3.25 \r\n", "5\u0085",
  "1,5", "--1", "+-1", "1e", "e5", ".", "+.5", "-.5e-2", "123456789012345678901234567890", "0.1000000000000000055511151231257827021181583404541015625",
  "[1]", "true", "١٢", "12\u200b"];

describe("js_number parses as toNumber does", () => {
  it("agrees on numeric-looking and other strings", async () => {
    const rand = mulberry32(3);
    const random = Array.from({ length: 500 }, () => String((rand() - 0.5) * 10 ** Math.floor(rand() * 30 - 10)));
    const values = [...NUMERIC_LIKE, ...random];
    expect(await mapStrings("js_number", values)).toEqual(values.map((v) => toNumber(v) ?? null));
  });
});

describe("js_bool reads booleans as toBool does", () => {
  it("agrees on words, case, whitespace and non-words", async () => {
    const values = ["true", "TRUE", " True ", "1", "0", "yes", "Y", "on", "t", "false", "F", "off", "no", "n", "\u00a0yes\u00a0", "tru", "2", "", "[true]", "10", "ON ", "\u212a"];
    expect(await mapStrings("js_bool", values)).toEqual(values.map((v) => toBool(v) ?? null));
  });
});

describe("js_trim trims as String.prototype.trim does", () => {
  it("removes exactly JavaScript's whitespace", async () => {
    const spaces = ["\t", "\n", "\v", "\f", "\r", " ", "\u00a0", "\u1680", "\u2000", "\u200a", "\u2028", "\u2029", "\u202f", "\u205f", "\u3000", "\ufeff", "\u0085", "\u200b", "\u180e"];
    const values = spaces.map((s) => `${s}x${s}y${s}`);
    expect(await mapStrings("js_trim", values)).toEqual(values.map((v) => v.trim()));
  });
});
