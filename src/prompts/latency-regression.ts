import { z } from "zod";
import { formatTimeMs, parseTime } from "../domain/time.js";
import { durationMs, requiredService, timeArgument, windowLength } from "./arguments.js";
import { argsJson, definePrompt, steps } from "./define-prompt.js";

const TRACE_METRICS = ["count", "p50_duration_ms", "p95_duration_ms", "p99_duration_ms", "error_rate"];

export const latencyRegression = definePrompt({
  name: "latency_regression",
  title: "Latency regression check",
  description: "Compare a service's latency in a window against the window before it, and find where any extra time goes (spans, models, tokens).",
  arguments: z.strictObject({
    service_name: requiredService,
    operation_name: z.string().min(1).max(1024).optional().describe("Limit the comparison to one root operation, e.g. 'agent.workflow'."),
    window: windowLength,
    end_time: timeArgument("End of the current window (default now)."),
  }),
  complete: { service_name: "service" },
  render(args, ctx) {
    const lengthMs = durationMs(args.window ?? "1h");
    const endMs = args.end_time ? parseTime(args.end_time, ctx.now) : ctx.now;
    const current = { start_time: formatTimeMs(endMs - lengthMs), end_time: formatTimeMs(endMs) };
    const previous = { start_time: formatTimeMs(endMs - 2 * lengthMs), end_time: formatTimeMs(endMs - lengthMs) };
    const base = { service_name: args.service_name, operation_name: args.operation_name };
    // At level 'trace' a row is a trace: service.name and operation_name are its root's.
    const rootFilter = {
      filters: [
        { field: "service.name", operator: "equals", value: args.service_name },
        ...(args.operation_name ? [{ field: "operation_name", operator: "equals", value: args.operation_name }] : []),
      ],
    };
    const text = [
      `Check service ${args.service_name}${args.operation_name ? ` (operation ${args.operation_name})` : ""} for a latency regression: ` +
        `current window ${current.start_time} to ${current.end_time} against the previous one, ${previous.start_time} to ${previous.end_time}. ` +
        "Call the tools in this order:",
      steps([
        `aggregate_traces ${argsJson({ ...current, level: "trace", group_by: ["operation_name"], metrics: TRACE_METRICS, ...rootFilter })} and ` +
          `aggregate_traces ${argsJson({ ...previous, level: "trace", group_by: ["operation_name"], metrics: TRACE_METRICS, ...rootFilter })}: ` +
          "for each window and root operation, the trace count, p50/p95/p99 of the trace duration and the error rate.",
        `list_llm_models ${argsJson({ service_name: args.service_name, ...current })}, then get_llm_model_stats for each model in both windows: ` +
          "compare duration_ms p50/p95 and prompt/completion tokens — a slower model or bigger prompts?",
        `get_llm_slow_traces ${argsJson({ service_name: args.service_name, ...current, limit: 5 })}: call analyze_trace on the slowest ` +
          "and on a typical trace from the previous window (search_traces with the previous window, limit 20), and compare their critical paths " +
          "and time_breakdown: which operation grew, and is the time in LLM calls, tool calls, the database or waiting. " +
          "Read trace://<trace_id> (or call get_trace) for a span's attributes.",
      ]),
      "Then report: regression or not, with numbers (p50 and p95 before → after, % change, trace counts); where the extra time goes " +
        "(operation, span, model); the likely cause; what to check next. With fewer than ~20 traces in a window, say the comparison is weak. " +
        "Read every answer's notes before concluding.",
    ].join("\n\n");
    return [{ role: "user", text }];
  },
});
