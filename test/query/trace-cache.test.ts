/**
 * TraceCache and its size estimate on their own: what is stored (settled, complete, fitting),
 * the byte bound and least-recently-used eviction at its exact edges, ids in any case, memoised
 * answers and their time to live, and one shared call for concurrent callers.
 */
import { describe, expect, it } from "vitest";
import { assembleTrace, createSpan, type Trace } from "../../src/domain/trace.js";
import { TraceCache, estimateTraceBytes } from "../../src/query/trace-cache.js";

const T0_MS = Date.UTC(2025, 10, 13, 12, 0, 0);

function trace(id: number, options: { op?: string; attributes?: Record<string, unknown>; events?: Array<{ name: string; attributes?: Record<string, unknown> }>; durationMs?: number } = {}): Trace {
  const traceId = id.toString(16).padStart(32, "0");
  return assembleTrace(traceId, [
    createSpan({
      traceId,
      spanId: id.toString(16).padStart(16, "0"),
      operationName: options.op ?? "op",
      serviceName: "svc",
      startTimeUs: T0_MS * 1000,
      durationMs: options.durationMs ?? 1000,
      attributes: options.attributes ?? {},
      events: (options.events ?? []).map((e) => ({ name: e.name, timestamp: 0, attributes: e.attributes ?? {} })),
    }),
  ])!;
}

/** UTF-16 characters of every string a trace holds: the least its copy in memory takes, twice over. */
function textChars(t: Trace): number {
  const of = (v: unknown): number =>
    typeof v === "string" ? v.length : Array.isArray(v) ? v.reduce((n: number, x) => n + of(x), 0) : v && typeof v === "object" ? Object.entries(v).reduce((n, [k, x]) => n + k.length + of(x), 0) : 0;
  return t.spans.reduce((n, s) => n + s.operationName.length + s.serviceName.length + of(s.attributes) + s.events.reduce((m, e) => m + e.name.length + of(e.attributes), 0), 0);
}

describe("estimateTraceBytes", () => {
  it("counts every string a trace holds at two bytes a character at least: names, keys, values, arrays, maps, events", () => {
    const long = "x".repeat(5000);
    const cases: Array<[string, Trace]> = [
      ["operation name", trace(1, { op: long })],
      ["attribute key", trace(2, { attributes: { [long]: 1 } })],
      ["string value", trace(3, { attributes: { k: long } })],
      ["array of strings", trace(4, { attributes: { k: [long, long] } })],
      ["map value", trace(5, { attributes: { "gen_ai.input.messages": [{ role: "user", content: long }] } })],
      ["map key", trace(9, { attributes: { "gen_ai.input.messages": [{ [long]: "x" }] } })],
      ["event name", trace(6, { events: [{ name: long }] })],
      ["event attribute", trace(7, { events: [{ name: "e", attributes: { [long]: long } }] })],
    ];
    const base = estimateTraceBytes(trace(8));
    for (const [what, t] of cases) {
      const bytes = estimateTraceBytes(t);
      expect(bytes, what).toBeGreaterThanOrEqual(2 * textChars(t));
      expect(bytes - base, what).toBeGreaterThanOrEqual(2 * (5000 - "op".length));
    }
  });

  it("counts the service name too", () => {
    const t = trace(1);
    const renamed = { ...t, spans: t.spans.map((s) => ({ ...s, serviceName: "s".repeat(5000) })) };
    expect(estimateTraceBytes(renamed) - estimateTraceBytes(t)).toBeGreaterThanOrEqual(2 * (5000 - "svc".length));
  });

  it("grows with every span and every attribute", () => {
    const one = trace(1);
    const two = { ...one, spans: [...one.spans, { ...one.spans[0]!, spanId: "ffffffffffffffff" }] };
    expect(estimateTraceBytes(two)).toBeGreaterThan(estimateTraceBytes(one));
    expect(estimateTraceBytes(trace(1, { attributes: { a: 1, b: 2 } }))).toBeGreaterThan(estimateTraceBytes(trace(1, { attributes: { a: 1 } })));
  });
});

