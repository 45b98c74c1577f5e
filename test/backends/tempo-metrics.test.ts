/**
 * TempoBackend.aggregate (issue 15): span-level aggregates from TraceQL metrics instant queries,
 * against the Tempo world (which parses and evaluates the metrics TraceQL it receives), with
 * ground truth computed from the dataset in plain code using the definitions of
 * src/analytics/metrics.ts. Whatever Tempo cannot compute exactly answers undefined.
 */
import { describe, expect, it } from "vitest";
import { createTempoBackend } from "../../src/backends/tempo/tempo-backend.js";
import type { AggregateAnswer, AggregateQuery, BackendOptions, TraceBackend } from "../../src/backends/trace-backend.js";
import type { BackendMetric } from "../../src/analytics/metrics.js";
import { eq, type Filter } from "../../src/domain/filter.js";
import { assembleTrace, createSpan, type Span, type Trace } from "../../src/domain/trace.js";
import { silentLogger } from "../../src/logger.js";
import { DATASET_START_MS, generateDataset } from "../helpers/dataset.js";
import { parseTraceQLQuery, tempoWorld, type TempoRunningWorld, type TempoWorldOptions } from "../helpers/tempo-world.js";

const MIN = 60_000;
const NOW = DATASET_START_MS + 6 * 3_600_000;
// A window that cuts through the dataset (traces start one a minute), with integer-ms bounds.
const START = DATASET_START_MS + 10 * MIN;
const END = DATASET_START_MS + 40 * MIN;

/** Spans exactly on, and just outside, both window bounds (the range is inclusive at both ends). */
function edgeTrace(): Trace {
  const traceId = "ed000000000000000000000000000001";
  const at = [START * 1000 - 1, START * 1000, END * 1000, END * 1000 + 1];
  const spans = at.map((us, i) =>
    createSpan({
      traceId,
      spanId: `ed0000000000000${i}`,
      parentSpanId: i === 0 ? null : "ed00000000000000",
      operationName: "edge.op",
      serviceName: "chat-api",
      startTimeUs: us,
      // Durations whose ns / 1e9 * 1000 is not ns / 1e6 in floating point (1.0000090000000001).
      durationMs: [1.000004, 1.000009, 1.000013, 1.000004][i]!,
      status: i === 2 ? "ERROR" : "OK",
      attributes: { "http.response.status_code": i % 2 === 0 ? 200 : 500 },
    }),
  );
  return assembleTrace(traceId, spans)!;
}

const dataset: Trace[] = [...generateDataset({ seed: 21, traces: 60, fillerSpans: 3 }), edgeTrace()];
const allSpans = dataset.flatMap((t) => t.spans);

function options(url: string): BackendOptions {
  return { url, timeoutMs: 2000, headers: {}, environments: [], fetchConcurrency: 4, logger: silentLogger(), now: () => NOW };
}

async function withTempo<T>(fn: (running: TempoRunningWorld, backend: TraceBackend) => Promise<T>, worldOptions: TempoWorldOptions = { version: "3.0.1" }): Promise<T> {
  const running = await tempoWorld(worldOptions).start(dataset);
  const backend = createTempoBackend(options(running.url));
  try {
    return await fn(running, backend);
  } finally {
    await backend.close();
    await running.close();
  }
}

const query = (over: Partial<AggregateQuery>): AggregateQuery => ({
  startMs: START,
  endMs: END,
  level: "span",
  filters: [],
  groupBy: [],
  metrics: ["count"],
  byModel: false,
  ...over,
});

/** Plain-code truth: rows are spans starting in [START, END]; metrics as src/analytics/metrics.ts defines them. */
function truth(keep: (s: Span) => boolean, key: (s: Span) => Record<string, string | number | boolean | null>) {
  const groups = new Map<string, { key: Record<string, unknown>; spans: Span[] }>();
  for (const s of allSpans) {
    if (s.startTimeUs < START * 1000 || s.startTimeUs > END * 1000 || !keep(s)) continue;
    const k = key(s);
    const id = JSON.stringify(k);
    if (!groups.has(id)) groups.set(id, { key: k, spans: [] });
    groups.get(id)!.spans.push(s);
  }
  return [...groups.values()].map(({ key: k, spans }) => {
    const errors = spans.filter((s) => s.status === "ERROR").length;
    const d = spans.map((s) => s.durationMs);
    return {
      key: k,
      values: {
        count: spans.length,
        error_count: errors,
        error_rate: (errors / spans.length) * 100,
        avg_duration_ms: d.reduce((a, b) => a + b, 0) / d.length,
        max_duration_ms: Math.max(...d),
      },
    };
  });
}

