import { z } from "zod";
import { modelArgument, optionalService, timeArgument } from "./arguments.js";
import { argsJson, definePrompt, steps } from "./define-prompt.js";

export const costReview = definePrompt({
  name: "cost_review",
  title: "LLM cost review",
  description: "Where LLM dollars and tokens went in a time window: by model and service, the most expensive traces and what drives them, and concrete savings.",
  arguments: z.strictObject({
    start_time: timeArgument("Window start (default '24h', one day ago)."),
    end_time: timeArgument("Window end (default now)."),
    service_name: optionalService,
    model: modelArgument,
  }),
  complete: { service_name: "service", model: "model" },
  render(args) {
    const window = { start_time: args.start_time ?? "24h", end_time: args.end_time };
    const scope = { ...window, service_name: args.service_name };
    const modelFilter = args.model ? { gen_ai_request_model: args.model } : {};
    const what = [args.service_name && `service ${args.service_name}`, args.model && `model ${args.model}`].filter(Boolean).join(", ") || "all services";
    const text = [
      `Review LLM cost for ${what}, from ${window.start_time} to ${window.end_time ?? "now"}. Call the tools in this order:`,
      steps([
        `get_llm_usage ${argsJson({ ...scope, ...modelFilter })}: requests, tokens (cache and reasoning included) and cost_usd, by model and by service.` +
          (args.model ? " If it finds no requests, retry with gen_ai_response_model instead of gen_ai_request_model." : ""),
        `aggregate_traces ${argsJson({ ...scope, group_by: ["model"], metrics: ["count", "cost_usd", "input_tokens", "output_tokens", "p95_duration_ms"], ...(args.model ? { filters: [{ field: "model", operator: "equals", value: args.model }] } : {}) })}: ` +
          "dollars and tokens per model (add interval '1h' to see when the spend happened).",
        `get_llm_expensive_traces ${argsJson({ ...scope, ...modelFilter, limit: 10 })}: the traces that used the most tokens, with their cost_usd.`,
        "For the top 3 of those, call analyze_trace with the trace_id: its LLM calls in order with tokens and dollars; find what drives the cost — " +
          "long prompts (prompt_tokens far above completion_tokens), repeated LLM calls, retries after errors, large retrieved context. " +
          "Read the trace://<trace_id> resource (or call get_trace) when you need the prompts themselves.",
        `get_llm_model_stats with model_name set to the model that cost the most, and ${argsJson(scope)}: its latency and token percentiles and error rate.`,
      ]),
      "Then report: total requests, tokens and dollars (and unpriced_models, if any); the split by model and by service, largest first; the top cost drivers with their trace ids; " +
        "and 2-4 concrete savings (a cheaper model for simple calls, shorter prompts, caching repeated prompts, fewer agent iterations) with the share of tokens each would cut. " +
        "Read every answer's notes and coverage: if coverage.complete is false, say the figures come from a sample.",
    ].join("\n\n");
    return [{ role: "user", text }];
  },
});
