/**
 * The LLM tools on the local store read calls in SQL (the LlmCall column, one query per tool call)
 * instead of fetching traces: every call of the window, past the trace cap, with the same answer
 * whole traces give. Ground truth: test/tools/truth.ts over the dataset, and the in-memory backend
 * (whole traces, parsed here) for the answer as a whole.
 */
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DATASET_START_MS, generateDataset } from "../helpers/dataset.js";
import { filledDataDir } from "../helpers/local-world.js";
import { connect, type Connected } from "../helpers/mcp.js";
import { MemoryBackend } from "../helpers/memory-backend.js";
import { calls } from "./truth.js";

const traces = generateDataset({ seed: 21, traces: 40 });
const all = calls(traces);
const NOW = DATASET_START_MS + 2 * 86_400_000;
const WINDOW = { start_time: new Date(DATASET_START_MS - 3_600_000).toISOString(), end_time: new Date(DATASET_START_MS + 86_400_000).toISOString() };

let dir: string;
let local: Connected;
let memory: Connected;
beforeAll(async () => {
  dir = await filledDataDir(traces);
  // A trace cap far below the dataset: the SQL path must not be bound by it.
  local = await connect({ flags: { backend: "local", dataDir: dir, otlpListen: "none", retention: "5200w", maxTraces: "5" }, now: () => NOW });
  memory = await connect({ backendFactory: async () => new MemoryBackend(traces), now: () => NOW });
});
afterAll(async () => {
  await local.close();
  await memory.close();
  rmSync(dir, { recursive: true, force: true });
});

const withoutCoverage = (json: Record<string, unknown>) => {
  const { coverage: _c, notes: _n, ...rest } = json;
  return rest;
};

