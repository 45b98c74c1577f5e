/**
 * The store's read queries, every filter pushed down into SQL (sql/filters.ts). Results are
 * newest first: spans by start time, traces by trace start (their earliest span), ties by id.
 * Spans inside a trace come in start order (ties by span id).
 *
 * Trace membership in a window is decided from the spans within `horizonMs` of it: a trace
 * belongs to [start, end] when its earliest span starts inside, and its other spans are expected
 * within the horizon (default one hour). The traces returned are then read whole, by id.
 */
import type { Filter } from "../domain/filter.js";
import { assembleTrace, type Span, type SpanStatus, type Trace } from "../domain/trace.js";
import type { Catalog } from "./catalog.js";
import { decodeSpan, SPAN_SELECT, STATUS_BY_NAME, type SpanRow } from "./decode.js";
import type { Conn } from "./duckdb.js";
import type { SegmentInfo } from "./manifest.js";
import type { AggregateAnswer } from "../analytics/aggregate-answer.js";
import { aggregatePlan, type AggregateRows, type AggregateSpec } from "./sql/aggregate.js";
import { duckdbDialect } from "./sql/dialect.js";
import { spanWhere, traceHaving } from "./sql/filters.js";
import { Params } from "./sql/params.js";
import { storeTable } from "./sql/table.js";
import { topologyPlan, withQuerySql, type TopologyShape, type TopologySpec } from "./sql/topology.js";
import type { ServiceEdgeAnswer } from "../analytics/topology.js";

export interface TimeWindow {
  startMs: number;
  endMs: number;
}

export interface SearchParams extends TimeWindow {
  filters: Filter[];
  limit: number;
}

export interface QueryContext {
  catalog: Catalog;
  conn: Conn;
  horizonMs: number;
}

const dialect = duckdbDialect;
const newParams = (): Params => new Params(dialect.placeholder);

/** Window bounds in epoch nanoseconds; span starts are whole microseconds, so µs rounding is exact. */
export function nsBounds(w: TimeWindow): { lo: bigint; hi: bigint } {
  return { lo: BigInt(Math.ceil(w.startMs * 1000)) * 1000n, hi: BigInt(Math.floor(w.endMs * 1000)) * 1000n };
}

export function timeBetween(params: Params, lo: bigint, hi: bigint): string {
  return `Timestamp BETWEEN ${dialect.timestampFromNs(params.add(lo, "BIGINT"))} AND ${dialect.timestampFromNs(params.add(hi, "BIGINT"))}`;
}

/** Segments whose time range meets [loUs, hiUs]. */
export function overlapping(segments: readonly SegmentInfo[], loUs: number, hiUs: number): SegmentInfo[] {
  return segments.filter((s) => s.maxUs >= loUs && s.minUs <= hiUs);
}

/** Up to this many spans are fetched in two steps (page keys, then their rows); beyond it in one. */
const TWO_STEP_LIMIT = 1000;

export async function searchSpans(ctx: QueryContext, q: SearchParams): Promise<{ spans: Span[]; matched: number }> {
  const { lo, hi } = nsBounds(q);
  const params = newParams();
  const src = ctx.catalog.source(overlapping(ctx.catalog.segments, Number(lo / 1000n), Number(hi / 1000n)));
  const where = `${timeBetween(params, lo, hi)} AND ${spanWhere(q.filters, { params, dialect })}`;
  const [count] = await ctx.conn.all<{ n: number }>(`SELECT count(*) AS n FROM ${src} WHERE ${where}`, params.values);
  const matched = count?.n ?? 0;
  if (matched === 0 || q.limit <= 0) return { spans: [], matched };
  const limit = params.add(q.limit, "BIGINT");
  const order = "ORDER BY Timestamp DESC, TraceId, SpanId";
  if (q.limit > TWO_STEP_LIMIT) {
    const rows = await ctx.conn.all<SpanRow>(`SELECT ${SPAN_SELECT} FROM ${src} WHERE ${where} ${order} LIMIT ${limit}`, params.values);
    return { spans: rows.map(decodeSpan), matched };
  }
  // Top-N on keys first: sorting whole rows would decode every matching span's attribute maps.
  const keys = await ctx.conn.all<SpanKey>(`SELECT TraceId, SpanId, epoch_us(Timestamp) AS ts_us FROM ${src} WHERE ${where} ${order} LIMIT ${limit}`, params.values);
  return { spans: await spansByKey(ctx, keys), matched };
}

