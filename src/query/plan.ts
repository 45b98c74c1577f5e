/**
 * Compiling a search once: which filters the backend applies (and how well), what runs here, and
 * how many items to ask for. The cap is applied last, so nothing asks a backend for more than
 * --max-traces, and limits never stack.
 */
import { describeFilter, type Filter } from "../domain/filter.js";
import type { FilterPlan, Pushdown, SearchTarget, TraceBackend } from "../backends/trace-backend.js";
import { isNormalizedGenAiField } from "../genai/fields.js";

export type { FilterPlan };

/**
 * The backend's own split when it has one, else filter by filter. A normalised GenAI field
 * (provider, model, tokens, ...) is only sent to a backend that evaluates it normalised: sent as
 * one convention's raw attribute it would miss the others' spans.
 */
export function planFilters(backend: Pick<TraceBackend, "pushdown" | "compile"> & { capabilities?: { normalizedGenAiFields?: boolean } }, filters: readonly Filter[], target: SearchTarget): FilterPlan {
  const genaiHere = backend.capabilities?.normalizedGenAiFields !== true;
  const local = genaiHere ? filters.filter((f) => isNormalizedGenAiField(f.field)) : [];
  const rest = local.length > 0 ? filters.filter((f) => !local.includes(f)) : filters;
  const plan = backend.compile ? backend.compile(rest, target) : splitByPushdown(backend, rest, target);
  if (local.length === 0) return plan;
  return { remote: plan.remote, local: [...plan.local, ...local], unpushed: [...plan.unpushed, ...local] };
}

export function splitByPushdown(backend: Pick<TraceBackend, "pushdown">, filters: readonly Filter[], target: SearchTarget): FilterPlan {
  const remote: Filter[] = [];
  const local: Filter[] = [];
  const unpushed: Filter[] = [];
  for (const f of filters) {
    const mode: Pushdown = backend.pushdown(f, target);
    if (mode !== "none") remote.push(f);
    if (mode !== "exact") local.push(f);
    if (mode === "none") unpushed.push(f);
  }
  return { remote, local, unpushed };
}

/**
 * When a filter runs only here, the backend's page is cut before it is applied: ask for more so
 * the requested number can still be filled (x5, at least 100). A filter the backend narrows by
 * rejects few of its hits, so it costs nothing extra.
 */
export const OVERFETCH = { factor: 5, min: 100 } as const;

export function fetchLimit(requested: number, plan: FilterPlan, cap: number): number {
  const n = plan.unpushed.length > 0 ? Math.max(requested * OVERFETCH.factor, OVERFETCH.min) : requested;
  return Math.max(1, Math.min(n, cap));
}

/** The note for filters this server applied; `more` when the examined set may not hold every match. */
export function localFilterNote(plan: FilterPlan, matched: number, examined: number, what: string): string | undefined {
  if (plan.unpushed.length === 0) return undefined;
  return (
    `${plan.unpushed.length} filter(s) applied by this server, not the backend (${plan.unpushed.map(describeFilter).join("; ")}): ` +
    `${matched} of ${examined} ${what} examined matched.`
  );
}
