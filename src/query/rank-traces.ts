/**
 * The LLM trace rankings computed by the backend itself (TraceBackend.rankTraces: SQL over the
 * local store or ClickHouse): every trace of the window scored in one query, with no cap on traces,
 * only the traces that can make the top coming back. Undefined where the backend cannot: no
 * rankTraces, a filter it cannot apply exactly, or a scoped caller (a scope restricts rows here,
 * span by span, so a scoped caller reads traces: search.ts). Coverage counts, as pushedLlmCalls'
 * does, every matching trace and every LLM call of them.
 */
import type { RankedTrace, TraceRankQuery } from "../backends/trace-backend.js";
import type { Filter } from "../domain/filter.js";
import type { QueryContext } from "./context.js";
import type { Found } from "./search.js";
import { resolveWindow } from "./window.js";
import { backendComputes } from "./backend-computes.js";

export interface RankRequest extends Omit<TraceRankQuery, "startMs" | "endMs" | "filters"> {
  startMs?: number;
  endMs?: number;
  filters: readonly Filter[];
}

export async function pushedRanking(ctx: QueryContext, request: RankRequest): Promise<Found<RankedTrace> | undefined> {
  const backend = await ctx.backend();
  if (!backend.rankTraces || !backendComputes(ctx, backend, request.filters)) return undefined;
  const window = resolveWindow(request.startMs, request.endMs, ctx.defaultLookbackMs, ctx.now());
  const res = await backend.rankTraces({
    ...window,
    filters: [...request.filters],
    by: request.by,
    limit: request.limit,
    minTokens: request.minTokens,
    slack: request.slack,
  });
  const coverage = { traces: res.matched, spans: res.calls, complete: true, examined: res.matched };
  return { items: res.traces, window, notes: [], skipped: [], coverage };
}
