/**
 * list_llm_tools computed by the backend itself (TraceBackend.toolUsage: SQL over the local store
 * or ClickHouse): the tool spans of the window grouped by tool name in one query, the newest
 * `limit` of them analysed, and how many there are in all. Undefined where the backend cannot (no
 * toolUsage) or for a scoped caller (a scope restricts rows span by span, so a scoped caller reads
 * spans: search.ts).
 */
import type { ToolUsageAnswer, ToolUsageQuery } from "../backends/trace-backend.js";
import type { QueryContext } from "./context.js";
import { resolveWindow, type ResolvedWindow } from "./window.js";
import { unscoped } from "./backend-computes.js";

export interface ToolUsageRequest extends Omit<ToolUsageQuery, "startMs" | "endMs"> {
  startMs?: number;
  endMs?: number;
}

export async function pushedToolUsage(ctx: QueryContext, request: ToolUsageRequest): Promise<(ToolUsageAnswer & { window: ResolvedWindow }) | undefined> {
  const backend = await ctx.backend();
  if (!backend.toolUsage || !unscoped(ctx)) return undefined;
  const window = resolveWindow(request.startMs, request.endMs, ctx.defaultLookbackMs, ctx.now());
  const res = await backend.toolUsage({
    ...window,
    limit: request.limit,
    ...(request.serviceName !== undefined ? { serviceName: request.serviceName } : {}),
    ...(request.genAiSystem !== undefined ? { genAiSystem: request.genAiSystem } : {}),
  });
  return { ...res, window };
}
