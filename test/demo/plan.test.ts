import { describe, expect, it } from "vitest";
import { buildDemoPlan, DEMO_SERVICES, DEMO_SPREAD_MS } from "../../src/demo/index.js";
import type { DemoPlan, DemoSpan, DemoTrace } from "../../src/demo/types.js";

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const plan = buildDemoPlan({ seed: 42, traces: 60, nowMs: NOW });
const allSpans = (p: DemoPlan): DemoSpan[] => p.traces.flatMap((t) => t.spans);
/** OpenLLMetry calls: gen_ai.system with llm.request.type (LiteLLM spans also carry both, plus hidden_params). */
const llm = (s: DemoSpan) =>
  typeof s.attributes["gen_ai.system"] === "string" && s.attributes["llm.request.type"] !== undefined && s.attributes["hidden_params"] === undefined;
/** The raw provider of a span in any convention (no normalisation: the plan's own values). */
const rawProvider = (s: DemoSpan): unknown =>
  s.attributes["gen_ai.provider.name"] ?? s.attributes["gen_ai.system"] ?? s.attributes["llm.system"] ?? s.attributes["ai.model.provider"];
const duration = (t: DemoTrace) => Math.max(...t.spans.map((s) => s.endUs)) - Math.min(...t.spans.map((s) => s.startUs));

describe("buildDemoPlan determinism", () => {
  it("gives the same plan for the same seed, count and clock", () => {
    expect(buildDemoPlan({ seed: 42, traces: 60, nowMs: NOW })).toEqual(plan);
  });

  it("only shifts times when the clock moves", () => {
    const delta = 3_600_000;
    const later = buildDemoPlan({ seed: 42, traces: 60, nowMs: NOW + delta });
    const shift = (p: DemoPlan) =>
      p.traces.map((t) => ({
        ...t,
        spans: t.spans.map((s) => ({ ...s, startUs: s.startUs - p.nowMs * 1000, endUs: s.endUs - p.nowMs * 1000, events: s.events.map((e) => ({ ...e, timeUs: e.timeUs - p.nowMs * 1000 })) })),
      }));
    expect(shift(later)).toEqual(shift(plan));
    expect(later.traces[0]!.spans[0]!.startUs).toBe(plan.traces[0]!.spans[0]!.startUs + delta * 1000);
  });

  it("gives different data for a different seed", () => {
    const other = buildDemoPlan({ seed: 43, traces: 60, nowMs: NOW });
    expect(other.traces.map((t) => t.traceId)).not.toEqual(plan.traces.map((t) => t.traceId));
    expect(allSpans(other).length).not.toBe(allSpans(plan).length);
  });
});

describe("buildDemoPlan structure", () => {
  it("has the requested number of traces, valid unique ids and one workflow root each", () => {
    expect(plan.traces).toHaveLength(60);
    expect(plan.services).toEqual([...DEMO_SERVICES]);
    const traceIds = plan.traces.map((t) => t.traceId);
    expect(new Set(traceIds).size).toBe(60);
    for (const id of traceIds) expect(id).toMatch(/^[0-9a-f]{32}$/);
    const spanIds = allSpans(plan).map((s) => s.spanId);
    expect(new Set(spanIds).size).toBe(spanIds.length);
    for (const id of spanIds) expect(id).toMatch(/^[0-9a-f]{16}$/);
    for (const t of plan.traces) {
      const roots = t.spans.filter((s) => s.parentSpanId === null);
      expect(roots).toHaveLength(1);
      expect(t.spans[0]).toBe(roots[0]);
      expect(roots[0]!.attributes["traceloop.span.kind"]).toBe("workflow");
      expect(t.workflow).toBe(roots[0]!.attributes["traceloop.workflow.name"]);
    }
  });

  it("nests every child inside its parent in time, within the window before now", () => {
    for (const t of plan.traces) {
      const byId = new Map(t.spans.map((s) => [s.spanId, s]));
      for (const s of t.spans) {
        expect(s.endUs).toBeGreaterThan(s.startUs);
        expect(Number.isInteger(s.startUs) && Number.isInteger(s.endUs)).toBe(true);
        expect(s.startUs).toBeGreaterThanOrEqual(plan.windowStartMs * 1000);
        expect(s.endUs).toBeLessThanOrEqual(plan.windowEndMs * 1000);
        if (s.parentSpanId === null) continue;
        const parent = byId.get(s.parentSpanId);
        expect(parent, `${s.name} parent`).toBeDefined();
        expect(s.startUs).toBeGreaterThanOrEqual(parent!.startUs);
        expect(s.endUs).toBeLessThanOrEqual(parent!.endUs);
      }
    }
    expect(plan.windowEndMs - plan.windowStartMs).toBe(DEMO_SPREAD_MS);
  });

  it("uses every service, with HTTP client/server pairs and database spans", () => {
    const spans = allSpans(plan);
    expect(new Set(spans.map((s) => s.service))).toEqual(new Set(DEMO_SERVICES));
    const http = spans.filter((s) => typeof s.attributes["http.request.method"] === "string");
    expect(http.some((s) => s.kind === "server" && typeof s.attributes["http.route"] === "string")).toBe(true);
    expect(http.some((s) => s.kind === "client" && typeof s.attributes["url.full"] === "string")).toBe(true);
    for (const s of http) expect(typeof s.attributes["http.response.status_code"]).toBe("number");
    const db = spans.filter((s) => s.attributes["db.system"] === "postgresql");
    expect(db.length).toBeGreaterThan(0);
    for (const s of db) expect(s.attributes["db.query.text"]).toMatch(/^(SELECT|INSERT)/);
  });
});

