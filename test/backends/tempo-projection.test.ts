/**
 * Projected Tempo searches (BackendSearch.select, issue 15): the LLM analytics' traces come from
 * one `/api/search` with TraceQL `select` and `spss` instead of a fetch per trace, and hold exactly
 * the LLM spans and error spans of each trace with the attributes the LLM parser reads. Ground
 * truth is computed from the dataset with plain code; the Tempo world evaluates the TraceQL we send.
 */
import { describe, expect, it } from "vitest";
import { createJaegerBackend } from "../../src/backends/jaeger/jaeger-backend.js";
import { createTempoBackend } from "../../src/backends/tempo/tempo-backend.js";
import { buildProjectedTraceQL } from "../../src/backends/tempo/traceql.js";
import type { BackendOptions, TraceBackend } from "../../src/backends/trace-backend.js";
import { eq, type Filter } from "../../src/domain/filter.js";
import { assembleTrace, createSpan, type Span, type Trace } from "../../src/domain/trace.js";
import { CONVENTION_MARKERS } from "../../src/genai/conventions.js";
import { parseLlmSpan } from "../../src/genai/llm-span.js";
import { silentLogger } from "../../src/logger.js";
import { LLM_CALL_PROJECTION } from "../../src/query/llm-projection.js";
import { findTraces } from "../../src/query/search.js";
import { TraceCache } from "../../src/query/trace-cache.js";
import { DATASET_START_MS, generateDataset } from "../helpers/dataset.js";
import { jaegerWorld } from "../helpers/jaeger-world.js";
import { queryContext } from "../helpers/query.js";
import { parseTraceQLQuery, tempoWorld, type TempoRunningWorld, type TempoWorldOptions } from "../helpers/tempo-world.js";

const HOUR = 3_600_000;
const NOW = DATASET_START_MS + 6 * HOUR;
const WINDOW = { startMs: DATASET_START_MS - HOUR, endMs: NOW };

function options(url: string): BackendOptions {
  return { url, timeoutMs: 2000, headers: {}, environments: [], fetchConcurrency: 4, logger: silentLogger(), now: () => NOW };
}

async function withTempo<T>(dataset: Trace[], fn: (running: TempoRunningWorld, backend: TraceBackend) => Promise<T>, worldOptions: TempoWorldOptions = {}): Promise<T> {
  const running = await tempoWorld(worldOptions).start(dataset);
  const backend = createTempoBackend(options(running.url));
  try {
    return await fn(running, backend);
  } finally {
    await backend.close();
    await running.close();
  }
}

/** Plain-code truth: a span is a candidate LLM call when it carries a marker key of a GenAI convention (conventions.ts). */
const MARKERS = [...Object.values(CONVENTION_MARKERS).flat(), "gen_ai.system", "gen_ai.provider.name"];
const isLlm = (s: Span): boolean => MARKERS.some((k) => s.attributes[k] != null);
const wantedSpans = (t: Trace): Span[] => t.spans.filter((s) => isLlm(s) || s.status === "ERROR");
const ids = (spans: Span[]): string[] => spans.map((s) => s.spanId).sort();
const pick = (attrs: Record<string, unknown>, keys: readonly string[]) => Object.fromEntries(keys.filter((k) => attrs[k] != null).map((k) => [k, attrs[k]]));
/** What the LLM analytics read of a parsed call (previews are not projected). */
const analytics = (s: Span) => {
  const { prompt_preview: _p, completion_preview: _c, ...rest } = parseLlmSpan(s) ?? ({} as Record<string, unknown>);
  return { ...rest, status: s.status, durationMs: s.durationMs, startTimeUs: s.startTimeUs, service: s.serviceName, name: s.operationName };
};

/** A trace with an ERROR span that is not an LLM call, and one with no LLM span at all. */
function extraTraces(): Trace[] {
  const t0 = (DATASET_START_MS + 30 * 60_000) * 1000;
  const mk = (traceId: string, spans: Array<Partial<Span> & { spanId: string }>) =>
    assembleTrace(
      traceId,
      spans.map((s, i) =>
        createSpan({
          traceId,
          spanId: s.spanId,
          parentSpanId: i === 0 ? null : spans[0]!.spanId,
          operationName: s.operationName ?? `op${i}`,
          serviceName: s.serviceName ?? "chat-api",
          startTimeUs: t0 + i * 1000,
          durationMs: s.durationMs ?? 12.345678,
          status: s.status ?? "OK",
          attributes: s.attributes ?? {},
        }),
      ),
    )!;
  return [
    mk("e0000000000000000000000000000001", [
      { spanId: "e000000000000001", operationName: "agent.workflow" },
      { spanId: "e000000000000002", operationName: "anthropic.chat", attributes: { "gen_ai.provider.name": "anthropic", "gen_ai.usage.input_tokens": 7, "gen_ai.usage.output_tokens": 3 } },
      { spanId: "e000000000000003", operationName: "db.query", status: "ERROR", attributes: { "db.system": "postgresql", "error.type": "Timeout" } },
    ]),
    mk("e0000000000000000000000000000002", [
      { spanId: "e000000000000011", operationName: "GET /health" },
      { spanId: "e000000000000012", operationName: "db.query", status: "ERROR" },
    ]),
  ];
}

