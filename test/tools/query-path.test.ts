/**
 * The query path's promises, through the MCP client: --max-traces bounds every tool, limits never
 * stack, rankings see the whole window, Jaeger searches every service when none is named, lists
 * come newest first, get_trace comes in tree order. Expected values are computed from the dataset
 * with plain code (test/tools/truth.ts), never by the server's own functions.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { Trace } from "../../src/domain/trace.js";
import { TOOLS } from "../../src/tools/index.js";
import { DATASET_START_MS, generateDataset } from "../helpers/dataset.js";
import { jaegerWorld } from "../helpers/jaeger-world.js";
import { connect, type Connected } from "../helpers/mcp.js";
import { MemoryBackend } from "../helpers/memory-backend.js";
import { calls, sum } from "./truth.js";

const NOW = DATASET_START_MS + 6 * 3_600_000;
let mcp: Connected | undefined;
let closeWorld: (() => Promise<void>) | undefined;
afterEach(async () => {
  await mcp?.close();
  await closeWorld?.();
  mcp = undefined;
  closeWorld = undefined;
});

const newest = (traces: Trace[]) => [...traces].sort((a, b) => b.startTimeUs - a.startTimeUs);
const tokensOf = (t: Trace) => sum(calls([t]).map((c) => c.total));

/** Arguments that make each tool run a search. */
function argsFor(tool: string, traceId: string): Record<string, unknown> {
  switch (tool) {
    case "get_trace":
    case "analyze_trace":
      return { trace_id: traceId };
    case "get_session":
      return { session_id: "s-1" };
    case "get_llm_model_stats":
      return { model_name: "gpt-4o" };
    case "list_services":
      return {};
    default:
      return TOOLS.find((t) => t.name === tool && "limit" in t.input.shape) ? { limit: 1000 } : {};
  }
}

async function jaegerMcp(dataset: Trace[], flags: Record<string, string> = {}) {
  const running = await jaegerWorld({ now: () => NOW }).start(dataset);
  closeWorld = () => running.close();
  mcp = await connect({ flags: { backend: "jaeger", url: running.url, ...flags }, now: () => NOW });
  return { running, mcp };
}

const tracesRequests = (running: { requests: Array<{ path: string; query: Record<string, string> }> }) =>
  running.requests.filter((r) => r.path === "/api/traces");

describe("--max-traces is an upper bound on what one call asks for", () => {
  it("holds for every tool, including search_spans and a filter that runs only locally", async () => {
    const dataset = generateDataset({ seed: 3, traces: 120 });
    const backend = new MemoryBackend(dataset, { complete: false });
    mcp = await connect({ backendFactory: async () => backend, flags: { maxTraces: "50" }, now: () => NOW });
    for (const tool of TOOLS) {
      const before = backend.requests.length;
      const r = await mcp.call(tool.name, argsFor(tool.name, dataset[0]!.traceId));
      expect(r.isError, `${tool.name}: ${r.text.slice(0, 200)}`).toBe(false);
      for (const q of backend.requests.slice(before)) expect(q.limit, tool.name).toBeLessThanOrEqual(50);
    }
    // A local-only filter over-fetches, but never past the cap; the note names the real cap.
    const before = backend.requests.length;
    const r = await mcp.call("search_traces", { limit: 100, filters: [{ field: "gen_ai.system", operator: "exists" }] });
    expect(backend.requests.slice(before).map((q) => q.limit)).toEqual([50]);
    expect((r.json.notes as string[]).join(" ")).toContain("The limit 100 was lowered to 50");
  });

  it("limits never stack: one over-fetch at most, on the wire", async () => {
    const dataset = generateDataset({ seed: 4, traces: 30 });
    const service = dataset[0]!.serviceName;
    const { running } = await jaegerMcp(dataset);
    await mcp!.call("search_traces", { service_name: service, limit: 100 });
    expect(tracesRequests(running).at(-1)!.query.limit).toBe("100");
    // service + operation + duration + a filter Jaeger cannot apply: the review's probe reached Jaeger as limit=1000.
    await mcp!.call("search_traces", {
      service_name: service,
      operation_name: "agent.workflow",
      min_duration_ms: 1,
      limit: 100,
      filters: [{ field: "gen_ai.request.model", operator: "contains", value: "gpt" }],
    });
    expect(tracesRequests(running).at(-1)!.query.limit).toBe("500");
  });
});

