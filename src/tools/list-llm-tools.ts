import { z } from "zod";
import { eq, type Filter } from "../domain/filter.js";
import { formatTimeUs } from "../domain/time.js";
import type { Span, Trace } from "../domain/trace.js";
import { TOOL_SPAN_RULES } from "../genai/conventions.js";
import { parseLlmSpan } from "../genai/llm-span.js";
import { toolSpan } from "../genai/normalize.js";
import { normalizeProvider } from "../genai/providers.js";
import { fitList, truncatedSchema } from "./budget.js";
import { defineTool } from "./define-tool.js";
import * as p from "./params.js";
import { collectCompleteTraces, searchSpanList, type Collected } from "./collect.js";
import { skippedOutput } from "./llm-common.js";
import { notesSchema, windowSchema, withMeta } from "./summaries.js";

/** One search per convention's tool marker (the filter model has no OR), merged afterwards. */
const TOOL_FILTERS: readonly Filter[] = TOOL_SPAN_RULES.map((r) => eq(r.key, r.value));

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

/** The searches' notes and skipped traces combined; they all searched the same window. */
function combinedMeta(parts: ReadonlyArray<Collected<unknown>>): Collected<unknown> {
  const window = parts[0]?.window;
  return {
    items: [],
    notes: [...new Set(parts.flatMap((x) => x.notes))],
    skipped: parts.flatMap((x) => x.skipped),
    ...(window ? { window } : {}),
  };
}

export const listLlmTools = defineTool({
  name: "list_llm_tools",
  title: "List LLM tool calls",
  description:
    "List the tools (function calls) LLM agents invoked — tool-execution spans in any convention (traceloop.span.kind=tool, " +
    "gen_ai.operation.name=execute_tool, openinference.span.kind=TOOL, the AI SDK's ai.toolCall) — grouped by tool name, " +
    "with call counts, the services that made them, and first/last time seen. gen_ai_system keeps tool calls made in " +
    "traces that used that LLM provider.",
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
      // Tool spans rarely carry the provider themselves (the original filtered them on it and usually found
      // nothing): select traces that contain both tool calls and an LLM call of that provider instead.
      const provider = normalizeProvider(args.gen_ai_system);
      const parts: Array<Collected<Trace>> = [];
      for (const marker of TOOL_FILTERS) {
        const filters = [...serviceFilter, marker, eq("gen_ai.system", args.gen_ai_system)];
        parts.push(await collectCompleteTraces(ctx, { ...window, limit: args.limit, filters }));
      }
      const traces = new Map<string, Trace>();
      for (const part of parts) for (const t of part.items) if (!traces.has(t.traceId)) traces.set(t.traceId, t);
      const candidates = [...traces.values()]
        .filter((t) => t.spans.some((s) => parseLlmSpan(s)?.system === provider))
        .flatMap((t) => t.spans.filter((s) => !args.service_name || s.serviceName === args.service_name));
      spans = uniqueToolSpans(candidates, args.limit);
      meta = combinedMeta(parts);
    } else {
      const parts: Array<Collected<Span>> = [];
      for (const marker of TOOL_FILTERS) {
        parts.push(await searchSpanList(ctx, { ...window, limit: args.limit, filters: [...serviceFilter, marker] }));
      }
      spans = uniqueToolSpans(parts.flatMap((x) => x.items), args.limit);
      meta = combinedMeta(parts);
    }
    if (spans.length === 0) {
      return withMeta({ count: 0, tools: [], message: "No LLM tool spans found matching the criteria" }, meta);
    }
    const groups = new Map<string, { count: number; services: Set<string>; first: number; last: number }>();
    for (const s of spans) {
      const name = toolSpan(s)!.toolName;
      const g = groups.get(name) ?? { count: 0, services: new Set<string>(), first: s.startTimeUs, last: s.startTimeUs };
      g.count += 1;
      g.services.add(s.serviceName);
      g.first = Math.min(g.first, s.startTimeUs);
      g.last = Math.max(g.last, s.startTimeUs);
      groups.set(name, g);
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