interface SpanKey {
  TraceId: string;
  SpanId: string;
  ts_us: number;
}

/** Full spans for keys found by a previous query, in the keys' order. */
async function spansByKey(ctx: QueryContext, keys: readonly SpanKey[]): Promise<Span[]> {
  if (keys.length === 0) return [];
  const loUs = Math.min(...keys.map((k) => k.ts_us));
  const hiUs = Math.max(...keys.map((k) => k.ts_us));
  const params = newParams();
  const traces = [...new Set(keys.map((k) => k.TraceId))].map((id) => params.add(id, "VARCHAR")).join(", ");
  const spans = [...new Set(keys.map((k) => k.SpanId))].map((id) => params.add(id, "VARCHAR")).join(", ");
  const rows = await ctx.conn.all<SpanRow>(
    `SELECT ${SPAN_SELECT} FROM ${ctx.catalog.source(overlapping(ctx.catalog.segments, loUs, hiUs))}
     WHERE ${timeBetween(params, BigInt(loUs) * 1000n, BigInt(hiUs) * 1000n)} AND TraceId IN (${traces}) AND SpanId IN (${spans})`,
    params.values,
  );
  const byKey = new Map<string, SpanRow[]>();
  for (const row of rows) {
    const key = `${row.TraceId}/${row.SpanId}/${row.ts_us}`;
    byKey.set(key, [...(byKey.get(key) ?? []), row]);
  }
  const out: Span[] = [];
  for (const k of keys) {
    const row = byKey.get(`${k.TraceId}/${k.SpanId}/${k.ts_us}`)?.shift();
    if (row) out.push(decodeSpan(row));
  }
  return out;
}

/**
 * The traces matching `filters` (trace semantics) that start in the window, as the body of a CTE
 * of (TraceId, trace_start), with the span source and time condition their spans are read from:
 * every span within the horizon around the window, which is how a trace's membership is decided.
 * Shared by the trace search, llmCalls and the LLM usage statements (llm-usage.ts).
 */
export function matchingTraces(ctx: QueryContext, q: TimeWindow & { filters: readonly Filter[] }, params: Params): { src: string; scan: string; cte: string } {
  const { lo, hi } = nsBounds(q);
  const horizonNs = BigInt(Math.round(ctx.horizonMs)) * 1_000_000n;
  const scanLo = lo - horizonNs;
  const scanHi = hi + horizonNs;
  const src = ctx.catalog.source(overlapping(ctx.catalog.segments, Number(scanLo / 1000n), Number(scanHi / 1000n)));
  const scan = timeBetween(params, scanLo, scanHi);
  const having = traceHaving(q.filters, { params, dialect });
  const startLo = dialect.timestampFromNs(params.add(lo, "BIGINT"));
  const startHi = dialect.timestampFromNs(params.add(hi, "BIGINT"));
  const cte = `SELECT TraceId, min(Timestamp) AS trace_start FROM ${src}
       WHERE ${scan}
       GROUP BY TraceId
       HAVING min(Timestamp) BETWEEN ${startLo} AND ${startHi} AND ${having}`;
  return { src, scan, cte };
}

