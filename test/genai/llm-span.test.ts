import { describe, expect, it } from "vitest";
import { assembleTrace, createSpan, type SpanInit } from "../../src/domain/trace.js";
import {
  isLlmSpan,
  llmSpans,
  parseLlmSpan,
  requestFirstModel,
  responseFirstModel,
  tokenCounts,
  traceTotalTokens,
  type LlmAttributes,
} from "../../src/genai/llm-span.js";

let nextId = 0;
function span(attributes: Record<string, unknown>, events: SpanInit["events"] = [], extra: Partial<SpanInit> = {}) {
  nextId += 1;
  return createSpan({
    traceId: "t1",
    spanId: `s${nextId}`,
    parentSpanId: "root",
    operationName: "openai.chat",
    serviceName: "svc",
    startTimeUs: 1_700_000_000_000_000 + nextId,
    durationMs: 10,
    attributes,
    events,
    ...extra,
  });
}
const OPENAI = { "gen_ai.system": "openai" };

describe("LLM span detection and system", () => {
  it.each<[string, Record<string, unknown>, boolean, string | undefined]>([
    ["gen_ai.system", { "gen_ai.system": "openai" }, true, "openai"],
    ["gen_ai.provider.name only (newer semconv)", { "gen_ai.provider.name": "anthropic" }, true, "anthropic"],
    // Deliberate difference (README "Differences"): the current name wins over the deprecated one.
    ["gen_ai.provider.name wins over the deprecated gen_ai.system", { "gen_ai.system": "openai", "gen_ai.provider.name": "azure.ai.openai" }, true, "azure.ai.openai"],
    // Deliberate difference: a call that names no provider is counted, as "unknown" (the original left it out of every count).
    ["empty gen_ai.system: a call with an unknown provider", { "gen_ai.system": "" }, true, "unknown"],
    ["provider values are normalised (OpenLLMetry 0.4 spelling)", { "gen_ai.system": "MistralAI" }, true, "mistral_ai"],
    ["provider values are normalised (AI SDK provider id)", { "gen_ai.system": "openai.chat" }, true, "openai"],
    ["empty gen_ai.system, provider named elsewhere", { "gen_ai.system": "", "gen_ai.provider.name": "openai" }, true, "openai"],
    ["null gen_ai.system is dropped", { "gen_ai.system": null }, false, undefined],
    ["legacy llm.vendor is not detection", { "llm.vendor": "openai" }, false, undefined],
    ["traceloop.span.kind=llm is not detection", { "traceloop.span.kind": "llm" }, false, undefined],
    ["plain HTTP span", { "http.method": "GET" }, false, undefined],
  ])("%s", (_label, attrs, llm, system) => {
    const s = span(attrs);
    expect(isLlmSpan(s)).toBe(llm);
    expect(parseLlmSpan(s)?.system).toBe(system);
    if (!llm) expect(parseLlmSpan(s)).toBeUndefined();
  });
});

