/** Tool-call spans (an LLM agent's function calls), in any convention. */
import type { Span } from "../domain/trace.js";
import { TOOL_SPAN_RULES } from "./conventions.js";
import { toolSpan } from "./normalize.js";

/** The attribute keys the tool-span rules read (the rule keys and the tool-name keys). */
export const TOOL_SPAN_KEYS: readonly string[] = Object.freeze([...new Set(TOOL_SPAN_RULES.flatMap((r) => [r.key, ...r.name]))]);

export function isToolSpan(span: Span): boolean {
  return toolSpan(span) !== undefined;
}
