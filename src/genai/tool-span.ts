/** Tool-call spans (an LLM agent's function calls), in any convention. */
import type { Span } from "../domain/trace.js";
import { toolSpan } from "./normalize.js";

export function isToolSpan(span: Span): boolean {
  return toolSpan(span) !== undefined;
}
