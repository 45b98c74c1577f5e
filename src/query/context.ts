/** What the query layer needs from its caller (the tools' context satisfies it). */
import type { ServiceScope } from "../access/scope.js";
import type { TraceBackend } from "../backends/trace-backend.js";
import type { Logger } from "../logger.js";
import type { TraceCache } from "./trace-cache.js";

export interface QueryContext {
  /** The backend, created once per process. */
  backend(): Promise<TraceBackend>;
  /** Complete traces by id, and coalescing of identical concurrent requests. */
  cache: TraceCache;
  /** Most traces one tool call asks any backend for (--max-traces / MAX_TRACES_PER_QUERY). */
  maxTraces: number;
  /** Fetches by id in flight. */
  fetchConcurrency: number;
  /** Look-back when no start time is given, for this backend. */
  defaultLookbackMs: number;
  now(): number;
  logger: Logger;
  /**
   * The services the caller may see (an HTTP API key's scope). Absent or `all`: everything.
   * Otherwise listings, searches, aggregates and traces hold only in-scope spans.
   */
  scope?: ServiceScope;
}
