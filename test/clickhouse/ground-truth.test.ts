/**
 * End to end: the shared dataset, loaded as the exporter writes it (current and legacy spellings
 * side by side), answers the queries a ClickHouse backend will run, through @clickhouse/client,
 * with every value a parameter and every query bounded. Ground truth is computed here from the
 * domain traces.
 */
import { ClickHouseError, ClickHouseLogLevel, createClient, type ClickHouseClient } from "@clickhouse/client";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { percentile } from "../../src/analytics/stats.js";
import type { Span, SpanKind, Trace } from "../../src/domain/trace.js";
import { applyExporterSchema, loadTraces } from "../helpers/clickhouse-loader.js";
import { createClickHouseQueryClient, type ClickHouseQueryClient } from "../helpers/clickhouse-query-client.js";
import { startClickHouseShim, type RunningClickHouseShim } from "../helpers/clickhouse-shim.js";
import { DATASET_START_MS, generateDataset, rng } from "../helpers/dataset.js";

/**
 * Linear interpolation between closest ranks written the way ClickHouse computes
 * quantileExactInclusive (AggregateFunctions/QuantileExact.h): h = p(N-1)+1, n = floor(h),
 * x[n-1] + (h-n)(x[n]-x[n-1]). Algebraically percentile() in src/analytics/stats.ts, which
 * computes x[n-1](1-w) + x[n]w, so the two agree up to the last bits of rounding.
 */
function linearAsClickHouse(sorted: readonly number[], p: number): number {
  const h = p * (sorted.length - 1) + 1;
  const n = Math.floor(h);
  if (n >= sorted.length) return sorted[sorted.length - 1]!;
  if (n < 1) return sorted[0]!;
  return sorted[n - 1]! + (h - n) * (sorted[n]! - sorted[n - 1]!);
}
const relativeDiff = (a: number, b: number) => Math.abs(a - b) / Math.max(1, Math.abs(b));
/** A few ulps: far below the 2-decimal rounding of tool output. */
const SAME_UP_TO_ROUNDING = 8 * Number.EPSILON;

const USER = "mcp_reader";
const PASSWORD = "pw-for-tests";

/** Kinds a real instrumentation would set: a server root, client calls out, internal tools. */
function withKinds(traces: Trace[]): Trace[] {
  const kindOf = (s: Span): SpanKind =>
    s.parentSpanId === null ? "SERVER" : s.attributes["gen_ai.system"] !== undefined || s.operationName.startsWith("GET ") ? "CLIENT" : "INTERNAL";
  return traces.map((t) => ({ ...t, spans: t.spans.map((s) => ({ ...s, kind: kindOf(s) })) }));
}

const current = withKinds(generateDataset({ seed: 42, traces: 40 }));
const legacy = withKinds(generateDataset({ seed: 7, traces: 20, startMs: DATASET_START_MS + 3 * 3600_000 }));
const all = [...current, ...legacy];
const spans = all.flatMap((t) => t.spans);

let shim: RunningClickHouseShim;
let qc: ClickHouseQueryClient;
/** Writes as the exporter does: connected to "default" (otel may not exist yet), tables qualified. */
let exporter: ClickHouseClient;
const timings: Record<string, number> = {};
const timed = async <T>(label: string, run: () => Promise<T>): Promise<T> => {
  const t0 = performance.now();
  try {
    return await run();
  } finally {
    timings[label] = Math.round((performance.now() - t0) * 10) / 10;
  }
};

beforeAll(async () => {
  shim = await timed("shim start", () => startClickHouseShim({ chdbDir: inject("chdbDir"), username: USER, password: PASSWORD }));
  exporter = createClient({ url: shim.url, username: USER, password: PASSWORD, log: { level: ClickHouseLogLevel.OFF } });
  qc = createClickHouseQueryClient({ url: shim.url, username: USER, password: PASSWORD, database: "otel" });
  await timed("exporter DDL", () => applyExporterSchema(exporter));
  const a = await timed(`load ${current.length} traces (current spelling)`, () => loadTraces(exporter, current));
  const b = await timed(`load ${legacy.length} traces (legacy spelling)`, () => loadTraces(exporter, legacy, { spelling: "legacy" }));
  timings["spans loaded"] = a.spans + b.spans;
});

