import { z } from "zod";
import { attrString } from "../domain/attributes.js";
import type { Span } from "../domain/trace.js";
import { isLlmSpan, parseLlmSpan, requestFirstModel } from "../genai/llm-span.js";
import { fitList, truncatedSchema } from "./budget.js";
import { defineTool } from "./define-tool.js";
import { traceLinks } from "./links.js";
import * as p from "./params.js";
import { eq } from "../domain/filter.js";
import { findTraces } from "../query/search.js";
import { notesSchema, traceSummary, traceSummarySchema, withMeta, windowSchema } from "./summaries.js";

const STACK_CHARS = 500;

const errorSpanSchema = z.object({
  span_id: z.string(),
  operation_name: z.string(),
  service_name: z.string(),
  status: z.string(),
  error_message: z.string(),
  error_type: z.string().optional(),
  stack_trace: z.string().optional(),
  is_llm_error: z.boolean().optional(),
  llm_provider: z.string().nullable().optional(),
  llm_model: z.string().nullable().optional(),
});

/** Reads an error detail from attributes, then from OTel `exception` events (where SDKs record it). */
function errorDetail(span: Span, attrKeys: readonly string[], eventKey: string): string | undefined {
  for (const key of attrKeys) {
    const v = attrString(span.attributes, key);
    if (v) return v;
  }
  for (const e of span.events) {
    if (e.name !== "exception") continue;
    const v = attrString(e.attributes, eventKey);
    if (v) return v;
  }
  return undefined;
}

function errorSpan(span: Span): z.infer<typeof errorSpanSchema> {
  const message =
    errorDetail(span, ["error.message", "exception.message"], "exception.message") ??
    // OTLP carries the status message as a field (the local store, Tempo); Jaeger as a tag.
    (span.statusMessage || undefined) ??
    attrString(span.attributes, "otel.status_description") ??
    "Unknown error";
  const out: z.infer<typeof errorSpanSchema> = {
    span_id: span.spanId,
    operation_name: span.operationName,
    service_name: span.serviceName,
    status: span.status,
    error_message: message,
  };
  const type = errorDetail(span, ["error.type", "exception.type"], "exception.type");
  if (type) out.error_type = type;
  const stack = errorDetail(span, ["exception.stacktrace"], "exception.stacktrace");
  if (stack) out.stack_trace = stack.length > STACK_CHARS ? `${stack.slice(0, STACK_CHARS)}...` : stack;
  if (isLlmSpan(span)) {
    const llm = parseLlmSpan(span);
    out.is_llm_error = true;
    out.llm_provider = llm?.system ?? null;
    out.llm_model = (llm && requestFirstModel(llm)) ?? null;
  }
  return out;
}

export const findErrors = defineTool({
  name: "find_errors",
  title: "Find error traces",
  description:
    "Traces with error spans, newest first: each error span's message, type, stack trace (cut) and, for LLM calls, provider and model.",
  input: z.strictObject({
    start_time: p.startTime,
    end_time: p.endTime,
    service_name: p.serviceName,
    limit: p.limit(100, "error traces"),
  }),
  output: z.object({
    count: z.number().int(),
    error_traces: z.array(traceSummarySchema.extend({ error_spans: z.array(errorSpanSchema) })),
    truncated: truncatedSchema,
    window: windowSchema,
    notes: notesSchema,
  }),
  errorPrefix: "Failed to find error traces",
  fit: (result, max) => fitList(result, "error_traces", max, "Use a smaller time window, a service_name or a lower limit to see the rest."),
  links: traceLinks("error_traces"),
  async run(args, ctx) {
    const window = p.parseWindow(args, ctx.now());
    const filters = [...(args.service_name ? [eq("service.name", args.service_name)] : []), eq("status", "ERROR")];
    const found = await findTraces(ctx, { ...window, limit: args.limit, filters, mode: "newest" });
    const errorTraces = found.items.map((t) => ({
      ...traceSummary(t),
      error_spans: t.spans.filter((s) => s.status === "ERROR").map(errorSpan),
    }));
    return withMeta({ count: errorTraces.length, error_traces: errorTraces }, found);
  },
});
