/**
 * The LLM tools and analyze_errors on ClickHouse read in SQL (llmCalls, projectedSpans: one
 * statement per tool call) instead of fetching traces: every call and every error span of the
 * window, past the trace cap, with the answer whole traces give on the in-memory backend. Ground
 * truth: test/tools/truth.ts and plain loops over the raw dataset, and the in-memory backend
 * (whole traces) for each answer as a whole. Also: the projection loses nothing the GenAI parser
 * reads (finish reasons recorded only as events or indexed keys), carries only what it names, and
 * a row-limit cut says so.
 */
import { afterAll, beforeAll, describe, expect, it, inject, vi } from "vitest";
import { ClickHouseBackend } from "../../src/backends/clickhouse/clickhouse-backend.js";
import { eq } from "../../src/domain/filter.js";
import { assembleTrace, createSpan, type Span, type Trace } from "../../src/domain/trace.js";
import { parseLlmSpan } from "../../src/genai/llm-span.js";
import { silentLogger } from "../../src/logger.js";
import { clickhouseWorld, type ClickHouseRunningWorld } from "../helpers/clickhouse-world.js";
import { DATASET_START_MS, generateDataset } from "../helpers/dataset.js";
import { connect, type Connected } from "../helpers/mcp.js";
import { MemoryBackend } from "../helpers/memory-backend.js";
import { calls, type Call } from "../tools/truth.js";

const PASSWORD = "s3cret-ch";
const NOW = DATASET_START_MS + 2 * 86_400_000;
const WINDOW = { start_time: new Date(DATASET_START_MS - 3_600_000).toISOString(), end_time: new Date(DATASET_START_MS + 86_400_000).toISOString() };

/** Calls whose finish reasons only events or indexed keys record, and a time to first token only an event records. */
function parserEdgeTraces(): Trace[] {
  const t0 = (DATASET_START_MS + 45 * 60_000) * 1000 + 311;
  const call = (traceId: string, spanId: string, startUs: number, extra: Partial<Parameters<typeof createSpan>[0]>): Span =>
    createSpan({
      traceId,
      spanId,
      parentSpanId: `${spanId.slice(0, 15)}0`,
      operationName: "openai.chat",
      serviceName: "chat-api",
      startTimeUs: startUs,
      durationMs: 412.25,
      status: "OK",
      ...extra,
      attributes: {
        "gen_ai.system": "openai",
        "gen_ai.request.model": "gpt-4o",
        "gen_ai.response.model": "gpt-4o",
        "gen_ai.usage.prompt_tokens": 40,
        "gen_ai.usage.completion_tokens": 9,
        // Message content the usage tools never read: not carried by the projection.
        "gen_ai.prompt.0.content": "x".repeat(2000),
        ...extra.attributes,
      },
    });
  const root = (traceId: string, spanId: string, startUs: number): Span =>
    createSpan({ traceId, spanId: `${spanId.slice(0, 15)}0`, operationName: "agent.run", serviceName: "chat-api", startTimeUs: startUs, durationMs: 900, status: "OK", attributes: {} });
  const a = "e1".repeat(16);
  const b = "e2".repeat(16);
  return [
    assembleTrace(a, [
      root(a, "a1a1a1a1a1a1a1a1", t0),
      call(a, "a1a1a1a1a1a1a1a1", t0 + 1000, {
        events: [
          { name: "gen_ai.choice", timestamp: t0 + 2000, attributes: { finish_reason: "length" } },
          { name: "unrelated.event", timestamp: t0 + 2000, attributes: { payload: "y".repeat(500) } },
        ],
      }),
    ])!,
    assembleTrace(b, [
      root(b, "b2b2b2b2b2b2b2b2", t0 + 60_000_000),
      call(b, "b2b2b2b2b2b2b2b2", t0 + 60_001_000, {
        attributes: { "gen_ai.completion.0.finish_reason": "stop", "gen_ai.completion.1.finish_reason": "content_filter" },
        events: [{ name: "ai.stream.firstChunk", timestamp: t0 + 60_002_000, attributes: { "ai.stream.msToFirstChunk": 87.5 } }],
      }),
    ])!,
  ];
}

