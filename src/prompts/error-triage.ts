import { z } from "zod";
import { requiredService, timeArgument } from "./arguments.js";
import { serviceUri } from "../resources/service.js";
import { argsJson, definePrompt, steps } from "./define-prompt.js";

export const errorTriage = definePrompt({
  name: "error_triage",
  title: "Error triage for a service",
  description: "Group a service's recent errors by cause, find the root-cause span of each group, and size the impact.",
  arguments: z.strictObject({
    service_name: requiredService,
    start_time: timeArgument("Window start (default '1h', one hour ago)."),
    end_time: timeArgument("Window end (default now)."),
  }),
  complete: { service_name: "service" },
  render(args) {
    const scope = { service_name: args.service_name, start_time: args.start_time ?? "1h", end_time: args.end_time };
    const text = [
      `Triage the errors of service ${args.service_name} from ${scope.start_time} to ${scope.end_time ?? "now"}. Call the tools in this order:`,
      steps([
        `analyze_errors ${argsJson({ ...scope, include_stack_trace: true })}: the error spans grouped by fingerprint, most frequent first, ` +
          "with counts, traces affected, first/last seen, error_class (rate_limit, context_length_exceeded, timeout, ...) and, for LLM calls, provider and model.",
        "For the two largest groups, read trace://<trace_id> of one exemplar_trace_id (or call get_trace): the root cause is the first error span in tree order " +
          "that has no failing child; its ancestors usually failed because of it.",
        `Read the ${serviceUri(args.service_name)} resource: each operation's requests, errors and error rate, to size the impact.`,
        `aggregate_traces ${argsJson({ ...scope, group_by: ["operation_name"], metrics: ["count", "error_count", "error_rate"], interval: "5m" })}: ` +
          "which operations fail and when (a burst, or steady).",
        `find_errors ${argsJson({ ...scope, limit: 20 })}: the failing traces with their error messages, when a group needs examples.`,
        "If a group is LLM errors, call get_llm_model_stats for that model and window: its error rate and finish reasons.",
      ]),
      "Then report each group: error class, type and message, trace count, operations involved, first and last seen, one example trace id, " +
        "the root-cause span and the likely cause; then the overall error rate and what to fix first. Read every answer's notes before concluding.",
    ].join("\n\n");
    return [{ role: "user", text }];
  },
});
