/**
 * The query path, owned in one place: resolve the window, cap the limit, compile the filters,
 * decide the over-fetch, fan out over services where the backend needs one per search, narrow
 * the window where the backend returns an arbitrary subset, complete partial traces, apply the
 * filters the backend could not, order newest first, and say what the answer covers.
 */
import { eq, type Filter } from "../domain/filter.js";
import type { Span, Trace } from "../domain/trace.js";
import type { BackendSearch, SearchHints, SearchResult, SearchTarget, SpanProjection, TraceBackend } from "../backends/trace-backend.js";
import type { ServiceScope } from "../access/scope.js";
import { mapLimit } from "../util/concurrency.js";
import type { QueryContext } from "./context.js";
import type { Coverage } from "./coverage.js";
import { completeTraces, type Skipped } from "./fetch-traces.js";
import { filterSpans, filterTraces, spanMatches } from "./filter-engine.js";
import { fetchLimit, localFilterNote, planFilters, type FilterPlan } from "./plan.js";
import { resolveWindow, type ResolvedWindow } from "./window.js";

export interface SearchRequest {
  /** Epoch ms; undefined bounds get the backend's defaults. */
  startMs?: number;
  endMs?: number;
  filters: readonly Filter[];
  /** How many items the caller wants (lowered to the cap). */
  limit: number;
  /**
   * "newest": the `limit` newest matches; "window": every match in the window, up to `limit`
   * (aggregates and rankings, which must see the whole window, not a backend-chosen subset).
   */
  mode: "newest" | "window";
  /**
   * Traces only: what the caller reads of each trace. On a backend with capabilities.projection,
   * and when the backend applies every filter exactly, the search returns just those spans
   * (`projected` traces, never cached) instead of every trace fetched by id; elsewhere traces come
   * complete as usual. Only traces with a span the projection wants are then returned, so use it
   * only where traces without such spans do not count (see SpanProjection).
   */
  select?: SpanProjection;
  /**
   * With `select`: false for a projected trace that does not carry what the caller needs (e.g.
   * values recorded only in span events, which no projection holds); that trace is fetched whole.
   */
  selectSuffices?: (trace: Trace) => boolean;
}

export interface Found<T> {
  /** Newest first. */
  items: T[];
  window: ResolvedWindow;
  notes: string[];
  skipped: Skipped[];
  coverage: Coverage;
}

/** The service list, without the backend's own services; memoised briefly. */
export async function listServicesOf(ctx: QueryContext, backend: TraceBackend): Promise<string[]> {
  const all = await ctx.cache.memo(`services:${backend.kind}:${backend.url}`, 30_000, () => backend.listServices());
  const self = new Set(backend.capabilities.selfServices);
  const names = [...new Set(all)].filter((s) => !self.has(s)).sort();
  return restricted(ctx) ? ctx.scope!.filterServices(names) : names;
}

/** True when the caller sees only some services. */
function restricted(ctx: QueryContext): boolean {
  return ctx.scope !== undefined && !ctx.scope.all;
}

/** Complete traces as the caller may see them (out-of-scope spans dropped, invisible traces gone). */
function visibleTraces(traces: readonly Trace[], scope: ServiceScope | undefined, counter: { withheld: number }): Trace[] {
  if (!scope || scope.all) return [...traces];
  const out: Trace[] = [];
  for (const t of traces) {
    const v = scope.restrictTrace(t);
    if (!v) continue;
    counter.withheld += v.withheldSpans;
    out.push(v.trace);
  }
  return out;
}

export function findTraces(ctx: QueryContext, request: SearchRequest): Promise<Found<Trace>> {
  return find(ctx, request, "traces");
}

export function findSpans(ctx: QueryContext, request: SearchRequest): Promise<Found<Span>> {
  return find(ctx, request, "spans");
}

type Item = Trace | Span;

