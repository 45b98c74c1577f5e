/**
 * Completing traces: a search may return partial traces (ids and root info only); each is fetched
 * by id through the trace cache with bounded concurrency. A failed fetch is skipped and listed,
 * never fatal. Projected traces (a search's answer to BackendSearch.select) already hold what the
 * caller asked for and are kept as they are, uncached.
 */
import type { ServiceScope } from "../access/scope.js";
import type { Trace } from "../domain/trace.js";
import type { TraceBackend } from "../backends/trace-backend.js";
import { BackendError, errorMessage } from "../errors.js";
import { mapLimit } from "../util/concurrency.js";
import type { TraceCache } from "./trace-cache.js";

export interface Skipped {
  trace_id: string;
  reason: string;
}

export interface Completed {
  /** Complete traces, in input order (skipped ones left out). */
  traces: Trace[];
  skipped: Skipped[];
}

export function isComplete(trace: Trace, backend: TraceBackend): boolean {
  return backend.capabilities.completeTracesInSearch && !trace.partial;
}

/** One complete trace by id, through the cache (a partial `hint` from a search may help the adapter). */
export function fetchTrace(backend: TraceBackend, cache: TraceCache, traceId: string, hint?: Trace): Promise<Trace> {
  return cache.getOrFetch(traceId, () => backend.getTrace(traceId, hint));
}

export interface Visible {
  trace: Trace;
  /** Spans of services outside the caller's scope that were left out. */
  withheld: number;
}

/**
 * A trace as the caller may see it: out-of-scope spans dropped; a trace with none of the caller's
 * services is "not found", exactly like an unknown id, so its existence is not revealed.
 */
export async function fetchVisibleTrace(backend: TraceBackend, cache: TraceCache, traceId: string, scope: ServiceScope | undefined): Promise<Visible> {
  const trace = await fetchTrace(backend, cache, traceId);
  if (!scope || scope.all) return { trace, withheld: 0 };
  const visible = scope.restrictTrace(trace);
  if (!visible) {
    throw new BackendError(backend.kind, "not_found", `Trace ${traceId} not found. Check the id (32 hex characters) or that the trace is still retained.`, 404);
  }
  return { trace: visible.trace, withheld: visible.withheldSpans };
}

export async function completeTraces(backend: TraceBackend, cache: TraceCache, traces: readonly Trace[], concurrency: number): Promise<Completed> {
  const outcomes = await mapLimit(traces, concurrency, async (t) => {
    if (isComplete(t, backend)) {
      cache.put(t);
      return { ok: true as const, trace: t };
    }
    if (t.projected) return { ok: true as const, trace: t };
    try {
      return { ok: true as const, trace: await fetchTrace(backend, cache, t.traceId, t) };
    } catch (err) {
      return { ok: false as const, skipped: { trace_id: t.traceId, reason: errorMessage(err) } };
    }
  });
  const out: Completed = { traces: [], skipped: [] };
  for (const o of outcomes) {
    if (o.ok) out.traces.push(o.trace);
    else out.skipped.push(o.skipped);
  }
  return out;
}
