import { z } from "zod";
import { simpleParamFilters } from "../domain/query.js";
import { fitList, truncatedSchema } from "./budget.js";
import { defineTool } from "./define-tool.js";
import * as p from "./params.js";
import { notesSchema, traceSummary, traceSummarySchema, withMeta, windowSchema } from "./summaries.js";
import { searchTraceList } from "./collect.js";

export const searchInput = {
  service_name: p.serviceName,
  operation_name: p.operationName,
  start_time: p.startTime,
  end_time: p.endTime,
  min_duration_ms: p.minDurationMs,
  max_duration_ms: p.maxDurationMs,
  gen_ai_system: p.genAiSystem,
  gen_ai_request_model: p.genAiRequestModel,
  gen_ai_response_model: p.genAiResponseModel,
  has_error: p.hasError,
  tags: p.tags,
  filters: p.filters,
};

export const searchTraces = defineTool({
  name: "search_traces",
  title: "Search traces",
  description:
    "Search traces by service, operation, time window, duration, error status, LLM provider/model, attribute tags and " +
    "generic filters (field/operator/value). Returns one summary per trace (root service and operation, duration, status, " +
    "span and LLM span counts, total LLM tokens). Then use get_trace for the full tree of one trace.",
  input: z.strictObject({ ...searchInput, limit: p.limit(100, "traces") }),
  output: z.object({ count: z.number().int(), traces: z.array(traceSummarySchema), truncated: truncatedSchema,
    window: windowSchema,
    notes: notesSchema }),
  errorPrefix: "Failed to search traces",
  fit: (result, max) => fitList(result, "traces", max, "Narrow the search (service_name, operation_name, filters), use a smaller time window or a lower limit to see the rest."),
  async run(args, ctx) {
    const window = p.parseWindow(args, ctx.now());
    const filters = [...simpleParamFilters(args), ...p.parseFilters(args.filters)];
    const found = await searchTraceList(ctx, { ...window, limit: args.limit, filters });
    const traces = found.items.map(traceSummary);
    return withMeta({ count: traces.length, traces }, found);
  },
});
