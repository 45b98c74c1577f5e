/**
 * One trace whose LLM calls five instrumentations recorded (AI SDK, OpenInference, OpenLLMetry, OTel
 * GenAI, LiteLLM), with wrappers, chains, agents and tool spans around them, through the real MCP
 * tools: each call is counted once, tokens add up across conventions (cache and reasoning included),
 * get_trace names each call's convention, tool spans of every convention are listed, and sessions
 * recorded by different conventions group together. Answers are counted by hand (mixed-trace.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isLlmSpan, llmSpans, traceTotalTokens } from "../../src/genai/llm-span.js";
import { sessionIdOf, traceSessionId, traceUserId } from "../../src/genai/sessions.js";
import { MIXED_EXPECTED, MIXED_TRACE, MIXED_TRACE_ID, sessionTraces } from "../fixtures/genai/mixed-trace.js";
import { MemoryBackend } from "../helpers/memory-backend.js";
import { connect, type Connected } from "../helpers/mcp.js";

const NOW = Math.floor(MIXED_TRACE.startTimeUs / 1000) + 3_600_000;
const WINDOW = { start_time: new Date(NOW - 2 * 3_600_000).toISOString(), end_time: new Date(NOW).toISOString() };

describe("a trace mixing five conventions", () => {
  let mcp: Connected;
  beforeAll(async () => {
    mcp = await connect({ backendFactory: async () => new MemoryBackend([MIXED_TRACE]), now: () => NOW });
  });
  afterAll(() => mcp.close());

  it("counts each LLM call once, whatever recorded it", () => {
    expect(MIXED_TRACE.spans).toHaveLength(MIXED_EXPECTED.spanCount);
    expect(llmSpans(MIXED_TRACE).map((s) => s.spanId)).toEqual(MIXED_EXPECTED.llmCallSpanIds);
    expect(traceTotalTokens(MIXED_TRACE)).toBe(MIXED_EXPECTED.totalTokens);
  });

  it("get_trace: llm_attributes on the calls only, each naming its convention; llm_summary counts calls", async () => {
    const r = await mcp.call("get_trace", { trace_id: MIXED_TRACE_ID });
    expect(r.isError).toBe(false);
    const spans = r.json.spans as Array<{ span_id: string; llm_attributes?: { convention: string } }>;
    const withLlm = spans.filter((s) => s.llm_attributes);
    expect(Object.fromEntries(withLlm.map((s) => [s.span_id, s.llm_attributes!.convention]))).toEqual(MIXED_EXPECTED.conventions);
    expect(r.json.llm_summary).toEqual({
      llm_span_count: MIXED_EXPECTED.llmCallSpanIds.length,
      total_tokens: MIXED_EXPECTED.totalTokens,
      models_used: MIXED_EXPECTED.modelsUsed,
    });
  });

  it("search_traces: the summary counts calls, not wrappers", async () => {
    const r = await mcp.call("search_traces", { service_name: "chat-gateway", ...WINDOW });
    const [t] = r.json.traces as Array<{ llm_span_count: number; total_tokens: number }>;
    expect(t).toMatchObject({ llm_span_count: 5, total_tokens: MIXED_EXPECTED.totalTokens });
  });

  it("get_llm_usage: prompt, completion, cache-read, cache-write and reasoning tokens across conventions", async () => {
    const r = await mcp.call("get_llm_usage", WINDOW);
    // Tokens are this test's subject (cost_usd, also in the summary, is tested with known prices elsewhere).
    expect(r.json.summary).toMatchObject({
      total_requests: 5,
      total_prompt_tokens: MIXED_EXPECTED.promptTokens,
      total_completion_tokens: MIXED_EXPECTED.completionTokens,
      total_tokens: MIXED_EXPECTED.totalTokens,
      total_cache_read_tokens: MIXED_EXPECTED.cacheReadTokens,
      total_cache_write_tokens: MIXED_EXPECTED.cacheWriteTokens,
      total_reasoning_tokens: MIXED_EXPECTED.reasoningTokens,
    });
    const byService = r.json.by_service as Record<string, { requests: number; cache_read_tokens: number }>;
    expect(byService["agent-orchestrator"]).toMatchObject({ requests: 1, cache_read_tokens: 2800 });
    expect(byService["web-app"]).toMatchObject({ requests: 1, cache_read_tokens: 0 });
  });

  it("get_llm_usage: the provider argument is compared in its normalised form", async () => {
    // The OpenLLMetry 0.4 span records "Anthropic"; its call's provider is "anthropic". The trace is found
    // through the raw attribute; the call then counts because both sides are normalised.
    const r = await mcp.call("get_llm_usage", { ...WINDOW, gen_ai_system: "Anthropic" });
    expect(r.json.summary).toMatchObject({ total_requests: 1, total_tokens: 3450, total_cache_read_tokens: 2800, total_cache_write_tokens: 200 });
    expect(Object.keys(r.json.by_model as object)).toEqual(["claude-3-5-sonnet-20241022"]);
  });

  it("list_llm_models: providers normalised", async () => {
    const r = await mcp.call("list_llm_models", WINDOW);
    const providers: Record<string, number> = {};
    for (const m of r.json.models as Array<{ provider: string; request_count: number }>) providers[m.provider] = (providers[m.provider] ?? 0) + m.request_count;
    expect(providers).toEqual(MIXED_EXPECTED.providers);
  });

  it("list_llm_tools: tool spans of every convention, by tool name", async () => {
    const r = await mcp.call("list_llm_tools", WINDOW);
    const tools = Object.fromEntries((r.json.tools as Array<{ tool_name: string; usage_count: number }>).map((t) => [t.tool_name, t.usage_count]));
    expect(tools).toEqual(MIXED_EXPECTED.tools);
    expect(r.json.total_calls).toBe(4);
  });

  it("the trace's session and user come from the root", () => {
    expect(traceSessionId(MIXED_TRACE)).toBe(MIXED_EXPECTED.sessionId);
    expect(traceUserId(MIXED_TRACE)).toBe(MIXED_EXPECTED.userId);
  });
});

describe("sessions spread over conventions", () => {
  it("groups traces by session id whichever convention recorded it", () => {
    const { traces, expected } = sessionTraces();
    const groups: Record<string, string[]> = {};
    for (const t of traces) {
      const id = traceSessionId(t);
      if (id) (groups[id] ??= []).push(t.traceId);
    }
    expect(groups).toEqual(expected);
    // The session sits on the LLM call span (not the root), and that span is a call in its convention.
    for (const t of traces) {
      const child = t.spans.find((s) => s.parentSpanId)!;
      expect(isLlmSpan(child)).toBe(true);
      expect(sessionIdOf(child.attributes)).toBe(traceSessionId(t));
    }
  });
});
