/**
 * The query path (src/query/search.ts) driven directly over an in-test backend that applies the
 * service filter itself and records what it is asked: ordering, the cap and its note, over-fetch,
 * the service fan-out, narrowing on a backend that returns an arbitrary subset, completion of
 * partial traces and skipped ones, and the coverage each answer states. Expected values are worked
 * out from the test's own traces (start times and ids), never from the code under test.
 */
import { describe, expect, it } from "vitest";
import type { BackendCapabilities } from "../../src/backends/descriptor.js";
import type { BackendSearch, Pushdown, SearchResult, SearchTarget, TraceBackend } from "../../src/backends/trace-backend.js";
import { eq, type Filter } from "../../src/domain/filter.js";
import { assembleTrace, createSpan, type Span, type Trace } from "../../src/domain/trace.js";
import { BackendError } from "../../src/errors.js";
import { findSpans, findTraces, listServicesOf, type SearchRequest } from "../../src/query/search.js";
import { TraceCache } from "../../src/query/trace-cache.js";
import { queryContext } from "../helpers/query.js";

const T0 = Date.UTC(2025, 10, 13, 12, 0, 0);
const WINDOW = { startMs: T0 - 3_600_000, endMs: T0 + 3_600_000 };

/** Trace n: starts n seconds after T0 (or at `atMs`), root in `service`, a child in "db"; `tokens` on an LLM child. */
function trace(n: number, service = "a", options: { atMs?: number; tokens?: number } = {}): Trace {
  const traceId = n.toString(16).padStart(32, "0");
  const rootId = (n * 4 + 1).toString(16).padStart(16, "0");
  const startUs = (options.atMs ?? T0 + n * 1000) * 1000;
  return assembleTrace(traceId, [
    createSpan({ traceId, spanId: rootId, operationName: "root", serviceName: service, startTimeUs: startUs, durationMs: 100, status: "OK" }),
    createSpan({
      traceId,
      spanId: (n * 4 + 2).toString(16).padStart(16, "0"),
      parentSpanId: rootId,
      operationName: "llm",
      serviceName: service,
      startTimeUs: startUs + 10_000,
      durationMs: 50,
      attributes: { "gen_ai.system": "openai", "gen_ai.usage.total_tokens": options.tokens ?? n },
    }),
    createSpan({ traceId, spanId: (n * 4 + 3).toString(16).padStart(16, "0"), parentSpanId: rootId, operationName: "query", serviceName: "db", startTimeUs: startUs + 20_000, durationMs: 5 }),
  ])!;
}

interface Options {
  capabilities?: Partial<BackendCapabilities>;
  services?: string[];
  spans?: boolean;
  failIds?: string[];
}

/** Applies `service.name equals` itself (exactly); everything else is left to the query layer. */
class ProbeBackend implements TraceBackend {
  readonly kind = "probe";
  readonly url = "probe://test";
  readonly capabilities: BackendCapabilities;
  readonly requests: BackendSearch[] = [];
  fetched: string[] = [];
  serviceLists = 0;
  searchSpans?: (q: BackendSearch) => Promise<SearchResult<Span>>;

  constructor(
    private readonly traces: Trace[],
    private readonly options: Options = {},
  ) {
    this.capabilities = { requiresService: false, selfServices: [], searchOrder: "newest", completeTracesInSearch: true, ...options.capabilities };
    if (options.spans !== false) {
      this.searchSpans = async (q) => {
        this.requests.push(q);
        const hits = this.hits(q).flatMap((t) => t.spans).slice(0, q.limit);
        return { items: hits, notes: ["probe spans note"] };
      };
    }
  }

  /** Like Jaeger: a service search returns whole traces, so on spans it only narrows. */
  pushdown(f: Filter, target: SearchTarget): Pushdown {
    if (f.field !== "service.name" || f.operator !== "equals") return "none";
    return target === "traces" ? "exact" : "narrowing";
  }

  private hits(q: BackendSearch): Trace[] {
    const services = q.filters.filter((f) => f.field === "service.name").map((f) => f.value);
    const inWindow = this.traces.filter((t) => t.startTimeUs / 1000 >= q.startMs && t.startTimeUs / 1000 <= q.endMs);
    const matching = inWindow.filter((t) => services.every((s) => t.spans.some((x) => x.serviceName === s)));
    const newest = [...matching].sort((a, b) => b.startTimeUs - a.startTimeUs);
    if (this.capabilities.searchOrder === "newest") return newest;
    // "Any `limit` of the matches", repeatably: oldest first, the worst case for "newest N".
    return newest.reverse();
  }

