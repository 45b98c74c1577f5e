/**
 * get_llm_usage, list_llm_models and get_llm_model_stats on the local store aggregate in SQL
 * (TraceBackend.llmUsage, llmCost) instead of reading every call (llmCalls), and answer exactly as
 * the in-memory backend does over whole traces (every key: dollars and their rounding, unpriced
 * models, pricing notes in order). Where one set of rates cannot price a model's calls (a price that
 * changes between its first and last call, calls on both sides of a long-context tier, a call whose
 * cache counts exceed its input) the tools read the calls instead, and still answer exactly.
 * Ground truth: the in-memory backend (the tools' row path over whole traces) and plain sums over
 * the raw spans.
 */
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createBackend } from "../../src/backends/index.js";
import type { TraceBackend } from "../../src/backends/trace-backend.js";
import { assembleTrace, createSpan, type Span, type Trace } from "../../src/domain/trace.js";
import { silentLogger } from "../../src/logger.js";
import { DATASET_START_MS, generateDataset } from "../helpers/dataset.js";
import { filledDataDir, localOptions } from "../helpers/local-world.js";
import { connect, type Connected } from "../helpers/mcp.js";
import { MemoryBackend } from "../helpers/memory-backend.js";

const HOUR = 3_600_000;

interface CallSpec {
  model: string;
  provider?: string;
  service?: string;
  input: number;
  output: number;
  cacheRead?: number;
  cacheWrite?: number;
  status?: "OK" | "ERROR";
  durationMs?: number;
  finish?: string[];
}

let seq = 0;
/** One trace: a root span and its LLM calls, one millisecond apart. */
function llmTrace(startMs: number, specs: readonly CallSpec[]): Trace {
  seq++;
  const traceId = seq.toString(16).padStart(32, "a");
  const rootId = `${seq.toString(16).padStart(12, "0")}0000`;
  const t0 = startMs * 1000;
  const spans: Span[] = [createSpan({ traceId, spanId: rootId, operationName: "agent.run", serviceName: "agent", startTimeUs: t0, durationMs: 5000, status: "OK", attributes: {} })];
  specs.forEach((c, i) =>
    spans.push(
      createSpan({
        traceId,
        spanId: `${seq.toString(16).padStart(12, "0")}${(i + 1).toString(16).padStart(4, "0")}`,
        parentSpanId: rootId,
        operationName: "chat",
        serviceName: c.service ?? "chat-api",
        startTimeUs: t0 + (i + 1) * 1000,
        durationMs: c.durationMs ?? 100 + i * 7.125,
        status: c.status ?? "OK",
        attributes: {
          "gen_ai.provider.name": c.provider ?? "openai",
          "gen_ai.operation.name": "chat",
          "gen_ai.request.model": c.model,
          "gen_ai.response.model": c.model,
          "gen_ai.usage.input_tokens": c.input,
          "gen_ai.usage.output_tokens": c.output,
          ...(c.cacheRead ? { "gen_ai.usage.cache_read.input_tokens": c.cacheRead } : {}),
          ...(c.cacheWrite ? { "gen_ai.usage.cache_creation.input_tokens": c.cacheWrite } : {}),
          ...(c.finish ? { "gen_ai.response.finish_reasons": c.finish } : {}),
        },
      }),
    ),
  );
  return assembleTrace(traceId, spans)!;
}

