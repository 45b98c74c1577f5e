import { z } from "zod";
import { aggregate, total, type Measures } from "../analytics/aggregate.js";
import { costCallOfLlm } from "../analytics/llm-usage.js";
import { CostTally } from "../genai/cost-summary.js";
import { costMeta, costMetaSchema, unpricedNote } from "./cost-meta.js";
import { formatTimeMs } from "../domain/time.js";
import { findLlmCalls } from "../query/llm-calls.js";
import { normalizeProvider } from "../genai/providers.js";
import { LLM_CALL_PROJECTION } from "../query/llm-projection.js";
import { defineTool } from "./define-tool.js";
import * as p from "./params.js";
import { llmCalls, modelKey, skippedOutput, type LlmCall } from "./llm-common.js";
import { coverageSchema, notesSchema, windowSchema, withCoverage } from "./summaries.js";

const usageSchema = z.object({
  requests: z.number().int(),
  prompt_tokens: z.number().int().describe("Input tokens, cache reads and writes included."),
  completion_tokens: z.number().int().describe("Output tokens, reasoning included."),
  total_tokens: z.number().int(),
  cache_read_tokens: z.number().int().describe("Input tokens served from the provider's prompt cache (part of prompt_tokens)."),
  cache_write_tokens: z.number().int().describe("Input tokens written to the provider's prompt cache (part of prompt_tokens)."),
  reasoning_tokens: z.number().int().describe("Output tokens spent on reasoning (part of completion_tokens)."),
  cost_usd: z.number().nullable().describe("Dollars over the priced calls; null when none could be priced."),
});
type Usage = z.infer<typeof usageSchema>;

const USAGE = {
  requests: { kind: "count" },
  prompt_tokens: { kind: "sum", of: (c) => c.llm.prompt_tokens },
  completion_tokens: { kind: "sum", of: (c) => c.llm.completion_tokens },
  total_tokens: { kind: "sum", of: (c) => c.llm.total_tokens },
  cache_read_tokens: { kind: "sum", of: (c) => c.llm.cache_read_tokens },
  cache_write_tokens: { kind: "sum", of: (c) => c.llm.cache_write_tokens },
  reasoning_tokens: { kind: "sum", of: (c) => c.llm.reasoning_tokens },
} satisfies Measures<LlmCall>;

/** Groups keyed by name, largest total first (then by name, so equal groups have a stable order). */
function byKey(calls: readonly LlmCall[], key: (c: LlmCall) => string, costs: ReadonlyMap<string, { cost_usd: number | null }>): Record<string, Usage> {
  const groups = aggregate(calls, key, USAGE).sort((a, b) => b.total_tokens - a.total_tokens || b.requests - a.requests || (a.key < b.key ? -1 : 1));
  return Object.fromEntries(groups.map(({ key: k, ...usage }) => [k, { ...usage, cost_usd: costs.get(k)?.cost_usd ?? null }]));
}

export const getLlmUsage = defineTool({
  name: "get_llm_usage",
  title: "LLM token usage",
  description:
    "LLM requests, tokens (prompt/completion/total, cache and reasoning) and dollars in a time window, by model and by " +
    "service, from every GenAI convention.",
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
      total_cache_read_tokens: z.number().int(),
      total_cache_write_tokens: z.number().int(),
      total_reasoning_tokens: z.number().int(),
      cost_usd: z.number().nullable().describe("Dollars over the priced calls (see unpriced_models); null when none could be priced."),
    }),
    by_model: z.record(z.string(), usageSchema),
    by_service: z.record(z.string(), usageSchema),
    window: windowSchema,
    coverage: coverageSchema,
    notes: notesSchema,
    ...costMetaSchema,
    ...skippedOutput,
  }),
  errorPrefix: "Failed to get usage metrics",
  async run(args, ctx) {
    const window = p.parseWindow(args, ctx.now());
    const found = await findLlmCalls(ctx, { ...window, limit: args.limit, filters: p.simpleParamFilters(args), mode: "window", select: LLM_CALL_PROJECTION });
    // Providers compare in their normalised form ("openai" matches an AI SDK call recorded as "openai.chat").
    const provider = args.gen_ai_system ? normalizeProvider(args.gen_ai_system) : undefined;
    // The provider/model filters select traces; count only the LLM calls they describe
    // (the original also counted other models' calls in the same traces).
    const calls = found.items.filter(
      (call) =>
        (provider === undefined || call.llm.system === provider) &&
        (!args.gen_ai_request_model || call.llm.request_model === args.gen_ai_request_model) &&
        (!args.gen_ai_response_model || call.llm.response_model === args.gen_ai_response_model),
    );
    const sum = total(calls, USAGE);
    const tally = new CostTally(await ctx.pricer());
    for (const c of calls) tally.add(costCallOfLlm(c.llm, c.span.startTimeUs), { model: modelKey(c.llm), service: c.span.serviceName });
    const cost = tally.summary();
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
        total_cache_read_tokens: sum.cache_read_tokens,
        total_cache_write_tokens: sum.cache_write_tokens,
        total_reasoning_tokens: sum.reasoning_tokens,
        cost_usd: cost.cost_usd,
      },
      by_model: byKey(calls, (c) => modelKey(c.llm), tally.by("model")),
      by_service: byKey(calls, (c) => c.span.serviceName, tally.by("service")),
      ...costMeta(cost),
    };
    const notes = [...found.notes, ...unpricedNote(cost), ...cost.notes];
    return withCoverage(body, { ...found, notes, coverage: { ...found.coverage, spans: calls.length } });
  },
});