  async searchTraces(q: BackendSearch): Promise<SearchResult<Trace>> {
    this.requests.push(q);
    const hits = this.hits(q).slice(0, q.limit);
    const items = this.capabilities.completeTracesInSearch ? hits : hits.map((t) => ({ ...t, spans: t.spans.filter((s) => !s.parentSpanId), partial: true }));
    return { items, notes: ["probe note"] };
  }

  async getTrace(id: string): Promise<Trace> {
    this.fetched.push(id);
    if (this.options.failIds?.includes(id)) throw new BackendError("probe", "http", `Probe at probe://test returned HTTP 500 for ${id}`, 500);
    return this.traces.find((t) => t.traceId === id)!;
  }

  async listServices(): Promise<string[]> {
    this.serviceLists++;
    return this.options.services ?? [...new Set(this.traces.flatMap((t) => t.spans.map((s) => s.serviceName)))];
  }

  async getServiceOperations(): Promise<string[]> {
    return [];
  }

  async healthCheck() {
    return { status: "healthy" as const, backend: this.kind, url: this.url };
  }

  async close(): Promise<void> {}
}

const request = (overrides: Partial<SearchRequest> = {}): SearchRequest => ({ ...WINDOW, filters: [], limit: 100, mode: "newest", ...overrides });
const ids = (items: Array<Trace | Span>) => items.map((i) => ("spanId" in i ? `${i.traceId.slice(-2)}/${i.spanId.slice(-2)}` : i.traceId.slice(-2)));

describe("findTraces: order, limit and cap", () => {
  it("answers newest first, equal starts by trace id, cut to the limit; window mode keeps every match", async () => {
    const traces = [trace(1), trace(2), trace(3, "a", { atMs: T0 + 5000 }), trace(5), trace(4, "a", { atMs: T0 + 5000 })];
    const backend = new ProbeBackend(traces);
    const newest = await findTraces(queryContext(backend), request({ limit: 3 }));
    expect(ids(newest.items)).toEqual(["03", "04", "05"]);
    expect(newest.coverage).toEqual({ traces: 3, spans: 9, complete: true, examined: 3 });
    // A backend that answers newest first is asked once, even with its page full.
    expect(backend.requests).toHaveLength(1);
    const all = await findTraces(queryContext(backend), request({ limit: 10, mode: "window" }));
    expect(ids(all.items)).toEqual(["03", "04", "05", "02", "01"]);
    expect(all.window).toEqual(WINDOW);
  });

  it("lowers a limit above --max-traces and says so; a limit at the cap is taken as it is", async () => {
    const backend = new ProbeBackend([1, 2, 3, 4, 5, 6].map((n) => trace(n)));
    const over = await findTraces(queryContext(backend, { maxTraces: 4 }), request({ limit: 5 }));
    expect(over.notes).toContain("The limit 5 was lowered to 4 by --max-traces / MAX_TRACES_PER_QUERY.");
    expect(over.items).toHaveLength(4);
    expect(backend.requests.at(-1)!.limit).toBe(4);
    const at = await findTraces(queryContext(backend, { maxTraces: 4 }), request({ limit: 4 }));
    expect(at.notes).toEqual(["probe note"]);
  });

  it("over-fetches for a filter that runs here in newest mode only, and notes what matched", async () => {
    const traces = [1, 2, 3, 4, 5, 6].map((n) => trace(n, "a", { tokens: n * 100 }));
    const big: Filter = { field: "total_tokens", operator: "gte", value: 400, valueType: "number" };
    const backend = new ProbeBackend(traces);
    const newest = await findTraces(queryContext(backend), request({ limit: 2, filters: [big] }));
    expect(backend.requests.at(-1)!.limit).toBe(100);
    expect(ids(newest.items)).toEqual(["06", "05"]);
    expect(newest.notes).toContain("1 filter(s) applied by this server, not the backend (total_tokens gte 400): 3 of 6 traces examined matched.");
    const window = await findTraces(queryContext(backend), request({ limit: 2, filters: [big], mode: "window" }));
    expect(backend.requests.at(-1)!.limit).toBe(2);
    expect(ids(window.items)).toEqual(["06", "05"]);
    // The backend returned its whole limit: the window may hold more.
    expect(window.coverage).toEqual({ traces: 2, spans: 6, complete: false, examined: 2, limit: 2 });
    // Window mode states that in its coverage, not with the newest-mode note, even when fewer matched.
    const fewer = await findTraces(queryContext(backend), request({ limit: 3, filters: [{ ...big, value: 500 }], mode: "window" }));
    expect(ids(fewer.items)).toEqual(["06", "05"]);
    expect(fewer.notes.some((n) => n.startsWith("More traces may match"))).toBe(false);
    expect(fewer.coverage).toMatchObject({ complete: false, limit: 3 });
  });

  it("says more may match when the backend's page was full and local filters left fewer than asked", async () => {
    const traces = Array.from({ length: 120 }, (_, i) => trace(i + 1, "a", { tokens: i === 0 ? 5000 : 1 }));
    const res = await findTraces(queryContext(new ProbeBackend(traces)), request({ limit: 3, filters: [{ field: "total_tokens", operator: "gt", value: 1000, valueType: "number" }] }));
    expect(res.items).toHaveLength(0);
    expect(res.notes).toContain(
      "More traces may match beyond the 100 examined: narrow the time window or add filters the backend applies (e.g. service_name).",
    );
    const enough = await findTraces(queryContext(new ProbeBackend(traces)), request({ limit: 3, filters: [{ field: "total_tokens", operator: "lt", value: 1000, valueType: "number" }] }));
    expect(enough.items).toHaveLength(3);
    expect(enough.notes.some((n) => n.startsWith("More traces may match"))).toBe(false);
    // Exactly as many as asked matched: nothing to add.
    const exactly = Array.from({ length: 120 }, (_, i) => trace(i + 1, "a", { tokens: i >= 117 ? 5000 : 1 }));
    const three = await findTraces(queryContext(new ProbeBackend(exactly)), request({ limit: 3, filters: [{ field: "total_tokens", operator: "gt", value: 1000, valueType: "number" }] }));
    expect(three.items).toHaveLength(3);
    expect(three.notes.some((n) => n.startsWith("More traces may match"))).toBe(false);
  });
});

