import { describe, expect, it } from "vitest";
import { costOf, createPricer, PRICES_AS_OF, roundUsd, type ResolvedPrice, type TokenPrices, type TokenUsage } from "../../src/genai/pricing.js";
import { parsePricingOverrides } from "../../src/genai/price-overrides.js";
import type { PriceTable } from "../../src/genai/price-table.js";

// Published list prices, USD per million tokens (provider pricing pages), written down by hand:
// the vendored table must agree with them.
const pricer = createPricer();
const NOV_2026 = Date.parse("2026-11-20T12:00:00Z");
const price = (model: string, provider?: string, at = NOV_2026) => pricer.resolvePrice(model, provider, at);

describe("well-known prices in the vendored table", () => {
  it.each<[string, string | undefined, TokenPrices]>([
    ["gpt-4o", "openai", { input: 2.5, output: 10, cache_read: 1.25 }],
    ["gpt-4o-2024-05-13", "openai", { input: 5, output: 15 }],
    ["gpt-4o-mini", "openai", { input: 0.15, output: 0.6, cache_read: 0.075 }],
    ["claude-3-5-sonnet-20241022", "anthropic", { input: 3, output: 15, cache_read: 0.3, cache_write: 3.75 }],
    ["o3-mini", "openai", { input: 1.1, output: 4.4, cache_read: 0.55 }],
    ["mistral-large-2411", "mistral_ai", { input: 2, output: 6 }],
    ["anthropic.claude-3-5-sonnet-20241022-v2:0", "aws.bedrock", { input: 3, output: 15, cache_read: 0.3, cache_write: 3.75 }],
    ["grok-3", "x_ai", { input: 3, output: 15, cache_read: 0.75 }],
    ["gpt-4.1", "openai", { input: 2, output: 8, cache_read: 0.5 }],
  ])("%s (%s)", (model, provider, prices) => {
    expect(price(model, provider)?.prices).toEqual(prices);
  });

  it("claude-sonnet-4-5-20250929 has its long-context tier above 200k input tokens", () => {
    expect(price("claude-sonnet-4-5-20250929")?.prices).toEqual({
      input: { base: 3, tiers: [{ start: 200_000, price: 6 }] },
      output: { base: 15, tiers: [{ start: 200_000, price: 22.5 }] },
      cache_read: { base: 0.3, tiers: [{ start: 200_000, price: 0.6 }] },
      cache_write: { base: 3.75, tiers: [{ start: 200_000, price: 7.5 }] },
    });
  });

  it("o3 before and after the June 2025 price cut ($10/$40 -> $2/$8)", () => {
    expect(price("o3", "openai", Date.parse("2025-05-01T00:00:00Z"))?.prices).toMatchObject({ input: 10, output: 40 });
    expect(price("o3", "openai", Date.parse("2025-06-10T00:00:00Z"))?.prices).toMatchObject({ input: 2, output: 8 });
  });

  it("deepseek-chat's off-peak discount follows the UTC time of day (16:30-00:30 half price)", () => {
    expect(price("deepseek-chat", "deepseek", Date.parse("2025-03-01T10:00:00Z"))?.prices).toMatchObject({ input: 0.27, output: 1.1 });
    expect(price("deepseek-chat", "deepseek", Date.parse("2025-03-01T20:00:00Z"))?.prices).toMatchObject({ input: 0.135, output: 0.55 });
    expect(price("deepseek-chat", "deepseek", Date.parse("2025-03-01T00:29:59Z"))?.prices).toMatchObject({ input: 0.135 });
    expect(price("deepseek-chat", "deepseek", Date.parse("2025-03-01T00:30:00Z"))?.prices).toMatchObject({ input: 0.27 });
  });
});

