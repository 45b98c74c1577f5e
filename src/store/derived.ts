/**
 * Per-span LLM columns, computed once when a span is written (by the genai parser itself, so SQL
 * and the tools agree by construction) instead of re-deriving them from the attribute map in
 * every query: group-bys over a million spans then read a few narrow columns.
 *
 * This is the extension point for the GenAI normaliser: when it grows, add columns here and in
 * schema.ts EXTRA_COLUMNS with a `fallback` for segments written before the column existed (the
 * catalog reads each segment's columns and fills the missing ones from it, catalog.ts).
 */
import type { Span } from "../domain/trace.js";
import { isLlmSpan, parseLlmSpan, responseFirstModel, type LlmAttributes } from "../genai/llm-span.js";

export interface DerivedColumns {
  /** isLlmSpan: the span names its provider (what llm_span_count counts). */
  IsLlm: boolean;
  /** parseLlmSpan(span).system; the Llm* columns are NULL when the span does not parse. */
  LlmProvider: string | null;
  LlmRequestModel: string | null;
  LlmResponseModel: string | null;
  /** Response model, else request model (responseFirstModel). */
  LlmModel: string | null;
  /** Parsed token counts; NULL when zero or unknown, as parseLlmSpan leaves them unset. */
  LlmInputTokens: number | null;
  LlmOutputTokens: number | null;
  /** What total_tokens sums per span (traceTotalTokens). */
  LlmTotalTokens: number | null;
  /** Parsed cache reads, cache writes (both part of the input) and reasoning (part of the output), for cost in dollars; NULL when zero or unknown. */
  LlmCacheReadTokens: number | null;
  LlmCacheWriteTokens: number | null;
  LlmReasoningTokens: number | null;
  LlmFinishReasons: string[] | null;
  /**
   * The parser's whole reading of the call (LlmAttributes without the prompt/completion previews
   * and tool-call names, which no aggregate reads) as JSON: the LLM tools read calls from this
   * column alone, exactly as they would from the span.
   */
  LlmCall: string | null;
}

const NOT_LLM: Omit<DerivedColumns, "IsLlm"> = {
  LlmProvider: null,
  LlmRequestModel: null,
  LlmResponseModel: null,
  LlmModel: null,
  LlmInputTokens: null,
  LlmOutputTokens: null,
  LlmTotalTokens: null,
  LlmCacheReadTokens: null,
  LlmCacheWriteTokens: null,
  LlmReasoningTokens: null,
  LlmFinishReasons: null,
  LlmCall: null,
};

/** What the LLM tools read of a call; the rest (message previews, tool-call names) stays on the span. */
export function callColumn(llm: LlmAttributes): string {
  const { prompt_preview: _p, completion_preview: _c, tool_calls: _t, ...kept } = llm;
  return JSON.stringify(kept);
}

export function deriveColumns(span: Span): DerivedColumns {
  const isLlm = isLlmSpan(span);
  const llm = isLlm ? parseLlmSpan(span) : undefined;
  if (!llm) return { IsLlm: isLlm, ...NOT_LLM };
  return {
    IsLlm: true,
    LlmProvider: llm.system,
    LlmRequestModel: llm.request_model ?? null,
    LlmResponseModel: llm.response_model ?? null,
    LlmModel: responseFirstModel(llm) ?? null,
    LlmInputTokens: llm.prompt_tokens ?? null,
    LlmOutputTokens: llm.completion_tokens ?? null,
    LlmTotalTokens: llm.total_tokens ?? null,
    LlmCacheReadTokens: llm.cache_read_tokens ?? null,
    LlmCacheWriteTokens: llm.cache_write_tokens ?? null,
    LlmReasoningTokens: llm.reasoning_tokens ?? null,
    LlmFinishReasons: llm.finish_reasons ?? null,
    LlmCall: callColumn(llm),
  };
}
