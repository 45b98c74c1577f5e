/** The shape of a pushed-down aggregate's answer (see AggregateQuery in src/backends/trace-backend.ts). */
import type { BackendMetric } from "./metrics.js";

/**
 * The LLM calls of one model and provider in a group: their token sums (semconv sense, as
 * llm-usage.ts reads them), and the facts that say whether pricing the mean call `calls` times is
 * what pricing each call would give (fromBackendGroups; otherwise the aggregate is computed from
 * rows): the calls' time range (date- and time-bound prices), their input range (long-context
 * tiers are chosen per request), and how many calls report more cache than input or more
 * reasoning than output (priced clamped, call by call).
 */
export interface ModelUsage {
  model: string | null;
  provider: string | null;
  calls: number;
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  reasoning: number;
  /** Start of the first and last call, epoch ms. */
  firstAtMs: number;
  lastAtMs: number;
  /** Smallest and largest input of one call. */
  minInput: number;
  maxInput: number;
  clamped: number;
}

export interface AggregateGroup {
  /** Group-by field -> value (null when the row has none). */
  key: Record<string, string | number | boolean | null>;
  /** Epoch ms of the bucket, when the query has an interval. */
  bucketStartMs?: number;
  values: Partial<Record<BackendMetric, number | null>>;
  models?: ModelUsage[];
}

export interface AggregateAnswer {
  groups: AggregateGroup[];
  /** Rows and traces the answer was computed from (all of the window: a pushed-down aggregate is complete). */
  spans: number;
  /** Undefined when the backend cannot count distinct traces (TraceQL metrics count spans). */
  traces?: number;
}

