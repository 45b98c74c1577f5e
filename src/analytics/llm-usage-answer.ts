/**
 * What TraceBackend.llmUsage answers: the LLM calls of the traces matching a question, aggregated where the
 * data is (SQL) instead of read one by one, with the facts the LLM tools need to give the answer
 * they would give from the calls themselves (src/query/llm-usage.ts folds them). A call is
 * the GenAI parser's reading of a span (src/genai/llm-span.ts parseLlmSpan); the groups are the
 * finest grain any of the tools reports: model (response, else request; NULL when none), provider
 * (the parser's `system`) and the call span's service.
 */
import type { Filter } from "../domain/filter.js";

/** Conditions on the calls counted (the traces are selected by `filters`). */
export interface LlmCallWhere {
  /** The parser's provider equals this (normalised by the caller, as the tools compare). */
  provider?: string;
  requestModel?: string;
  responseModel?: string;
  /** The response model or the request model equals this (get_llm_model_stats). */
  eitherModel?: string;
}

export interface LlmUsageQuery {
  startMs: number;
  endMs: number;
  /** Trace semantics, every filter (as llmCalls). */
  filters: Filter[];
  where?: LlmCallWhere;
  /** Also the calls' statistics (durations, token counts, finish reasons). */
  stats?: boolean;
  /**
   * False: the caller reads only the groups' counts, times and order keys (list_llm_models), so a
   * backend may leave token sums, input range, clamped and shape 0 (default true).
   */
  tokens?: boolean;
}

/** Which token kinds a call has (bits): what decides the pricing notes costOf gives it. */
export const SHAPE = { cacheRead: 1, cacheWrite: 2, output: 4, reasoning: 8 } as const;

/** The calls of one model, provider, service and shape. */
export interface LlmUsageGroup {
  model: string | null;
  provider: string;
  service: string;
  /** SHAPE bits of every call in the group. */
  shape: number;
  calls: number;
  errors: number;
  input: number;
  output: number;
  total: number;
  cacheRead: number;
  cacheWrite: number;
  reasoning: number;
  /** Earliest and latest call start, epoch microseconds. */
  firstUs: number;
  lastUs: number;
  /** Smallest and largest input count of a call (0 for none or negative), for long-context price tiers. */
  minInput: number;
  maxInput: number;
  /** Calls with more cache than input or more reasoning than output (costOf clamps them). */
  clamped: number;
  /**
   * The group's first call in the order llmCalls returns calls (newest trace first, then trace id,
   * then each trace's calls by start and span id), as a key that compares as a string in that order.
   */
  firstKey: string;
}

/** The rates (per 1M tokens, genai/pricing.ts ratesAt) every call of one model and provider is billed at. */
export interface LlmCallPrice {
  model: string | null;
  provider: string;
  rates: { input: number; cacheRead: number; cacheWrite: number; output: number | null; reasoning: number | null };
}

/**
 * TraceBackend.llmCost: the calls of an LlmUsageQuery whose model and provider `prices` names,
 * each priced as costOf prices it (in the same floating-point steps) and summed in the order
 * llmCalls returns them, in total and per model key (response model, else request model, else
 * "unknown") and per service when asked.
 */
export interface LlmCostQuery extends LlmUsageQuery {
  prices: LlmCallPrice[];
  by: Array<"model" | "service">;
}

export interface LlmCostSum {
  usd: number;
  calls: number;
}

export interface LlmCostAnswer {
  all: LlmCostSum;
  model: Record<string, LlmCostSum>;
  service: Record<string, LlmCostSum>;
}

/**
 * What summarize() needs of a series, read from the series sorted ascending: its length, its sum
 * added up in that order, and for each percentile the two neighbours it interpolates between
 * (analytics/stats.ts percentile), so the figures are the ones the values themselves give.
 */
export interface SortedSeries {
  n: number;
  sum: number;
  /** [sorted[lower], sorted[upper]] for p = 0.5, 0.95, 0.99. */
  p50: [number, number];
  p95: [number, number];
  p99: [number, number];
}

export interface LlmCallStats {
  durationMs: SortedSeries;
  /** Non-zero counts only (as the tools read them). */
  prompt: SortedSeries;
  completion: SortedSeries;
  total: SortedSeries;
  /** Each finish reason and how often it was recorded, in the order the calls first record them. */
  finishReasons: Array<{ reason: string; count: number }>;
}

export interface LlmUsageAnswer {
  /** Traces matching the filters in the window (those without calls included). */
  traces: number;
  groups: LlmUsageGroup[];
  /** When asked for. */
  stats?: LlmCallStats;
}
