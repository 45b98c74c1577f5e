/**
 * The original Python server's token numbers, kept for fidelity checks and comparison: prompt and
 * completion are the first non-zero integer of the OpenAI-style, Anthropic-style and llm.usage.* names;
 * total is gen_ai.usage.total_tokens / llm.usage.total_tokens, else the sum of every integer
 * gen_ai.usage.* counter, else prompt + completion. One fix over the original: a quantity reported
 * under two names (prompt_tokens + input_tokens, completion_tokens + output_tokens) enters the sum once.
 *
 * The normalised view (read.ts) differs where the sum counts cache and reasoning tokens a second time
 * (OpenLLMetry already includes them in prompt/completion): there total = input + output.
 */
import { attrInt, type Attributes } from "../domain/attributes.js";
import { ATTR } from "./semconv.js";

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