export async function searchTraces(ctx: QueryContext, q: SearchParams): Promise<{ traces: Trace[]; matched: number }> {
  const params = newParams();
  const { cte } = matchingTraces(ctx, q, params);
  const limit = params.add(Math.max(q.limit, 0), "BIGINT");
  const rows = await ctx.conn.all<{ TraceId: string; start_us: number; matched: number }>(
    `WITH t AS (${cte})
     SELECT TraceId, epoch_us(trace_start) AS start_us, count(*) OVER () AS matched FROM t ORDER BY trace_start DESC, TraceId LIMIT ${limit}`,
    params.values,
  );
  const matched = rows[0]?.matched ?? (q.limit > 0 ? 0 : await countTraces(ctx, q));
  const ids = rows.map((r) => r.TraceId);
  // No span of a trace starts before the trace does: older segments can be skipped.
  const byId = await getTraces(ctx, ids, rows.length > 0 ? Math.min(...rows.map((r) => r.start_us)) : undefined);
  return { traces: ids.map((id) => byId.get(id)).filter((t): t is Trace => t !== undefined), matched };
}

export interface ProjectedSpanParams extends SearchParams {
  /** Span attributes to keep. */
  attributes: readonly string[];
  /** Events to keep, by name. */
  events: readonly string[];
}

/**
 * Matching spans (span semantics, as searchSpans) with only the named attributes and events, newest
 * first, up to the limit, and how many matched in all. What a kernel that folds every matching span
 * reads (analyze_errors), without decoding whole attribute maps and event payloads.
 */
export async function projectedSpans(ctx: QueryContext, q: ProjectedSpanParams): Promise<{ spans: Span[]; matched: number }> {
  const { lo, hi } = nsBounds(q);
  const params = newParams();
  const src = ctx.catalog.source(overlapping(ctx.catalog.segments, Number(lo / 1000n), Number(hi / 1000n)));
  const where = `${timeBetween(params, lo, hi)} AND ${spanWhere(q.filters, { params, dialect })}`;
  const [count] = await ctx.conn.all<{ n: number }>(`SELECT count(*) AS n FROM ${src} WHERE ${where}`, params.values);
  const matched = count?.n ?? 0;
  if (matched === 0 || q.limit <= 0) return { spans: [], matched };
  const keys = params.add([...q.attributes], "VARCHAR[]");
  const names = params.add([...q.events], "VARCHAR[]");
  const limit = params.add(q.limit, "BIGINT");
  const rows = await ctx.conn.all<SpanRow>(
    `SELECT *, list_transform(ev_idx, i -> epoch_ns("Events.Timestamp"[i + 1])) AS ev_ts, list_transform(ev_idx, i -> "Events.Name"[i + 1]) AS ev_name,
            list_transform(ev_idx, i -> "Events.Attributes"[i + 1]) AS ev_attrs
     FROM (
       SELECT epoch_us(Timestamp) AS ts_us, TraceId, SpanId, ParentSpanId, TraceState, SpanName, SpanKind, ServiceName, NULL AS ResourceAttributes,
              ScopeName, ScopeVersion, map_from_entries(list_filter(map_entries(SpanAttributes), e -> list_contains(${keys}, e.key))) AS SpanAttributes,
              Duration, StatusCode, StatusMessage, AttributeTypes, "Events.Timestamp", "Events.Name", "Events.Attributes",
              list_filter(range(len("Events.Name")), i -> list_contains(${names}, "Events.Name"[i + 1])) AS ev_idx
       FROM ${src} WHERE ${where} ORDER BY Timestamp DESC, TraceId, SpanId LIMIT ${limit}
     ) p ORDER BY ts_us DESC, TraceId, SpanId`,
    params.values,
  );
  return { spans: rows.map(decodeSpan), matched };
}

/** One LLM call as the store holds it: the span's identity and timing, and the parser's reading (derived.ts). */
export interface StoredLlmCall {
  traceId: string;
  spanId: string;
  serviceName: string;
  operationName: string;
  startTimeUs: number;
  durationMs: number;
  status: SpanStatus;
  /** JSON of the call's LlmAttributes (the LlmCall column). */
  call: string;
}

/**
 * The LLM calls of every trace that matches the filters (trace semantics, as searchTraces) in the
 * window, with no cap on traces: newest trace first, each trace's calls in start order. A trace's
 * calls are read within the horizon of the window, as its membership is.
 */
