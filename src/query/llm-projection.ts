/**
 * The projection the LLM analytics ask a search for (SearchRequest.select): every span of each
 * trace that belongs to a GenAI convention, with the attributes the normaliser reads for a call
 * (src/genai/call-keys.ts), and every ERROR span so trace status stays exact. On Tempo this turns
 * "search, then fetch every trace by id" into one search. Prompt and completion content is not
 * carried: no aggregate reads it.
 */
import type { SpanProjection } from "../backends/trace-backend.js";
import { LLM_CALL_ATTRIBUTE_KEYS, LLM_CALL_MARKER_KEYS } from "../genai/call-keys.js";

export const LLM_CALL_PROJECTION: SpanProjection = Object.freeze({
  spansWith: LLM_CALL_MARKER_KEYS,
  errorSpans: true,
  attributes: LLM_CALL_ATTRIBUTE_KEYS,
});
