/**
 * The time-based defaults, pinned with a test clock placed next to the data (every other test
 * sets them explicitly, so the production values would otherwise go unexercised):
 * - each windowed tool's default look-back, per backend kind, to the millisecond: a trace that
 *   starts exactly at the window's start is in, one a millisecond earlier is out;
 * - the trace cache's default settle time (5 minutes) as the composition root builds it.
 * Expected values are written out (README: "the last 2 days on Jaeger, 24 hours elsewhere").
 */
import { afterEach, describe, expect, it } from "vitest";
import { assembleTrace, createSpan, type Trace } from "../../src/domain/trace.js";
import { traceTruth } from "../helpers/dataset-truth.js";
import { DATASET_START_MS } from "../helpers/dataset.js";
import { MemoryBackend } from "../helpers/memory-backend.js";
import { connect, type Connected } from "../helpers/mcp.js";

const HOUR = 3_600_000;
const LOOKBACK_MS = { jaeger: 48 * HOUR, tempo: 24 * HOUR, traceloop: 24 * HOUR } as const;
const SETTLE_MS = 5 * 60_000;
/** Not on a whole second, so a rounding of the window would show. */
const NOW = DATASET_START_MS + 3 * 24 * HOUR + 123;

let seq = 0;
const hex = (n: number, width: number) => n.toString(16).padStart(width, "0");

/** A root, one LLM call (gpt-4o, 100 tokens), one ERROR LLM call, one tool call; starting at `startMs`. */
function trace(startMs: number): Trace {
  const traceId = hex(++seq, 32);
  const rootId = hex(seq * 16 + 1, 16);
  const t0 = startMs * 1000;
  const llm = (model: string) => ({ "gen_ai.system": "openai", "gen_ai.request.model": model, "gen_ai.usage.prompt_tokens": 60, "gen_ai.usage.completion_tokens": 40, "gen_ai.usage.total_tokens": 100 });
  return assembleTrace(traceId, [
    createSpan({ traceId, spanId: rootId, operationName: "agent.workflow", serviceName: "svc", startTimeUs: t0, durationMs: 900, status: "OK" }),
    createSpan({ traceId, spanId: hex(seq * 16 + 2, 16), parentSpanId: rootId, operationName: "openai.chat", serviceName: "svc", startTimeUs: t0 + 1_000, durationMs: 400, status: "OK", attributes: llm("gpt-4o") }),
    createSpan({
      traceId,
      spanId: hex(seq * 16 + 3, 16),
      parentSpanId: rootId,
      operationName: "openai.chat",
      serviceName: "svc",
      startTimeUs: t0 + 500_000,
      durationMs: 300,
      status: "ERROR",
      attributes: { ...llm("gpt-4o"), "error.type": "RateLimitError" },
    }),
    createSpan({ traceId, spanId: hex(seq * 16 + 4, 16), parentSpanId: rootId, operationName: "search.tool", serviceName: "svc", startTimeUs: t0 + 850_000, durationMs: 20, attributes: { "traceloop.span.kind": "tool" } }),
  ])!;
}

/** What each windowed tool read, as the trace ids it names or a count of the calls it saw. */
const TOOLS: Array<{ name: string; args: Record<string, unknown>; read: (json: Record<string, unknown>) => unknown; perTrace: (t: Trace) => unknown }> = [
  { name: "search_traces", args: {}, read: (j) => (j.traces as Array<{ trace_id: string }>).map((t) => t.trace_id), perTrace: (t) => [t.traceId] },
  { name: "search_spans", args: {}, read: (j) => [...new Set((j.spans as Array<{ trace_id: string }>).map((s) => s.trace_id))], perTrace: (t) => [t.traceId] },
  { name: "get_llm_usage", args: {}, read: (j) => (j.summary as { total_requests: number }).total_requests, perTrace: () => 2 },
  { name: "find_errors", args: {}, read: (j) => (j.error_traces as Array<{ trace_id: string }>).map((t) => t.trace_id), perTrace: (t) => [t.traceId] },
  { name: "list_llm_models", args: {}, read: (j) => (j.models as Array<{ request_count: number }>).reduce((n, m) => n + m.request_count, 0), perTrace: () => 2 },
  { name: "get_llm_model_stats", args: { model_name: "gpt-4o" }, read: (j) => j.request_count, perTrace: () => 2 },
  { name: "get_llm_expensive_traces", args: {}, read: (j) => (j.traces as Array<{ trace_id: string }>).map((t) => t.trace_id), perTrace: (t) => [t.traceId] },
  { name: "get_llm_slow_traces", args: {}, read: (j) => (j.traces as Array<{ trace_id: string }>).map((t) => t.trace_id), perTrace: (t) => [t.traceId] },
  { name: "list_llm_tools", args: {}, read: (j) => j.total_calls, perTrace: () => 1 },
];

const iso = (ms: number) => new Date(ms).toISOString();

let mcp: Connected | undefined;
afterEach(async () => {
  await mcp?.close();
  mcp = undefined;
});

describe.each(Object.entries(LOOKBACK_MS))("default look-back on %s", (kind, lookbackMs) => {
  it(`every windowed tool without start_time reads [now - ${lookbackMs / HOUR} h, now], to the millisecond`, async () => {
    const windowStart = NOW - lookbackMs;
    const inside = trace(windowStart);
    const outside = trace(windowStart - 1);
    const recent = trace(NOW - HOUR);
    mcp = await connect({
      flags: { backend: kind, ...(kind === "traceloop" ? { apiKey: "tl-key-0123456789" } : {}) },
      backendFactory: async () => new MemoryBackend([outside, inside, recent]),
      now: () => NOW,
    });
    for (const tool of TOOLS) {
      const r = await mcp.call(tool.name, tool.args);
      expect(r.isError, `${tool.name}: ${r.text.slice(0, 200)}`).toBe(false);
      const window = r.json.window as { start_time: string; end_time: string };
      expect({ start: Date.parse(window.start_time), end: Date.parse(window.end_time) }, tool.name).toEqual({ start: windowStart, end: NOW });
      expect(window.start_time.slice(0, 19), tool.name).toBe(iso(windowStart).slice(0, 19));
      const read = tool.read(r.json);
      const want = [inside, recent].map(tool.perTrace);
      if (Array.isArray(read)) expect([...read].sort(), tool.name).toEqual((want as string[][]).flat().sort());
      else expect(read, tool.name).toBe((want as number[]).reduce((a, b) => a + b, 0));
    }
  });
});

describe("trace cache: the composition root's default settle time (5 min)", () => {
  it("does not cache a trace whose last span ended under 5 minutes ago, and caches it from then on", async () => {
    const t = trace(NOW - 2 * HOUR);
    const endMs = traceTruth(t.spans).endTimeUs / 1000;
    const backend = new MemoryBackend([t]);
    let clock = endMs + SETTLE_MS - 1;
    mcp = await connect({ cache: "app", backendFactory: async () => backend, now: () => clock });
    const fetches = async (): Promise<number> => {
      const before = backend.fetches;
      const r = await mcp!.call("get_trace", { trace_id: t.traceId });
      expect(r.isError).toBe(false);
      return backend.fetches - before;
    };
    // 1 ms short of settled: every call goes to the backend.
    expect([await fetches(), await fetches()]).toEqual([1, 1]);
    clock = endMs + SETTLE_MS;
    // Settled: fetched once more, then served from the cache.
    expect([await fetches(), await fetches(), await fetches()]).toEqual([1, 0, 0]);
  });
});