interface Unit {
  /** Filters sent to the backend for this unit. */
  remote: Filter[];
  limit: number;
  /** Most items this unit may ask for over all its narrowing rounds. */
  budget: number;
}

interface UnitResult<T extends Item> {
  matched: T[];
  examined: number;
  saturated: boolean;
  /** For "newest" on an arbitrary-order backend: the narrowing did not reach a certain answer. */
  unsettled: boolean;
  skipped: Skipped[];
  notes: string[];
}

const keyOf = (item: Item): string => ("spanId" in item ? `${item.traceId}/${item.spanId}` : item.traceId);
const startOf = (item: Item): number => item.startTimeUs;
const newestFirst = (a: Item, b: Item): number => startOf(b) - startOf(a) || (keyOf(a) < keyOf(b) ? -1 : 1);

async function find<T extends Item>(ctx: QueryContext, request: SearchRequest, target: SearchTarget): Promise<Found<T>> {
  const backend = await ctx.backend();
  const window = resolveWindow(request.startMs, request.endMs, ctx.defaultLookbackMs, ctx.now());
  const notes: string[] = [];
  const cap = ctx.maxTraces;
  const requested = Math.min(request.limit, cap);
  if (request.limit > cap) notes.push(`The limit ${request.limit} was lowered to ${cap} by --max-traces / MAX_TRACES_PER_QUERY.`);
  const planned = planFilters(backend, request.filters, target);
  // Under a scope every filter is checked again on the visible spans: a match on a hidden span must not count.
  const scope = restricted(ctx) ? ctx.scope! : undefined;
  const plan = scope ? { ...planned, local: [...request.filters] } : planned;
  const limit = request.mode === "window" ? requested : fetchLimit(requested, plan, cap);
  const counter = { withheld: 0 };

  // A projection needs every filter applied remotely (local trace filters read every span) and no
  // scope (restricting a trace re-parents spans, which a projection does not carry).
  const select = target === "traces" && request.select && backend.capabilities.projection && plan.local.length === 0 && !scope ? request.select : undefined;

  const units = await unitsFor(ctx, backend, plan, limit, cap, notes);
  const results = await mapLimit(units, Math.max(1, Math.min(ctx.fetchConcurrency, 4)), (unit) =>
    runUnit<T>(ctx, backend, target, window, unit, plan, request.mode, requested, scope, counter, select),
  );

  const merged = new Map<string, T>();
  let examined = 0;
  const skipped: Skipped[] = [];
  for (const r of results) {
    examined += r.examined;
    skipped.push(...r.skipped);
    notes.push(...r.notes);
    for (const item of r.matched) if (!merged.has(keyOf(item))) merged.set(keyOf(item), item);
  }
  let items = [...merged.values()].sort(newestFirst);
  if (request.mode === "newest") items = items.slice(0, requested);
  const attempted = items.length + skipped.length;
  if (target === "traces") {
    // Only what the answer keeps is fetched in full (when no local filter needed the spans);
    // projected traces answer the projection as they are, unless the caller says one does not suffice.
    const suffices = request.selectSuffices;
    const toComplete = suffices ? (items as Trace[]).map((t) => (t.projected && !suffices(t) ? { ...t, projected: false } : t)) : (items as Trace[]);
    const done = await completeTraces(backend, ctx.cache, toComplete, ctx.fetchConcurrency);
    skipped.push(...done.skipped);
    items = visibleTraces(done.traces, scope, { withheld: 0 }) as T[];
  }
  const saturated = results.some((r) => r.saturated);
  const unsettled = results.some((r) => r.unsettled);
  const what = target === "traces" ? "traces" : "spans";
  const localNote = localFilterNote(plan, merged.size, examined, what);
  if (localNote) notes.push(localNote);
  if (request.mode === "newest") {
    if (unsettled) {
      notes.push(
        `The backend returns an arbitrary ${limit} of the matching ${what}, and narrowing the window within the read budget did not ` +
          `settle which are the newest: narrow start_time/end_time for a certain answer.`,
      );
    } else if (saturated && merged.size < requested && plan.local.length > 0) {
      notes.push(`More ${what} may match beyond the ${examined} examined: narrow the time window or add filters the backend applies (e.g. service_name).`);
    }
  }
  if (skipped.length > 0) {
    notes.push(`${skipped.length} of ${attempted} traces could not be fetched and were skipped (first reason: ${skipped[0]!.reason}).`);
  }
  if (scope && counter.withheld > 0) {
    notes.push(`Spans of services outside this API key's scope were left out (${counter.withheld} withheld); only ${scope.patterns.join(", ")} are visible.`);
  }
  const spans = target === "spans" ? items.length : (items as Trace[]).reduce((n, t) => n + t.spans.length, 0);
  const complete = !(request.mode === "window" ? saturated : unsettled) && skipped.length === 0;
  const coverage: Coverage = {
    traces: target === "traces" ? items.length : new Set(items.map((i) => i.traceId)).size,
    spans,
    complete,
    examined,
    ...(saturated && request.mode === "window" ? { limit } : {}),
    ...(skipped.length > 0 ? { skipped: skipped.length } : {}),
  };
  return { items, window, notes, skipped, coverage };
}

