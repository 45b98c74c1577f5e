/**
 * The store's API on one process: exact round trips (from the WAL and from segments), order,
 * limits and match counts, services and operations, the read-only SQL surface, stats, and the
 * guards around huge or malformed values.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSpan, type Span } from "../../src/domain/trace.js";
import { StoreQueryError, StoreReadOnlyError, type LocalStore } from "../../src/store/index.js";
import { generateSpans, GEN_SPREAD_MS, GEN_START_MS, tracesOf } from "./gen.js";
import { StoreHarness } from "./helpers.js";

const harness = new StoreHarness();
afterAll(() => harness.cleanup());

const ALL = { startMs: GEN_START_MS - 1, endMs: GEN_START_MS + 10 * GEN_SPREAD_MS };
const T0 = Date.UTC(2025, 0, 1, 12, 0, 0) * 1000;

function span(over: Partial<Parameters<typeof createSpan>[0]> & { traceId: string; spanId: string }): Span {
  return createSpan({ operationName: "op", serviceName: "svc", startTimeUs: T0, durationMs: 1, ...over });
}

describe("round trip", () => {
  const spans = generateSpans({ seed: 5, traces: 60 });
  const expected = tracesOf(spans);
  let store: LocalStore;

  beforeAll(async () => {
    store = await harness.open(harness.dir());
    await store.append(spans);
  });

  it("getTrace returns exactly what was appended, from the WAL", async () => {
    for (const t of expected) expect(await store.getTrace(t.traceId)).toEqual(t);
  });

  it("and from segments, with typed attributes, events, links, kinds, scopes and µs times intact", async () => {
    await store.checkpoint();
    expect((await store.stats()).segments).toBeGreaterThan(0);
    for (const t of expected) expect(await store.getTrace(t.traceId)).toEqual(t);
    // The generator covers the shapes the comparison is about.
    const all = expected.flatMap((t) => t.spans);
    expect(all.some((s) => typeof s.attributes["k.int"] === "number")).toBe(true);
    expect(all.some((s) => Array.isArray(s.attributes["k.json"]))).toBe(true);
    for (const has of [(s: Span) => !!s.links, (s: Span) => s.events.length > 0, (s: Span) => !!s.kind, (s: Span) => !!s.scope?.version, (s: Span) => !!s.resourceAttributes, (s: Span) => s.durationMs % 1 !== 0]) {
      expect(all.some(has)).toBe(true);
    }
  });

  it("searchSpans returns the spans themselves, whole (both page sizes)", async () => {
    const byKey = new Map(spans.map((s) => [`${s.traceId}/${s.spanId}`, s]));
    for (const limit of [40, 5000]) {
      const page = await store.searchSpans({ ...ALL, filters: [], limit });
      expect(page.spans.length).toBe(Math.min(limit, spans.length));
      for (const s of page.spans) expect(s).toEqual(byKey.get(`${s.traceId}/${s.spanId}`));
    }
  });

  it("an unknown trace id is undefined", async () => {
    expect(await store.getTrace("0".repeat(31) + "1")).toBeUndefined();
  });
});

describe("search order, limits and counts", () => {
  let store: LocalStore;
  // Three traces: B and C start at the same microsecond (ties go by trace id), A is older.
  const a = [span({ traceId: "a".repeat(32), spanId: "1".repeat(16), startTimeUs: T0, serviceName: "alpha" })];
  const b = [
    span({ traceId: "b".repeat(32), spanId: "2".repeat(16), startTimeUs: T0 + 5_000_000, serviceName: "beta", status: "ERROR" }),
    span({ traceId: "b".repeat(32), spanId: "3".repeat(16), parentSpanId: "2".repeat(16), startTimeUs: T0 + 6_000_000, operationName: "child" }),
  ];
  const c = [span({ traceId: "c".repeat(32), spanId: "4".repeat(16), startTimeUs: T0 + 5_000_000, serviceName: "gamma" })];
  const window = { startMs: T0 / 1000 - 1, endMs: T0 / 1000 + 60_000 };

  beforeAll(async () => {
    store = await harness.open(harness.dir());
    await store.append([...c, ...a, ...b]);
  });

  it("returns traces newest first, ties by trace id, with the total match count", async () => {
    const all = await store.searchTraces({ ...window, filters: [], limit: 10 });
    expect(all.traces.map((t) => t.traceId[0])).toEqual(["b", "c", "a"]);
    expect(all.matched).toBe(3);
    const two = await store.searchTraces({ ...window, filters: [], limit: 2 });
    expect(two.traces.map((t) => t.traceId[0])).toEqual(["b", "c"]);
    expect(two.matched).toBe(3);
    const none = await store.searchTraces({ ...window, filters: [], limit: 0 });
    expect(none).toEqual({ traces: [], matched: 3 });
  });

  it("returns complete traces even when the filter matches one span", async () => {
    const r = await store.searchTraces({ ...window, filters: [{ field: "operation_name", operator: "equals", value: "child", valueType: "string" }], limit: 10 });
    expect(r.traces.map((t) => t.spans.length)).toEqual([2]);
    expect(r.traces[0]!.status).toBe("ERROR");
  });

  it("returns spans newest first with the total match count", async () => {
    const r = await store.searchSpans({ ...window, filters: [], limit: 2 });
    expect(r.spans.map((s) => s.spanId[0])).toEqual(["3", "2"]);
    expect(r.matched).toBe(4);
  });

  it("places a trace in a window by its earliest span", async () => {
    // B's child starts at +6 s; a window from +5.5 s sees that span but not trace B.
    const late = { startMs: T0 / 1000 + 5_500, endMs: T0 / 1000 + 60_000 };
    expect((await store.searchTraces({ ...late, filters: [], limit: 10 })).matched).toBe(0);
    expect((await store.searchSpans({ ...late, filters: [], limit: 10 })).spans.map((s) => s.spanId[0])).toEqual(["3"]);
  });

  it("getTrace returns spans outside any horizon", async () => {
    const id = "d".repeat(32);
    await store.append([
      span({ traceId: id, spanId: "5".repeat(16), startTimeUs: T0 }),
      span({ traceId: id, spanId: "6".repeat(16), parentSpanId: "5".repeat(16), startTimeUs: T0 + 30 * 3_600_000_000 }),
    ]);
    await store.checkpoint(); // two hours apart: two segments
    expect((await store.stats()).segments).toBeGreaterThanOrEqual(2);
    expect((await store.getTrace(id))?.spans.map((s) => s.spanId[0])).toEqual(["5", "6"]);
  });
});

describe("services and operations", () => {
  it("lists them from segments and the WAL, all time or in a window", async () => {
    const store = await harness.open(harness.dir());
    await store.append([span({ traceId: "e".repeat(32), spanId: "1".repeat(16), serviceName: "old", operationName: "o1" })]);
    await store.checkpoint();
    await store.append([
      span({ traceId: "f".repeat(32), spanId: "2".repeat(16), serviceName: "new", operationName: "n1", startTimeUs: T0 + 7_200_000_000 }),
      span({ traceId: "f".repeat(32), spanId: "3".repeat(16), serviceName: "old", operationName: "o2", startTimeUs: T0 + 7_200_000_000 }),
    ]);
    expect(await store.listServices()).toEqual(["new", "old"]);
    const later = { startMs: T0 / 1000 + 3_600_000, endMs: T0 / 1000 + 10_000_000 };
    expect(await store.listServices(later)).toEqual(["new", "old"]);
    expect(await store.listServices({ startMs: T0 / 1000 - 10, endMs: T0 / 1000 + 10 })).toEqual(["old"]);
    expect(await store.getServiceOperations("old")).toEqual(["o1", "o2"]);
    await store.checkpoint();
    expect(await store.getServiceOperations("old")).toEqual(["o1", "o2"]);
    expect(await store.getServiceOperations("nope")).toEqual([]);
    expect(await store.listServices({ startMs: T0 / 1000 + 7_000_000, endMs: T0 / 1000 + 7_300_000 })).toEqual(["new", "old"]);
  });
});

describe("query", () => {
  let store: LocalStore;
  let dir: string;
  beforeAll(async () => {
    dir = harness.dir();
    store = await harness.open(dir);
    await store.append(generateSpans({ seed: 6, traces: 40 }));
  });

  it("runs a parameterised SELECT over otel_traces, with derived LLM columns", async () => {
    const spans = generateSpans({ seed: 6, traces: 40 });
    const rows = await store.query<{ n: number; tokens: number | null }>(
      "SELECT count(*) AS n, sum(LlmTotalTokens) AS tokens FROM otel_traces WHERE ServiceName = $svc AND IsLlm",
      { svc: "api" },
    );
    const llm = spans.filter((s) => s.serviceName === "api" && (s.attributes["gen_ai.system"] != null || s.attributes["gen_ai.provider.name"] != null));
    expect(rows[0]!.n).toBe(llm.length);
    expect(rows[0]!.n).toBeGreaterThan(0);
  });

  it("refuses anything but one SELECT, and files outside the data directory", async () => {
    for (const sql of ["DELETE FROM wal_tail", "SELECT 1; SELECT 2", "CREATE TABLE x AS SELECT 1", `COPY (SELECT 1) TO '${join(dir, "x.csv")}'`, "SET threads = 1", "INSTALL httpfs"]) {
      await expect(store.query(sql), sql).rejects.toBeInstanceOf(StoreQueryError);
    }
    await expect(store.query("SELECT * FROM read_text('/etc/hostname')")).rejects.toThrow(/Permission|disabled/i);
    await expect(store.query("SELECT * FROM read_parquet('https://example.com/x.parquet')")).rejects.toThrow(/Permission|disabled/i);
    expect(readdirSync(dir)).not.toContain("x.csv");
  });

  it("reports stats", async () => {
    const stats = await store.stats();
    const spans = generateSpans({ seed: 6, traces: 40 });
    expect(stats.spans).toBe(spans.length);
    expect(stats.traces).toBe(40);
    expect(stats.bytes).toBeGreaterThan(0);
    expect(stats.oldestMs).toBe(Math.floor(Math.min(...spans.map((s) => s.startTimeUs)) / 1000));
    expect(stats.newestMs).toBe(Math.floor(Math.max(...spans.map((s) => s.startTimeUs)) / 1000));
  });
});

describe("guards", () => {
  it("a second store in the same process is a reader, and rejects appends", async () => {
    const dir = harness.dir();
    const owner = await harness.open(dir);
    const reader = await harness.open(dir, { takeoverIntervalMs: 50 });
    expect([owner.role, reader.role]).toEqual(["owner", "reader"]);
    await expect(reader.append([span({ traceId: "1".repeat(32), spanId: "1".repeat(16) })])).rejects.toBeInstanceOf(StoreReadOnlyError);
    await owner.append([span({ traceId: "1".repeat(32), spanId: "1".repeat(16) })]);
    expect((await reader.getTrace("1".repeat(32)))?.spans).toHaveLength(1);
  });

  it("keeps accepting appends into the WAL while rolls fail, and rolls once they can", { timeout: 60_000 }, async () => {
    const dir = harness.dir();
    const store = await harness.open(dir, { walFileBytes: 8 * 1024, rollBytes: 16 * 1024, maintenanceIntervalMs: 20 });
    // A file where the segments directory should be: every segment write fails (even as root).
    rmSync(join(dir, "segments"), { recursive: true });
    writeFileSync(join(dir, "segments"), "");
    const spans = generateSpans({ seed: 12, traces: 300 });
    for (let i = 0; i < spans.length; i += 50) await store.append(spans.slice(i, i + 50));
    expect((await store.stats()).spans).toBe(spans.length);
    expect((await store.stats()).segments).toBe(0);
    rmSync(join(dir, "segments"));
    mkdirSync(join(dir, "segments"));
    await store.checkpoint();
    expect(await store.stats()).toMatchObject({ spans: spans.length });
    expect((await store.stats()).segments).toBeGreaterThan(0);
  });

  it("gives each process its own spill directory and clears those of dead processes", async () => {
    const dir = harness.dir();
    const deadPid = Number(spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]).stdout.toString());
    mkdirSync(join(dir, "tmp", `${deadPid}-0000`), { recursive: true });
    const store = await harness.open(dir);
    const mine = readdirSync(join(dir, "tmp"));
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatch(new RegExp(`^${process.pid}-`));
    await store.close();
    expect(readdirSync(join(dir, "tmp"))).toEqual([]);
  });

  it("keeps a span with a huge value (cut, marked) and repairs lone surrogates", async () => {
    const store = await harness.open(harness.dir());
    const huge = "x".repeat(20 * 1024 * 1024);
    await store.append([
      span({ traceId: "2".repeat(32), spanId: "1".repeat(16), attributes: { "gen_ai.prompt.0.content": huge, small: "ok" } }),
      span({ traceId: "3".repeat(32), spanId: "1".repeat(16), attributes: { bad: "a\ud800b" } }),
    ]);
    const big = (await store.getTrace("2".repeat(32)))!.spans[0]!;
    expect(big.attributes.small).toBe("ok");
    expect(String(big.attributes["gen_ai.prompt.0.content"])).toMatch(/^x{65536}…\[truncated\]$/);
    expect((await store.getTrace("3".repeat(32)))!.spans[0]!.attributes.bad).toBe("a\ufffdb");
  });
});
