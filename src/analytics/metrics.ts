/**
 * The metrics an aggregate can ask for, and how each is computed over a group of rows (a row is a
 * span at level "span", a trace at level "trace"). Backends that push aggregates down compute the
 * same definitions in SQL or TraceQL; percentiles are linear interpolation everywhere.
 */
import { aggregate, type Measures } from "./aggregate.js";
import { percentile } from "./stats.js";

export const METRIC_NAMES = [
  "count",
  "error_count",
  "error_rate",
  "avg_duration_ms",
  "p50_duration_ms",
  "p90_duration_ms",
  "p95_duration_ms",
  "p99_duration_ms",
  "max_duration_ms",
  "input_tokens",
  "output_tokens",
  "total_tokens",
  "cost_usd",
] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

/** The metrics a backend can compute itself (cost needs the price table, so it is folded in here). */
export type BackendMetric = Exclude<MetricName, "cost_usd">;

export const DEFAULT_METRICS: readonly MetricName[] = ["count", "error_rate", "p50_duration_ms", "p95_duration_ms"];

export const PERCENTILES: Readonly<Partial<Record<MetricName, number>>> = {
  p50_duration_ms: 0.5,
  p90_duration_ms: 0.9,
  p95_duration_ms: 0.95,
  p99_duration_ms: 0.99,
};

/** What a metric needs of a row. */
export interface MetricRow {
  durationMs: number;
  isError: boolean;
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
}

const MEASURES = {
  count: { kind: "count" },
  errors: { kind: "countIf", when: (r) => r.isError },
  durations: { kind: "values", of: (r) => r.durationMs },
  input: { kind: "sum", of: (r) => r.inputTokens },
  output: { kind: "sum", of: (r) => r.outputTokens },
  total: { kind: "sum", of: (r) => r.totalTokens },
} satisfies Measures<MetricRow>;

/** Every backend-computable metric of one group of rows (error_rate in percent, 0-100). */
export function metricsOf(rows: readonly MetricRow[]): Record<BackendMetric, number | null> {
  const [g] = aggregate(rows, () => 0, MEASURES);
  const count = g?.count ?? 0;
  const d = g?.durations ?? [];
  const q = (p: number): number | null => (d.length === 0 ? null : percentile(d, p));
  return {
    count,
    error_count: g?.errors ?? 0,
    error_rate: count === 0 ? null : ((g?.errors ?? 0) / count) * 100,
    avg_duration_ms: d.length === 0 ? null : d.reduce((a, b) => a + b, 0) / d.length,
    p50_duration_ms: q(0.5),
    p90_duration_ms: q(0.9),
    p95_duration_ms: q(0.95),
    p99_duration_ms: q(0.99),
    max_duration_ms: d.length === 0 ? null : d[d.length - 1]!,
    input_tokens: g?.input ?? 0,
    output_tokens: g?.output ?? 0,
    total_tokens: g?.total ?? 0,
  };
}