/**
 * One unit per search, or, where the backend needs a service per search and none is given, one
 * per service (merged by trace id afterwards). The cap is shared out so the whole call stays
 * within it.
 */
async function unitsFor(ctx: QueryContext, backend: TraceBackend, plan: FilterPlan, limit: number, cap: number, notes: string[]): Promise<Unit[]> {
  const namesService = plan.remote.some((f) => f.field === "service.name" && f.operator === "equals");
  if (!backend.capabilities.requiresService || namesService) return [{ remote: plan.remote, limit, budget: cap }];
  const serviceFilters = [...plan.remote, ...plan.unpushed].filter((f) => f.field === "service.name");
  // A trace whose root service passes these filters has a span of that service: searching only
  // the services that pass them still finds it.
  const services = (await listServicesOf(ctx, backend)).filter((s) =>
    spanMatches({ serviceName: s, operationName: "", traceId: "", spanId: "", parentSpanId: null, startTimeUs: 0, durationMs: 0, status: "UNSET", attributes: {}, events: [] }, serviceFilters),
  );
  if (services.length === 0) {
    notes.push("The backend lists no services to search, so nothing matched.");
    return [];
  }
  const share = Math.max(1, Math.floor(limit / services.length));
  const budget = Math.max(share, Math.floor(cap / services.length));
  notes.push(
    `No service_name given: searched each of the ${services.length} services (this backend needs one per search, at most ${share} per service) ` +
      "and merged the results by trace id.",
  );
  return services.map((s) => ({ remote: [...plan.remote, eq("service.name", s)], limit: share, budget }));
}

/**
 * One backend search, coalesced with identical concurrent ones. Spans come from searchSpans, or,
 * on a backend without it, from the complete traces of a span-semantics trace search.
 */
async function search<T extends Item>(ctx: QueryContext, backend: TraceBackend, target: SearchTarget, q: BackendSearch): Promise<SearchResult<T> & { skipped: Skipped[] }> {
  const key = `search:${target}:${JSON.stringify(q)}`;
  // Cached traces are complete and settled: an adapter may return them instead of a new copy.
  const hints: SearchHints = { known: (id) => ctx.cache.get(id) };
  if (target === "traces") {
    const res = await ctx.cache.coalesce(key, () => backend.searchTraces(q, hints));
    return { ...res, skipped: [] } as unknown as SearchResult<T> & { skipped: Skipped[] };
  }
  if (backend.searchSpans) {
    const res = await ctx.cache.coalesce(key, () => backend.searchSpans!(q, hints));
    return { ...res, skipped: [] } as unknown as SearchResult<T> & { skipped: Skipped[] };
  }
  const res = await ctx.cache.coalesce(key, () => backend.searchTraces(q, hints));
  const done = await completeTraces(backend, ctx.cache, res.items, ctx.fetchConcurrency);
  return { items: done.traces.flatMap((t) => t.spans) as T[], notes: res.notes, returned: res.returned ?? res.items.length, skipped: done.skipped };
}