describe("findTraces: a backend that needs a service per search", () => {
  const traces = [trace(1, "a"), trace(2, "b"), trace(3, "a"), trace(4, "c")];
  const caps = { requiresService: true, selfServices: ["jaeger-all-in-one"] };

  it("without service_name, searches each listed service but its own, sorted, sharing the limit, and merges by trace id", async () => {
    const backend = new ProbeBackend(traces, { capabilities: caps, services: ["c", "a", "jaeger-all-in-one", "a", "db"] });
    const res = await findTraces(queryContext(backend), request({ limit: 9, mode: "window" }));
    expect(backend.requests.map((q) => [q.filters.map((f) => f.value).join(","), q.limit])).toEqual([
      ["a", 3],
      ["c", 3],
      ["db", 3],
    ]);
    // Every trace has a db span, so the db search finds them all again: merged, not doubled.
    expect(ids(res.items).sort()).toEqual(["01", "02", "03", "04"]);
    expect(res.notes).toContain(
      "No service_name given: searched each of the 3 services (this backend needs one per search, at most 3 per service) and merged the results by trace id.",
    );
    // The db search filled its share: the window may hold more, though a and c did not fill theirs.
    expect(res.coverage).toEqual({ traces: 4, spans: 12, complete: false, examined: 6, limit: 9 });
  });

  it("a filter on something else than the service does not narrow which services are searched", async () => {
    const backend = new ProbeBackend(traces, { capabilities: caps });
    const res = await findTraces(queryContext(backend), request({ filters: [{ field: "total_tokens", operator: "gte", value: 3, valueType: "number" }] }));
    expect(backend.requests.map((q) => q.filters.map((f) => f.value).join(","))).toEqual(["a", "b", "c", "db"]);
    expect(ids(res.items)).toEqual(["04", "03"]);
  });

  it("with service_name equals, one search carrying it; with a service filter it cannot send, only the services that pass it", async () => {
    const one = new ProbeBackend(traces, { capabilities: caps });
    const res = await findTraces(queryContext(one), request({ filters: [eq("service.name", "a")] }));
    expect(one.requests).toHaveLength(1);
    expect(ids(res.items)).toEqual(["03", "01"]);
    expect(res.notes.some((n) => n.startsWith("No service_name given"))).toBe(false);

    const some = new ProbeBackend(traces, { capabilities: caps });
    const notA: Filter = { field: "service.name", operator: "not_equals", value: "a", valueType: "string" };
    const r2 = await findTraces(queryContext(some), request({ filters: [notA] }));
    expect(some.requests.map((q) => q.filters.map((f) => `${f.field} ${f.operator} ${f.value}`))).toEqual([["service.name equals b"], ["service.name equals c"], ["service.name equals db"]]);
    expect(ids(r2.items)).toEqual(["04", "02"]);
  });

  it("a backend that lists no services answers nothing, and says why", async () => {
    const backend = new ProbeBackend(traces, { capabilities: caps, services: ["jaeger-all-in-one"] });
    const res = await findTraces(queryContext(backend), request());
    expect(res.items).toEqual([]);
    expect(backend.requests).toEqual([]);
    expect(res.notes).toEqual(["The backend lists no services to search, so nothing matched."]);
  });
});

