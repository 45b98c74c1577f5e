import { z } from "zod";
import { categoryOf, criticalPath, selfTimes, type SpanCategory } from "../analytics/critical-path.js";
import { costCallOf, llmUsageOf } from "../analytics/llm-usage.js";
import { formatTimeUs } from "../domain/time.js";
import { CostTally } from "../genai/cost-summary.js";
import { parseLlmSpan } from "../genai/llm-span.js";
import { withheldNote } from "../access/scope.js";
import { fetchVisibleTrace } from "../query/fetch-traces.js";
import { defineTool } from "./define-tool.js";
import * as p from "./params.js";
import { costMeta, costMetaSchema, unpricedNote } from "./cost-meta.js";
import { notesSchema, statusSchema, traceHeaderShape } from "./summaries.js";

const TOP_SELF_TIME = 10;
const CATEGORIES = ["llm", "tool", "db", "other"] as const;

export const analyzeTrace = defineTool({
  name: "analyze_trace",
  title: "Where a trace's time went",
  description:
    "Why one trace took its time and money: the critical path, time on it by category (llm, tool, db, other), top " +
    "self-time spans, and the LLM calls in order with model, tokens, duration, finish reason and dollars.",
  input: z.strictObject({ trace_id: p.traceId }),
  output: z.object({
    ...traceHeaderShape,
    critical_path: z.array(
      z.object({
        span_id: z.string(),
        operation_name: z.string(),
        service_name: z.string(),
        start_offset_ms: z.number(),
        duration_ms: z.number(),
        category: z.enum(CATEGORIES),
      }),
    ),
    time_breakdown: z.object({ llm_ms: z.number(), tool_ms: z.number(), db_ms: z.number(), other_ms: z.number() }),
    top_self_time: z.array(
      z.object({ span_id: z.string(), operation_name: z.string(), service_name: z.string(), self_time_ms: z.number(), duration_ms: z.number(), category: z.enum(CATEGORIES) }),
    ),
    llm_calls: z.array(
      z.object({
        span_id: z.string(),
        start_offset_ms: z.number(),
        provider: z.string(),
        model: z.string().nullable(),
        input_tokens: z.number(),
        output_tokens: z.number(),
        total_tokens: z.number(),
        duration_ms: z.number(),
        finish_reasons: z.array(z.string()).optional(),
        status: statusSchema,
        cost_usd: z.number().nullable(),
      }),
    ),
    cost_usd: z.number().nullable().describe("Sum over the priced LLM calls; null when none could be priced."),
    notes: notesSchema,
    ...costMetaSchema,
  }),
  errorPrefix: "Failed to analyze trace",
  async run(args, ctx) {
    const { trace, withheld } = await fetchVisibleTrace(await ctx.backend(), ctx.cache, args.trace_id, ctx.scope);
    const t0 = trace.startTimeUs;
    const path = criticalPath(trace);
    const breakdown: Record<SpanCategory, number> = { llm: 0, tool: 0, db: 0, other: 0 };
    const critical = path.map((seg) => {
      const category = categoryOf(seg.span);
      const ms = (seg.endUs - seg.startUs) / 1000;
      breakdown[category] += ms;
      return {
        span_id: seg.span.spanId,
        operation_name: seg.span.operationName,
        service_name: seg.span.serviceName,
        start_offset_ms: (seg.startUs - t0) / 1000,
        duration_ms: ms,
        category,
      };
    });
    const top = selfTimes(trace)
      .slice(0, TOP_SELF_TIME)
      .map(({ span, selfMs }) => ({
        span_id: span.spanId,
        operation_name: span.operationName,
        service_name: span.serviceName,
        self_time_ms: selfMs,
        duration_ms: span.durationMs,
        category: categoryOf(span),
      }));
    const pricer = await ctx.pricer();
    const tally = new CostTally(pricer);
    const calls = [...trace.spans]
      .sort((a, b) => a.startTimeUs - b.startTimeUs)
      .flatMap((span) => {
        const u = llmUsageOf(span);
        if (!u) return [];
        const cost = tally.add(costCallOf(span)!);
        const finish = parseLlmSpan(span)?.finish_reasons;
        return [
          {
            span_id: span.spanId,
            start_offset_ms: (span.startTimeUs - t0) / 1000,
            provider: u.provider,
            model: u.model ?? null,
            input_tokens: u.input,
            output_tokens: u.output,
            total_tokens: u.total,
            duration_ms: span.durationMs,
            ...(finish ? { finish_reasons: finish } : {}),
            status: span.status,
            cost_usd: cost ? cost.usd : null,
          },
        ];
      });
    const summary = tally.summary();
    const notes = [...unpricedNote(summary), ...summary.notes];
    const hidden = withheldNote(withheld);
    if (hidden) notes.push(hidden);
    if (critical.length > 0 && trace.spans.filter((s) => !s.parentSpanId).length > 1) {
      notes.push("This trace has several root spans; the critical path follows the earliest one.");
    }
    return {
      trace_id: trace.traceId,
      service_name: trace.serviceName,
      root_operation: trace.rootOperation,
      start_time: formatTimeUs(trace.startTimeUs),
      duration_ms: trace.durationMs,
      status: trace.status,
      span_count: trace.spans.length,
      critical_path: critical,
      time_breakdown: { llm_ms: breakdown.llm, tool_ms: breakdown.tool, db_ms: breakdown.db, other_ms: breakdown.other },
      top_self_time: top,
      llm_calls: calls,
      cost_usd: calls.length === 0 ? 0 : summary.cost_usd,
      ...(notes.length > 0 ? { notes } : {}),
      ...costMeta(summary),
    };
  },
});
