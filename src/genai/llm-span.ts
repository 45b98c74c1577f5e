/**
 * The OpenLLMetry attribute parser: the only reader of raw gen_ai.* / llm.* attributes.
 * Mirrors the original's LLMSpanAttributes.from_span (first-truthy token fallbacks, previews
 * from events) with these changes: the same quantity reported under two names
 * (prompt_tokens + input_tokens, completion_tokens + output_tokens) is counted once in the
 * total, booleans are never counted as tokens, gen_ai.provider.name is accepted when gen_ai.system
 * is absent or empty, finish reasons may be a JSON-array or comma string, and the previews fall back
 * to the gen_ai.prompt.0.content / gen_ai.completion.0.content span attributes.
 */
import { attrBool, attrInt, attrNumber, attrString, attrStringList, type Attributes } from "../domain/attributes.js";
import type { Span, Trace } from "../domain/trace.js";
import { ATTR, EVENT } from "./semconv.js";

/** Key order is the output order of get_trace's llm_attributes. */
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
  prompt_tokens?: number;
  completion_tokens?: number;
  total_tokens?: number;
  prompt_preview?: string;
  completion_preview?: string;
}

const PREVIEW_CHARS = 100;

/** A span is an LLM span when it names its provider (gen_ai.system, or the newer gen_ai.provider.name). */
export function isLlmSpan(span: Span): boolean {
  return span.attributes[ATTR.SYSTEM] != null || span.attributes[ATTR.PROVIDER_NAME] != null;
}

function firstPositive(attrs: Attributes, keys: readonly string[]): number {
  for (const key of keys) {
    const v = attrInt(attrs, key);
    if (v) return v;
  }
  return 0;
}

/**
 * Keys that report the same quantity under two names (OpenAI-style and Anthropic-style). Each pair
 * contributes once to the sum, with the value the prompt/completion count itself uses (the first
 * non-zero integer of the pair), so a zero or non-integer prompt_tokens does not hide input_tokens.
 */
const TOKEN_PAIRS: ReadonlyArray<readonly [string, string]> = [
  [ATTR.PROMPT_TOKENS, ATTR.INPUT_TOKENS],
  [ATTR.COMPLETION_TOKENS, ATTR.OUTPUT_TOKENS],
];
const PAIRED_KEYS: ReadonlySet<string> = new Set(TOKEN_PAIRS.flat());

/** An integer counter as the sum counts it: a JSON integer (booleans, floats and numeric strings are not). */
function integerCounter(value: unknown): number | undefined {
  return typeof value === "number" && Number.isInteger(value) ? value : undefined;
}

function sumUsageCounters(attrs: Attributes): number {
  let sum = 0;
  for (const [key, value] of Object.entries(attrs)) {
    if (!key.startsWith(ATTR.USAGE_PREFIX) || key === ATTR.TOTAL_TOKENS || PAIRED_KEYS.has(key)) continue;
    sum += integerCounter(value) ?? 0;
  }
  for (const pair of TOKEN_PAIRS) {
    for (const key of pair) {
      const v = integerCounter(attrs[key]);
      if (v) {
        sum += v;
        break;
      }
    }
  }
  return sum;
}

export interface TokenCounts {
  prompt: number;
  completion: number;
  total: number;
}

/** Token counts of one span (0 when unknown), by the original's rule with the double count fixed. */
export function tokenCounts(attrs: Attributes): TokenCounts {
  const prompt = firstPositive(attrs, [ATTR.PROMPT_TOKENS, ATTR.INPUT_TOKENS, ATTR.LEGACY_PROMPT_TOKENS, ATTR.LEGACY_INPUT_TOKENS]);
  const completion = firstPositive(attrs, [
    ATTR.COMPLETION_TOKENS,
    ATTR.OUTPUT_TOKENS,
    ATTR.LEGACY_COMPLETION_TOKENS,
    ATTR.LEGACY_OUTPUT_TOKENS,
  ]);
  let total = firstPositive(attrs, [ATTR.TOTAL_TOKENS, ATTR.LEGACY_TOTAL_TOKENS]);
  if (!total) {
    const sum = sumUsageCounters(attrs);
    total = sum > 0 ? sum : prompt + completion;
  }
  return { prompt, completion, total };
}

