/**
 * AggregateQuery -> TraceQL metrics (instant queries), for what Tempo computes exactly, and the
 * series they answer -> AggregateGroups. Pure. Anything it cannot honour exactly is `undefined`,
 * and the query layer computes the aggregate over fetched traces instead.
 *
 * What maps (Tempo docs, "TraceQL metrics functions"; pkg/traceql/engine_metrics.go):
 * - level "span" only: metrics functions observe spans;
 * - filters: only those exactSpanCondition() writes, all in one spanset (span semantics);
 * - group-by: service.name -> resource.service.name, operation_name -> name, status -> status,
 *   other attributes -> span.<key>; not the normalised GenAI fields, `model`, ids or trace-only
 *   fields (they are computed by the GenAI normaliser, not stored);
 * - count, error_count, error_rate: `count_over_time() by (<groups>, status)`;
 *   avg_duration_ms: `sum_over_time(duration)` / count; max_duration_ms: `max_over_time(duration)`
 *   (durations in seconds, ns / 1e9, turned back into the span's own nanoseconds);
 * - not: percentiles (quantile_over_time reads log2 histogram buckets, an approximation, while our
 *   percentiles interpolate the exact values), token sums (the normaliser reads several keys per
 *   convention), time buckets (Tempo's steps are right-closed intervals aligned to multiples of the
 *   step, so a span starting on a boundary lands in the earlier one), per-model usage.
 * Rows: spans whose start lies in [startMs, endMs] (an instant query's range, both ends inclusive).
 */
import type { AttributeValue } from "../../domain/attributes.js";
import { PSEUDO_FIELDS } from "../../domain/filter.js";
import type { BackendMetric } from "../../analytics/metrics.js";
import type { AggregateGroup, AggregateQuery } from "../trace-backend.js";
import { exactSpanCondition, spanAttribute } from "./traceql.js";

/** One group-by field: the TraceQL it is written as, the label Tempo names it by, its local value. */
interface GroupField {
  field: string;
  traceql: string;
  /** Label value (undefined = the span had none) -> the group key value. */
  value: (label: AttributeValue | undefined) => string | number | boolean | null | undefined;
}

export interface MetricsPlan {
  /** Instant queries to send, by what they compute. */
  count: string;
  sumDuration?: string;
  maxDuration?: string;
  groups: GroupField[];
  metrics: BackendMetric[];
}

const SUPPORTED: ReadonlySet<BackendMetric> = new Set(["count", "error_count", "error_rate", "avg_duration_ms", "max_duration_ms"]);

/** Fields the GenAI normaliser computes (and their prefixes): not stored attributes, so not groupable here. */
const NORMALISED = /^(model|session\.id|user\.id|gen_ai\..*|llm\..*|ai\..*)$/;

const STATUS_VALUES: Readonly<Record<string, string>> = { error: "ERROR", ok: "OK", unset: "UNSET" };

const scalar = (v: AttributeValue | undefined): string | number | boolean | null | undefined =>
  v === undefined ? null : typeof v === "string" || typeof v === "number" || typeof v === "boolean" ? v : undefined;

function groupField(field: string): GroupField | undefined {
  if (field === "service.name") {
    // A span without a service name reads "unknown" locally (src/otlp/span-builder.ts).
    return { field, traceql: "resource.service.name", value: (v) => (v === undefined ? "unknown" : typeof v === "string" ? (v === "" ? "unknown" : v) : undefined) };
  }
  if (field === "operation_name" || field === "name") return { field, traceql: "name", value: (v) => (typeof v === "string" ? v : undefined) };
  if (field === "status") return { field, traceql: "status", value: (v) => (typeof v === "string" ? STATUS_VALUES[v] : undefined) };
  if (PSEUDO_FIELDS.has(field) || NORMALISED.test(field) || !/^[A-Za-z0-9_.]+$/.test(field)) return undefined;
  return { field, traceql: spanAttribute(field), value: scalar };
}

