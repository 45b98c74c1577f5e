/**
 * The analytics tools through the MCP client, against ground truth computed here from the raw
 * built spans (test/helpers/analytics-dataset.ts) with plain loops, never with src/analytics.
 * Each runs on the in-memory backend (every filter local), on the local store (every filter in SQL)
 * and on the Jaeger world over HTTP.
 */
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ANALYTICS_START_MS, HOUR_MS, toTrace, type BuiltSpan } from "../helpers/analytics-dataset.js";
import { jaegerWorld } from "../helpers/jaeger-world.js";
import { filledDataDir } from "../helpers/local-world.js";
import { connect, type Connected } from "../helpers/mcp.js";
import { MemoryBackend } from "../helpers/memory-backend.js";
import { describeTopologyEdgeCases, TOPOLOGY_NOW } from "./topology-suite.js";
import { describeAnalyticsTools, describeTopologyPushdown, ds, NOW, pricingFile, WINDOW, type Json, type Setup } from "./analytics-suite.js";

const setups: Array<[string, Setup]> = [
  [
    "memory",
    async () => {
      const mcp = await connect({ backendFactory: async () => new MemoryBackend(ds.traces), flags: { pricing: pricingFile }, now: () => NOW });
      return { mcp, close: () => mcp.close() };
    },
  ],
  [
    "local",
    async () => {
      const dir = await filledDataDir(ds.traces);
      const mcp = await connect({ flags: { backend: "local", dataDir: dir, otlpListen: "none", retention: "5200w", pricing: pricingFile }, now: () => NOW });
      return { mcp, close: async () => (await mcp.close(), rmSync(dir, { recursive: true, force: true })) };
    },
  ],
  [
    "jaeger",
    async () => {
      const running = await jaegerWorld({ now: () => NOW }).start(ds.traces);
      const mcp = await connect({ flags: { backend: "jaeger", url: running.url, pricing: pricingFile }, now: () => NOW });
      return { mcp, close: async () => (await mcp.close(), await running.close()) };
    },
  ],
];

for (const [name, setup] of setups) describeAnalyticsTools(name, setup);

describeTopologyEdgeCases("local", async (traces) => {
  const dir = await filledDataDir(traces);
  const mcp = await connect({ flags: { backend: "local", dataDir: dir, otlpListen: "none", retention: "5200w" }, now: () => TOPOLOGY_NOW });
  return { mcp, close: async () => (await mcp.close(), rmSync(dir, { recursive: true, force: true })) };
});

describeTopologyPushdown("local", async () => {
  const dir = await filledDataDir(ds.traces);
  const mcp = await connect({ flags: { backend: "local", dataDir: dir, otlpListen: "none", retention: "5200w", maxTraces: "5" }, now: () => NOW });
  return { mcp, close: async () => (await mcp.close(), rmSync(dir, { recursive: true, force: true })) };
});

describe("analyze_trace", () => {
  // Parallel children and a tool call: the critical path is worked out by hand below.
  const T0 = ANALYTICS_START_MS + HOUR_MS;
  const built: BuiltSpan[] = [
    { id: "000000000000000a", parent: null, service: "agent", name: "run", startMs: T0, durationMs: 1000 },
    { id: "000000000000000b", parent: "000000000000000a", service: "agent", name: "prefetch", startMs: T0, durationMs: 300 },
    { id: "000000000000000c", parent: "000000000000000a", service: "agent", name: "plan", startMs: T0 + 100, durationMs: 800 },
    {
      id: "000000000000000d",
      parent: "000000000000000c",
      service: "agent",
      name: "openai.chat",
      startMs: T0 + 200,
      durationMs: 650,
      attributes: { "gen_ai.system": "openai", "gen_ai.request.model": "gpt-4o-mini", "gen_ai.usage.input_tokens": 1000, "gen_ai.usage.output_tokens": 200, "gen_ai.response.finish_reasons": ["stop"] },
    },
    { id: "000000000000000e", parent: "000000000000000a", service: "agent", name: "book.tool", startMs: T0 + 900, durationMs: 100, attributes: { "traceloop.span.kind": "tool" } },
  ];
  const traceId = "abcdef0123456789abcdef0123456789";
  let mcp: Connected;
  beforeAll(async () => {
    mcp = await connect({ backendFactory: async () => new MemoryBackend([toTrace(traceId, built)]), flags: { pricing: pricingFile }, now: () => NOW });
  });
  afterAll(() => mcp.close());

  it("critical path by Jaeger's algorithm, time by category, self time, LLM calls with cost", async () => {
    const r = await mcp.call("analyze_trace", { trace_id: traceId });
    expect(r.isError, r.text).toBe(false);
    const out = r.json as Json;
    // run [0,100) -> plan [100,200) -> openai.chat [200,850) -> plan [850,900) -> book.tool [900,1000)
    expect(out.critical_path.map((s: Json) => [s.operation_name, s.start_offset_ms, s.duration_ms, s.category])).toEqual([
      ["run", 0, 100, "other"],
      ["plan", 100, 100, "other"],
      ["openai.chat", 200, 650, "llm"],
      ["plan", 850, 50, "other"],
      ["book.tool", 900, 100, "tool"],
    ]);
    expect(out.critical_path.reduce((n: number, s: Json) => n + s.duration_ms, 0)).toBe(out.duration_ms);
    expect(out.time_breakdown).toEqual({ llm_ms: 650, tool_ms: 100, db_ms: 0, other_ms: 250 });
    expect(out.top_self_time.slice(0, 4).map((s: Json) => [s.operation_name, s.self_time_ms])).toEqual([
      ["openai.chat", 650],
      ["prefetch", 300],
      ["plan", 150],
      ["book.tool", 100],
    ]);
    const cost = (1000 * 0.15 + 200 * 0.6) / 1e6;
    expect(out.llm_calls).toEqual([expect.objectContaining({ model: "gpt-4o-mini", input_tokens: 1000, output_tokens: 200, duration_ms: 650, finish_reasons: ["stop"], cost_usd: expect.closeTo(cost, 9) })]);
    expect(out.cost_usd).toBeCloseTo(cost, 9);
  });

  it("refuses an id that is not a trace id", async () => {
    const r = await mcp.call("analyze_trace", { trace_id: "../etc" });
    expect(r.isError).toBe(true);
  });
});

describe("coverage of aggregates under a cap", () => {
  it("says the answer is partial when --max-traces stopped the read", async () => {
    const mcp = await connect({ backendFactory: async () => new MemoryBackend(ds.traces), flags: { maxTraces: "10" }, now: () => NOW });
    try {
      for (const [tool, args] of [
        ["aggregate_traces", { group_by: ["service.name"] }],
        ["analyze_errors", {}],
        ["get_service_topology", {}],
        ["get_llm_usage", {}],
      ] as const) {
        const r = await mcp.call(tool, { ...WINDOW, ...args });
        expect(r.isError, tool).toBe(false);
        expect(r.json.coverage, tool).toMatchObject({ complete: false, limit: 10 });
        expect((r.json.notes as string[]).join(" "), tool).toMatch(/Incomplete: computed from \d+ of at least 10/);
      }
    } finally {
      await mcp.close();
    }
  });
});
