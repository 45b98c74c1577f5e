/**
 * The LLM calls a question is about, for the LLM tools (usage, models, model stats). Where the
 * backend reads calls itself (llmCalls: SQL over the local store or ClickHouse) every call of every
 * matching trace in the window comes back in one query, with no cap on traces; elsewhere the
 * matching traces are searched (up to the request's limit, projected where the backend can) and
 * their calls parsed here. Either way the calls are the GenAI parser's reading, so the tools
 * compute the same answer from them.
 */
import type { LlmCallRecord } from "../backends/trace-backend.js";
import type { Trace } from "../domain/trace.js";
import { parseLlmSpan } from "../genai/llm-span.js";
import type { QueryContext } from "./context.js";
import { findTraces, type Found, type SearchRequest } from "./search.js";
import { resolveWindow } from "./window.js";
import { backendComputes } from "./backend-computes.js";

/** The calls of a trace that parse as LLM calls, in span order. */
export function callsOf(trace: Trace): LlmCallRecord[] {
  const out: LlmCallRecord[] = [];
  for (const span of trace.spans) {
    const llm = parseLlmSpan(span);
    if (llm) out.push({ span, llm });
  }
  return out;
}

/** `Found` of calls: coverage counts the traces they came from and, as spans, the calls. */
export async function findLlmCalls(ctx: QueryContext, request: SearchRequest): Promise<Found<LlmCallRecord>> {
  const pushed = await pushedLlmCalls(ctx, request);
  if (pushed) return pushed;
  const found = await findTraces(ctx, request);
  const items = found.items.flatMap(callsOf);
  return { ...found, items, coverage: { ...found.coverage, spans: items.length } };
}

/**
 * Every call of every matching trace in the window, read by the backend itself (no trace cap), or
 * undefined when it cannot: no llmCalls, a filter it cannot apply exactly, or a scoped caller
 * (a scope restricts rows here, span by span, so a scoped caller reads traces: search.ts).
 */
export async function pushedLlmCalls(ctx: QueryContext, request: SearchRequest): Promise<Found<LlmCallRecord> | undefined> {
  const backend = await ctx.backend();
  if (!backend.llmCalls || !backendComputes(ctx, backend, request.filters)) return undefined;
  const window = resolveWindow(request.startMs, request.endMs, ctx.defaultLookbackMs, ctx.now());
  const res = await backend.llmCalls({ ...window, filters: [...request.filters] });
  // A backend may cut at a row limit (ClickHouse): then it says so, and what it matched.
  const coverage = { traces: res.traces, spans: res.calls.length, complete: res.complete ?? true, examined: res.matched ?? res.traces };
  return { items: res.calls, window, notes: res.notes ?? [], skipped: [], coverage };
}