/** A world: the traces on the local store (spied) and in memory. */
async function world(traces: Trace[], nowMs: number) {
  const dir = await filledDataDir(traces);
  let backend: TraceBackend | undefined;
  const local = await connect({
    backendFactory: async () => {
      backend = await createBackend("local", {
        url: dir,
        timeoutMs: 30_000,
        headers: {},
        environments: [],
        fetchConcurrency: 4,
        logger: silentLogger(),
        local: localOptions(dir),
      });
      return backend;
    },
    flags: { maxTraces: "5" },
    now: () => nowMs,
  });
  const memory = await connect({ backendFactory: async () => new MemoryBackend(traces), now: () => nowMs });
  await local.call("list_services");
  const spies = { usage: vi.spyOn(backend!, "llmUsage"), cost: vi.spyOn(backend!, "llmCost"), calls: vi.spyOn(backend!, "llmCalls") };
  return {
    local,
    memory,
    spies,
    reset: () => Object.values(spies).forEach((s) => s.mockClear()),
    async close() {
      await local.close();
      await memory.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The answer without what says how it was read (the in-memory backend applies filters itself, and says so). */
const withoutCoverage = (json: Record<string, unknown>) => {
  const { coverage: _c, notes, ...rest } = json;
  const kept = ((notes as string[] | undefined) ?? []).filter((n) => !n.includes("applied by this server"));
  return { ...rest, notes: kept };
};

describe("LLM usage tools in SQL on the local store: the shared dataset", () => {
  const traces = generateDataset({ seed: 21, traces: 40 });
  const NOW = DATASET_START_MS + 2 * 86_400_000;
  const WINDOW = { start_time: new Date(DATASET_START_MS - HOUR).toISOString(), end_time: new Date(DATASET_START_MS + 86_400_000).toISOString() };
  let w: Awaited<ReturnType<typeof world>>;
  beforeAll(async () => {
    w = await world(traces, NOW);
  });
  afterAll(async () => w.close());

  it("get_llm_usage aggregates in SQL (no call read) and answers as whole traces do, notes included", async () => {
    for (const args of [WINDOW, { ...WINDOW, service_name: "chat-api" }, { ...WINDOW, gen_ai_system: "openai" }, { ...WINDOW, gen_ai_request_model: "gpt-4o" }]) {
      w.reset();
      const r = await w.local.call("get_llm_usage", args);
      expect(r.isError, r.text).toBe(false);
      expect(w.spies.usage).toHaveBeenCalledTimes(1);
      expect(w.spies.calls).not.toHaveBeenCalled();
      expect(withoutCoverage(r.json), JSON.stringify(args)).toEqual(withoutCoverage((await w.memory.call("get_llm_usage", args)).json));
    }
  });

  it("list_llm_models and get_llm_model_stats aggregate in SQL and answer as whole traces do", async () => {
    w.reset();
    const models = await w.local.call("list_llm_models", WINDOW);
    expect(w.spies.usage).toHaveBeenCalledTimes(1);
    expect(w.spies.calls).not.toHaveBeenCalled();
    expect(withoutCoverage(models.json)).toEqual(withoutCoverage((await w.memory.call("list_llm_models", WINDOW)).json));
    const names = (models.json.models as Array<{ model: string }>).map((m) => m.model);
    expect(names.length).toBeGreaterThan(1);
    for (const model of names) {
      w.reset();
      const got = await w.local.call("get_llm_model_stats", { ...WINDOW, model_name: model });
      expect(got.isError, got.text).toBe(false);
      expect(w.spies.usage, model).toHaveBeenCalledTimes(1);
      expect(w.spies.calls, model).not.toHaveBeenCalled();
      expect(withoutCoverage(got.json), model).toEqual(withoutCoverage((await w.memory.call("get_llm_model_stats", { ...WINDOW, model_name: model })).json));
    }
  });
});

describe("LLM usage tools in SQL on the local store: pricing edges", () => {
  // claude-opus-4-6's price changes on 2026-03-13 (a date-bound price); claude-haiku-5-5 has a long-context tier above 100k input.
  const DAY = Date.UTC(2026, 2, 12, 12, 0, 0);
  const NOW = DAY + 5 * 86_400_000;
  const WINDOW = { start_time: new Date(DAY - HOUR).toISOString(), end_time: new Date(DAY + 4 * 86_400_000).toISOString() };
  const exact = [
    // Newest trace first in every answer: this one gives the first note (an input-only model billed no output).
    llmTrace(DAY + 3 * 86_400_000, [
      { model: "text-embedding-3-small", input: 300, output: 7 },
      { model: "gpt-4o", input: 1200, output: 333, cacheRead: 400, finish: ["stop"] },
    ]),
    // gpt-4o has no cache-write price: the second note; and a model with no price at all.
    llmTrace(DAY + 2 * 86_400_000, [
      { model: "gpt-4o", input: 900, output: 41, cacheWrite: 300, status: "ERROR", finish: ["length", "stop"] },
      { model: "no-such-model-x", provider: "acme", input: 50, output: 5 },
      { model: "gpt-4o", service: "batch", input: 77, output: 11, finish: ["tool_calls"] },
    ]),
    llmTrace(DAY + 2 * 86_400_000 + HOUR, [{ model: "gpt-4o", input: 1001, output: 3 }]),
  ];
  let w: Awaited<ReturnType<typeof world>>;
  afterAll(async () => w?.close());

  it("prices every call in SQL: dollars, unpriced models and the notes in the order the calls give them", async () => {
    w = await world(exact, NOW);
    const r = await w.local.call("get_llm_usage", WINDOW);
    expect(w.spies.cost).toHaveBeenCalledTimes(1);
    expect(w.spies.calls).not.toHaveBeenCalled();
    const full = await w.memory.call("get_llm_usage", WINDOW);
    expect(withoutCoverage(r.json)).toEqual(withoutCoverage(full.json));
    // Independent figures: gpt-4o at $2.50 in / $10 out / $1.25 cache read per 1M (cache writes at the input price).
    const gpt4o = ((1200 - 400) * 2.5 + 400 * 1.25 + 333 * 10 + 900 * 2.5 + 41 * 10 + 77 * 2.5 + 11 * 10 + 1001 * 2.5 + 3 * 10) / 1e6;
    expect((r.json.by_model as Record<string, { cost_usd: number }>)["gpt-4o"]!.cost_usd).toBeCloseTo(gpt4o, 9);
    expect(r.json.unpriced_models).toEqual([{ model: "no-such-model-x", provider: "acme", requests: 1, input_tokens: 50, output_tokens: 5 }]);
    const notes = r.json.notes as string[];
    const output = notes.findIndex((n) => n.includes("no output price"));
    const write = notes.findIndex((n) => n.includes("no cache-write price"));
    expect(output).toBeGreaterThanOrEqual(0);
    expect(write).toBeGreaterThan(output);

    w.reset();
    const stats = await w.local.call("get_llm_model_stats", { ...WINDOW, model_name: "gpt-4o" });
    expect(w.spies.usage).toHaveBeenCalledTimes(1);
    expect(w.spies.calls).not.toHaveBeenCalled();
    expect(withoutCoverage(stats.json)).toEqual(withoutCoverage((await w.memory.call("get_llm_model_stats", { ...WINDOW, model_name: "gpt-4o" })).json));
    expect(stats.json).toMatchObject({ request_count: 4, error_count: 1, finish_reasons: { stop: 2, length: 1, tool_calls: 1 } });
    await w.close();
    w = undefined as never;
  });

  const edges: Array<[string, Trace[]]> = [
    [
      "a price that changes between the model's first and last call",
      [
        llmTrace(DAY, [{ model: "claude-opus-4-6", provider: "anthropic", input: 210_000, output: 500 }]),
        llmTrace(DAY + 2 * 86_400_000, [{ model: "claude-opus-4-6", provider: "anthropic", input: 1000, output: 20 }]),
      ],
    ],
    [
      "calls on both sides of a long-context tier",
      [llmTrace(DAY, [{ model: "claude-haiku-5-5", provider: "anthropic", input: 150_000, output: 900 }, { model: "claude-haiku-5-5", provider: "anthropic", input: 2_000, output: 90 }])],
    ],
    ["a call whose cache counts exceed its input (costOf clamps it)", [llmTrace(DAY, [{ model: "gpt-4o", input: 100, output: 10, cacheRead: 400 }, { model: "gpt-4o", input: 500, output: 10 }])]],
  ];
  for (const [what, traces] of edges) {
    it(`reads the calls for ${what}, and answers exactly`, async () => {
      const e = await world(traces, NOW);
      try {
        for (const [tool, args] of [
          ["get_llm_usage", WINDOW],
          ["get_llm_model_stats", { ...WINDOW, model_name: traces[0]!.spans[1]!.attributes["gen_ai.request.model"] }],
        ] as const) {
          e.reset();
          const r = await e.local.call(tool, args);
          expect(r.isError, r.text).toBe(false);
          expect(e.spies.cost, tool).not.toHaveBeenCalled();
          expect(e.spies.calls, tool).toHaveBeenCalledTimes(1);
          expect(withoutCoverage(r.json), tool).toEqual(withoutCoverage((await e.memory.call(tool, args)).json));
        }
        // list_llm_models needs no price: always in SQL.
        e.reset();
        const models = await e.local.call("list_llm_models", WINDOW);
        expect(e.spies.calls).not.toHaveBeenCalled();
        expect(withoutCoverage(models.json)).toEqual(withoutCoverage((await e.memory.call("list_llm_models", WINDOW)).json));
      } finally {
        await e.close();
      }
    });
  }
});