describe("buildDemoPlan LLM content", () => {
  const calls = allSpans(plan).filter(llm);

  it("covers at least 3 providers and 4 models with OpenLLMetry attributes", () => {
    expect(new Set(calls.map((s) => s.attributes["gen_ai.system"])).size).toBeGreaterThanOrEqual(3);
    expect(new Set(calls.map((s) => s.attributes["gen_ai.request.model"])).size).toBeGreaterThanOrEqual(4);
    for (const s of calls) {
      expect(typeof s.attributes["gen_ai.request.model"]).toBe("string");
      expect(["chat", "embeddings"]).toContain(s.attributes["gen_ai.operation.name"]);
      if (s.attributes["gen_ai.operation.name"] !== "chat") continue;
      expect(typeof s.attributes["gen_ai.request.is_streaming"]).toBe("boolean");
      // A whole-number temperature would be sent as an OTLP intValue.
      expect(Number.isInteger(s.attributes["gen_ai.request.temperature"])).toBe(false);
      expect(Number.isInteger(s.attributes["gen_ai.request.max_tokens"])).toBe(true);
      expect(typeof s.attributes["gen_ai.prompt.1.content"]).toBe("string");
    }
    const streamed = calls.filter((s) => s.attributes["gen_ai.request.is_streaming"] === true);
    expect(streamed.length).toBeGreaterThan(0);
  });

  it("reports usage in every shape the token rules handle", () => {
    const ok = calls.filter((s) => s.status.code !== "ERROR");
    const has = (s: DemoSpan, k: string) => s.attributes[`gen_ai.usage.${k}`] !== undefined;
    expect(ok.filter((s) => has(s, "total_tokens")).length).toBeGreaterThan(ok.length / 2);
    expect(ok.some((s) => !has(s, "total_tokens") && has(s, "cache_read_input_tokens"))).toBe(true);
    expect(ok.some((s) => !has(s, "total_tokens") && has(s, "input_tokens") && !has(s, "prompt_tokens"))).toBe(true);
    expect(ok.some((s) => !has(s, "total_tokens") && has(s, "input_tokens") && has(s, "prompt_tokens"))).toBe(true);
    expect(calls.some((s) => s.attributes["gen_ai.system"] === "anthropic" && has(s, "cache_creation_input_tokens"))).toBe(true);
    for (const s of ok) {
      for (const [k, v] of Object.entries(s.attributes)) if (k.startsWith("gen_ai.usage.")) expect(Number.isInteger(v), k).toBe(true);
      const total = s.attributes["gen_ai.usage.total_tokens"];
      const prompt = s.attributes["gen_ai.usage.prompt_tokens"] ?? s.attributes["gen_ai.usage.input_tokens"];
      const completion = s.attributes["gen_ai.usage.completion_tokens"] ?? s.attributes["gen_ai.usage.output_tokens"] ?? 0;
      if (total !== undefined && s.attributes["gen_ai.operation.name"] === "chat") expect(total).toBe(Number(prompt) + Number(completion));
    }
    // Dated snapshots as the answering model, and a provider that does not echo one.
    expect(ok.some((s) => s.attributes["gen_ai.response.model"] === "gpt-4o-2024-08-06")).toBe(true);
    expect(ok.some((s) => s.attributes["gen_ai.system"] === "cohere" && s.attributes["gen_ai.response.model"] === undefined)).toBe(true);
    for (const s of ok.filter((x) => x.attributes["gen_ai.operation.name"] === "chat")) {
      const fr = s.attributes["gen_ai.response.finish_reasons"];
      expect(Array.isArray(fr) && fr.every((x) => typeof x === "string")).toBe(true);
    }
  });

  it("has tool spans named <tool>.tool with traceloop attributes, in tool-runner", () => {
    const tools = allSpans(plan).filter((s) => s.attributes["traceloop.span.kind"] === "tool");
    expect(new Set(tools.map((s) => s.name)).size).toBeGreaterThanOrEqual(4);
    for (const s of tools) {
      expect(s.name).toBe(`${String(s.attributes["traceloop.entity.name"])}.tool`);
      expect(s.service).toBe("tool-runner");
    }
  });
});

