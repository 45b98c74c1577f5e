import { afterEach, describe, expect, it } from "vitest";
import type { Trace } from "../../src/domain/trace.js";
import { generateDataset } from "../helpers/dataset.js";
import { MemoryBackend } from "../helpers/memory-backend.js";
import { connect, type Connected } from "../helpers/mcp.js";

const traces = generateDataset({ seed: 3, traces: 12 });
let mcp: Connected | undefined;
afterEach(async () => {
  await mcp?.close();
  mcp = undefined;
});

describe("tool results", () => {
  it("are one compact JSON text equal to structuredContent", async () => {
    mcp = await connect({ backendFactory: async () => new MemoryBackend(traces) });
    const r = await mcp.call("search_traces", { limit: 3 });
    expect(r.isError).toBe(false);
    expect(r.text).not.toContain("\n");
    expect(r.json).toEqual(r.structured);
    expect(r.json.count).toBe(3);
  });

  it("report times as ISO 8601 with Z", async () => {
    mcp = await connect({ backendFactory: async () => new MemoryBackend(traces) });
    const r = await mcp.call("get_trace", { trace_id: traces[0]!.traceId });
    expect(r.json.start_time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z$/);
    const spans = r.json.spans as Array<{ start_time: string; parent_span_id: string | null; llm_attributes?: { system: string } }>;
    expect(spans).toHaveLength(traces[0]!.spans.length);
    expect(spans.filter((s) => s.parent_span_id === null)).toHaveLength(1);
    expect(spans.some((s) => s.llm_attributes?.system)).toBe(true);
    expect(r.json.llm_summary).toMatchObject({ llm_span_count: traces[0]!.spans.filter((s) => s.attributes["gen_ai.system"]).length });
  });
});

describe("bad input is an isError result that says what to fix", () => {
  it.each([
    ["search_traces", { limit: 5000 }, /^Invalid query parameters: limit: .*1000.*Fix the argument\(s\) and call search_traces again\.$/],
    ["search_traces", { limit: 0 }, /^Invalid query parameters: limit:/],
    ["search_traces", { min_duration_ms: -1 }, /^Invalid query parameters: min_duration_ms:/],
    ["search_traces", { servce_name: "x" }, /unknown argument\(s\) 'servce_name'; valid arguments: service_name, operation_name/],
    ["search_traces", { start_time: "yesterday" }, /^Invalid start_time format: Invalid isoformat string: 'yesterday'/],
    ["search_traces", { end_time: "2025-13-01" }, /^Invalid end_time format: /],
    ["search_traces", { start_time: "2025-01-02", end_time: "2025-01-01" }, /start_time \(2025-01-02T00:00:00Z\) is after end_time/],
    ["search_traces", { filters: [{ field: "x", operator: "in", value: 1 }] }, /^Invalid filter format: filters\[0\]: Operator 'in' requires 'values' field/],
    ["search_traces", { filters: [{ field: "x", operator: "bogus", value: 1 }] }, /^Invalid filter format: filters\[0\]\.operator:/],
    ["search_spans", { filters: [{ field: "x", operator: "gt", value: "a", value_type: "string" }] }, /cannot be used with value_type 'string'/],
    ["get_trace", {}, /^Invalid query parameters: trace_id:/],
    ["get_llm_model_stats", { model_name: "" }, /^Invalid query parameters: model_name:/],
    ["get_llm_expensive_traces", { limit: -3 }, /^Invalid query parameters: limit:/],
    ["get_llm_usage", { limit: 1001 }, /^Invalid query parameters: limit:/],
  ])("%s %j", async (tool, args, message) => {
    mcp = await connect({ backendFactory: async () => new MemoryBackend(traces) });
    const r = await mcp.call(tool, args as Record<string, unknown>);
    expect(r.isError).toBe(true);
    expect(Object.keys(r.json)).toEqual(["error"]);
    expect(r.json.error).toMatch(message);
  });

  it("an unknown tool lists the available ones", async () => {
    mcp = await connect({ backendFactory: async () => new MemoryBackend(traces) });
    const r = await mcp.call("search_trace", {});
    expect(r.isError).toBe(true);
    expect(r.json.error).toMatch(/Unknown tool 'search_trace'\. Available tools: search_traces, search_spans/);
  });
});

