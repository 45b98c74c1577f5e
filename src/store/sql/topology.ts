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
 * The window's traces (m) and the calls to databases and providers (x) are CTEs read by several
 * branches; the others read the span columns they need directly (no wide intermediate table).
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

/** The window's traces: those whose earliest span starts in it. */
const membersSql = (spans: TraceSpans): string =>
  `SELECT TraceId FROM ${spans.from} WHERE ${spans.where} GROUP BY TraceId HAVING ${spans.startsInWindow("min(Timestamp)")}`;

/** The window's spans that call a database or an LLM provider: caller service, the node called and its kind, duration (ms), error. */
function externalsSql(ctx: SqlContext, spans: TraceSpans, shape: TopologyShape): string {
  const name = scalarAttribute("db.system.name", ctx, shape);
  const system = scalarAttribute("db.system", ctx, shape);
  const llm = shape.llm(ctx);
  // attrString("db.system.name") ?? attrString("db.system"), then `if (db)`: an empty name is no database.
  // Each per-span value is computed once, in the inner query.
  const inner = [
    "ServiceName AS svc",
    `${SPAN_DURATION_MS} AS d`,
    `${IS_ERROR_SQL} AS e`,
    `(CASE WHEN ${name} IS NOT NULL THEN ${name} ELSE ${system} END) AS db`,
    `${llm.isCall} AS llm`,
    `${llm.provider} AS prov`,
  ];
  return `SELECT svc, d, e, (CASE WHEN db <> '' THEN db ELSE coalesce(prov, 'unknown') END) AS ext, (CASE WHEN db <> '' THEN 'database' ELSE 'llm' END) AS ext_kind
    FROM (SELECT ${inner.join(", ")} FROM ${spans.from} WHERE ${spans.where} AND TraceId IN (SELECT TraceId FROM m)) x
    WHERE db <> '' OR llm`;
}

export function topologyPlan(spec: TopologySpec, source: TopologySource, shape: TopologyShape): TopologyPlan {
  const statement = source.statement((ctx, spans) => {
    const d = ctx.dialect;
    /** Count, errors, p50 (edges) and p95 of rows with duration `dur` (ms) and error flag `err`. */
    const measures = (p50: boolean, dur = "d", err = "e"): string =>
      [`count(*) AS n`, `${d.countTrue(err)} AS errors`, `${p50 ? d.quantile(dur, 0.5) : "NULL"} AS p50`, `${d.quantile(dur, 0.95)} AS p95`, "NULL AS traces"].join(", ");
    const minCalls = ctx.params.add(Math.max(1, Math.trunc(spec.minCallCount)), "BIGINT");
    const inWindow = `${spans.where} AND TraceId IN (SELECT TraceId FROM m)`;
    // m: the window's traces; x: the calls to databases and providers (a minority of spans, the only rows whose attributes are read).
    const ctes = `m AS (${membersSql(spans)}), x AS (${externalsSql(ctx, spans, shape)})`;
    // Rows: 'edge' (caller, name = callee), 'service' / 'database' / 'llm' nodes (name), one 'total' (traces).
    const body = `SELECT 'edge' AS kind, caller, callee AS name, ${measures(true)} FROM (
        SELECT p.ServiceName AS caller, c.ServiceName AS callee, c.d AS d, c.e AS e
        FROM (SELECT TraceId, ParentSpanId, ServiceName, ${SPAN_DURATION_MS} AS d, ${IS_ERROR_SQL} AS e FROM ${spans.from} WHERE ${inWindow} AND ParentSpanId <> '') c
        INNER JOIN (SELECT TraceId, SpanId, ServiceName FROM ${spans.from} WHERE ${inWindow}) p ON c.TraceId = p.TraceId AND c.ParentSpanId = p.SpanId
        WHERE c.ServiceName <> p.ServiceName
        UNION ALL
        SELECT svc AS caller, ext AS callee, d, e FROM x
      ) calls GROUP BY caller, callee HAVING count(*) >= ${minCalls}
      UNION ALL
      SELECT 'service' AS kind, NULL AS caller, ServiceName AS name, ${measures(false, SPAN_DURATION_MS, IS_ERROR_SQL)} FROM ${spans.from} WHERE ${inWindow} GROUP BY ServiceName
      UNION ALL
      SELECT ext_kind AS kind, NULL AS caller, ext AS name, ${measures(false)} FROM x GROUP BY ext_kind, ext
      UNION ALL
      SELECT 'total' AS kind, NULL AS caller, NULL AS name, 0 AS n, 0 AS errors, NULL AS p50, NULL AS p95, count(*) AS traces FROM m`;
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
        spans += n;
        services.push({ name: String(r.name), kind: "service", span_count: n, error_rate: rate(errors, n), p95_duration_ms: num(r.p95) });
        break;
      case "database":
      case "llm":
        externals.push({ name: String(r.name), kind: r.kind, span_count: n, error_rate: rate(errors, n), p95_duration_ms: num(r.p95) });
        break;
      case "total":
        traces = Number(r.traces);
        break;
      default:
        throw new Error(`service topology: unexpected row kind ${JSON.stringify(r.kind)}`);
    }
  }
  return { services: [...services, ...externals], edges, spans, traces };
}
