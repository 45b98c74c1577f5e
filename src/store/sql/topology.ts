/**
 * ServiceEdgeQuery -> one SQL statement over otel_traces, with the definitions of
 * src/analytics/topology.ts (topologyOf over the traces of a window):
 * - the spans: every span of each trace whose earliest span starts in the window (read within the
 *   trace horizon, as the trace search reads membership);
 * - service edges: a child span joined to its parent span (same TraceId, child.ParentSpanId =
 *   parent.SpanId) whose service differs: caller the parent's service, callee the child's;
 * - external calls: a span naming a database (db.system.name, else db.system, read as attrString
 *   reads them; an empty name is none) calls that database, else an LLM call calls its provider
 *   ("unknown" when it names none): caller the span's service;
 * - edges group both by (caller, callee) with the callee spans' count, errors, p50 and p95; nodes
 *   are the services (their spans) and the databases / providers (the calls made to them), with
 *   count, errors and p95; percentiles by linear interpolation (Dialect.quantile).
 * The spans are a CTE read by every branch (DuckDB materialises a CTE used more than once).
 *
 * Dialect-generic: engine specifics come through the Dialect, table specifics through
 * TopologyShape, and the rows' source and window through TopologySource, so the ClickHouse
 * backend runs the same plan (src/backends/clickhouse/topology.ts).
 */
import type { ServiceEdgeAnswer, TopologyEdge, TopologyNode } from "../../analytics/topology.js";
import type { Row, Statement } from "./aggregate.js";
import { IS_ERROR_SQL, SPAN_DURATION_MS } from "./fields.js";
import type { SqlContext } from "./table.js";

export interface TopologySpec {
  minCallCount: number;
}

/** The spans a trace is read from, and the condition on a trace's start that makes it part of the window (AggregateRows.traceSpans). */
export interface TraceSpans {
  from: string;
  where: string;
  startsInWindow(start: string): string;
}

/** A statement as the plan writes it: its common table expressions (`name AS (...)`, comma-separated) and the query that reads them. */
export interface WithQuery {
  ctes: string;
  body: string;
}

/**
 * How one statement is made: fresh parameters, the spans' source in them, and the text the engine
 * is sent (`WITH <ctes> <body>`, with whatever the engine adds to the WITH list).
 */
export interface TopologySource {
  statement(build: (ctx: SqlContext, spans: TraceSpans) => WithQuery): Statement;
}

/** The plain SQL of a WithQuery. */
export const withQuerySql = (q: WithQuery): string => `WITH ${q.ctes} ${q.body}`;

/** What the plan reads of a span beyond the exporter's columns. */
export interface TopologyShape {
  /** The span is an LLM call (llmUsageOf gives it a view; never NULL), and its provider (NULL when it names none). */
  llm(ctx: SqlContext): { isCall: string; provider: string };
  /** The recorded JSON type of a span attribute ("json" for lists and maps; NULL for a string); absent when the table records none. */
  spanAttributeType?(key: string, ctx: SqlContext): string;
}

export interface TopologyPlan {
  statement: Statement;
  read(rows: readonly Row[]): ServiceEdgeAnswer;
}

/** The attribute as attrString reads it: its text, NULL when absent or not a scalar. */
function scalarAttribute(key: string, ctx: SqlContext, shape: TopologyShape): string {
  const value = ctx.dialect.mapValue("SpanAttributes", ctx.params.add(key, "VARCHAR"));
  const type = shape.spanAttributeType?.(key, ctx);
  return type ? `(CASE WHEN ${value} IS NULL OR ${type} = 'json' THEN NULL ELSE ${value} END)` : value;
}

