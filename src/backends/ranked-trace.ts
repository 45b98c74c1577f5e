/** A row of the shared ranking plan (src/store/sql/rank.ts) as the contract's RankedTrace. */
import type { RankedRow } from "../store/sql/rank.js";
import type { RankedTrace } from "./trace-backend.js";

export function rankedTrace(t: RankedRow): RankedTrace {
  return {
    traceId: t.traceId,
    startTimeUs: t.startUs,
    durationMs: t.durationMs,
    llmCalls: t.calls,
    promptTokens: t.prompt,
    completionTokens: t.completion,
    totalTokens: t.total,
    models: t.models,
  };
}
