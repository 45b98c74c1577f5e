import { z } from "zod";
import { aggregate } from "../analytics/aggregate.js";
import { formatTimeUs } from "../domain/time.js";
import { findLlmCalls } from "../query/llm-calls.js";
import { LLM_CALL_PROJECTION } from "../query/llm-projection.js";
import { fitList, truncatedSchema } from "./budget.js";
import { defineTool } from "./define-tool.js";
import * as p from "./params.js";
import { modelKey, skippedOutput } from "./llm-common.js";
import { groupModelKey } from "../analytics/llm-usage-fold.js";
import { pushedLlmUsage } from "../query/llm-usage.js";
import { coverageSchema, notesSchema, windowSchema, withCoverage } from "./summaries.js";

export const listLlmModels = defineTool({
  name: "list_llm_models",
  title: "List LLM models",
  description:
    "LLM models seen in a time window, most used first: provider, requests, first/last seen. Details: get_llm_model_stats.",
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
    coverage: coverageSchema,
    notes: notesSchema,
    ...skippedOutput,
  }),
  errorPrefix: "Failed to list models",
  fit: (result, max) => fitList(result, "models", max, "Use a smaller time window, a service_name or gen_ai_system to see the rest."),
  async run(args, ctx) {
    const window = p.parseWindow(args, ctx.now());
    const filters = p.simpleParamFilters(args);
    const pushed = await pushedLlmUsage(ctx, { ...window, filters, tokens: false });
    if (pushed) {
      // A model's provider is its first call's (the group holding the first call in llmCalls' order).
      const groups = aggregate([...pushed.answer.groups].sort((a, b) => (a.firstKey < b.firstKey ? -1 : a.firstKey > b.firstKey ? 1 : 0)), groupModelKey, {
        provider: { kind: "first", of: (g) => g.provider },
        request_count: { kind: "sum", of: (g) => g.calls },
        first: { kind: "min", of: (g) => g.firstUs },
        last: { kind: "max", of: (g) => g.lastUs },
      });
      return withCoverage({ count: groups.length, models: listed(groups) }, pushed);
    }
    const found = await findLlmCalls(ctx, { ...window, limit: args.limit, filters, mode: "window", select: LLM_CALL_PROJECTION });
    const calls = found.items;
    // First and last seen are compared as instants (the original compared ISO strings, which breaks across offsets).
    const groups = aggregate(calls, (c) => modelKey(c.llm), {
      provider: { kind: "first", of: (c) => c.llm.system },
      request_count: { kind: "count" },
      first: { kind: "min", of: (c) => c.span.startTimeUs },
      last: { kind: "max", of: (c) => c.span.startTimeUs },
    });
    const models = listed(groups);
    return withCoverage({ count: models.length, models }, { ...found, coverage: { ...found.coverage, spans: calls.length } });
  },
});

/** Most requests first (then by name). */
function listed(groups: Array<{ key: string; provider: string | undefined; request_count: number; first: number | undefined; last: number | undefined }>) {
  return groups
    .sort((a, b) => b.request_count - a.request_count || (a.key < b.key ? -1 : 1))
    .map((g) => ({
      model: g.key,
      provider: g.provider ?? "unknown",
      request_count: g.request_count,
      first_seen: formatTimeUs(g.first ?? 0),
      last_seen: formatTimeUs(g.last ?? 0),
    }));
}
