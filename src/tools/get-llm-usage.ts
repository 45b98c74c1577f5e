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
import { modelKey, skippedOutput, type LlmCall } from "./llm-common.js";
import { costOfGroups, groupModelKey, type GroupCosts } from "../analytics/llm-usage-fold.js";
import type { LlmCallWhere, LlmUsageGroup } from "../backends/trace-backend.js";
import { pushedLlmUsage } from "../query/llm-usage.js";
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

/** What the backend aggregated (analytics/llm-usage-answer.ts), summed as USAGE sums calls. */
const GROUP_USAGE = {
  requests: { kind: "sum", of: (g) => g.calls },
  prompt_tokens: { kind: "sum", of: (g) => g.input },
  completion_tokens: { kind: "sum", of: (g) => g.output },
  total_tokens: { kind: "sum", of: (g) => g.total },
  cache_read_tokens: { kind: "sum", of: (g) => g.cacheRead },
  cache_write_tokens: { kind: "sum", of: (g) => g.cacheWrite },
  reasoning_tokens: { kind: "sum", of: (g) => g.reasoning },
} satisfies Measures<LlmUsageGroup>;

type Counts = Omit<Usage, "cost_usd">;

/** Groups keyed by name, largest total first (then by name, so equal groups have a stable order). */
function byKey(groups: Keyed[], costs: ReadonlyMap<string, { cost_usd: number | null }>): Record<string, Usage> {
  const sorted = groups.sort((a, b) => b.total_tokens - a.total_tokens || b.requests - a.requests || (a.key < b.key ? -1 : 1));
  return Object.fromEntries(sorted.map(({ key: k, ...usage }) => [k, { ...usage, cost_usd: costs.get(k)?.cost_usd ?? null }]));
}

type Keyed = Counts & { key: string };
type Meta = { window: { startMs: number; endMs: number } };
type Echo = Record<"service_name" | "gen_ai_system" | "gen_ai_request_model" | "gen_ai_response_model", string | null>;

/** The answer from the calls' sums and dollars, however they were computed (notes: the pricing notes). */
function usageBody(filters: Echo, found: Meta, sum: Counts, byModel: Keyed[], byService: Keyed[], costs: GroupCosts) {
  const cost = costs.summary;
  return {
    // The original echoed only the caller's bounds here (null when defaulted); this is the window analysed.
    period: { start_time: formatTimeMs(found.window.startMs), end_time: formatTimeMs(found.window.endMs) },
    filters,
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
    by_model: byKey(byModel, costs.by("model")),
    by_service: byKey(byService, costs.by("service")),
    ...costMeta(cost),
    notes: [...unpricedNote(cost), ...cost.notes],
  };
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
    // Providers compare in their normalised form ("openai" matches an AI SDK call recorded as "openai.chat").
    const provider = args.gen_ai_system ? normalizeProvider(args.gen_ai_system) : undefined;
    const filters = p.simpleParamFilters(args);
    // The provider/model filters select traces; count only the LLM calls they describe
    // (the original also counted other models' calls in the same traces).
    const where: LlmCallWhere = {
      ...(provider !== undefined ? { provider } : {}),
      ...(args.gen_ai_request_model ? { requestModel: args.gen_ai_request_model } : {}),
      ...(args.gen_ai_response_model ? { responseModel: args.gen_ai_response_model } : {}),
    };
    const echo: Echo = {
      service_name: args.service_name ?? null,
      gen_ai_system: args.gen_ai_system ?? null,
      gen_ai_request_model: args.gen_ai_request_model ?? null,
      gen_ai_response_model: args.gen_ai_response_model ?? null,
    };
    // Aggregated where the calls are, when the backend can and the dollars come out exact.
    const pushed = await pushedLlmUsage(ctx, { ...window, filters, where, cost: true });
    const costs = pushed?.cost && (await costOfGroups(pushed.answer.groups, await ctx.pricer(), ["model", "service"], pushed.cost));
    if (pushed && costs) {
      const groups = pushed.answer.groups;
      const { notes, ...body } = usageBody(echo, pushed, total(groups, GROUP_USAGE), aggregate(groups, groupModelKey, GROUP_USAGE), aggregate(groups, (g) => g.service, GROUP_USAGE), costs);
      return withCoverage(body, { ...pushed, notes: [...pushed.notes, ...notes] });
    }

    const found = await findLlmCalls(ctx, { ...window, limit: args.limit, filters, mode: "window", select: LLM_CALL_PROJECTION });
    const calls = found.items.filter(
      (call) =>
        (where.provider === undefined || call.llm.system === where.provider) &&
        (where.requestModel === undefined || call.llm.request_model === where.requestModel) &&
        (where.responseModel === undefined || call.llm.response_model === where.responseModel),
    );
    const tally = new CostTally(await ctx.pricer());
    for (const c of calls) tally.add(costCallOfLlm(c.llm, c.span.startTimeUs), { model: modelKey(c.llm), service: c.span.serviceName });
    const { notes, ...body } = usageBody(echo, found, total(calls, USAGE), aggregate(calls, (c) => modelKey(c.llm), USAGE), aggregate(calls, (c) => c.span.serviceName, USAGE), { summary: tally.summary(), by: (d) => tally.by(d) });
    return withCoverage(body, { ...found, notes: [...found.notes, ...notes], coverage: { ...found.coverage, spans: calls.length } });
  },
});