describe("resolving real model ids", () => {
  it.each<[string, string | undefined, string, string]>([
    // snapshots land on their entry
    ["gpt-4o-2024-08-06", undefined, "openai", "gpt-4o"],
    ["gpt-4o-2024-11-20", "openai", "openai", "gpt-4o"],
    ["gpt-4o-mini-2024-07-18", undefined, "openai", "gpt-4o-mini"],
    ["gpt-4o-20240806", undefined, "openai", "gpt-4o"], // LiteLLM's compact date
    ["claude-3-5-sonnet-20241022", undefined, "anthropic", "claude-3-5-sonnet"],
    ["GPT-4O", undefined, "openai", "gpt-4o"],
    // provider prefixes and paths
    ["openai/gpt-4o", undefined, "openai", "gpt-4o"],
    ["azure/gpt-4o", undefined, "openai", "gpt-4o"],
    ["models/gemini-1.5-pro", "gcp.gemini", "google", "gemini-1.5-pro"],
    ["anthropic/claude-3.5-sonnet", undefined, "anthropic", "claude-3-5-sonnet"],
    ["publishers/anthropic/models/claude-3-5-sonnet-v2@20241022", undefined, "anthropic", "claude-3-5-sonnet"],
    ["bedrock/anthropic.claude-3-5-sonnet-20241022-v2:0", undefined, "aws", "regional.anthropic.claude-3-5-sonnet-20241022-v2:0"],
    ["arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-5-sonnet-20241022-v2:0", undefined, "aws", "regional.anthropic.claude-3-5-sonnet-20241022-v2:0"],
    // normalised provider names (OTel gen_ai.provider.name values)
    ["gpt-4o", "azure.ai.openai", "openai", "gpt-4o"], // Azure serves OpenAI's models
    ["claude-3-5-sonnet-v2@20241022", "gcp.vertex_ai", "google", "claude-3-5-sonnet"],
    ["gemini-2.5-pro", "gcp.vertex_ai", "google", "gemini-2.5-pro"],
    ["mistral-large-2411", "mistral_ai", "mistral", "mistral-large"],
    ["anthropic/claude-3.5-sonnet", "openrouter", "openrouter", "anthropic/claude-3.5-sonnet"],
    ["gpt-4o", "OpenAI", "openai", "gpt-4o"], // OpenLLMetry's gen_ai.system spelling
    ["claude-3-5-sonnet-20241022", "openai", "anthropic", "claude-3-5-sonnet"], // an OpenAI-compatible proxy
    // Vercel AI SDK provider ids name the API too
    ["llama-3.3-70b-versatile", "groq.chat", "groq", "llama-3.3-70b-versatile"],
    ["gpt-4o", "openai.responses", "openai", "gpt-4o"],
    ["anthropic.claude-3-5-sonnet-20241022-v2:0", "amazon-bedrock", "aws", "regional.anthropic.claude-3-5-sonnet-20241022-v2:0"],
    // Bedrock region prefixes
    ["us.anthropic.claude-3-5-sonnet-20241022-v2:0", "aws.bedrock", "aws", "regional.anthropic.claude-3-5-sonnet-20241022-v2:0"],
    ["eu.anthropic.claude-3-5-sonnet-20241022-v2:0", undefined, "aws", "regional.anthropic.claude-3-5-sonnet-20241022-v2:0"],
    ["apac.anthropic.claude-3-5-sonnet-20241022-v2:0", "aws.bedrock", "aws", "regional.anthropic.claude-3-5-sonnet-20241022-v2:0"],
    ["global.anthropic.claude-sonnet-4-5-20250929-v1:0", "aws.bedrock", "aws", "global.anthropic.claude-sonnet-4-5-20250929-v1:0"],
  ])("%s (%s) -> %s:%s", (model, provider, wantProvider, wantEntry) => {
    expect(price(model, provider)).toMatchObject({ source: "table", provider: wantProvider, entry: wantEntry });
  });

  it("keeps Bedrock's regional premium apart from its global endpoint (Sonnet 4.5: $3.30 vs $3)", () => {
    expect(price("us.anthropic.claude-sonnet-4-5-20250929-v1:0", "aws.bedrock")?.prices).toMatchObject({ input: 3.3, output: 16.5 });
    expect(price("global.anthropic.claude-sonnet-4-5-20250929-v1:0", "aws.bedrock")?.prices).toMatchObject({ input: 3, output: 15 });
  });

  it.each<[string, string | undefined]>([
    ["totally-unknown-model", undefined],
    ["llama3.2", "ollama"],
    ["my-gpt4o-deployment", "azure.ai.openai"], // an Azure deployment name says nothing about the model
    ["gpt-4o", "github-copilot"], // known, but billed by subscription, not per token
    ["", "openai"],
    ["   ", undefined],
  ])("%j (%s) has no price: undefined, never $0", (model, provider) => {
    expect(price(model, provider)).toBeUndefined();
  });

  it("marks free and input-only entries", () => {
    expect(price("meta-llama/llama-3.3-70b-instruct:free", "openrouter")).toMatchObject({ free: true, prices: { input: 0, output: 0 } });
    // A :free id is OpenRouter's free variant even without a provider, not the vendor's paid model.
    expect(price("deepseek/deepseek-chat:free")).toMatchObject({ provider: "openrouter", free: true });
    expect(price("text-embedding-3-small", "openai")).toMatchObject({ inputOnly: true, prices: { input: 0.02 } });
  });

  it("prices at the current time when the call's time is missing or invalid", () => {
    expect(pricer.resolvePrice("o3", "openai", Number.NaN)?.prices).toMatchObject({ input: 2, output: 8 });
    expect(pricer.resolvePrice("o3", "openai", new Date("not a date"))?.prices).toMatchObject({ input: 2, output: 8 });
    expect(pricer.resolvePrice("o3", "openai")?.prices).toMatchObject({ input: 2, output: 8 });
  });

  it("answers the same for the same call (lookups are cached per model and provider)", () => {
    const p = createPricer();
    const first = p.resolvePrice("us.anthropic.claude-3-5-sonnet-20241022-v2:0", "aws.bedrock", NOV_2026);
    expect(p.resolvePrice("us.anthropic.claude-3-5-sonnet-20241022-v2:0", "aws.bedrock", NOV_2026)).toEqual(first);
    expect(p.pricesAsOf).toBe(PRICES_AS_OF);
  });
});

