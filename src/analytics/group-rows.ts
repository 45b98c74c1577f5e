/**
 * Group-by with metrics over rows (spans or traces), optionally in time buckets, with cost in
 * dollars folded in from the price table. The same output shape is built from a backend's
 * pushed-down answer (fromBackendGroups), so both paths answer alike.
 */
import type { Span, Trace } from "../domain/trace.js";
import { CostTally, type CostCall, type CostSummary, type CostTotals } from "../genai/cost-summary.js";
import { sameTierBetween, type Pricer } from "../genai/pricing.js";
import type { AggregateGroup } from "./aggregate-answer.js";
import { spanFieldValue, traceFieldValue, type KeyValue } from "./fields.js";
import { costCallOf, llmUsageOf } from "./llm-usage.js";
import { metricsOf, type BackendMetric, type MetricName, type MetricRow } from "./metrics.js";

export interface Row {
  /** Values of the group-by fields, in order. */
  key: KeyValue[];
  startMs: number;
  metric: MetricRow;
  /** The LLM calls inside the row, for cost. */
  calls: CostCall[];
}

export interface GroupOut {
  key: Record<string, KeyValue>;
  /** Epoch ms of the bucket (interval queries). */
  bucketStartMs?: number;
  values: Partial<Record<MetricName, number | null>>;
}

export interface Grouped {
  groups: GroupOut[];
  /** Present when cost_usd was asked for. */
  cost?: CostSummary;
}

export function spanRow(span: Span, groupBy: readonly string[]): Row {
  const u = llmUsageOf(span);
  const call = costCallOf(span);
  return {
    key: groupBy.map((f) => spanFieldValue(span, f)),
    startMs: span.startTimeUs / 1000,
    metric: { durationMs: span.durationMs, isError: span.status === "ERROR", inputTokens: u?.input ?? 0, outputTokens: u?.output ?? 0, totalTokens: u?.total ?? 0 },
    calls: call ? [call] : [],
  };
}

export function traceRow(trace: Trace, groupBy: readonly string[]): Row {
  let input = 0;
  let output = 0;
  let totalTokens = 0;
  const calls: CostCall[] = [];
  for (const s of trace.spans) {
    const u = llmUsageOf(s);
    if (!u) continue;
    input += u.input;
    output += u.output;
    totalTokens += u.total;
    calls.push(costCallOf(s)!);
  }
  return {
    key: groupBy.map((f) => traceFieldValue(trace, f)),
    startMs: trace.startTimeUs / 1000,
    metric: { durationMs: trace.durationMs, isError: trace.status === "ERROR", inputTokens: input, outputTokens: output, totalTokens },
    calls,
  };
}

function bucketOf(startMs: number, intervalMs: number | undefined): number | undefined {
  return intervalMs ? Math.floor(startMs / intervalMs) * intervalMs : undefined;
}

const groupId = (key: readonly KeyValue[], bucket: number | undefined): string => JSON.stringify([bucket ?? null, ...key]);

function keyObject(groupBy: readonly string[], key: readonly KeyValue[]): Record<string, KeyValue> {
  return Object.fromEntries(groupBy.map((f, i) => [f, key[i] ?? null]));
}

/**
 * A group's dollars: its priced calls' sum; null when it had LLM calls and none was priced (never
 * $0 for an unpriced model); 0 for a group without LLM calls.
 */
function groupCost(costs: ReadonlyMap<string, CostTotals> | undefined, id: string, wanted: boolean): number | null {
  if (!wanted) return null;
  const c = costs?.get(id);
  return c ? c.cost_usd : 0;
}

/** Rows -> groups with the requested metrics (cost from the pricer when asked). */
export function groupRows(rows: readonly Row[], groupBy: readonly string[], metrics: readonly MetricName[], intervalMs: number | undefined, pricer: Pricer | undefined): Grouped {
  const wantsCost = metrics.includes("cost_usd") && pricer !== undefined;
  const tally = wantsCost ? new CostTally(pricer!) : undefined;
  // Groups in first-seen order; the caller sorts them.
  const byId = new Map<string, Row[]>();
  for (const r of rows) {
    const id = groupId(r.key, bucketOf(r.startMs, intervalMs));
    const list = byId.get(id);
    if (list) list.push(r);
    else byId.set(id, [r]);
    if (tally) for (const c of r.calls) tally.add(c, { group: id });
  }
  const costs = tally?.by("group");
  const out: GroupOut[] = [...byId.entries()].map(([id, members]) => {
    const m = metricsOf(members.map((r) => r.metric));
    const values: Partial<Record<MetricName, number | null>> = {};
    for (const name of metrics) values[name] = name === "cost_usd" ? groupCost(costs, id, wantsCost) : m[name];
    const first = members[0]!;
    const bucket = bucketOf(first.startMs, intervalMs);
    return { key: keyObject(groupBy, first.key), ...(bucket !== undefined ? { bucketStartMs: bucket } : {}), values };
  });
  return { groups: out, ...(tally ? { cost: tally.summary() } : {}) };
}

/**
 * A backend's pushed-down groups in the same shape, with cost folded in from its per-model usage.
 * Each model's calls in a group are priced as their mean call `calls` times, which is what pricing
 * them one by one gives when one price applies to all of them (no date- or time-of-day-bound price
 * change between the first and the last, one long-context tier, no call with more cache than input
 * or more reasoning than output); otherwise undefined: the caller computes the aggregate from rows.
 */
export function fromBackendGroups(groups: readonly AggregateGroup[], metrics: readonly MetricName[], pricer: Pricer | undefined): Grouped | undefined {
  const wantsCost = metrics.includes("cost_usd") && pricer !== undefined;
  const tally = wantsCost ? new CostTally(pricer!) : undefined;
  const ids = groups.map((g) => JSON.stringify([g.bucketStartMs ?? null, g.key]));
  for (let i = 0; i < groups.length && tally; i++) {
    for (const u of groups[i]!.models ?? []) {
      const model = u.model?.trim() || null;
      const provider = u.provider?.trim() || undefined;
      const price = model ? pricer!.resolvePriceThroughout(model, provider, u.firstAtMs, u.lastAtMs) : undefined;
      if (price === "varies") return undefined;
      if (price && (u.clamped > 0 || !sameTierBetween(price.prices, u.minInput, u.maxInput))) return undefined;
      const usage = { input: u.input, output: u.output, cacheRead: u.cacheRead, cacheWrite: u.cacheWrite, reasoning: u.reasoning };
      tally.addUniform(model, provider, usage, u.calls, price, { group: ids[i]! });
    }
  }
  const costs = tally?.by("group");
  return {
    groups: groups.map((g, i) => {
      const values: Partial<Record<MetricName, number | null>> = {};
      for (const name of metrics) values[name] = name === "cost_usd" ? groupCost(costs, ids[i]!, wantsCost) : (g.values[name as BackendMetric] ?? null);
      return { key: g.key, ...(g.bucketStartMs !== undefined ? { bucketStartMs: g.bucketStartMs } : {}), values };
    }),
    ...(tally ? { cost: tally.summary() } : {}),
  };
}
