import { z } from "zod";
import { spanMatches } from "../query/filter-engine.js";
import { eq, type Filter } from "../domain/filter.js";
import { formatTimeUs } from "../domain/time.js";
import type { Span } from "../domain/trace.js";
import { ATTR, SPAN_KIND_TOOL } from "../genai/semconv.js";
import { fitList, truncatedSchema } from "./budget.js";
import { defineTool } from "./define-tool.js";
import * as p from "./params.js";
import { collectCompleteTraces, searchSpanList, type Collected } from "./collect.js";
import { skippedOutput } from "./llm-common.js";
import { notesSchema, windowSchema, withMeta } from "./summaries.js";

const TOOL_FILTER: Filter = eq(ATTR.SPAN_KIND, SPAN_KIND_TOOL);

export const listLlmTools = defineTool({
  name: "list_llm_tools",
  title: "List LLM tool calls",
  description:
    "List the tools (function calls) LLM agents invoked — spans with traceloop.span.kind = tool — grouped by span name, " +
    "with call counts, the services that made them, and first/last time seen. gen_ai_system keeps tool calls made in traces " +
    "that used that LLM provider.",
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
    notes: notesSchema,
    ...skippedOutput,
  }),
  errorPrefix: "Failed to list LLM tools",
  fit: (result, max) => fitList(result, "tools", max, "Use a smaller time window or a service_name to see the rest."),
  async run(args, ctx) {
    const window = p.parseWindow(args, ctx.now());
    const serviceFilter = args.service_name ? [eq("service.name", args.service_name)] : [];
    let spans: Span[];
    let meta: Collected<unknown>;
    if (args.gen_ai_system) {
      // Tool spans rarely carry gen_ai.system themselves (the original filtered them on it and usually found
      // nothing): select traces that contain both tool calls and an LLM call of that provider instead.
      const found = await collectCompleteTraces(ctx, {
        ...window,
        limit: args.limit,
        filters: [...serviceFilter, TOOL_FILTER, eq(ATTR.SYSTEM, args.gen_ai_system)],
      });
      const spanFilters = [...serviceFilter, TOOL_FILTER];
      spans = found.items.flatMap((t) => t.spans.filter((s) => spanMatches(s, spanFilters))).slice(0, args.limit);
      meta = found;
    } else {
      const found = await searchSpanList(ctx, { ...window, limit: args.limit, filters: [...serviceFilter, TOOL_FILTER] });
      spans = found.items;
      meta = found;
    }
    if (spans.length === 0) {
      return withMeta({ count: 0, tools: [], message: "No LLM tool spans found matching the criteria" }, meta);
    }
    const groups = new Map<string, { count: number; services: Set<string>; first: number; last: number }>();
    for (const s of spans) {
      const g = groups.get(s.operationName) ?? { count: 0, services: new Set<string>(), first: s.startTimeUs, last: s.startTimeUs };
      g.count += 1;
      g.services.add(s.serviceName);
      g.first = Math.min(g.first, s.startTimeUs);
      g.last = Math.max(g.last, s.startTimeUs);
      groups.set(s.operationName, g);
    }
    const tools = [...groups.entries()]
      .sort((a, b) => b[1].count - a[1].count)
      .map(([name, g]) => ({
        tool_name: name,
        usage_count: g.count,
        services: [...g.services].sort(),
        first_seen: formatTimeUs(g.first),
        last_seen: formatTimeUs(g.last),
      }));
    const body = { count: tools.length, total_calls: spans.length, tools };
    return withMeta(body, meta);
  },
});
