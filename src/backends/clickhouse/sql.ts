/**
 * The SQL the ClickHouse backend sends, over the Collector clickhouseexporter's tables. Filters are
 * compiled by the shared otel_traces SQL layer (src/store/sql) in its ClickHouse dialect, so they
 * mean exactly what the filter engine means; table names, like every value, are parameters
 * (`{name:Identifier}`), never SQL text.
 *
 * Windows: a span belongs to [start, end] when its start does (compared at microsecond precision,
 * as spans carry their start); a trace when its earliest span does, its other spans being expected
 * within `horizonMs` of the window (the embedded store's rule, src/store/queries.ts).
 */
import type { Filter } from "../../domain/filter.js";
import { clickhouseDialect } from "../../store/sql/clickhouse-dialect.js";
import { spanWhere, traceHaving, type CompileContext } from "../../store/sql/filters.js";
import { genaiDerived } from "../../store/sql/genai.js";
import type { DerivedSql } from "../../store/sql/fields.js";
import { Params } from "../../store/sql/params.js";
import type { SpanProjection } from "../trace-backend.js";
import { SPAN_COLUMNS } from "./rows.js";

export interface ClickHouseTables {
  database: string;
  /** The spans table (otel_traces). */
  traces: string;
  /** The trace id -> time range table the exporter's materialized view fills (otel_traces_trace_id_ts). */
  traceIds: string;
}

export const DEFAULT_TABLES: ClickHouseTables = { database: "otel", traces: "otel_traces", traceIds: "otel_traces_trace_id_ts" };

/** Spans of one trace are expected within this long of the window (the store's default). */
export const DEFAULT_HORIZON_MS = 3_600_000;

export interface Statement {
  sql: string;
  params: Params;
}

/** One query's parameters and compile context (WITH aliases on, tables bound as identifiers). */
export class QueryBuilder {
  readonly params = new Params(clickhouseDialect.placeholder, { aliases: true });
  readonly dialect = clickhouseDialect;
  private derivedSql?: DerivedSql;

  constructor(readonly tables: ClickHouseTables) {
    this.params.values._db = { value: tables.database, type: "VARCHAR" };
    this.params.values._traces = { value: tables.traces, type: "VARCHAR" };
    this.params.values._ids = { value: tables.traceIds, type: "VARCHAR" };
  }

  get traces(): string {
    return "{_db:Identifier}.{_traces:Identifier}";
  }

  get traceIds(): string {
    return "{_db:Identifier}.{_ids:Identifier}";
  }

  get ctx(): CompileContext {
    const self = this;
    return {
      params: this.params,
      dialect: this.dialect,
      // Computed on first use: most queries never read the trace-level LLM values.
      get derived(): DerivedSql {
        return (self.derivedSql ??= genaiDerived(self.params, self.dialect));
      },
    };
  }

  int(n: number | bigint): string {
    return this.params.add(typeof n === "bigint" ? n : BigInt(Math.trunc(n)), "BIGINT");
  }

  str(s: string): string {
    return this.params.add(s, "VARCHAR");
  }

  strings(list: readonly string[]): string {
    return this.params.add(list, "VARCHAR[]");
  }

  ts(ns: bigint): string {
    return `fromUnixTimestamp64Nano(${this.int(ns)})`;
  }

  /** The statement with its WITH clause (the aliases its expressions bound) in front. */
  statement(body: string): Statement {
    return { sql: `${this.params.withClause()}${body}`, params: this.params };
  }
}

export interface NsWindow {
  lo: bigint;
  hi: bigint;
}

/**
 * Window bounds in epoch nanoseconds for starts compared at microsecond precision: a span whose
 * start (truncated to µs, as Span.startTimeUs) lies in [startMs, endMs].
 */
export function nsWindow(startMs: number, endMs: number): NsWindow {
  const lo = BigInt(Math.ceil(startMs * 1000)) * 1000n;
  const hi = BigInt(Math.floor(endMs * 1000)) * 1000n + 999n;
  return { lo, hi };
}

