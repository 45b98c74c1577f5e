/**
 * Cost in dollars of LLM calls: the public face of pricing. `createPricer` looks prices up in the
 * vendored genai-prices table (prices.json) behind any user overrides; `costOf` prices one call's
 * tokens; `roundUsd` rounds money for answers. Pure (overrides files are read by pricing-file.ts).
 */
import { createPriceLookup, type Pricer, type ResolvedPrice } from "./price-lookup.js";
import type { PriceOverride } from "./price-overrides.js";
import type { PriceTable, Rate, TokenPrices } from "./price-table.js";
import { VENDORED_PRICES } from "./vendored-prices.js";

export { PRICES_AS_OF, PRICE_SOURCE } from "./vendored-prices.js";
export type { Pricer, ResolvedPrice } from "./price-lookup.js";
export type { PriceOverride } from "./price-overrides.js";
export type { Rate, TieredRate, TokenPrices } from "./price-table.js";

/** Token counts of one call in the semconv sense: input includes cache reads and writes, output includes reasoning. */
export interface TokenUsage {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  reasoning: number;
}

export interface CallCost {
  usd: number;
  notes?: string[];
}

export interface PricerOptions {
  /** From loadPricingOverrides (--pricing / LLM_PRICING_FILE); they win over the table. */
  overrides?: readonly PriceOverride[];
  /** Defaults to the vendored table. */
  table?: PriceTable;
}

export function createPricer(options: PricerOptions = {}): Pricer {
  return createPriceLookup(options.table ?? VENDORED_PRICES, options.overrides ?? []);
}

/** The rate for a request with `inputTokens` of input, and the tier start crossed (if any). */
function rateFor(rate: Rate, inputTokens: number): { price: number; tier?: number } {
  if (typeof rate === "number") return { price: rate };
  for (let i = rate.tiers.length - 1; i >= 0; i--) {
    const t = rate.tiers[i]!;
    if (inputTokens > t.start) return { price: t.price, tier: t.start };
  }
  return { price: rate.base };
}

/** The rates costOf bills a call with `inputTokens` of input at, per 1M tokens (cache prices the input's where missing; null: no such price). */
export interface CallRates {
  input: number;
  cacheRead: number;
  cacheWrite: number;
  output: number | null;
  reasoning: number | null;
}

export function ratesAt(p: Readonly<TokenPrices>, inputTokens: number): CallRates {
  const rate = (r: Rate): number => rateFor(r, count(inputTokens)).price;
  const input = p.input === undefined ? 0 : rate(p.input);
  return {
    input,
    cacheRead: p.cache_read === undefined ? input : rate(p.cache_read),
    cacheWrite: p.cache_write === undefined ? input : rate(p.cache_write),
    output: p.output === undefined ? null : rate(p.output),
    reasoning: p.reasoning === undefined ? null : rate(p.reasoning),
  };
}

/**
 * True when every long-context tier of `prices` is the same for a request with `minInput` input
 * tokens as for one with `maxInput` (so for every request in between: tiers are chosen per request).
 */
export function sameTierBetween(prices: Readonly<TokenPrices>, minInput: number, maxInput: number): boolean {
  for (const r of [prices.input, prices.output, prices.cache_read, prices.cache_write, prices.reasoning]) {
    if (r === undefined || typeof r === "number") continue;
    if (rateFor(r, minInput).tier !== rateFor(r, maxInput).tier) return false;
  }
  return true;
}

const count = (x: number): number => (Number.isFinite(x) && x > 0 ? x : 0);

/**
 * The cost of one call. Token semantics follow the GenAI semconv: input includes cache reads and
 * writes, output includes reasoning, so
 *   usd = (input - cacheRead - cacheWrite) * input price + cacheRead * cache-read price
 *       + cacheWrite * cache-write price + output * output price      (prices per 1M tokens)
 * A separate reasoning price, where the table has one, bills the reasoning share of output.
 * A missing cache price bills those tokens at the input price and says so; cache counts above the
 * input are clamped (and noted). Tiered prices use this request's input tokens. Not rounded:
 * round sums with `roundUsd`.
 */
export function costOf(usage: TokenUsage, price: ResolvedPrice): CallCost {
  const notes: string[] = [];
  const label = price.entry;
  const p = price.prices;
  const input = count(usage.input);
  const output = count(usage.output);
  let cacheRead = count(usage.cacheRead);
  let cacheWrite = count(usage.cacheWrite);
  let reasoning = count(usage.reasoning);
  if (cacheRead + cacheWrite > input) {
    notes.push(`${label}: cache tokens exceeded input tokens (input should include them); clamped to the input`);
    cacheRead = Math.min(cacheRead, input);
    cacheWrite = Math.min(cacheWrite, input - cacheRead);
  }
  if (reasoning > output) {
    if (p.reasoning !== undefined) notes.push(`${label}: reasoning tokens exceeded output tokens; clamped to the output`);
    reasoning = output;
  }

  let tier: number | undefined;
  const rate = (r: Rate): number => {
    const { price: value, tier: crossed } = rateFor(r, input);
    if (crossed !== undefined) tier = Math.max(tier ?? 0, crossed);
    return value;
  };
  const inputRate = p.input === undefined ? 0 : rate(p.input);
  let micro = (input - cacheRead - cacheWrite) * inputRate;
  if (cacheRead > 0) {
    if (p.cache_read === undefined) notes.push(`${label}: no cache-read price; cache reads billed at the input price`);
    micro += cacheRead * (p.cache_read === undefined ? inputRate : rate(p.cache_read));
  }
  if (cacheWrite > 0) {
    if (p.cache_write === undefined) notes.push(`${label}: no cache-write price; cache writes billed at the input price`);
    micro += cacheWrite * (p.cache_write === undefined ? inputRate : rate(p.cache_write));
  }
  if (output > 0) {
    if (p.output === undefined) {
      notes.push(`${label}: no output price (input-only model); output tokens not billed`);
    } else if (p.reasoning !== undefined && reasoning > 0) {
      micro += reasoning * rate(p.reasoning) + (output - reasoning) * rate(p.output);
    } else {
      micro += output * rate(p.output);
    }
  }
  if (tier !== undefined) notes.push(`${label}: long-context price (input above ${tier} tokens)`);
  const usd = micro / 1_000_000;
  return notes.length > 0 ? { usd, notes } : { usd };
}

/**
 * Money as answers show it: 6 significant digits (so a $0.00000015 call is not shown as 0), and
 * never coarser than a cent for large sums (123456.789 -> 123456.79).
 */
export function roundUsd(usd: number): number {
  if (!Number.isFinite(usd) || usd === 0) return usd === 0 ? 0 : usd;
  if (Math.abs(usd) >= 10_000) return Math.round(usd * 100) / 100;
  return Number(usd.toPrecision(6));
}