/**
 * One search, and on a backend that returns an arbitrary `limit` of the matches, the narrowing
 * that finds the newest: once `requested` matches are at hand, the newest `requested` overall all
 * start at or after the oldest of them, so the window's start moves up to it and the search runs
 * again, until the backend returns fewer than it was asked for (then it returned everything in
 * the narrowed window) or the budget is spent. Narrowing rounds ask for one more than the first,
 * so "exactly that many in the window" is told apart from "more exist".
 */
async function runUnit<T extends Item>(
  ctx: QueryContext,
  backend: TraceBackend,
  target: SearchTarget,
  window: ResolvedWindow,
  unit: Unit,
  plan: FilterPlan,
  mode: SearchRequest["mode"],
  requested: number,
  scope: ServiceScope | undefined,
  counter: { withheld: number },
  select: SpanProjection | undefined,
): Promise<UnitResult<T>> {
  const seen = new Map<string, T>();
  const skipped: Skipped[] = [];
  const notes: string[] = [];
  let matched: T[] = [];
  let startMs = window.startMs;
  let limit = unit.limit;
  let asked = 0;
  let saturated = false;
  let unsettled = false;
  for (;;) {
    const res = await search<T>(ctx, backend, target, { startMs, endMs: window.endMs, limit, filters: unit.remote, target, ...(select ? { select } : {}) });
    asked += limit;
    skipped.push(...res.skipped);
    for (const n of res.notes) if (!notes.includes(n)) notes.push(n);
    const returned = res.returned ?? res.items.length;
    saturated = returned >= limit;
    const fresh: T[] = [];
    for (const item of res.items) {
      if (!seen.has(keyOf(item))) {
        seen.set(keyOf(item), item);
        fresh.push(item);
      }
    }
    if (target === "traces" && (plan.local.length > 0 || scope)) {
      // Local trace filters (and a scope) need every span: complete what this round added, then check it.
      const done = await completeTraces(backend, ctx.cache, fresh as Trace[], ctx.fetchConcurrency);
      skipped.push(...done.skipped);
      const dropped = new Set(done.skipped.map((s) => s.trace_id));
      const visible = visibleTraces(done.traces, scope, counter);
      const shown = new Set(visible.map((t) => t.traceId));
      for (const t of done.traces) if (!shown.has(t.traceId)) dropped.add(t.traceId);
      for (const t of visible) seen.set(t.traceId, t as T);
      for (const id of dropped) seen.delete(id);
      matched = filterTraces([...seen.values()] as Trace[], plan.local) as T[];
    } else if (target === "spans") {
      if (scope) {
        for (const x of fresh as Span[]) {
          if (scope.allowsSpan(x)) continue;
          seen.delete(keyOf(x));
          counter.withheld++;
        }
      }
      matched = filterSpans([...seen.values()] as Span[], plan.local) as T[];
    } else {
      matched = [...seen.values()];
    }
    matched.sort(newestFirst);
    if (!saturated || mode === "window" || backend.capabilities.searchOrder === "newest") break;
    unsettled = true;
    if (matched.length < requested) break;
    const pivotMs = Math.floor(startOf(matched[requested - 1]!) / 1000);
    const next = Math.min(unit.limit + 1, unit.budget);
    if (asked + next > unit.budget || (pivotMs <= startMs && next <= limit)) break;
    startMs = Math.max(startMs, pivotMs);
    limit = next;
    unsettled = false;
  }
  return { matched, examined: seen.size, saturated, unsettled: unsettled && saturated, skipped, notes };
}