describe("buildDemoPlan errors and outliers", () => {
  it("records errors the OpenTelemetry way: status, exception event and error.type", () => {
    const failed = allSpans(plan).filter((s) => s.events.some((e) => e.name === "exception"));
    expect(failed.length).toBeGreaterThan(0);
    for (const s of failed) {
      expect(s.status.code).toBe("ERROR");
      const e = s.events.find((x) => x.name === "exception")!;
      expect(e.attributes["exception.type"]).toBe(s.attributes["error.type"]);
      expect(typeof e.attributes["exception.message"]).toBe("string");
      expect(String(e.attributes["exception.stacktrace"])).toContain(String(e.attributes["exception.message"]));
      expect(e.timeUs).toBeGreaterThanOrEqual(s.startUs);
      expect(e.timeUs).toBeLessThanOrEqual(s.endUs);
    }
    for (const s of allSpans(plan).filter((x) => x.status.code === "ERROR")) expect(typeof s.attributes["error.type"]).toBe("string");
  });

  it("includes rate-limited LLM calls (429, RateLimitError, no usage) and failed requests", () => {
    const limited = allSpans(plan).filter((s) => llm(s) && s.attributes["error.type"] === "RateLimitError");
    expect(limited.length).toBeGreaterThanOrEqual(3);
    for (const s of limited) {
      expect(s.attributes["http.response.status_code"]).toBe(429);
      expect(Object.keys(s.attributes).some((k) => k.startsWith("gen_ai.usage."))).toBe(false);
      expect(s.attributes["gen_ai.response.model"]).toBeUndefined();
    }
    expect(plan.traces.filter((t) => t.labels.includes("failed_request")).every((t) => t.spans[0]!.status.code === "ERROR")).toBe(true);
    for (const label of ["rate_limited", "tool_error", "db_error", "failed_request", "cache_tokens"] as const) {
      expect(plan.traces.some((t) => t.labels.includes(label)), label).toBe(true);
    }
  });

  it("makes slow outliers (>= 10x a normal call) slower than every other trace", () => {
    const outliers = plan.traces.filter((t) => t.labels.includes("slow_outlier"));
    const normal = plan.traces.filter((t) => !t.labels.includes("slow_outlier"));
    expect(outliers.length).toBeGreaterThanOrEqual(3);
    const slowestNormal = Math.max(...normal.map(duration));
    for (const t of outliers) expect(duration(t)).toBeGreaterThan(slowestNormal);
  });

  it("keeps the guarantees for other seeds and small plans", () => {
    for (const seed of [1, 7, 99, 2024]) {
      const p = buildDemoPlan({ seed, traces: 25, nowMs: NOW });
      const providers = new Set(allSpans(p).map(rawProvider).filter((v) => v !== undefined));
      expect(providers.size).toBeGreaterThanOrEqual(3);
      expect(p.traces.some((t) => t.labels.includes("rate_limited"))).toBe(true);
      expect(p.traces.some((t) => t.labels.includes("slow_outlier"))).toBe(true);
      for (const s of allSpans(p)) expect(s.endUs).toBeLessThanOrEqual(p.windowEndMs * 1000);
    }
    const one = buildDemoPlan({ seed: 5, traces: 1, nowMs: NOW });
    expect(one.traces).toHaveLength(1);
    expect(one.traces[0]!.spans[0]!.service).toBe("chat-gateway");
  });
});