export async function llmCalls(ctx: QueryContext, q: Omit<SearchParams, "limit">): Promise<{ calls: StoredLlmCall[]; traces: number }> {
  const params = newParams();
  const { src, scan, cte } = matchingTraces(ctx, q, params);
  const rows = await ctx.conn.all<{ TraceId: string; SpanId: string; ServiceName: string; SpanName: string; ts_us: number; Duration: number; StatusCode: string; LlmCall: string; traces: number }>(
    `WITH t AS (${cte})
     SELECT s.TraceId, s.SpanId, s.ServiceName, s.SpanName, epoch_us(s.Timestamp) AS ts_us, s.Duration, s.StatusCode, s.LlmCall,
            (SELECT count(*) FROM t) AS traces
     FROM ${src} s JOIN t ON s.TraceId = t.TraceId
     WHERE ${scan} AND s.LlmCall IS NOT NULL
     ORDER BY t.trace_start DESC, s.TraceId, s.Timestamp, s.SpanId`,
    params.values,
  );
  const calls = rows.map((r) => ({
    traceId: r.TraceId,
    spanId: r.SpanId,
    serviceName: r.ServiceName,
    operationName: r.SpanName,
    startTimeUs: Number(r.ts_us),
    durationMs: Number(r.Duration) / 1e6,
    status: STATUS_BY_NAME.get(r.StatusCode) ?? "UNSET",
    call: r.LlmCall,
  }));
  const traces = rows.length > 0 ? Number(rows[0]!.traces) : (await searchTraces(ctx, { ...q, limit: 0 })).matched;
  return { calls, traces };
}

/** The rows an aggregate reads: spans starting in the window, or the spans within the horizon of traces starting in it. */
export function aggregateRows(ctx: QueryContext, w: TimeWindow): AggregateRows {
  const { lo, hi } = nsBounds(w);
  const horizonNs = BigInt(Math.round(ctx.horizonMs)) * 1_000_000n;
  const scanLo = lo - horizonNs;
  const scanHi = hi + horizonNs;
  const sourceFor = (a: bigint, b: bigint): string => ctx.catalog.source(overlapping(ctx.catalog.segments, Number(a / 1000n), Number(b / 1000n)));
  return {
    spans: (params) => ({ from: sourceFor(lo, hi), where: timeBetween(params, lo, hi) }),
    traceSpans: (params) => ({
      from: sourceFor(scanLo, scanHi),
      where: timeBetween(params, scanLo, scanHi),
      startsInWindow: (start) => `${start} BETWEEN ${dialect.timestampFromNs(params.add(lo, "BIGINT"))} AND ${dialect.timestampFromNs(params.add(hi, "BIGINT"))}`,
    }),
  };
}

/**
 * An aggregate over the whole window in SQL (sql/aggregate.ts): every matching span or trace, no
 * cap. Undefined when the plan cannot express the query exactly.
 */
export async function aggregate(ctx: QueryContext, q: AggregateSpec & TimeWindow): Promise<AggregateAnswer | undefined> {
  const plan = aggregatePlan(q, dialect, storeTable, aggregateRows(ctx, q));
  if (!plan) return undefined;
  const groups = await ctx.conn.all(plan.groups.sql, plan.groups.params);
  const usage = plan.usage ? await ctx.conn.all(plan.usage.sql, plan.usage.params) : [];
  const [totals] = await ctx.conn.all(plan.totals.sql, plan.totals.params);
  return plan.read(groups, usage, totals);
}

/** What the topology plan reads of our otel_traces: the derived LLM columns and the recorded attribute types. */
const storeTopology: TopologyShape = {
  llm: () => ({ isCall: storeTable.llm.isCall, provider: storeTable.llm.provider }),
  ...(storeTable.spanAttributeType ? { spanAttributeType: storeTable.spanAttributeType } : {}),
};

/** The service graph of every trace in the window in SQL (sql/topology.ts), no cap. */
export async function serviceEdges(ctx: QueryContext, q: TopologySpec & TimeWindow): Promise<ServiceEdgeAnswer> {
  const rows = aggregateRows(ctx, q);
  const plan = topologyPlan(q, {
    statement: (build) => {
      const params = newParams();
      const sql = withQuerySql(build({ dialect, params }, rows.traceSpans(params)));
      return { sql, params: params.values };
    },
  }, storeTopology);
  return plan.read(await ctx.conn.all(plan.statement.sql, plan.statement.params));
}

