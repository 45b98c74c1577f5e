/**
 * list_sessions computed by the backend itself (TraceBackend.sessions: SQL over the local store):
 * every trace of the window grouped by session in one query, with no cap on traces. Undefined
 * where the backend cannot: no sessions, a filter it cannot apply exactly, or a scoped caller (a
 * scope restricts rows here, span by span, so a scoped caller reads traces: search.ts). Coverage
 * counts every matching trace.
 */
import type { SessionAnswer, SessionQuery } from "../backends/trace-backend.js";
import type { Filter } from "../domain/filter.js";
import type { Coverage } from "./coverage.js";
import type { QueryContext } from "./context.js";
import { resolveWindow, type ResolvedWindow } from "./window.js";
import { backendComputes } from "./backend-computes.js";

export interface SessionRequest extends Omit<SessionQuery, "startMs" | "endMs" | "filters"> {
  startMs?: number;
  endMs?: number;
  filters: readonly Filter[];
}

export async function pushedSessions(ctx: QueryContext, request: SessionRequest): Promise<(SessionAnswer & { window: ResolvedWindow; coverage: Coverage }) | undefined> {
  const backend = await ctx.backend();
  if (!backend.sessions || !backendComputes(ctx, backend, request.filters)) return undefined;
  const window = resolveWindow(request.startMs, request.endMs, ctx.defaultLookbackMs, ctx.now());
  const res = await backend.sessions({
    ...window,
    filters: [...request.filters],
    limit: request.limit,
    ...(request.userId !== undefined ? { userId: request.userId } : {}),
  });
  return { ...res, window, coverage: { traces: res.matched, complete: true, examined: res.matched } };
}