const byKey = <T extends { key: Record<string, unknown> }>(groups: T[]): T[] => [...groups].sort((a, b) => (JSON.stringify(a.key) < JSON.stringify(b.key) ? -1 : 1));

function expectGroups(answer: AggregateAnswer | undefined, want: ReturnType<typeof truth>, metrics: BackendMetric[]): void {
  expect(answer).toBeDefined();
  const got = byKey(answer!.groups);
  const exp = byKey(want);
  expect(got.map((g) => g.key)).toEqual(exp.map((g) => g.key));
  got.forEach((g, i) => {
    for (const m of metrics) {
      const w = exp[i]!.values[m as keyof (typeof exp)[number]["values"]];
      // The mean is a sum of floats on both sides, in another order and unit: equal to 12 digits.
      if (m === "avg_duration_ms") expect(g.values[m]).toBeCloseTo(w, 9);
      else expect(g.values[m]).toBe(w);
    }
  });
  expect(answer!.spans).toBe(want.reduce((n, g) => n + g.values.count, 0));
  expect(answer!.traces).toBeUndefined();
}

const METRICS: BackendMetric[] = ["count", "error_count", "error_rate", "avg_duration_ms", "max_duration_ms"];

describe("Tempo aggregates from TraceQL metrics", () => {
  it("counts, errors, mean and max by service, operation and status, bounds included", async () => {
    await withTempo(async (running, backend) => {
      const before = running.requests.length;
      const answer = await backend.aggregate!(query({ groupBy: ["service.name", "operation_name", "status"], metrics: METRICS }));
      expectGroups(answer, truth(() => true, (s) => ({ "service.name": s.serviceName, operation_name: s.operationName, status: s.status })), METRICS);
      const edge = answer!.groups.filter((g) => g.key.operation_name === "edge.op");
      expect(edge.map((g) => g.values.count).reduce((a, b) => a! + b!, 0)).toBe(2);
      const reqs = running.requests.slice(before);
      expect(reqs.map((r) => r.path)).toEqual(["/api/status/buildinfo", "/api/metrics/query", "/api/metrics/query", "/api/metrics/query"]);
      expect(reqs[1]!.query).toEqual({
        q: "{ } | count_over_time() by (resource.service.name, name, status)",
        start: `${START}000000`,
        end: `${END}000000`,
      });
      expect(reqs.slice(2).map((r) => r.query.q)).toEqual([
        "{ } | sum_over_time(duration) by (resource.service.name, name, status)",
        "{ } | max_over_time(duration) by (resource.service.name, name, status)",
      ]);
      for (const r of reqs.slice(1)) expect(() => parseTraceQLQuery(r.query.q!)).not.toThrow();
      // The version is asked once per backend.
      await backend.aggregate!(query({}));
      expect(running.requests.slice(before).filter((r) => r.path === "/api/status/buildinfo")).toHaveLength(1);
    });
  });

  it("applies exact filters in one spanset and groups by a plain attribute (absent = null, typed values)", async () => {
    await withTempo(async (running, backend) => {
      const filters: Filter[] = [
        eq("service.name", "chat-api"),
        { field: "duration", operator: "gte", value: 1.000009, valueType: "number" },
        { field: "status", operator: "in", values: ["OK", "ERROR"], valueType: "string" },
      ];
      const before = running.requests.length;
      const answer = await backend.aggregate!(query({ filters, groupBy: ["http.response.status_code"], metrics: ["count", "error_rate", "max_duration_ms"] }));
      const keep = (s: Span) => s.serviceName === "chat-api" && s.durationMs >= 1.000009 && s.status !== "UNSET";
      expectGroups(answer, truth(keep, (s) => ({ "http.response.status_code": (s.attributes["http.response.status_code"] as number | undefined) ?? null })), ["count", "error_rate", "max_duration_ms"]);
      expect(answer!.groups.some((g) => g.key["http.response.status_code"] === null)).toBe(true);
      expect(answer!.groups.some((g) => g.key["http.response.status_code"] === 500)).toBe(true);
      expect(running.requests.slice(before).find((r) => r.path === "/api/metrics/query")!.query.q).toBe(
        `{ resource.service.name = "chat-api" && duration >= 1000009ns && (status = ok || status = error) } | count_over_time() by (span.http.response.status_code, status)`,
      );
    });
  });

  it("with no group-by there is one group over every row", async () => {
    await withTempo(async (_running, backend) => {
      const answer = await backend.aggregate!(query({ metrics: METRICS, filters: [{ field: "operation_name", operator: "starts_with", value: "openai", valueType: "string" }] }));
      expectGroups(answer, truth((s) => s.operationName.startsWith("openai"), () => ({})), METRICS);
    });
  });

  it.each<[string, Partial<AggregateQuery>]>([
    ["a percentile (quantile_over_time is a log2-bucket approximation)", { metrics: ["count", "p95_duration_ms"] }],
    ["token sums (the normaliser reads several keys per convention)", { metrics: ["input_tokens"] }],
    ["a normalised GenAI group-by", { groupBy: ["model"] }],
    ["a gen_ai.* group-by", { groupBy: ["gen_ai.provider.name"] }],
    ["an attribute filter (typed comparison)", { filters: [eq("gen_ai.system", "openai")] }],
    ["a duration bound finer than a nanosecond", { filters: [{ field: "duration", operator: "gt", value: 1.0000001, valueType: "number" }] }],
    ["time buckets", { intervalMs: 60_000 }],
    ["per-model usage", { byModel: true }],
    ["trace-level rows", { level: "trace" }],
  ])("%s: undefined, and nothing is asked of Tempo's metrics API", async (_name, over) => {
    await withTempo(async (running, backend) => {
      const before = running.requests.length;
      expect(await backend.aggregate!(query(over))).toBeUndefined();
      expect(running.requests.slice(before).filter((r) => r.path.startsWith("/api/metrics"))).toHaveLength(0);
    });
  });

  it("is off on Tempo 2.x (metrics come from the generator's local blocks, server spans only by default)", async () => {
    await withTempo(
      async (running, backend) => {
        expect(await backend.aggregate!(query({}))).toBeUndefined();
        expect(running.requests.map((r) => r.path)).toEqual(["/api/status/buildinfo"]);
      },
      { version: "2.10.0" },
    );
  });

  it("a window over query_frontend.metrics.max_duration (Tempo answers 400) is undefined, not an error", async () => {
    await withTempo(
      async (running, backend) => {
        expect(await backend.aggregate!(query({ endMs: START + 2 * 3_600_000 }))).toBeUndefined();
        const metrics = running.requests.filter((r) => r.path === "/api/metrics/query");
        expect(metrics).toHaveLength(1);
        const res = await fetch(`${running.url}/api/metrics/query?${new URLSearchParams({ q: "{ } | count_over_time()", start: String(START / 1000), end: String(START / 1000 + 7200) })}`);
        expect(res.status).toBe(400);
        expect(await res.text()).toContain("exceeds the maximum allowed duration of 1h0m0s");
      },
      { version: "3.0.1", metricsMaxDurationMs: 3_600_000 },
    );
  });

  it("the world answers 400 for metrics TraceQL it does not implement", async () => {
    await withTempo(async (running) => {
      for (const q of ["{ } | quantile_over_time(duration, .5)", "{ } | rate()", "{ }", "{ } | count_over_time() by (span.gen_ai.response.finish_reasons)"]) {
        const res = await fetch(`${running.url}/api/metrics/query?${new URLSearchParams({ q, start: String(START / 1000), end: String(END / 1000) })}`);
        expect(res.status, q).toBe(400);
      }
    });
  });
});
