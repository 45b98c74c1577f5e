/**
 * list_llm_tools over tool spans of every convention (the mixed-convention trace, counted by hand
 * in its fixture, and the traces below), run on each backend that groups tool spans itself
 * (TraceBackend.toolUsage): the counts, services and first/last seen counted here by hand, the
 * service_name (the tool span's own service) and gen_ai_system (tool spans of the traces that hold
 * tool calls and an LLM call of that provider) filters, the name fallbacks (no name attribute: the
 * span name; an array name: skipped where the backend keeps value types), a marker spelled in
 * capitals, a span that reads as a tool but that no marker search finds, and `limit` analysing the
 * newest tool spans and saying so in coverage. The in-memory backend (whole traces, the fetch path)
 * must give the same answer.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assembleTrace, type Span, type Trace } from "../../src/domain/trace.js";
import { MIXED_EXPECTED, MIXED_TRACE } from "../fixtures/genai/mixed-trace.js";
import type { Connected } from "../helpers/mcp.js";

const BASE_US = MIXED_TRACE.startTimeUs;
export const TOOL_NOW = Math.floor(BASE_US / 1000) + 3_600_000;
const WINDOW = { start_time: new Date(TOOL_NOW - 2 * 3_600_000).toISOString(), end_time: new Date(TOOL_NOW).toISOString() };

type Attrs = Span["attributes"];

function trace(id: string, minute: number, rows: Array<[service: string, name: string, attrs: Attrs]>): Trace {
  const traceId = id.repeat(32).slice(0, 32);
  const startUs = BASE_US + minute * 60_000_000;
  const spans = rows.map(([serviceName, operationName, attributes], i): Span => ({
    traceId,
    spanId: `${id}${String(i + 1).padStart(15, "0")}`,
    parentSpanId: i === 0 ? null : `${id}${"1".padStart(15, "0")}`,
    operationName,
    serviceName,
    startTimeUs: startUs + i * 1000,
    durationMs: 1,
    status: "OK",
    attributes,
    events: [],
  }));
  return assembleTrace(traceId, spans)!;
}

const TOOL = (name: string): Attrs => ({ "traceloop.span.kind": "tool", "traceloop.entity.name": name });

/** Anthropic call; tools: search x3 (one in capitals, one of another service), a nameless OpenInference tool, and one no marker search finds. */
const A = trace("a", 15, [
  ["shop", "agent", {}],
  ["shop", "anthropic.chat", { "gen_ai.system": "anthropic", "gen_ai.request.model": "claude-3-5-haiku", "gen_ai.usage.input_tokens": 10, "gen_ai.usage.output_tokens": 5 }],
  ["shop", "tool.search", TOOL("search")],
  ["indexer", "tool.search", TOOL("search")],
  ["shop", "oi-fallback", { "openinference.span.kind": "TOOL" }],
  ["shop", "tool.search", { "traceloop.span.kind": "TOOL", "traceloop.entity.name": "search" }],
  // Reads as an OpenInference tool (lowercase kind), but an AI SDK span to the marker searches: listed only with gen_ai_system.
  ["shop", "hidden", { "ai.operationId": "ai.other", "openinference.span.kind": "tool", "tool.name": "hidden" }],
]);
/** OpenAI call; tools: an AI SDK tool call, an OTel execute_tool of another service, and an array-named traceloop tool. */
const B = trace("b", 20, [
  ["shop", "agent", {}],
  ["shop", "openai.chat", { "gen_ai.system": "openai", "gen_ai.request.model": "gpt-4o", "gen_ai.usage.input_tokens": 7, "gen_ai.usage.output_tokens": 3 }],
  ["shop", "ai.toolCall", { "ai.operationId": "ai.toolCall", "ai.toolCall.name": "fetch_url" }],
  ["worker", "execute_tool calc", { "gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "calc" }],
  ["worker", "array-named", { "traceloop.span.kind": "tool", "traceloop.entity.name": ["x", "y"] }],
]);
/** No LLM call: its tool never counts for a provider. */
const C = trace("c", 30, [
  ["batch", "job", {}],
  ["batch", "tool.search", TOOL("search")],
]);

export const TOOL_TRACES: Trace[] = [MIXED_TRACE, A, B, C];

/** A span's start as the tools print times: ISO 8601 with microseconds. */
const start = (t: Trace, i: number) => {
  const us = t.spans[i]!.startTimeUs;
  return new Date(Math.floor(us / 1000)).toISOString().replace("Z", `${String(us % 1000).padStart(3, "0")}Z`);
};

interface Tool {
  tool_name: string;
  usage_count: number;
  services: string[];
  first_seen: string;
  last_seen: string;
}
const names = (tools: readonly Tool[]) => Object.fromEntries(tools.map((t) => [t.tool_name, t.usage_count]));
/** TOOL_TRACES with list values as the JSON text a backend that keeps no value types returns (ClickHouse). */
export function listsAsText(traces: readonly Trace[]): Trace[] {
  const text = (a: Attrs): Attrs => Object.fromEntries(Object.entries(a).map(([k, v]) => [k, Array.isArray(v) ? JSON.stringify(v) : v]));
  return traces.map((t) => assembleTrace(t.traceId, t.spans.map((s) => ({ ...s, attributes: text(s.attributes) })))!);
}

const withoutCoverage = (json: Record<string, unknown>) => {
  const { coverage: _c, notes: _n, ...rest } = json;
  return rest;
};

/**
 * `listsAsText`: the backend keeps list values as JSON text (ClickHouse), so an array name reads as
 * that text. `reference` is the in-memory backend over TOOL_TRACES (as the backend returns them).
 */
export function describeToolUsage(
  name: string,
  setup: () => Promise<{ mcp: Connected; reference: Connected; asked?: () => Record<string, number>; close: () => Promise<void> }>,
  options: { listsAsText?: boolean } = {},
): void {
  const arrayName = options.listsAsText ? '["x","y"]' : "array-named";
  describe(`list_llm_tools grouped by the backend on ${name}`, () => {
    let ctx: Awaited<ReturnType<typeof setup>>;
    beforeAll(async () => (ctx = await setup()));
    afterAll(() => ctx.close());
    /** Where the backend is spied on: it was never asked for spans or traces. */
    const groupedInSql = () => {
      if (ctx.asked) expect(ctx.asked()).toMatchObject({ searchSpans: 0, searchTraces: 0 });
    };

    it("every convention's tool spans, by tool name, with services and first/last seen; the backend groups them", async () => {
      const before = ctx.asked?.();
      const r = await ctx.mcp.call("list_llm_tools", WINDOW);
      expect(r.isError, r.text).toBe(false);
      if (before) expect(ctx.asked!()).toEqual({ ...before, toolUsage: before.toolUsage! + 1 });
      const tools = r.json.tools as Tool[];
      expect(names(tools)).toEqual({ ...MIXED_EXPECTED.tools, search: 4, "oi-fallback": 1, fetch_url: 1, calc: 1, [arrayName]: 1 });
      expect(r.json.total_calls).toBe(12);
      expect(r.json.count).toBe(tools.length);
      // Most used first, ties by name.
      const order = [...tools].sort((a, b) => b.usage_count - a.usage_count || (a.tool_name < b.tool_name ? -1 : 1));
      expect(tools.map((t) => t.tool_name)).toEqual(order.map((t) => t.tool_name));
      expect(tools.find((t) => t.tool_name === "search")).toEqual({ tool_name: "search", usage_count: 4, services: ["batch", "indexer", "shop"], first_seen: start(A, 2), last_seen: start(C, 1) });
      expect(tools.find((t) => t.tool_name === "calc")).toMatchObject({ services: ["worker"], first_seen: start(B, 3), last_seen: start(B, 3) });
      expect(r.json.coverage).toEqual({ traces: 4, spans: 12, complete: true, examined: 12 });
      expect(withoutCoverage(r.json)).toEqual(withoutCoverage((await ctx.reference.call("list_llm_tools", WINDOW)).json));
    });

    it("service_name keeps the tool spans of that service", async () => {
      const r = await ctx.mcp.call("list_llm_tools", { ...WINDOW, service_name: "shop" });
      expect(names(r.json.tools as Tool[])).toEqual({ search: 2, "oi-fallback": 1, fetch_url: 1 });
      expect(withoutCoverage(r.json)).toEqual(withoutCoverage((await ctx.reference.call("list_llm_tools", { ...WINDOW, service_name: "shop" })).json));
      groupedInSql();
    });

    it("gen_ai_system keeps the tool spans of traces with tool calls and an LLM call of that provider", async () => {
      const anthropic = await ctx.mcp.call("list_llm_tools", { ...WINDOW, gen_ai_system: "Anthropic" });
      // The mixed trace has an Anthropic call too; the hidden tool counts here (the tool reads whole traces).
      expect(names(anthropic.json.tools as Tool[])).toEqual({ ...MIXED_EXPECTED.tools, search: 3, "oi-fallback": 1, hidden: 1 });
      expect(withoutCoverage(anthropic.json)).toEqual(withoutCoverage((await ctx.reference.call("list_llm_tools", { ...WINDOW, gen_ai_system: "Anthropic" })).json));
      const scoped = await ctx.mcp.call("list_llm_tools", { ...WINDOW, gen_ai_system: "anthropic", service_name: "shop" });
      expect(names(scoped.json.tools as Tool[])).toEqual({ search: 2, "oi-fallback": 1, hidden: 1 });
      expect(withoutCoverage(scoped.json)).toEqual(withoutCoverage((await ctx.reference.call("list_llm_tools", { ...WINDOW, gen_ai_system: "anthropic", service_name: "shop" })).json));
      const openai = await ctx.mcp.call("list_llm_tools", { ...WINDOW, gen_ai_system: "openai", service_name: "worker" });
      expect(names(openai.json.tools as Tool[])).toEqual({ calc: 1, [arrayName]: 1 });
      const none = await ctx.mcp.call("list_llm_tools", { ...WINDOW, gen_ai_system: "cohere" });
      expect(none.json).toMatchObject({ count: 0, tools: [], message: "No LLM tool spans found matching the criteria" });
      groupedInSql();
    });

    it("limit analyses the newest tool spans and says the answer is incomplete", async () => {
      const r = await ctx.mcp.call("list_llm_tools", { ...WINDOW, limit: 3 });
      expect(r.isError, r.text).toBe(false);
      // The newest three: C's search, then B's array-named and calc.
      expect(names(r.json.tools as Tool[])).toEqual({ search: 1, [arrayName]: 1, calc: 1 });
      expect(r.json.total_calls).toBe(3);
      expect(r.json.coverage).toEqual({ traces: 2, spans: 3, complete: false, examined: 12, limit: 3 });
      expect((r.json.notes as string[]).join(" ")).toMatch(/newest 3 of 12 tool spans/);
      groupedInSql();
    });
  });
}
