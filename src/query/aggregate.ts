/**
 * An aggregate through the query layer: pushed down to the backend when it can compute this one
 * exactly (SQL, TraceQL metrics), else the rows of the window — every matching span or trace, up
 * to --max-traces traces — for the analytics layer to fold. Either way the answer says what it
 * covers.
 */
import type { Filter } from "../domain/filter.js";
import type { Span, Trace } from "../domain/trace.js";
import type { AggregateAnswer } from "../analytics/aggregate-answer.js";
import type { BackendMetric } from "../analytics/metrics.js";
import type { QueryContext } from "./context.js";
import type { Coverage } from "./coverage.js";
import type { Skipped } from "./fetch-traces.js";
import { findSpans, findTraces } from "./search.js";
import { resolveWindow, type ResolvedWindow } from "./window.js";
import { backendComputes } from "./backend-computes.js";

export interface AggregateRequest {
  startMs?: number;
  endMs?: number;
  level: "span" | "trace";
  filters: readonly Filter[];
  groupBy: readonly string[];
  /** What the backend would compute (cost is folded in above from per-model usage). */
  metrics: readonly BackendMetric[];
  intervalMs?: number;
  byModel: boolean;
  /** False: read rows even where the backend could compute the aggregate (default true). */
  pushdown?: boolean;
}

interface Meta {
  window: ResolvedWindow;
  notes: string[];
  skipped: Skipped[];
  coverage: Coverage;
}

export type AggregateSource =
  | ({ kind: "pushed"; answer: AggregateAnswer } & Meta)
  | ({ kind: "spans"; items: Span[] } & Meta)
  | ({ kind: "traces"; items: Trace[] } & Meta);

export async function aggregateSource(ctx: QueryContext, request: AggregateRequest): Promise<AggregateSource> {
  const pushed = await pushedAggregate(ctx, request);
  if (pushed) return pushed;
  const window = resolveWindow(request.startMs, request.endMs, ctx.defaultLookbackMs, ctx.now());
  const search = { ...window, filters: request.filters, limit: ctx.maxTraces, mode: "window" as const };
  if (request.level === "span") {
    const found = await findSpans(ctx, search);
    return { kind: "spans", items: found.items, window: found.window, notes: found.notes, skipped: found.skipped, coverage: found.coverage };
  }
  const found = await findTraces(ctx, search);
  return { kind: "traces", items: found.items, window: found.window, notes: found.notes, skipped: found.skipped, coverage: found.coverage };
}

/** The aggregate computed by the backend over the whole window, or undefined when it cannot compute this one exactly. */
export async function pushedAggregate(ctx: QueryContext, request: AggregateRequest): Promise<Extract<AggregateSource, { kind: "pushed" }> | undefined> {
  const backend = await ctx.backend();
  const window = resolveWindow(request.startMs, request.endMs, ctx.defaultLookbackMs, ctx.now());
  // A backend computes over every service; under an API key's scope the rows are restricted here
  // instead. It must also apply every filter exactly (a normalised GenAI field, say, may run here).
  const target = request.level === "span" ? "spans" : "traces";
  if (backend.aggregate && request.pushdown !== false && backendComputes(ctx, backend, request.filters, target)) {
    const answer = await backend.aggregate({
      ...window,
      level: request.level,
      filters: [...request.filters],
      groupBy: [...request.groupBy],
      metrics: [...request.metrics],
      ...(request.intervalMs ? { intervalMs: request.intervalMs } : {}),
      byModel: request.byModel,
    });
    if (answer) {
      const coverage: Coverage = { ...(answer.traces !== undefined ? { traces: answer.traces } : {}), spans: answer.spans, complete: true, examined: answer.spans };
      return { kind: "pushed", answer, window, notes: [], skipped: [], coverage };
    }
  }
  return undefined;
}