function truncatePreview(text: string): string {
  const chars = Array.from(text);
  return chars.length > PREVIEW_CHARS ? `${chars.slice(0, PREVIEW_CHARS).join("")}...` : text;
}

function preview(span: Span, eventName: string, key: string): string | undefined {
  let found: string | undefined;
  for (const event of span.events) {
    if (event.name !== eventName) continue;
    const v = event.attributes[key];
    if (typeof v === "string" && v !== "") found = v; // last match wins, as in the original
  }
  // OpenLLMetry usually records content as span attributes rather than events.
  if (found === undefined) {
    const v = span.attributes[key];
    if (typeof v === "string" && v !== "") found = v;
  }
  return found === undefined ? undefined : truncatePreview(found);
}

function finishReasons(attrs: Attributes): string[] | undefined {
  for (const key of [ATTR.FINISH_REASONS, ATTR.LEGACY_FINISH_REASONS]) {
    const list = attrStringList(attrs, key);
    if (list && list.length > 0) return list;
  }
  return undefined;
}

/** Parsed LLM attributes of a span, or undefined when the span is not an LLM call. */
export function parseLlmSpan(span: Span): LlmAttributes | undefined {
  if (!isLlmSpan(span)) return undefined;
  const attrs = span.attributes;
  // An empty gen_ai.system names no provider, so gen_ai.provider.name may still name it.
  const system = attrString(attrs, ATTR.SYSTEM) || attrString(attrs, ATTR.PROVIDER_NAME);
  if (!system) return undefined;
  const tokens = tokenCounts(attrs);
  const out: LlmAttributes = { system, is_streaming: false };
  const set = <K extends keyof LlmAttributes>(key: K, value: LlmAttributes[K] | undefined): void => {
    if (value !== undefined && value !== null) out[key] = value;
  };
  set("request_model", attrString(attrs, ATTR.REQUEST_MODEL));
  set("response_model", attrString(attrs, ATTR.RESPONSE_MODEL));
  set("operation_name", attrString(attrs, ATTR.OPERATION_NAME));
  set("temperature", attrNumber(attrs, ATTR.TEMPERATURE));
  set("top_p", attrNumber(attrs, ATTR.TOP_P));
  set("max_tokens", attrInt(attrs, ATTR.MAX_TOKENS));
  out.is_streaming = attrBool(attrs, ATTR.IS_STREAMING) ?? false;
  set("finish_reasons", finishReasons(attrs));
  set("prompt_tokens", tokens.prompt || undefined);
  set("completion_tokens", tokens.completion || undefined);
  set("total_tokens", tokens.total || undefined);
  set("prompt_preview", preview(span, EVENT.PROMPT, ATTR.PROMPT_CONTENT));
  set("completion_preview", preview(span, EVENT.COMPLETION, ATTR.COMPLETION_CONTENT));
  // Re-order so keys follow the original model's field order (is_streaming sits mid-list); the
  // object starts empty because re-assigning an existing key does not move it.
  const ordered: Record<string, unknown> = {};
  for (const key of LLM_KEY_ORDER) {
    const value = out[key];
    if (value !== undefined) ordered[key] = value;
  }
  return ordered as unknown as LlmAttributes;
}

const LLM_KEY_ORDER: ReadonlyArray<keyof LlmAttributes> = [
  "system",
  "request_model",
  "response_model",
  "operation_name",
  "temperature",
  "top_p",
  "max_tokens",
  "is_streaming",
  "finish_reasons",
  "prompt_tokens",
  "completion_tokens",
  "total_tokens",
  "prompt_preview",
  "completion_preview",
];

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

/** Sum of the parsed totals of a trace's LLM spans. */
export function traceTotalTokens(trace: Trace): number {
  let total = 0;
  for (const span of trace.spans) {
    const llm = parseLlmSpan(span);
    if (llm?.total_tokens) total += llm.total_tokens;
  }
  return total;
}