afterAll(async () => {
  process.stderr.write(`clickhouse timings (ms): ${JSON.stringify(timings)}\n`);
  await qc?.close();
  await exporter?.close();
  await shim?.close();
});

describe("loaded as the exporter writes it", () => {
  it("every span is a row, and the view has one row per trace", async () => {
    expect(await qc.select("SELECT count() AS n FROM otel_traces")).toEqual([{ n: String(spans.length) }]);
    expect(await qc.select("SELECT uniqExact(TraceId) AS n FROM otel_traces_trace_id_ts")).toEqual([{ n: String(all.length) }]);
  });

  it("attribute values are strings the way the exporter renders them", async () => {
    const llm = current[0]!.spans.find((s) => s.attributes["gen_ai.response.finish_reasons"] !== undefined)!;
    const [row] = await qc.select<{ attrs: Record<string, string> }>("SELECT SpanAttributes AS attrs FROM otel_traces WHERE SpanId = {id:String}", { id: llm.spanId });
    expect(row!.attrs).toMatchObject({
      "gen_ai.usage.prompt_tokens": String(llm.attributes["gen_ai.usage.prompt_tokens"]),
      "gen_ai.request.temperature": "0.7",
      "gen_ai.request.max_tokens": "1024",
      "llm.is_streaming": "false",
      "gen_ai.response.finish_reasons": JSON.stringify(llm.attributes["gen_ai.response.finish_reasons"]),
    });
  });
});