describe("buildProjectedTraceQL", () => {
  it("wants the LLM spans, adds the error spans, drops what the filters matched, and selects the parser's keys", () => {
    const q = buildProjectedTraceQL([eq("service.name", "chat-api")], { spansWith: ["gen_ai.system", "gen_ai.provider.name"], errorSpans: true, attributes: ["gen_ai.system", "gen_ai.usage.input_tokens"] });
    const w = "span.gen_ai.system != nil || span.gen_ai.provider.name != nil";
    expect(q).toBe(
      `{ resource.service.name = "chat-api" } && { ${w} } && { ${w} || status = error } | { ${w} || status = error } | select(name, status, resource.service.name, span.gen_ai.system, span.gen_ai.usage.input_tokens)`,
    );
    expect(() => parseTraceQLQuery(q)).not.toThrow();
  });

  it("without filters or error spans it is one spanset and a select", () => {
    expect(buildProjectedTraceQL([], { spansWith: ["a"], errorSpans: false, attributes: ["a b"] })).toBe(`{ span.a != nil } | select(name, status, resource.service.name, span."a b")`);
  });
});

describe("projected trace search on Tempo (one request, no fetch by id)", () => {
  const dataset = [...generateDataset({ seed: 11, traces: 40, fillerSpans: 4 }), ...extraTraces()];

  it("returns every trace with an LLM span, each holding exactly its LLM and error spans with the selected attributes", async () => {
    await withTempo(dataset, async (running, backend) => {
      const cache = new TraceCache({ now: () => NOW, settleMs: 0 });
      const ctx = queryContext(backend, { now: () => NOW, cache });
      const before = running.requests.length;
      const found = await findTraces(ctx, { ...WINDOW, limit: 1000, filters: [], mode: "window", select: LLM_CALL_PROJECTION });
      const reqs = running.requests.slice(before);
      expect(reqs.map((r) => r.path)).toEqual(["/api/search"]);
      expect(reqs[0]!.query.spss).toBe("100");

      const want = dataset.filter((t) => t.spans.some(isLlm));
      expect(want.length).toBeLessThan(dataset.length);
      expect(found.items.map((t) => t.traceId).sort()).toEqual(want.map((t) => t.traceId).sort());
      expect(found.coverage).toMatchObject({ complete: true, traces: want.length });
      for (const t of found.items) {
        const truth = want.find((w) => w.traceId === t.traceId)!;
        expect(t.projected).toBe(true);
        expect(t.partial).toBe(true);
        expect(ids(t.spans)).toEqual(ids(wantedSpans(truth)));
        expect(t.status).toBe(truth.spans.some((s) => s.status === "ERROR") ? "ERROR" : "OK");
        expect(t.startTimeUs).toBe(truth.startTimeUs);
        expect(t.serviceName).toBe(truth.serviceName);
        expect(t.rootOperation).toBe(truth.rootOperation);
        // Tempo lists the trace duration in whole milliseconds.
        expect(t.durationMs).toBe(Math.floor(truth.durationMs));
        for (const s of t.spans) {
          const orig = truth.spans.find((o) => o.spanId === s.spanId)!;
          expect(s.attributes).toEqual(pick(orig.attributes, LLM_CALL_PROJECTION.attributes));
          expect(analytics(s)).toEqual(analytics(orig));
        }
      }
      // Projections are never cached as the trace itself.
      expect(cache.size).toBe(0);
    });
  });

  it("keeps the filters' meaning: service_name still means a span of that service", async () => {
    await withTempo(dataset, async (running, backend) => {
      const ctx = queryContext(backend, { now: () => NOW });
      const found = await findTraces(ctx, { ...WINDOW, limit: 1000, filters: [eq("service.name", "travel-agent")], mode: "window", select: LLM_CALL_PROJECTION });
      const want = dataset.filter((t) => t.spans.some(isLlm) && t.spans.some((s) => s.serviceName === "travel-agent"));
      expect(want.length).toBeGreaterThan(0);
      expect(found.items.map((t) => t.traceId).sort()).toEqual(want.map((t) => t.traceId).sort());
      for (const t of found.items) expect(ids(t.spans)).toEqual(ids(wantedSpans(want.find((w) => w.traceId === t.traceId)!)));
      expect(running.requests.filter((r) => r.path.includes("/traces/"))).toHaveLength(0);
    });
  });

  it("fetches by id only the traces whose wanted spans did not all fit in spss", async () => {
    const traceId = "f0000000000000000000000000000001";
    const t0 = (DATASET_START_MS + 10 * 60_000) * 1000;
    const spans = Array.from({ length: 130 }, (_, i) =>
      createSpan({
        traceId,
        spanId: `f${String(i).padStart(15, "0")}`,
        parentSpanId: i === 0 ? null : "f000000000000000",
        operationName: i === 0 ? "batch" : "openai.chat",
        serviceName: "batch-svc",
        startTimeUs: t0 + i,
        durationMs: 5,
        attributes: i === 0 ? {} : { "gen_ai.system": "openai", "gen_ai.usage.total_tokens": i },
      }),
    );
    const big = assembleTrace(traceId, spans)!;
    await withTempo([...dataset, big], async (running, backend) => {
      const before = running.requests.length;
      const found = await findTraces(queryContext(backend, { now: () => NOW }), { ...WINDOW, limit: 1000, filters: [], mode: "window", select: LLM_CALL_PROJECTION });
      const reqs = running.requests.slice(before);
      expect(reqs.map((r) => r.path)).toEqual(["/api/search", `/api/v2/traces/${traceId}`]);
      const got = found.items.find((t) => t.traceId === traceId)!;
      expect(got.projected).toBeUndefined();
      expect(got.spans).toHaveLength(130);
    });
  });

  it("is not used when a filter must run locally (those read every span): traces are fetched complete", async () => {
    await withTempo(dataset, async (running, backend) => {
      // Attribute conditions only narrow on Tempo (typed comparison), so the filter is re-checked locally.
      const filters: Filter[] = [eq("llm.request.type", "chat")];
      const before = running.requests.length;
      const found = await findTraces(queryContext(backend, { now: () => NOW }), { ...WINDOW, limit: 1000, filters, mode: "window", select: LLM_CALL_PROJECTION });
      const reqs = running.requests.slice(before);
      expect(reqs[0]!.query.q).not.toContain("select(");
      expect(reqs.filter((r) => r.path.includes("/traces/")).length).toBeGreaterThanOrEqual(found.items.length);
      const want = dataset.filter((t) => t.spans.some((s) => s.attributes["llm.request.type"] === "chat"));
      expect(found.items.map((t) => t.traceId).sort()).toEqual(want.map((t) => t.traceId).sort());
      for (const t of found.items) expect(t.projected).toBeUndefined();
    });
  });

  it("a backend without projections ignores select and returns complete traces", async () => {
    const running = await jaegerWorld({ now: () => NOW }).start(dataset);
    const backend = createJaegerBackend(options(running.url));
    try {
      const found = await findTraces(queryContext(backend, { now: () => NOW, lookbackMs: 2 * 24 * HOUR }), {
        ...WINDOW,
        limit: 1000,
        filters: [eq("service.name", "chat-api")],
        mode: "window",
        select: LLM_CALL_PROJECTION,
      });
      const want = dataset.filter((t) => t.spans.some((s) => s.serviceName === "chat-api"));
      expect(found.items.map((t) => t.traceId).sort()).toEqual(want.map((t) => t.traceId).sort());
      for (const t of found.items) expect(t.spans.length).toBe(want.find((w) => w.traceId === t.traceId)!.spans.length);
    } finally {
      await backend.close();
      await running.close();
    }
  });
});

