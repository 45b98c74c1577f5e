import { describe, expect, it } from "vitest";
import { CostTally, summarizeCosts, type CostCall } from "../../src/genai/cost-summary.js";
import { createPricer, PRICES_AS_OF, type TokenUsage } from "../../src/genai/pricing.js";

const pricer = createPricer();
const at = Date.parse("2026-11-20T12:00:00Z");
const usage = (u: Partial<TokenUsage>): TokenUsage => ({ input: 0, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0, ...u });
const call = (model: string | null, provider: string | undefined, u: Partial<TokenUsage>): CostCall => ({ model, provider, usage: usage(u), at });

// Hand-computed: gpt-4o 1000 in + 500 out = 2500 + 5000 = 7500 micro-dollars;
// gpt-4o-mini 10000 in + 1000 out = 1500 + 600 = 2100; claude-3-5-sonnet 2000 in + 100 out = 6000 + 1500 = 7500.
const GPT4O = call("gpt-4o", "openai", { input: 1000, output: 500 });
const MINI = call("gpt-4o-mini", "openai", { input: 10_000, output: 1000 });
const SONNET = call("claude-3-5-sonnet-20241022", "anthropic", { input: 2000, output: 100 });
const LOCAL = call("llama3.2", "ollama", { input: 300, output: 40 });

describe("CostTally", () => {
  it("sums priced calls, totals per dimension, and lists unpriced models with their tokens", () => {
    const tally = new CostTally(pricer);
    tally.add(GPT4O, { model: "gpt-4o", service: "api" });
    tally.add(MINI, { model: "gpt-4o-mini", service: "api" });
    tally.add(SONNET, { model: "claude-3-5-sonnet-20241022", service: "worker" });
    tally.add(LOCAL, { model: "llama3.2", service: "worker" });
    tally.add(LOCAL, { model: "llama3.2", service: "worker" });

    expect(tally.totals()).toEqual({ cost_usd: 0.0171, mean_usd: 0.0057, complete: false, priced_calls: 3, unpriced_calls: 2 });
    expect(Object.fromEntries(tally.by("service"))).toEqual({
      api: { cost_usd: 0.0096, mean_usd: 0.0048, complete: true, priced_calls: 2, unpriced_calls: 0 },
      worker: { cost_usd: 0.0075, mean_usd: 0.0075, complete: false, priced_calls: 1, unpriced_calls: 2 },
    });
    // A model with no price is never $0: its own total is null.
    expect(tally.by("model").get("llama3.2")).toEqual({ cost_usd: null, mean_usd: null, complete: false, priced_calls: 0, unpriced_calls: 2 });
    expect(tally.unpricedModels()).toEqual([{ model: "llama3.2", provider: "ollama", requests: 2, input_tokens: 600, output_tokens: 80 }]);
    expect(tally.by("nothing").size).toBe(0);
  });

  it("returns each call's cost, or undefined when it has no price", () => {
    const tally = new CostTally(pricer);
    expect(tally.add(GPT4O)?.usd).toBeCloseTo(0.0075, 12);
    expect(tally.add(LOCAL)).toBeUndefined();
  });

  it("counts calls without a model id as unpriced (model null)", () => {
    const tally = new CostTally(pricer);
    tally.add(call(null, "openai", { input: 10, output: 5 }));
    tally.add(call("  ", undefined, { input: 1, output: 1 }));
    expect(tally.unpricedModels()).toEqual([
      { model: null, requests: 1, input_tokens: 1, output_tokens: 1 },
      { model: null, provider: "openai", requests: 1, input_tokens: 10, output_tokens: 5 },
    ]);
    expect(tally.totals()).toEqual({ cost_usd: null, mean_usd: null, complete: false, priced_calls: 0, unpriced_calls: 2 });
  });

  it("lists unpriced models by most requests, and keeps distinct notes once", () => {
    const tally = new CostTally(pricer);
    tally.add(call("mystery-a", undefined, { input: 1 }));
    tally.add(call("mystery-b", undefined, { input: 1 }));
    tally.add(call("mystery-b", undefined, { input: 1 }));
    tally.add(call("mistral-large-2411", "mistral_ai", { input: 100, cacheRead: 50 }));
    tally.add(call("mistral-large-2411", "mistral_ai", { input: 200, cacheRead: 20 }));
    const s = tally.summary();
    expect(s.unpriced_models.map((u) => [u.model, u.requests])).toEqual([
      ["mystery-b", 2],
      ["mystery-a", 1],
    ]);
    expect(s.notes).toEqual(["mistral-large: no cache-read price; cache reads billed at the input price"]);
    expect(s.prices_as_of).toBe(PRICES_AS_OF);
  });
});

describe("summarizeCosts", () => {
  it("no calls: $0 and complete (nothing was left out)", () => {
    expect(summarizeCosts([], pricer)).toEqual({ cost_usd: 0, mean_usd: null, complete: true, priced_calls: 0, unpriced_calls: 0, unpriced_models: [], notes: [], prices_as_of: PRICES_AS_OF });
  });

  it("all priced: complete; the sum is rounded once, at the end", () => {
    // 7500 + 2100 + 7500 micro-dollars
    expect(summarizeCosts([GPT4O, MINI, SONNET], pricer)).toMatchObject({ cost_usd: 0.0171, complete: true, priced_calls: 3, unpriced_calls: 0 });
    // 1000 calls of 0.15 micro-dollars each (1 input token on gpt-4o-mini): not lost to rounding.
    const tiny = Array.from({ length: 1000 }, () => call("gpt-4o-mini", "openai", { input: 1 }));
    expect(summarizeCosts(tiny, pricer).cost_usd).toBe(0.00015);
  });
});
