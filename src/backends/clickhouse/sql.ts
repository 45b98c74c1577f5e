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
import { IS_ERROR_SQL, type DerivedSql } from "../../store/sql/fields.js";
import { Params } from "../../store/sql/params.js";
import type { SpanProjection } from "../trace-backend.js";
import { SPAN_COLUMNS, type SpanRow } from "./rows.js";

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

/** A projected span row: the span's columns and its trace's values (for projected searches). */
export interface ProjectedRow extends SpanRow {
  t_start_us: string | number;
  t_root_service: string;
  t_root_operation: string;
  t_duration_ms: number;
  t_has_errors: number | boolean;
}

/**
 * A projected search (BackendSearch.select) in one query: the newest `limit` matching traces that
 * carry a wanted span, with their trace-level values (root service and name, start, duration,
 * status), joined to just their wanted spans, with only the selected attributes and no events.
 */
export function projectedSearch(tables: ClickHouseTables, w: NsWindow, horizonNs: bigint, filters: readonly Filter[], limit: number, select: SpanProjection): Statement {
  const q = new QueryBuilder(tables);
  const keys = q.strings(select.spansWith);
  const wanted = `hasAny(mapKeys(SpanAttributes), ${keys})`;
  const inner = q.statement(matchingTraces(q, w, horizonNs, filters, "traces", limit, traceInfoColumns(q), [`max(${wanted})`])).sql;
  const attrs = q.strings(select.attributes);
  const columns = SPAN_COLUMNS.map((c) => {
    if (c === "SpanAttributes") return `mapFilter((k, v) -> has(${attrs}, k), SpanAttributes) AS SpanAttributes`;
    if (/AS ev_(ts|name|attrs)$/.test(c)) return `[] AS ${c.slice(c.lastIndexOf(" ") + 1)}`;
    // A projection carries no parent links.
    if (c === "ParentSpanId") return "'' AS ParentSpanId";
    return c;
  });
  const want = `${wanted}${select.errorSpans ? ` OR ${IS_ERROR_SQL}` : ""}`;
  return {
    sql: `SELECT ${columns.join(", ")}, t_start_us, t_root_service, t_root_operation, t_duration_ms, t_has_errors
      FROM ${q.traces} INNER JOIN (${inner}) AS m USING (TraceId)
      WHERE Timestamp BETWEEN ${q.ts(w.lo)} AND ${q.ts(w.hi + horizonNs)} AND (${want})
      ORDER BY TraceId, Timestamp, SpanId`,
    params: q.params,
  };
}

/** Trace-level values over a GROUP BY TraceId (fields.ts traceAggregates), as extra SELECT columns. */
function traceInfoColumns(q: QueryBuilder): string {
  const rootKey = ["ParentSpanId <> ''", "Timestamp", "SpanId"];
  const startUs = "CAST(toUnixTimestamp64Micro(Timestamp) AS DOUBLE)";
  return (
    `, toUnixTimestamp64Micro(min(Timestamp)) AS t_start_us, ${q.dialect.argMinBy("ServiceName", rootKey)} AS t_root_service, ` +
    `${q.dialect.argMinBy("SpanName", rootKey)} AS t_root_operation, ` +
    `((max(${startUs} + (Duration / 1e6) * 1000) - min(${startUs})) / 1000) AS t_duration_ms, ` +
    `max(${IS_ERROR_SQL}) AS t_has_errors`
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
