/** The shape of a pushed-down aggregate's answer (see AggregateQuery in src/backends/trace-backend.ts). */
import type { BackendMetric } from "./metrics.js";

export interface ModelUsage {
  model: string | null;
  provider: string | null;
  calls: number;
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  reasoning: number;
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

