/**
 * The real query layer (src/query/search.ts) driven directly, for backend tests: a fresh
 * context (no cross-test caching) around one adapter.
 */
import type { TraceBackend } from "../../src/backends/trace-backend.js";
import type { Filter } from "../../src/domain/filter.js";
import type { Span, Trace } from "../../src/domain/trace.js";
import { silentLogger } from "../../src/logger.js";
import type { QueryContext } from "../../src/query/context.js";
import { findSpans, findTraces, type Found } from "../../src/query/search.js";
import { TraceCache } from "../../src/query/trace-cache.js";

export interface SearchQuery {
  startMs?: number;
  endMs?: number;
  limit: number;
  filters: Filter[];
}

export interface QueryOptions {
  now?: () => number;
  maxTraces?: number;
  lookbackMs?: number;
  cache?: TraceCache;
  mode?: "newest" | "window";
}

export function queryContext(backend: TraceBackend, options: QueryOptions = {}): QueryContext {
  const now = options.now ?? Date.now;
  return {
    backend: async () => backend,
    cache: options.cache ?? new TraceCache({ now, settleMs: 0 }),
    maxTraces: options.maxTraces ?? 1000,
    fetchConcurrency: 4,
    defaultLookbackMs: options.lookbackMs ?? 24 * 3_600_000,
    now,
    logger: silentLogger(),
  };
}

export function searchTraces(backend: TraceBackend, query: SearchQuery, options: QueryOptions = {}): Promise<Found<Trace>> {
  return findTraces(queryContext(backend, options), { ...query, mode: options.mode ?? "newest" });
}

export function searchSpans(backend: TraceBackend, query: SearchQuery, options: QueryOptions = {}): Promise<Found<Span>> {
  return findSpans(queryContext(backend, options), { ...query, mode: options.mode ?? "newest" });
}
