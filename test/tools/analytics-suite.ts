/**
 * The analytics tools through the MCP client, against ground truth computed here from the raw
 * built spans (test/helpers/analytics-dataset.ts) with plain loops, never with src/analytics: one
 * suite, run over each backend that can serve the dataset (analytics-tools.test.ts: in-memory and
 * Jaeger; test/clickhouse/: ClickHouse).
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allSpans, analyticsDataset, ANALYTICS_START_MS, HOUR_MS, MODELS, pctl, type BuiltSpan } from "../helpers/analytics-dataset.js";
import { connect, type Connected } from "../helpers/mcp.js";
import { MemoryBackend } from "../helpers/memory-backend.js";

export const ds = analyticsDataset();
const spans = allSpans(ds);
export const NOW = ANALYTICS_START_MS + 6 * HOUR_MS;
export const WINDOW = { start_time: new Date(ANALYTICS_START_MS - HOUR_MS).toISOString(), end_time: new Date(NOW).toISOString() };

// Deterministic prices (USD per million tokens) so dollars are computed here exactly.
const PRICES = { "gpt-4o-mini": { input: 0.15, output: 0.6 }, "claude-3-5-sonnet-20241022": { input: 3, output: 15 } } as const;
const dir = mkdtempSync(join(tmpdir(), "otel-mcp-prices-"));
export const pricingFile = join(dir, "prices.json");
writeFileSync(pricingFile, JSON.stringify({ prices: Object.entries(PRICES).map(([match, p]) => ({ match, ...p })) }));

const near = (a: number | null | undefined, b: number | null, digits = 2) => {
  if (b === null) expect(a).toBeNull();
  else expect(a).toBeCloseTo(b, digits);
};
const isLlm = (s: BuiltSpan) => typeof s.attributes?.["gen_ai.system"] === "string";
const tokens = (s: BuiltSpan, k: "input" | "output") => (isLlm(s) ? (s.attributes![`gen_ai.usage.${k}_tokens`] as number) : 0);
const costOf = (s: BuiltSpan): number | undefined => {
  const p = PRICES[s.attributes?.["gen_ai.request.model"] as keyof typeof PRICES];
  return p ? (tokens(s, "input") * p.input + tokens(s, "output") * p.output) / 1e6 : undefined;
};
const traceStart = (b: BuiltSpan[]) => Math.min(...b.map((s) => s.startMs));
const traceDuration = (b: BuiltSpan[]) => Math.max(...b.map((s) => s.startMs + s.durationMs)) - traceStart(b);

export type Json = Record<string, any>;

export type Setup = () => Promise<{ mcp: Connected; close: () => Promise<void> }>;

export function describeAnalyticsTools(name: string, setup: Setup): void {
  describe(`analytics tools on ${name}`, () => {
    let mcp: Connected;
    let close: () => Promise<void>;
    beforeAll(async () => ({ mcp, close } = await setup()));
    afterAll(() => close());

    const call = async (tool: string, args: Json): Promise<Json> => {
      const r = await mcp.call(tool, { ...WINDOW, ...args });
      expect(r.isError, `${tool}: ${r.text.slice(0, 400)}`).toBe(false);
      return r.json;
    };

    it("aggregate_traces: p50/p95/max latency, errors and error rate per service (span level)", async () => {
      const out = await call("aggregate_traces", {
        group_by: ["service.name"],
        metrics: ["count", "error_count", "error_rate", "avg_duration_ms", "p50_duration_ms", "p95_duration_ms", "max_duration_ms"],
      });
      const services = [...new Set(spans.map((s) => s.service))];
      expect(out.groups).toHaveLength(services.length);
      for (const svc of services) {
        const mine = spans.filter((s) => s.service === svc);
        const g = out.groups.find((x: Json) => x.key["service.name"] === svc);
        const d = mine.map((s) => s.durationMs);
        const errors = mine.filter((s) => s.error).length;
        expect(g, svc).toBeDefined();
        expect(g.count).toBe(mine.length);
        expect(g.error_count).toBe(errors);
        near(g.error_rate, (errors / mine.length) * 100);
        near(g.p50_duration_ms, pctl(d, 0.5));
        near(g.p95_duration_ms, pctl(d, 0.95));
        near(g.max_duration_ms, Math.max(...d));
        near(g.avg_duration_ms, d.reduce((a, b) => a + b, 0) / d.length);
      }
      // Default order: the first metric, descending.
      expect(out.groups.map((g: Json) => g.count)).toEqual([...out.groups.map((g: Json) => g.count)].sort((a, b) => b - a));
      expect(out.coverage).toMatchObject({ complete: true, spans: spans.length, traces: ds.traces.length });
    });

    it("aggregate_traces at level trace: one row per trace, by root service, trace durations", async () => {
      const out = await call("aggregate_traces", { level: "trace", group_by: ["service.name"], metrics: ["count", "error_count", "p95_duration_ms"] });
      const all = [...ds.built.values()];
      expect(out.groups).toEqual([
        {
          key: { "service.name": "frontend" },
          count: all.length,
          error_count: all.filter((b) => b.some((s) => s.error)).length,
          p95_duration_ms: expect.closeTo(pctl(all.map(traceDuration), 0.95)!, 2),
        },
      ]);
    });

    it("aggregate_traces: tokens and dollars per model; an unpriced model is listed, never $0", async () => {
      const out = await call("aggregate_traces", { group_by: ["model"], metrics: ["count", "input_tokens", "output_tokens", "total_tokens", "cost_usd"], filters: [{ field: "gen_ai.system", operator: "exists" }] });
      for (const m of MODELS) {
        const mine = spans.filter((s) => s.attributes?.["gen_ai.request.model"] === m.model);
        const g = out.groups.find((x: Json) => x.key.model === m.model);
        expect(g.count, m.model).toBe(mine.length);
        expect(g.input_tokens).toBe(mine.reduce((n, s) => n + tokens(s, "input"), 0));
        expect(g.output_tokens).toBe(mine.reduce((n, s) => n + tokens(s, "output"), 0));
        const priced = mine.map(costOf);
        if (priced.every((c) => c === undefined)) expect(g.cost_usd, m.model).toBeNull();
        else near(g.cost_usd, priced.reduce((a: number, b) => a + (b ?? 0), 0), 5);
      }
      expect(out.unpriced_models).toEqual([expect.objectContaining({ model: "mystery-model-7", requests: spans.filter((s) => s.attributes?.["gen_ai.request.model"] === "mystery-model-7").length })]);
      expect(out.prices_as_of).toMatch(/^\d{4}-\d\d-\d\d$/);
      expect(out.notes.join(" ")).toMatch(/leaves out \d+ LLM call\(s\) of models with no price/);
    });

    it("aggregate_traces: hourly buckets per service, in time order", async () => {
      const out = await call("aggregate_traces", { group_by: ["service.name"], metrics: ["count"], interval: "1h", filters: [{ field: "service.name", operator: "equals", value: "payments" }], limit: 1000 });
      const want = new Map<number, number>();
      for (const s of spans.filter((x) => x.service === "payments")) {
        const b = Math.floor(s.startMs / HOUR_MS) * HOUR_MS;
        want.set(b, (want.get(b) ?? 0) + 1);
      }
      const got = out.groups.map((g: Json) => [Date.parse(g.bucket_start), g.count]);
      expect(got).toEqual([...want.entries()].sort((a, b) => a[0] - b[0]));
    });

    it("aggregate_traces: order_by and limit", async () => {
      const out = await call("aggregate_traces", { group_by: ["operation_name"], metrics: ["count", "p95_duration_ms"], order_by: "p95_duration_ms asc", limit: 2 });
      const ops = [...new Set(spans.map((s) => s.name))].map((op) => pctl(spans.filter((s) => s.name === op).map((s) => s.durationMs), 0.95)!);
      expect(out.group_count).toBe(ops.length);
      expect(out.groups).toHaveLength(2);
      near(out.groups[0].p95_duration_ms, Math.min(...ops));
    });

    it("analyze_errors: messages that differ only in numbers are one group, with class, exemplars and LLM details", async () => {
      const out = await call("analyze_errors", { include_stack_trace: true, limit: 50 });
      const errors = spans.filter((s) => s.error);
      expect(out.total_error_spans).toBe(errors.length);
      const notFound = errors.filter((s) => s.exception?.type === "NotFoundError");
      const g = out.groups.find((x: Json) => x.error_type === "NotFoundError");
      expect(g).toMatchObject({ service_name: "checkout", operation_name: "POST /order", message_template: "order <n> not found", count: notFound.length, trace_count: new Set(notFound.map((s) => s.traceId)).size });
      expect(notFound.map((s) => s.exception!.message)).toContain(g.example_message);
      expect(g.exemplar_trace_ids.length).toBeLessThanOrEqual(3);
      for (const id of g.exemplar_trace_ids) expect(notFound.map((s) => s.traceId)).toContain(id);
      // Times are stated with µs precision.
      expect(g.first_seen).toBe(new Date(Math.min(...notFound.map((s) => s.startMs))).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z"));
      expect(g.stack_trace).toContain("orders.ts:42");

      const limited = errors.filter((s) => s.exception?.type === "RateLimitError");
      const rl = out.groups.find((x: Json) => x.error_type === "RateLimitError");
      expect(rl).toMatchObject({ error_class: "rate_limit", count: limited.length, llm_provider: "openai", llm_model: "gpt-4o-mini" });
      // The varying parts (org id, limits, counts) are templated; the model name stays.
      expect(rl.message_template).toBe("Rate limit reached for gpt-4o-mini in organization org-<id> on tokens per min. Limit <n>, Used <n>, Requested <n>.");

      const tool = out.groups.find((x: Json) => x.error_type === "ToolError");
      expect(tool).toMatchObject({ error_class: "tool_error", count: errors.filter((s) => s.exception?.type === "ToolError").length });
      // One group per fingerprint: the templates leave no numbers to split on.
      expect(out.groups.length).toBe(new Set(errors.map((s) => s.exception!.type)).size);
      expect(out.groups.map((x: Json) => x.count)).toEqual([...out.groups.map((x: Json) => x.count)].sort((a, b) => b - a));
    });

    it("analyze_errors: min_occurrences and group_by", async () => {
      const byType = new Map<string, number>();
      for (const s of spans.filter((x) => x.error)) byType.set(s.exception!.type, (byType.get(s.exception!.type) ?? 0) + 1);
      const threshold = [...byType.values()].sort((a, b) => a - b)[1]!;
      const out = await call("analyze_errors", { min_occurrences: threshold });
      expect(out.groups.map((g: Json) => g.error_type).sort()).toEqual([...byType].filter(([, n]) => n >= threshold).map(([t]) => t).sort());
      const byService = await call("analyze_errors", { group_by: ["service.name"] });
      const want = new Map<string, number>();
      for (const s of spans.filter((x) => x.error)) want.set(s.service, (want.get(s.service) ?? 0) + 1);
      expect(Object.fromEntries(byService.groups.map((g: Json) => [g.key["service.name"], g.count]))).toEqual(Object.fromEntries(want));
    });

    it("get_service_topology: caller -> callee edges with the callee spans' metrics, databases and providers as nodes", async () => {
      const out = await call("get_service_topology", {});
      expectTopology(out, topologyTruth());
      expect(out.services.find((s: Json) => s.name === "postgresql")).toMatchObject({ kind: "database" });
      expect(out.services.find((s: Json) => s.name === "anthropic")).toMatchObject({ kind: "llm" });
      expect(out.services.find((s: Json) => s.name === "payments")).toMatchObject({ kind: "service", span_count: spans.filter((s) => s.service === "payments").length });
      expect(out.coverage).toMatchObject({ complete: true, spans: spans.length, traces: ds.traces.length });

      const narrow = await call("get_service_topology", { service_name: "payments", min_call_count: 1 });
      expect(narrow.edges.map((e: Json) => `${e.caller}->${e.callee}`)).toEqual(["checkout->payments"]);
      expect(narrow.services.map((s: Json) => s.name).sort()).toEqual(["checkout", "payments"]);
      const busy = [...topologyTruth().edges.values()].map((v) => v.length).sort((a, b) => b - a)[0]!;
      const top = await call("get_service_topology", { min_call_count: busy, include_metrics: false });
      expect(top.edges.length).toBeGreaterThan(0);
      expect(top.edges.every((e: Json) => e.call_count >= busy && e.p95_duration_ms === undefined && e.error_count === undefined)).toBe(true);
    });

    it("get_service_topology: the same answer as the in-memory backend's fold over the same traces", async () => {
      const memory = await connect({ backendFactory: async () => new MemoryBackend(ds.traces), now: () => NOW });
      try {
        for (const args of [{}, { service_name: "checkout" }, { min_call_count: 30 }, { include_metrics: false }, { start_time: new Date(ANALYTICS_START_MS + HOUR_MS).toISOString() }]) {
          const want = (await memory.call("get_service_topology", { ...WINDOW, ...args })).json as Json;
          const got = await call("get_service_topology", args);
          expect(sameTopology(got), JSON.stringify(args)).toEqual(sameTopology(want));
          expect(got.coverage).toMatchObject({ complete: true, spans: want.coverage.spans, traces: want.coverage.traces });
        }
      } finally {
        await memory.close();
      }
    });
  });
}

/**
 * A backend that computes the topology where the data is (SQL) answers over every trace of the
 * window even under a --max-traces cap of 5 (`setup` must pass it): complete, and equal to the truth
 * over all 60 traces, where the fetch path would fold 5 and say it is incomplete.
 */