describe("token counts", () => {
  type Tokens = [prompt: number | undefined, completion: number | undefined, total: number | undefined];
  // The 4th element, where present, is the original's total (tokenCounts) when it differs on purpose.
  it.each<[string, Record<string, unknown>, Tokens, number?]>([
    ["explicit total wins, even when it disagrees", { "gen_ai.usage.prompt_tokens": 100, "gen_ai.usage.completion_tokens": 50, "gen_ai.usage.total_tokens": 300 }, [100, 50, 300]],
    ["no total: sum of the gen_ai.usage.* counters", { "gen_ai.usage.prompt_tokens": 100, "gen_ai.usage.completion_tokens": 50 }, [100, 50, 150]],
    ["input/output (Anthropic names) stand in for prompt/completion", { "gen_ai.usage.input_tokens": 100, "gen_ai.usage.output_tokens": 50 }, [100, 50, 150]],
    [
      "prompt+input and completion+output each counted once",
      { "gen_ai.usage.prompt_tokens": 100, "gen_ai.usage.input_tokens": 100, "gen_ai.usage.completion_tokens": 50, "gen_ai.usage.output_tokens": 50 },
      [100, 50, 150],
    ],
    ["prompt_tokens=0 is missing: input_tokens is used and summed", { "gen_ai.usage.prompt_tokens": 0, "gen_ai.usage.input_tokens": 100, "gen_ai.usage.completion_tokens": 50 }, [100, 50, 150]],
    ["completion_tokens=0 is missing: output_tokens is used and summed", { "gen_ai.usage.prompt_tokens": 10, "gen_ai.usage.completion_tokens": 0, "gen_ai.usage.output_tokens": 7 }, [10, 7, 17]],
    ["a non-integer prompt_tokens does not hide input_tokens", { "gen_ai.usage.prompt_tokens": 12.5, "gen_ai.usage.input_tokens": 100 }, [100, undefined, 100]],
    // Deliberate difference: cache and reasoning counts are inside prompt/completion already, so the
    // unrecorded total is prompt + completion; the original's sum counted them twice (210).
    [
      "cache and reasoning counters are not added again",
      { "gen_ai.usage.prompt_tokens": 100, "gen_ai.usage.completion_tokens": 50, "gen_ai.usage.cache_read_input_tokens": 30, "gen_ai.usage.cache_creation_input_tokens": 10, "gen_ai.usage.reasoning_tokens": 20 },
      [100, 50, 150],
      210,
    ],
    ["a custom counter alone is no total (the original reported 30)", { "gen_ai.usage.cache_read_input_tokens": 30 }, [undefined, undefined, undefined], 30],
    ["booleans are never tokens", { "gen_ai.usage.prompt_tokens": 100, "gen_ai.usage.completion_tokens": 50, "gen_ai.usage.cached": true }, [100, 50, 150]],
    ["floats are not summed", { "gen_ai.usage.prompt_tokens": 100, "gen_ai.usage.completion_tokens": 50, "gen_ai.usage.cost": 0.5 }, [100, 50, 150]],
    ["numeric strings of unknown keys are not summed", { "gen_ai.usage.prompt_tokens": 100, "gen_ai.usage.completion_tokens": 50, "gen_ai.usage.cache_read_input_tokens": "30" }, [100, 50, 150]],
    ["numeric strings of well-known keys are coerced, then summed", { "gen_ai.usage.prompt_tokens": "100", "gen_ai.usage.completion_tokens": "50" }, [100, 50, 150]],
    ["llm.usage.* fallbacks; not in the sum, so prompt + completion", { "llm.usage.prompt_tokens": 10, "llm.usage.completion_tokens": 5 }, [10, 5, 15]],
    ["llm.usage input/output fallbacks", { "llm.usage.input_tokens": 7, "llm.usage.output_tokens": 3 }, [7, 3, 10]],
    ["llm.usage.total_tokens is an explicit total", { "llm.usage.prompt_tokens": 10, "llm.usage.total_tokens": 99 }, [10, undefined, 99]],
    ["gen_ai prompt 0 falls through to llm.usage", { "gen_ai.usage.prompt_tokens": 0, "llm.usage.prompt_tokens": 12 }, [12, undefined, 12]],
    ["gen_ai.usage.prompt_tokens before input_tokens", { "gen_ai.usage.prompt_tokens": 80, "gen_ai.usage.input_tokens": 90 }, [80, undefined, 80]],
    ["gen_ai.usage.* before llm.usage.*", { "gen_ai.usage.input_tokens": 5, "llm.usage.prompt_tokens": 9 }, [5, undefined, 5]],
    ["total 0 is missing: sum", { "gen_ai.usage.total_tokens": 0, "gen_ai.usage.prompt_tokens": 10, "gen_ai.usage.completion_tokens": 5 }, [10, 5, 15]],
    ["gen_ai total 0 falls through to llm.usage.total_tokens", { "gen_ai.usage.total_tokens": 0, "llm.usage.total_tokens": 40 }, [undefined, undefined, 40]],
    ["all zero: nothing reported", { "gen_ai.usage.prompt_tokens": 0, "gen_ai.usage.completion_tokens": 0, "gen_ai.usage.total_tokens": 0 }, [undefined, undefined, undefined]],
    ["no usage at all", {}, [undefined, undefined, undefined]],
  ])("%s", (_label, usage, [prompt, completion, total], legacyTotal) => {
    const llm = parseLlmSpan(span({ ...OPENAI, ...usage }))!;
    expect([llm.prompt_tokens, llm.completion_tokens, llm.total_tokens]).toEqual([prompt, completion, total]);
    // tokenCounts (the original's numbers) reports unknown as 0; the parsed attributes omit it.
    expect(tokenCounts(span(usage).attributes)).toEqual({ prompt: prompt ?? 0, completion: completion ?? 0, total: legacyTotal ?? total ?? 0 });
  });
});

