/** Tool-call spans (an LLM agent's function calls), as OpenLLMetry marks them. */
import type { Span } from "../domain/trace.js";
import { ATTR, SPAN_KIND_TOOL } from "./semconv.js";

export function isToolSpan(span: Span): boolean {
  return span.attributes[ATTR.SPAN_KIND] === SPAN_KIND_TOOL || span.attributes["gen_ai.operation.name"] === "execute_tool";
}