export function describeTopologyPushdown(name: string, setup: Setup): void {
  describe(`get_service_topology pushed down on ${name}`, () => {
    let mcp: Connected;
    let close: () => Promise<void>;
    beforeAll(async () => ({ mcp, close } = await setup()));
    afterAll(() => close());

    it("covers every trace of the window past --max-traces 5", async () => {
      const r = await mcp.call("get_service_topology", WINDOW);
      expect(r.isError, r.text.slice(0, 400)).toBe(false);
      expect(ds.traces.length).toBeGreaterThan(5);
      expect(r.json.coverage).toEqual({ complete: true, spans: spans.length, traces: ds.traces.length, examined: spans.length });
      expect(r.json.notes ?? []).toEqual([]);
      expectTopology(r.json, topologyTruth());
    });
  });
}

/** Edges and nodes computed here from the built spans with plain loops: Jaeger's parent/child rule, db.system and gen_ai.system as extra nodes. */
export function topologyTruth(): { edges: Map<string, BuiltSpan[]>; nodes: Map<string, BuiltSpan[]> } {
  const byId = new Map(spans.map((s) => [`${s.traceId}/${s.id}`, s]));
  const edges = new Map<string, BuiltSpan[]>();
  const nodes = new Map<string, BuiltSpan[]>();
  const add = (m: Map<string, BuiltSpan[]>, k: string, s: BuiltSpan) => m.set(k, [...(m.get(k) ?? []), s]);
  for (const s of spans) {
    add(nodes, `service:${s.service}`, s);
    const parent = s.parent ? byId.get(`${s.traceId}/${s.parent}`) : undefined;
    if (parent && parent.service !== s.service) add(edges, `${parent.service}->${s.service}`, s);
    if (s.attributes?.["db.system"]) {
      add(edges, `${s.service}->${s.attributes["db.system"]}`, s);
      add(nodes, `database:${s.attributes["db.system"]}`, s);
    } else if (isLlm(s)) {
      add(edges, `${s.service}->${s.attributes!["gen_ai.system"]}`, s);
      add(nodes, `llm:${s.attributes!["gen_ai.system"]}`, s);
    }
  }
  return { edges, nodes };
}

