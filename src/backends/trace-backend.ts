/**
 * The contract every trace backend implements. Adapters only translate a resolved, compiled
 * query into their native API and parse the answer into domain Trace/Span values. The query layer
 * (src/query/) owns everything else, once: time windows, limit caps, over-fetch, the split of
 * filters into what the backend applies and what runs locally, fan-outs, ordering, fetching
 * partial traces by id, coverage and notes.
 */
import type { Dispatcher } from "undici";
import type { AggregateAnswer } from "../analytics/aggregate-answer.js";
import type { LlmCostAnswer, LlmCostQuery, LlmUsageAnswer, LlmUsageQuery } from "../analytics/llm-usage-answer.js";
import type { BackendMetric } from "../analytics/metrics.js";
import type { ServiceEdgeAnswer } from "../analytics/topology.js";
import type { LlmAttributes } from "../genai/llm-span.js";
import type { Filter } from "../domain/filter.js";
import type { Span, Trace } from "../domain/trace.js";
import type { Logger } from "../logger.js";
import type { BackendCapabilities } from "./descriptor.js";

export type SearchTarget = "traces" | "spans";

/**
 * How a backend handles one filter:
 * - "exact": the backend applies it with the semantics of src/query/filter-engine.ts; it is not
 *   re-applied locally;
 * - "narrowing": the backend uses it to narrow the search, but may return extra items, so it is
 *   re-applied locally too (e.g. Jaeger's service param when searching spans);
 * - "none": the backend ignores it; it is applied locally.
 * Nothing is ever dropped: whatever is not "exact" runs in the local filter engine.
 */
export type Pushdown = "exact" | "narrowing" | "none";

/** A search as an adapter receives it: bounds resolved, limit final, filters already compiled. */
export interface BackendSearch {
  /** Epoch milliseconds, inclusive. */
  startMs: number;
  endMs: number;
  /**
   * Most traces to ask the backend for (spans, for APIs that list spans natively). Never above
   * the configured cap; the adapter sends it as is and never raises it.
   */
  limit: number;
  /** Only filters this backend accepted for the target (see `compile` / `pushdown`). */
  filters: Filter[];
  /**
   * Which semantics the filters carry: "traces" (trace-level, see filter-engine.ts) or "spans"
   * (every filter on one span). searchTraces gets "spans" when the query layer searches traces
   * for their matching spans on a backend without searchSpans.
   */
  target: SearchTarget;
  /**
   * Only with target "traces", and only sent to a backend whose capabilities.projection is set
   * (and when every filter is applied by the backend exactly): instead of complete traces, return
   * per matching trace just the spans the projection describes. See SpanProjection.
   */
  select?: SpanProjection;
}

/**
 * A projection of a trace search, for callers that read only some spans of each trace (the LLM
 * analytics read LLM calls). A backend honouring it returns, per trace, a Trace with `partial`
 * and `projected` set whose `spans` are exactly
 * - every span carrying at least one of `spansWith` (all of them, not a sample), and
 * - when `errorSpans` is set, every span with status ERROR (so the trace's status stays exact),
 * each with its id, name, service, start, duration and status, and of its attributes only those in
 * `attributes` (when present on the span). Parent ids are not carried (parentSpanId is null).
 * Only traces that match the filters AND have a span carrying one of `spansWith` are returned;
 * trace-level fields (root service and name, start) come from the search; `durationMs` may be
 * rounded down to whole milliseconds (Tempo's listing precision). A trace the backend cannot
 * project completely (e.g. more matching spans than one answer carries) comes back as an ordinary
 * partial trace (no `projected`), and the query layer fetches it by id.
 */
export interface SpanProjection {
  /** Attribute keys: a span is wanted when it carries at least one of them. Non-empty. */
  spansWith: readonly string[];
  /** Also return every ERROR span of the trace. */
  errorSpans: boolean;
  /** Attribute keys to carry on each returned span (`spansWith` are not implied). */
  attributes: readonly string[];
}

/**
 * What the query layer already holds, offered to a search so an adapter that returns complete
 * traces can hand back the held object instead of mapping another copy of the same trace (less
 * work, and no second copy of every cached trace in memory while a large answer streams in).
 */
export interface SearchHints {
  /** A complete, settled trace the caller holds for this id (its spans no longer change), if any. */
  known?(traceId: string): Trace | undefined;
}

/** How a list of filters splits: what the backend is sent, and what runs locally. */
export interface FilterPlan {
  /** Sent to the backend ("exact" and "narrowing"). */
  remote: Filter[];
  /** Applied locally ("narrowing" and "none"). */
  local: Filter[];
  /** Filters the backend does not see at all ("none"). */
  unpushed: Filter[];
}

