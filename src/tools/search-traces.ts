import { z } from "zod";
import { findTraces } from "../query/search.js";
import { fitList, truncatedSchema } from "./budget.js";
import { defineTool } from "./define-tool.js";
import { traceLinks } from "./links.js";
import * as p from "./params.js";
import { notesSchema, traceSummary, traceSummarySchema, withMeta, windowSchema } from "./summaries.js";

export const searchTraces = defineTool({
  name: "search_traces",
  title: "Search traces",
  description:
    "Search traces, newest first: one summary each (root service/operation, duration, status, span and LLM span counts, tokens). " +
    "get_trace shows one in full.",
  input: z.strictObject({ ...p.searchInput, limit: p.limit(100, "traces") }),
  output: z.object({ count: z.number().int(), traces: z.array(traceSummarySchema), truncated: truncatedSchema, window: windowSchema, notes: notesSchema }),
  errorPrefix: "Failed to search traces",
  fit: (result, max) => fitList(result, "traces", max, "Narrow the search (service_name, operation_name, filters), use a smaller time window or a lower limit to see the rest."),
  links: traceLinks("traces"),
  async run(args, ctx) {
    const window = p.parseWindow(args, ctx.now());
    const filters = [...p.simpleParamFilters(args), ...p.parseFilters(args.filters)];
    const found = await findTraces(ctx, { ...window, limit: args.limit, filters, mode: "newest" });
    const traces = found.items.map(traceSummary);
    return withMeta({ count: traces.length, traces }, found);
  },
});
