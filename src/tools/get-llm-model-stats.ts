import { z } from "zod";
import { aggregate, total } from "../analytics/aggregate.js";
import { costCallOfLlm } from "../analytics/llm-usage.js";
import { CostTally } from "../genai/cost-summary.js";
import { costMeta, costMetaSchema, unpricedNote } from "./cost-meta.js";
import { round2, summarize, type Stats } from "../analytics/stats.js";
import { costOfGroups, summarizeSorted } from "../analytics/llm-usage-fold.js";
import { pushedLlmUsage } from "../query/llm-usage.js";
import type { CostSummary } from "../genai/cost-summary.js";
import { NoDataError } from "../errors.js";
import { findLlmCalls } from "../query/llm-calls.js";
import { LLM_CALL_PROJECTION } from "../query/llm-projection.js";
import { defineTool } from "./define-tool.js";
import * as p from "./params.js";
import { llmCalls, skippedOutput, type LlmCall } from "./llm-common.js";
import { coverageSchema, notesSchema, windowSchema, withCoverage } from "./summaries.js";

const statsSchema = z.object({ mean: z.number(), median: z.number(), p50: z.number(), p95: z.number(), p99: z.number() });


/** A failed call and an embeddings call record no finish reason, so a projection of one misses none. */
function mayHaveFinishReason(c: LlmCall): boolean {
  return c.span.status !== "ERROR" && c.llm.operation_name !== "embeddings";
}

export const getLlmModelStats = defineTool({
  name: "get_llm_model_stats",
  title: "LLM model statistics",
  description:
    "One model's requests, success/error counts and rates (%), latency and token mean/median/p95/p99, finish reasons; " +
    "model_name is the responding ('gpt-4o-2024-08-06') or requested ('gpt-4o') model.",
  input: z.strictObject({
    model_name: z.string().min(1).max(256).describe("Model (see list_llm_models)."),
    start_time: p.startTime,
    end_time: p.endTime,
    service_name: p.serviceName,
  }),
  output: z.object({
    model: z.string(),
    request_count: z.number().int(),
    success_count: z.number().int(),
    error_count: z.number().int(),
    success_rate: z.number(),
    error_rate: z.number(),
    duration_ms: statsSchema,
    tokens: z.object({ prompt: statsSchema, completion: statsSchema, total: statsSchema }),
    finish_reasons: z.record(z.string(), z.number().int()).nullable(),
    cost_usd: z
      .object({ total: z.number().nullable(), mean: z.number().nullable() })
      .describe("Dollars over the priced calls and per priced call; null when the model has no price."),
    window: windowSchema,
    coverage: coverageSchema,
    notes: notesSchema,
    ...costMetaSchema,
    ...skippedOutput,
  }),
  errorPrefix: "Failed to get model stats",
  async run(args, ctx) {
    const window = p.parseWindow(args, ctx.now());
    const filters = p.simpleParamFilters(args);
    const noData = (): NoDataError =>
      new NoDataError(
        `No traces found for model '${args.model_name}' in the specified time range. ` +
          "Use list_llm_models to see the model names in this window, or widen start_time/end_time.",
      );
    const answer = (s: { count: number; errors: number; durations: Stats; prompt: Stats; completion: Stats; total: Stats; reasons: Array<{ key: string; n: number }>; cost: CostSummary }) => ({
      model: args.model_name,
      request_count: s.count,
      success_count: s.count - s.errors,
      error_count: s.errors,
      success_rate: round2(((s.count - s.errors) / s.count) * 100),
      error_rate: round2((s.errors / s.count) * 100),
      duration_ms: s.durations,
      tokens: { prompt: s.prompt, completion: s.completion, total: s.total },
      finish_reasons: s.reasons.length > 0 ? Object.fromEntries(s.reasons.map((r) => [r.key, r.n])) : null,
      cost_usd: { total: s.cost.cost_usd, mean: s.cost.mean_usd },
      ...costMeta(s.cost),
    });

    // Aggregated where the calls are, when the backend can and the dollars come out exact.
    const pushed = await pushedLlmUsage(ctx, { ...window, filters, where: { eitherModel: args.model_name }, stats: true, cost: true });
    const costs = pushed?.cost && (await costOfGroups(pushed.answer.groups, await ctx.pricer(), [], pushed.cost));
    if (pushed?.answer.stats && costs) {
      const { groups, stats } = pushed.answer;
      const count = groups.reduce((n, g) => n + g.calls, 0);
      if (count === 0) throw noData();
      const cost = costs.summary;
      const body = answer({
        count,
        errors: groups.reduce((n, g) => n + g.errors, 0),
        durations: summarizeSorted(stats.durationMs),
        prompt: summarizeSorted(stats.prompt),
        completion: summarizeSorted(stats.completion),
        total: summarizeSorted(stats.total),
        reasons: stats.finishReasons.map((r) => ({ key: r.reason, n: r.count })),
        cost,
      });
      return withCoverage(body, { ...pushed, notes: [...pushed.notes, ...unpricedNote(cost), ...cost.notes] });
    }

    // The original analysed a fixed 1000 traces; here every trace of the window, up to --max-traces.
    // The original matched only the responding model, so 'gpt-4o' missed 'gpt-4o-2024-08-06' answers.
    const ofModel = (c: LlmCall): boolean => c.llm.response_model === args.model_name || c.llm.request_model === args.model_name;
    const found = await findLlmCalls(ctx, {
      ...window,
      limit: ctx.maxTraces,
      filters,
      mode: "window",
      select: LLM_CALL_PROJECTION,
      // Finish reasons recorded only as span events (the deprecated gen_ai.choice) are not in a projection: fetch those
      // traces whole.
      selectSuffices: (t) => llmCalls(t).every((c) => !ofModel(c) || c.llm.finish_reasons !== undefined || !mayHaveFinishReason(c)),
    });
    const calls = found.items.filter(ofModel);
    const count = calls.length;
    if (count === 0) throw noData();
    const stats = total(calls, {
      errors: { kind: "countIf", when: (c) => c.span.status === "ERROR" },
      durations: { kind: "values", of: (c) => c.span.durationMs },
      // Zero or missing counts are left out of the token statistics, as the original did.
      prompt: { kind: "values", of: (c) => c.llm.prompt_tokens || undefined },
      completion: { kind: "values", of: (c) => c.llm.completion_tokens || undefined },
      total: { kind: "values", of: (c) => c.llm.total_tokens || undefined },
    });
    const reasons = aggregate(
      calls.flatMap((c) => c.llm.finish_reasons ?? []),
      (r) => r,
      { n: { kind: "count" } },
    );
    const tally = new CostTally(await ctx.pricer());
    for (const c of calls) tally.add(costCallOfLlm(c.llm, c.span.startTimeUs));
    const cost = tally.summary();
    const body = answer({
      count,
      errors: stats.errors,
      durations: summarize(stats.durations),
      prompt: summarize(stats.prompt),
      completion: summarize(stats.completion),
      total: summarize(stats.total),
      reasons,
      cost,
    });
    const notes = [...found.notes, ...unpricedNote(cost), ...cost.notes];
    return withCoverage(body, { ...found, notes, coverage: { ...found.coverage, spans: count } });
  },
});
