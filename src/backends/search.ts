/**
 * The layer between tools and adapters: splits filters into what the backend applies and what
 * runs locally (once, here), and fetches many traces with bounded concurrency.
 */
import { filterSpans, filterTraces } from "../query/filter-engine.js";
import { describeFilter, type Filter } from "../domain/filter.js";
import type { SearchQuery } from "../domain/query.js";
import type { Span, Trace } from "../domain/trace.js";
import { errorMessage } from "../errors.js";
import { mapLimit } from "../util/concurrency.js";
import type { SearchResult, SearchTarget, TraceBackend } from "./trace-backend.js";

export interface FilterPlan {
  /** Sent to the backend ("exact" and "narrowing"). */
  remote: Filter[];
  /** Applied locally ("narrowing" and "none"). */
  local: Filter[];
  /** Filters the backend does not see at all ("none"). */
  unpushed: Filter[];
}

/**
 * When a filter runs only here, the backend's page is cut before it is applied, so ask for more
 * (bounded) to still fill the requested limit.
 */
export const LOCAL_OVERFETCH = { factor: 5, min: 100, max: 1000 } as const;

function fetchLimitFor(plan: FilterPlan, limit: number): number {
  if (plan.unpushed.length === 0) return limit;
  return Math.max(limit, Math.min(LOCAL_OVERFETCH.max, Math.max(limit * LOCAL_OVERFETCH.factor, LOCAL_OVERFETCH.min)));
}

export function planFilters(backend: Pick<TraceBackend, "pushdown">, filters: readonly Filter[], target: SearchTarget): FilterPlan {
  const remote: Filter[] = [];
  const local: Filter[] = [];
  const unpushed: Filter[] = [];
  for (const f of filters) {
    const mode = backend.pushdown(f, target);
    if (mode !== "none") remote.push(f);
    if (mode !== "exact") local.push(f);
    if (mode === "none") unpushed.push(f);
  }
  return { remote, local, unpushed };
}

function localNotes(plan: FilterPlan, matched: number, examined: number, fetchLimit: number, limit: number, kind: string): string[] {
  if (plan.unpushed.length === 0) return [];
  const notes = [
    `${plan.unpushed.length} filter(s) applied by this server, not the backend (${plan.unpushed.map(describeFilter).join("; ")}): ` +
      `${matched} of ${examined} ${kind} examined matched.`,
  ];
  if (matched < limit && examined >= fetchLimit) {
    notes.push(`More ${kind} may match beyond the ${examined} examined: narrow the time window or add filters the backend applies (e.g. service_name).`);
  }
  return notes;
}

export async function searchTraces(backend: TraceBackend, query: SearchQuery): Promise<SearchResult<Trace>> {
  const plan = planFilters(backend, query.filters, "traces");
  const fetchLimit = fetchLimitFor(plan, query.limit);
  const res = await backend.searchTraces({ ...query, limit: fetchLimit, filters: plan.remote });
  const matched = filterTraces(res.items, plan.local);
  const items = matched.slice(0, query.limit);
  return { ...res, items, notes: [...res.notes, ...localNotes(plan, matched.length, res.items.length, fetchLimit, query.limit, "traces")] };
}

export async function searchSpans(backend: TraceBackend, query: SearchQuery): Promise<SearchResult<Span>> {
  const plan = planFilters(backend, query.filters, "spans");
  const fetchLimit = fetchLimitFor(plan, query.limit);
  const res = await backend.searchSpans({ ...query, limit: fetchLimit, filters: plan.remote });
  const matched = filterSpans(res.items, plan.local);
  const items = matched.slice(0, query.limit);
  return { ...res, items, notes: [...res.notes, ...localNotes(plan, matched.length, res.items.length, fetchLimit, query.limit, "spans")] };
}

export interface Skipped {
  trace_id: string;
  reason: string;
}

export interface FetchManyResult {
  /** Fetched traces, in the order of the requested ids. */
  traces: Trace[];
  skipped: Skipped[];
}

/** Fetches traces by id; a failed fetch is skipped and reported, never fatal. */
export async function fetchTraces(
  getTrace: (id: string) => Promise<Trace>,
  ids: readonly string[],
  concurrency: number,
): Promise<FetchManyResult> {
  const outcomes = await mapLimit(ids, concurrency, async (id) => {
    try {
      return { ok: true as const, trace: await getTrace(id) };
    } catch (err) {
      return { ok: false as const, skipped: { trace_id: id, reason: errorMessage(err) } };
    }
  });
  const traces: Trace[] = [];
  const skipped: Skipped[] = [];
  for (const o of outcomes) {
    if (o.ok) traces.push(o.trace);
    else skipped.push(o.skipped);
  }
  return { traces, skipped };
}