const traces = [...generateDataset({ seed: 21, traces: 40 }), ...parserEdgeTraces()];
const all = calls(traces);
const errorSpans = traces.flatMap((t) => t.spans).filter((s) => s.status === "ERROR");

const withoutCoverage = (json: Record<string, unknown>) => {
  const { coverage: _c, notes: _n, ...rest } = json;
  return rest;
};

function backendOptions(url: string) {
  return { url, apiKey: PASSWORD, timeoutMs: 30_000, headers: {}, environments: [], fetchConcurrency: 4, logger: silentLogger(), now: () => NOW };
}

let world: ClickHouseRunningWorld;
let backend: ClickHouseBackend;
let ch: Connected;
let memory: Connected;
let cappedMemory: Connected;
beforeAll(async () => {
  world = await clickhouseWorld({ chdbDir: inject("chdbDir"), users: [{ username: "default", password: PASSWORD }] }).start(traces);
  backend = new ClickHouseBackend(backendOptions(world.url));
  // A trace cap far below the dataset: the SQL path must not be bound by it (the fetch path would be).
  ch = await connect({ flags: { backend: "clickhouse", url: world.url, maxTraces: "5" }, backendFactory: async () => backend, now: () => NOW });
  memory = await connect({ backendFactory: async () => new MemoryBackend(traces), now: () => NOW });
  cappedMemory = await connect({ flags: { maxTraces: "5" }, backendFactory: async () => new MemoryBackend(traces), now: () => NOW });
});
afterAll(async () => {
  await ch?.close();
  await memory?.close();
  await cappedMemory?.close();
  await world?.close();
});

/** Calls the tool on ClickHouse and says how many statements read the spans table for it (a session's first call also checks the tables exist). */
async function onClickHouse(tool: string, args: Record<string, unknown>) {
  world.requests.length = 0;
  const r = await ch.call(tool, args);
  expect(r.isError, r.text.slice(0, 400)).toBe(false);
  return { ...r, statements: world.requests.filter((q) => /\bSELECT\b/i.test(q.sql) && !q.sql.includes("system.tables")).length };
}

