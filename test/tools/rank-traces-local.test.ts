/**
 * The LLM trace rankings on the local store are computed in SQL (TraceBackend.rankTraces, one
 * statement over every trace of the window), not from every call of the window: the backend is
 * asked to rank, never for its calls or a per-trace aggregate. Ties at the cut resolve as whole
 * traces resolve them: equal scores newest trace first, durations compared rounded to 0.01 ms (so a
 * slightly longer but older trace does not beat a newer one that rounds the same), and past the
 * --max-traces cap only the first tied traces are read. Ground truth: the hand-built traces below
 * (their tokens and durations chosen here), and the in-memory backend over the same traces.
 */
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalBackend } from "../../src/backends/local/local-backend.js";
import type { TraceBackend } from "../../src/backends/trace-backend.js";
import { assembleTrace, type Span, type Trace } from "../../src/domain/trace.js";
import { silentLogger } from "../../src/logger.js";
import { DATASET_START_MS } from "../helpers/dataset.js";
import { filledDataDir, KEEP_FOREVER_MS } from "../helpers/local-world.js";
import { connect, type Connected } from "../helpers/mcp.js";
import { MemoryBackend } from "../helpers/memory-backend.js";

const NOW = DATASET_START_MS + 2 * 86_400_000;
const WINDOW = { start_time: new Date(DATASET_START_MS - 3_600_000).toISOString(), end_time: new Date(DATASET_START_MS + 86_400_000).toISOString() };

interface Built {
  id: string;
  /** Minutes after the dataset start. */
  at: number;
  /** Root span duration (the trace's), ms. */
  durationMs: number;
  /** Prompt / completion tokens per LLM call; none: no LLM call. */
  calls: Array<[number, number]>;
}

const hex = (n: number, width: number) => n.toString(16).padStart(width, "0");

function build(b: Built, n: number): Trace {
  const startUs = (DATASET_START_MS + b.at * 60_000) * 1000;
  const root: Span = {
    traceId: b.id,
    spanId: hex(n * 16 + 1, 16),
    parentSpanId: null,
    operationName: "agent",
    serviceName: "ranker",
    startTimeUs: startUs,
    durationMs: b.durationMs,
    status: "OK",
    attributes: {},
    events: [],
  };
  const llm = b.calls.map(([prompt, completion], i): Span => ({
    ...root,
    spanId: hex(n * 16 + 2 + i, 16),
    parentSpanId: root.spanId,
    operationName: "chat",
    startTimeUs: startUs + 1000 * (i + 1),
    durationMs: 1,
    attributes: {
      "gen_ai.system": "openai",
      "gen_ai.request.model": i === 0 ? "gpt-4o" : "gpt-4o-mini",
      ...(prompt > 0 ? { "gen_ai.usage.input_tokens": prompt } : {}),
      ...(completion > 0 ? { "gen_ai.usage.output_tokens": completion } : {}),
    },
  }));
  return assembleTrace(b.id, [root, ...llm])!;
}

const id = (n: number) => hex(n, 32);
// Token ranking: one clear top (500), then six traces tied at 100 (ages differ), then less, then none.
const TOP = { id: id(1), at: 10, durationMs: 5, calls: [[300, 200]] } satisfies Built;
const TIED = [20, 80, 40, 70, 30, 60].map((at, i): Built => ({ id: id(10 + i), at, durationMs: 6 + i, calls: [[60, 20], [15, 5]] }));
const LESS = { id: id(2), at: 90, durationMs: 4, calls: [[40, 10]] } satisfies Built;
const NO_TOKENS = { id: id(3), at: 95, durationMs: 3, calls: [[0, 0]] } satisfies Built;
// Duration ranking: the longest (30 ms), then three that all round to 20.00 ms; the older is the longest of them, the newest the shortest.
const LONGEST = { id: id(4), at: 100, durationMs: 30, calls: [[1, 1]] } satisfies Built;
const ROUNDED = [
  { id: id(5), at: 110, durationMs: 20.004, calls: [[1, 1]] },
  { id: id(6), at: 120, durationMs: 20.001, calls: [[1, 1]] },
  { id: id(7), at: 130, durationMs: 19.997, calls: [[1, 1]] },
] satisfies Built[];
// Longer than all, but no LLM call: never a slow LLM trace.
const PLAIN = { id: id(8), at: 140, durationMs: 500, calls: [] } satisfies Built;
const BUILT: Built[] = [TOP, ...TIED, LESS, NO_TOKENS, LONGEST, ...ROUNDED, PLAIN];
const traces = BUILT.map(build);

let dir: string;
let local: Connected;
let memory: Connected;
const asked = { rankTraces: 0, llmCalls: 0, aggregate: 0 };

