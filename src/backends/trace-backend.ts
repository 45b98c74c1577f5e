/**
 * The contract every trace backend implements. Adapters only translate a resolved query into
 * their native API and parse the answer into domain Trace/Span values; defaults, time parsing,
 * local filtering, aggregation and rendering happen above them, once.
 */
import type { Dispatcher } from "undici";
import type { BackendKind } from "../errors.js";
import type { Filter } from "../domain/filter.js";
import type { SearchQuery } from "../domain/query.js";
import type { Span, Trace } from "../domain/trace.js";
import type { Logger } from "../logger.js";

export type SearchTarget = "traces" | "spans";

/**
 * How a backend handles one filter:
 * - "exact": the backend applies it with the semantics we want; it is not re-applied locally;
 * - "narrowing": the backend uses it to narrow the search, but may return extra items, so it is
 *   re-applied locally too (e.g. Jaeger's service param when searching spans);
 * - "none": the backend ignores it; it is applied locally.
 * Nothing is ever dropped: whatever is not "exact" runs in the local filter engine.
 */
export type Pushdown = "exact" | "narrowing" | "none";

export interface SearchResult<T> {
  items: T[];
  /** Plain-language notes for the answer: default windows applied, cuts made, items skipped. */
  notes: string[];
  /** The absolute window actually searched, when known. */
  window?: { startMs: number; endMs: number };
}

export interface HealthStatus {
  status: "healthy" | "unhealthy";
  backend: BackendKind;
  url: string;
  error?: string;
  service_count?: number;
  project_id?: string;
}

export interface TraceBackend {
  readonly kind: BackendKind;
  /** Base URL for messages (credentials stripped). */
  readonly url: string;
  /**
   * True when searchTraces already returns every span of each trace (Jaeger, and adapters that
   * fetch by id themselves). The many-trace tools then reuse search results instead of fetching
   * each trace again; otherwise they fetch by id with bounded concurrency.
   */
  readonly completeTracesInSearch?: boolean;
  /** Declares, per filter and target, what the backend can apply itself. Must be pure. */
  pushdown(filter: Filter, target: SearchTarget): Pushdown;
  /**
   * Full traces matching the query. `query.filters` holds only the filters this backend
   * declared "exact" or "narrowing" for "traces". Returns at most `query.limit` traces.
   */
  searchTraces(query: SearchQuery): Promise<SearchResult<Trace>>;
  /** Flat spans; `query.filters` holds only filters declared for "spans". */
  searchSpans(query: SearchQuery): Promise<SearchResult<Span>>;
  /** One trace by id. Throws BackendError kind "not_found" for an unknown id. */
  getTrace(traceId: string): Promise<Trace>;
  listServices(): Promise<string[]>;
  getServiceOperations(service: string): Promise<string[]>;
  /** Never throws: failures are reported as "unhealthy". */
  healthCheck(): Promise<HealthStatus>;
  close(): Promise<void>;
}

export interface BackendOptions {
  url: string;
  apiKey?: string;
  timeoutMs: number;
  /** Extra request headers (e.g. X-Scope-OrgID); values are secrets. */
  headers: Record<string, string>;
  /** Traceloop environments. */
  environments: string[];
  /** Max trace fetches in flight (search-then-fetch backends). */
  fetchConcurrency: number;
  logger: Logger;
  dispatcher?: Dispatcher;
  /** Largest response body in bytes, also after decompression (default: the HTTP layer's 64 MiB). */
  maxResponseBytes?: number;
  /** Clock for default windows; injectable for tests. */
  now?: () => number;
  /**
   * Shared cache of complete traces. Search-then-fetch adapters fetch each hit through it, so a
   * trace fetched once is not fetched again by later searches.
   */
  traceCache?: TraceCache;
}

export interface TraceCache {
  getOrFetch(traceId: string, fetch: () => Promise<Trace>): Promise<Trace>;
}

export type BackendFactory = (options: BackendOptions) => TraceBackend;
