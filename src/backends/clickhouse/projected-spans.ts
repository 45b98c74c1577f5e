/**
 * Projected spans (TraceBackend.projectedSpans) in one ClickHouse query: the spans matching every
 * filter (span semantics) that start in the window, newest first (ties by trace id, then span id,
 * at microsecond precision as Span.startTimeUs), at most `limit`, each with only the named
 * attributes (mapFilter) and the named events (arrayFilter), and how many matched in all (a
 * scalar subquery over the same WHERE). What analyze_errors folds, without whole attribute maps,
 * event payloads, resource attributes or links leaving the server.
 */
import type { Filter } from "../../domain/filter.js";
import { spanWhere } from "../../store/sql/filters.js";
import { projectedSpanColumns } from "./projection.js";
import type { SpanRow } from "./rows.js";
import { QueryBuilder, type ClickHouseTables, type NsWindow, type Statement } from "./sql.js";

export interface ProjectedSpanRow extends SpanRow {
  /** Every matching span, also those past the limit (each row carries it). */
  matched: string | number;
}

export interface ProjectedSpanSpec {
  filters: readonly Filter[];
  attributes: readonly string[];
  events: readonly string[];
  limit: number;
}

export function projectedSpanSearch(tables: ClickHouseTables, w: NsWindow, spec: ProjectedSpanSpec): Statement {
  const q = new QueryBuilder(tables);
  const where = `Timestamp BETWEEN ${q.ts(w.lo)} AND ${q.ts(w.hi)} AND ${spanWhere(spec.filters, q.ctx)}`;
  const keys = q.strings(spec.attributes);
  const columns = projectedSpanColumns({ keepKey: (k) => `has(${keys}, ${k})`, events: q.strings(spec.events) });
  return q.statement(
    `SELECT ${columns.join(", ")}, (SELECT count() FROM ${q.traces} WHERE ${where}) AS matched
     FROM ${q.traces} WHERE ${where}
     ORDER BY ts_us DESC, TraceId, SpanId LIMIT ${q.int(Math.max(spec.limit, 0))}`,
  );
}

/** The match count alone (a limit of 0, or no row to carry it). */
export function projectedSpanCount(tables: ClickHouseTables, w: NsWindow, filters: readonly Filter[]): Statement {
  const q = new QueryBuilder(tables);
  return q.statement(`SELECT count() AS n FROM ${q.traces} WHERE Timestamp BETWEEN ${q.ts(w.lo)} AND ${q.ts(w.hi)} AND ${spanWhere(filters, q.ctx)}`);
}
