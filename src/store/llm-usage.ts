/**
 * TraceBackend.llmUsage and llmCost over the store (analytics/llm-usage-answer.ts): the LLM calls of
 * every trace matching the filters in the window, as queries.ts llmCalls reads them (the same
 * traces, the same calls: spans with an LlmCall, LlmProvider being the parser's `system`),
 * aggregated in SQL from the derived columns (derived.ts) per model, provider, service and token
 * shape, with what exact pricing and the model statistics need. Sorted series come back as the few
 * values summarize() reads of them, summed in ascending order; dollars are each call's in costOf's
 * floating-point steps, summed in llmCalls' order: the figures are the ones the calls give in
 * JavaScript.
 */
import { SHAPE, type LlmCallStats, type LlmCostAnswer, type LlmCostQuery, type LlmUsageAnswer, type LlmUsageGroup, type LlmUsageQuery, type SortedSeries } from "../analytics/llm-usage-answer.js";
import { STATUS_NAMES } from "./encode.js";
import { matchingTraces, type QueryContext } from "./queries.js";
import { duckdbDialect as dialect } from "./sql/dialect.js";
import { Params } from "./sql/params.js";

type Row = Record<string, unknown>;

/** Epoch ns subtracted from this sorts newest first as a fixed-width decimal (every epoch ns is below it). */
const NEWEST_FIRST = "9000000000000000000";
const fixed = (x: string): string => `lpad(CAST(${x} AS VARCHAR), 19, '0')`;

/** The matching traces (t) and their calls (c): one row per call with the columns the statements read. */
function callsSql(ctx: QueryContext, q: LlmUsageQuery, params: Params): string {
  const { src, scan, cte } = matchingTraces(ctx, q, params);
  const where = ["s.LlmCall IS NOT NULL"];
  const w = q.where ?? {};
  if (w.provider !== undefined) where.push(`s.LlmProvider = ${params.add(w.provider, "VARCHAR")}`);
  if (w.requestModel !== undefined) where.push(`s.LlmRequestModel = ${params.add(w.requestModel, "VARCHAR")}`);
  if (w.responseModel !== undefined) where.push(`s.LlmResponseModel = ${params.add(w.responseModel, "VARCHAR")}`);
  if (w.eitherModel !== undefined) {
    const m = params.add(w.eitherModel, "VARCHAR");
    where.push(`(s.LlmResponseModel = ${m} OR s.LlmRequestModel = ${m})`);
  }
  const z = (c: string): string => `coalesce(s.${c}, 0)`;
  // The order llmCalls returns calls in (newest trace first, then trace id, call start, span id), as one string.
  const key = `${fixed(`${NEWEST_FIRST} - epoch_ns(t.trace_start)`)} || ' ' || s.TraceId || ' ' || ${fixed("epoch_ns(s.Timestamp)")} || ' ' || s.SpanId`;
  return `WITH t AS (${cte}), c AS (
      SELECT s.LlmModel AS model, s.LlmProvider AS provider, s.ServiceName AS service, epoch_us(s.Timestamp) AS ts_us,
             s.Duration / 1e6 AS d, s.StatusCode = '${STATUS_NAMES.ERROR}' AS e,
             ${z("LlmInputTokens")} AS ci, ${z("LlmOutputTokens")} AS co, ${z("LlmTotalTokens")} AS ct,
             ${z("LlmCacheReadTokens")} AS ccr, ${z("LlmCacheWriteTokens")} AS ccw, ${z("LlmReasoningTokens")} AS crs,
             s.LlmFinishReasons AS reasons, ${key} AS k, t.trace_start, s.TraceId AS trace_id, s.Timestamp AS ts, s.SpanId AS span_id
      FROM ${src} s JOIN t ON s.TraceId = t.TraceId
      WHERE ${scan} AND ${where.join(" AND ")}
    )`;
}

/** SHAPE bits of a call (analytics/llm-usage-answer.ts). */
const SHAPE_SQL = `((CASE WHEN ccr > 0 THEN ${SHAPE.cacheRead} ELSE 0 END) + (CASE WHEN ccw > 0 THEN ${SHAPE.cacheWrite} ELSE 0 END) +
  (CASE WHEN co > 0 THEN ${SHAPE.output} ELSE 0 END) + (CASE WHEN crs > 0 THEN ${SHAPE.reasoning} ELSE 0 END))`;

