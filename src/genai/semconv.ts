/**
 * The keys the original Python server read (OpenLLMetry). Kept for the fidelity rule (legacy-tokens.ts)
 * and existing importers; everything else reads GenAI values through the normaliser (normalize.ts,
 * fields.ts), whose mapping table (conventions.ts) covers every convention.
 */
export const ATTR = {
  SYSTEM: "gen_ai.system",
  PROVIDER_NAME: "gen_ai.provider.name",
  REQUEST_MODEL: "gen_ai.request.model",
  RESPONSE_MODEL: "gen_ai.response.model",
  OPERATION_NAME: "gen_ai.operation.name",
  TEMPERATURE: "gen_ai.request.temperature",
  TOP_P: "gen_ai.request.top_p",
  MAX_TOKENS: "gen_ai.request.max_tokens",
  IS_STREAMING: "gen_ai.request.is_streaming",
  FINISH_REASONS: "gen_ai.response.finish_reasons",
  USAGE_PREFIX: "gen_ai.usage.",
  PROMPT_TOKENS: "gen_ai.usage.prompt_tokens",
  INPUT_TOKENS: "gen_ai.usage.input_tokens",
  COMPLETION_TOKENS: "gen_ai.usage.completion_tokens",
  OUTPUT_TOKENS: "gen_ai.usage.output_tokens",
  TOTAL_TOKENS: "gen_ai.usage.total_tokens",
  LEGACY_PROMPT_TOKENS: "llm.usage.prompt_tokens",
  LEGACY_INPUT_TOKENS: "llm.usage.input_tokens",
  LEGACY_COMPLETION_TOKENS: "llm.usage.completion_tokens",
  LEGACY_OUTPUT_TOKENS: "llm.usage.output_tokens",
  LEGACY_TOTAL_TOKENS: "llm.usage.total_tokens",
  LEGACY_FINISH_REASONS: "llm.response.finish_reasons",
  PROMPT_CONTENT: "gen_ai.prompt.0.content",
  COMPLETION_CONTENT: "gen_ai.completion.0.content",
  SPAN_KIND: "traceloop.span.kind",
} as const;

export const EVENT = {
  PROMPT: "gen_ai.content.prompt",
  COMPLETION: "gen_ai.content.completion",
} as const;

/** Value of traceloop.span.kind on tool-call spans. */
export const SPAN_KIND_TOOL = "tool";
