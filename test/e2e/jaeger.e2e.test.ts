/**
 * The built CLI on stdio, against a real Jaeger and against the local store, both fed by the real
 * OpenTelemetry SDK (see jaeger-setup.ts; the vitest projects in vitest.e2e.config.ts run this file
 * once per backend). Every answer is checked against ground truth derived from the demo plan.
 * Jaeger semantics matter: a search by service returns every trace with ANY span of that
 * service, and an error search needs a failing span OF that service.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { buildDemoPlan, type DemoPlan, type DemoSpan, type DemoTrace } from "../../src/demo/index.js";
import {
  errorSpans,
  errorTracesOfService,
  isLlm,
  isoUs,
  llmSpans,
  modelCounts,
  modelStats,
  requestFirstModel,
  responseFirstModel,
  root,
  sortedModels,
  spanDurationMs,
  spanTokens,
  toolName,
  toolUsage,
  traceDurationMs,
  traceHasErrors,
  tracesWithService,
  traceTokens,
  usage,
  view,
} from "./ground-truth.js";

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "../..");

/** Which backend this project runs against (vitest.e2e.config.ts). */
const BACKEND = inject("e2eBackend");
const LABEL = BACKEND === "jaeger" ? "Jaeger" : "the local store";
const BACKEND_ARGS: Record<"jaeger" | "local", () => string[]> = {
  jaeger: () => ["--backend", "jaeger", "--url", inject("jaegerQueryUrl")],
  // Read-only: the data directory was filled by the setup's own receiver.
  local: () => ["--backend", "local", "--data-dir", inject("localDataDir"), "--otlp-listen", "none", "--retention", "2w"],
};

type Json = Record<string, any>;

let plan: DemoPlan;
let client: Client;
let transport: StdioClientTransport;
let stderr = "";
let window: { start_time: string; end_time: string };

async function call(name: string, args: Record<string, unknown> = {}): Promise<Json> {
  const res = (await client.callTool({ name, arguments: args })) as { isError?: boolean; content: Array<{ type: string; text?: string }>; structuredContent?: Json };
  const text = res.content[0]?.text ?? "";
  if (res.isError) throw new Error(`${name} failed: ${text}\n--- server stderr ---\n${stderr.slice(-2000)}`);
  // One text answer; answers that list traces add a trace:// resource link per trace.
  expect(res.content.filter((c) => c.type === "text")).toHaveLength(1);
  for (const c of res.content.slice(1)) expect(c.type).toBe("resource_link");
  const parsed = JSON.parse(text) as Json;
  expect(res.structuredContent).toEqual(parsed);
  return parsed;
}

async function callError(name: string, args: Record<string, unknown>): Promise<string> {
  const res = (await client.callTool({ name, arguments: args })) as { isError?: boolean; content: Array<{ type: string; text?: string }> };
  expect(res.isError).toBe(true);
  const body = JSON.parse(res.content[0]?.text ?? "{}") as { error?: string };
  expect(typeof body.error).toBe("string");
  return body.error!;
}

const byId = <T extends { trace_id: string }>(items: T[]): Map<string, T> => new Map(items.map((i) => [i.trace_id, i]));
const ids = (traces: DemoTrace[]): string[] => traces.map((t) => t.traceId).sort();
const round2 = (x: number): number => Math.round(x * 100) / 100;

/**
 * Checks a ranking: the keys must be the expected top keys in order; each id must be one of the
 * expected ids with (nearly) that key, so ties may come in any order.
 */
function expectRanking(actual: Array<{ id: string; key: number }>, expected: Array<{ id: string; key: number }>, limit: number, tolerance: number): void {
  const sorted = [...expected].sort((a, b) => b.key - a.key);
  const top = sorted.slice(0, limit);
  expect(actual.length).toBe(top.length);
  actual.forEach((a, i) => {
    expect(Math.abs(a.key - top[i]!.key)).toBeLessThanOrEqual(tolerance);
    const candidates = sorted.filter((e) => Math.abs(e.key - a.key) <= tolerance).map((e) => e.id);
    expect(candidates).toContain(a.id);
  });
  expect(new Set(actual.map((a) => a.id)).size).toBe(actual.length);
}