describe("the Tempo world stays honest about what it implements", () => {
  const dataset = generateDataset({ seed: 5, traces: 6 });
  const search = (running: TempoRunningWorld, params: Record<string, string>) => fetch(`${running.url}/api/search?${new URLSearchParams(params)}`);

  it.each([
    ["{ } | coalesce()", "unknown identifier"],
    ["{ } | by(resource.service.name)", "unsupported pipeline element"],
    ["{ } | rate()", "unknown identifier"],
    ["{ } | count_over_time()", "metrics queries"],
    ["{ } | select()", "unexpected token"],
    ["{ span.a != nil } | select(span.a) | quantile_over_time(duration, .9)", "unknown identifier"],
  ])("%s is a 400", async (q, why) => {
    await withTempo(dataset, async (running) => {
      const res = await search(running, { q });
      expect(res.status).toBe(400);
      expect(await res.text()).toContain(why);
    });
  });

  it("spss above max_spans_per_span_set is a 400, as in Tempo's search sharder", async () => {
    await withTempo(
      dataset,
      async (running) => {
        const res = await search(running, { q: "{}", spss: "11" });
        expect(res.status).toBe(400);
        expect(await res.text()).toContain("spans per span set exceeds 10. received 11");
      },
      { maxSpansPerSpanSet: 10 },
    );
  });

  it("lists the first spss spans of a spanset and counts all of them in matched", async () => {
    await withTempo(dataset, async (running) => {
      const body = (await (await search(running, { q: "{ } | select(span.gen_ai.system)", spss: "2", limit: "1" })).json()) as {
        traces: Array<{ spanSets: Array<{ spans: Array<{ spanID: string; attributes?: unknown[] }>; matched: number }> }>;
      };
      const ss = body.traces[0]!.spanSets[0]!;
      expect(ss.spans).toHaveLength(2);
      expect(ss.matched).toBeGreaterThan(2);
    });
  });
});
