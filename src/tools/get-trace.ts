import { z } from "zod";
import { traceTree } from "../analytics/trace-tree.js";
import { formatTimeUs } from "../domain/time.js";
import { traceHasErrors } from "../domain/trace.js";
import { CONVENTIONS } from "../genai/conventions.js";
import { isLlmSpan, parseLlmSpan, requestFirstModel, traceTotalTokens } from "../genai/llm-span.js";
import { withheldNote } from "../access/scope.js";
import { fetchVisibleTrace } from "../query/fetch-traces.js";
import { fitTrace, truncatedSchema } from "./budget.js";
import { defineTool } from "./define-tool.js";
import { notesSchema, statusSchema, traceHeaderShape } from "./summaries.js";
import * as p from "./params.js";

const llmAttributesSchema = z.object({
  system: z.string(),
  request_model: z.string().optional(),
  response_model: z.string().optional(),
  operation_name: z.string().optional(),
  temperature: z.number().optional(),
  top_p: z.number().optional(),
  max_tokens: z.number().int().optional(),
  is_streaming: z.boolean(),
  finish_reasons: z.array(z.string()).optional(),
  prompt_tokens: z.number().int().optional(),
  completion_tokens: z.number().int().optional(),
  total_tokens: z.number().int().optional(),
  cache_read_tokens: z.number().int().optional(),
  cache_write_tokens: z.number().int().optional(),
  reasoning_tokens: z.number().int().optional(),
  prompt_preview: z.string().optional(),
  completion_preview: z.string().optional(),
  time_to_first_token_ms: z.number().optional(),
  tool_calls: z.array(z.string()).optional(),
  convention: z.enum(CONVENTIONS).describe("The GenAI convention the attributes were read from."),
});

const spanSchema = z.object({
  span_id: z.string(),
  parent_span_id: z.string().nullable(),
  depth: z.number().int().describe("0 for a root; a child is one deeper than its parent."),
  operation_name: z.string(),
  service_name: z.string(),
  start_time: z.string(),
  duration_ms: z.number(),
  status: statusSchema,
  attributes: z.record(z.string(), z.unknown()),
  llm_attributes: llmAttributesSchema.optional(),
});

export const getTrace = defineTool({
  name: "get_trace",
  title: "Get one trace",
  description:
    "One trace by id: every span in tree order (depth, parent, service, operation, timing, status, attributes; LLM spans " +
    "also provider, models, tokens incl. cache/reasoning, finish reasons, previews, convention) and an llm_summary.",
  input: z.strictObject({
    trace_id: p.traceId,
  }),
  output: z.object({
    ...traceHeaderShape,
    has_errors: z.boolean(),
    spans: z.array(spanSchema),
    llm_summary: z
      .object({ llm_span_count: z.number().int(), total_tokens: z.number().int(), models_used: z.array(z.string()) })
      .optional(),
    truncated: truncatedSchema,
    notes: notesSchema,
  }),
  errorPrefix: "Failed to fetch trace",
  fit: (result, max) => fitTrace(result, max),
  async run(args, ctx) {
    const { trace, withheld } = await fetchVisibleTrace(await ctx.backend(), ctx.cache, args.trace_id.trim(), ctx.scope);
    const withheldText = withheldNote(withheld);
    const tree = traceTree(trace);
    const spans = tree.ordered.map((s) => {
      const llm = parseLlmSpan(s);
      return {
        span_id: s.spanId,
        parent_span_id: s.parentSpanId,
        depth: tree.depth.get(s.spanId) ?? 0,
        operation_name: s.operationName,
        service_name: s.serviceName,
        start_time: formatTimeUs(s.startTimeUs),
        duration_ms: s.durationMs,
        status: s.status,
        attributes: { ...s.attributes },
        ...(llm ? { llm_attributes: llm } : {}),
      };
    });
    const llmSpans = trace.spans.filter(isLlmSpan);
    const models = new Set<string>();
    for (const s of llmSpans) {
      const llm = parseLlmSpan(s);
      const model = llm && requestFirstModel(llm);
      if (model) models.add(model);
    }
    return {
      trace_id: trace.traceId,
      service_name: trace.serviceName,
      root_operation: trace.rootOperation,
      start_time: formatTimeUs(trace.startTimeUs),
      duration_ms: trace.durationMs,
      status: trace.status,
      span_count: trace.spans.length,
      has_errors: traceHasErrors(trace),
      spans,
      ...(llmSpans.length > 0
        ? { llm_summary: { llm_span_count: llmSpans.length, total_tokens: traceTotalTokens(trace), models_used: [...models].sort() } }
        : {}),
      ...(withheldText ? { notes: [withheldText] } : {}),
    };
  },
});
