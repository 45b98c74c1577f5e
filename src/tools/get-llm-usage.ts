import { z } from "zod";
import { aggregate, total, type Measures } from "../analytics/aggregate.js";
import { formatTimeMs } from "../domain/time.js";
import { findTraces } from "../query/search.js";
import { defineTool } from "./define-tool.js";
import * as p from "./params.js";
import { llmCalls, modelKey, skippedOutput, type LlmCall } from "./llm-common.js";
import { coverageSchema, notesSchema, windowSchema, withCoverage } from "./summaries.js";

const usageSchema = z.object({
  requests: z.number().int(),
  prompt_tokens: z.number().int(),
  completion_tokens: z.number().int(),
  total_tokens: z.number().int(),
});
type Usage = z.infer<typeof usageSchema>;

const USAGE = {
  requests: { kind: "count" },
  prompt_tokens: { kind: "sum", of: (c) => c.llm.prompt_tokens },
  completion_tokens: { kind: "sum", of: (c) => c.llm.completion_tokens },
  total_tokens: { kind: "sum", of: (c) => c.llm.total_tokens },
} satisfies Measures<LlmCall>;

/** Groups keyed by name, largest total first (then by name, so equal groups have a stable order). */
function byKey(calls: readonly LlmCall[], key: (c: LlmCall) => string): Record<string, Usage> {
  const groups = aggregate(calls, key, USAGE).sort((a, b) => b.total_tokens - a.total_tokens || b.requests - a.requests || (a.key < b.key ? -1 : 1));
  return Object.fromEntries(groups.map(({ key: k, ...usage }) => [k, usage]));
}

export const getLlmUsage = defineTool({
  name: "get_llm_usage",
  title: "LLM token usage",
  description:
    "LLM requests and prompt/completion/total tokens in a time window, by model and by service.",
  input: z.strictObject({
    start_time: p.startTime,
    end_time: p.endTime,
    service_name: p.serviceName,
    gen_ai_system: p.genAiSystem,
    gen_ai_request_model: p.genAiRequestModel,
    gen_ai_response_model: p.genAiResponseModel,
    limit: p.limit(1000, "traces to analyse"),
  }),
  output: z.object({
    period: z.object({ start_time: z.string().nullable(), end_time: z.string().nullable() }).describe("The window analysed (same as window)."),
    filters: z.object({
      service_name: z.string().nullable(),
      gen_ai_system: z.string().nullable(),
      gen_ai_request_model: z.string().nullable(),
      gen_ai_response_model: z.string().nullable(),
    }),
    summary: z.object({
      total_requests: z.number().int(),
      total_prompt_tokens: z.number().int(),
      total_completion_tokens: z.number().int(),
      total_tokens: z.number().int(),
    }),
    by_model: z.record(z.string(), usageSchema),
    by_service: z.record(z.string(), usageSchema),
    window: windowSchema,
    coverage: coverageSchema,
    notes: notesSchema,
    ...skippedOutput,
  }),
  errorPrefix: "Failed to get usage metrics",
  async run(args, ctx) {
    const window = p.parseWindow(args, ctx.now());
    const found = await findTraces(ctx, { ...window, limit: args.limit, filters: p.simpleParamFilters(args), mode: "window" });
    // The provider/model filters select traces; count only the LLM calls they describe
    // (the original also counted other models' calls in the same traces).
    const calls = found.items.flatMap(llmCalls).filter(
      (call) =>
        (!args.gen_ai_system || call.llm.system === args.gen_ai_system) &&
        (!args.gen_ai_request_model || call.llm.request_model === args.gen_ai_request_model) &&
        (!args.gen_ai_response_model || call.llm.response_model === args.gen_ai_response_model),
    );
    const sum = total(calls, USAGE);
    const body = {
      // The original echoed only the caller's bounds here (null when defaulted); this is the window analysed.
      period: { start_time: formatTimeMs(found.window.startMs), end_time: formatTimeMs(found.window.endMs) },
      filters: {
        service_name: args.service_name ?? null,
        gen_ai_system: args.gen_ai_system ?? null,
        gen_ai_request_model: args.gen_ai_request_model ?? null,
        gen_ai_response_model: args.gen_ai_response_model ?? null,
      },
      summary: {
        total_requests: sum.requests,
        total_prompt_tokens: sum.prompt_tokens,
        total_completion_tokens: sum.completion_tokens,
        total_tokens: sum.total_tokens,
      },
      by_model: byKey(calls, (c) => modelKey(c.llm)),
      by_service: byKey(calls, (c) => c.span.serviceName),
    };
    return withCoverage(body, { ...found, coverage: { ...found.coverage, spans: calls.length } });
  },
});