export interface SearchResult<T> {
  items: T[];
  /** Plain-language notes about what the backend did (e.g. items it could not read). */
  notes: string[];
  /**
   * How many raw hits the backend returned before any local check; the query layer compares it
   * with the limit to know whether more may exist. Defaults to items.length.
   */
  returned?: number;
}

/**
 * An aggregate a backend may compute itself (SQL on the local store or ClickHouse, TraceQL
 * metrics on Tempo). The definitions are src/analytics/metrics.ts and the filter semantics
 * src/query/filter-engine.ts; a backend that cannot honour all of it exactly answers undefined and
 * the query layer computes it over fetched traces instead.
 */
export interface AggregateQuery {
  startMs: number;
  endMs: number;
  /** "span": one row per span; "trace": one row per trace (root's service and name, trace duration). */
  level: "span" | "trace";
  /** Every filter (span semantics at level "span", trace semantics at level "trace"). */
  filters: Filter[];
  /** 0-3 fields: attribute names or pseudo-fields (service.name, operation_name, status, model, gen_ai.provider.name). */
  groupBy: string[];
  metrics: BackendMetric[];
  /** Time buckets (by row start), when set. */
  intervalMs?: number;
  /** Also return LLM token sums per model and provider within each group (for cost in dollars). */
  byModel: boolean;
}

export type { AggregateAnswer, AggregateGroup, ModelUsage } from "../analytics/aggregate-answer.js";
export type { LlmCallPrice, LlmCallStats, LlmCallWhere, LlmCostAnswer, LlmCostQuery, LlmCostSum, LlmUsageAnswer, LlmUsageGroup, LlmUsageQuery, SortedSeries } from "../analytics/llm-usage-answer.js";

/**
 * The service graph of a window, computed where the data is (get_service_topology). Every trace
 * whose earliest span starts in the window (the window search's membership), all of its spans, with
 * src/analytics/topology.ts's definitions: an edge per child span whose service differs from its
 * parent span's (same trace), and per span naming a database (db.system.name, else db.system) or
 * being an LLM call (its provider), its metrics the callee spans'; nodes per service (its spans)
 * and per database / provider (the calls made to them). No filters: the tool applies none.
 */
export interface ServiceEdgeQuery {
  startMs: number;
  endMs: number;
  /** Edges with fewer calls are left out (get_service_topology min_call_count; nodes are not). */
  minCallCount: number;
}

export type { ServiceEdgeAnswer } from "../analytics/topology.js";

export interface HealthStatus {
  status: "healthy" | "unhealthy";
  backend: string;
  url: string;
  error?: string;
  service_count?: number;
  project_id?: string;
  /** Backend-specific facts (the local store: role, spans, the OTLP endpoint). */
  details?: Record<string, unknown>;
}

/** The span of an LLM call as the LLM tools read it (identity and timing; no attributes). */
export type CallSpan = Pick<Span, "traceId" | "spanId" | "serviceName" | "operationName" | "startTimeUs" | "durationMs" | "status">;

/** One LLM call: its span and the GenAI parser's reading of it (src/genai/llm-span.ts). */
export interface LlmCallRecord {
  span: CallSpan;
  llm: LlmAttributes;
}

/**
 * What llmCalls answers. A backend that bounds the read (ClickHouse's row limit) and hits the bound
 * says so: `complete` false, `notes` saying what was read, and `calls` every call of the newest
 * `traces` traces (never a silently shorter answer).
 */
export interface LlmCallAnswer {
  calls: LlmCallRecord[];
  /** Traces the calls come from (every matching trace, those without calls included, when complete). */
  traces: number;
  /** Every matching trace, when a cut answer covers fewer (default: `traces`). */
  matched?: number;
  /** False when a limit stopped the read (default true). */
  complete?: boolean;
  /** Plain-language notes (why the answer is incomplete). */
  notes?: string[];
}

/** The LLM calls of the traces matching `filters` (trace semantics, every filter) in the window. */
export interface LlmCallQuery {
  startMs: number;
  endMs: number;
  filters: Filter[];
}

/**
 * Spans matching `filters` (span semantics, every filter) that start in the window, newest first
 * (ties by trace id, then span id), at most `limit`, each carrying only what a kernel reads: the
 * attributes named in `attributes` (when present) and the events named in `events` (whole);
 * identity, timing, status and status message always. Resource attributes and links are not
 * carried.
 */