const kindOf = (s: DemoSpan) => s.attributes["openinference.span.kind"];
const num = (s: DemoSpan, k: string): number => Number(s.attributes[k] ?? 0);

describe("buildDemoPlan GenAI conventions", () => {
  const spans = allSpans(plan);
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const children = (s: DemoSpan) => spans.filter((c) => c.parentSpanId === s.spanId);

  it("AI SDK: each wrapper has exactly one provider-call child repeating its usage", () => {
    const wrappers = spans.filter((s) => s.attributes["ai.operationId"] === "ai.generateText" || s.attributes["ai.operationId"] === "ai.streamText");
    expect(wrappers.length).toBeGreaterThan(0);
    expect(wrappers.some((w) => w.attributes["ai.operationId"] === "ai.streamText")).toBe(true);
    for (const w of wrappers) {
      const calls = children(w).filter((c) => String(c.attributes["ai.operationId"]).startsWith(`${String(w.attributes["ai.operationId"])}.do`));
      expect(calls).toHaveLength(1);
      const c = calls[0]!;
      expect(c.attributes["gen_ai.system"]).toBe(w.attributes["ai.model.provider"]);
      expect(w.service).toBe("chat-gateway");
      for (const k of Object.keys(c.attributes).filter((x) => x.startsWith("ai.usage."))) expect(w.attributes[k], k).toBe(c.attributes[k]);
    }
    // AI SDK 5 with Anthropic: inputTokens without the cache reads, which come separately.
    expect(spans.some((s) => s.attributes["ai.model.provider"] === "anthropic.messages" && num(s, "ai.usage.cachedInputTokens") > 0)).toBe(true);
  });

  it("OTel GenAI current names: input includes cache reads and writes, output includes reasoning, JSON messages", () => {
    const calls = spans.filter((s) => s.attributes["gen_ai.provider.name"] !== undefined && s.attributes["gen_ai.operation.name"] === "chat");
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.some((s) => num(s, "gen_ai.usage.cache_write.input_tokens") > 0)).toBe(true);
    expect(calls.some((s) => num(s, "gen_ai.usage.reasoning.output_tokens") > 0)).toBe(true);
    for (const s of calls) {
      expect(num(s, "gen_ai.usage.input_tokens")).toBeGreaterThan(num(s, "gen_ai.usage.cache_read.input_tokens") + num(s, "gen_ai.usage.cache_write.input_tokens"));
      expect(num(s, "gen_ai.usage.output_tokens")).toBeGreaterThan(num(s, "gen_ai.usage.reasoning.output_tokens"));
      const input = JSON.parse(String(s.attributes["gen_ai.input.messages"])) as Array<{ parts: unknown[] }>;
      const output = JSON.parse(String(s.attributes["gen_ai.output.messages"])) as Array<{ parts: unknown[] }>;
      expect(input[0]!.parts.length).toBeGreaterThan(0);
      expect(output[0]!.parts.length).toBeGreaterThan(0);
    }
    // The invoke_agent span carries the sum of its chat calls' usage (and must not be counted again).
    const agents = spans.filter((s) => s.attributes["gen_ai.operation.name"] === "invoke_agent");
    expect(agents.length).toBeGreaterThan(0);
    for (const a of agents) {
      const mine = children(a).filter((c) => c.attributes["gen_ai.operation.name"] === "chat");
      expect(num(a, "gen_ai.usage.input_tokens")).toBe(mine.reduce((n, c) => n + num(c, "gen_ai.usage.input_tokens"), 0));
      expect(num(a, "gen_ai.usage.output_tokens")).toBe(mine.reduce((n, c) => n + num(c, "gen_ai.usage.output_tokens"), 0));
    }
    const tools = spans.filter((s) => s.attributes["gen_ai.operation.name"] === "execute_tool");
    expect(tools.length).toBeGreaterThan(0);
    for (const t of tools) expect(t.name).toBe(`execute_tool ${String(t.attributes["gen_ai.tool.name"])}`);
  });

  it("older OTel names (Strands style): both spellings equal, per-message events", () => {
    const calls = spans.filter((s) => s.attributes["gen_ai.system"] !== undefined && s.attributes["llm.request.type"] === undefined && s.attributes["ai.operationId"] === undefined);
    expect(calls.length).toBeGreaterThan(0);
    for (const s of calls) {
      expect(s.attributes["gen_ai.usage.prompt_tokens"]).toBe(s.attributes["gen_ai.usage.input_tokens"]);
      expect(s.attributes["gen_ai.usage.completion_tokens"]).toBe(s.attributes["gen_ai.usage.output_tokens"]);
      expect(s.events.map((e) => e.name)).toEqual(["gen_ai.system.message", "gen_ai.user.message", "gen_ai.choice"]);
    }
  });

  it("OpenInference: LLM, EMBEDDING, RETRIEVER and CHAIN spans; total = prompt + completion", () => {
    expect(new Set(spans.map(kindOf).filter(Boolean))).toEqual(new Set(["LLM", "EMBEDDING", "RETRIEVER", "CHAIN"]));
    for (const s of spans.filter((x) => kindOf(x) === "LLM")) {
      expect(num(s, "llm.token_count.total")).toBe(num(s, "llm.token_count.prompt") + num(s, "llm.token_count.completion"));
      expect(num(s, "llm.token_count.prompt")).toBeGreaterThan(num(s, "llm.token_count.prompt_details.cache_read"));
    }
  });

  it("LiteLLM: litellm_request spans with a raw_gen_ai_request child that carries no gen_ai.* keys", () => {
    const calls = spans.filter((s) => s.name === "litellm_request");
    expect(calls.length).toBeGreaterThan(0);
    for (const c of calls) {
      expect(typeof c.attributes.hidden_params).toBe("string");
      const [raw] = children(c);
      expect(raw!.name).toBe("raw_gen_ai_request");
      expect(Object.keys(raw!.attributes).some((k) => k.startsWith("gen_ai."))).toBe(false);
    }
  });

  it("every convention appears in small plans too", () => {
    for (const seed of [1, 7, 99, 2024]) {
      const ss = allSpans(buildDemoPlan({ seed, traces: 25, nowMs: NOW }));
      expect(ss.some((s) => String(s.attributes["ai.operationId"]).endsWith(".doGenerate") || String(s.attributes["ai.operationId"]).endsWith(".doStream")), `${seed} ai sdk`).toBe(true);
      expect(ss.some((s) => kindOf(s) === "LLM"), `${seed} openinference`).toBe(true);
      expect(ss.some((s) => s.name === "litellm_request"), `${seed} litellm`).toBe(true);
      expect(ss.some((s) => s.attributes["gen_ai.provider.name"] !== undefined && s.attributes["gen_ai.operation.name"] === "chat"), `${seed} otel`).toBe(true);
      expect(ss.some(llm), `${seed} openllmetry`).toBe(true);
    }
  });

  it("sessions: every support chat has one, shared over several traces, users on a subset, in each convention's keys", () => {
    const support = plan.traces.filter((t) => t.workflow === "customer_support_chat");
    const sessionOf = (t: DemoTrace) => t.spans[0]!.attributes["session.id"];
    expect(support.every((t) => typeof sessionOf(t) === "string")).toBe(true);
    const counts = new Map<unknown, number>();
    for (const t of support) counts.set(sessionOf(t), (counts.get(sessionOf(t)) ?? 0) + 1);
    expect([...counts.values()].some((n) => n >= 2)).toBe(true);
    const withUser = support.filter((t) => t.spans[0]!.attributes["user.id"] !== undefined);
    expect(withUser.length).toBeGreaterThan(0);
    expect(withUser.length).toBeLessThan(support.length);
    for (const t of support) {
      const id = sessionOf(t);
      for (const s of t.spans) {
        if (s.attributes["ai.operationId"] !== undefined) expect(s.attributes["ai.telemetry.metadata.sessionId"]).toBe(id);
        if (s.name === "support_agent.agent") expect(s.attributes["traceloop.association.properties.session_id"]).toBe(id);
      }
    }
    const research = plan.traces.filter((t) => t.workflow === "research_report");
    const conv = research.filter((t) => t.spans.some((s) => s.attributes["gen_ai.conversation.id"] !== undefined));
    expect(conv.length).toBeGreaterThan(0);
    expect(conv.length).toBeLessThan(research.length);
    expect(byId.size).toBe(spans.length);
  });
});
