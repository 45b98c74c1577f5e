/** Pieces shared by the LLM analytics tools. */
import type { Span, Trace } from "../domain/trace.js";
import { parseLlmSpan, responseFirstModel, type LlmAttributes } from "../genai/llm-span.js";
import { skippedSchema } from "./summaries.js";

export interface LlmCall {
  span: Span;
  llm: LlmAttributes;
}

/** LLM spans of a trace that parse, in span order. */
export function llmCalls(trace: Trace): LlmCall[] {
  const out: LlmCall[] = [];
  for (const span of trace.spans) {
    const llm = parseLlmSpan(span);
    if (llm) out.push({ span, llm });
  }
  return out;
}

/** The model name the LLM tools group by: the model that answered, else the one requested. */
export function modelKey(llm: LlmAttributes): string {
  return responseFirstModel(llm) ?? "unknown";
}

export const skippedOutput = { skipped: skippedSchema };


