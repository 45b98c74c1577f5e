import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../src/errors.js";
import { parsePricingOverrides } from "../../src/genai/price-overrides.js";
import { loadPricingOverrides } from "../../src/genai/pricing-file.js";

const dir = mkdtempSync(join(tmpdir(), "pricing-overrides-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function errorOf(text: string): string {
  try {
    parsePricingOverrides(text, "prices.json");
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error("parsePricingOverrides did not throw");
}

describe("parsing an overrides file", () => {
  it("reads exact ids (lower-cased), /regex/flags, providers and the optional prices", () => {
    const o = parsePricingOverrides(
      JSON.stringify({
        prices: [
          { match: "GPT-4o", input: 2, output: 8, cache_read: 1, cache_write: 2.5, reasoning: 8, note: "negotiated" },
          { match: "/^ft:gpt-4o/i", provider: "openai", input: 3.75, output: 15 },
          { match: " llama3.2 ", provider: "ollama", input: 0, output: 0 },
        ],
      }),
      "prices.json",
    );
    expect(o).toEqual([
      { match: "GPT-4o", exact: "gpt-4o", index: 0, prices: { input: 2, output: 8, cache_read: 1, cache_write: 2.5, reasoning: 8 } },
      { match: "/^ft:gpt-4o/i", pattern: /^ft:gpt-4o/i, provider: "openai", index: 1, prices: { input: 3.75, output: 15 } },
      { match: "llama3.2", exact: "llama3.2", provider: "ollama", index: 2, prices: { input: 0, output: 0 } },
    ]);
    expect(parsePricingOverrides('{"prices": []}', "empty.json")).toEqual([]);
  });

  const PREFIX = "Invalid pricing file prices.json (--pricing / LLM_PRICING_FILE): ";
  it.each<[string, string, string]>([
    ["not JSON", "{prices: []}", "not valid JSON ("],
    ["a top-level list", "[]", 'expected a JSON object { "prices": [ ... ] }'],
    ["no prices", "{}", "prices: is required"],
    ["prices not a list", '{"prices": {"gpt-4o": 1}}', 'prices: must be a list: { "prices": [ { "match": ..., "input": ..., "output": ... } ] }'],
    ["an unknown top-level key", '{"prices": [], "models": []}', 'top level: unknown field "models" (allowed: prices)'],
    ["a missing match", '{"prices": [{"input": 1, "output": 2}]}', "prices[0].match: must be a model id or a /regex/"],
    ["an empty match", '{"prices": [{"match": " ", "input": 1, "output": 2}]}', "prices[0].match: must not be empty"],
    ["a missing output", '{"prices": [{"match": "a", "input": 1, "output": 2}, {"match": "b", "input": 1}]}', "prices[1].output: is required"],
    ["a price given as text", '{"prices": [{"match": "a", "input": "2.50", "output": 10}]}', "prices[0].input: must be a number (USD per million tokens)"],
    ["a negative price", '{"prices": [{"match": "a", "input": 1, "output": 2, "cache_read": -1}]}', "prices[0].cache_read: must be 0 or more (USD per million tokens)"],
    ["a misspelt field", '{"prices": [{"match": "a", "input": 1, "output": 2, "cache_reads": 1}]}', 'prices[0]: unknown field "cache_reads" (allowed: match, provider, input, output, cache_read, cache_write, reasoning, note)'],
    ["a bad regex", '{"prices": [{"match": "/gpt-(4o/", "input": 1, "output": 2}]}', "prices[0].match: invalid regular expression /gpt-(4o/ ("],
    ["a stateful regex", '{"prices": [{"match": "/gpt/g", "input": 1, "output": 2}]}', "prices[0].match: the g and y flags are not allowed"],
    ["a provider that is not text", '{"prices": [{"match": "a", "provider": 1, "input": 1, "output": 2}]}', "prices[0].provider: must be a provider name"],
  ])("%s: one line naming the file, the entry and the field", (_what, text, why) => {
    const message = errorOf(text);
    expect(message.slice(0, PREFIX.length + why.length)).toBe(PREFIX + why);
    expect(message).not.toContain("\n");
  });
});

describe("loading the file", () => {
  it("reads and parses it", () => {
    const path = join(dir, "ok.json");
    writeFileSync(path, JSON.stringify({ prices: [{ match: "gpt-4o", input: 2, output: 8 }] }));
    expect(loadPricingOverrides(path)).toEqual([{ match: "gpt-4o", exact: "gpt-4o", index: 0, prices: { input: 2, output: 8 } }]);
  });

  it("names the file when it is missing, a directory, or invalid", () => {
    const missing = join(dir, "missing.json");
    expect(() => loadPricingOverrides(missing)).toThrow(new ConfigError(`Cannot read pricing file ${missing} (--pricing / LLM_PRICING_FILE): no such file`));
    expect(() => loadPricingOverrides(dir)).toThrow(new ConfigError(`Cannot read pricing file ${dir} (--pricing / LLM_PRICING_FILE): is a directory`));
    const bad = join(dir, "bad.json");
    writeFileSync(bad, '{"prices": [{"match": "x", "input": 1}]}');
    expect(() => loadPricingOverrides(bad)).toThrow(new ConfigError(`Invalid pricing file ${bad} (--pricing / LLM_PRICING_FILE): prices[0].output: is required`));
  });
});