describe("many-trace tools", () => {
  it("fetch with bounded concurrency, keep order, and report skipped traces", async () => {
    const fail = new Set([traces[2]!.traceId, traces[5]!.traceId]);
    let inFlight = 0;
    let maxInFlight = 0;
    class Slow extends MemoryBackend {
      override async getTrace(id: string): Promise<Trace> {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((r) => setTimeout(r, 5));
        try {
          return await super.getTrace(id);
        } finally {
          inFlight--;
        }
      }
    }
    const backend = new Slow(traces, { complete: false, failIds: fail });
    mcp = await connect({ backendFactory: async () => backend, flags: { concurrency: "3" } });
    const r = await mcp.call("list_llm_models", {});
    expect(r.isError).toBe(false);
    expect(maxInFlight).toBe(3);
    expect(backend.fetches).toBe(traces.length);
    const skipped = r.json.skipped as Array<{ trace_id: string; reason: string }>;
    // Listed in the answer's order: newest first.
    const newestFirst = [traces[2]!, traces[5]!].sort((a, b) => b.startTimeUs - a.startTimeUs).map((t) => t.traceId);
    expect(skipped.map((s) => s.trace_id)).toEqual(newestFirst);
    expect(skipped[0]!.reason).toContain("HTTP 500");
    expect((r.json.notes as string[]).join(" ")).toMatch(/2 of 12 traces could not be fetched and were skipped/);
    const expectedCount = traces
      .filter((t) => !fail.has(t.traceId))
      .flatMap((t) => t.spans)
      .filter((s) => s.attributes["gen_ai.system"]).length;
    const models = r.json.models as Array<{ request_count: number }>;
    expect(models.reduce((a, m) => a + m.request_count, 0)).toBe(expectedCount);
  });

  it("reuse complete traces from the search instead of fetching each again", async () => {
    const backend = new MemoryBackend(traces, { complete: true });
    mcp = await connect({ backendFactory: async () => backend });
    await mcp.call("get_llm_model_stats", { model_name: "gpt-4o" });
    expect(backend.searches).toBe(1);
    expect(backend.fetches).toBe(0);
  });
});

describe("trace cache", () => {
  it("a second get_trace of a settled trace makes no backend request", async () => {
    const backend = new MemoryBackend(traces);
    mcp = await connect({ backendFactory: async () => backend });
    const a = await mcp.call("get_trace", { trace_id: traces[1]!.traceId });
    const b = await mcp.call("get_trace", { trace_id: traces[1]!.traceId });
    expect(b.json).toEqual(a.json);
    expect(backend.fetches).toBe(1);
  });

  it("traces found by a search are served from the cache afterwards", async () => {
    const backend = new MemoryBackend(traces);
    mcp = await connect({ backendFactory: async () => backend });
    await mcp.call("search_traces", {});
    await mcp.call("get_trace", { trace_id: traces[4]!.traceId });
    expect(backend.fetches).toBe(0);
  });

  it("identical concurrent get_trace calls share one backend request", async () => {
    const backend = new MemoryBackend(traces);
    mcp = await connect({ backendFactory: async () => backend });
    const id = traces[6]!.traceId;
    await Promise.all([mcp.call("get_trace", { trace_id: id }), mcp.call("get_trace", { trace_id: id }), mcp.call("get_trace", { trace_id: id })]);
    expect(backend.fetches).toBe(1);
  });
});

describe("trace store", () => {
  it("never caches a partial trace", async () => {
    const { TraceCache } = await import("../../src/query/trace-cache.js");
    const store = new TraceCache({ settleMs: 0 });
    expect(store.put({ ...traces[0]!, partial: true })).toBe(false);
    expect(store.get(traces[0]!.traceId)).toBeUndefined();
    expect(store.put(traces[0]!)).toBe(true);
  });

  it("does not cache a trace that may still be receiving spans", async () => {
    const { TraceCache } = await import("../../src/query/trace-cache.js");
    const t = traces[0]!;
    const endMs = t.startTimeUs / 1000 + t.durationMs;
    const store = new TraceCache({ settleMs: 60_000, now: () => endMs + 1000 });
    expect(store.put(t)).toBe(false);
    const later = new TraceCache({ settleMs: 60_000, now: () => endMs + 61_000 });
    expect(later.put(t)).toBe(true);
  });

  it("evicts the least recently used traces beyond its byte bound", async () => {
    const { TraceCache, estimateTraceBytes } = await import("../../src/query/trace-cache.js");
    const [a, b, c] = ["a", "b", "c"].map((id) => ({ ...traces[0]!, traceId: id.repeat(32) }));
    const bound = 2 * estimateTraceBytes(a!) + 10;
    const store = new TraceCache({ settleMs: 0, maxBytes: bound });
    store.put(a!);
    store.put(b!);
    store.get(a!.traceId); // refresh a: b is now the oldest
    store.put(c!);
    expect(store.get(b!.traceId)).toBeUndefined();
    expect(store.get(a!.traceId)).toBeDefined();
    expect(store.get(c!.traceId)).toBeDefined();
    expect(store.usedBytes).toBeLessThanOrEqual(bound);
  });
});

describe("filters the backend cannot apply", () => {
  it("over-fetch so the limit can still be filled, and say what was examined", async () => {
    const errorTraces = traces.filter((t) => t.spans.some((s) => s.status === "ERROR"));
    expect(errorTraces.length).toBeGreaterThan(1);
    mcp = await connect({ backendFactory: async () => new MemoryBackend(traces) });
    // MemoryBackend pushes nothing: with limit 1, only over-fetching finds an error trace at all
    // unless the newest trace happens to be one.
    const r = await mcp.call("find_errors", { limit: 1 });
    expect(r.json.count).toBe(1);
    expect((r.json.notes as string[]).join(" ")).toMatch(new RegExp(`applied by this server, not the backend \\(status equals "ERROR"\\): ${errorTraces.length} of ${traces.length} traces examined matched`));
  });
});