export interface ProjectedSpanQuery {
  startMs: number;
  endMs: number;
  filters: Filter[];
  attributes: readonly string[];
  events: readonly string[];
  limit: number;
}

/**
 * The LLM trace rankings (get_llm_expensive_traces, get_llm_slow_traces) computed where the data
 * is: every trace matching `filters` (trace semantics, every filter) in the window that has an LLM
 * call (by "tokens", also tokens, at least `minTokens` when above 0), scored by total tokens or by
 * duration, and of them every trace scoring at least the `limit`-th highest score minus `slack`
 * (ties at the cut included), newest first (ties by trace id), as a trace search orders them.
 */
export interface TraceRankQuery {
  startMs: number;
  endMs: number;
  filters: Filter[];
  by: "tokens" | "duration";
  limit: number;
  minTokens: number;
  slack: number;
}

/** One ranked trace: what the rankings read of its LLM calls (the parser's reading), its start and duration. */
export interface RankedTrace {
  traceId: string;
  startTimeUs: number;
  durationMs: number;
  /** Its LLM calls (spans that parse as one). */
  llmCalls: number;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  /** Distinct models its calls name ("unknown" left out), in no particular order. */
  models: string[];
}

export interface TraceRankAnswer {
  traces: RankedTrace[];
  /** Every trace matching the filters in the window (with or without calls). */
  matched: number;
  /** The LLM calls of all of them. */
  calls: number;
}

/**
 * list_llm_tools where the data is: the tool-execution spans of the window (every convention's
 * marker, toolSpan()'s reading of the name; of `serviceName`, span semantics), or with
 * `genAiSystem` the tool spans of the traces starting in the window that hold tool calls and an
 * LLM call of that provider, grouped by tool name over the newest `limit` of them.
 */
export interface ToolUsageQuery {
  startMs: number;
  endMs: number;
  serviceName?: string;
  genAiSystem?: string;
  limit: number;
}

export interface ToolUsageAnswer {
  /** One per tool name, in no particular order; `services` distinct, in no particular order. */
  tools: Array<{ toolName: string; calls: number; services: string[]; firstUs: number; lastUs: number }>;
  /** Tool spans analysed (at most the limit), all the tool spans there are, and the traces of those analysed. */
  analysed: number;
  total: number;
  traces: number;
}

/**
 * list_sessions where the data is: every trace matching `filters` (trace semantics, every filter)
 * that starts in the window, each read as the sessions kernel reads it (src/analytics/sessions.ts:
 * its session and user ids the root span's, else the first span's in span order, any convention),
 * grouped by session id; with `userId`, only sessions whose user is that one. Most recent first
 * (last seen, then session id), at most `limit`, with the LLM calls of the listed sessions' traces
 * for exact dollars.
 */
export interface SessionQuery {
  startMs: number;
  endMs: number;
  filters: Filter[];
  userId?: string;
  limit: number;
}

/** One session's figures, as SessionSummary holds them (dollars aside). */
export interface SessionRecord {
  sessionId: string;
  /** The user of its newest trace that names one. */
  userId: string | null;
  traces: number;
  llmCalls: number;
  inputTokens: number;
  outputTokens: number;
  /** Its traces with an error span. */
  errors: number;
  firstSeenUs: number;
  /** Latest trace end (start + duration). */
  lastSeenUs: number;
}

export interface SessionAnswer {
  /** The listed sessions, most recent first. */
  sessions: SessionRecord[];
  /** Every session there is (also those past the limit). */
  total: number;
  /** Every matching trace in the window (with or without a session). */
  matched: number;
  /** The LLM calls of the listed sessions' traces, each with its session: newest trace first, each trace's calls in start order. */
  calls: Array<{ sessionId: string; call: LlmCallRecord }>;
}

