/**
 * The ClickHouse backend's filter SQL against the reference filter engine: random filters (every
 * operator, value type, pseudo-field, missing field, and every normalised GenAI field over spans
 * of every convention) over a generated dataset loaded as the exporter writes it (both spellings);
 * searchSpans and searchTraces must select exactly the spans / traces spanMatches / traceMatches
 * select, newest first.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createBackend } from "../../src/backends/index.js";
import type { TraceBackend } from "../../src/backends/trace-backend.js";
import { describeFilter, type Filter } from "../../src/domain/filter.js";
import type { Span, Trace } from "../../src/domain/trace.js";
import { isNormalizedGenAiField } from "../../src/genai/fields.js";
import { silentLogger } from "../../src/logger.js";
import { spanMatches, traceMatches } from "../../src/query/filter-engine.js";
import { clickhouseWorld, type ClickHouseRunningWorld } from "../helpers/clickhouse-world.js";
import { GEN_SPREAD_MS, GEN_START_MS, generateGenAiSpans, Rand, randomGenAiFilter, tracesOfSpans } from "../helpers/genai-differential.js";

const ROUNDS = 150;
const PASSWORD = "differential-pw";
const spans = generateGenAiSpans(5, 200);
const traces = tracesOfSpans(spans);
let world: ClickHouseRunningWorld;
let backend: TraceBackend;

type Window = { startMs: number; endMs: number };

function randomWindow(r: Rand): Window {
  if (r.chance(0.3)) return { startMs: GEN_START_MS - 1, endMs: GEN_START_MS + GEN_SPREAD_MS + 3_600_000 };
  const a = GEN_START_MS + r.float() * GEN_SPREAD_MS;
  return { startMs: Math.floor(a), endMs: Math.floor(a + r.float() * GEN_SPREAD_MS) };
}

const inWindow = (us: number, w: Window): boolean => us / 1000 >= w.startMs && us / 1000 <= w.endMs;
const spanKey = (s: Span): string => `${s.traceId}/${s.spanId}`;
const newest = (a: { startTimeUs: number; traceId: string }, b: { startTimeUs: number; traceId: string }): number =>
  b.startTimeUs - a.startTimeUs || (a.traceId < b.traceId ? -1 : a.traceId > b.traceId ? 1 : 0);

function filtersFor(r: Rand): Filter[] {
  return Array.from({ length: r.int(1, 3) }, () => randomGenAiFilter(r, spans, traces));
}

beforeAll(async () => {
  world = await clickhouseWorld({ chdbDir: inject("chdbDir"), users: [{ username: "default", password: PASSWORD }], eventTimeUnit: "ns" }).start(traces);
  backend = await createBackend("clickhouse", { url: world.url, apiKey: PASSWORD, timeoutMs: 20_000, headers: {}, environments: [], fetchConcurrency: 4, logger: silentLogger() });
});

afterAll(async () => {
  await backend?.close();
  await world?.close();
});

describe("ClickHouse filter SQL equals the filter engine", () => {
  it("searchSpans", { timeout: 240_000 }, async () => {
    const r = new Rand(21);
    let nonEmpty = 0;
    let genaiMatched = 0;
    for (let i = 0; i < ROUNDS; i++) {
      const w = randomWindow(r);
      const filters = filtersFor(r);
      const want = spans
        .filter((s) => inWindow(s.startTimeUs, w) && spanMatches(s, filters))
        .sort((a, b) => newest(a, b) || (a.spanId < b.spanId ? -1 : 1))
        .map(spanKey);
      const limit = r.pick([1, 7, 50, 100_000]);
      const got = await backend.searchSpans!({ ...w, filters, limit, target: "spans" });
      expect(got.items.map(spanKey), `round ${i}: ${filters.map(describeFilter).join(" AND ")}`).toEqual(want.slice(0, limit));
      if (want.length > 0) nonEmpty++;
      if (want.length > 0 && filters.some((f) => isNormalizedGenAiField(f.field))) genaiMatched++;
    }
    expect(nonEmpty).toBeGreaterThan(ROUNDS / 4);
    // Not vacuous on the GenAI fields: many rounds filter on one and still select spans.
    expect(genaiMatched).toBeGreaterThan(ROUNDS / 8);
  });

  it("searchTraces", { timeout: 240_000 }, async () => {
    const r = new Rand(22);
    let nonEmpty = 0;
    for (let i = 0; i < ROUNDS; i++) {
      const w = randomWindow(r);
      const filters = filtersFor(r);
      if (r.chance(0.15)) {
        const t = r.pick(traces);
        filters.push({ field: "service.name", operator: "equals", value: r.pick(t.spans).serviceName, valueType: "string" });
        filters.push({ field: "operation_name", operator: "equals", value: r.pick(t.spans).operationName, valueType: "string" });
      }
      const want = traces.filter((t: Trace) => inWindow(t.startTimeUs, w) && traceMatches(t, filters)).sort(newest).map((t) => t.traceId);
      const limit = r.pick([1, 3, 10, 100_000]);
      const got = await backend.searchTraces({ ...w, filters, limit, target: "traces" });
      const label = `round ${i}: ${filters.map(describeFilter).join(" AND ")}`;
      expect(got.items.map((t) => t.traceId), label).toEqual(want.slice(0, limit));
      // Complete traces: every span of each.
      for (const t of got.items) expect(t.spans.length, label).toBe(traces.find((x) => x.traceId === t.traceId)!.spans.length);
      if (want.length > 0) nonEmpty++;
    }
    expect(nonEmpty).toBeGreaterThan(ROUNDS / 4);
  });
});
