/**
 * The store's SQL pushdown against the reference filter engine: random filters (every operator,
 * value type, pseudo-field, negative operator, missing field) over a generated dataset, and the
 * store must select exactly the spans / traces spanMatches / traceMatches select, in its order.
 * Run twice: with the data split between segments and the WAL (traces straddling both), and with
 * everything in segments.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeFilter, type Filter } from "../../src/domain/filter.js";
import type { Span, Trace } from "../../src/domain/trace.js";
import { spanMatches, traceMatches } from "../../src/query/filter-engine.js";
import type { LocalStore } from "../../src/store/index.js";
import { generateSpans, GEN_SPREAD_MS, GEN_START_MS, Rand, randomFilter, tracesOf } from "./gen.js";
import { StoreHarness } from "./helpers.js";

const ROUNDS = 120;
const harness = new StoreHarness();
const spans = generateSpans({ seed: 1, traces: 220 });
const traces = tracesOf(spans);
let store: LocalStore;

function randomWindow(r: Rand): { startMs: number; endMs: number } {
  if (r.chance(0.3)) return { startMs: GEN_START_MS - 1, endMs: GEN_START_MS + GEN_SPREAD_MS + 3_600_000 };
  const a = GEN_START_MS + r.float() * GEN_SPREAD_MS;
  const b = a + r.float() * GEN_SPREAD_MS;
  return { startMs: Math.floor(a), endMs: Math.floor(b) };
}

const inWindow = (us: number, w: { startMs: number; endMs: number }): boolean => us / 1000 >= w.startMs && us / 1000 <= w.endMs;

const spanKey = (s: Span): string => `${s.traceId}/${s.spanId}`;

function expectedSpans(filters: Filter[], w: { startMs: number; endMs: number }): string[] {
  return spans
    .filter((s) => inWindow(s.startTimeUs, w) && spanMatches(s, filters))
    .sort((a, b) => b.startTimeUs - a.startTimeUs || a.traceId.localeCompare(b.traceId) || a.spanId.localeCompare(b.spanId))
    .map(spanKey);
}

function expectedTraces(filters: Filter[], w: { startMs: number; endMs: number }): string[] {
  return traces
    .filter((t: Trace) => inWindow(t.startTimeUs, w) && traceMatches(t, filters))
    .sort((a, b) => b.startTimeUs - a.startTimeUs || a.traceId.localeCompare(b.traceId))
    .map((t) => t.traceId);
}

async function checkSpans(seed: number): Promise<number> {
  const r = new Rand(seed);
  let nonEmpty = 0;
  for (let i = 0; i < ROUNDS; i++) {
    const w = randomWindow(r);
    const filters = Array.from({ length: r.int(1, 3) }, () => randomFilter(r, spans, traces));
    const want = expectedSpans(filters, w);
    const limit = r.pick([1, 7, 50, 100_000]);
    const got = await store.searchSpans({ ...w, filters, limit });
    const label = `round ${i}: ${filters.map(describeFilter).join(" AND ")}`;
    expect(got.spans.map(spanKey), label).toEqual(want.slice(0, limit));
    expect(got.matched, label).toBe(want.length);
    if (want.length > 0) nonEmpty++;
  }
  return nonEmpty;
}

async function checkTraces(seed: number): Promise<number> {
  const r = new Rand(seed);
  let nonEmpty = 0;
  for (let i = 0; i < ROUNDS; i++) {
    const w = randomWindow(r);
    const filters = Array.from({ length: r.int(1, 3) }, () => randomFilter(r, spans, traces));
    // Favour the service/operation pairing rule now and then.
    if (r.chance(0.15)) {
      const t = r.pick(traces);
      const s = r.pick(t.spans);
      filters.push({ field: "service.name", operator: "equals", value: s.serviceName, valueType: "string" });
      filters.push({ field: r.pick(["operation_name", "name"]), operator: "equals", value: r.pick(t.spans).operationName, valueType: "string" });
    }
    const want = expectedTraces(filters, w);
    const limit = r.pick([1, 3, 10, 100_000]);
    const got = await store.searchTraces({ ...w, filters, limit });
    const label = `round ${i}: ${filters.map(describeFilter).join(" AND ")}`;
    expect(got.traces.map((t) => t.traceId), label).toEqual(want.slice(0, limit));
    expect(got.matched, label).toBe(want.length);
    if (want.length > 0) nonEmpty++;
  }
  return nonEmpty;
}

beforeAll(async () => {
  store = await harness.open(harness.dir());
  // Shuffled halves: many traces end up with spans in a segment and in the WAL.
  const r = new Rand(99);
  const shuffled = [...spans].sort(() => r.float() - 0.5);
  const half = Math.floor(shuffled.length * 0.6);
  await store.append(shuffled.slice(0, half));
  await store.checkpoint();
  await store.append(shuffled.slice(half));
}, 60_000);

afterAll(() => harness.cleanup());

describe("pushdown equals the filter engine", () => {
  it("searchSpans, data in segments and WAL", { timeout: 60_000 }, async () => {
    expect((await store.stats()).segments).toBeGreaterThan(0);
    expect(await checkSpans(1)).toBeGreaterThan(ROUNDS / 4);
  });

  it("searchTraces, data in segments and WAL", { timeout: 60_000 }, async () => {
    expect(await checkTraces(2)).toBeGreaterThan(ROUNDS / 4);
  });

  it("searchSpans and searchTraces, everything in segments", { timeout: 90_000 }, async () => {
    await store.checkpoint();
    expect((await store.stats()).spans).toBe(spans.length);
    await checkSpans(3);
    await checkTraces(4);
  });
});