/** The plan for an aggregate Tempo answers exactly, or undefined. */
export function planMetrics(q: AggregateQuery): MetricsPlan | undefined {
  if (q.level !== "span" || q.intervalMs !== undefined || q.byModel || q.groupBy.length > 3) return undefined;
  if (q.metrics.length === 0 || q.metrics.some((m) => !SUPPORTED.has(m))) return undefined;
  const conditions: string[] = [];
  for (const f of q.filters) {
    const c = exactSpanCondition(f);
    if (c === undefined) return undefined;
    conditions.push(c);
  }
  const groups: GroupField[] = [];
  for (const g of q.groupBy) {
    const gf = groupField(g);
    if (!gf) return undefined;
    groups.push(gf);
  }
  const selector = conditions.length === 0 ? "{ }" : `{ ${conditions.join(" && ")} }`;
  const by = (extra: string[]): string => {
    const list = [...new Set([...groups.map((g) => g.traceql), ...extra])];
    return list.length === 0 ? "" : ` by (${list.join(", ")})`;
  };
  // Status is always a label of the count: it gives error_count, and it is never nil, so Tempo's
  // "every label nil" special case (the first label becomes the string "nil") cannot arise.
  const plan: MetricsPlan = { count: `${selector} | count_over_time()${by(["status"])}`, groups, metrics: [...q.metrics] };
  if (q.metrics.includes("avg_duration_ms")) plan.sumDuration = `${selector} | sum_over_time(duration)${by(["status"])}`;
  if (q.metrics.includes("max_duration_ms")) plan.maxDuration = `${selector} | max_over_time(duration)${by(["status"])}`;
  return plan;
}

/** One series of an instant answer: labels by name, and its value. */
export interface InstantSeries {
  labels: Record<string, AttributeValue>;
  value: number;
}

/** Seconds (ns / 1e9 as Tempo computes them) back to the span's milliseconds (ns / 1e6). */
const secondsToMs = (s: number): number => Math.round(s * 1e9) / 1e6;

/**
 * Groups from the series of the plan's queries; undefined when a label cannot be read as a group
 * value (an array attribute, say), so the caller falls back rather than guess.
 */
export function groupsFromSeries(
  plan: MetricsPlan,
  count: readonly InstantSeries[],
  sumDuration: readonly InstantSeries[] = [],
  maxDuration: readonly InstantSeries[] = [],
): { groups: AggregateGroup[]; spans: number } | undefined {
  interface Acc {
    key: Record<string, string | number | boolean | null>;
    count: number;
    errors: number;
    sumS: number;
    maxS: number | undefined;
  }
  const accs = new Map<string, Acc>();
  const accFor = (s: InstantSeries): Acc | undefined => {
    const key: Record<string, string | number | boolean | null> = {};
    for (const g of plan.groups) {
      const v = g.value(s.labels[g.traceql]);
      if (v === undefined) return undefined;
      key[g.field] = v;
    }
    // Int 1 and float 1.0 are two series in Tempo but one value here: merge them.
    const id = JSON.stringify(plan.groups.map((g) => key[g.field]));
    let acc = accs.get(id);
    if (!acc) accs.set(id, (acc = { key, count: 0, errors: 0, sumS: 0, maxS: undefined }));
    return acc;
  };
  for (const s of count) {
    const acc = accFor(s);
    if (!acc || !Number.isFinite(s.value)) return undefined;
    acc.count += s.value;
    if (s.labels.status === "error") acc.errors += s.value;
  }
  for (const s of sumDuration) {
    const acc = accFor(s);
    if (!acc) return undefined;
    if (Number.isFinite(s.value)) acc.sumS += s.value;
  }
  for (const s of maxDuration) {
    const acc = accFor(s);
    if (!acc) return undefined;
    if (Number.isFinite(s.value)) acc.maxS = acc.maxS === undefined ? s.value : Math.max(acc.maxS, s.value);
  }
  let spans = 0;
  const groups: AggregateGroup[] = [];
  for (const acc of accs.values()) {
    if (acc.count === 0) continue;
    spans += acc.count;
    const values: AggregateGroup["values"] = {};
    for (const m of plan.metrics) {
      if (m === "count") values.count = acc.count;
      else if (m === "error_count") values.error_count = acc.errors;
      else if (m === "error_rate") values.error_rate = (acc.errors / acc.count) * 100;
      else if (m === "avg_duration_ms") values.avg_duration_ms = (acc.sumS * 1000) / acc.count;
      else if (m === "max_duration_ms") values.max_duration_ms = acc.maxS === undefined ? null : secondsToMs(acc.maxS);
    }
    groups.push({ key: acc.key, values });
  }
  return { groups, spans };
}
