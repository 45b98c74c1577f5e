/**
 * The LLM calls a question is about, aggregated by the backend (TraceBackend.llmUsage: SQL over the
 * local store) instead of read one by one: the same calls findLlmCalls would read (every call of
 * every matching trace in the window, no trace cap), under the same conditions (no scoped caller,
 * every filter applied exactly by the backend). Undefined when the backend cannot: the tools then
 * read the calls (llm-calls.ts).
 */
import type { LlmCallPrice, LlmCallWhere, LlmCostAnswer, LlmUsageAnswer } from "../backends/trace-backend.js";
import type { Filter } from "../domain/filter.js";
import type { QueryContext } from "./context.js";
import type { Coverage } from "./coverage.js";
import type { Skipped } from "./fetch-traces.js";
import { resolveWindow, type ResolvedWindow } from "./window.js";
import { backendComputes } from "./backend-computes.js";

export interface LlmUsageRequest {
  startMs?: number;
  endMs?: number;
  filters: readonly Filter[];
  where?: LlmCallWhere;
  stats?: boolean;
  /** False: only counts, times and order keys are read (LlmUsageQuery.tokens). */
  tokens?: boolean;
  /** The caller needs the dollars too (TraceBackend.llmCost): without it, do not ask. */
  cost?: boolean;
}

export interface PushedLlmUsage {
  answer: LlmUsageAnswer;
  window: ResolvedWindow;
  notes: string[];
  skipped: Skipped[];
  /** Traces as llmCalls counts them; spans: the calls counted. */
  coverage: Coverage;
  /** The same calls' dollars at `prices` (TraceBackend.llmCost); undefined where the backend has none. */
  cost?: (prices: LlmCallPrice[], by: Array<"model" | "service">) => Promise<LlmCostAnswer>;
}

export async function pushedLlmUsage(ctx: QueryContext, request: LlmUsageRequest): Promise<PushedLlmUsage | undefined> {
  const backend = await ctx.backend();
  if (!backend.llmUsage || (request.cost && !backend.llmCost) || !backendComputes(ctx, backend, request.filters)) return undefined;
  const window = resolveWindow(request.startMs, request.endMs, ctx.defaultLookbackMs, ctx.now());
  const answer = await backend.llmUsage({
    ...window,
    filters: [...request.filters],
    ...(request.where ? { where: request.where } : {}),
    ...(request.stats ? { stats: true } : {}),
    ...(request.tokens === false ? { tokens: false } : {}),
  });
  if (!answer) return undefined;
  const calls = answer.groups.reduce((n, g) => n + g.calls, 0);
  const query = { ...window, filters: [...request.filters], ...(request.where ? { where: request.where } : {}) };
  const llmCost = backend.llmCost?.bind(backend);
  return {
    answer,
    window,
    notes: [],
    skipped: [],
    coverage: { traces: answer.traces, spans: calls, complete: true, examined: answer.traces },
    ...(llmCost ? { cost: (prices: LlmCallPrice[], by: Array<"model" | "service">) => llmCost({ ...query, prices, by }) } : {}),
  };
}