describe("queries a ClickHouse backend runs", () => {
  it("every query went out read-only, bounded and parameterized", async () => {
    await qc.select("SELECT {x:String} AS x", { x: "probe" });
    const selects = shim.requests.filter((r) => r.settings.readonly !== undefined);
    expect(selects.length).toBeGreaterThan(0);
    for (const r of selects) {
      expect(r.settings).toMatchObject({ readonly: "1", max_execution_time: "10", max_result_rows: "100000", result_overflow_mode: "throw" });
    }
    expect(shim.requests.at(-1)!.sql).not.toContain("probe");
  });

  it("list services in a time window", async () => {
    const from = new Date(DATASET_START_MS + 10 * 60_000);
    const to = new Date(DATASET_START_MS + 30 * 60_000);
    const got = await timed("query: list services", () =>
      qc.select<{ service: string; spans: string }>(
        "SELECT ServiceName AS service, count() AS spans FROM otel_traces WHERE Timestamp >= {from:DateTime64(3)} AND Timestamp < {to:DateTime64(3)} GROUP BY ServiceName ORDER BY ServiceName",
        { from, to },
      ),
    );
    const expected = new Map<string, number>();
    for (const s of spans) {
      if (s.startTimeUs >= from.getTime() * 1000 && s.startTimeUs < to.getTime() * 1000) expected.set(s.serviceName, (expected.get(s.serviceName) ?? 0) + 1);
    }
    expect(got).toEqual([...expected].sort(([a], [b]) => (a < b ? -1 : 1)).map(([service, n]) => ({ service, spans: String(n) })));
  });

  it("get a trace: its time range from otel_traces_trace_id_ts, then its spans from otel_traces", async () => {
    const trace = current[7]!;
    const [range] = await timed("query: trace id -> time range", () =>
      qc.select<{ start: number; end: number }>(
        "SELECT toUnixTimestamp(min(Start)) AS start, toUnixTimestamp(max(End)) AS end FROM otel_traces_trace_id_ts WHERE TraceId = {id:String}",
        { id: trace.traceId },
      ),
    );
    const startsS = trace.spans.map((s) => Math.floor(s.startTimeUs / 1e6));
    expect(range).toEqual({ start: Math.min(...startsS), end: Math.max(...startsS) });
    const rows = await timed("query: spans of a trace", () =>
      qc.select<{ SpanId: string; ParentSpanId: string; SpanName: string; ServiceName: string; SpanKind: string; StatusCode: string; startNs: string; Duration: string; eventNames: string[] }>(
        "SELECT SpanId, ParentSpanId, SpanName, ServiceName, SpanKind, StatusCode, toUnixTimestamp64Nano(Timestamp) AS startNs, Duration, Events.Name AS eventNames " +
          "FROM otel_traces WHERE TraceId = {id:String} AND Timestamp BETWEEN toDateTime64({start:UInt32} - 1, 9) AND toDateTime64({end:UInt32} + 1, 9) ORDER BY Timestamp, SpanId",
        { id: trace.traceId, start: range!.start, end: range!.end },
      ),
    );
    const expected = [...trace.spans]
      .sort((a, b) => a.startTimeUs - b.startTimeUs || (a.spanId < b.spanId ? -1 : 1))
      .map((s) => ({
        SpanId: s.spanId,
        ParentSpanId: s.parentSpanId ?? "",
        SpanName: s.operationName,
        ServiceName: s.serviceName,
        SpanKind: { SERVER: "Server", CLIENT: "Client", INTERNAL: "Internal" }[s.kind as "SERVER" | "CLIENT" | "INTERNAL"],
        StatusCode: { OK: "Ok", ERROR: "Error", UNSET: "Unset" }[s.status],
        startNs: String(BigInt(s.startTimeUs) * 1000n),
        Duration: String(Math.round(s.durationMs * 1e6)),
        eventNames: s.events.map((e) => e.name),
      }));
    expect(rows).toEqual(expected);
  });

  it("count traces with an error span, matching both spellings of the status", async () => {
    const errorTraces = (ts: Trace[]) => ts.filter((t) => t.spans.some((s) => s.status === "ERROR")).length;
    const count = async (codes: string[]) =>
      (await qc.select<{ n: string }>("SELECT uniqExact(TraceId) AS n FROM otel_traces WHERE StatusCode IN {codes:Array(String)}", { codes }))[0]!.n;
    expect(await timed("query: error traces", () => count(["Error", "STATUS_CODE_ERROR"]))).toBe(String(errorTraces(all)));
    // Each spelling alone finds only its own rows: both are really in the table.
    expect(await count(["Error"])).toBe(String(errorTraces(current)));
    expect(await count(["STATUS_CODE_ERROR"])).toBe(String(errorTraces(legacy)));
    expect(errorTraces(current)).toBeGreaterThan(0);
    expect(errorTraces(legacy)).toBeGreaterThan(0);
    const [servers] = await qc.select<{ n: string }>("SELECT count() AS n FROM otel_traces WHERE SpanKind IN {kinds:Array(String)}", { kinds: ["Server", "SPAN_KIND_SERVER"] });
    expect(servers!.n).toBe(String(all.length));
  });

  it("p95 by service with quantileExactInclusive equals percentile() in src/analytics/stats; quantileExact and quantileExactExclusive do not", async () => {
    const got = await timed("query: p50/p95/p99 by service", () =>
      qc.select<{ service: string; inclusive: number; levels: number[]; nearest: number; exclusive: number }>(
        "SELECT ServiceName AS service, quantileExactInclusive(0.95)(Duration) AS inclusive, quantilesExactInclusive(0.5, 0.95, 0.99)(Duration) AS levels, " +
          "quantileExact(0.95)(Duration) AS nearest, quantileExactExclusive(0.95)(Duration) AS exclusive FROM otel_traces GROUP BY ServiceName ORDER BY ServiceName",
      ),
    );
    const byService = new Map<string, number[]>();
    for (const s of spans) byService.set(s.serviceName, [...(byService.get(s.serviceName) ?? []), Math.round(s.durationMs * 1e6)]);
    expect(got.map((g) => g.service)).toEqual([...byService.keys()].sort());
    let nearestDiffers = false;
    let exclusiveDiffers = false;
    for (const g of got) {
      const sorted = byService.get(g.service)!.sort((a, b) => a - b);
      expect(g.inclusive).toBe(linearAsClickHouse(sorted, 0.95));
      expect(g.levels).toEqual([0.5, 0.95, 0.99].map((p) => linearAsClickHouse(sorted, p)));
      expect(relativeDiff(g.inclusive, percentile(sorted, 0.95))).toBeLessThanOrEqual(SAME_UP_TO_ROUNDING);
      nearestDiffers ||= relativeDiff(Number(g.nearest), percentile(sorted, 0.95)) > 1e-9;
      exclusiveDiffers ||= relativeDiff(g.exclusive, percentile(sorted, 0.95)) > 1e-9;
    }
    expect([nearestDiffers, exclusiveDiffers]).toEqual([true, true]);
  });

  it("quantileExactInclusive is linear interpolation between closest ranks on any data (3000 random groups, 6 levels)", async () => {
    const rand = rng(2025);
    const groups: number[][] = [];
    const rows: Array<{ g: number; v: number }> = [];
    for (let g = 0; g < 3000; g++) {
      const scale = [1e10, 5e6, 1000][g % 3]!;
      const values = Array.from({ length: 1 + Math.floor(rand() * 60) }, () => Math.floor(rand() * scale));
      values.forEach((v) => rows.push({ g, v }));
      groups.push(values.sort((a, b) => a - b));
    }
    await exporter.command({ query: "CREATE TABLE IF NOT EXISTS otel.quantile_probe (g UInt32, v UInt64) ENGINE = MergeTree ORDER BY g" });
    await exporter.insert({ table: "otel.quantile_probe", values: rows, format: "JSONEachRow" });
    const levels = [0.01, 0.333, 0.5, 0.9, 0.95, 0.99];
    const got = await qc.select<{ g: number; q: number[] }>("SELECT g, quantilesExactInclusive(0.01, 0.333, 0.5, 0.9, 0.95, 0.99)(v) AS q FROM quantile_probe GROUP BY g ORDER BY g");
    expect(got).toHaveLength(groups.length);
    let exact = 0;
    let worst = 0;
    for (const { g, q } of got) {
      levels.forEach((p, i) => {
        expect(q[i]).toBe(linearAsClickHouse(groups[g]!, p));
        if (q[i] === percentile(groups[g]!, p)) exact++;
        worst = Math.max(worst, relativeDiff(q[i]!, percentile(groups[g]!, p)));
      });
    }
    // Same definition, different rounding of a*(1-w)+b*w vs a+w*(b-a): most agree bit for bit.
    expect(worst).toBeLessThanOrEqual(SAME_UP_TO_ROUNDING);
    expect(exact).toBeGreaterThan(got.length * levels.length * 0.5);
  });

  it("filter numerically on a Map value with a cast", async () => {
    const minPrompt = 500;
    const [got] = await timed("query: numeric Map filter", () =>
      qc.select<{ n: string; tokens: string }>(
        "SELECT count() AS n, sum(toUInt64OrZero(SpanAttributes['gen_ai.usage.prompt_tokens'])) AS tokens FROM otel_traces " +
          "WHERE toUInt64OrZero(SpanAttributes[{key:String}]) >= {min:UInt64}",
        { key: "gen_ai.usage.prompt_tokens", min: minPrompt },
      ),
    );
    const matching = spans.filter((s) => typeof s.attributes["gen_ai.usage.prompt_tokens"] === "number" && (s.attributes["gen_ai.usage.prompt_tokens"] as number) >= minPrompt);
    expect(matching.length).toBeGreaterThan(0);
    expect(got).toEqual({ n: String(matching.length), tokens: String(matching.reduce((a, s) => a + (s.attributes["gen_ai.usage.prompt_tokens"] as number), 0)) });
    const [temp] = await qc.select<{ n: string }>("SELECT count() AS n FROM otel_traces WHERE toFloat64OrNull(SpanAttributes['gen_ai.request.temperature']) = {t:Float64}", { t: 0.7 });
    expect(temp!.n).toBe(String(spans.filter((s) => s.attributes["gen_ai.request.temperature"] === 0.7).length));
  });

  it("token sums per model, the model from response, request or llm.model_name", async () => {
    const got = await timed("query: tokens by model", () =>
      qc.select<{ model: string; prompt: string; completion: string; calls: string }>(
        "SELECT coalesce(nullIf(SpanAttributes['gen_ai.response.model'], ''), nullIf(SpanAttributes['gen_ai.request.model'], ''), SpanAttributes['llm.model_name']) AS model, " +
          "sum(toUInt64OrZero(SpanAttributes['gen_ai.usage.prompt_tokens'])) AS prompt, sum(toUInt64OrZero(SpanAttributes['gen_ai.usage.completion_tokens'])) AS completion, count() AS calls " +
          "FROM otel_traces WHERE mapContains(SpanAttributes, 'gen_ai.system') GROUP BY model ORDER BY model",
      ),
    );
    const expected = new Map<string, { prompt: number; completion: number; calls: number }>();
    for (const s of spans) {
      if (s.attributes["gen_ai.system"] === undefined) continue;
      const model = String(s.attributes["gen_ai.response.model"] ?? s.attributes["gen_ai.request.model"]);
      const e = expected.get(model) ?? { prompt: 0, completion: 0, calls: 0 };
      e.prompt += Number(s.attributes["gen_ai.usage.prompt_tokens"] ?? 0);
      e.completion += Number(s.attributes["gen_ai.usage.completion_tokens"] ?? 0);
      e.calls += 1;
      expected.set(model, e);
    }
    expect(got).toEqual(
      [...expected].sort(([a], [b]) => (a < b ? -1 : 1)).map(([model, e]) => ({ model, prompt: String(e.prompt), completion: String(e.completion), calls: String(e.calls) })),
    );
  });

  it("search traces: newest traces with a span of a service, summarized per trace on the server", async () => {
    const service = "travel-agent";
    const got = await timed("query: search traces", () =>
      qc.select<{ id: string; root: string; spans: string; errors: string; durationNs: string }>(
        "SELECT TraceId AS id, argMin(SpanName, Timestamp) AS root, count() AS spans, countIf(StatusCode IN {errorCodes:Array(String)}) AS errors, " +
          "max(toUnixTimestamp64Nano(Timestamp) + Duration) - min(toUnixTimestamp64Nano(Timestamp)) AS durationNs FROM otel_traces " +
          "WHERE TraceId IN (SELECT TraceId FROM otel_traces WHERE ServiceName = {service:String}) GROUP BY TraceId ORDER BY min(Timestamp) DESC LIMIT {limit:UInt32}",
        { service, errorCodes: ["Error", "STATUS_CODE_ERROR"], limit: 5 },
      ),
    );
    const expected = all
      .filter((t) => t.spans.some((s) => s.serviceName === service))
      .sort((a, b) => b.startTimeUs - a.startTimeUs)
      .slice(0, 5);
    expect(got.map((g) => [g.id, g.root, Number(g.spans), Number(g.errors)])).toEqual(
      expected.map((t) => [t.traceId, t.rootOperation, t.spans.length, t.spans.filter((s) => s.status === "ERROR").length]),
    );
    got.forEach((g, i) => expect(Math.abs(Number(g.durationNs) - expected[i]!.durationMs * 1e6)).toBeLessThanOrEqual(1000));
  });

  it("rejects a write under readonly=1 and leaves the data alone", async () => {
    const err = await qc.raw
      .command({ query: "TRUNCATE TABLE otel_traces", clickhouse_settings: { readonly: "1" } })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(ClickHouseError);
    expect((err as ClickHouseError).type).toBe("READONLY");
    expect(await qc.select("SELECT count() AS n FROM otel_traces")).toEqual([{ n: String(spans.length) }]);
  });

  it("surfaces bad SQL and an exceeded row limit as client errors", async () => {
    const bad = await qc.select("SELECT NoSuchColumn FROM otel_traces").catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(ClickHouseError);
    expect((bad as ClickHouseError).code).toBe("47");
    const small = createClickHouseQueryClient({ url: shim.url, username: USER, password: PASSWORD, maxResultRows: 5 });
    try {
      const tooMany = await small.select("SELECT SpanId FROM otel_traces").catch((e: unknown) => e);
      expect((tooMany as ClickHouseError).type).toBe("TOO_MANY_ROWS_OR_BYTES");
    } finally {
      await small.close();
    }
  });

  it("fails cleanly under injected faults and recovers", async () => {
    const impatient = createClickHouseQueryClient({ url: shim.url, username: USER, password: PASSWORD, requestTimeoutMs: 300 });
    try {
      shim.setFault("http500");
      expect(await impatient.select("SELECT 1").catch((e: unknown) => (e as ClickHouseError).type)).toBe("MEMORY_LIMIT_EXCEEDED");
      shim.setFault("malformed");
      await expect(impatient.select("SELECT 1")).rejects.toThrow(SyntaxError);
      shim.setFault("hang");
      await expect(impatient.select("SELECT 1")).rejects.toThrow(/Timeout/i);
      shim.setFault(null);
      expect(await impatient.ping()).toBe(true);
      expect(await impatient.select("SELECT 1 AS one")).toEqual([{ one: 1 }]);
    } finally {
      shim.setFault(null);
      await impatient.close();
    }
  });
});