export interface TraceBackend {
  /** The descriptor's kind (src/backends/registry.ts), or a test double's own name. */
  readonly kind: string;
  /** Base URL for messages (credentials stripped). */
  readonly url: string;
  readonly capabilities: BackendCapabilities;
  /** Declares, per filter and target, what the backend can apply itself. Must be pure. */
  pushdown(filter: Filter, target: SearchTarget): Pushdown;
  /**
   * Splits a whole filter list, for backends where one filter's fate depends on the others (e.g.
   * Jaeger has one slot per parameter). Without it the query layer splits filter by filter with
   * `pushdown`. Must be pure.
   */
  compile?(filters: readonly Filter[], target: SearchTarget): FilterPlan;
  /**
   * Traces matching the search, at most `search.limit`. Complete traces when
   * `capabilities.completeTracesInSearch`; otherwise traces may be `partial` (root span only, or
   * no spans with the root's service/name/start/duration known) and the query layer fetches them.
   */
  searchTraces(search: BackendSearch, hints?: SearchHints): Promise<SearchResult<Trace>>;
  /**
   * Flat spans matching the search; the query layer re-checks non-exact filters per span. When
   * absent, the query layer calls searchTraces with target "spans" and takes the traces' spans.
   */
  searchSpans?(search: BackendSearch, hints?: SearchHints): Promise<SearchResult<Span>>;
  /**
   * One complete trace by id. `hint` is the partial trace a search returned for it, if any (an
   * adapter may reuse what it carries). Throws BackendError kind "not_found" for an unknown id.
   */
  getTrace(traceId: string, hint?: Trace): Promise<Trace>;
  /**
   * Every LLM call of every trace matching the query (no cap on traces), newest trace first and
   * each trace's calls in start order, read where the data is (SQL) instead of through whole
   * traces. Only for a backend that applies every filter exactly; the LLM tools then cover the
   * whole window (or, past a row limit the backend has, say they do not: LlmCallAnswer.complete).
   */
  llmCalls?(query: LlmCallQuery): Promise<LlmCallAnswer>;
  /**
   * The same calls aggregated natively (src/analytics/llm-usage-answer.ts), for the LLM usage tools; only
   * for a backend that applies every filter exactly, and complete (no row limit) when it answers.
   */
  llmUsage?(query: LlmUsageQuery): Promise<LlmUsageAnswer | undefined>;
  /** With llmUsage: the same calls' dollars at the given rates, summed in llmCalls' order. */
  llmCost?(query: LlmCostQuery): Promise<LlmCostAnswer>;
  /**
   * Projected spans read where the data is (SQL), for kernels that fold every matching span of a
   * window past the trace cap (analyze_errors reads every error span). `matched` counts every
   * matching span, also those beyond the limit. Only for a backend that applies every filter exactly.
   */
  projectedSpans?(query: ProjectedSpanQuery): Promise<{ spans: Span[]; matched: number }>;
  /** The LLM trace rankings in SQL over every trace of the window (TraceRankQuery). Only for a backend that applies every filter exactly. */
  rankTraces?(query: TraceRankQuery): Promise<TraceRankAnswer>;
  /** list_llm_tools in SQL over every tool span of the window (ToolUsageQuery). */
  toolUsage?(query: ToolUsageQuery): Promise<ToolUsageAnswer>;
  /** list_sessions in SQL over every trace of the window (SessionQuery). Only for a backend that applies every filter exactly. */
  sessions?(query: SessionQuery): Promise<SessionAnswer>;
  /** Computes an aggregate natively, or answers undefined when it cannot honour this one exactly. */
  aggregate?(query: AggregateQuery): Promise<AggregateAnswer | undefined>;
  /** The service graph of a window natively (every trace, no cap), or undefined when it cannot compute it exactly. */
  serviceEdges?(query: ServiceEdgeQuery): Promise<ServiceEdgeAnswer | undefined>;
  listServices(): Promise<string[]>;
  getServiceOperations(service: string): Promise<string[]>;
  /** Never throws: failures are reported as "unhealthy". */
  healthCheck(): Promise<HealthStatus>;
  close(): Promise<void>;
}

export interface BackendOptions {
  url: string;
  /** The embedded store's settings (the local backend only; see config.ts LocalStoreConfig). */
  local?: {
    dataDir: string;
    otlpListen: { host: string; port: number } | "none";
    otlpAuthToken?: string;
    retentionMs: number;
    maxBytes: number;
  };
  apiKey?: string;
  timeoutMs: number;
  /** Extra request headers (e.g. X-Scope-OrgID); values are secrets. */
  headers: Record<string, string>;
  /** Traceloop environments. */
  environments: string[];
  /** Requests in flight for adapters that make several per call. */
  fetchConcurrency: number;
  logger: Logger;
  dispatcher?: Dispatcher;
  /** Largest response body in bytes, also after decompression (default: the HTTP layer's 64 MiB). */
  maxResponseBytes?: number;
  /** Clock; injectable for tests. */
  now?: () => number;
  /** ClickHouse: the database and tables the Collector's clickhouseexporter writes (defaults otel, otel_traces, otel_traces_trace_id_ts). */
  clickhouse?: ClickHouseTableOptions;
}

export interface ClickHouseTableOptions {
  database: string;
  tracesTable: string;
  traceIdTable: string;
}

export type BackendFactory = (options: BackendOptions) => TraceBackend;
