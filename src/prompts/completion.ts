/**
 * Argument completion (completion/complete) for prompt arguments and resource-template
 * variables: each completable argument names a kind of value, and each kind is answered from the
 * backend through the query layer, memoised briefly so a host completing as the user types makes
 * one backend call per kind and window, not one per keystroke.
 */
import { requestFirstModel, responseFirstModel } from "../genai/llm-span.js";
import { traceSessionId } from "../genai/sessions.js";
import { findTraces, listServicesOf } from "../query/search.js";
import type { ToolContext } from "../tools/define-tool.js";
import { llmCalls } from "../tools/llm-common.js";

export type CompletionKind = "service" | "model" | "session";

/** The most values one answer carries (the protocol's own limit). */
export const MAX_COMPLETION_VALUES = 100;
/** How long the candidate lists are reused. */
export const COMPLETION_TTL_MS = 30_000;
/** Traces read to collect model and session candidates: a recent sample, not the whole history. */
const SAMPLE_TRACES = 200;

export interface Completion {
  values: string[];
  total: number;
  hasMore: boolean;
}

/** Distinct values, most frequent first, then by name. */
function byFrequency(values: Iterable<string>): string[] {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([v]) => v);
}

/** Models seen in the default window's LLM calls: what answered and what was asked for. */
async function recentModels(ctx: ToolContext): Promise<string[]> {
  const found = await findTraces(ctx, { limit: Math.min(SAMPLE_TRACES, ctx.maxTraces), filters: [], mode: "newest" });
  const seen: string[] = [];
  for (const { llm } of found.items.flatMap(llmCalls)) {
    const response = responseFirstModel(llm);
    const request = requestFirstModel(llm);
    if (response) seen.push(response);
    if (request && request !== response) seen.push(request);
  }
  return byFrequency(seen);
}

/** Session ids (any convention's: session.id, gen_ai.conversation.id, ...) of the newest traces that carry one. */
async function recentSessions(ctx: ToolContext): Promise<string[]> {
  const found = await findTraces(ctx, { limit: Math.min(SAMPLE_TRACES, ctx.maxTraces), filters: [], mode: "newest" });
  return byFrequency(found.items.flatMap((t) => traceSessionId(t) ?? []));
}

/** Every candidate of a kind, memoised per backend and per service scope (a scoped key sees only its services' values). */
export async function candidates(kind: CompletionKind, ctx: ToolContext): Promise<string[]> {
  const backend = await ctx.backend();
  if (kind === "service") return listServicesOf(ctx, backend);
  const scope = ctx.scope && !ctx.scope.all ? JSON.stringify(ctx.scope.patterns) : "*";
  const key = `complete:${kind}:${backend.kind}:${backend.url}:${scope}`;
  return ctx.cache.memo(key, COMPLETION_TTL_MS, () => (kind === "model" ? recentModels(ctx) : recentSessions(ctx)));
}

/**
 * The candidates that start with what was typed (case-insensitively), then those that merely
 * contain it; at most MAX_COMPLETION_VALUES, with the total so a host can say "more".
 */
export function matching(all: readonly string[], typed: string): Completion {
  const q = typed.toLowerCase();
  const starts: string[] = [];
  const contains: string[] = [];
  for (const v of all) {
    const lower = v.toLowerCase();
    if (lower.startsWith(q)) starts.push(v);
    else if (q !== "" && lower.includes(q)) contains.push(v);
  }
  const hits = [...starts, ...contains];
  return { values: hits.slice(0, MAX_COMPLETION_VALUES), total: hits.length, hasMore: hits.length > MAX_COMPLETION_VALUES };
}

export async function complete(kind: CompletionKind, typed: string, ctx: ToolContext): Promise<Completion> {
  return matching(await candidates(kind, ctx), typed);
}