describe("findTraces: a backend that returns an arbitrary `limit` of the matches", () => {
  const traces = Array.from({ length: 12 }, (_, i) => trace(i + 1));

  it("narrows the window from the oldest match at hand until the newest are certain", async () => {
    const backend = new ProbeBackend(traces, { capabilities: { searchOrder: "arbitrary" } });
    const res = await findTraces(queryContext(backend), request({ limit: 3 }));
    expect(ids(res.items)).toEqual(["0c", "0b", "0a"]);
    expect(res.coverage.complete).toBe(true);
    // First round: the limit as asked; then one more each round, from the 3rd newest seen so far.
    expect(backend.requests[0]).toMatchObject({ startMs: WINDOW.startMs, limit: 3 });
    expect(backend.requests[1]).toMatchObject({ startMs: T0 + 1000, limit: 4 });
    for (const q of backend.requests.slice(1)) expect(q.limit).toBe(4);
    expect(backend.requests.at(-1)!.startMs).toBeGreaterThan(T0 + 1000);
  });

  it("stops at the read budget and says the newest are not settled", async () => {
    const backend = new ProbeBackend(traces, { capabilities: { searchOrder: "arbitrary" } });
    const res = await findTraces(queryContext(backend, { maxTraces: 8 }), request({ limit: 3 }));
    expect(res.coverage.complete).toBe(false);
    expect(res.notes).toContain(
      "The backend returns an arbitrary 3 of the matching traces, and narrowing the window within the read budget did not settle which are the newest: narrow start_time/end_time for a certain answer.",
    );
    expect(backend.requests.reduce((n, q) => n + q.limit, 0)).toBeLessThanOrEqual(8);
  });

  it("spends the read budget to the last trace: a round that exactly fills it still runs", async () => {
    const backend = new ProbeBackend(traces, { capabilities: { searchOrder: "arbitrary" } });
    await findTraces(queryContext(backend, { maxTraces: 7 }), request({ limit: 3 }));
    expect(backend.requests.map((q) => q.limit)).toEqual([3, 4]);
  });

  it("stops after one round when fewer than asked match at all", async () => {
    const backend = new ProbeBackend(traces, { capabilities: { searchOrder: "arbitrary" } });
    const res = await findTraces(queryContext(backend), request({ limit: 3, filters: [{ field: "total_tokens", operator: "gte", value: 12, valueType: "number" }] }));
    expect(ids(res.items)).toEqual(["0c"]);
    expect(backend.requests).toHaveLength(1);
  });

  it("window mode reads once, whatever the order", async () => {
    const backend = new ProbeBackend(traces, { capabilities: { searchOrder: "arbitrary" } });
    const res = await findTraces(queryContext(backend), request({ limit: 50, mode: "window" }));
    expect(backend.requests).toHaveLength(1);
    expect(res.items).toHaveLength(12);
    expect(res.coverage).toEqual({ traces: 12, spans: 36, complete: true, examined: 12 });
  });
});