const rate2 = (calls: BuiltSpan[]) => Math.round((calls.filter((s) => s.error).length / calls.length) * 100 * 100) / 100;

/** A get_service_topology answer (include_metrics, whole window, min_call_count 1) against topologyTruth. */
export function expectTopology(out: Json, truth: ReturnType<typeof topologyTruth>): void {
  expect(out.edges.map((e: Json) => `${e.caller}->${e.callee}`).sort()).toEqual([...truth.edges.keys()].sort());
  for (const e of out.edges) {
    const calls = truth.edges.get(`${e.caller}->${e.callee}`)!;
    expect(e.call_count).toBe(calls.length);
    expect(e.error_count).toBe(calls.filter((s) => s.error).length);
    expect(e.error_rate).toBe(rate2(calls));
    near(e.p50_duration_ms, pctl(calls.map((s) => s.durationMs), 0.5));
    near(e.p95_duration_ms, pctl(calls.map((s) => s.durationMs), 0.95));
  }
  // Most calls first.
  expect(out.edges.map((e: Json) => e.call_count)).toEqual([...out.edges.map((e: Json) => e.call_count)].sort((a, b) => b - a));
  expect(out.services.map((s: Json) => `${s.kind}:${s.name}`).sort()).toEqual([...truth.nodes.keys()].sort());
  for (const n of out.services) {
    const mine = truth.nodes.get(`${n.kind}:${n.name}`)!;
    expect(n.span_count, n.name).toBe(mine.length);
    expect(n.error_rate, n.name).toBe(rate2(mine));
    near(n.p95_duration_ms, pctl(mine.map((s) => s.durationMs), 0.95));
  }
}

/** An answer with floats to 6 digits (engines' quantiles may differ from the fold in the last bits). */
function sameTopology(out: Json): Json {
  const round = (o: Json): Json => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, typeof v === "number" ? Math.round(v * 1e6) / 1e6 : v]));
  return { services: out.services.map(round), edges: out.edges.map(round) };
}

