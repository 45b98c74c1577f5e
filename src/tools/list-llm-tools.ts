import { z } from "zod";
import { aggregate } from "../analytics/aggregate.js";
import { eq, type Filter } from "../domain/filter.js";
import { formatTimeUs } from "../domain/time.js";
import type { Span } from "../domain/trace.js";
import { ATTR, SPAN_KIND_TOOL } from "../genai/semconv.js";
import { spanMatches } from "../query/filter-engine.js";
import { findSpans, findTraces, type Found } from "../query/search.js";
import { fitList, truncatedSchema } from "./budget.js";
import { defineTool } from "./define-tool.js";
import * as p from "./params.js";
import { skippedOutput } from "./llm-common.js";
import { coverageSchema, notesSchema, windowSchema, withCoverage } from "./summaries.js";

const TOOL_FILTER: Filter = eq(ATTR.SPAN_KIND, SPAN_KIND_TOOL);

export const listLlmTools = defineTool({
  name: "list_llm_tools",
  title: "List LLM tool calls",
  description:
    "Tools agents called (spans with traceloop.span.kind = tool), by name: calls, services, first/last seen; " +
    "gen_ai_system keeps traces that used that provider.",
  input: z.strictObject({
    start_time: p.startTime,
    end_time: p.endTime,
    service_name: p.serviceName,
    gen_ai_system: p.genAiSystem,
    limit: p.limit(1000, "tool spans to analyse"),
  }),
  output: z.object({
    count: z.number().int(),
    total_calls: z.number().int().optional(),
    tools: z.array(
      z.object({ tool_name: z.string(), usage_count: z.number().int(), services: z.array(z.string()), first_seen: z.string(), last_seen: z.string() }),
    ),
    message: z.string().optional(),
    truncated: truncatedSchema,
    window: windowSchema,
    coverage: coverageSchema,
    notes: notesSchema,
    ...skippedOutput,
  }),
  errorPrefix: "Failed to list LLM tools",
  fit: (result, max) => fitList(result, "tools", max, "Use a smaller time window or a service_name to see the rest."),
  async run(args, ctx) {
    const window = p.parseWindow(args, ctx.now());
    const serviceFilter = args.service_name ? [eq("service.name", args.service_name)] : [];
    let spans: Span[];
    let found: Found<unknown>;
    if (args.gen_ai_system) {
      // Tool spans rarely carry gen_ai.system themselves (the original filtered them on it and usually found
      // nothing): select traces that contain both tool calls and an LLM call of that provider instead.
      const traces = await findTraces(ctx, { ...window, limit: args.limit, filters: [...serviceFilter, TOOL_FILTER, eq(ATTR.SYSTEM, args.gen_ai_system)], mode: "window" });
      const spanFilters = [...serviceFilter, TOOL_FILTER];
      spans = traces.items.flatMap((t) => t.spans.filter((s) => spanMatches(s, spanFilters))).slice(0, args.limit);
      found = traces;
    } else {
      const tools = await findSpans(ctx, { ...window, limit: args.limit, filters: [...serviceFilter, TOOL_FILTER], mode: "window" });
      spans = tools.items;
      found = tools;
    }
    const coverage = { ...found.coverage, spans: spans.length };
    if (spans.length === 0) {
      return withCoverage({ count: 0, tools: [], message: "No LLM tool spans found matching the criteria" }, { ...found, coverage });
    }
    const groups = aggregate(spans, (s) => s.operationName, {
      usage_count: { kind: "count" },
      services: { kind: "distinct", of: (s) => s.serviceName },
      first: { kind: "min", of: (s) => s.startTimeUs },
      last: { kind: "max", of: (s) => s.startTimeUs },
    });
    const tools = groups
      .sort((a, b) => b.usage_count - a.usage_count || (a.key < b.key ? -1 : 1))
      .map((g) => ({
        tool_name: g.key,
        usage_count: g.usage_count,
        services: g.services,
        first_seen: formatTimeUs(g.first ?? 0),
        last_seen: formatTimeUs(g.last ?? 0),
      }));
    return withCoverage({ count: tools.length, total_calls: spans.length, tools }, { ...found, coverage });
  },
});
