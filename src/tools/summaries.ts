/** Output shapes shared by several tools (keys and order as in the original). */
import { z } from "zod";
import { formatTimeUs } from "../domain/time.js";
import { traceHasErrors, type Span, type Trace } from "../domain/trace.js";
import { isLlmSpan, parseLlmSpan, traceTotalTokens } from "../genai/llm-span.js";
import { coverageNote, type Coverage } from "../query/coverage.js";
import { windowOutput, type ResolvedWindow } from "../query/window.js";

export const statusSchema = z.enum(["OK", "ERROR", "UNSET"]);

/** The keys get_trace and analyze_trace open their answer with: which trace, its root, when, how long. */
export const traceHeaderShape = {
  trace_id: z.string(),
  service_name: z.string(),
  root_operation: z.string(),
  start_time: z.string(),
  duration_ms: z.number(),
  status: statusSchema,
  span_count: z.number().int(),
};

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
    has_errors: traceHasErrors(trace),
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

export const coverageSchema = z
  .object({
    traces: z.number().int().optional().describe("Absent when the backend counted spans only."),
    spans: z.number().int().optional(),
    complete: z.boolean(),
    examined: z.number().int(),
    limit: z.number().int().optional(),
    skipped: z.number().int().optional(),
  })
  .describe("What the answer was computed from; complete=false means the window may hold more than was read.");

interface Meta {
  window?: ResolvedWindow;
  notes: readonly string[];
  skipped?: ReadonlyArray<{ trace_id: string; reason: string }>;
}

/** Adds the resolved window, and notes / skipped traces only when there are any. */
export function withMeta<T extends object>(body: T, meta: Meta): T & { window?: { start_time: string; end_time: string } } {
  return {
    ...body,
    ...(meta.window ? { window: windowOutput(meta.window) } : {}),
    ...(meta.notes.length > 0 ? { notes: [...meta.notes] } : {}),
    ...(meta.skipped && meta.skipped.length > 0 ? { skipped: [...meta.skipped] } : {}),
  };
}

/** withMeta for aggregates: also states the coverage, and says so in the notes when it is partial. */
export function withCoverage<T extends object>(body: T, found: Meta & { coverage: Coverage }, what?: string): T & { coverage: Coverage } {
  const note = coverageNote(found.coverage, what);
  return { ...withMeta(body, { ...found, notes: note ? [...found.notes, note] : found.notes }), coverage: found.coverage };
}

