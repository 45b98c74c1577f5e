/**
 * The ClickHouse dialect's JavaScript-semantics helpers against JavaScript itself, in the real
 * engine through the backend's own transport (its settings included: precise_float_parsing):
 * String(number), toNumber, toBool and String.prototype.trim over many values. The filter
 * compiler relies on them to compare exactly as the filter engine does.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ClickHouseTransport } from "../../src/backends/clickhouse/transport.js";
import { toBool, toNumber } from "../../src/domain/attributes.js";
import { mulberry32 } from "../../src/demo/plan.js";
import { silentLogger } from "../../src/logger.js";
import { clickhouseDialect } from "../../src/store/sql/clickhouse-dialect.js";
import { Params } from "../../src/store/sql/params.js";
import { startClickHouseShim, type RunningClickHouseShim } from "../helpers/clickhouse-shim.js";

let shim: RunningClickHouseShim;
let transport: ClickHouseTransport;

beforeAll(async () => {
  shim = await startClickHouseShim({ chdbDir: inject("chdbDir") });
  transport = new ClickHouseTransport({ url: shim.url, headers: {}, timeoutMs: 20_000, logger: silentLogger() });
});

afterAll(async () => {
  await transport?.close();
  await shim?.close();
});

/** fn applied to each value (bound as one array parameter), in order. */
async function mapValues(fn: (x: string) => string, values: readonly (number | string)[], type: "DOUBLE[]" | "VARCHAR[]"): Promise<unknown[]> {
  const params = new Params(clickhouseDialect.placeholder, { aliases: true });
  const v = params.add(values as readonly string[], type);
  const sql = `${params.withClause()}SELECT i, ${fn("x")} AS r FROM (SELECT arrayJoin(arrayEnumerate(${v})) AS i, ${v}[i] AS x) ORDER BY i`;
  const res = await transport.select<{ i: number; r: unknown }>(sql, params.values, "the helper check");
  return res.rows.map((row) => row.r);
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

describe("jsNumberString prints a Float64 as String(x) does", () => {
  it("on edge values, random bit patterns, random decimals and ms durations", async () => {
    const rand = mulberry32(11);
    const edges = [0, 1, -1, 100, 1200.5, 0.1, 0.000001, 1e-7, 1.5e-7, 123456789012345680000, 1e21, 1.5e21, 2 ** 53, 1e16, 1e15, 1 / 3, 5e-324,
      Number.MAX_VALUE, -42.5, 0.00025, 1e20, 12345678.9, 999999999999999999999, 1e-6, 0.0000015, 1.7e308, 4.35, 0.3, 2.5e-5, -1e-7, -1e21];
    const decimals = Array.from({ length: 2000 }, () => Math.round(rand() * 1e9) / 10 ** Math.floor(rand() * 12));
    const durations = Array.from({ length: 1000 }, () => Math.floor(rand() * 1e12) / 1e6);
    const values = [...edges, ...randomDoubles(3000), ...decimals, ...durations];
    expect(await mapValues(clickhouseDialect.jsNumberString, values, "DOUBLE[]")).toEqual(values.map(String));
  });
});

const NUMERIC_LIKE = ["7", " 7 ", "-3", "+4", "1e3", "1E3", "1e+3", "1e-3", ".5", "5.", "007", "0x1A", "0b11", "0o7", "1_000", "NaN", "Infinity",
  "-Infinity", "inf", "1e400", "-1e400", "1e-400", "", " ", "abc", "1 2", "\u00a012\u00a0", "\ufeff5", "\u20285\u2029", "\t\n 3.25 \r\n", "5\u0085",
  "1,5", "--1", "+-1", "1e", "e5", ".", "+.5", "-.5e-2", "123456789012345678901234567890", "0.1000000000000000055511151231257827021181583404541015625",
  "[1]", "true", "١٢", "12\u200b", "9007199254740993", "2.2250738585072011e-308", "4.9406564584124654e-324"];

describe("jsNumber parses as toNumber does", () => {
  it("agrees on numeric-looking, random and other strings", async () => {
    const rand = mulberry32(3);
    const random = Array.from({ length: 1000 }, () => String((rand() - 0.5) * 10 ** Math.floor(rand() * 30 - 10)));
    const digits = Array.from({ length: 500 }, () => `${Math.floor(rand() * 1e9)}.${Math.floor(rand() * 1e9)}e${Math.floor(rand() * 40 - 20)}`);
    const values = [...NUMERIC_LIKE, ...random, ...digits];
    expect(await mapValues(clickhouseDialect.jsNumber, values, "VARCHAR[]")).toEqual(values.map((v) => toNumber(v) ?? null));
  });
});

describe("jsBool reads booleans as toBool does", () => {
  it("agrees on words, case, whitespace and non-words", async () => {
    const values = ["true", "TRUE", " True ", "1", "0", "yes", "Y", "on", "t", "false", "F", "off", "no", "n", "\u00a0yes\u00a0", "tru", "2", "", "[true]", "10", "ON ", "\u212a"];
    const got = await mapValues(clickhouseDialect.jsBool, values, "VARCHAR[]");
    expect(got.map((b) => (b === null ? null : Boolean(b)))).toEqual(values.map((v) => toBool(v) ?? null));
  });
});

describe("jsTrim trims as String.prototype.trim does", () => {
  it("removes exactly JavaScript's whitespace", async () => {
    const spaces = ["\t", "\n", "\v", "\f", "\r", " ", "\u00a0", "\u1680", "\u2000", "\u200a", "\u2028", "\u2029", "\u202f", "\u205f", "\u3000", "\ufeff", "\u0085", "\u200b", "\u180e"];
    const values = spaces.map((s) => `${s}x${s}y${s}`);
    expect(await mapValues(clickhouseDialect.jsTrim, values, "VARCHAR[]")).toEqual(values.map((v) => v.trim()));
  });
});