describe("LLM tools on ClickHouse read calls in SQL", () => {
  it("get_llm_usage: one statement through llmCalls, every call of the window past the trace cap, as whole traces give", async () => {
    const spy = vi.spyOn(backend, "llmCalls");
    const r = await onClickHouse("get_llm_usage", { ...WINDOW, limit: 5 });
    expect(spy).toHaveBeenCalledTimes(1);
    spy.mockRestore();
    expect(r.statements, world.requests.map((q) => q.sql.slice(0, 300)).join("\n---\n")).toBe(1);
    expect((r.json.summary as { total_requests: number }).total_requests).toBe(all.length);
    expect((r.json.summary as { total_tokens: number }).total_tokens).toBe(all.reduce((n, c) => n + c.total, 0));
    expect(r.json.coverage).toMatchObject({ traces: traces.length, spans: all.length, complete: true });
    expect(withoutCoverage(r.json)).toEqual(withoutCoverage((await memory.call("get_llm_usage", WINDOW)).json));
  });

  it("list_llm_models and get_llm_model_stats: one statement each, the answers whole traces give (finish reasons from events and indexed keys included)", async () => {
    // list_llm_models aggregates in SQL (llmUsage); the model statistics read the calls (finish reasons, dollars).
    const usage = vi.spyOn(backend, "llmUsage");
    const read = vi.spyOn(backend, "llmCalls");
    const models = await onClickHouse("list_llm_models", WINDOW);
    expect(usage).toHaveBeenCalledTimes(1);
    expect(read).not.toHaveBeenCalled();
    expect(models.statements).toBe(1);
    expect(withoutCoverage(models.json)).toEqual(withoutCoverage((await memory.call("list_llm_models", WINDOW)).json));
    const names = (models.json.models as Array<{ model: string }>).map((m) => m.model);
    expect(names).toContain("gpt-4o");
    for (const model of names) {
      usage.mockClear();
      read.mockClear();
      const got = await onClickHouse("get_llm_model_stats", { ...WINDOW, model_name: model });
      expect(usage, model).not.toHaveBeenCalled();
      expect(read, model).toHaveBeenCalledTimes(1);
      expect(got.statements, model).toBe(1);
      expect(withoutCoverage(got.json), model).toEqual(withoutCoverage((await memory.call("get_llm_model_stats", { ...WINDOW, model_name: model })).json));
    }
    usage.mockRestore();
    read.mockRestore();
    const gpt4o = await ch.call("get_llm_model_stats", { ...WINDOW, model_name: "gpt-4o" });
    // Recorded only as a gen_ai.choice event, and only as indexed completion keys.
    expect(gpt4o.json.finish_reasons).toMatchObject({ length: 1, content_filter: 1 });
  });

  it("llmUsage: the calls' groups sum to every call of the window, by model as the parser reads them; a service filter selects traces", async () => {
    const window = { startMs: DATASET_START_MS - 3_600_000, endMs: DATASET_START_MS + 86_400_000 };
    const res = (await backend.llmUsage({ ...window, filters: [] }))!;
    expect(res.traces).toBe(traces.length);
    const sum = (gs: typeof res.groups, f: (g: (typeof res.groups)[number]) => number): number => gs.reduce((n, g) => n + f(g), 0);
    expect(sum(res.groups, (g) => g.calls)).toBe(all.length);
    expect(sum(res.groups, (g) => g.total)).toBe(all.reduce((n, c) => n + c.total, 0));
    const byModel = new Map<string, number>();
    for (const g of res.groups) byModel.set(g.model ?? "unknown", (byModel.get(g.model ?? "unknown") ?? 0) + g.calls);
    const want = new Map<string, number>();
    for (const c of all) want.set(c.response || c.request || "unknown", (want.get(c.response || c.request || "unknown") ?? 0) + 1);
    expect(byModel).toEqual(want);
    const service = traces[1]!.serviceName;
    const served = (await backend.llmUsage({ ...window, filters: [eq("service.name", service)] }))!;
    const inTraces = calls(traces.filter((t) => t.spans.some((s) => s.serviceName === service)));
    expect(sum(served.groups, (g) => g.calls)).toBe(inTraces.length);
    expect(await backend.llmUsage({ ...window, filters: [], stats: true })).toBeUndefined();
  });

  it("a trace filter (service) selects traces as everywhere, in SQL", async () => {
    const service = traces[1]!.serviceName;
    const want = calls(traces.filter((t) => t.spans.some((s) => s.serviceName === service)));
    const r = await onClickHouse("get_llm_usage", { ...WINDOW, service_name: service });
    expect(r.statements).toBe(1);
    expect((r.json.summary as { total_requests: number }).total_requests).toBe(want.length);
  });

  it("the ranking tools rank every trace of the window in SQL, past the trace cap, and read only the listed traces", async () => {
    // Statements: the ranking (rankTraces, every trace of the window); the listed traces.
    for (const [tool, statements] of [["get_llm_expensive_traces", 2], ["get_llm_slow_traces", 2]] as const) {
      const r = await onClickHouse(tool, { ...WINDOW, limit: 5 });
      expect(r.statements, tool).toBe(statements);
      expect(r.json.coverage, tool).toMatchObject({ traces: traces.length, complete: true });
      expect(withoutCoverage(r.json), tool).toEqual(withoutCoverage((await memory.call(tool, { ...WINDOW, limit: 5 })).json));
      // The capped whole-trace path would rank the 5 newest traces only: a different answer.
      expect(withoutCoverage(r.json), tool).not.toEqual(withoutCoverage((await cappedMemory.call(tool, { ...WINDOW, limit: 5 })).json));
    }
    // Filters (trace semantics) and the rankings' own floors, as whole traces apply them (limits within the cap: 5 traces read whole).
    const service = traces[1]!.serviceName;
    for (const [tool, args] of [
      ["get_llm_expensive_traces", { limit: 3, service_name: service }],
      ["get_llm_expensive_traces", { limit: 5, min_tokens: 500 }],
      ["get_llm_slow_traces", { limit: 3, min_duration_ms: 100 }],
      ["get_llm_slow_traces", { limit: 5, service_name: service }],
    ] as const) {
      const r = await onClickHouse(tool, { ...WINDOW, ...args });
      expect(r.isError, r.text).toBe(false);
      expect(withoutCoverage(r.json), `${tool} ${JSON.stringify(args)}`).toEqual(withoutCoverage((await memory.call(tool, { ...WINDOW, ...args })).json));
    }
  });

  it("llmCalls: every call the parser finds in the raw spans, read identically from the projection", async () => {
    const res = await backend.llmCalls({ startMs: DATASET_START_MS - 3_600_000, endMs: DATASET_START_MS + 86_400_000, filters: [] });
    expect(res.complete ?? true).toBe(true);
    const bySpan = new Map(traces.flatMap((t) => t.spans).map((s) => [`${s.traceId}/${s.spanId}`, s]));
    const expected = [...bySpan.values()].filter((s) => parseLlmSpan(s) !== undefined);
    expect(res.calls.length).toBe(expected.length);
    // Message previews come from content the projection leaves out on purpose (no LLM tool reads them).
    const comparable = ({ prompt_preview: _p, completion_preview: _c, tool_calls: _t, ...rest }: Record<string, unknown>) => rest;
    for (const c of res.calls) {
      const raw = bySpan.get(`${c.span.traceId}/${c.span.spanId}`)!;
      expect(c.span).toEqual({ traceId: raw.traceId, spanId: raw.spanId, serviceName: raw.serviceName, operationName: raw.operationName, startTimeUs: raw.startTimeUs, durationMs: raw.durationMs, status: raw.status });
      expect(comparable(c.llm as unknown as Record<string, unknown>)).toEqual(comparable(parseLlmSpan(raw) as unknown as Record<string, unknown>));
    }
    const ttft = res.calls.find((c) => c.span.traceId === "e2".repeat(16))!;
    expect(ttft.llm.time_to_first_token_ms).toBe(87.5);
    // Newest trace first, each trace's calls in start order.
    const start = new Map(traces.map((t) => [t.traceId, Math.min(...t.spans.map((s) => s.startTimeUs))]));
    for (let i = 1; i < res.calls.length; i++) {
      const [p, q] = [res.calls[i - 1]!.span, res.calls[i]!.span];
      if (p.traceId === q.traceId) expect(q.startTimeUs).toBeGreaterThanOrEqual(p.startTimeUs);
      else expect(start.get(q.traceId)!).toBeLessThanOrEqual(start.get(p.traceId)!);
    }
  });
});

