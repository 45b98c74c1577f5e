/**
 * The projection the LLM analytics ask a search for (SearchRequest.select): every LLM span of each
 * trace, with the attributes the LLM-call parser reads, and every ERROR span so trace status stays
 * exact. On Tempo this turns "search, then fetch every trace by id" into one search.
 *
 * TODO(lead): the key lists belong to src/genai (the only reader of raw GenAI attributes). They
 * mirror src/genai/llm-span.ts as of this commit: isLlmSpan (gen_ai.system or gen_ai.provider.name
 * present) and the keys parseLlmSpan reads for the analytics (provider, models, operation, request
 * parameters, streaming, finish reasons, token counters). Replace them with the normaliser's
 * exported key lists once it has them (the convention markers as `spansWith`, every key it reads
 * for a call as `attributes`). Not carried: the prompt/completion previews (content attributes and
 * events), which no aggregate reads. Known gap of the current parser: a span without a recorded
 * total sums every integer gen_ai.usage.* counter; only the counters listed here are carried.
 */
import type { SpanProjection } from "../backends/trace-backend.js";
import { ATTR } from "../genai/semconv.js";

/** The token counters the total may be summed from, besides the prompt/completion pairs in ATTR. */
const EXTRA_USAGE_COUNTERS = [
  "gen_ai.usage.cache_read_input_tokens",
  "gen_ai.usage.cache_creation_input_tokens",
  "gen_ai.usage.cache_read.input_tokens",
  "gen_ai.usage.cache_creation.input_tokens",
  "gen_ai.usage.cache_write.input_tokens",
  "gen_ai.usage.reasoning_tokens",
  "gen_ai.usage.reasoning.output_tokens",
] as const;

export const LLM_CALL_PROJECTION: SpanProjection = Object.freeze({
  spansWith: Object.freeze([ATTR.SYSTEM, ATTR.PROVIDER_NAME]),
  errorSpans: true,
  attributes: Object.freeze([
    ATTR.SYSTEM,
    ATTR.PROVIDER_NAME,
    ATTR.REQUEST_MODEL,
    ATTR.RESPONSE_MODEL,
    ATTR.OPERATION_NAME,
    ATTR.TEMPERATURE,
    ATTR.TOP_P,
    ATTR.MAX_TOKENS,
    ATTR.IS_STREAMING,
    "gen_ai.is_streaming",
    "llm.is_streaming",
    ATTR.FINISH_REASONS,
    ATTR.LEGACY_FINISH_REASONS,
    ATTR.PROMPT_TOKENS,
    ATTR.INPUT_TOKENS,
    ATTR.COMPLETION_TOKENS,
    ATTR.OUTPUT_TOKENS,
    ATTR.TOTAL_TOKENS,
    ATTR.LEGACY_PROMPT_TOKENS,
    ATTR.LEGACY_INPUT_TOKENS,
    ATTR.LEGACY_COMPLETION_TOKENS,
    ATTR.LEGACY_OUTPUT_TOKENS,
    ATTR.LEGACY_TOTAL_TOKENS,
    ...EXTRA_USAGE_COUNTERS,
  ]),
});