describe("the most specific rule wins, whatever the order", () => {
  const table = (models: PriceTable["providers"][number]["models"]): PriceTable => ({
    schema: 1,
    source: { package: "t", version: "0", registry: "none", file: "t", member: "t" },
    source_sha256: "",
    prices_as_of: "2026-01-01",
    unit: "USD per million tokens",
    license: "",
    notes: [],
    patches: [],
    providers: [{ id: "acme", model_match: { starts_with: "acme-" }, models }],
  });

  it("exact beats an anchored regex beats the longest prefix beats a shorter one", () => {
    const p = createPricer({
      table: table([
        { id: "short", match: { starts_with: "acme-" }, prices: { input: 1, output: 1 } },
        { id: "long", match: { starts_with: "acme-pro" }, prices: { input: 2, output: 2 } },
        { id: "re", match: { regex: "^acme-pro-\\d{4}$" }, prices: { input: 3, output: 3 } },
        { id: "exact", match: { equals: "acme-pro-2025" }, prices: { input: 4, output: 4 } },
      ]),
    });
    expect(p.resolvePrice("acme-lite")?.entry).toBe("short");
    expect(p.resolvePrice("acme-pro-max")?.entry).toBe("long");
    expect(p.resolvePrice("acme-pro-2024")?.entry).toBe("re");
    expect(p.resolvePrice("acme-pro-2025")?.entry).toBe("exact");
  });
});

describe("overrides", () => {
  const overrides = parsePricingOverrides(
    JSON.stringify({
      prices: [
        { match: "/^gpt-4o/", input: 1, output: 2 },
        { match: "GPT-4o", input: 2, output: 8, cache_read: 1 },
        { match: "/^gpt-4o/", input: 99, output: 99 },
        { match: "llama3.2", provider: "ollama", input: 0, output: 0 },
        { match: "claude-3-5-sonnet-20241022", provider: "aws", input: 2.4, output: 12 },
        { match: "/^internal-/i", input: 0.5, output: 1.5 },
      ],
    }),
    "test.json",
  );
  const p = createPricer({ overrides });

  it("win over the table; an exact id beats a regex even when listed later", () => {
    expect(p.resolvePrice("gpt-4o", "openai")).toEqual({ source: "override", entry: "GPT-4o", prices: { input: 2, output: 8, cache_read: 1 } });
    expect(p.resolvePrice("openai/gpt-4o")).toMatchObject({ source: "override", entry: "GPT-4o" }); // exact ids also match the stripped form
    expect(p.resolvePrice("gpt-4o-mini", "openai")).toMatchObject({ source: "override", entry: "/^gpt-4o/", prices: { input: 1, output: 2 } }); // first regex wins
  });

  it("a regex keeps its flags; a model not overridden falls through to the table", () => {
    expect(p.resolvePrice("INTERNAL-summarizer")).toMatchObject({ source: "override", prices: { input: 0.5, output: 1.5 } });
    expect(p.resolvePrice("claude-3-5-sonnet-20241022", "anthropic")).toMatchObject({ source: "table", prices: { input: 3 } });
  });

  it("an override with a provider applies to that provider only (by any of its names)", () => {
    expect(p.resolvePrice("llama3.2", "ollama")).toMatchObject({ source: "override", free: true, prices: { input: 0, output: 0 } });
    expect(p.resolvePrice("llama3.2", "groq")).toBeUndefined();
    expect(p.resolvePrice("claude-3-5-sonnet-20241022", "aws.bedrock")).toMatchObject({ source: "override", provider: "aws", prices: { input: 2.4 } });
  });
});

const usage = (u: Partial<TokenUsage>): TokenUsage => ({ input: 0, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0, ...u });
const priced = (prices: TokenPrices, entry = "m"): ResolvedPrice => ({ source: "table", entry, prices });