const GROUP_COLUMNS = [
  "model",
  "provider",
  "service",
  "shape",
  "count(*) AS calls",
  "count_if(e) AS errors",
  "sum(ci) AS input",
  "sum(co) AS output",
  "sum(ct) AS total",
  "sum(ccr) AS cache_read",
  "sum(ccw) AS cache_write",
  "sum(crs) AS reasoning",
  "min(ts_us) AS first_us",
  "max(ts_us) AS last_us",
  "min(greatest(ci, 0)) AS min_input",
  "max(greatest(ci, 0)) AS max_input",
  // costOf's clamping, on its counts (negative counts read as 0).
  "count_if(greatest(ccr, 0) + greatest(ccw, 0) > greatest(ci, 0) OR greatest(crs, 0) > greatest(co, 0)) AS clamped",
  "min(k) AS k0",
];

const LEVELS = { p50: 0.5, p95: 0.95, p99: 0.99 } as const;

/** A sorted DOUBLE list `l` as SortedSeries columns `<name>_…`; the index arithmetic in DOUBLE, as percentile() does it. */
function seriesColumns(l: string, name: string, params: Params): string[] {
  const out = [`len(${l}) AS ${name}_n`, `list_reduce(${l}, (a, b) -> a + b, CAST(0 AS DOUBLE)) AS ${name}_sum`];
  for (const [label, p] of Object.entries(LEVELS)) {
    const lower = `CAST(floor(CAST(len(${l}) - 1 AS DOUBLE) * ${params.add(p, "DOUBLE")}) AS BIGINT)`;
    out.push(`${l}[${lower} + 1] AS ${name}_${label}_lo`, `${l}[least(${lower} + 2, len(${l}))] AS ${name}_${label}_hi`);
  }
  return out;
}

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

function readSeries(row: Row, name: string): SortedSeries {
  const pair = (label: string): [number, number] => [num(row[`${name}_${label}_lo`]), num(row[`${name}_${label}_hi`])];
  return { n: num(row[`${name}_n`]), sum: num(row[`${name}_sum`]), p50: pair("p50"), p95: pair("p95"), p99: pair("p99") };
}

function readGroup(r: Row): LlmUsageGroup {
  return {
    model: str(r.model),
    provider: String(r.provider),
    service: String(r.service),
    calls: num(r.calls),
    errors: num(r.errors),
    input: num(r.input),
    output: num(r.output),
    total: num(r.total),
    cacheRead: num(r.cache_read),
    cacheWrite: num(r.cache_write),
    reasoning: num(r.reasoning),
    shape: num(r.shape),
    firstUs: num(r.first_us),
    lastUs: num(r.last_us),
    minInput: num(r.min_input),
    maxInput: num(r.max_input),
    clamped: num(r.clamped),
    firstKey: String(r.k0),
  };
}

async function statsOf(ctx: QueryContext, q: LlmUsageQuery): Promise<LlmCallStats> {
  const params = new Params(dialect.placeholder);
  const calls = callsSql(ctx, q, params);
  const nonZero = (x: string): string => `list_sort(coalesce(list(CAST(${x} AS DOUBLE)) FILTER (WHERE ${x} <> 0), []))`;
  const [row] = await ctx.conn.all(
    `${calls}, l AS (SELECT list_sort(coalesce(list(d), [])) AS ld, ${nonZero("ci")} AS lp, ${nonZero("co")} AS lc, ${nonZero("ct")} AS lt FROM c)
     SELECT ${[...seriesColumns("ld", "d", params), ...seriesColumns("lp", "p", params), ...seriesColumns("lc", "c", params), ...seriesColumns("lt", "t", params)].join(", ")} FROM l`,
    params.values,
  );
  const rparams = new Params(dialect.placeholder);
  // A reason's first record: its call's order key, then its place in the call's list.
  const reasons = await ctx.conn.all(
    `${callsSql(ctx, q, rparams)}
     SELECT reason, count(*) AS n, min(k || ' ' || lpad(CAST(i AS VARCHAR), 9, '0')) AS first_at
     FROM (SELECT k, unnest(reasons) AS reason, generate_subscripts(reasons, 1) AS i FROM c WHERE reasons IS NOT NULL) r
     GROUP BY reason ORDER BY first_at`,
    rparams.values,
  );
  const r = row ?? {};
  return {
    durationMs: readSeries(r, "d"),
    prompt: readSeries(r, "p"),
    completion: readSeries(r, "c"),
    total: readSeries(r, "t"),
    finishReasons: reasons.map((x) => ({ reason: String(x.reason), count: num(x.n) })),
  };
}

