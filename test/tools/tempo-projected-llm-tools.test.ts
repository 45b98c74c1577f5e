/**
 * The LLM tools on Tempo read their calls from one projected search (TraceQL select, issue 15)
 * instead of fetching every trace by id. The answers must be the ones whole traces give, for every
 * GenAI convention the demo emits (OpenLLMetry, OTel GenAI, OpenInference, Vercel AI SDK,
 * LiteLLM): each tool is asked the same questions through a real MCP client on the Tempo world
 * and on an in-memory backend holding the same traces, and the request count is checked.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTempoBackend } from "../../src/backends/tempo/tempo-backend.js";
import { buildDemoPlan } from "../../src/demo/index.js";
import type { DemoPlan } from "../../src/demo/types.js";
import { assembleTrace, createSpan, type Trace } from "../../src/domain/trace.js";
import { silentLogger } from "../../src/logger.js";
import { connect, type Connected } from "../helpers/mcp.js";
import { MemoryBackend } from "../helpers/memory-backend.js";
import { tempoWorld, type TempoRunningWorld } from "../helpers/tempo-world.js";

const NOW = Date.UTC(2026, 11, 1, 12, 0, 0);
const plan: DemoPlan = buildDemoPlan({ seed: 7, traces: 80, nowMs: NOW });

function toTraces(p: DemoPlan): Trace[] {
  return p.traces.map(
    (t) =>
      assembleTrace(
        t.traceId,
        t.spans.map((s) =>
          createSpan({
            traceId: t.traceId,
            spanId: s.spanId,
            parentSpanId: s.parentSpanId,
            operationName: s.name,
            serviceName: s.service,
            startTimeUs: s.startUs,
            durationMs: (s.endUs - s.startUs) / 1000,
            status: s.status.code,
            ...(s.status.message ? { statusMessage: s.status.message } : {}),
            attributes: s.attributes,
            events: s.events.map((e) => ({ name: e.name, timestamp: e.timeUs, attributes: e.attributes })),
          }),
        ),
      )!,
  );
}

const traces = toTraces(plan);
const WINDOW = { start_time: new Date(NOW - 6 * 3_600_000).toISOString(), end_time: new Date(NOW).toISOString() };

/** Traces with a call of `model` whose finish reason is only in a gen_ai.choice event (plain reading of the plan). */
function eventOnlyTraces(model: string): number {
  const attrKeys = ["gen_ai.response.finish_reasons", "llm.response.finish_reasons", "ai.response.finishReason", "llm.finish_reason", "gen_ai.response.finish_reason", "llm.response.finish_reason", "gen_ai.output.messages"];
  const models = (a: Record<string, unknown>) => [a["gen_ai.request.model"], a["gen_ai.response.model"], a["llm.model_name"], a["ai.model.id"], a["ai.response.model"]];
  return plan.traces.filter((t) =>
    t.spans.some((s) => models(s.attributes).includes(model) && !attrKeys.some((k) => k in s.attributes) && s.events.some((e) => e.name === "gen_ai.choice")),
  ).length;
}

let world: TempoRunningWorld;
let tempo: Connected;
let memory: Connected;

beforeAll(async () => {
  world = await tempoWorld().start(traces);
  const options = { url: world.url, timeoutMs: 5000, headers: {}, environments: [], fetchConcurrency: 4, logger: silentLogger(), now: () => NOW };
  tempo = await connect({ backendFactory: async () => createTempoBackend(options), now: () => NOW });
  memory = await connect({ backendFactory: async () => new MemoryBackend(traces), now: () => NOW });
});
afterAll(async () => {
  await tempo.close();
  await memory.close();
  await world.close();
});

async function structured(mcp: Connected, name: string, args: Record<string, unknown>): Promise<Record<string, unknown>> {
  const res = await mcp.client.callTool({ name, arguments: args });
  expect(res.isError, JSON.stringify(res.content)).toBeFalsy();
  // How the answer was obtained differs by design (a projection covers only traces with LLM calls).
  const { coverage: _c, notes: _n, window: _w, skipped: _s, ...rest } = res.structuredContent as Record<string, unknown>;
  return rest;
}

describe("LLM tools on Tempo: one projected search, the answers of whole traces", () => {
  it("get_llm_usage, list_llm_models: same answers, in a handful of requests", async () => {
    for (const [name, args] of [
      ["get_llm_usage", WINDOW],
      ["get_llm_usage", { ...WINDOW, service_name: plan.traces[0]!.spans[0]!.service }],
      ["list_llm_models", WINDOW],
    ] as const) {
      const before = world.requests.length;
      const got = await structured(tempo, name, args);
      expect(world.requests.length - before, `${name} requests`).toBeLessThanOrEqual(5);
      expect(got, `${name} ${JSON.stringify(args)}`).toEqual(await structured(memory, name, args));
    }
  });

  it("get_llm_model_stats for every model of every convention", async () => {
    const models = (await structured(memory, "list_llm_models", WINDOW)).models as Array<{ model: string }>;
    expect(models.length).toBeGreaterThanOrEqual(4);
    let allProjected = 0;
    for (const { model } of models) {
      const before = world.requests.length;
      const got = await structured(tempo, "get_llm_model_stats", { ...WINDOW, model_name: model });
      // Finish reasons recorded only as gen_ai.choice events are not in a projection: those traces are fetched by id.
      const eventOnly = eventOnlyTraces(model);
      if (eventOnly === 0) allProjected++;
      expect(world.requests.length - before, `${model} requests`).toBeLessThanOrEqual(5 + eventOnly);
      expect(got, model).toEqual(await structured(memory, "get_llm_model_stats", { ...WINDOW, model_name: model }));
    }
    expect(allProjected).toBeGreaterThan(0);
  });

  it("the projection left nothing in the trace cache (get_trace still returns the whole trace)", async () => {
    const id = plan.traces[0]!.traceId;
    const res = await tempo.client.callTool({ name: "get_trace", arguments: { trace_id: id } });
    expect((res.structuredContent as { span_count: number }).span_count).toBe(plan.traces[0]!.spans.length);
  });
});