export const MS_NS = 1_000_000n;

export function spanSearch(tables: ClickHouseTables, w: NsWindow, filters: readonly Filter[], limit: number): Statement {
  const q = new QueryBuilder(tables);
  const where = spanWhere(filters, q.ctx);
  return q.statement(
    `SELECT ${SPAN_COLUMNS.join(", ")} FROM ${q.traces}
     WHERE Timestamp BETWEEN ${q.ts(w.lo)} AND ${q.ts(w.hi)} AND ${where}
     ORDER BY Timestamp DESC, TraceId, SpanId LIMIT ${q.int(limit)}`,
  );
}

/**
 * The subquery of matching trace ids, newest first (GROUP BY TraceId over the window widened by
 * the horizon; HAVING the trace's start in the window and the trace-level filters). `extra` are
 * further HAVING conditions.
 */
function matchingTraces(q: QueryBuilder, w: NsWindow, horizonNs: bigint, filters: readonly Filter[], target: "traces" | "spans", limit: number, columns: string, extra: readonly string[] = []): string {
  const having = target === "traces" ? traceHaving(filters, q.ctx) : `coalesce(${q.dialect.anyTrue(spanWhere(filters, q.ctx))}, FALSE)`;
  const conditions = [`min(Timestamp) BETWEEN ${q.ts(w.lo)} AND ${q.ts(w.hi)}`, having, ...extra];
  return `SELECT TraceId${columns} FROM ${q.traces}
    WHERE Timestamp BETWEEN ${q.ts(w.lo - horizonNs)} AND ${q.ts(w.hi + horizonNs)}
    GROUP BY TraceId HAVING ${conditions.join(" AND ")}
    ORDER BY min(Timestamp) DESC, TraceId LIMIT ${q.int(limit)}`;
}

/** Every span of the newest `limit` matching traces (one query), ordered by trace, start, span id. */
export function traceSearch(tables: ClickHouseTables, w: NsWindow, horizonNs: bigint, filters: readonly Filter[], target: "traces" | "spans", limit: number): Statement {
  const inner = new QueryBuilder(tables);
  const ids = inner.statement(matchingTraces(inner, w, horizonNs, filters, target, limit, ""));
  // The outer query shares the parameters (its own are added after the inner ones).
  const q = inner;
  return {
    sql: `SELECT ${SPAN_COLUMNS.join(", ")} FROM ${q.traces}
      WHERE Timestamp BETWEEN ${q.ts(w.lo)} AND ${q.ts(w.hi + horizonNs)} AND TraceId IN (${ids.sql})
      ORDER BY TraceId, Timestamp, SpanId`,
    params: q.params,
  };
}

/** Per matching trace: its root service and operation, start, duration, status (for projected searches). */
export interface TraceInfoRow {
  TraceId: string;
  start_us: string | number;
  root_service: string;
  root_operation: string;
  duration_ms: number;
  has_errors: number | boolean;
}

/**
 * A projected search (BackendSearch.select), in two statements: the matching traces that carry a
 * wanted span, with their trace-level values; then just the wanted spans of those traces, with
 * only the selected attributes and without events.
 */
