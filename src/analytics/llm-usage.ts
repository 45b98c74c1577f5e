/**
 * The LLM view the analytics need of a span: provider, model and token usage in the semconv sense
 * (input includes cache reads and writes, output includes reasoning). Read through src/genai (the
 * only reader of raw GenAI attributes); null for a span that is not an LLM call.
 */
import type { Span } from "../domain/trace.js";
import type { CostCall } from "../genai/cost-summary.js";
import { parseLlmSpan, responseFirstModel } from "../genai/llm-span.js";

export interface LlmUsage {
  provider: string;
  /** Response model, else request model. */
  model: string | undefined;
  requestModel: string | undefined;
  responseModel: string | undefined;
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  reasoning: number;
  total: number;
}

export function llmUsageOf(span: Span): LlmUsage | undefined {
  const llm = parseLlmSpan(span);
  if (!llm) return undefined;
  const extra = llm as { cache_read_tokens?: number; cache_write_tokens?: number; reasoning_tokens?: number };
  return {
    provider: llm.system,
    model: responseFirstModel(llm),
    requestModel: llm.request_model,
    responseModel: llm.response_model,
    input: llm.prompt_tokens ?? 0,
    output: llm.completion_tokens ?? 0,
    cacheRead: extra.cache_read_tokens ?? 0,
    cacheWrite: extra.cache_write_tokens ?? 0,
    reasoning: extra.reasoning_tokens ?? 0,
    total: llm.total_tokens ?? 0,
  };
}

/** The span as a call to price, or undefined when it is not an LLM call. */
export function costCallOf(span: Span): CostCall | undefined {
  const u = llmUsageOf(span);
  if (!u) return undefined;
  return {
    model: u.model ?? null,
    provider: u.provider,
    usage: { input: u.input, output: u.output, cacheRead: u.cacheRead, cacheWrite: u.cacheWrite, reasoning: u.reasoning },
    at: span.startTimeUs / 1000,
  };
}
