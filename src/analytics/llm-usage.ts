/**
 * The LLM view the analytics need of a span: provider, model and token usage in the semconv sense
 * (input includes cache reads and writes, output includes reasoning). Read through src/genai (the
 * only reader of raw GenAI attributes); null for a span that is not an LLM call.
 */
import type { Span } from "../domain/trace.js";
import type { CostCall } from "../genai/cost-summary.js";
import { responseFirstModel, type LlmAttributes } from "../genai/llm-span.js";
import { normalizeSpan } from "../genai/normalize.js";

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
  const call = normalizeSpan(span);
  if (!call) return undefined;
  const t = call.tokens;
  return {
    provider: call.provider ?? "unknown",
    model: call.model,
    requestModel: call.requestModel,
    responseModel: call.responseModel,
    input: t.input ?? 0,
    output: t.output ?? 0,
    cacheRead: t.cacheRead ?? 0,
    cacheWrite: t.cacheWrite ?? 0,
    reasoning: t.reasoning ?? 0,
    total: t.total ?? 0,
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

/** The call to price from the parser's reading (what the LLM tools hold; the same figures as costCallOf of its span). */
export function costCallOfLlm(llm: LlmAttributes, startTimeUs: number): CostCall {
  return {
    model: responseFirstModel(llm) ?? null,
    provider: llm.system,
    usage: {
      input: llm.prompt_tokens ?? 0,
      output: llm.completion_tokens ?? 0,
      cacheRead: llm.cache_read_tokens ?? 0,
      cacheWrite: llm.cache_write_tokens ?? 0,
      reasoning: llm.reasoning_tokens ?? 0,
    },
    at: startTimeUs / 1000,
  };
}