describe("finish reasons", () => {
  it.each<[string, Record<string, unknown>, string[] | undefined]>([
    ["array", { "gen_ai.response.finish_reasons": ["stop"] }, ["stop"]],
    ["JSON-array string (Jaeger's rendering)", { "gen_ai.response.finish_reasons": '["stop","length"]' }, ["stop", "length"]],
    ["comma string", { "gen_ai.response.finish_reasons": "stop, tool_calls" }, ["stop", "tool_calls"]],
    ["single string", { "gen_ai.response.finish_reasons": "stop" }, ["stop"]],
    ["legacy llm.response.finish_reasons fallback", { "llm.response.finish_reasons": ["length"] }, ["length"]],
    ["empty gen_ai list falls through to legacy", { "gen_ai.response.finish_reasons": [], "llm.response.finish_reasons": "length" }, ["length"]],
    ["gen_ai wins over legacy", { "gen_ai.response.finish_reasons": ["stop"], "llm.response.finish_reasons": ["length"] }, ["stop"]],
    // Deliberate difference: OpenLLMetry's singular keys (LLM_RESPONSE_FINISH_REASON) are read.
    ["the singular legacy key is read", { "llm.response.finish_reason": "stop" }, ["stop"]],
    ["flattened gen_ai.completion.{i}.finish_reason, in index order", { "gen_ai.completion.1.finish_reason": "length", "gen_ai.completion.0.finish_reason": "stop" }, ["stop", "length"]],
    ["empty list: omitted", { "gen_ai.response.finish_reasons": [] }, undefined],
    ["absent", {}, undefined],
  ])("%s", (_label, attrs, expected) => {
    expect(parseLlmSpan(span({ ...OPENAI, ...attrs }))!.finish_reasons).toEqual(expected);
  });
});

