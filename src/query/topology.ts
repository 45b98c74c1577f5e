/**
 * The service graph of a window through the query layer: computed by the backend over every trace
 * of the window when it can (SQL on the local store and ClickHouse), else the window's traces, up
 * to --max-traces, for src/analytics/topology.ts to fold. Either way the answer says what it covers.
 */
import type { ServiceEdgeAnswer } from "../analytics/topology.js";
import type { Trace } from "../domain/trace.js";
import type { QueryContext } from "./context.js";
import type { Coverage } from "./coverage.js";
import type { Skipped } from "./fetch-traces.js";
import { findTraces } from "./search.js";
import { resolveWindow, type ResolvedWindow } from "./window.js";
import { unscoped } from "./backend-computes.js";

export interface TopologyRequest {
  startMs?: number;
  endMs?: number;
  /** Edges with fewer calls may be left out by the backend (the caller filters again). */
  minCallCount: number;
  /** False: read traces even where the backend could compute the graph (default true). */
  pushdown?: boolean;
}

interface Meta {
  window: ResolvedWindow;
  notes: string[];
  skipped: Skipped[];
  coverage: Coverage;
}

export type TopologySource = ({ kind: "pushed"; answer: ServiceEdgeAnswer } & Meta) | ({ kind: "traces"; items: Trace[] } & Meta);

export async function topologySource(ctx: QueryContext, request: TopologyRequest): Promise<TopologySource> {
  const backend = await ctx.backend();
  const window = resolveWindow(request.startMs, request.endMs, ctx.defaultLookbackMs, ctx.now());
  // A backend computes over every service; under an API key's scope the traces are restricted here instead.
  if (backend.serviceEdges && request.pushdown !== false && unscoped(ctx)) {
    const answer = await backend.serviceEdges({ ...window, minCallCount: request.minCallCount });
    if (answer) {
      const coverage: Coverage = { traces: answer.traces, spans: answer.spans, complete: true, examined: answer.spans };
      return { kind: "pushed", answer, window, notes: [], skipped: [], coverage };
    }
  }
  const found = await findTraces(ctx, { ...window, filters: [], limit: ctx.maxTraces, mode: "window" });
  return { kind: "traces", items: found.items, window: found.window, notes: found.notes, skipped: found.skipped, coverage: found.coverage };
}