beforeAll(async () => {
  dir = await filledDataDir(traces);
  const spied = async (): Promise<TraceBackend> => {
    const backend = createLocalBackend({
      url: "",
      local: { dataDir: dir, otlpListen: "none", retentionMs: KEEP_FOREVER_MS, maxBytes: 64 * 1024 ** 3 },
      timeoutMs: 10_000,
      headers: {},
      environments: [],
      fetchConcurrency: 4,
      logger: silentLogger(),
    });
    return {
      ...backend,
      rankTraces: (q) => (asked.rankTraces++, backend.rankTraces!(q)),
      llmCalls: (q) => (asked.llmCalls++, backend.llmCalls!(q)),
      aggregate: (q) => (asked.aggregate++, backend.aggregate!(q)),
    };
  };
  // A trace cap below the tied traces: only the first of them are read whole.
  local = await connect({ flags: { maxTraces: "4" }, backendFactory: spied, now: () => NOW });
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
const ids = (json: Record<string, unknown>) => (json.traces as Array<{ trace_id: string }>).map((t) => t.trace_id);
const newestFirst = (list: readonly Built[]) => [...list].sort((a, b) => b.at - a.at).map((b) => b.id);

describe("LLM trace rankings in SQL on the local store", () => {
  it("get_llm_expensive_traces asks the backend to rank (not for calls), ties at the cut newest first", async () => {
    Object.assign(asked, { rankTraces: 0, llmCalls: 0, aggregate: 0 });
    const r = await local.call("get_llm_expensive_traces", { ...WINDOW, limit: 3 });
    expect(r.isError, r.text).toBe(false);
    expect(asked).toEqual({ rankTraces: 1, llmCalls: 0, aggregate: 0 });
    expect(ids(r.json)).toEqual([TOP.id, ...newestFirst(TIED).slice(0, 2)]);
    const tokens = (r.json.traces as Array<{ tokens: Record<string, number>; models: string[] }>).map((t) => [t.tokens, t.models]);
    expect(tokens).toEqual([
      [{ prompt: 300, completion: 200, total: 500 }, ["gpt-4o"]],
      [{ prompt: 75, completion: 25, total: 100 }, ["gpt-4o", "gpt-4o-mini"]],
      [{ prompt: 75, completion: 25, total: 100 }, ["gpt-4o", "gpt-4o-mini"]],
    ]);
    // Coverage: every trace of the window and every LLM call of them, past the cap.
    const calls = BUILT.reduce((n, b) => n + b.calls.length, 0);
    expect(r.json.coverage).toMatchObject({ traces: BUILT.length, spans: calls, complete: true });
    expect(withoutCoverage(r.json)).toEqual(withoutCoverage((await memory.call("get_llm_expensive_traces", { ...WINDOW, limit: 3 })).json));
  });

  it("get_llm_expensive_traces: limit inside the ties, min_tokens, and the trace without tokens", async () => {
    const all = await local.call("get_llm_expensive_traces", { ...WINDOW, limit: 20 });
    // Fewer traces with tokens (12) than the limit: all tie at the cut, and the cap (4) reads the first of them.
    expect(ids(all.json)).toEqual([TOP.id, ...newestFirst(TIED).slice(0, 3)]);
    const floor = await local.call("get_llm_expensive_traces", { ...WINDOW, limit: 20, min_tokens: 100 });
    expect(ids(floor.json)).toEqual([TOP.id, ...newestFirst(TIED).slice(0, 3)]);
    const mem = await memory.call("get_llm_expensive_traces", { ...WINDOW, limit: 20, min_tokens: 100 });
    // The memory backend is capped at --max-traces' default (1000), so it reads every tied trace: its list is longer.
    expect(ids(mem.json)).toEqual([TOP.id, ...newestFirst(TIED)]);
  });

  it("get_llm_slow_traces asks the backend to rank; durations that round alike tie, newest first", async () => {
    Object.assign(asked, { rankTraces: 0, llmCalls: 0, aggregate: 0 });
    const r = await local.call("get_llm_slow_traces", { ...WINDOW, limit: 2 });
    expect(r.isError, r.text).toBe(false);
    expect(asked).toEqual({ rankTraces: 1, llmCalls: 0, aggregate: 0 });
    // 20.004 (oldest) and 20.001 are longer than 19.997, but all three read 20 ms: the newest wins the cut.
    expect(ids(r.json)).toEqual([LONGEST.id, ROUNDED[2]!.id]);
    expect((r.json.traces as Array<{ duration_ms: number }>).map((t) => t.duration_ms)).toEqual([30, 20]);
    expect(withoutCoverage(r.json)).toEqual(withoutCoverage((await memory.call("get_llm_slow_traces", { ...WINDOW, limit: 2 })).json));
    const four = await local.call("get_llm_slow_traces", { ...WINDOW, limit: 4 });
    expect(ids(four.json)).toEqual([LONGEST.id, ...newestFirst(ROUNDED)]);
    expect(withoutCoverage(four.json)).toEqual(withoutCoverage((await memory.call("get_llm_slow_traces", { ...WINDOW, limit: 4 })).json));
  });

  it("get_llm_slow_traces with min_duration_ms keeps the filter's trace semantics", async () => {
    for (const min of [20, 25, 400, 1000]) {
      const args = { ...WINDOW, limit: 5, min_duration_ms: min };
      const r = await local.call("get_llm_slow_traces", args);
      expect(r.isError, r.text).toBe(false);
      expect(withoutCoverage(r.json), String(min)).toEqual(withoutCoverage((await memory.call("get_llm_slow_traces", args)).json));
    }
    const none = await local.call("get_llm_slow_traces", { ...WINDOW, limit: 5, min_duration_ms: 400 });
    expect(none.json.count).toBe(0);
    // PLAIN (500 ms) matches the filter but has no LLM call: counted as covered, never listed.
    expect(none.json.coverage).toMatchObject({ traces: 1, spans: 0, complete: true });
  });
});
