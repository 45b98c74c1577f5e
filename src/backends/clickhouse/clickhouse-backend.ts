/**
 * ClickHouse adapter over the OpenTelemetry Collector clickhouseexporter's tables (otel_traces and
 * otel_traces_trace_id_ts). Everything is pushed down: every filter (compiled by the shared
 * otel_traces SQL layer with the filter engine's semantics, normalised GenAI fields included),
 * windows, limits and newest-first order; a trace search returns complete traces in one query, a
 * projected one (BackendSearch.select) just the wanted spans in two; aggregates are one or two
 * GROUP BY queries (aggregate.ts). getTrace bounds the trace's time range through the trace-id
 * table first. Nothing is fetched per trace.
 */
import type { Filter } from "../../domain/filter.js";
import { normalizeTraceId, TRACE_ID_HINT } from "../../domain/trace-id.js";
import { assembleTrace, type Span, type Trace } from "../../domain/trace.js";
import { BackendError, errorMessage } from "../../errors.js";
import type {
  AggregateAnswer,
  AggregateQuery,
  BackendOptions,
  BackendSearch,
  HealthStatus,
  LlmCallAnswer,
  LlmCallQuery,
  LlmUsageAnswer,
  LlmUsageQuery,
  ProjectedSpanQuery,
  Pushdown,
  SearchHints,
  SearchResult,
  ServiceEdgeAnswer,
  ServiceEdgeQuery,
  TraceBackend,
  TraceRankAnswer,
  TraceRankQuery,
  ToolUsageAnswer,
  ToolUsageQuery,
} from "../trace-backend.js";
import { planAggregate, type MainRow, type ModelRow } from "./aggregate.js";
import { clickhouse } from "./descriptor.js";
import { planTopology } from "./topology.js";
import { planRank } from "./rank.js";
import { planToolUsage } from "./tool-usage.js";
import type { Statement as PlanStatement } from "../../store/sql/aggregate.js";
import { llmUsageSearch, readLlmUsageGroup, type LlmUsageRow } from "./llm-usage.js";
import { LLM_CALL_ROW_LIMIT, llmCallSearch, llmCallTraceCount, readLlmCalls, type LlmCallRow } from "./llm-calls.js";
import { projectedSpanCount, projectedSpanSearch, type ProjectedSpanRow } from "./projected-spans.js";
import { decodeSpan, type SpanRow } from "./rows.js";
import {
  DEFAULT_HORIZON_MS,
  DEFAULT_TABLES,
  MS_NS,
  nsWindow,
  operations,
  projectedSearch,
  services,
  spanSearch,
  tablesPresent,
  traceById,
  traceSearch,
  type ClickHouseTables,
  type ProjectedRow,
  type Statement,
} from "./sql.js";
import { ClickHouseTransport } from "./transport.js";
import { rankedTrace } from "../ranked-trace.js";

/** Limits of the pushed-down reads (tests lower them to see a cut reported). */
export interface ClickHouseReadLimits {
  /** Most LLM calls one llmCalls answer reads (default LLM_CALL_ROW_LIMIT). */
  llmCallRows?: number;
}

/** Services and operations are listed from this far back (their tables have no window argument). */
const LISTING_LOOKBACK_MS = 7 * 86_400_000;

export class ClickHouseBackend implements TraceBackend {
  readonly kind = "clickhouse";
  readonly url: string;
  readonly capabilities = clickhouse.capabilities;
  readonly tables: ClickHouseTables;
  private readonly transport: ClickHouseTransport;
  private readonly horizonNs = BigInt(DEFAULT_HORIZON_MS) * MS_NS;
  private readonly now: () => number;
  private readonly llmCallRows: number;

  constructor(options: BackendOptions, limits: ClickHouseReadLimits = {}) {
    this.llmCallRows = limits.llmCallRows ?? LLM_CALL_ROW_LIMIT;
    this.transport = new ClickHouseTransport({
      url: options.url,
      ...(options.apiKey !== undefined ? { apiKey: options.apiKey } : {}),
      headers: options.headers,
      timeoutMs: options.timeoutMs,
      logger: options.logger,
      ...(options.maxResponseBytes !== undefined ? { maxResponseBytes: options.maxResponseBytes } : {}),
    });
    this.url = this.transport.url;
    this.tables = {
      database: options.clickhouse?.database ?? DEFAULT_TABLES.database,
      traces: options.clickhouse?.tracesTable ?? DEFAULT_TABLES.traces,
      traceIds: options.clickhouse?.traceIdTable ?? DEFAULT_TABLES.traceIds,
    };
    this.now = options.now ?? Date.now;
  }

  /** Queries sent so far (for benchmarks and tests). */
  get queryCount(): number {
    return this.transport.queries;
  }

  /** Every filter, on traces and on spans, with the filter engine's semantics. */
  pushdown(_filter: Filter): Pushdown {
    return "exact";
  }