describe("previews", () => {
  const promptEvent = (content: unknown) => ({ name: "gen_ai.content.prompt", timestamp: 1, attributes: { "gen_ai.prompt.0.content": content } });
  const completionEvent = (content: unknown) => ({ name: "gen_ai.content.completion", timestamp: 2, attributes: { "gen_ai.completion.0.content": content } });
  const long = (n: number, ch = "a") => ch.repeat(n);

  it.each<[string, Record<string, unknown>, NonNullable<SpanInit["events"]>, string | undefined, string | undefined]>([
    ["from events", {}, [promptEvent("Hello"), completionEvent("Hi!")], "Hello", "Hi!"],
    ["last matching event wins", {}, [promptEvent("first"), promptEvent("second"), completionEvent("c1"), completionEvent("c2")], "second", "c2"],
    ["an empty event value is skipped", {}, [promptEvent("first"), promptEvent("")], "first", undefined],
    ["a non-string event value is skipped", {}, [promptEvent(42)], undefined, undefined],
    ["an event with another name is ignored", {}, [{ name: "gen_ai.content.other", timestamp: 1, attributes: { "gen_ai.prompt.0.content": "x" } }], undefined, undefined],
    ["span attributes as fallback", { "gen_ai.prompt.0.content": "attr prompt", "gen_ai.completion.0.content": "attr completion" }, [], "attr prompt", "attr completion"],
    ["events win over span attributes", { "gen_ai.prompt.0.content": "attr prompt" }, [promptEvent("event prompt")], "event prompt", undefined],
    ["other message indexes are not previews", { "gen_ai.prompt.1.content": "second message" }, [], undefined, undefined],
    ["exactly 100 characters: unchanged", { "gen_ai.prompt.0.content": long(100) }, [], long(100), undefined],
    ["101 characters: 100 + ...", { "gen_ai.prompt.0.content": long(101) }, [], `${long(100)}...`, undefined],
    ["counted in code points, never splitting a surrogate pair", { "gen_ai.prompt.0.content": long(101, "😀") }, [], `${long(100, "😀")}...`, undefined],
    ["100 emoji (200 UTF-16 units): unchanged", { "gen_ai.completion.0.content": long(100, "😀") }, [], undefined, long(100, "😀")],
  ])("%s", (_label, attrs, events, prompt, completion) => {
    const llm = parseLlmSpan(span({ ...OPENAI, ...attrs }, events))!;
    expect([llm.prompt_preview, llm.completion_preview]).toEqual([prompt, completion]);
  });
});

describe("scalar fields", () => {
  it.each<[string, Record<string, unknown>, Partial<LlmAttributes>]>([
    ["is_streaming absent -> false", {}, { is_streaming: false }],
    ["is_streaming true", { "gen_ai.request.is_streaming": true }, { is_streaming: true }],
    ["is_streaming 'true'", { "gen_ai.request.is_streaming": "true" }, { is_streaming: true }],
    ["is_streaming 'false'", { "gen_ai.request.is_streaming": "false" }, { is_streaming: false }],
    // Deliberate difference: OpenLLMetry's llm.is_streaming is read.
    ["OpenLLMetry llm.is_streaming", { "llm.is_streaming": true }, { is_streaming: true }],
    ["OTel gen_ai.request.stream", { "gen_ai.request.stream": true }, { is_streaming: true }],
    [
      "numbers from strings",
      { "gen_ai.request.temperature": "0.2", "gen_ai.request.top_p": "0.9", "gen_ai.request.max_tokens": "256" },
      { temperature: 0.2, top_p: 0.9, max_tokens: 256 },
    ],
    ["temperature 0 is kept", { "gen_ai.request.temperature": 0 }, { temperature: 0 }],
  ])("%s", (_label, attrs, expected) => {
    expect(parseLlmSpan(span({ ...OPENAI, ...attrs }))).toMatchObject(expected);
  });
});

it("the legacy llm.request.model is not a request model", () => {
  expect(parseLlmSpan(span({ ...OPENAI, "llm.request.model": "gpt-3.5" }))).not.toHaveProperty("request_model");
});