describe("LLM tools on the local store", () => {
  it("get_llm_usage counts every call of the window, past the trace cap, and says the answer is complete", async () => {
    const r = await local.call("get_llm_usage", { ...WINDOW, limit: 5 });
    expect(r.isError, r.text).toBe(false);
    expect((r.json.summary as { total_requests: number }).total_requests).toBe(all.length);
    expect((r.json.summary as { total_tokens: number }).total_tokens).toBe(all.reduce((n, c) => n + c.total, 0));
    expect(r.json.coverage).toMatchObject({ traces: traces.length, spans: all.length, complete: true });
    const full = await memory.call("get_llm_usage", WINDOW);
    expect(withoutCoverage(r.json)).toEqual(withoutCoverage(full.json));
  });

  it("list_llm_models and get_llm_model_stats answer as whole traces do", async () => {
    const models = await local.call("list_llm_models", WINDOW);
    expect(withoutCoverage(models.json)).toEqual(withoutCoverage((await memory.call("list_llm_models", WINDOW)).json));
    for (const { model } of models.json.models as Array<{ model: string }>) {
      const got = await local.call("get_llm_model_stats", { ...WINDOW, model_name: model });
      expect(got.isError, got.text).toBe(false);
      expect(withoutCoverage(got.json), model).toEqual(withoutCoverage((await memory.call("get_llm_model_stats", { ...WINDOW, model_name: model })).json));
    }
  });

  it("a service filter selects traces as everywhere (a span of the service), in SQL", async () => {
    const service = traces[1]!.serviceName;
    const want = calls(traces.filter((t) => t.spans.some((s) => s.serviceName === service)));
    const r = await local.call("get_llm_usage", { ...WINDOW, service_name: service });
    expect((r.json.summary as { total_requests: number }).total_requests).toBe(want.length);
  });

  it("get_llm_expensive_traces ranks every trace of the window, past the trace cap, reading only the listed traces whole", async () => {
    // Ground truth: each trace's total tokens summed from the dataset's calls, highest first.
    const totals = new Map<string, number>();
    for (const c of all) totals.set(c.trace.traceId, (totals.get(c.trace.traceId) ?? 0) + c.total);
    const ranked = [...totals].filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]);
    expect(ranked.length).toBeGreaterThan(5);
    // The cap (5) bounds the traces read whole, not the traces ranked.
    const r = await local.call("get_llm_expensive_traces", { ...WINDOW, limit: 5 });
    expect(r.isError, r.text).toBe(false);
    const got = r.json.traces as Array<{ trace_id: string; tokens: { total: number } }>;
    expect(got.map((t) => t.tokens.total)).toEqual(ranked.slice(0, 5).map(([, n]) => n));
    expect(got.map((t) => t.trace_id)).toEqual(ranked.slice(0, 5).map(([id]) => id));
    expect(r.json.coverage).toMatchObject({ traces: traces.length, complete: true });
    expect(withoutCoverage(r.json)).toEqual(withoutCoverage((await memory.call("get_llm_expensive_traces", { ...WINDOW, limit: 5 })).json));
    const floor = ranked[3]![1];
    const some = await local.call("get_llm_expensive_traces", { ...WINDOW, limit: 50, min_tokens: floor, service_name: traces[1]!.serviceName });
    const want = (await memory.call("get_llm_expensive_traces", { ...WINDOW, limit: 50, min_tokens: floor, service_name: traces[1]!.serviceName })).json;
    expect(withoutCoverage(some.json)).toEqual(withoutCoverage(want));
  });

  it("get_llm_slow_traces ranks every trace with LLM calls by duration, past the trace cap", async () => {
    // Ground truth: durations from the raw spans (max end - min start), LLM traces only.
    const llmTraces = new Set(all.map((c) => c.trace.traceId));
    const duration = (id: string) => {
      const spans = traces.find((t) => t.traceId === id)!.spans;
      return (Math.max(...spans.map((s) => s.startTimeUs + s.durationMs * 1000)) - Math.min(...spans.map((s) => s.startTimeUs))) / 1000;
    };
    const ranked = [...llmTraces].map((id) => [id, Math.round(duration(id) * 100) / 100] as const).sort((a, b) => b[1] - a[1]);
    const r = await local.call("get_llm_slow_traces", { ...WINDOW, limit: 5 });
    expect(r.isError, r.text).toBe(false);
    const got = r.json.traces as Array<{ trace_id: string; duration_ms: number }>;
    expect(got.map((t) => t.trace_id)).toEqual(ranked.slice(0, 5).map(([id]) => id));
    got.forEach((t, i) => expect(t.duration_ms).toBeCloseTo(ranked[i]![1], 2));
    expect(r.json.coverage).toMatchObject({ traces: traces.length, complete: true });
    expect(withoutCoverage(r.json)).toEqual(withoutCoverage((await memory.call("get_llm_slow_traces", { ...WINDOW, limit: 5 })).json));
    const service = traces[2]!.serviceName;
    const scoped = await local.call("get_llm_slow_traces", { ...WINDOW, limit: 5, service_name: service });
    expect(withoutCoverage(scoped.json)).toEqual(withoutCoverage((await memory.call("get_llm_slow_traces", { ...WINDOW, limit: 5, service_name: service })).json));
  });

  it("aggregate_traces groups by trace_id: one group per trace, as whole traces give", async () => {
    const args = { ...WINDOW, level: "trace", group_by: ["trace_id"], metrics: ["count", "max_duration_ms", "total_tokens"], limit: 100 };
    const r = await local.call("aggregate_traces", args);
    expect(r.isError, r.text).toBe(false);
    const groups = r.json.groups as Array<{ key: { trace_id: string }; count: number }>;
    expect(groups.map((g) => g.key.trace_id).sort()).toEqual(traces.map((t) => t.traceId).sort());
    expect(groups.every((g) => g.count === 1)).toBe(true);
    const unlimited = await connect({ backendFactory: async () => new MemoryBackend(traces), now: () => NOW });
    try {
      expect(withoutCoverage(r.json)).toEqual(withoutCoverage((await unlimited.call("aggregate_traces", args)).json));
    } finally {
      await unlimited.close();
    }
  });
});
