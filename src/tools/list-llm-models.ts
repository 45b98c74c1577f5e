import { z } from "zod";
import { simpleParamFilters } from "../domain/query.js";
import { formatTimeUs } from "../domain/time.js";
import { fitList, truncatedSchema } from "./budget.js";
import { defineTool } from "./define-tool.js";
import * as p from "./params.js";
import { collectCompleteTraces } from "./collect.js";
import { llmCalls, modelKey, skippedOutput } from "./llm-common.js";
import { notesSchema, windowSchema, withMeta } from "./summaries.js";

export const listLlmModels = defineTool({
  name: "list_llm_models",
  title: "List LLM models",
  description:
    "List the LLM models seen in a time window with their provider, number of requests, and first/last time seen, " +
    "most used first. Use get_llm_model_stats for latency, tokens and error rate of one model.",
  input: z.strictObject({
    start_time: p.startTime,
    end_time: p.endTime,
    service_name: p.serviceName,
    gen_ai_system: p.genAiSystem,
    limit: p.limit(1000, "traces to analyse"),
  }),
  output: z.object({
    count: z.number().int(),
    models: z.array(
      z.object({ model: z.string(), provider: z.string(), request_count: z.number().int(), first_seen: z.string(), last_seen: z.string() }),
    ),
    truncated: truncatedSchema,
    window: windowSchema,
    notes: notesSchema,
    ...skippedOutput,
  }),
  errorPrefix: "Failed to list models",
  fit: (result, max) => fitList(result, "models", max, "Use a smaller time window, a service_name or gen_ai_system to see the rest."),
  async run(args, ctx) {
    const window = p.parseWindow(args, ctx.now());
    const found = await collectCompleteTraces(ctx, { ...window, limit: args.limit, filters: simpleParamFilters(args) });
    const seen = new Map<string, { model: string; provider: string; request_count: number; first: number; last: number }>();
    for (const trace of found.items) {
      for (const { span, llm } of llmCalls(trace)) {
        const model = modelKey(llm);
        const entry = seen.get(model) ?? { model, provider: llm.system, request_count: 0, first: span.startTimeUs, last: span.startTimeUs };
        entry.request_count += 1;
        // Compared as instants (the original compared ISO strings, which breaks across offsets).
        entry.first = Math.min(entry.first, span.startTimeUs);
        entry.last = Math.max(entry.last, span.startTimeUs);
        seen.set(model, entry);
      }
    }
    const models = [...seen.values()]
      .sort((a, b) => b.request_count - a.request_count)
      .map((m) => ({ model: m.model, provider: m.provider, request_count: m.request_count, first_seen: formatTimeUs(m.first), last_seen: formatTimeUs(m.last) }));
    return withMeta({ count: models.length, models }, found);
  },
});