describe("output object", () => {
  it("keys follow the original model's field order, is_streaming mid-list", () => {
    const llm = parseLlmSpan(
      span(
        {
          "gen_ai.usage.total_tokens": 30,
          "gen_ai.usage.completion_tokens": 20,
          "gen_ai.usage.prompt_tokens": 10,
          "gen_ai.response.finish_reasons": ["stop"],
          "gen_ai.request.is_streaming": true,
          "gen_ai.request.max_tokens": 100,
          "gen_ai.request.top_p": 1,
          "gen_ai.request.temperature": 0.5,
          "gen_ai.operation.name": "chat",
          "gen_ai.response.model": "gpt-4o-2024-08-06",
          "gen_ai.request.model": "gpt-4o",
          "gen_ai.system": "openai",
        },
        [
          { name: "gen_ai.content.completion", timestamp: 2, attributes: { "gen_ai.completion.0.content": "out" } },
          { name: "gen_ai.content.prompt", timestamp: 1, attributes: { "gen_ai.prompt.0.content": "in" } },
        ],
      ),
    )!;
    expect(Object.keys(llm)).toEqual([
      "system",
      "request_model",
      "response_model",
      "operation_name",
      "temperature",
      "top_p",
      "max_tokens",
      "is_streaming",
      "finish_reasons",
      "prompt_tokens",
      "completion_tokens",
      "total_tokens",
      "prompt_preview",
      "completion_preview",
      "convention",
    ]);
    expect(llm).toEqual({
      system: "openai",
      request_model: "gpt-4o",
      response_model: "gpt-4o-2024-08-06",
      operation_name: "chat",
      temperature: 0.5,
      top_p: 1,
      max_tokens: 100,
      is_streaming: true,
      finish_reasons: ["stop"],
      prompt_tokens: 10,
      completion_tokens: 20,
      total_tokens: 30,
      prompt_preview: "in",
      completion_preview: "out",
      convention: "otel_genai",
    });
  });

  it("a bare LLM span has only system, is_streaming and convention, in that order; absent keys are omitted, not undefined", () => {
    const llm = parseLlmSpan(span({ ...OPENAI, "gen_ai.request.model": "gpt-4o" }))!;
    expect(Object.keys(llm)).toEqual(["system", "request_model", "is_streaming", "convention"]);
    expect(Object.keys(parseLlmSpan(span(OPENAI))!)).toEqual(["system", "is_streaming", "convention"]);
  });
});

describe("model precedence", () => {
  it.each<[Partial<LlmAttributes>, string | undefined, string | undefined]>([
    [{ request_model: "gpt-4o", response_model: "gpt-4o-2024-08-06" }, "gpt-4o-2024-08-06", "gpt-4o"],
    [{ request_model: "gpt-4o" }, "gpt-4o", "gpt-4o"],
    [{ response_model: "gpt-4o-2024-08-06" }, "gpt-4o-2024-08-06", "gpt-4o-2024-08-06"],
    [{ request_model: "", response_model: "claude" }, "claude", "claude"],
    [{ response_model: "", request_model: "claude" }, "claude", "claude"],
    [{}, undefined, undefined],
  ])("%j -> response-first %s, request-first %s", (models, responseFirst, requestFirst) => {
    const llm: LlmAttributes = { system: "openai", is_streaming: false, convention: "openllmetry", ...models };
    expect(responseFirstModel(llm)).toBe(responseFirst);
    expect(requestFirstModel(llm)).toBe(requestFirst);
  });
});

describe("traces", () => {
  it("traceTotalTokens sums the parsed totals of LLM calls only; llmSpans keeps span order", () => {
    const root = span({ "gen_ai.usage.total_tokens": 1000 }, [], { spanId: "root", parentSpanId: null });
    const a = span({ ...OPENAI, "gen_ai.usage.total_tokens": 300 });
    const http = span({ "http.method": "GET" });
    const b = span({ "gen_ai.provider.name": "anthropic", "gen_ai.usage.input_tokens": 100, "gen_ai.usage.output_tokens": 50 });
    const emptySystem = span({ "gen_ai.system": "", "gen_ai.usage.total_tokens": 70 });
    const noUsage = span(OPENAI);
    const trace = assembleTrace("t1", [root, a, http, b, emptySystem, noUsage])!;
    // Deliberate difference: the call with an empty gen_ai.system counts (300 + 150 + 70); the original gave 450.
    expect(traceTotalTokens(trace)).toBe(520);
    expect(llmSpans(trace)).toEqual([a, b, emptySystem, noUsage]);
  });

  it("a trace without LLM spans has 0 tokens", () => {
    expect(traceTotalTokens(assembleTrace("t2", [span({ "http.method": "GET" })])!)).toBe(0);
  });
});
