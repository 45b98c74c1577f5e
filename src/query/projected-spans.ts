/**
 * Every matching span of a window for a kernel that reads only some of each span (analyze_errors
 * folds every error span). Where the backend projects spans itself (SQL over the local store) they
 * come in one query with no trace cap, carrying just the attributes and events the kernel reads;
 * elsewhere, and under an API key's scope, they are searched as usual (whole spans, up to
 * --max-traces). Either way newest first, and the kernel computes the same answer from them.
 */
import type { Span } from "../domain/trace.js";
import type { QueryContext } from "./context.js";
import { findSpans, type Found, type SearchRequest } from "./search.js";
import { resolveWindow } from "./window.js";
import { backendComputes } from "./backend-computes.js";

/** Most projected spans one call reads (a projected span is small; this bounds memory, not time). */
export const PROJECTED_SPAN_LIMIT = 100_000;

export interface ProjectedSpanRequest extends Omit<SearchRequest, "limit" | "mode" | "select" | "selectSuffices"> {
  /** Attribute keys the kernel reads. */
  attributes: readonly string[];
  /** Event names the kernel reads. */
  events: readonly string[];
}

const newestFirst = (a: Span, b: Span): number =>
  b.startTimeUs - a.startTimeUs || (`${a.traceId}/${a.spanId}` < `${b.traceId}/${b.spanId}` ? -1 : `${a.traceId}/${a.spanId}` > `${b.traceId}/${b.spanId}` ? 1 : 0);

export async function findProjectedSpans(ctx: QueryContext, request: ProjectedSpanRequest, limit = PROJECTED_SPAN_LIMIT): Promise<Found<Span>> {
  const backend = await ctx.backend();
  if (backend.projectedSpans && backendComputes(ctx, backend, request.filters, "spans")) {
    const window = resolveWindow(request.startMs, request.endMs, ctx.defaultLookbackMs, ctx.now());
    const res = await backend.projectedSpans({ ...window, filters: [...request.filters], attributes: request.attributes, events: request.events, limit });
    const items = [...res.spans].sort(newestFirst);
    const complete = res.matched <= items.length;
    return {
      items,
      window,
      notes: [],
      skipped: [],
      coverage: { traces: new Set(items.map((s) => s.traceId)).size, spans: items.length, complete, examined: res.matched, ...(complete ? {} : { limit }) },
    };
  }
  return findSpans(ctx, { ...request, limit: ctx.maxTraces, mode: "window" });
}
