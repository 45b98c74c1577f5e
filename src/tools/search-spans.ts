import { z } from "zod";
import { findSpans } from "../query/search.js";
import { fitList, truncatedSchema } from "./budget.js";
import { defineTool } from "./define-tool.js";
import * as p from "./params.js";
import { notesSchema, spanSummary, spanSummarySchema, withMeta, windowSchema } from "./summaries.js";

export const searchSpans = defineTool({
  name: "search_spans",
  title: "Search spans",
  description:
    "Spans (not traces), newest first; search_traces' parameters, each filter applied to the span itself. " +
    "Tool calls: filters [{\"field\":\"traceloop.span.kind\",\"operator\":\"equals\",\"value\":\"tool\"}]; LLM calls: [{\"field\":\"gen_ai.system\",\"operator\":\"exists\"}].",
  input: z.strictObject({ ...p.searchInput, limit: p.limit(100, "spans") }),
  output: z.object({ count: z.number().int(), spans: z.array(spanSummarySchema), truncated: truncatedSchema, window: windowSchema, notes: notesSchema }),
  errorPrefix: "Failed to search spans",
  fit: (result, max) => fitList(result, "spans", max, "Narrow the search (service_name, operation_name, filters), use a smaller time window or a lower limit to see the rest."),
  async run(args, ctx) {
    const window = p.parseWindow(args, ctx.now());
    const filters = [...p.simpleParamFilters(args), ...p.parseFilters(args.filters)];
    const found = await findSpans(ctx, { ...window, limit: args.limit, filters, mode: "newest" });
    const spans = found.items.map(spanSummary);
    return withMeta({ count: spans.length, spans }, found);
  },
});
