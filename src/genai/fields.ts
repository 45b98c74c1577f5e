/**
 * Normalised GenAI fields for filters and group-bys: `gen_ai.provider.name equals openai` matches an AI
 * SDK span whose raw attribute says "openai.chat", and `model` groups an OpenInference llm.model_name
 * with an OpenLLMetry gen_ai.response.model. sql.ts gives the same values in SQL.
 *
 * Scope: the call fields (provider, models, tokens) have a value only on LLM calls counted once, so an
 * AI SDK wrapper or an agent span never counts as a second call; gen_ai.operation.name is set on every
 * GenAI span (tool spans read execute_tool, agent spans invoke_agent); session.id and user.id on any span.
 */
import type { AttributeValue } from "../domain/attributes.js";
import type { Span } from "../domain/trace.js";
import { normalizeSpan, spanOperation, type LlmCall } from "./normalize.js";
import { sessionIdOf, userIdOf } from "./sessions.js";

export const NORMALIZED_GENAI_FIELDS = [
  "gen_ai.provider.name",
  "gen_ai.system",
  "gen_ai.request.model",
  "gen_ai.response.model",
  "model",
  "gen_ai.operation.name",
  "gen_ai.usage.input_tokens",
  "gen_ai.usage.output_tokens",
  "gen_ai.usage.total_tokens",
  "gen_ai.usage.cache_read.input_tokens",
  "gen_ai.usage.cache_write.input_tokens",
  "gen_ai.usage.reasoning.output_tokens",
  "session.id",
  "user.id",
] as const;
export type NormalizedGenAiField = (typeof NORMALIZED_GENAI_FIELDS)[number];

const FIELD_SET: ReadonlySet<string> = new Set(NORMALIZED_GENAI_FIELDS);

export function isNormalizedGenAiField(field: string): field is NormalizedGenAiField {
  return FIELD_SET.has(field);
}

/** What each call field reads from the view. */
const CALL_FIELDS: Readonly<Record<Exclude<NormalizedGenAiField, "gen_ai.operation.name" | "session.id" | "user.id">, (c: LlmCall) => string | number | undefined>> = {
  "gen_ai.provider.name": (c) => c.provider,
  "gen_ai.system": (c) => c.provider,
  "gen_ai.request.model": (c) => c.requestModel,
  "gen_ai.response.model": (c) => c.responseModel,
  model: (c) => c.model,
  "gen_ai.usage.input_tokens": (c) => c.tokens.input,
  "gen_ai.usage.output_tokens": (c) => c.tokens.output,
  "gen_ai.usage.total_tokens": (c) => c.tokens.total,
  "gen_ai.usage.cache_read.input_tokens": (c) => c.tokens.cacheRead,
  "gen_ai.usage.cache_write.input_tokens": (c) => c.tokens.cacheWrite,
  "gen_ai.usage.reasoning.output_tokens": (c) => c.tokens.reasoning,
};

/** The normalised value of a field on a span, or undefined when the span has none. */
export function genaiFieldValue(span: Span, field: NormalizedGenAiField): AttributeValue | undefined {
  switch (field) {
    case "session.id":
      return sessionIdOf(span.attributes);
    case "user.id":
      return userIdOf(span.attributes);
    case "gen_ai.operation.name":
      return spanOperation(span);
    default: {
      const call = normalizeSpan(span);
      return call === undefined ? undefined : CALL_FIELDS[field](call);
    }
  }
}
