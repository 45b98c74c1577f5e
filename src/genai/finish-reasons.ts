/**
 * Finish reasons: the raw values as recorded (vendor spellings kept, e.g. Anthropic's "end_turn") and a
 * small normalised vocabulary so "why did generation stop" can be compared across providers.
 */
import { toStringList, type AttributeValue, type Attributes } from "../domain/attributes.js";
import type { SpanEvent } from "../domain/trace.js";
import { asciiLower } from "./providers.js";

export const FINISH_REASONS = ["stop", "length", "tool_calls", "content_filter", "error", "other"] as const;
export type FinishReason = (typeof FINISH_REASONS)[number];

/**
 * Vendor value (lower-cased, "-" read as "_") -> normalised. Sources: the semconv gen_ai.choice values
 * (stop, tool_calls, content_filter, length, error), OpenAI, Anthropic / Bedrock Converse (end_turn,
 * tool_use, max_tokens, stop_sequence, guardrail_intervened), Gemini (STOP, MAX_TOKENS, SAFETY, ...),
 * Cohere (COMPLETE, TOOL_CALL, ERROR_TOXIC, ...), Mistral (model_length) and the AI SDK (tool-calls,
 * content-filter, other, unknown). Anything else is "other".
 */
export const FINISH_REASON_VALUES: Readonly<Record<string, FinishReason>> = {
  stop: "stop",
  end_turn: "stop",
  stop_sequence: "stop",
  complete: "stop",
  eos: "stop",
  length: "length",
  max_tokens: "length",
  model_length: "length",
  error_limit: "length",
  tool_calls: "tool_calls",
  tool_call: "tool_calls",
  tool_use: "tool_calls",
  function_call: "tool_calls",
  content_filter: "content_filter",
  content_filtered: "content_filter",
  safety: "content_filter",
  recitation: "content_filter",
  blocklist: "content_filter",
  prohibited_content: "content_filter",
  spii: "content_filter",
  refusal: "content_filter",
  guardrail_intervened: "content_filter",
  error_toxic: "content_filter",
  error: "error",
  malformed_function_call: "error",
};

export function normalizeFinishReason(raw: string): FinishReason {
  return FINISH_REASON_VALUES[asciiLower(raw).replace(/-/g, "_")] ?? "other";
}

/** Keys holding a list (or one value) of finish reasons, first non-empty wins (then gen_ai.output.messages, then events). */
export const FINISH_REASON_KEYS = [
  "gen_ai.response.finish_reasons",
  "llm.response.finish_reasons",
  "ai.response.finishReason",
  "llm.finish_reason",
  "gen_ai.response.finish_reason",
  "llm.response.finish_reason",
] as const;

const COMPLETION_FINISH = /^gen_ai\.completion\.(\d+)\.finish_reason$/;

function nonEmpty(list: string[] | undefined): string[] | undefined {
  const kept = list?.filter((s) => s !== "");
  return kept && kept.length > 0 ? kept : undefined;
}

/** finish_reason of each message in a gen_ai.output.messages value (deprecated there, still emitted). */
function fromOutputMessages(value: AttributeValue | undefined): string[] | undefined {
  let parsed: unknown = value;
  if (typeof value === "string") {
    try {
      parsed = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  if (!Array.isArray(parsed)) return undefined;
  return nonEmpty(parsed.map((m) => (m && typeof m === "object" && typeof (m as { finish_reason?: unknown }).finish_reason === "string" ? String((m as { finish_reason: string }).finish_reason) : "")));
}

/** finish_reason of gen_ai.choice events (deprecated), or of the output messages on the operation-details event. */
function fromEvents(events: readonly SpanEvent[]): string[] | undefined {
  const reasons: string[] = [];
  for (const e of events) {
    if (e.name === "gen_ai.choice" && typeof e.attributes.finish_reason === "string" && e.attributes.finish_reason !== "") {
      reasons.push(e.attributes.finish_reason);
    } else if (e.name === "gen_ai.client.inference.operation.details") {
      reasons.push(...(fromOutputMessages(e.attributes["gen_ai.output.messages"]) ?? []));
    }
  }
  return reasons.length > 0 ? reasons : undefined;
}

/** Raw finish reasons of a span, or undefined when none is recorded. */
export function rawFinishReasons(attrs: Attributes, events: readonly SpanEvent[] = []): string[] | undefined {
  for (const key of FINISH_REASON_KEYS) {
    const list = nonEmpty(toStringList(attrs[key]));
    if (list) return list;
  }
  const indexed: Array<[number, string]> = [];
  for (const [key, value] of Object.entries(attrs)) {
    const m = COMPLETION_FINISH.exec(key);
    if (m && typeof value === "string" && value !== "") indexed.push([Number(m[1]), value]);
  }
  if (indexed.length > 0) return indexed.sort((a, b) => a[0] - b[0]).map(([, v]) => v);
  return fromOutputMessages(attrs["gen_ai.output.messages"]) ?? fromEvents(events);
}