describe("analyze_errors on ClickHouse reads error spans in SQL", () => {
  it("one statement through projectedSpans, every error span past the trace cap, as whole traces give", async () => {
    const spy = vi.spyOn(backend, "projectedSpans");
    const r = await onClickHouse("analyze_errors", WINDOW);
    expect(spy).toHaveBeenCalledTimes(1);
    spy.mockRestore();
    expect(r.statements).toBe(1);
    expect(r.json.total_error_spans).toBe(errorSpans.length);
    expect(errorSpans.length).toBeGreaterThan(5);
    expect(r.json.coverage).toMatchObject({ spans: errorSpans.length, complete: true });
    expect(withoutCoverage(r.json)).toEqual(withoutCoverage((await memory.call("analyze_errors", WINDOW)).json));
    for (const args of [{ group_by: ["service.name", "model"] }, { service_name: traces[0]!.serviceName, include_stack_trace: true }]) {
      const got = await onClickHouse("analyze_errors", { ...WINDOW, ...args });
      expect(got.statements).toBe(1);
      expect(withoutCoverage(got.json), JSON.stringify(args)).toEqual(withoutCoverage((await memory.call("analyze_errors", { ...WINDOW, ...args })).json));
    }
  });

  it("projectedSpans carries only the named attributes and events, newest first, and counts matches past the limit", async () => {
    const window = { startMs: DATASET_START_MS - 3_600_000, endMs: DATASET_START_MS + 86_400_000 };
    const filters = [eq("status", "ERROR")];
    const res = await backend.projectedSpans({ ...window, filters, attributes: ["error.type", "gen_ai.system"], events: ["exception"], limit: 3 });
    expect(res.matched).toBe(errorSpans.length);
    const newest = [...errorSpans].sort((a, b) => b.startTimeUs - a.startTimeUs || (a.traceId < b.traceId ? -1 : 1)).slice(0, 3);
    expect(res.spans.map((s) => s.spanId)).toEqual(newest.map((s) => s.spanId));
    for (const s of res.spans) {
      const raw = newest.find((n) => n.spanId === s.spanId)!;
      const keep = Object.fromEntries(Object.entries(raw.attributes).filter(([k]) => k === "error.type" || k === "gen_ai.system"));
      expect(s.attributes).toEqual(keep);
      expect(s.events.map((e) => e.name)).toEqual(raw.events.filter((e) => e.name === "exception").map((e) => e.name));
      expect(s.status).toBe("ERROR");
      expect(s.resourceAttributes ?? {}).toEqual({});
      expect(s.links ?? []).toEqual([]);
    }
    const none = await backend.projectedSpans({ ...window, filters, attributes: [], events: [], limit: 0 });
    expect(none).toEqual({ spans: [], matched: errorSpans.length });
  });
});

