/** Output shapes shared by several tools (keys and order as in the original). */
import { z } from "zod";
import { formatTimeUs } from "../domain/time.js";
import type { Span, Trace } from "../domain/trace.js";
import { isLlmSpan, parseLlmSpan, traceTotalTokens } from "../genai/llm-span.js";

export const statusSchema = z.enum(["OK", "ERROR", "UNSET"]);

export const traceSummarySchema = z.object({
  trace_id: z.string(),
  service_name: z.string().describe("Service of the root span."),
  operation_name: z.string().describe("Operation of the root span."),
  start_time: z.string().describe("ISO 8601, UTC."),
  duration_ms: z.number(),
  status: statusSchema,
  span_count: z.number().int(),
  llm_span_count: z.number().int(),
  total_tokens: z.number().int(),
  has_errors: z.boolean(),
});
export type TraceSummary = z.infer<typeof traceSummarySchema>;

export function traceSummary(trace: Trace): TraceSummary {
  return {
    trace_id: trace.traceId,
    service_name: trace.serviceName,
    operation_name: trace.rootOperation,
    start_time: formatTimeUs(trace.startTimeUs),
    duration_ms: trace.durationMs,
    status: trace.status,
    span_count: trace.spans.length,
    llm_span_count: trace.spans.filter(isLlmSpan).length,
    total_tokens: traceTotalTokens(trace),
    has_errors: trace.spans.some((s) => s.status === "ERROR"),
  };
}

export const spanSummarySchema = z.object({
  trace_id: z.string(),
  span_id: z.string(),
  parent_span_id: z.string().nullable(),
  operation_name: z.string(),
  service_name: z.string(),
  start_time: z.string().describe("ISO 8601, UTC."),
  duration_ms: z.number(),
  status: statusSchema,
  is_llm_span: z.boolean(),
  gen_ai_system: z.string().nullable(),
  total_tokens: z.number().int().nullable(),
});
export type SpanSummary = z.infer<typeof spanSummarySchema>;

export function spanSummary(span: Span): SpanSummary {
  const llm = parseLlmSpan(span);
  return {
    trace_id: span.traceId,
    span_id: span.spanId,
    parent_span_id: span.parentSpanId,
    operation_name: span.operationName,
    service_name: span.serviceName,
    start_time: formatTimeUs(span.startTimeUs),
    duration_ms: span.durationMs,
    status: span.status,
    is_llm_span: isLlmSpan(span),
    gen_ai_system: llm?.system ?? null,
    total_tokens: llm?.total_tokens ?? null,
  };
}

/** Optional keys every tool may add: they appear only when there is something to say. */
export const notesSchema = z
  .array(z.string())
  .optional()
  .describe("How the answer was obtained: default time windows, filters applied by this server, cuts, skipped traces.");

export const skippedSchema = z
  .array(z.object({ trace_id: z.string(), reason: z.string() }))
  .optional()
  .describe("Traces that could not be fetched and were left out of the answer, with the reason.");

export const windowSchema = z
  .object({ start_time: z.string(), end_time: z.string() })
  .optional()
  .describe("The absolute time window that was searched (defaults applied).");

/** Adds the resolved window, and notes / skipped traces only when there are any. */
export function withMeta<T extends object>(
  body: T,
  meta: { window?: { start_time: string; end_time: string }; notes: readonly string[]; skipped?: ReadonlyArray<{ trace_id: string; reason: string }> },
): T {
  return {
    ...body,
    ...(meta.window ? { window: meta.window } : {}),
    ...(meta.notes.length > 0 ? { notes: [...meta.notes] } : {}),
    ...(meta.skipped && meta.skipped.length > 0 ? { skipped: [...meta.skipped] } : {}),
  };
}

