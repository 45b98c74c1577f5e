/**
 * The LLM analytics tools through the MCP client, against ground truth computed from the dataset
 * with plain code (./truth.ts): one suite, run over each backend that can serve the dataset.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Call } from "./truth.js";
import { generateDataset, generateEdgeTraces } from "../helpers/dataset.js";
import { truthFor, truthTable } from "../helpers/dataset-truth.js";
import type { Connected } from "../helpers/mcp.js";
import { calls, modelOf, pct, sum, usageRow, usageSummary } from "./truth.js";

// The edge traces (OK root over an ERROR child, two roots, clock skew, arbitrary span order) come
// first in time; trace-level expectations come from the raw spans, not the assembled fields.
export const edges = generateEdgeTraces({ service: "chat-api" });
export const traces = [...generateDataset({ seed: 7, traces: 30, startMs: Date.UTC(2025, 10, 13, 13, 0, 0) }), ...edges];
const truth = truthTable(traces);
const all = calls(traces);

/** The suite over one backend serving `traces` (the caller starts and stops it). */
export function describeLlmTools(name: string, setup: () => Promise<{ mcp: Connected; close: () => Promise<void> }>): void {
  describe(`LLM analytics tools on ${name} (ground truth from the dataset)`, () => {
    let mcp: Connected;
    let close: () => Promise<void>;
    beforeAll(async () => ({ mcp, close } = await setup()));
    afterAll(() => close());

    it("get_llm_usage totals, by_model and by_service", async () => {
      const r = await mcp.call("get_llm_usage", {});
      expect(r.isError).toBe(false);
      expect(r.json.summary).toEqual(usageSummary(all));
      expect((r.json.summary as { total_cache_read_tokens: number }).total_cache_read_tokens).toBeGreaterThan(0);
      const byModel = r.json.by_model as Record<string, { requests: number; total_tokens: number }>;
      for (const model of new Set(all.map(modelOf))) {
        const mine = all.filter((c) => modelOf(c) === model);
        expect(byModel[model]).toEqual(usageRow(mine));
      }
      const byService = r.json.by_service as Record<string, { requests: number }>;
      for (const service of new Set(all.map((c) => c.span.serviceName))) {
        expect(byService[service]!.requests).toBe(all.filter((c) => c.span.serviceName === service).length);
      }
      // period states the window analysed (the original left it null when defaulted), equal to window.
      expect(r.json.period).toEqual(r.json.window);
      expect((r.json.period as { start_time: string }).start_time).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect(r.json.filters).toEqual({ service_name: null, gen_ai_system: null, gen_ai_request_model: null, gen_ai_response_model: null });
    });

    it("get_llm_usage with a model filter counts only that model's calls", async () => {
      const r = await mcp.call("get_llm_usage", { gen_ai_request_model: "gpt-4o" });
      const mine = all.filter((c) => c.request === "gpt-4o");
      expect((r.json.summary as { total_requests: number }).total_requests).toBe(mine.length);
      expect((r.json.summary as { total_tokens: number }).total_tokens).toBe(sum(mine.map((c) => c.total)));
      expect(Object.keys(r.json.by_model as object).every((m) => m.startsWith("gpt-4o") && !m.startsWith("gpt-4o-mini"))).toBe(true);
    });

    it("list_llm_models: models, providers, counts, most used first", async () => {
      const r = await mcp.call("list_llm_models", {});
      const models = r.json.models as Array<{ model: string; provider: string; request_count: number; first_seen: string; last_seen: string }>;
      const expected = new Map<string, Call[]>();
      for (const c of all) expected.set(modelOf(c), [...(expected.get(modelOf(c)) ?? []), c]);
      expect(r.json.count).toBe(expected.size);
      for (const m of models) {
        const mine = expected.get(m.model)!;
        expect(m.request_count).toBe(mine.length);
        expect(m.provider).toBe(mine[0]!.system);
        const starts = mine.map((c) => c.span.startTimeUs).sort((a, b) => a - b);
        expect(Date.parse(m.first_seen) * 1000).toBe(Math.floor(starts[0]! / 1000) * 1000);
        expect(Date.parse(m.last_seen) * 1000).toBe(Math.floor(starts.at(-1)! / 1000) * 1000);
      }
      const counts = models.map((m) => m.request_count);
      expect(counts).toEqual([...counts].sort((a, b) => b - a));
    });

    it("get_llm_model_stats matches the requested or responding model and computes percentiles", async () => {
      const r = await mcp.call("get_llm_model_stats", { model_name: "gpt-4o" });
      expect(r.isError).toBe(false);
      const mine = all.filter((c) => c.request === "gpt-4o" || c.response === "gpt-4o");
      const errors = mine.filter((c) => c.span.status === "ERROR").length;
      expect(r.json.request_count).toBe(mine.length);
      expect(r.json.error_count).toBe(errors);
      expect(r.json.success_count).toBe(mine.length - errors);
      expect(r.json.error_rate).toBeCloseTo((errors / mine.length) * 100, 2);
      // Answers round floats to 3 decimals (src/mcp/tidy-numbers.ts), so compare to within that.
      const d = r.json.duration_ms as Record<string, number>;
      const durations = mine.map((c) => c.span.durationMs);
      expect(d.p50).toBeCloseTo(pct(durations, 0.5), 2);
      expect(d.p95).toBeCloseTo(pct(durations, 0.95), 2);
      expect(d.p99).toBeCloseTo(pct(durations, 0.99), 2);
      expect(d.mean).toBeCloseTo(sum(durations) / durations.length, 2);
      const tokens = r.json.tokens as Record<string, Record<string, number>>;
      expect(tokens.total!.p95).toBeCloseTo(pct(mine.filter((c) => c.total).map((c) => c.total), 0.95), 2);
      const finish = r.json.finish_reasons as Record<string, number>;
      expect(sum(Object.values(finish))).toBe(mine.filter((c) => c.span.status !== "ERROR").length);
    });

    it("get_llm_model_stats for an unseen model is an error that says what to do", async () => {
      const r = await mcp.call("get_llm_model_stats", { model_name: "gpt-99" });
      expect(r.isError).toBe(true);
      expect(r.json.error).toMatch(/^No traces found for model 'gpt-99' in the specified time range\. Use list_llm_models/);
    });

    it("get_llm_expensive_traces orders by total tokens and honours min_tokens", async () => {
      const perTrace = traces
        .map((t) => ({ id: t.traceId, total: sum(all.filter((c) => c.trace === t).map((c) => c.total)) }))
        .filter((t) => t.total > 0)
        .sort((a, b) => b.total - a.total);
      const r = await mcp.call("get_llm_expensive_traces", { limit: 5 });
      const got = r.json.traces as Array<{ trace_id: string; tokens: { total: number }; models: string[] }>;
      expect(got.map((t) => t.trace_id)).toEqual(perTrace.slice(0, 5).map((t) => t.id));
      expect(got.map((t) => t.tokens.total)).toEqual(perTrace.slice(0, 5).map((t) => t.total));
      const threshold = perTrace[3]!.total;
      const r2 = await mcp.call("get_llm_expensive_traces", { limit: 50, min_tokens: threshold });
      expect(r2.json.count).toBe(perTrace.filter((t) => t.total >= threshold).length);
    });

    it("get_llm_slow_traces orders by duration, the outlier first", async () => {
      const expected = [...traces].sort((a, b) => truthFor(truth, b.traceId).durationMs - truthFor(truth, a.traceId).durationMs).slice(0, 3);
      const r = await mcp.call("get_llm_slow_traces", { limit: 3 });
      const got = r.json.traces as Array<{ trace_id: string; duration_ms: number; llm_span_count: number }>;
      expect(got.map((t) => t.trace_id)).toEqual(expected.map((t) => t.traceId));
      expect(got[0]!.duration_ms).toBe(Math.round(truthFor(truth, expected[0]!.traceId).durationMs * 100) / 100);
      expect(got[0]!.duration_ms).toBeGreaterThan(20_000);
    });

    it("find_errors lists error spans with message, type and LLM details", async () => {
      const r = await mcp.call("find_errors", {});
      const errorTraces = traces.filter((t) => t.spans.some((s) => s.status === "ERROR"));
      expect(r.json.count).toBe(errorTraces.length);
      const listed = r.json.error_traces as Array<{ trace_id: string; error_spans: Array<Record<string, unknown>> }>;
      expect(listed.map((t) => t.trace_id).sort()).toEqual(errorTraces.map((t) => t.traceId).sort());
      // Each trace lists exactly its ERROR spans: the OK root over an ERROR child lists the child alone.
      for (const t of listed) {
        const want = traces.find((x) => x.traceId === t.trace_id)!.spans.filter((s) => s.status === "ERROR");
        expect(t.error_spans.map((s) => s.span_id).sort(), t.trace_id).toEqual(want.map((s) => s.spanId).sort());
      }
      const okRoot = listed.find((t) => t.trace_id === edges[0]!.traceId)!;
      expect(okRoot.error_spans.map((s) => s.operation_name)).toEqual(["anthropic.chat"]);
      // In the generated traces the root span is ERROR too but carries no details: it reports "Unknown error".
      const first = listed.find((t) => traces.find((x) => x.traceId === t.trace_id)!.spans.some((s) => !s.parentSpanId && s.status === "ERROR"))!;
      expect(first.error_spans.find((s) => !s.is_llm_error)).toMatchObject({ error_message: "Unknown error" });
      const llmError = first.error_spans.find((s) => s.is_llm_error)!;
      expect(llmError).toMatchObject({
        error_message: "Rate limit exceeded: retry after 20s",
        error_type: "RateLimitError",
        is_llm_error: true,
        status: "ERROR",
      });
      expect(typeof llmError.llm_model).toBe("string");
      expect(typeof llmError.llm_provider).toBe("string");
    });

    it("search_traces and get_trace state root, start, duration, status and tokens as the raw spans give them", async () => {
      const r = await mcp.call("search_traces", { limit: 100 });
      const got = r.json.traces as Array<Record<string, unknown>>;
      expect(got.map((t) => t.trace_id).sort()).toEqual(traces.map((t) => t.traceId).sort());
      for (const t of got) {
        const want = truthFor(truth, t.trace_id as string);
        expect(
          { service: t.service_name, op: t.operation_name, status: t.status, spans: t.span_count, llm: t.llm_span_count, tokens: t.total_tokens, errors: t.has_errors },
          want.traceId,
        ).toEqual({ service: want.serviceName, op: want.rootOperation, status: want.status, spans: want.spanCount, llm: want.llmSpanCount, tokens: want.totalTokens, errors: want.hasErrors });
        expect(t.duration_ms as number, want.traceId).toBeCloseTo(want.durationMs, 2);
        expect(Date.parse(t.start_time as string), want.traceId).toBe(Math.floor(want.startTimeUs / 1000));
      }
      for (const edge of edges) {
        const one = await mcp.call("get_trace", { trace_id: edge.traceId });
        const want = truthFor(truth, edge.traceId);
        expect({ root: one.json.root_operation, status: one.json.status, spans: one.json.span_count }).toEqual({ root: want.rootOperation, status: want.status, spans: want.spanCount });
        expect(one.json.duration_ms as number).toBeCloseTo(want.durationMs, 2);
        expect((one.json.llm_summary as { total_tokens: number }).total_tokens).toBe(want.totalTokens);
      }
    });

    it("list_llm_tools groups tool spans by tool name (traceloop.entity.name)", async () => {
      const r = await mcp.call("list_llm_tools", {});
      const toolSpans = traces.flatMap((t) => t.spans).filter((s) => s.attributes["traceloop.span.kind"] === "tool");
      expect(r.json.total_calls).toBe(toolSpans.length);
      const names = new Set(toolSpans.map((s) => s.attributes["traceloop.entity.name"]));
      expect((r.json.tools as unknown[]).length).toBe(names.size);
      for (const tool of r.json.tools as Array<{ tool_name: string; usage_count: number }>) {
        expect(tool.usage_count).toBe(toolSpans.filter((s) => s.attributes["traceloop.entity.name"] === tool.tool_name).length);
      }
    });

    it("list_llm_tools with gen_ai_system keeps tool calls of traces that used that provider", async () => {
      const r = await mcp.call("list_llm_tools", { gen_ai_system: "anthropic" });
      const withAnthropic = traces.filter((t) => t.spans.some((s) => s.attributes["gen_ai.system"] === "anthropic"));
      const expected = withAnthropic.flatMap((t) => t.spans).filter((s) => s.attributes["traceloop.span.kind"] === "tool");
      expect(expected.length).toBeGreaterThan(0);
      expect(r.json.total_calls).toBe(expected.length);
    });
  });
}