  async searchTraces(search: BackendSearch, hints?: SearchHints): Promise<SearchResult<Trace>> {
    const w = nsWindow(search.startMs, search.endMs);
    if (search.select && search.target === "traces") return this.projected(search, w);
    const rows = await this.run<SpanRow>(traceSearch(this.tables, w, this.horizonNs, search.filters, search.target, search.limit), "the trace search");
    const traces = assemble(rows, hints).sort(newestFirst);
    return { items: traces, notes: [], returned: traces.length };
  }

  async searchSpans(search: BackendSearch): Promise<SearchResult<Span>> {
    const w = nsWindow(search.startMs, search.endMs);
    const rows = await this.run<SpanRow>(spanSearch(this.tables, w, search.filters, search.limit), "the span search");
    return { items: rows.map(decodeSpan), notes: [], returned: rows.length };
  }

  async getTrace(traceId: string): Promise<Trace> {
    const id = normalizeTraceId(traceId);
    if (!id) throw new BackendError("clickhouse", "not_found", `'${traceId.slice(0, 80)}' is not a trace id: ${TRACE_ID_HINT}.`);
    const rows = await this.run<SpanRow>(traceById(this.tables, id), "the trace lookup");
    const trace = assembleTrace(id, rows.map(decodeSpan));
    if (!trace) {
      throw new BackendError(
        "clickhouse",
        "not_found",
        `Trace ${id} was not found in ClickHouse at ${this.url} (${this.tables.database}.${this.tables.traces}). Check the id; the trace may be older than the table's TTL.`,
        404,
      );
    }
    return trace;
  }

  async aggregate(query: AggregateQuery): Promise<AggregateAnswer | undefined> {
    const plan = planAggregate(this.tables, query, this.horizonNs);
    const [main, models] = await Promise.all([
      this.transport.select<MainRow>(plan.main.sql, plan.main.params.values, "the aggregate"),
      plan.models ? this.transport.select<ModelRow>(plan.models.sql, plan.models.params.values, "the per-model usage") : Promise.resolve(undefined),
    ]);
    return plan.answer(main, models);
  }

  async serviceEdges(query: ServiceEdgeQuery): Promise<ServiceEdgeAnswer> {
    const plan = planTopology(this.tables, query, this.horizonNs);
    return plan.read((await this.transport.select<Record<string, unknown>>(plan.statement.sql, plan.statement.params, "the service topology")).rows);
  }

  /** The LLM trace rankings in one statement over every trace of the window (rank.ts); a second only to count when none ranks. */
  async rankTraces(query: TraceRankQuery): Promise<TraceRankAnswer> {
    const plan = planRank(this.tables, query, this.horizonNs);
    const select = async <T>(st: PlanStatement, what: string): Promise<T[]> => (await this.transport.select<T>(st.sql, st.params, what)).rows;
    let got = plan.read(await select(plan.statement, "the trace ranking"));
    if (got.matched === undefined) {
      const [counts] = await select<{ n_traces: string | number; n_calls: string | number }>(plan.counts, "the trace count");
      got = { traces: [], matched: Number(counts?.n_traces ?? 0), calls: Number(counts?.n_calls ?? 0) };
    }
    const traces = got.traces.map(rankedTrace);
    return { traces, matched: got.matched ?? 0, calls: got.calls ?? 0 };
  }

  /** list_llm_tools in one statement over every tool span of the window (tool-usage.ts). */
  async toolUsage(query: ToolUsageQuery): Promise<ToolUsageAnswer> {
    const plan = planToolUsage(this.tables, query, this.horizonNs);
    return plan.read((await this.transport.select<Record<string, unknown>>(plan.statement.sql, plan.statement.params, "the tool calls")).rows);
  }

  /** Every LLM call of every matching trace in one query (llm-calls.ts); cut, and said so, past the row limit. */
  async llmCalls(query: LlmCallQuery): Promise<LlmCallAnswer> {
    const w = nsWindow(query.startMs, query.endMs);
    const rows = await this.run<LlmCallRow>(llmCallSearch(this.tables, w, this.horizonNs, query.filters, this.llmCallRows), "the LLM call search");
    return readLlmCalls(rows, this.llmCallRows, async () => {
      const [count] = await this.run<{ n: string | number }>(llmCallTraceCount(this.tables, w, this.horizonNs, query.filters), "the trace count");
      return Number(count?.n ?? 0);
    });
  }

  /**
   * The matching traces' calls grouped in one query (llm-usage.ts), for list_llm_models and the
   * usage sums; undefined for the model statistics (finish reasons have no SQL reading here).
   */
  async llmUsage(query: LlmUsageQuery): Promise<LlmUsageAnswer | undefined> {
    if (query.stats) return undefined;
    const w = nsWindow(query.startMs, query.endMs);
    const rows = await this.run<LlmUsageRow>(llmUsageSearch(this.tables, w, this.horizonNs, query.filters, query.where, query.tokens !== false), "the LLM usage aggregate");
    if (rows.length > 0) return { traces: Number(rows[0]!.n_traces), groups: rows.map(readLlmUsageGroup) };
    const [count] = await this.run<{ n: string | number }>(llmCallTraceCount(this.tables, w, this.horizonNs, query.filters), "the trace count");
    return { traces: Number(count?.n ?? 0), groups: [] };
  }

