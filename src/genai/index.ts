/** The GenAI normaliser's public surface (see README "GenAI conventions"). */
export * from "./conventions.js";
export { normalizeProvider, WELL_KNOWN_PROVIDERS } from "./providers.js";
export { normalizeSpan, isLlmCall, spanConvention, spanOperation, toolSpan, type LlmCall, type ToolSpan, type Tokens } from "./normalize.js";
export { genaiFieldValue, isNormalizedGenAiField, NORMALIZED_GENAI_FIELDS, type NormalizedGenAiField } from "./fields.js";
export { genaiSqlExpression, type SqlDialect } from "./sql.js";
export { sessionIdOf, userIdOf, traceSessionId, traceUserId } from "./sessions.js";
export { FINISH_REASONS, normalizeFinishReason, type FinishReason } from "./finish-reasons.js";
export {
  isLlmSpan,
  llmSpans,
  parseLlmSpan,
  requestFirstModel,
  responseFirstModel,
  tokenCounts,
  traceTotalTokens,
  UNKNOWN_PROVIDER,
  type LlmAttributes,
  type TokenCounts,
} from "./llm-span.js";
