/**
 * Every convention fixture (test/fixtures/genai/*.ts, built from each project's documented attribute
 * names) through the normaliser: the LLM-call view, whether it is a call at all (wrappers, agents,
 * chains and tools are not), the operation of any GenAI span, the tool name of tool spans, the
 * normalised filter/group-by fields, and the tools' LlmAttributes view. Expected values are the ones
 * written by hand in the fixtures.
 */
import { describe, expect, it } from "vitest";
import { genaiFieldValue, NORMALIZED_GENAI_FIELDS } from "../../src/genai/fields.js";
import { isLlmSpan, parseLlmSpan, tokenCounts } from "../../src/genai/llm-span.js";
import { normalizeSpan, spanConvention, spanOperation, toolSpan } from "../../src/genai/normalize.js";
import { FIXTURES_BY_CONVENTION } from "../fixtures/genai/index.js";
import { expectedFields, fixtureSpan } from "../fixtures/genai/spans.js";

for (const [convention, fixtures] of Object.entries(FIXTURES_BY_CONVENTION)) {
  describe(`${convention} fixtures`, () => {
    it.each(fixtures.map((f) => [f.name, f] as const))("%s", (_name, f) => {
      const span = fixtureSpan(f);
      expect(normalizeSpan(span) ?? null).toEqual(f.call);
      expect(isLlmSpan(span)).toBe(f.call !== null);
      expect(spanOperation(span)).toBe(f.operation);
      expect(toolSpan(span)?.toolName).toBe(f.tool);
      if (f.tool !== undefined) expect(toolSpan(span)?.convention).toBe(convention);
      if (f.call) expect(spanConvention(span)).toBe(convention);
      const fields = expectedFields(f);
      for (const field of NORMALIZED_GENAI_FIELDS) expect(genaiFieldValue(span, field), field).toBe(fields[field]);
      if (f.legacyTokens) expect(tokenCounts(span.attributes)).toEqual(f.legacyTokens);
    });
  });
}

describe("the tools' LlmAttributes view of each fixture call", () => {
  const calls = Object.values(FIXTURES_BY_CONVENTION)
    .flat()
    .filter((f) => f.call !== null);
  it.each(calls.map((f) => [f.name, f] as const))("%s", (_name, f) => {
    const c = f.call!;
    const llm = parseLlmSpan(fixtureSpan(f))!;
    expect(llm).toEqual(
      Object.fromEntries(
        Object.entries({
          system: c.provider ?? "unknown",
          request_model: c.requestModel,
          response_model: c.responseModel,
          operation_name: c.operation,
          temperature: c.temperature,
          top_p: c.topP,
          max_tokens: c.maxTokens,
          is_streaming: c.streaming,
          finish_reasons: c.finishReasons,
          prompt_tokens: c.tokens.input,
          completion_tokens: c.tokens.output,
          total_tokens: c.tokens.total,
          cache_read_tokens: c.tokens.cacheRead,
          cache_write_tokens: c.tokens.cacheWrite,
          reasoning_tokens: c.tokens.reasoning,
          prompt_preview: c.promptPreview,
          completion_preview: c.completionPreview,
          time_to_first_token_ms: c.timeToFirstTokenMs,
          tool_calls: c.toolCalls,
          convention: c.convention,
        }).filter(([, v]) => v !== undefined),
      ),
    );
    expect(Object.keys(llm).at(-1)).toBe("convention");
  });
});

describe("memoised parse", () => {
  it("parses each span once: repeated calls return the same frozen view", () => {
    const f = FIXTURES_BY_CONVENTION.openllmetry![0]!;
    const span = fixtureSpan(f);
    const first = normalizeSpan(span)!;
    expect(normalizeSpan(span)).toBe(first);
    expect(parseLlmSpan(span)).toBe(parseLlmSpan(span));
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.isFrozen(parseLlmSpan(span))).toBe(true);
  });

  it("remembers non-calls too", () => {
    const span = fixtureSpan(FIXTURES_BY_CONVENTION.vercel_ai![0]!);
    expect(normalizeSpan(span)).toBeUndefined();
    expect(normalizeSpan(span)).toBeUndefined();
    expect(parseLlmSpan(span)).toBeUndefined();
  });
});