describe("findTraces: partial traces", () => {
  it("fetches what the answer keeps; a trace that cannot be fetched is skipped, listed and counted", async () => {
    const traces = [trace(1), trace(2), trace(3), trace(4)];
    const backend = new ProbeBackend(traces, { capabilities: { completeTracesInSearch: false }, failIds: [traces[2]!.traceId] });
    const res = await findTraces(queryContext(backend), request({ limit: 3 }));
    expect(backend.fetched.sort()).toEqual([traces[1]!.traceId, traces[2]!.traceId, traces[3]!.traceId].sort());
    expect(ids(res.items)).toEqual(["04", "02"]);
    expect(res.items.every((t) => t.spans.length === 3 && !t.partial)).toBe(true);
    expect(res.skipped).toEqual([{ trace_id: traces[2]!.traceId, reason: `Probe at probe://test returned HTTP 500 for ${traces[2]!.traceId}` }]);
    expect(res.notes).toContain(`1 of 3 traces could not be fetched and were skipped (first reason: Probe at probe://test returned HTTP 500 for ${traces[2]!.traceId}).`);
    expect(res.coverage).toEqual({ traces: 2, spans: 6, complete: false, examined: 3, skipped: 1 });
  });

  it("completes each round's traces before a local filter, dropping one that cannot be fetched", async () => {
    const traces = [trace(1, "a", { tokens: 500 }), trace(2, "a", { tokens: 500 }), trace(3, "a", { tokens: 1 })];
    const backend = new ProbeBackend(traces, { capabilities: { completeTracesInSearch: false }, failIds: [traces[1]!.traceId] });
    const res = await findTraces(queryContext(backend), request({ filters: [{ field: "total_tokens", operator: "gt", value: 100, valueType: "number" }] }));
    expect(ids(res.items)).toEqual(["01"]);
    expect(res.skipped.map((s) => s.trace_id)).toEqual([traces[1]!.traceId]);
    expect(res.notes.some((n) => n.startsWith("1 of 2 traces could not be fetched and were skipped"))).toBe(true);
  });

  it("a trace that could not be completed is dropped even when its partial form would pass the filter", async () => {
    const traces = [trace(1), trace(2), trace(3)];
    const backend = new ProbeBackend(traces, { capabilities: { completeTracesInSearch: false }, failIds: [traces[1]!.traceId] });
    const res = await findTraces(queryContext(backend), request({ filters: [{ field: "status", operator: "not_equals", value: "ERROR", valueType: "string" }] }));
    expect(ids(res.items)).toEqual(["03", "01"]);
    expect(res.skipped).toHaveLength(1);
  });
});

describe("findSpans", () => {
  const traces = [trace(1, "a"), trace(2, "b")];

  it("over searchSpans: each span checked against the local filters; coverage counts spans and distinct traces", async () => {
    const backend = new ProbeBackend(traces);
    const res = await findSpans(queryContext(backend), request({ filters: [eq("operation_name", "llm")] }));
    expect(ids(res.items)).toEqual(["02/0a", "01/06"]);
    expect(res.coverage).toEqual({ traces: 2, spans: 2, complete: true, examined: 6 });
    expect(res.notes).toEqual(["probe spans note", "1 filter(s) applied by this server, not the backend (operation_name equals \"llm\"): 2 of 6 spans examined matched."]);
  });

  it("counts the distinct traces of the spans it answers with", async () => {
    const res = await findSpans(queryContext(new ProbeBackend(traces)), request({ filters: [{ field: "operation_name", operator: "not_equals", value: "query", valueType: "string" }] }));
    expect(ids(res.items)).toEqual(["02/0a", "02/09", "01/06", "01/05"]);
    expect(res.coverage).toMatchObject({ traces: 2, spans: 4 });
  });

  it("without searchSpans: the spans of complete traces from a span-semantics trace search", async () => {
    const backend = new ProbeBackend(traces, { spans: false, capabilities: { completeTracesInSearch: false } });
    const res = await findSpans(queryContext(backend), request({ filters: [eq("service.name", "db")] }));
    expect(backend.requests.map((q) => q.target)).toEqual(["spans"]);
    expect(backend.fetched.sort()).toEqual(traces.map((t) => t.traceId).sort());
    expect(ids(res.items)).toEqual(["02/0b", "01/07"]);
    expect(res.coverage).toEqual({ traces: 2, spans: 2, complete: true, examined: 6 });
  });
});

describe("listServicesOf", () => {
  it("drops the backend's own services and duplicates, sorts, and reuses the list for 30 s", async () => {
    let now = T0;
    const backend = new ProbeBackend([], { capabilities: { selfServices: ["self"] }, services: ["b", "self", "a", "b"] });
    const ctx = queryContext(backend, { now: () => now, cache: new TraceCache({ now: () => now }) });
    expect(await listServicesOf(ctx, backend)).toEqual(["a", "b"]);
    now += 29_999;
    await listServicesOf(ctx, backend);
    expect(backend.serviceLists).toBe(1);
    now += 1;
    await listServicesOf(ctx, backend);
    expect(backend.serviceLists).toBe(2);
    // Another backend (kind and URL) has its own list.
    const other = Object.assign(new ProbeBackend([], { services: ["z"] }), { url: "probe://other" });
    expect(await listServicesOf(ctx, other)).toEqual(["z"]);
  });
});

describe("the test traces", () => {
  it("have the span ids the expectations above spell (trace n: 4n+1 root, 4n+2 llm, 4n+3 db)", () => {
    expect(trace(2).spans.map((s) => `${s.spanId.slice(-2)} ${s.operationName}`)).toEqual(["09 root", "0a llm", "0b query"]);
  });
});