beforeAll(async () => {
  plan = buildDemoPlan({ seed: inject("demoSeed"), traces: inject("demoTraces"), nowMs: inject("demoNowMs") });
  window = { start_time: new Date(plan.windowStartMs - 60_000).toISOString(), end_time: new Date(plan.windowEndMs + 10 * 60_000).toISOString() };
  transport = new StdioClientTransport({
    command: process.execPath,
    args: [join(repoRoot, "dist/cli.js"), ...BACKEND_ARGS[BACKEND](), "--log-level", "warn"],
    stderr: "pipe",
    cwd: repoRoot,
  });
  transport.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  client = new Client({ name: "e2e", version: "0" });
  await client.connect(transport);
});

afterAll(async () => {
  await client?.close();
});

describe(`demo data in ${LABEL}`, () => {
  it("covers what the suite relies on", () => {
    const labels = new Set(plan.traces.flatMap((t) => t.labels));
    for (const l of ["slow_outlier", "rate_limited", "tool_error", "failed_request", "cache_tokens"] as const) expect(labels).toContain(l);
    const providers = new Set(plan.traces.flatMap((t) => llmSpans(t).map((s) => view(s)!.provider)));
    expect(providers.size).toBeGreaterThanOrEqual(3);
    // Every convention the server reads is in the data.
    expect(new Set(plan.traces.flatMap((t) => llmSpans(t).map((s) => view(s)!.convention)))).toEqual(
      new Set(["vercel_ai", "openinference", "litellm", "otel_genai", "openllmetry"]),
    );
  });
});

