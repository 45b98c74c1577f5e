/**
 * Previews and requested tool calls from every content form (flattened attributes, JSON attributes
 * with parts, the AI SDK's prompt JSON, span events). Inputs follow the shapes documented in
 * semantic-conventions-genai gen-ai-input-messages.json / gen-ai-output-messages.json, OpenLLMetry,
 * OpenInference, the AI SDK and Strands Agents (see test/fixtures/genai for the sources).
 */
import { describe, expect, it } from "vitest";
import { createSpan, type SpanInit } from "../../src/domain/trace.js";
import { completionPreview, promptPreview, requestedToolCalls } from "../../src/genai/messages.js";

const span = (attributes: Record<string, unknown>, events: SpanInit["events"] = []) =>
  createSpan({ traceId: "t", spanId: "s", operationName: "op", serviceName: "svc", startTimeUs: 0, durationMs: 1, attributes, events });
const json = (v: unknown) => JSON.stringify(v);

describe("prompt and completion previews", () => {
  it.each<[string, Record<string, unknown>, NonNullable<SpanInit["events"]>, string | undefined, string | undefined]>([
    [
      "JSON messages: the first message with text; non-text parts skipped",
      {
        "gen_ai.input.messages": json([
          { role: "user", parts: [{ type: "blob", modality: "image", content: "aGVsbG8=" }] },
          { role: "user", parts: [{ type: "text", content: "Describe the image" }] },
        ]),
        "gen_ai.output.messages": json([{ role: "assistant", parts: [{ type: "reasoning", content: "thinking..." }, { type: "text", content: "A cat." }] }]),
      },
      [],
      "Describe the image",
      "A cat.",
    ],
    ["structured (non-string) JSON attribute values", { "gen_ai.input.messages": [{ role: "user", parts: [{ type: "text", content: "hi" }] }] }, [], "hi", undefined],
    ["OpenAI-style parts with `text` (LiteLLM passes list content through)", { "gen_ai.input.messages": json([{ role: "user", parts: [{ type: "text", text: "from text" }] }]) }, [], "from text", undefined],
    ["invalid JSON is no preview", { "gen_ai.input.messages": "[{not json", "gen_ai.output.messages": "{" }, [], undefined, undefined],
    ["AI SDK wrapper: ai.prompt with a plain prompt", { "ai.prompt": json({ prompt: "Tell me a joke" }) }, [], "Tell me a joke", undefined],
    ["AI SDK: ai.prompt with messages", { "ai.prompt": json({ messages: [{ role: "user", content: "Hello there" }] }) }, [], "Hello there", undefined],
    ["AI SDK: ai.response.object for generateObject", { "ai.response.object": '{"city":"Paris"}' }, [], undefined, '{"city":"Paris"}'],
    ["old OTel semconv gen_ai.prompt / gen_ai.completion JSON", { "gen_ai.prompt": json([{ role: "user", content: "old style" }]), "gen_ai.completion": json([{ role: "assistant", content: "old answer" }]) }, [], "old style", "old answer"],
    [
      "OpenLLMetry events win over JSON attributes",
      { "gen_ai.input.messages": json([{ role: "user", parts: [{ type: "text", content: "json" }] }]) },
      [{ name: "gen_ai.content.prompt", timestamp: 1, attributes: { "gen_ai.prompt.0.content": "event" } }],
      "event",
      undefined,
    ],
    [
      "deprecated per-message events: the first message event",
      {},
      [
        { name: "gen_ai.user.message", timestamp: 1, attributes: { content: "first user message" } },
        { name: "gen_ai.assistant.message", timestamp: 2, attributes: { content: "earlier answer" } },
        { name: "gen_ai.choice", timestamp: 3, attributes: { index: 0, finish_reason: "stop", message: json({ role: "assistant", content: "the choice" }) } },
      ],
      "first user message",
      "the choice",
    ],
    ["OpenInference output via message.contents", { "llm.output_messages.0.message.contents.0.message_content.type": "text", "llm.output_messages.0.message.contents.0.message_content.text": "contents text" }, [], undefined, "contents text"],
    ["long text: 100 code points + ...", { "gen_ai.input.messages": json([{ role: "user", parts: [{ type: "text", content: "x".repeat(150) }] }]) }, [], `${"x".repeat(100)}...`, undefined],
  ])("%s", (_label, attrs, events, prompt, completion) => {
    const s = span(attrs, events);
    expect([promptPreview(s), completionPreview(s)]).toEqual([prompt, completion]);
  });
});

describe("requested tool calls", () => {
  it.each<[string, Record<string, unknown>, NonNullable<SpanInit["events"]>, string[] | undefined]>([
    [
      "semconv tool_call parts, across choices, duplicates kept",
      { "gen_ai.output.messages": json([{ role: "assistant", parts: [{ type: "tool_call", name: "a" }, { type: "text", content: "x" }, { type: "tool_call", name: "a" }] }, { role: "assistant", parts: [{ type: "tool_call", name: "b" }] }]) },
      [],
      ["a", "a", "b"],
    ],
    [
      "OpenLLMetry flattened, in choice then call order",
      { "gen_ai.completion.1.tool_calls.0.name": "c", "gen_ai.completion.0.tool_calls.1.name": "b", "gen_ai.completion.0.tool_calls.0.name": "a" },
      [],
      ["a", "b", "c"],
    ],
    ["AI SDK ai.response.toolCalls", { "ai.response.toolCalls": json([{ toolCallType: "function", toolCallId: "1", toolName: "search", args: "{}" }]) }, [], ["search"]],
    [
      "the operation-details event",
      {},
      [{ name: "gen_ai.client.inference.operation.details", timestamp: 1, attributes: { "gen_ai.output.messages": json([{ role: "assistant", parts: [{ type: "tool_call", name: "calc" }] }]) } }],
      ["calc"],
    ],
    ["none", { "gen_ai.output.messages": json([{ role: "assistant", parts: [{ type: "text", content: "hi" }] }]) }, [], undefined],
  ])("%s", (_label, attrs, events, expected) => {
    expect(requestedToolCalls(span(attrs, events))).toEqual(expected);
  });
});