describe("costOf: the semconv token semantics, computed by hand", () => {
  it("input includes cache reads: 1000 in (200 cached) + 500 out on gpt-4o", () => {
    // 800 * 2.50 + 200 * 1.25 + 500 * 10 = 2000 + 250 + 5000 = 7250 micro-dollars
    expect(costOf(usage({ input: 1000, cacheRead: 200, output: 500 }), price("gpt-4o", "openai")!)).toEqual({ usd: 0.00725 });
  });

  it("cache writes at their own price: 10000 in (2000 read, 3000 written) + 1000 out on Claude 3.5 Sonnet", () => {
    // 5000 * 3 + 2000 * 0.30 + 3000 * 3.75 + 1000 * 15 = 15000 + 600 + 11250 + 15000 = 41850
    const c = costOf(usage({ input: 10_000, cacheRead: 2000, cacheWrite: 3000, output: 1000 }), price("claude-3-5-sonnet-20241022")!);
    expect(c.usd).toBeCloseTo(0.04185, 12);
    expect(c.notes).toBeUndefined();
  });

  it("reasoning is part of output: billed at the output price unless the table has a reasoning price", () => {
    // o3-mini: 100 * 1.10 + 1000 * 4.40 = 110 + 4400
    expect(costOf(usage({ input: 100, output: 1000, reasoning: 600 }), price("o3-mini")!).usd).toBeCloseTo(0.00451, 12);
    // separate reasoning price: 100 * 1 + 600 * 2 + 400 * 4 = 100 + 1200 + 1600
    expect(costOf(usage({ input: 100, output: 1000, reasoning: 600 }), priced({ input: 1, output: 4, reasoning: 2 })).usd).toBeCloseTo(0.0029, 12);
  });

  it("a long-context tier applies to the whole request once its input exceeds the tier start", () => {
    const sonnet = price("claude-sonnet-4-5-20250929")!;
    // 250k in (50k cached) + 10k out, above 200k: 200000 * 6 + 50000 * 0.60 + 10000 * 22.50
    const above = costOf(usage({ input: 250_000, cacheRead: 50_000, output: 10_000 }), sonnet);
    expect(above.usd).toBeCloseTo(1.2 + 0.03 + 0.225, 12);
    expect(above.notes).toEqual(["claude-sonnet-4-5: long-context price (input above 200000 tokens)"]);
    // exactly 200k is not above: 200000 * 3 + 10000 * 15
    expect(costOf(usage({ input: 200_000, output: 10_000 }), sonnet)).toEqual({ usd: 0.75 });
  });

  it("a missing cache price bills those tokens at the input price and says so", () => {
    // mistral-large has no cache prices: (1000 - 300 - 100) * 2 + 300 * 2 + 100 * 2 + 10 * 6 = 2060
    const c = costOf(usage({ input: 1000, cacheRead: 300, cacheWrite: 100, output: 10 }), price("mistral-large-2411")!);
    expect(c.usd).toBeCloseTo(0.00206, 12);
    expect(c.notes).toEqual([
      "mistral-large: no cache-read price; cache reads billed at the input price",
      "mistral-large: no cache-write price; cache writes billed at the input price",
    ]);
  });

  it("clamps cache counts above the input (input reported without cache) and notes it", () => {
    // cache read clamped to 1000, cache write to 0: 1000 * 0.30 + 0 + 0 output
    const c = costOf(usage({ input: 1000, cacheRead: 1500, cacheWrite: 500 }), priced({ input: 3, output: 15, cache_read: 0.3, cache_write: 3.75 }));
    expect(c.usd).toBeCloseTo(0.0003, 12);
    expect(c.notes).toEqual(["m: cache tokens exceeded input tokens (input should include them); clamped to the input"]);
  });

  it("an input-only model does not bill output tokens, and says so", () => {
    const c = costOf(usage({ input: 1_000_000, output: 5 }), priced({ input: 0.02 }, "text-embedding-3-small"));
    expect(c.usd).toBeCloseTo(0.02, 12);
    expect(c.notes).toEqual(["text-embedding-3-small: no output price (input-only model); output tokens not billed"]);
  });

  it("ignores negative and non-finite counts", () => {
    expect(costOf(usage({ input: -5, output: Number.NaN, cacheRead: Number.POSITIVE_INFINITY }), priced({ input: 1, output: 1 }))).toEqual({ usd: 0 });
  });
});

describe("roundUsd", () => {
  it.each([
    [0, 0],
    [0.00000015, 0.00000015],
    [0.0072500000001, 0.00725],
    [12.3456789, 12.3457],
    [1234.56789, 1234.57],
    [123456.789, 123456.79],
    [-0.000123456789, -0.000123457],
  ])("%d -> %d", (x, want) => {
    expect(roundUsd(x)).toBe(want);
  });
});
