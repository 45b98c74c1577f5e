import { z } from "zod";
import { formatTimeMs, parseTime } from "../domain/time.js";
import { durationMs, requiredService, timeArgument, windowLength } from "./arguments.js";
import { argsJson, definePrompt, steps } from "./define-prompt.js";

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
    const text = [
      `Check service ${args.service_name}${args.operation_name ? ` (operation ${args.operation_name})` : ""} for a latency regression: ` +
        `current window ${current.start_time} to ${current.end_time} against the previous one, ${previous.start_time} to ${previous.end_time}. ` +
        "Call the tools in this order:",
      steps([
        `search_traces ${argsJson({ ...base, ...current, limit: 200 })} and search_traces ${argsJson({ ...base, ...previous, limit: 200 })}: ` +
          "for each window, the trace count and the median and p95 of duration_ms (sort the durations), and the share with errors.",
        `list_llm_models ${argsJson({ service_name: args.service_name, ...current })}, then get_llm_model_stats for each model in both windows: ` +
          "compare duration_ms p50/p95 and prompt/completion tokens — a slower model or bigger prompts?",
        `get_llm_slow_traces ${argsJson({ service_name: args.service_name, ...current, limit: 5 })}: read trace://<trace_id> of the slowest ` +
          "(or call get_trace) and of a typical trace from the previous window, and compare span by span: which operation grew, " +
          "and is the time in LLM calls, tool calls, retries or waiting.",
      ]),
      "Then report: regression or not, with numbers (p50 and p95 before → after, % change, trace counts); where the extra time goes " +
        "(operation, span, model); the likely cause; what to check next. With fewer than ~20 traces in a window, say the comparison is weak. " +
        "Read every answer's notes before concluding.",
    ].join("\n\n");
    return [{ role: "user", text }];
  },
});