describe(`MCP tools over stdio against ${LABEL}`, () => {
  it("lists every tool", async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(
      [
        "aggregate_traces",
        "analyze_errors",
        "analyze_trace",
        "get_service_topology",
        "get_session",
        "list_sessions",
        "find_errors",
        "get_llm_expensive_traces",
        "get_llm_model_stats",
        "get_llm_slow_traces",
        "get_llm_usage",
        "get_trace",
        "list_llm_models",
        "list_llm_tools",
        "list_services",
        "search_spans",
        "search_traces",
      ].sort(),
    );
  });

  it("list_services includes every planned service, sorted", async () => {
    const out = await call("list_services");
    for (const s of plan.services) expect(out.services).toContain(s);
    expect(out.services).toEqual([...out.services].sort());
    expect(out.count).toBe(out.services.length);
  });

  it("search_traces by service returns every trace with a span of that service, summarised correctly", async () => {
    for (const service of plan.services) {
      const expected = tracesWithService(plan, service);
      const out = await call("search_traces", { service_name: service, ...window, limit: 1000 });
      expect(out.count, service).toBe(expected.length);
      expect(out.traces.map((t: Json) => t.trace_id).sort()).toEqual(ids(expected));
      const got = byId<Json & { trace_id: string }>(out.traces);
      for (const t of expected) {
        const s = got.get(t.traceId)!;
        const r = root(t);
        expect(s).toMatchObject({
          service_name: r.service,
          operation_name: r.name,
          start_time: isoUs(r.startUs),
          status: traceHasErrors(t) ? "ERROR" : "OK",
          span_count: t.spans.length,
          llm_span_count: llmSpans(t).length,
          total_tokens: traceTokens(t).total,
          has_errors: traceHasErrors(t),
        });
        expect(s.duration_ms).toBeCloseTo(traceDurationMs(t), 6);
      }
    }
  });

  it("search_traces with a GenAI provider filter: traces of the service with an Anthropic call in any convention", async () => {
    const service = "agent-orchestrator";
    const out = await call("search_traces", {
      service_name: service,
      ...window,
      filters: [{ field: "gen_ai.system", operator: "equals", value: "anthropic", value_type: "string" }],
    });
    // The provider is a normalised field: it matches whatever convention recorded the call.
    const expected = tracesWithService(plan, service).filter((t) => t.spans.some((s) => view(s)?.provider === "anthropic"));
    expect(out.traces.map((t: Json) => t.trace_id).sort()).toEqual(ids(expected));
  });

  it("search_spans with traceloop.span.kind = tool returns exactly the tool spans of the service", async () => {
    const filter = { field: "traceloop.span.kind", operator: "equals", value: "tool", value_type: "string" };
    for (const service of plan.services) {
      const expected = plan.traces.flatMap((t) => t.spans.filter((s) => s.service === service && s.attributes["traceloop.span.kind"] === "tool").map((s) => ({ t, s })));
      const out = await call("search_spans", { service_name: service, ...window, filters: [filter], limit: 1000 });
      expect(out.count, service).toBe(expected.length);
      expect(out.spans.map((s: Json) => s.span_id).sort()).toEqual(expected.map((e) => e.s.spanId).sort());
      const got = new Map<string, Json>(out.spans.map((s: Json) => [s.span_id, s]));
      for (const { t, s } of expected) {
        expect(got.get(s.spanId)).toMatchObject({
          trace_id: t.traceId,
          parent_span_id: s.parentSpanId,
          operation_name: s.name,
          service_name: service,
          start_time: isoUs(s.startUs),
          status: s.status.code,
          is_llm_span: false,
          gen_ai_system: null,
          total_tokens: null,
        });
        expect(got.get(s.spanId)!.duration_ms).toBeCloseTo(spanDurationMs(s), 6);
      }
    }
    const tools = plan.traces.flatMap((t) => t.spans).filter((s) => s.attributes["traceloop.span.kind"] === "tool");
    expect(tools.length).toBeGreaterThan(0);
  });

  it("search_spans finds failing LLM calls with has_error and a provider", async () => {
    const out = await call("search_spans", { service_name: "agent-orchestrator", ...window, has_error: true, gen_ai_system: "openai", limit: 1000 });
    const expected = plan.traces.flatMap((t) =>
      t.spans.filter((s) => s.service === "agent-orchestrator" && s.status.code === "ERROR" && s.attributes["gen_ai.system"] === "openai"),
    );
    expect(expected.length).toBeGreaterThan(0);
    expect(out.spans.map((s: Json) => s.span_id).sort()).toEqual(expected.map((s) => s.spanId).sort());
    for (const s of out.spans) expect(s).toMatchObject({ is_llm_span: true, gen_ai_system: "openai", total_tokens: null, status: "ERROR" });
  });

  it("get_trace returns the full tree with parsed LLM attributes and an llm_summary", async () => {
    const t =
      plan.traces.find((x) => x.labels.includes("rate_limited") && x.labels.includes("tool_error")) ??
      plan.traces.find((x) => x.labels.includes("rate_limited"))!;
    const out = await call("get_trace", { trace_id: t.traceId });
    const r = root(t);
    expect(out).toMatchObject({
      trace_id: t.traceId,
      service_name: r.service,
      root_operation: r.name,
      start_time: isoUs(r.startUs),
      status: "ERROR",
      span_count: t.spans.length,
      has_errors: true,
    });
    expect(out.duration_ms).toBeCloseTo(traceDurationMs(t), 6);
    const got = new Map<string, Json>(out.spans.map((s: Json) => [s.span_id, s]));
    expect([...got.keys()].sort()).toEqual(t.spans.map((s) => s.spanId).sort());
    for (const s of t.spans) {
      const g = got.get(s.spanId)!;
      expect(g).toMatchObject({ parent_span_id: s.parentSpanId, operation_name: s.name, service_name: s.service, start_time: isoUs(s.startUs), status: s.status.code });
      expect(g.duration_ms).toBeCloseTo(spanDurationMs(s), 6);
      for (const key of ["http.response.status_code", "traceloop.span.kind", "gen_ai.request.model", "error.type", "db.system"]) {
        if (s.attributes[key] !== undefined) expect(g.attributes[key], `${s.name} ${key}`).toEqual(s.attributes[key]);
      }
      if (isLlm(s)) {
        const v = view(s)!;
        const llm = g.llm_attributes;
        expect(llm.convention, s.name).toBe(v.convention);
        expect(llm.system).toBe(v.provider);
        expect(llm.request_model).toBe(v.request);
        expect(llm.response_model).toBe(v.response);
        expect(llm.is_streaming).toBe(v.streaming);
        expect(llm.temperature).toBe(v.temperature);
        expect(llm.max_tokens).toBe(v.maxTokens);
        expect(llm.finish_reasons).toEqual(v.finish);
        expect(llm.prompt_tokens).toBe(v.prompt || undefined);
        expect(llm.completion_tokens).toBe(v.completion || undefined);
        expect(llm.total_tokens).toBe(v.total || undefined);
        expect(llm.cache_read_tokens).toBe(v.cacheRead || undefined);
        expect(llm.cache_write_tokens).toBe(v.cacheWrite || undefined);
        expect(llm.reasoning_tokens).toBe(v.reasoning || undefined);
      } else {
        expect(g.llm_attributes).toBeUndefined();
      }
    }
    expect(out.llm_summary).toEqual({
      llm_span_count: llmSpans(t).length,
      total_tokens: traceTokens(t).total,
      models_used: [...new Set(llmSpans(t).map(requestFirstModel).filter((m): m is string => !!m))].sort(),
    });
    const missing = await callError("get_trace", { trace_id: "0123456789abcdef0123456789abcdef" });
    expect(missing).toMatch(/^Failed to fetch trace: /);
  });

  it("get_llm_usage per service: totals, by model (answering model first) and by service", async () => {
    for (const service of plan.services) {
      const expected = usage(tracesWithService(plan, service));
      const out = await call("get_llm_usage", { service_name: service, ...window });
      // Tokens here; dollars are checked against known prices in the unit suite.
      expect(out.summary, service).toMatchObject({
        total_requests: expected.summary.requests,
        total_prompt_tokens: expected.summary.prompt_tokens,
        total_completion_tokens: expected.summary.completion_tokens,
        total_tokens: expected.summary.total_tokens,
        total_cache_read_tokens: expected.summary.cache_read_tokens,
        total_cache_write_tokens: expected.summary.cache_write_tokens,
        total_reasoning_tokens: expected.summary.reasoning_tokens,
      });
      expect(out.by_model, service).toMatchObject(expected.byModel);
      expect(Object.keys(out.by_model).sort(), service).toEqual(Object.keys(expected.byModel).sort());
      expect(out.by_service, service).toMatchObject(expected.byService);
      expect(Object.keys(out.by_service).sort(), service).toEqual(Object.keys(expected.byService).sort());
      for (const row of Object.values(out.by_model) as Array<{ cost_usd: number | null }>) expect(row.cost_usd === null || row.cost_usd >= 0).toBe(true);
      expect(out.filters).toEqual({ service_name: service, gen_ai_system: null, gen_ai_request_model: null, gen_ai_response_model: null });
    }
  });

  it("get_llm_usage with a provider counts only that provider's calls", async () => {
    // Traces of the service with an Anthropic call (the provider filter is normalised, so any convention counts);
    // the tool then counts every Anthropic call in them (OpenLLMetry, OTel GenAI, the AI SDK in the gateway).
    const traces = tracesWithService(plan, "agent-orchestrator").filter((t) => t.spans.some((s) => view(s)?.provider === "anthropic"));
    const calls = traces.flatMap(llmSpans).filter((s) => view(s)!.provider === "anthropic");
    expect(new Set(calls.map((s) => view(s)!.convention)).size).toBeGreaterThan(1);
    const out = await call("get_llm_usage", { service_name: "agent-orchestrator", gen_ai_system: "anthropic", ...window });
    expect(out.summary.total_requests).toBe(calls.length);
    expect(out.summary.total_tokens).toBe(calls.reduce((n, s) => n + spanTokens(s).total, 0));
    expect(Object.keys(out.by_model).sort()).toEqual([...new Set(calls.map(responseFirstModel))].sort());
  });

  it("list_llm_models per service: models, providers, request counts, first/last seen", async () => {
    const allModels = new Map<string, string>();
    for (const service of plan.services) {
      const traces = tracesWithService(plan, service);
      const expected = modelCounts(traces);
      const out = await call("list_llm_models", { service_name: service, ...window });
      expect(out.count, service).toBe(expected.size);
      const counts = out.models.map((m: Json) => m.request_count);
      expect(counts).toEqual([...counts].sort((a: number, b: number) => b - a));
      for (const m of out.models) {
        const e = expected.get(m.model);
        expect(e, `${service} ${m.model}`).toBeDefined();
        expect(m.provider).toBe(e!.provider);
        expect(m.request_count).toBe(e!.requests);
        const starts = traces.flatMap(llmSpans).filter((s) => responseFirstModel(s) === m.model).map((s) => s.startUs);
        expect(m.first_seen).toBe(isoUs(Math.min(...starts)));
        expect(m.last_seen).toBe(isoUs(Math.max(...starts)));
        allModels.set(m.model, m.provider);
      }
    }
    expect(new Set(allModels.values()).size).toBeGreaterThanOrEqual(3);
    expect(allModels.size).toBeGreaterThanOrEqual(4);
  });

  it("get_llm_model_stats: counts, rates, duration and token percentiles, finish reasons", async () => {
    const traces = tracesWithService(plan, "agent-orchestrator");
    // 'gpt-4o' also matches rate-limited calls (no response model); the dated name only the answers.
    for (const model of ["gpt-4o", "claude-3-5-sonnet-20241022", "gpt-4o-2024-08-06"]) {
      const expected = modelStats(traces, model);
      expect(expected.request_count).toBeGreaterThan(0);
      const out = await call("get_llm_model_stats", { model_name: model, service_name: "agent-orchestrator", ...window });
      expect(out).toMatchObject({
        model,
        request_count: expected.request_count,
        success_count: expected.success_count,
        error_count: expected.error_count,
        success_rate: expected.success_rate,
        error_rate: expected.error_rate,
        finish_reasons: expected.finish_reasons,
      });
      for (const key of ["mean", "median", "p50", "p95", "p99"] as const) {
        // Answers round floats to 3 decimals.
        expect(out.duration_ms[key], `${model} duration ${key}`).toBeCloseTo(expected.duration_ms[key], 2);
        for (const kind of ["prompt", "completion", "total"] as const) {
          expect(out.tokens[kind][key], `${model} ${kind} ${key}`).toBeCloseTo(expected.tokens[kind][key], 2);
        }
      }
    }
    expect(modelStats(traces, "gpt-4o").error_count).toBeGreaterThan(0);
    const none = await callError("get_llm_model_stats", { model_name: "no-such-model", service_name: "agent-orchestrator", ...window });
    expect(none).toContain("No traces found for model 'no-such-model'");
  });

  it("get_llm_expensive_traces: ordered by total tokens, with a min_tokens threshold", async () => {
    for (const service of plan.services) {
      const traces = tracesWithService(plan, service);
      const all = traces.map((t) => ({ t, k: traceTokens(t) })).filter((x) => x.k.total > 0);
      const totals = all.map((x) => x.k.total).sort((a, b) => a - b);
      const threshold = totals[Math.floor(totals.length / 2)]!;
      for (const args of [{ limit: 10 }, { limit: 10, min_tokens: threshold }]) {
        const out = await call("get_llm_expensive_traces", { service_name: service, ...window, ...args });
        const eligible = all.filter((x) => !args.min_tokens || x.k.total >= args.min_tokens);
        expectRanking(
          out.traces.map((x: Json) => ({ id: x.trace_id, key: x.tokens.total })),
          eligible.map((x) => ({ id: x.t.traceId, key: x.k.total })),
          args.limit,
          0,
        );
        expect(out.count).toBe(Math.min(args.limit, eligible.length));
        for (const x of out.traces) {
          const e = all.find((a) => a.t.traceId === x.trace_id)!;
          expect(x.tokens).toEqual(e.k);
          expect(x.models).toEqual(sortedModels(e.t).filter((m) => m !== "unknown"));
          expect(x.has_errors).toBe(traceHasErrors(e.t));
          // Rounded to 2 decimals; ties at .xx5 may go either way (the server rounds half to even).
          expect(Math.abs(x.duration_ms - traceDurationMs(e.t))).toBeLessThanOrEqual(0.005 + 1e-9);
        }
      }
    }
  });

  it("get_llm_slow_traces: ordered by duration, slow outliers first", async () => {
    for (const service of plan.services) {
      const traces = tracesWithService(plan, service).filter((t) => llmSpans(t).length > 0);
      const out = await call("get_llm_slow_traces", { service_name: service, ...window, limit: 10 });
      expectRanking(
        out.traces.map((x: Json) => ({ id: x.trace_id, key: x.duration_ms })),
        traces.map((t) => ({ id: t.traceId, key: round2(traceDurationMs(t)) })),
        10,
        0.011,
      );
      const outliers = traces.filter((t) => t.labels.includes("slow_outlier"));
      expect(out.traces.slice(0, outliers.length).map((x: Json) => x.trace_id).sort(), service).toEqual(ids(outliers));
      for (const x of out.traces) {
        const t = traces.find((y) => y.traceId === x.trace_id)!;
        expect(x).toMatchObject({ total_tokens: traceTokens(t).total, llm_span_count: llmSpans(t).length, models: sortedModels(t), has_errors: traceHasErrors(t) });
        expect(Math.abs(x.duration_ms - traceDurationMs(t))).toBeLessThanOrEqual(0.005 + 1e-9);
      }
    }
    const outliers = plan.traces.filter((t) => t.labels.includes("slow_outlier"));
    expect(outliers.length).toBeGreaterThanOrEqual(2);
  });

  it("find_errors: failing traces among those of the service, each error span's message, type and LLM details", async () => {
    let rateLimits = 0;
    for (const service of plan.services) {
      const expected = errorTracesOfService(plan, service);
      const out = await call("find_errors", { service_name: service, ...window, limit: 1000 });
      expect(out.count, service).toBe(expected.length);
      expect(out.error_traces.map((t: Json) => t.trace_id).sort()).toEqual(ids(expected));
      const got = byId<Json & { trace_id: string }>(out.error_traces);
      for (const t of expected) {
        const g = got.get(t.traceId)!;
        expect(g).toMatchObject({ has_errors: true, status: "ERROR", span_count: t.spans.length, total_tokens: traceTokens(t).total });
        const want = errorSpans(t);
        expect([...g.error_spans].sort((a: Json, b: Json) => a.span_id.localeCompare(b.span_id))).toEqual(
          [...want].sort((a, b) => a.span_id.localeCompare(b.span_id)),
        );
        rateLimits += want.filter((w) => w.error_type === "RateLimitError" && w.is_llm_error).length;
      }
    }
    expect(rateLimits).toBeGreaterThan(0);
  });

  it("list_llm_tools: tool names and usage counts per service", async () => {
    const toolSpans = (service: string): DemoSpan[] => plan.traces.flatMap((t) => t.spans.filter((s) => s.service === service));
    for (const service of plan.services) {
      const expected = toolUsage(toolSpans(service));
      const out = await call("list_llm_tools", { service_name: service, ...window });
      if (expected.size === 0) {
        expect(out, service).toMatchObject({ count: 0, tools: [], message: "No LLM tool spans found matching the criteria" });
        continue;
      }
      expect(out.count).toBe(expected.size);
      expect(out.total_calls).toBe([...expected.values()].reduce((a, b) => a + b, 0));
      expect(Object.fromEntries(out.tools.map((x: Json) => [x.tool_name, x.usage_count]))).toEqual(Object.fromEntries(expected));
      const counts = out.tools.map((x: Json) => x.usage_count);
      expect(counts).toEqual([...counts].sort((a: number, b: number) => b - a));
      for (const x of out.tools) {
        expect(x.services).toEqual([service]);
        const starts = toolSpans(service).filter((s) => toolName(s) === x.tool_name).map((s) => s.startUs);
        expect(x.first_seen).toBe(isoUs(Math.min(...starts)));
        expect(x.last_seen).toBe(isoUs(Math.max(...starts)));
      }
    }
  });

  it("without service_name, every service is searched and merged: each planned trace once, newest first", async () => {
    const out = await call("search_traces", { ...window, limit: 1000 });
    expect(out.traces.map((t: Json) => t.trace_id).sort()).toEqual(ids(plan.traces));
    const starts = out.traces.map((t: Json) => t.start_time as string);
    expect(starts).toEqual([...starts].sort().reverse());
    // Jaeger needs a service per search, so the server fans out and says so; the local store searches everything at once.
    if (BACKEND === "jaeger") expect(out.notes.join(" ")).toMatch(/No service_name given: searched each of the \d+ services/);
  });

  it("get_llm_expensive_traces over the whole window (more traces than limit x 10), no service_name", async () => {
    const limit = 5;
    expect(plan.traces.length).toBeGreaterThan(limit * 10);
    const out = await call("get_llm_expensive_traces", { ...window, limit });
    const all = plan.traces.map((t) => ({ id: t.traceId, key: traceTokens(t).total })).filter((x) => x.key > 0);
    expectRanking(out.traces.map((x: Json) => ({ id: x.trace_id, key: x.tokens.total })), all, limit, 0);
    expect(out.coverage).toMatchObject({ complete: true, traces: plan.traces.length });
  });

  it("get_llm_usage with no service counts every LLM call once", async () => {
    const out = await call("get_llm_usage", { ...window });
    const calls = plan.traces.flatMap((t) => llmSpans(t));
    expect(out.summary.total_requests).toBe(calls.length);
  });
});