describe("a row-limit cut on ClickHouse is reported, never silent", () => {
  it("get_llm_usage past the call row limit: the newest traces whole, complete false, and a note", async () => {
    const limit = 25;
    const cut = new ClickHouseBackend(backendOptions(world.url), { llmCallRows: limit });
    const mcp = await connect({ flags: { backend: "clickhouse", url: world.url }, backendFactory: async () => cut, now: () => NOW });
    try {
      // Ground truth: traces newest first (ties by id), whole while their calls fit in the limit.
      const byTrace = new Map<string, Call[]>();
      for (const c of all) byTrace.set(c.trace.traceId, [...(byTrace.get(c.trace.traceId) ?? []), c]);
      const start = (t: Trace) => Math.min(...t.spans.map((s) => s.startTimeUs));
      const order = [...traces].filter((t) => byTrace.has(t.traceId)).sort((a, b) => start(b) - start(a) || (a.traceId < b.traceId ? -1 : 1));
      let kept: Call[] = [];
      let covered = 0;
      for (const t of order) {
        const mine = byTrace.get(t.traceId)!;
        if (kept.length + mine.length > limit) break;
        kept = [...kept, ...mine];
        covered++;
      }
      expect(all.length).toBeGreaterThan(limit);
      const r = await mcp.call("get_llm_usage", WINDOW);
      expect(r.isError, r.text).toBe(false);
      expect((r.json.summary as { total_requests: number }).total_requests).toBe(kept.length);
      expect((r.json.summary as { total_tokens: number }).total_tokens).toBe(kept.reduce((n, c) => n + c.total, 0));
      expect(r.json.coverage).toMatchObject({ complete: false, traces: covered, spans: kept.length, examined: traces.length });
      const notes = r.json.notes as string[];
      expect(notes.some((n) => n.startsWith("Incomplete:") && n.includes(`more than ${limit} LLM calls`) && n.includes(`of ${traces.length} matching traces`))).toBe(true);
      // The rankings read no calls (one row per trace that can make the top): the call row limit does not bound them.
      for (const tool of ["get_llm_expensive_traces", "get_llm_slow_traces"]) {
        const ranked = await mcp.call(tool, { ...WINDOW, limit: 5 });
        expect(ranked.json.coverage, tool).toMatchObject({ complete: true, traces: traces.length, spans: all.length });
        expect(withoutCoverage(ranked.json), tool).toEqual(withoutCoverage((await memory.call(tool, { ...WINDOW, limit: 5 })).json));
      }
    } finally {
      await mcp.close();
    }
  });

  it("list_llm_models has no row limit (grouped in SQL): every call of the window, as whole traces give", async () => {
    const cut = new ClickHouseBackend(backendOptions(world.url), { llmCallRows: 25 });
    const mcp = await connect({ flags: { backend: "clickhouse", url: world.url }, backendFactory: async () => cut, now: () => NOW });
    try {
      const r = await mcp.call("list_llm_models", WINDOW);
      expect(r.isError, r.text).toBe(false);
      expect(r.json.coverage).toMatchObject({ complete: true, traces: traces.length, spans: all.length });
      const requests = (r.json.models as Array<{ request_count: number }>).reduce((n, m) => n + m.request_count, 0);
      expect(requests).toBe(all.length);
      expect(withoutCoverage(r.json)).toEqual(withoutCoverage((await memory.call("list_llm_models", WINDOW)).json));
    } finally {
      await mcp.close();
    }
  });
});