describe("TraceCache", () => {
  const settled = { settleMs: 0, now: () => T0_MS + 3_600_000 };

  it("stores a complete, settled trace and finds it by id in any case", () => {
    const cache = new TraceCache(settled);
    const t = trace(0xabc);
    expect(cache.put(t)).toBe(true);
    expect(cache.size).toBe(1);
    expect(cache.get(t.traceId.toUpperCase())).toBe(t);
    expect(cache.usedBytes).toBe(estimateTraceBytes(t));
  });

  it("never stores a partial trace", () => {
    const cache = new TraceCache(settled);
    expect(cache.put({ ...trace(1), partial: true })).toBe(false);
    expect(cache.size).toBe(0);
  });

  it("stores a trace only once it has ended settleMs ago: not 1 ms before, from then on", () => {
    const t = trace(1, { durationMs: 2000 });
    const endMs = T0_MS + 2000;
    expect(new TraceCache({ settleMs: 60_000, now: () => endMs + 59_999 }).put(t)).toBe(false);
    expect(new TraceCache({ settleMs: 60_000, now: () => endMs + 60_000 }).put(t)).toBe(true);
  });

  it("stores a trace that fills the byte bound exactly, not one a byte over", () => {
    const t = trace(1);
    const bytes = estimateTraceBytes(t);
    expect(new TraceCache({ ...settled, maxBytes: bytes }).put(t)).toBe(true);
    const small = new TraceCache({ ...settled, maxBytes: bytes - 1 });
    expect(small.put(t)).toBe(false);
    expect(small.usedBytes).toBe(0);
  });

  it("storing a trace again replaces it: counted once", () => {
    const cache = new TraceCache(settled);
    const t = trace(1);
    cache.put(t);
    const again = { ...t };
    cache.put(again);
    expect(cache.size).toBe(1);
    expect(cache.usedBytes).toBe(estimateTraceBytes(t));
    expect(cache.get(t.traceId)).toBe(again);
  });

  it("storing a trace again makes it the most recently used", () => {
    const [a, b, c] = [trace(1), trace(2), trace(3)];
    const cache = new TraceCache({ ...settled, maxBytes: 2 * estimateTraceBytes(a) });
    cache.put(a);
    cache.put(b);
    cache.put(a);
    cache.put(c);
    expect([cache.get(a.traceId), cache.get(b.traceId), cache.get(c.traceId)]).toEqual([a, undefined, c]);
  });

  it("evicts the least recently used first (a read counts as a use), only beyond the bound", () => {
    const [a, b, c] = [trace(1), trace(2), trace(3)];
    const each = estimateTraceBytes(a);
    expect([estimateTraceBytes(b), estimateTraceBytes(c)]).toEqual([each, each]);
    const cache = new TraceCache({ ...settled, maxBytes: 2 * each });
    cache.put(a);
    cache.put(b);
    // Exactly at the bound: nothing evicted.
    expect([cache.size, cache.usedBytes]).toEqual([2, 2 * each]);
    cache.get(a.traceId);
    cache.put(c);
    expect([cache.get(a.traceId), cache.get(b.traceId), cache.get(c.traceId)]).toEqual([a, undefined, c]);
    expect(cache.usedBytes).toBe(2 * each);
  });

  it("getOrFetch: one fetch for concurrent callers (ids in any case), then served from the cache", async () => {
    const cache = new TraceCache(settled);
    const t = trace(0xdef);
    let fetches = 0;
    const fetch = async () => {
      fetches++;
      await new Promise((r) => setTimeout(r, 10));
      return t;
    };
    const got = await Promise.all([cache.getOrFetch(t.traceId, fetch), cache.getOrFetch(t.traceId.toUpperCase(), fetch)]);
    expect(got).toEqual([t, t]);
    expect(fetches).toBe(1);
    expect(await cache.getOrFetch(t.traceId, fetch)).toBe(t);
    expect(fetches).toBe(1);
  });

  it("memo: reuses an answer for ttlMs (not at ttlMs), shares concurrent calls, forgets failures", async () => {
    let now = 1_000_000;
    const cache = new TraceCache({ now: () => now });
    let calls = 0;
    const fn = async () => ++calls;
    expect(await Promise.all([cache.memo("k", 100, fn), cache.memo("k", 100, fn)])).toEqual([1, 1]);
    now += 99;
    expect(await cache.memo("k", 100, fn)).toBe(1);
    now += 1;
    expect(await cache.memo("k", 100, fn)).toBe(2);
    // Keys are separate, also while in flight.
    expect(await Promise.all([cache.memo("x", 100, async () => "x"), cache.memo("y", 100, async () => "y")])).toEqual(["x", "y"]);
    expect(await cache.memo("other", 100, fn)).toBe(3);
    // A memo key does not collide with a coalesce key of the same name.
    expect(await cache.coalesce("k", async () => "coalesced")).toBe("coalesced");
    await expect(cache.memo("bad", 100, async () => Promise.reject(new Error("down")))).rejects.toThrow("down");
    expect(await cache.memo("bad", 100, async () => "up")).toBe("up");
  });

  it("coalesce: one run per key while it is in flight, a new run after it settled", async () => {
    const cache = new TraceCache();
    let runs = 0;
    const slow = () => new Promise<number>((r) => setTimeout(() => r(++runs), 10));
    expect(await Promise.all([cache.coalesce("x", slow), cache.coalesce("x", slow)])).toEqual([1, 1]);
    expect(await cache.coalesce("x", slow)).toBe(2);
  });
});
