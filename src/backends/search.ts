/**
 * The layer between tools and adapters: splits filters into what the backend applies and what
 * runs locally (once, here), and fetches many traces with bounded concurrency.
 */
import { filterSpans, filterTraces } from "../domain/filter-engine.js";
import { describeFilter, type Filter } from "../domain/filter.js";
import type { SearchQuery } from "../domain/query.js";
import type { Span, Trace } from "../domain/trace.js";
import { errorMessage } from "../errors.js";
import type { SearchResult, SearchTarget, TraceBackend } from "./trace-backend.js";

export interface FilterPlan {
  /** Sent to the backend ("exact" and "narrowing"). */
  remote: Filter[];
  /** Applied locally ("narrowing" and "none"). */
  local: Filter[];
}

export function planFilters(backend: Pick<TraceBackend, "pushdown">, filters: readonly Filter[], target: SearchTarget): FilterPlan {
  const remote: Filter[] = [];
  const local: Filter[] = [];
  for (const f of filters) {
    const mode = backend.pushdown(f, target);
    if (mode !== "none") remote.push(f);
    if (mode !== "exact") local.push(f);
  }
  return { remote, local };
}

function localNote(local: Filter[], total: number, kind: string): string[] {
  if (local.length === 0) return [];
  return [
    `${local.length} filter(s) applied by this server after fetching (${local.map(describeFilter).join("; ")}); ` +
      `${total} ${kind} matched among those the backend returned.`,
  ];
}

export async function searchTraces(backend: TraceBackend, query: SearchQuery): Promise<SearchResult<Trace>> {
  const plan = planFilters(backend, query.filters, "traces");
  const res = await backend.searchTraces({ ...query, filters: plan.remote });
  const items = filterTraces(res.items, plan.local).slice(0, query.limit);
  return { ...res, items, notes: [...res.notes, ...localNote(plan.local, items.length, "traces")] };
}

export async function searchSpans(backend: TraceBackend, query: SearchQuery): Promise<SearchResult<Span>> {
  const plan = planFilters(backend, query.filters, "spans");
  const res = await backend.searchSpans({ ...query, filters: plan.remote });
  const items = filterSpans(res.items, plan.local).slice(0, query.limit);
  return { ...res, items, notes: [...res.notes, ...localNote(plan.local, items.length, "spans")] };
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

/** Runs `worker` over `items` with at most `concurrency` in flight; results keep input order. */
export async function mapLimit<T, R>(items: readonly T[], concurrency: number, worker: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lanes = Math.max(1, Math.min(concurrency, items.length));
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await worker(items[i]!, i);
      }
    }),
  );
  return results;
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