export async function llmUsage(ctx: QueryContext, q: LlmUsageQuery): Promise<LlmUsageAnswer> {
  const params = new Params(dialect.placeholder);
  const rows = await ctx.conn.all(
    `${callsSql(ctx, q, params)}
     SELECT n.traces, g.* FROM (SELECT count(*) AS traces FROM t) n
     LEFT JOIN (SELECT ${GROUP_COLUMNS.join(", ")} FROM (SELECT *, ${SHAPE_SQL} AS shape FROM c) c GROUP BY model, provider, service, shape) g ON TRUE`,
    params.values,
  );
  const traces = num(rows[0]?.traces);
  const groups = rows.filter((r) => r.calls !== null && r.calls !== undefined).map(readGroup);
  return { traces, groups, ...(q.stats ? { stats: await statsOf(ctx, q) } : {}) };
}

/** One call's dollars at the rates of its model and provider (r), in costOf's floating-point steps (genai/pricing.ts). */
const CALL_USD = `(((((CAST(greatest(ci, 0) - greatest(ccr, 0) - greatest(ccw, 0) AS DOUBLE) * r.rin)
   + (CASE WHEN ccr > 0 THEN ccr * r.rcr ELSE CAST(0 AS DOUBLE) END))
   + (CASE WHEN ccw > 0 THEN ccw * r.rcw ELSE CAST(0 AS DOUBLE) END))
   + (CASE WHEN co > 0 AND r.rout IS NOT NULL THEN
        (CASE WHEN r.rrs IS NOT NULL AND crs > 0 THEN (crs * r.rrs) + ((co - crs) * r.rout) ELSE co * r.rout END)
      ELSE CAST(0 AS DOUBLE) END))
  / CAST(1000000 AS DOUBLE))`;

/** llmCalls' order. */
const CALL_ORDER = "trace_start DESC, trace_id, ts, span_id";

/**
 * The priced calls' dollars, summed in llmCalls' order (list_reduce adds in list order, as a
 * JavaScript loop does), in total and per model key / service. Only exact for calls costOf would
 * not clamp, with one long-context tier per model: the caller checks (llm-usage-fold.ts).
 */
export async function llmCost(ctx: QueryContext, q: LlmCostQuery): Promise<LlmCostAnswer> {
  const out: LlmCostAnswer = { all: { usd: 0, calls: 0 }, model: {}, service: {} };
  if (q.prices.length === 0) return out;
  const params = new Params(dialect.placeholder);
  const calls = callsSql(ctx, q, params);
  const d = (x: number | null): string => (x === null ? "CAST(NULL AS DOUBLE)" : params.add(x, "DOUBLE"));
  const values = q.prices
    .map((p) => `(${p.model === null ? "CAST(NULL AS VARCHAR)" : params.add(p.model, "VARCHAR")}, ${params.add(p.provider, "VARCHAR")}, ${d(p.rates.input)}, ${d(p.rates.cacheRead)}, ${d(p.rates.cacheWrite)}, ${d(p.rates.output)}, ${d(p.rates.reasoning)})`)
    .join(", ");
  const sum = "list_reduce(list(usd ORDER BY rn), (a, b) -> a + b, CAST(0 AS DOUBLE))";
  const dims = [`SELECT 'all' AS dim, CAST(NULL AS VARCHAR) AS key, ${sum} AS usd, count(*) AS n FROM u`];
  if (q.by.includes("model")) dims.push(`SELECT 'model', coalesce(model, 'unknown'), ${sum}, count(*) FROM u GROUP BY 2`);
  if (q.by.includes("service")) dims.push(`SELECT 'service', service, ${sum}, count(*) FROM u GROUP BY 2`);
  const rows = await ctx.conn.all(
    `${calls}, r(model, provider, rin, rcr, rcw, rout, rrs) AS (VALUES ${values}),
     u AS MATERIALIZED (SELECT c.model, c.service, ${CALL_USD} AS usd, row_number() OVER (ORDER BY ${CALL_ORDER}) AS rn
           FROM c JOIN r ON c.model IS NOT DISTINCT FROM r.model AND c.provider = r.provider)
     ${dims.join(" UNION ALL ")}`,
    params.values,
  );
  for (const row of rows) {
    const s = { usd: num(row.usd), calls: num(row.n) };
    if (row.dim === "all") out.all = s;
    else if (row.dim === "model") out.model[String(row.key)] = s;
    else out.service[String(row.key)] = s;
  }
  return out;
}
