/**
 * When a backend may compute an answer over the whole window itself (SQL, TraceQL metrics): the
 * caller is not restricted by an API key's scope (a scope restricts rows here, span by span, so a
 * scoped caller reads traces: search.ts), and the backend applies every filter exactly.
 */
import type { SearchTarget, TraceBackend } from "../backends/trace-backend.js";
import type { Filter } from "../domain/filter.js";
import type { QueryContext } from "./context.js";
import { planFilters } from "./plan.js";

/** The caller sees every service (no scope, or a scope that allows all). */
export function unscoped(ctx: QueryContext): boolean {
  return ctx.scope === undefined || ctx.scope.all;
}

export function backendComputes(ctx: QueryContext, backend: TraceBackend, filters: readonly Filter[], target: SearchTarget = "traces"): boolean {
  return unscoped(ctx) && planFilters(backend, filters, target).local.length === 0;
}
