/**
 * The attribute keys the normaliser reads to recognise and measure an LLM call (not its messages),
 * derived from the mapping table so the two cannot drift. A backend projection that carries these
 * (TraceQL `select`, see src/query/llm-projection.ts) gives the LLM analytics the same calls,
 * providers, models, tokens, request parameters and finish reasons as whole spans would.
 *
 * What a projection of these keys cannot carry: span events (finish reasons and time to first
 * token are read from them only when no attribute holds them) and the gen_ai.usage.* counters
 * outside the table, which the original-fidelity rule sums when a span records no total
 * (legacy-tokens.ts). Neither occurs in any convention's current instrumentation.
 */
import { CONVENTION_KEYS, CONVENTION_MARKERS, GEN_AI_CALL_KEYS, SESSION_KEYS, TOKEN_ADJUSTMENTS, TOKEN_FIELDS, USER_KEYS } from "./conventions.js";
import { FINISH_REASON_KEYS } from "./finish-reasons.js";

/** A span that carries none of these belongs to no convention, so it is never an LLM call. */
export const LLM_CALL_MARKER_KEYS: readonly string[] = Object.freeze([...new Set([...Object.values(CONVENTION_MARKERS).flat(), ...GEN_AI_CALL_KEYS])]);

/** Keys read outside the table (normalize.ts): request parameters, streaming, time to first token, finish reasons. */
const CALL_DETAIL_KEYS = [
  "gen_ai.request.temperature",
  "gen_ai.request.top_p",
  "gen_ai.request.max_tokens",
  "gen_ai.request.stream",
  "gen_ai.request.is_streaming",
  "gen_ai.is_streaming",
  "llm.is_streaming",
  "llm.invocation_parameters",
  "gen_ai.response.time_to_first_chunk",
  "ai.response.msToFirstChunk",
  "ai.stream.msToFirstChunk",
  ...FINISH_REASON_KEYS,
  // Finish reasons of the current semconv live on the output messages.
  "gen_ai.output.messages",
];

/** Every key the normaliser reads for a call: markers, the table's keys, the token-rule guards, sessions, users, details. */
export const LLM_CALL_ATTRIBUTE_KEYS: readonly string[] = Object.freeze([
  ...new Set([
    ...LLM_CALL_MARKER_KEYS,
    ...Object.values(CONVENTION_KEYS).flatMap((k) => [
      ...k.provider,
      ...k.requestModel,
      ...k.responseModel,
      ...k.operation.map((o) => o.key),
      ...TOKEN_FIELDS.flatMap((f) => k.tokens[f]),
    ]),
    ...TOKEN_ADJUSTMENTS.flatMap((a) => a.unlessAnyKeyPresent),
    ...SESSION_KEYS,
    ...USER_KEYS,
    ...CALL_DETAIL_KEYS,
  ]),
]);

/**
 * Span events the normaliser reads for a call, when no attribute holds the value: the deprecated
 * gen_ai.choice and the operation-details event (finish reasons, finish-reasons.ts), and the AI
 * SDK's first-chunk event (time to first token, normalize.ts). A projection that keeps these
 * events reads calls exactly as whole spans do.
 */
export const LLM_CALL_EVENT_NAMES: readonly string[] = Object.freeze(["gen_ai.choice", "gen_ai.client.inference.operation.details", "ai.stream.firstChunk"]);

/** Indexed keys the normaliser reads besides LLM_CALL_ATTRIBUTE_KEYS (finish-reasons.ts COMPLETION_FINISH), as a regular expression. */
export const LLM_CALL_KEY_PATTERN = "^gen_ai\\.completion\\.[0-9]+\\.finish_reason$";