/** The match count alone (limit 0). */
async function countTraces(ctx: QueryContext, q: SearchParams): Promise<number> {
  const result = await searchTraces(ctx, { ...q, limit: 1 });
  return result.matched;
}

/**
 * Complete traces by id, each from every segment that may hold it (Bloom filters) and the WAL.
 * `sinceUs`, when known, is the earliest start of the traces asked for.
 */
export async function getTraces(ctx: QueryContext, ids: readonly string[], sinceUs?: number): Promise<Map<string, Trace>> {
  const out = new Map<string, Trace>();
  if (ids.length === 0) return out;
  const segments = new Map<string, SegmentInfo>();
  for (const id of ids) {
    for (const s of await ctx.catalog.segmentsWithTrace(id)) if (sinceUs === undefined || s.maxUs >= sinceUs) segments.set(s.file, s);
  }
  const params = newParams();
  const list = ids.map((id) => params.add(id, "VARCHAR")).join(", ");
  const since = sinceUs === undefined ? "" : ` AND Timestamp >= ${dialect.timestampFromNs(params.add(BigInt(sinceUs) * 1000n, "BIGINT"))}`;
  const rows = await ctx.conn.all<SpanRow>(
    `SELECT ${SPAN_SELECT} FROM ${ctx.catalog.source([...segments.values()])} WHERE TraceId IN (${list})${since} ORDER BY TraceId, Timestamp, SpanId`,
    params.values,
  );
  const spans = new Map<string, Span[]>();
  for (const row of rows) {
    const list = spans.get(row.TraceId) ?? [];
    list.push(decodeSpan(row));
    spans.set(row.TraceId, list);
  }
  for (const [id, list] of spans) out.set(id, assembleTrace(id, list)!);
  return out;
}

export async function getTrace(ctx: QueryContext, traceId: string): Promise<Trace | undefined> {
  return (await getTraces(ctx, [traceId])).get(traceId);
}

/** Services with spans in the window (all time when none): segment metadata, SQL only for the edges. */
export async function listServices(ctx: QueryContext, window?: TimeWindow): Promise<string[]> {
  const names = new Set<string>();
  const params = newParams();
  let scan: SegmentInfo[] = [];
  let where = "TRUE";
  if (window) {
    const { lo, hi } = nsBounds(window);
    const loUs = Number(lo / 1000n);
    const hiUs = Number(hi / 1000n);
    for (const s of overlapping(ctx.catalog.segments, loUs, hiUs)) {
      if (s.minUs >= loUs && s.maxUs <= hiUs) s.services.forEach((n) => names.add(n));
      else scan.push(s);
    }
    where = timeBetween(params, lo, hi);
  } else {
    for (const s of ctx.catalog.segments) s.services.forEach((n) => names.add(n));
    scan = [];
  }
  const rows = await ctx.conn.all<{ s: string }>(`SELECT DISTINCT ServiceName AS s FROM ${ctx.catalog.source(scan)} WHERE ${where}`, params.values);
  for (const r of rows) names.add(r.s);
  return [...names].sort();
}

export async function getServiceOperations(ctx: QueryContext, service: string): Promise<string[]> {
  const ops = new Set<string>();
  const scan: SegmentInfo[] = [];
  for (const s of ctx.catalog.segments) {
    if (!s.services.includes(service)) continue;
    const index = await ctx.catalog.index(s).catch(() => undefined);
    if (index?.operations) (index.operations[service] ?? []).forEach((o) => ops.add(o));
    else scan.push(s);
  }
  const params = newParams();
  const rows = await ctx.conn.all<{ o: string }>(
    `SELECT DISTINCT SpanName AS o FROM ${ctx.catalog.source(scan)} WHERE ServiceName = ${params.add(service, "VARCHAR")}`,
    params.values,
  );
  for (const r of rows) ops.add(r.o);
  return [...ops].sort();
}
