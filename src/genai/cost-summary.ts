/**
 * Sums the cost of many LLM calls for the tools: a total, totals per key (model, service, group,
 * ...), and the models that have no price. An unpriced call is never counted as $0: it is left out
 * of every sum, the sums say `complete: false`, and its model is listed in `unpriced_models` with
 * its token counts. A sum over calls none of which was priced is `null`, not 0.
 */
import { costOf, roundUsd, type CallCost, type Pricer, type ResolvedPrice, type TokenUsage } from "./pricing.js";

export interface CostCall {
  /** The model id the span reported (response model, else request model). */
  model: string | null | undefined;
  /** gen_ai.provider.name or gen_ai.system, as reported. */
  provider?: string | null | undefined;
  usage: TokenUsage;
  /** The call's start (epoch ms), for date-bound prices. */
  at?: number;
}

export interface CostTotals {
  /** Sum over the priced calls, rounded with roundUsd; null when calls were seen but none was priced. */
  cost_usd: number | null;
  /** Mean cost of a priced call (for get_llm_model_stats' cost_usd.mean); null when none was priced. */
  mean_usd: number | null;
  /** True when every call counted here was priced. */
  complete: boolean;
  priced_calls: number;
  unpriced_calls: number;
}

export interface UnpricedModel {
  /** null: calls that reported no model id at all. */
  model: string | null;
  provider?: string;
  requests: number;
  input_tokens: number;
  output_tokens: number;
}

export interface CostSummary extends CostTotals {
  unpriced_models: UnpricedModel[];
  /** Distinct pricing notes (missing cache prices, clamped counts, long-context tiers), at most 20. */
  notes: string[];
  prices_as_of: string;
}

interface Sum {
  usd: number;
  priced: number;
  unpriced: number;
}

const MAX_NOTES = 20;

function totalsOf(s: Sum): CostTotals {
  return {
    cost_usd: s.priced === 0 && s.unpriced > 0 ? null : roundUsd(s.usd),
    mean_usd: s.priced === 0 ? null : roundUsd(s.usd / s.priced),
    complete: s.unpriced === 0,
    priced_calls: s.priced,
    unpriced_calls: s.unpriced,
  };
}

/**
 * One pass over calls. `add(call, keys)` files the call under each named dimension, e.g.
 * `tally.add(call, { model: "gpt-4o", service: "api" })`; `by("service")` then has per-service totals.
 * Money is summed unrounded and rounded on the way out.
 */
export class CostTally {
  private readonly all: Sum = { usd: 0, priced: 0, unpriced: 0 };
  private readonly dims = new Map<string, Map<string, Sum>>();
  private readonly unpriced = new Map<string, UnpricedModel>();
  private readonly noteSet = new Set<string>();

  constructor(private readonly pricer: Pricer) {}

  /** Prices one call and counts it; returns its cost, or undefined when the model has no price. */
  add(call: CostCall, keys: Readonly<Record<string, string | null | undefined>> = {}): CallCost | undefined {
    const model = call.model?.trim() || null;
    const provider = call.provider?.trim() || undefined;
    const price = model ? this.pricer.resolvePrice(model, provider, call.at) : undefined;
    return this.count(model, provider, call.usage, 1, price, keys);
  }

  /**
   * Counts `calls` calls of one model whose summed usage is `usage`, as `calls` times their mean
   * call at `price` (undefined: unpriced). Only exact when each call would get the same price and
   * rates (same time-bound price, same long-context tier, nothing clamped): the caller checks that
   * (analytics/group-rows.ts fromBackendGroups). Returns the mean call's cost.
   */
  addUniform(model: string | null | undefined, provider: string | null | undefined, usage: TokenUsage, calls: number, price: ResolvedPrice | undefined, keys: Readonly<Record<string, string | null | undefined>> = {}): CallCost | undefined {
    if (calls <= 0) return undefined;
    return this.count(model?.trim() || null, provider?.trim() || undefined, usage, calls, model?.trim() ? price : undefined, keys);
  }

  /**
   * Dollars summed elsewhere over `calls` priced calls (a backend pricing each call as costOf does,
   * in order): into the total, or with `at` into one key of one dimension only.
   */
  addPricedSum(usd: number, calls: number, at?: { dimension: string; key: string }): void {
    let s = this.all;
    if (at) {
      let m = this.dims.get(at.dimension);
      if (!m) this.dims.set(at.dimension, (m = new Map()));
      s = m.get(at.key) ?? { usd: 0, priced: 0, unpriced: 0 };
      m.set(at.key, s);
    }
    s.usd += usd;
    s.priced += calls;
  }

  private count(
    model: string | null,
    provider: string | undefined,
    usage: TokenUsage,
    calls: number,
    price: ResolvedPrice | undefined,
    keys: Readonly<Record<string, string | null | undefined>>,
  ): CallCost | undefined {
    const mean: TokenUsage =
      calls === 1
        ? usage
        : { input: usage.input / calls, output: usage.output / calls, cacheRead: usage.cacheRead / calls, cacheWrite: usage.cacheWrite / calls, reasoning: usage.reasoning / calls };
    const cost = price ? costOf(mean, price) : undefined;
    const bump = (s: Sum): void => {
      if (cost) {
        s.usd += calls === 1 ? cost.usd : cost.usd * calls;
        s.priced += calls;
      } else {
        s.unpriced += calls;
      }
    };
    bump(this.all);
    for (const [dim, key] of Object.entries(keys)) {
      if (key === undefined || key === null) continue;
      let m = this.dims.get(dim);
      if (!m) this.dims.set(dim, (m = new Map()));
      let s = m.get(key);
      if (!s) m.set(key, (s = { usd: 0, priced: 0, unpriced: 0 }));
      bump(s);
    }
    if (cost) {
      for (const n of cost.notes ?? []) if (this.noteSet.size < MAX_NOTES) this.noteSet.add(n);
    } else {
      const id = `${model ?? ""}\u0000${provider ?? ""}`;
      let u = this.unpriced.get(id);
      if (!u) {
        u = { model, ...(provider ? { provider } : {}), requests: 0, input_tokens: 0, output_tokens: 0 };
        this.unpriced.set(id, u);
      }
      u.requests += calls;
      u.input_tokens += tokens(usage.input);
      u.output_tokens += tokens(usage.output);
    }
    return cost;
  }

  totals(): CostTotals {
    return totalsOf(this.all);
  }

  /** Totals per key of one dimension, in first-seen order. */
  by(dimension: string): Map<string, CostTotals> {
    const out = new Map<string, CostTotals>();
    for (const [k, s] of this.dims.get(dimension) ?? []) out.set(k, totalsOf(s));
    return out;
  }

  /** Most requests first, then by model id. */
  unpricedModels(): UnpricedModel[] {
    return [...this.unpriced.values()]
      .map((u) => ({ ...u }))
      .sort((a, b) => b.requests - a.requests || (a.model ?? "").localeCompare(b.model ?? "") || (a.provider ?? "").localeCompare(b.provider ?? ""));
  }

  summary(): CostSummary {
    return { ...this.totals(), unpriced_models: this.unpricedModels(), notes: [...this.noteSet], prices_as_of: this.pricer.pricesAsOf };
  }
}

function tokens(n: number): number {
  return Number.isFinite(n) && n > 0 ? n : 0;
}

/** Convenience: the summary of calls (no per-key totals). */
export function summarizeCosts(calls: Iterable<CostCall>, pricer: Pricer): CostSummary {
  const tally = new CostTally(pricer);
  for (const call of calls) tally.add(call);
  return tally.summary();
}