export function projectedSearch(
  tables: ClickHouseTables,
  w: NsWindow,
  horizonNs: bigint,
  filters: readonly Filter[],
  limit: number,
  select: SpanProjection,
): { traces: Statement; spans: (ids: readonly string[], loNs: bigint) => Statement } {
  const q = new QueryBuilder(tables);
  const wanted = `hasAny(mapKeys(SpanAttributes), ${q.strings(select.spansWith)})`;
  const agg = traceInfoColumns(q);
  const traces = q.statement(matchingTraces(q, w, horizonNs, filters, "traces", limit, agg, [`max(${wanted})`]));
  const spans = (ids: readonly string[], loNs: bigint): Statement => {
    const s = new QueryBuilder(tables);
    const want = `hasAny(mapKeys(SpanAttributes), ${s.strings(select.spansWith)})${select.errorSpans ? " OR StatusCode IN ('Error', 'STATUS_CODE_ERROR')" : ""}`;
    const attrs = s.strings(select.attributes);
    const columns = SPAN_COLUMNS.map((c) => {
      if (c === "SpanAttributes") return `mapFilter((k, v) -> has(${attrs}, k), SpanAttributes) AS SpanAttributes`;
      if (c.endsWith("AS ev_ts")) return "[] AS ev_ts";
      if (c.endsWith("AS ev_name")) return "[] AS ev_name";
      if (c.endsWith("AS ev_attrs")) return "[] AS ev_attrs";
      if (c === "ParentSpanId") return "'' AS ParentSpanId";
      return c;
    });
    return s.statement(
      `SELECT ${columns.join(", ")} FROM ${s.traces}
       WHERE Timestamp BETWEEN ${s.ts(loNs)} AND ${s.ts(w.hi + horizonNs)} AND TraceId IN ${s.strings(ids)} AND (${want})
       ORDER BY TraceId, Timestamp, SpanId`,
    );
  };
  return { traces, spans };
}

/** Trace-level values over a GROUP BY TraceId (fields.ts traceAggregates), as extra SELECT columns. */
function traceInfoColumns(q: QueryBuilder): string {
  const rootKey = ["ParentSpanId <> ''", "Timestamp", "SpanId"];
  const startUs = "CAST(toUnixTimestamp64Micro(Timestamp) AS DOUBLE)";
  return (
    `, toUnixTimestamp64Micro(min(Timestamp)) AS start_us, ${q.dialect.argMinBy("ServiceName", rootKey)} AS root_service, ` +
    `${q.dialect.argMinBy("SpanName", rootKey)} AS root_operation, ` +
    `((max(${startUs} + (Duration / 1e6) * 1000) - min(${startUs})) / 1000) AS duration_ms, ` +
    `max(StatusCode IN ('Error', 'STATUS_CODE_ERROR')) AS has_errors`
  );
}

/**
 * One trace by id: the trace-id table bounds its time range (Start/End are whole seconds of span
 * starts), then otel_traces is read within it; a trace the lookup table does not know is looked up
 * by id alone (the TraceId skip index still helps).
 */
export function traceById(tables: ClickHouseTables, traceId: string): Statement {
  const q = new QueryBuilder(tables);
  const id = q.str(traceId);
  const range = `(SELECT if(count() = 0, 0, toUnixTimestamp(min(Start))) AS s, if(count() = 0, 4294967295, toUnixTimestamp(max(End)) + 1) AS e FROM ${q.traceIds} WHERE TraceId = ${id})`;
  return q.statement(
    `SELECT ${SPAN_COLUMNS.join(", ")} FROM ${q.traces}
     WHERE TraceId = ${id}
       AND Timestamp >= fromUnixTimestamp64Nano(toInt64((SELECT s FROM ${range})) * 1000000000)
       AND Timestamp < fromUnixTimestamp64Nano(toInt64((SELECT e FROM ${range})) * 1000000000)
     ORDER BY Timestamp, SpanId`,
  );
}

export function services(tables: ClickHouseTables, sinceNs: bigint): Statement {
  const q = new QueryBuilder(tables);
  return q.statement(`SELECT DISTINCT ServiceName AS name FROM ${q.traces} WHERE Timestamp >= ${q.ts(sinceNs)} ORDER BY name`);
}

export function operations(tables: ClickHouseTables, service: string, sinceNs: bigint): Statement {
  const q = new QueryBuilder(tables);
  return q.statement(`SELECT DISTINCT SpanName AS name FROM ${q.traces} WHERE ServiceName = ${q.str(service)} AND Timestamp >= ${q.ts(sinceNs)} ORDER BY name`);
}

/** Which of the two tables exist (and this user may see). */
export function tablesPresent(tables: ClickHouseTables): Statement {
  const q = new QueryBuilder(tables);
  return q.statement(`SELECT name FROM system.tables WHERE database = ${q.str(tables.database)} AND name IN ${q.strings([tables.traces, tables.traceIds])}`);
}
