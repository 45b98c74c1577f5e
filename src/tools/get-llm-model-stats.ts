import { z } from "zod";
import { simpleParamFilters } from "../domain/query.js";
import { NoDataError } from "../errors.js";
import { round2, summarize } from "../analytics/stats.js";
import { defineTool } from "./define-tool.js";
import * as p from "./params.js";
import { collectCompleteTraces } from "./collect.js";
import { llmCalls, skippedOutput } from "./llm-common.js";
import { notesSchema, windowSchema, withMeta } from "./summaries.js";

const statsSchema = z.object({ mean: z.number(), median: z.number(), p50: z.number(), p95: z.number(), p99: z.number() });

/** The original's fixed analysis depth: the tool exposes no limit. */
const TRACES_ANALYSED = 1000;

export const getLlmModelStats = defineTool({
  name: "get_llm_model_stats",
  title: "LLM model statistics",
  description:
    "Statistics for one model: request count, success/error counts and rates (%), latency and token mean/median/p95/p99, " +
    "and finish-reason counts. model_name matches the responding model (e.g. 'gpt-4o-2024-08-06') or the requested one ('gpt-4o').",
  input: z.strictObject({
    model_name: z.string().min(1).max(256).describe("Model to analyse; see list_llm_models for names."),
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
    window: windowSchema,
    notes: notesSchema,
    ...skippedOutput,
  }),
  errorPrefix: "Failed to get model stats",
  async run(args, ctx) {
    const window = p.parseWindow(args, ctx.now());
    const found = await collectCompleteTraces(ctx, { ...window, limit: TRACES_ANALYSED, filters: simpleParamFilters(args) });
    const durations: number[] = [];
    const prompt: number[] = [];
    const completion: number[] = [];
    const total: number[] = [];
    const finish: Record<string, number> = {};
    let errors = 0;
    for (const trace of found.items) {
      for (const { span, llm } of llmCalls(trace)) {
        // The original matched only the responding model, so 'gpt-4o' missed 'gpt-4o-2024-08-06' answers.
        if (llm.response_model !== args.model_name && llm.request_model !== args.model_name) continue;
        durations.push(span.durationMs);
        if (llm.prompt_tokens) prompt.push(llm.prompt_tokens);
        if (llm.completion_tokens) completion.push(llm.completion_tokens);
        if (llm.total_tokens) total.push(llm.total_tokens);
        for (const r of llm.finish_reasons ?? []) finish[r] = (finish[r] ?? 0) + 1;
        if (span.status === "ERROR") errors += 1;
      }
    }
    const count = durations.length;
    if (count === 0) {
      throw new NoDataError(
        `No traces found for model '${args.model_name}' in the specified time range. ` +
          "Use list_llm_models to see the model names in this window, or widen start_time/end_time.",
      );
    }
    const body = {
      model: args.model_name,
      request_count: count,
      success_count: count - errors,
      error_count: errors,
      success_rate: round2(((count - errors) / count) * 100),
      error_rate: round2((errors / count) * 100),
      duration_ms: summarize(durations),
      tokens: { prompt: summarize(prompt), completion: summarize(completion), total: summarize(total) },
      finish_reasons: Object.keys(finish).length > 0 ? finish : null,
    };
    return withMeta(body, found);
  },
});