  /** Matching spans with only the named attributes and events, and the match count, in one query (projected-spans.ts). */
  async projectedSpans(query: ProjectedSpanQuery): Promise<{ spans: Span[]; matched: number }> {
    const w = nsWindow(query.startMs, query.endMs);
    const rows = query.limit > 0 ? await this.run<ProjectedSpanRow>(projectedSpanSearch(this.tables, w, query), "the projected span search") : [];
    if (rows.length > 0) return { spans: rows.map(decodeSpan), matched: Number(rows[0]!.matched) };
    if (query.limit > 0) return { spans: [], matched: 0 };
    const [count] = await this.run<{ n: string | number }>(projectedSpanCount(this.tables, w, query.filters), "the span count");
    return { spans: [], matched: Number(count?.n ?? 0) };
  }

  async listServices(): Promise<string[]> {
    const rows = await this.run<{ name: string }>(services(this.tables, this.since()), "the service listing");
    return rows.map((r) => r.name);
  }

  async getServiceOperations(service: string): Promise<string[]> {
    const rows = await this.run<{ name: string }>(operations(this.tables, service, this.since()), "the operation listing");
    return rows.map((r) => r.name);
  }

  async healthCheck(): Promise<HealthStatus> {
    const base = { backend: "clickhouse", url: this.url };
    try {
      const rows = await this.run<{ name: string }>(tablesPresent(this.tables), "the health check");
      const present = new Set(rows.map((r) => r.name));
      const missing = [this.tables.traces, this.tables.traceIds].filter((t) => !present.has(t)).map((t) => `${this.tables.database}.${t}`);
      if (missing.length > 0) {
        return {
          status: "unhealthy",
          ...base,
          error:
            `ClickHouse at ${this.url} is reachable, but ${missing.join(" and ")} ${missing.length === 1 ? "does" : "do"} not exist (or this user may not read ${missing.length === 1 ? "it" : "them"}). ` +
            "Point the Collector's clickhouseexporter at this server (it creates the tables), or set --clickhouse-database / --clickhouse-traces-table / --clickhouse-trace-id-table.",
        };
      }
      return { status: "healthy", ...base };
    } catch (err) {
      return { status: "unhealthy", ...base, error: errorMessage(err) };
    }
  }

  close(): Promise<void> {
    return this.transport.close();
  }

  private async run<T>(statement: Statement, what: string): Promise<T[]> {
    return (await this.transport.select<T>(statement.sql, statement.params.values, what)).rows;
  }

  private since(): bigint {
    return BigInt(Math.floor(this.now() - LISTING_LOOKBACK_MS)) * MS_NS;
  }

  private async projected(search: BackendSearch, w: ReturnType<typeof nsWindow>): Promise<SearchResult<Trace>> {
    const rows = await this.run<ProjectedRow>(projectedSearch(this.tables, w, this.horizonNs, search.filters, search.limit, search.select!), "the projected trace search");
    const traces: Trace[] = [];
    for (const row of rows) {
      let t = traces[traces.length - 1];
      if (!t || t.traceId !== row.TraceId) {
        t = {
          traceId: row.TraceId,
          spans: [],
          startTimeUs: Number(row.t_start_us),
          durationMs: row.t_duration_ms,
          serviceName: row.t_root_service,
          rootOperation: row.t_root_operation,
          status: Number(row.t_has_errors) ? "ERROR" : "OK",
          partial: true,
          projected: true,
        };
        traces.push(t);
      }
      t.spans.push(decodeSpan(row));
    }
    return { items: traces.sort(newestFirst), notes: [], returned: traces.length };
  }
}

const newestFirst = (a: Trace, b: Trace): number => b.startTimeUs - a.startTimeUs || (a.traceId < b.traceId ? -1 : a.traceId > b.traceId ? 1 : 0);

/** Rows ordered by trace, start, span id -> traces (a trace the caller already holds is handed back as it is). */
function assemble(rows: readonly SpanRow[], hints: SearchHints | undefined): Trace[] {
  const out: Trace[] = [];
  let i = 0;
  while (i < rows.length) {
    const id = rows[i]!.TraceId;
    let j = i;
    while (j < rows.length && rows[j]!.TraceId === id) j++;
    const known = hints?.known?.(id);
    const trace = known && known.spans.length === j - i ? known : assembleTrace(id, rows.slice(i, j).map(decodeSpan));
    if (trace) out.push(trace);
    i = j;
  }
  return out;
}

export function createClickHouseBackend(options: BackendOptions): TraceBackend {
  return new ClickHouseBackend(options);
}