/** One row per span of the window's traces: identity, service, duration (ms), error, and the external node it calls (if any). */
function spansSql(ctx: SqlContext, spans: TraceSpans, shape: TopologyShape): string {
  const name = scalarAttribute("db.system.name", ctx, shape);
  const system = scalarAttribute("db.system", ctx, shape);
  // attrString("db.system.name") ?? attrString("db.system"), then `if (db)`: an empty name is no database.
  const db = `(CASE WHEN ${name} IS NOT NULL THEN ${name} ELSE ${system} END)`;
  const llm = shape.llm(ctx);
  const members = `SELECT TraceId FROM ${spans.from} WHERE ${spans.where} GROUP BY TraceId HAVING ${spans.startsInWindow("min(Timestamp)")}`;
  const columns = [
    "TraceId AS tid",
    "SpanId AS sid",
    "ParentSpanId AS pid",
    "ServiceName AS svc",
    `${SPAN_DURATION_MS} AS d`,
    `${IS_ERROR_SQL} AS e`,
    `(CASE WHEN ${db} <> '' THEN ${db} WHEN ${llm.isCall} THEN coalesce(${llm.provider}, 'unknown') END) AS ext`,
    `(CASE WHEN ${db} <> '' THEN 'database' WHEN ${llm.isCall} THEN 'llm' END) AS ext_kind`,
  ];
  return `SELECT ${columns.join(", ")} FROM ${spans.from} WHERE ${spans.where} AND TraceId IN (${members})`;
}

export function topologyPlan(spec: TopologySpec, source: TopologySource, shape: TopologyShape): TopologyPlan {
  const statement = source.statement((ctx, spans) => {
    const d = ctx.dialect;
    const measures = (p50: boolean): string =>
      [`count(*) AS n`, `${d.countTrue("e")} AS errors`, `${p50 ? d.quantile("d", 0.5) : "NULL"} AS p50`, `${d.quantile("d", 0.95)} AS p95`, "NULL AS traces"].join(", ");
    const minCalls = ctx.params.add(Math.max(1, Math.trunc(spec.minCallCount)), "BIGINT");
    // Rows: 'edge' (caller, name = callee), 'service' / 'database' / 'llm' nodes (name), one 'total'.
    const ctes = `s AS (${spansSql(ctx, spans, shape)})`;
    const body = `SELECT 'edge' AS kind, caller, callee AS name, ${measures(true)} FROM (
        SELECT p.svc AS caller, c.svc AS callee, c.d AS d, c.e AS e FROM s AS c INNER JOIN s AS p ON c.tid = p.tid AND c.pid = p.sid WHERE c.svc <> p.svc
        UNION ALL
        SELECT svc AS caller, ext AS callee, d, e FROM s WHERE ext IS NOT NULL
      ) calls GROUP BY caller, callee HAVING count(*) >= ${minCalls}
      UNION ALL
      SELECT 'service' AS kind, NULL AS caller, svc AS name, ${measures(false)} FROM s GROUP BY svc
      UNION ALL
      SELECT ext_kind AS kind, NULL AS caller, ext AS name, ${measures(false)} FROM s WHERE ext IS NOT NULL GROUP BY ext_kind, ext
      UNION ALL
      SELECT 'total' AS kind, NULL AS caller, NULL AS name, count(*) AS n, 0 AS errors, NULL AS p50, NULL AS p95, count(DISTINCT tid) AS traces FROM s`;
    return { ctes, body };
  });
  return { statement, read: readTopology };
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const rate = (errors: number, n: number): number => (n === 0 ? 0 : (errors / n) * 100);

/** The rows -> topologyOf's shape (error_rate a percentage, unrounded: the tool rounds). */
export function readTopology(rows: readonly Row[]): ServiceEdgeAnswer {
  const edges: TopologyEdge[] = [];
  const services: TopologyNode[] = [];
  const externals: TopologyNode[] = [];
  let spans = 0;
  let traces = 0;
  for (const r of rows) {
    const n = Number(r.n);
    const errors = Number(r.errors);
    switch (r.kind) {
      case "edge":
        edges.push({ caller: String(r.caller), callee: String(r.name), call_count: n, error_count: errors, error_rate: rate(errors, n), p50_duration_ms: num(r.p50), p95_duration_ms: num(r.p95) });
        break;
      case "service":
        services.push({ name: String(r.name), kind: "service", span_count: n, error_rate: rate(errors, n), p95_duration_ms: num(r.p95) });
        break;
      case "database":
      case "llm":
        externals.push({ name: String(r.name), kind: r.kind, span_count: n, error_rate: rate(errors, n), p95_duration_ms: num(r.p95) });
        break;
      case "total":
        spans = n;
        traces = Number(r.traces);
        break;
      default:
        throw new Error(`service topology: unexpected row kind ${JSON.stringify(r.kind)}`);
    }
  }
  return { services: [...services, ...externals], edges, spans, traces };
}
