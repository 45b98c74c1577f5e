/**
 * Getting complete traces for the many-trace tools: one search, then, unless the backend's search
 * already returned complete traces, a fetch per trace with bounded concurrency through the shared
 * store (cache + coalescing). Failed fetches are skipped and reported, never fatal.
 */
import { fetchTraces, searchSpans, searchTraces, type Skipped } from "../backends/search.js";
import type { SearchQuery } from "../domain/query.js";
import { formatTimeMs } from "../domain/time.js";
import type { Span, Trace } from "../domain/trace.js";
import type { BackendKind } from "../errors.js";
import type { ToolContext } from "./define-tool.js";

export interface ResolvedWindow {
  start_time: string;
  end_time: string;
}

export interface Collected<T> {
  items: T[];
  notes: string[];
  skipped: Skipped[];
  window?: ResolvedWindow;
}

/**
 * Default look-back when no start_time is given, per backend: Jaeger's own default (2 days), and
 * the 24 hours the original used for Tempo and Traceloop. Resolving it here means every answer can
 * state the exact window it searched.
 */
export const DEFAULT_LOOKBACK_MS: Readonly<Record<BackendKind, number>> = {
  jaeger: 2 * 24 * 3_600_000,
  tempo: 24 * 3_600_000,
  traceloop: 24 * 3_600_000,
};

function resolveWindow(query: SearchQuery, kind: BackendKind, now: number): { query: SearchQuery; window: ResolvedWindow } {
  const endMs = query.endMs ?? now;
  const startMs = query.startMs ?? endMs - DEFAULT_LOOKBACK_MS[kind];
  return { query: { ...query, startMs, endMs }, window: { start_time: formatTimeMs(startMs), end_time: formatTimeMs(endMs) } };
}

function capLimit(query: SearchQuery, ctx: ToolContext, notes: string[]): SearchQuery {
  const cap = ctx.config.maxTracesPerQuery;
  if (query.limit <= cap) return query;
  notes.push(`The limit ${query.limit} was lowered to ${cap} by MAX_TRACES_PER_QUERY.`);
  return { ...query, limit: cap };
}

/** Search results as returned (no per-trace fetch); completed traces are cached for later calls. */
export async function searchTraceList(ctx: ToolContext, query: SearchQuery): Promise<Collected<Trace>> {
  const notes: string[] = [];
  const backend = await ctx.backend();
  const { query: q, window } = resolveWindow(capLimit(query, ctx, notes), backend.kind, ctx.now());
  const res = await ctx.cache.coalesce(`search:${JSON.stringify(q)}`, () => searchTraces(backend, q));
  if (backend.completeTracesInSearch) for (const t of res.items) ctx.cache.put(t);
  return { items: res.items, notes: [...notes, ...res.notes], skipped: [], window };
}

export async function searchSpanList(ctx: ToolContext, query: SearchQuery): Promise<Collected<Span>> {
  const backend = await ctx.backend();
  const { query: q, window } = resolveWindow(query, backend.kind, ctx.now());
  const res = await ctx.cache.coalesce(`spans:${JSON.stringify(q)}`, () => searchSpans(backend, q));
  return { items: res.items, notes: res.notes, skipped: [], window };
}

/** Complete traces for a search, in search order. */
export async function collectCompleteTraces(ctx: ToolContext, query: SearchQuery): Promise<Collected<Trace>> {
  const found = await searchTraceList(ctx, query);
  const backend = await ctx.backend();
  if (backend.completeTracesInSearch) return found;
  const ids = found.items.map((t) => t.traceId);
  const { traces, skipped } = await fetchTraces(
    (id) => ctx.cache.getOrFetch(id, () => backend.getTrace(id)),
    ids,
    ctx.config.fetchConcurrency,
  );
  const notes = [...found.notes];
  if (skipped.length > 0) {
    notes.push(`${skipped.length} of ${ids.length} traces could not be fetched and were skipped (first reason: ${skipped[0]!.reason}).`);
  }
  return { items: traces, notes, skipped, ...(found.window ? { window: found.window } : {}) };
}

/** One trace by id, through the cache. */
export async function getTraceCached(ctx: ToolContext, traceId: string): Promise<Trace> {
  const backend = await ctx.backend();
  return ctx.cache.getOrFetch(traceId, () => backend.getTrace(traceId));
}