describe("rankings see every trace of the window, not a backend-chosen subset", () => {
  it("get_llm_expensive_traces and get_llm_slow_traces on a Jaeger that returns any `limit` traces", async () => {
    // Far more traces than limit x 10: the original's "top 5 of the first 50" would be wrong here.
    const dataset = generateDataset({ seed: 8, traces: 240 }).map((t) => ({ ...t }));
    const service = dataset[0]!.serviceName;
    const mine = dataset.filter((t) => t.spans.some((s) => s.serviceName === service));
    expect(mine.length).toBeGreaterThan(50);
    await jaegerMcp(dataset);
    const expensive = await mcp!.call("get_llm_expensive_traces", { service_name: service, limit: 5 });
    const wantTokens = mine.map(tokensOf).filter((n) => n > 0).sort((a, b) => b - a).slice(0, 5);
    expect((expensive.json.traces as Array<{ tokens: { total: number } }>).map((t) => t.tokens.total)).toEqual(wantTokens);
    expect(expensive.json.coverage).toMatchObject({ complete: true, traces: mine.length });

    const slow = await mcp!.call("get_llm_slow_traces", { service_name: service, limit: 5 });
    const wantSlow = mine
      .filter((t) => calls([t]).length > 0)
      .map((t) => Math.round(t.durationMs * 100) / 100)
      .sort((a, b) => b - a)
      .slice(0, 5);
    expect((slow.json.traces as Array<{ duration_ms: number }>).map((t) => t.duration_ms)).toEqual(wantSlow);
  });

  it("says so when the cap was hit, with the numbers", async () => {
    const dataset = generateDataset({ seed: 9, traces: 90 });
    const service = dataset[0]!.serviceName;
    await jaegerMcp(dataset, { maxTraces: "20" });
    const r = await mcp!.call("get_llm_expensive_traces", { service_name: service, limit: 5 });
    expect(r.json.coverage).toMatchObject({ complete: false, limit: 20 });
    expect((r.json.notes as string[]).join(" ")).toMatch(/of at least 20 traces in the window/);
  });
});

describe("Jaeger without service_name", () => {
  it("searches every service (not Jaeger's own), merges by trace id, and says so", async () => {
    const dataset = generateDataset({ seed: 11, traces: 40 });
    const { running } = await jaegerMcp(dataset);
    const usage = await mcp!.call("get_llm_usage", {});
    expect(usage.isError, usage.text.slice(0, 300)).toBe(false);
    const all = calls(dataset);
    expect((usage.json.summary as { total_requests: number; total_tokens: number }).total_requests).toBe(all.length);
    expect((usage.json.summary as { total_tokens: number }).total_tokens).toBe(sum(all.map((c) => c.total)));
    expect((usage.json.notes as string[]).join(" ")).toMatch(/No service_name given: searched each of the \d+ services/);
    const searched = new Set(tracesRequests(running).map((r) => r.query.service));
    expect(searched.has("jaeger")).toBe(false);

    const found = await mcp!.call("search_traces", { limit: 1000 });
    expect(found.json.count).toBe(dataset.length);
    const services = await mcp!.call("list_services", {});
    expect(services.json.services).not.toContain("jaeger");
  });
});

describe("ordering", () => {
  it("search_traces, search_spans and find_errors answer newest first, even when Jaeger returns any subset", async () => {
    const dataset = generateDataset({ seed: 12, traces: 150 });
    const service = dataset[0]!.serviceName;
    const mine = dataset.filter((t) => t.spans.some((s) => s.serviceName === service));
    await jaegerMcp(dataset);
    const traces = await mcp!.call("search_traces", { service_name: service, limit: 5 });
    expect((traces.json.traces as Array<{ trace_id: string }>).map((t) => t.trace_id)).toEqual(newest(mine).slice(0, 5).map((t) => t.traceId));

    const spans = await mcp!.call("search_spans", { service_name: service, limit: 7 });
    const wantSpans = mine
      .flatMap((t) => t.spans)
      .filter((s) => s.serviceName === service)
      .sort((a, b) => b.startTimeUs - a.startTimeUs)
      .slice(0, 7);
    expect((spans.json.spans as Array<{ span_id: string }>).map((s) => s.span_id)).toEqual(wantSpans.map((s) => s.spanId));

    const errors = await mcp!.call("find_errors", { service_name: service, limit: 3 });
    const wantErrors = newest(mine.filter((t) => t.spans.some((s) => s.status === "ERROR"))).slice(0, 3);
    expect((errors.json.error_traces as Array<{ trace_id: string }>).map((t) => t.trace_id)).toEqual(wantErrors.map((t) => t.traceId));
  });

  it("get_trace lists spans in tree order with depth", async () => {
    const [trace] = generateDataset({ seed: 13, traces: 1, fillerSpans: 6 });
    // Shuffle the stored span order: the answer must not depend on it.
    const shuffled = { ...trace!, spans: [...trace!.spans].reverse() };
    mcp = await connect({ backendFactory: async () => new MemoryBackend([shuffled]), now: () => NOW });
    const r = await mcp.call("get_trace", { trace_id: trace!.traceId });
    const spans = r.json.spans as Array<{ span_id: string; parent_span_id: string | null; depth: number; start_time: string }>;
    expect(spans).toHaveLength(trace!.spans.length);
    const index = new Map(spans.map((s, i) => [s.span_id, i]));
    const depthOf = (id: string | null): number => {
      const s = trace!.spans.find((x) => x.spanId === id);
      return !s || !s.parentSpanId ? 0 : 1 + depthOf(s.parentSpanId);
    };
    expect(spans[0]!.parent_span_id).toBeNull();
    for (const s of spans) {
      expect(s.depth, s.span_id).toBe(depthOf(s.span_id));
      if (s.parent_span_id) expect(index.get(s.parent_span_id)!, s.span_id).toBeLessThan(index.get(s.span_id)!);
    }
    // Siblings by start time.
    for (const parent of trace!.spans) {
      const kids = spans.filter((s) => s.parent_span_id === parent.spanId).map((s) => s.start_time);
      expect(kids, parent.spanId).toEqual([...kids].sort());
    }
  });
});
