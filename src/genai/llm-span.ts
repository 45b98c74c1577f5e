/**
 * The tools' view of an LLM span (get_trace's llm_attributes and the LLM analytics), built on the
 * normaliser (normalize.ts), so every convention reads the same way. On OpenLLMetry data it gives the
 * original server's values, with the documented differences (README "Differences"): providers are
 * normalised, a total that is not recorded is input + output (the original also summed cache and
 * reasoning counters, counting them twice), agent/workflow/task/tool spans and AI SDK wrappers are not
 * calls, a call that names no provider is reported as "unknown" rather than left out of the counts,
 * and llm.is_streaming, llm.request.type and the singular finish_reason keys are read.
 */
import type { Span, Trace } from "../domain/trace.js";
import type { Convention } from "./conventions.js";
import { isLlmCall, normalizeSpan, type LlmCall } from "./normalize.js";

export { tokenCounts, type TokenCounts } from "./legacy-tokens.js";

/** Key order is the output order of get_trace's llm_attributes (the original's keys first). */
export interface LlmAttributes {
  system: string;
  request_model?: string;
  response_model?: string;
  operation_name?: string;
  temperature?: number;
  top_p?: number;
  max_tokens?: number;
  is_streaming: boolean;
  finish_reasons?: string[];
  /** Input tokens, cache reads and writes included. */
  prompt_tokens?: number;
  /** Output tokens, reasoning included. */
  completion_tokens?: number;
  total_tokens?: number;
  cache_read_tokens?: number;
  cache_write_tokens?: number;
  reasoning_tokens?: number;
  prompt_preview?: string;
  completion_preview?: string;
  time_to_first_token_ms?: number;
  tool_calls?: string[];
  /** The convention the attributes were read from. */
  convention: Convention;
}

/** Provider shown for a call that names none. */
export const UNKNOWN_PROVIDER = "unknown";

/** A span is an LLM span when it is a model call, counted once (see normalize.ts). */
export function isLlmSpan(span: Span): boolean {
  return isLlmCall(span);
}

function toAttributes(call: LlmCall): LlmAttributes {
  const t = call.tokens;
  const entries: Array<[keyof LlmAttributes, unknown]> = [
    ["system", call.provider ?? UNKNOWN_PROVIDER],
    ["request_model", call.requestModel],
    ["response_model", call.responseModel],
    ["operation_name", call.operation],
    ["temperature", call.temperature],
    ["top_p", call.topP],
    ["max_tokens", call.maxTokens],
    ["is_streaming", call.streaming],
    ["finish_reasons", call.finishReasons],
    ["prompt_tokens", t.input],
    ["completion_tokens", t.output],
    ["total_tokens", t.total],
    ["cache_read_tokens", t.cacheRead],
    ["cache_write_tokens", t.cacheWrite],
    ["reasoning_tokens", t.reasoning],
    ["prompt_preview", call.promptPreview],
    ["completion_preview", call.completionPreview],
    ["time_to_first_token_ms", call.timeToFirstTokenMs],
    ["tool_calls", call.toolCalls],
    ["convention", call.convention],
  ];
  const out: Record<string, unknown> = {};
  for (const [k, v] of entries) if (v !== undefined) out[k] = v;
  return Object.freeze(out) as unknown as LlmAttributes;
}

/** Keyed by the (memoised, frozen) call view, so non-calls cost no second lookup. */
const memo = new WeakMap<LlmCall, LlmAttributes>();

/** Parsed LLM attributes of a span, or undefined when the span is not an LLM call. Memoised per span. */
export function parseLlmSpan(span: Span): LlmAttributes | undefined {
  const call = normalizeSpan(span);
  if (call === undefined) return undefined;
  let v = memo.get(call);
  if (v === undefined) {
    v = toAttributes(call);
    memo.set(call, v);
  }
  return v;
}

/** "Actual model first": response model, else request model. */
export function responseFirstModel(llm: LlmAttributes): string | undefined {
  return llm.response_model || llm.request_model || undefined;
}

/** "Requested model first": request model, else response model. */
export function requestFirstModel(llm: LlmAttributes): string | undefined {
  return llm.request_model || llm.response_model || undefined;
}

export function llmSpans(trace: Trace): Span[] {
  return trace.spans.filter(isLlmSpan);
}

/** Sum of the parsed totals of a trace's LLM calls. */
export function traceTotalTokens(trace: Trace): number {
  let total = 0;
  for (const span of trace.spans) {
    const llm = parseLlmSpan(span);
    if (llm?.total_tokens) total += llm.total_tokens;
  }
  return total;
}
