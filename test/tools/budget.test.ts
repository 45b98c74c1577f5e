import { afterEach, describe, expect, it } from "vitest";
import { createSpan, assembleTrace, type Trace } from "../../src/domain/trace.js";
import { generateDataset } from "../helpers/dataset.js";
import { MemoryBackend } from "../helpers/memory-backend.js";
import { connect, type Connected } from "../helpers/mcp.js";

let mcp: Connected | undefined;
afterEach(async () => {
  await mcp?.close();
  mcp = undefined;
});

/** One trace of 2,000+ spans with long prompts and a few error spans deep in the tree. */
function hugeTrace(): Trace {
  const base = generateDataset({ seed: 11, traces: 1, fillerSpans: 2000 })[0]!;
  const root = base.spans.find((s) => !s.parentSpanId)!;
  const spans = base.spans.map((s, i) =>
    i % 10 === 0 && s !== root ? { ...s, attributes: { ...s.attributes, "gen_ai.prompt.0.content": "x".repeat(3000) } } : s,
  );
  // A chain root -> mid -> leaf where only the leaf fails: both must survive the cut.
  const mid = createSpan({ traceId: base.traceId, spanId: "aaaaaaaaaaaaaaa1", parentSpanId: root.spanId, operationName: "mid", serviceName: "svc", startTimeUs: root.startTimeUs + 10, durationMs: 5 });
  const leaf = createSpan({
    traceId: base.traceId,
    spanId: "aaaaaaaaaaaaaaa2",
    parentSpanId: mid.spanId,
    operationName: "leaf",
    serviceName: "svc",
    startTimeUs: root.startTimeUs + 20,
    durationMs: 1,
    status: "ERROR",
    attributes: { "error.message": "boom" },
  });
  return assembleTrace(base.traceId, [...spans, mid, leaf])!;
}

describe("response budget", () => {
  it("a 2,000-span trace stays under the budget, keeps every error span with its ancestors, and declares the cut", async () => {
    const trace = hugeTrace();
    expect(trace.spans.length).toBeGreaterThan(2000);
    mcp = await connect({ backendFactory: async () => new MemoryBackend([trace]), flags: { maxResponseChars: "80000" } });
    const r = await mcp.call("get_trace", { trace_id: trace.traceId });
    expect(r.isError).toBe(false);
    expect(r.text.length).toBeLessThanOrEqual(80_000);
    const truncated = r.json.truncated as { spans_omitted: number; values_shortened: number; hint: string };
    expect(truncated.spans_omitted).toBeGreaterThan(0);
    expect(truncated.values_shortened).toBeGreaterThan(0);
    expect(truncated.hint).toMatch(/search_spans/);
    const spans = r.json.spans as Array<{ span_id: string; parent_span_id: string | null; status: string }>;
    expect(spans.length + truncated.spans_omitted).toBe(trace.spans.length);
    const ids = new Set(spans.map((s) => s.span_id));
    // Tree stays connected: every kept span's parent is kept (or it is the root).
    for (const s of spans) if (s.parent_span_id) expect(ids.has(s.parent_span_id)).toBe(true);
    const errorIds = trace.spans.filter((s) => s.status === "ERROR").map((s) => s.spanId);
    for (const id of errorIds) expect(ids.has(id)).toBe(true);
    expect(ids.has("aaaaaaaaaaaaaaa1")).toBe(true);
    // The summary still describes the whole trace.
    expect(r.json.span_count).toBe(trace.spans.length);
  });

  it("shortens long values first when that is enough", async () => {
    const [t] = generateDataset({ seed: 2, traces: 1 });
    const big = { ...t!, spans: t!.spans.map((s) => ({ ...s, attributes: { ...s.attributes, blob: "y".repeat(20_000) } })) };
    mcp = await connect({ backendFactory: async () => new MemoryBackend([big]), flags: { maxResponseChars: "30000" } });
    const r = await mcp.call("get_trace", { trace_id: big.traceId });
    expect(r.text.length).toBeLessThanOrEqual(30_000);
    expect((r.json.spans as unknown[]).length).toBe(big.spans.length);
    expect(r.json.truncated).toMatchObject({ values_shortened: big.spans.length });
    expect(r.json.truncated).not.toHaveProperty("spans_omitted");
  });

  it("a 1,000-trace search stays under the budget and declares how many traces were left out", async () => {
    const traces = generateDataset({ seed: 5, traces: 1000 });
    mcp = await connect({ backendFactory: async () => new MemoryBackend(traces) });
    const r = await mcp.call("search_traces", { limit: 1000 });
    expect(r.text.length).toBeLessThanOrEqual(80_000);
    const truncated = r.json.truncated as { items_omitted: number; hint: string };
    expect(r.json.count).toBe((r.json.traces as unknown[]).length);
    expect((r.json.traces as unknown[]).length + truncated.items_omitted).toBe(1000);
    expect(truncated.hint).toMatch(/smaller time window|Narrow/);
    // Deterministic: the newest traces first.
    const newest = [...traces].sort((a, b) => b.startTimeUs - a.startTimeUs)[0]!;
    expect((r.json.traces as Array<{ trace_id: string }>)[0]!.trace_id).toBe(newest.traceId);
  });

  it("answers that fit are not marked truncated", async () => {
    mcp = await connect({ backendFactory: async () => new MemoryBackend(generateDataset({ traces: 5 })) });
    const r = await mcp.call("search_traces", {});
    expect(r.json).not.toHaveProperty("truncated");
  });
});
