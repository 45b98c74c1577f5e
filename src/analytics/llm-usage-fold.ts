/**
 * A backend's aggregated LLM calls (llm-usage-answer.ts) -> what the LLM tools compute from the
 * calls themselves: dollars and figures equal to pricing and summarizing each call in JavaScript.
 *
 * Dollars: the backend prices each call at its model's rates in costOf's floating-point steps and
 * sums in the calls' order (llmCost), so sums and their rounding are the calls' own. That needs
 * one set of rates per model and provider: no date- or time-of-day-bound price change between its
 * first and last call, one long-context tier, no call costOf would clamp. Otherwise undefined: the
 * tool reads the calls. Notes are costOf's for each kind of call (which token kinds it has), in the
 * order the calls would first give them.
 */
import { SHAPE, type LlmCallPrice, type LlmCostAnswer, type LlmUsageGroup, type SortedSeries } from "./llm-usage-answer.js";
import { CostTally, type CostSummary, type CostTotals } from "../genai/cost-summary.js";
import { costOf, ratesAt, sameTierBetween, type Pricer, type ResolvedPrice } from "../genai/pricing.js";
import type { Stats } from "./stats.js";

export interface GroupCosts {
  summary: CostSummary;
  by(dimension: string): Map<string, CostTotals>;
}

export type CostDimension = "model" | "service";

const MAX_NOTES = 20;

interface Pair {
  model: string | null;
  provider: string;
  firstUs: number;
  lastUs: number;
  minInput: number;
  maxInput: number;
  clamped: number;
  price?: ResolvedPrice | undefined;
}

const pairId = (g: { model: string | null; provider: string }): string => JSON.stringify([g.model, g.provider]);

/** A call of this shape within the pair's input range: what costOf notes for it. */
function notesOf(shape: number, maxInput: number, price: ResolvedPrice): string[] {
  const has = (bit: number, n: number): number => (shape & bit ? n : 0);
  const usage = { input: maxInput, cacheRead: has(SHAPE.cacheRead, 1), cacheWrite: has(SHAPE.cacheWrite, 1), output: has(SHAPE.output, 2), reasoning: has(SHAPE.reasoning, 1) };
  return costOf(usage, price).notes ?? [];
}

/**
 * The cost summary of the groups' calls, and per model key (groupModelKey) / service; `run` asks
 * the backend for the priced calls' ordered sums. Undefined when it cannot be exact.
 */
export async function costOfGroups(
  groups: readonly LlmUsageGroup[],
  pricer: Pricer,
  by: readonly CostDimension[],
  run: (prices: LlmCallPrice[], by: CostDimension[]) => Promise<LlmCostAnswer>,
): Promise<GroupCosts | undefined> {
  const pairs = new Map<string, Pair>();
  for (const g of groups) {
    const id = pairId(g);
    const p = pairs.get(id);
    if (!p) pairs.set(id, { model: g.model, provider: g.provider, firstUs: g.firstUs, lastUs: g.lastUs, minInput: g.minInput, maxInput: g.maxInput, clamped: g.clamped });
    else {
      p.firstUs = Math.min(p.firstUs, g.firstUs);
      p.lastUs = Math.max(p.lastUs, g.lastUs);
      p.minInput = Math.min(p.minInput, g.minInput);
      p.maxInput = Math.max(p.maxInput, g.maxInput);
      p.clamped += g.clamped;
    }
  }
  const prices: LlmCallPrice[] = [];
  for (const p of pairs.values()) {
    // As CostTally.add looks a call's price up.
    const model = p.model?.trim() || null;
    const provider = p.provider.trim() || undefined;
    const price = model ? pricer.resolvePriceThroughout(model, provider, p.firstUs / 1000, p.lastUs / 1000) : undefined;
    if (price === "varies") return undefined;
    if (!price) continue;
    if (p.clamped > 0 || !sameTierBetween(price.prices, p.minInput, p.maxInput)) return undefined;
    p.price = price;
    prices.push({ model: p.model, provider: p.provider, rates: ratesAt(price.prices, p.minInput) });
  }
  const keyOf = (g: LlmUsageGroup, d: CostDimension): string => (d === "model" ? groupModelKey(g) : g.service);
  const tally = new CostTally(pricer);
  const firstAt = new Map<string, string>();
  let pricedCalls = 0;
  for (const g of groups) {
    const price = pairs.get(pairId(g))!.price;
    if (!price) {
      const usage = { input: g.input, output: g.output, cacheRead: g.cacheRead, cacheWrite: g.cacheWrite, reasoning: g.reasoning };
      tally.addUniform(g.model, g.provider, usage, g.calls, undefined, Object.fromEntries(by.map((d) => [d, keyOf(g, d)])));
      continue;
    }
    pricedCalls += g.calls;
    for (const n of notesOf(g.shape, pairs.get(pairId(g))!.maxInput, price)) {
      const seen = firstAt.get(n);
      if (seen === undefined || g.firstKey < seen) firstAt.set(n, g.firstKey);
    }
  }
  if (prices.length > 0) {
    const sums = await run(prices, [...by]);
    // The backend priced the very calls counted here, or the answer is not exact.
    if (sums.all.calls !== pricedCalls) return undefined;
    tally.addPricedSum(sums.all.usd, sums.all.calls);
    for (const d of by) for (const [key, s] of Object.entries(sums[d])) tally.addPricedSum(s.usd, s.calls, { dimension: d, key });
  }
  const notes = [...firstAt.entries()].sort((a, b) => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0)).slice(0, MAX_NOTES).map(([n]) => n);
  return { summary: { ...tally.summary(), notes }, by: (d) => tally.by(d) };
}

/** summarize() of the series the facts describe (analytics/stats.ts: the same arithmetic on the same values). */
export function summarizeSorted(s: SortedSeries): Stats {
  if (s.n === 0) return { mean: 0, median: 0, p50: 0, p95: 0, p99: 0 };
  const at = (p: number, [lower, upper]: [number, number]): number => {
    const index = (s.n - 1) * p;
    const w = index - Math.floor(index);
    return lower * (1 - w) + upper * w;
  };
  const p50 = at(0.5, s.p50);
  return { mean: s.sum / s.n, median: p50, p50, p95: at(0.95, s.p95), p99: at(0.99, s.p99) };
}

/** The model the LLM tools name a call by (tools/llm-common.ts modelKey) from a group's model. */
export const groupModelKey = (g: LlmUsageGroup): string => g.model ?? "unknown";
