import { z } from "zod";
import { aggregate } from "../analytics/aggregate.js";
import { eq, type Filter } from "../domain/filter.js";
import { formatTimeUs } from "../domain/time.js";
import type { Span } from "../domain/trace.js";
import { TOOL_SPAN_RULES } from "../genai/conventions.js";
import { parseLlmSpan } from "../genai/llm-span.js";
import { toolSpan } from "../genai/normalize.js";
import { normalizeProvider } from "../genai/providers.js";
import type { Coverage } from "../query/coverage.js";
import { findSpans, findTraces, type Found } from "../query/search.js";
import { pushedToolUsage } from "../query/tool-usage.js";
import { fitList, truncatedSchema } from "./budget.js";
import { defineTool } from "./define-tool.js";
import * as p from "./params.js";
import { skippedOutput } from "./llm-common.js";
import { coverageSchema, notesSchema, windowSchema, withCoverage, withMeta } from "./summaries.js";

/** One search per convention's tool marker (the filter model has no OR), merged afterwards. */
const TOOL_FILTERS: readonly Filter[] = TOOL_SPAN_RULES.map((r) => eq(r.key, r.value));

/** Most used first, ties by name. */
const byUsage = (a: { usage_count: number; tool_name: string }, b: { usage_count: number; tool_name: string }): number =>
  b.usage_count - a.usage_count || (a.tool_name < b.tool_name ? -1 : 1);

/** Tool-execution spans, each once, in order, cut to the limit. */
function uniqueToolSpans(spans: Iterable<Span>, limit: number): Span[] {
  const seen = new Set<string>();
  const out: Span[] = [];
  for (const s of spans) {
    const key = `${s.traceId}/${s.spanId}`;
    if (seen.has(key) || !toolSpan(s)) continue;
    seen.add(key);
    out.push(s);
  }
  return out.slice(0, limit);
}

/** The searches' notes, skipped traces and coverage combined; they all searched the same window. */
function combined(parts: ReadonlyArray<Found<unknown>>, spans: number): Omit<Found<unknown>, "items"> {
  const coverage: Coverage = {
    traces: parts.reduce((n, x) => n + (x.coverage.traces ?? 0), 0),
    spans,
    complete: parts.every((x) => x.coverage.complete),
    examined: parts.reduce((n, x) => n + x.coverage.examined, 0),
  };
  const limits = parts.map((x) => x.coverage.limit).filter((l): l is number => l !== undefined);
  if (limits.length > 0) coverage.limit = Math.max(...limits);
  return { window: parts[0]!.window, notes: [...new Set(parts.flatMap((x) => x.notes))], skipped: parts.flatMap((x) => x.skipped), coverage };
}

export const listLlmTools = defineTool({
  name: "list_llm_tools",
  title: "List LLM tool calls",
  description:
    "Tools agents called (tool-execution spans in any GenAI convention), by name: calls, services, first/last seen; " +
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
    // Where the backend groups tool spans itself (SQL): one query over every tool span of the window, the newest `limit` analysed.
    const pushed = await pushedToolUsage(ctx, {
      ...window,
      limit: args.limit,
      ...(args.service_name ? { serviceName: args.service_name } : {}),
      ...(args.gen_ai_system ? { genAiSystem: args.gen_ai_system } : {}),
    });
    if (pushed) {
      const cut = pushed.total > pushed.analysed;
      const coverage: Coverage = { traces: pushed.traces, spans: pushed.analysed, complete: !cut, examined: pushed.total, ...(cut ? { limit: args.limit } : {}) };
      const notes = cut
        ? [
            `Incomplete: computed from the newest ${pushed.analysed.toLocaleString("en-US")} of ${pushed.total.toLocaleString("en-US")} tool spans in the window ` +
              `(limit ${args.limit}); narrow the window or add service_name for a complete answer.`,
          ]
        : [];
      const meta = { window: pushed.window, notes };
      if (pushed.analysed === 0) return { ...withMeta({ count: 0, tools: [], message: "No LLM tool spans found matching the criteria" }, meta), coverage };
      const tools = pushed.tools
        .map((t) => ({ tool_name: t.toolName, usage_count: t.calls, services: [...t.services].sort(), first_seen: formatTimeUs(t.firstUs), last_seen: formatTimeUs(t.lastUs) }))
        .sort(byUsage);
      return { ...withMeta({ count: tools.length, total_calls: pushed.analysed, tools }, meta), coverage };
    }
    const serviceFilter = args.service_name ? [eq("service.name", args.service_name)] : [];
    let spans: Span[];
    let parts: Array<Found<unknown>>;
    if (args.gen_ai_system) {
      // Tool spans rarely carry gen_ai.system themselves (the original filtered them on it and usually found
      // nothing): select traces that contain both tool calls and an LLM call of that provider instead.
      const provider = normalizeProvider(args.gen_ai_system);
      const found = await Promise.all(
        TOOL_FILTERS.map((marker) => findTraces(ctx, { ...window, limit: args.limit, filters: [...serviceFilter, marker, eq("gen_ai.system", args.gen_ai_system!)], mode: "window" })),
      );
      const traces = new Map(found.flatMap((f) => f.items).map((t) => [t.traceId, t]));
      const candidates = [...traces.values()]
        .filter((t) => t.spans.some((s) => parseLlmSpan(s)?.system === provider))
        .flatMap((t) => t.spans.filter((s) => !args.service_name || s.serviceName === args.service_name));
      spans = uniqueToolSpans(candidates, args.limit);
      parts = found;
    } else {
      const found = await Promise.all(TOOL_FILTERS.map((marker) => findSpans(ctx, { ...window, limit: args.limit, filters: [...serviceFilter, marker], mode: "window" })));
      spans = uniqueToolSpans(found.flatMap((f) => f.items), args.limit);
      parts = found;
    }
    const meta = combined(parts, spans.length);
    if (spans.length === 0) {
      return withCoverage({ count: 0, tools: [], message: "No LLM tool spans found matching the criteria" }, meta);
    }
    const groups = aggregate(spans, (s) => toolSpan(s)!.toolName, {
      usage_count: { kind: "count" },
      services: { kind: "distinct", of: (s) => s.serviceName },
      first: { kind: "min", of: (s) => s.startTimeUs },
      last: { kind: "max", of: (s) => s.startTimeUs },
    });
    const tools = groups
      .map((g) => ({
        tool_name: g.key,
        usage_count: g.usage_count,
        services: g.services,
        first_seen: formatTimeUs(g.first ?? 0),
        last_seen: formatTimeUs(g.last ?? 0),
      }))
      .sort(byUsage);
    return withCoverage({ count: tools.length, total_calls: spans.length, tools }, meta);
  },
});
