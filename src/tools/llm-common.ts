/** Pieces shared by the LLM analytics tools. */
import type { LlmCallRecord } from "../backends/trace-backend.js";
import { responseFirstModel, type LlmAttributes } from "../genai/llm-span.js";
import { callsOf } from "../query/llm-calls.js";
import { skippedSchema } from "./summaries.js";

/** An LLM call as the tools read it: its span (identity, timing, status) and the parser's reading. */
export type LlmCall = LlmCallRecord;

/** LLM spans of a trace that parse, in span order. */
export const llmCalls = callsOf;

/** The model name the LLM tools group by: the model that answered, else the one requested. */
export function modelKey(llm: LlmAttributes): string {
  return responseFirstModel(llm) ?? "unknown";
}

export const skippedOutput = { skipped: skippedSchema };


