/**
 * AggregateQuery -> ClickHouse SQL, and the rows it answers -> AggregateAnswer. The definitions are
 * src/analytics (metrics.ts, fields.ts, group-rows.ts): a row is a span whose start is in the
 * window (level "span"), or a trace whose earliest span is (level "trace": root service and name,
 * trace status, trace duration, the tokens of its LLM calls); group-by fields are the pseudo-fields
 * (service.name, operation_name, status), the normalised GenAI fields (whatever convention recorded
 * the span; on a trace, the first span by start that has one) and plain attributes (on a trace, the
 * root span's). Every filter is compiled by the shared SQL layer, exactly as the filter engine
 * means it; nothing is approximated, so every AggregateQuery is answered.
 *
 * Numbers: durations from Duration (integer ns) without rounding; percentiles with
 * quantilesExactInclusive (linear interpolation between closest ranks, analytics/stats.ts
 * percentile, equal up to the last bits of floating-point rounding); error_rate and averages are
 * divided here, as metricsOf divides.
 */
import type { AggregateAnswer, AggregateGroup, ModelUsage } from "../../analytics/aggregate-answer.js";
import { PERCENTILES, type BackendMetric } from "../../analytics/metrics.js";
import { normalizeAttributes, type AttributeValue } from "../../domain/attributes.js";
import { isNormalizedGenAiField } from "../../genai/fields.js";
import { UNKNOWN_PROVIDER } from "../../genai/llm-span.js";
import { IS_ERROR_SQL, STATUS_SQL, traceAggregates } from "../../store/sql/fields.js";
import { spanWhere, traceHaving } from "../../store/sql/filters.js";
import { genaiIsCall, genaiValue } from "../../store/sql/genai.js";
import type { AggregateQuery } from "../trace-backend.js";
import { nsWindow, QueryBuilder, type ClickHouseTables, type Statement } from "./sql.js";

type KeyValue = string | number | boolean | null;

/** What the per-row columns of one level are, inside the query that reads otel_traces. */
interface RowColumns {
  keys: string[];
  startUs: string;
  durationMs: string;
  isError: string;
  input: string;
  output: string;
  total: string;
}

const ROOT_KEY = ["ParentSpanId <> ''", "Timestamp", "SpanId"];
const TOKEN_FIELDS = {
  input: "gen_ai.usage.input_tokens",
  output: "gen_ai.usage.output_tokens",
  total: "gen_ai.usage.total_tokens",
  cacheRead: "gen_ai.usage.cache_read.input_tokens",
  cacheWrite: "gen_ai.usage.cache_write.input_tokens",
  reasoning: "gen_ai.usage.reasoning.output_tokens",
} as const;

function spanKey(q: QueryBuilder, field: string): string {
  switch (field) {
    case "trace_id":
      return "TraceId";
    case "service.name":
      return "ServiceName";
    case "operation_name":
    case "name":
      return "SpanName";
    case "status":
      return STATUS_SQL;
    default:
      if (isNormalizedGenAiField(field)) return genaiValue(field, q.params, q.dialect).sql;
      return q.dialect.mapValue("SpanAttributes", q.params.constant(field));
  }
}

function traceKey(q: QueryBuilder, field: string): string {
  const agg = traceAggregates(q.dialect, q.ctx.derived);
  switch (field) {
    case "trace_id":
      // One group per trace: the rows are grouped by TraceId already.
      return "TraceId";
    case "service.name":
      return agg.rootService;
    case "operation_name":
    case "name":
      return agg.rootOperation;
    case "status":
      return agg.status;
    default:
      // argMin skips NULL values: the first span by start that has one. The root's attribute, NULL included, via a tuple.
      if (isNormalizedGenAiField(field)) return `argMin(${genaiValue(field, q.params, q.dialect).sql}, tuple(Timestamp, SpanId))`;
      return `argMin(tuple(${q.dialect.mapValue("SpanAttributes", q.params.constant(field))}), tuple(${ROOT_KEY.join(", ")})).1`;
  }
}

const tokens = (q: QueryBuilder, field: keyof typeof TOKEN_FIELDS): string => `coalesce(${genaiValue(TOKEN_FIELDS[field], q.params, q.dialect).sql}, 0)`;

export interface AggregatePlan {
  main: Statement;
  models?: Statement;
  /** Reads the answer from the statements' results. */
  answer(main: { rows: MainRow[]; totals?: MainRow }, models?: { rows: ModelRow[] }): AggregateAnswer;
}

export interface MainRow {
  [key: `k${number}`]: KeyValue;
  bucket?: string | number;
  n: string | number;
  errors: string | number;
  dur_sum: number;
  dur_max: number | null;
  q?: number[];
  t_in: number;
  t_out: number;
  t_total: number;
  traces?: string | number;
  spans?: string | number;
}

export interface ModelRow {
  [key: `k${number}`]: KeyValue;
  bucket?: string | number;
  model: string | null;
  provider: string;
  calls: string | number;
  t_in: number;
  t_out: number;
  t_cr: number;
  t_cw: number;
  t_rs: number;
  first_at: number;
  last_at: number;
  min_in: number;
  max_in: number;
  clamped: string | number;
}

export function planAggregate(tables: ClickHouseTables, query: AggregateQuery, horizonNs: bigint): AggregatePlan {
  const w = nsWindow(query.startMs, query.endMs);
  const percentiles = query.metrics.filter((m) => PERCENTILES[m] !== undefined);
  const levels = percentiles.map((m) => PERCENTILES[m]!);
  const keyNames = query.groupBy.map((_, i) => `k${i}`);
  const bucket = (q: QueryBuilder, startUs: string): string =>
    query.intervalMs ? `, intDiv(${startUs}, ${q.int(query.intervalMs * 1000)}) * ${q.int(query.intervalMs)} AS bucket` : "";
  const groupList = [...keyNames, ...(query.intervalMs ? ["bucket"] : [])];
  const groupBy = (extra: readonly string[] = []): string => {
    const all = [...groupList, ...extra];
    return all.length > 0 ? `GROUP BY ${all.join(", ")}` : "";
  };
  // Without a GROUP BY the one row is the total (and WITH TOTALS needs a GROUP BY).
  const totalsClause = groupList.length > 0 ? " WITH TOTALS" : "";
  const measures = (c: { durationMs: string; isError: string; input: string; output: string; total: string; durationSum: string }): string =>
    [
      "count() AS n",
      `countIf(${c.isError}) AS errors`,
      `${c.durationSum} AS dur_sum`,
      `max(${c.durationMs}) AS dur_max`,
      ...(levels.length > 0 ? [`quantilesExactInclusive(${levels.join(", ")})(${c.durationMs}) AS q`] : []),
      `sum(${c.input}) AS t_in`,
      `sum(${c.output}) AS t_out`,
      `sum(${c.total}) AS t_total`,
    ].join(", ");

  let main: Statement;
  let models: Statement | undefined;
  if (query.level === "span") {
    const q = new QueryBuilder(tables);
    const where = `Timestamp BETWEEN ${q.ts(w.lo)} AND ${q.ts(w.hi)} AND ${spanWhere(query.filters, q.ctx)}`;
    const keys = query.groupBy.map((f, i) => `${spanKey(q, f)} AS k${i}`);
    const cols = [...keys.map((k) => `, ${k}`)].join("") + bucket(q, "toUnixTimestamp64Micro(Timestamp)");
    const m = measures({
      durationMs: "(Duration / 1e6)",
      // Integer nanoseconds sum exactly; divided once below.
      durationSum: "toFloat64(sum(Duration)) / 1e6",
      isError: IS_ERROR_SQL,
      input: tokens(q, "input"),
      output: tokens(q, "output"),
      total: tokens(q, "total"),
    });
    main = q.statement(`SELECT ${m}, uniqExact(TraceId) AS traces${cols} FROM ${q.traces} WHERE ${where} ${groupBy()}${totalsClause}`);
    if (query.byModel) {
      const mq = new QueryBuilder(tables);
      const mwhere = `Timestamp BETWEEN ${mq.ts(w.lo)} AND ${mq.ts(w.hi)} AND ${spanWhere(query.filters, mq.ctx)} AND ${genaiIsCall(mq.params, mq.dialect)}`;
      const mkeys = query.groupBy.map((f, i) => `, ${spanKey(mq, f)} AS k${i}`).join("") + bucket(mq, "toUnixTimestamp64Micro(Timestamp)");
      models = mq.statement(
        `SELECT ${genaiValue("model", mq.params, mq.dialect).sql} AS model, coalesce(${genaiValue("gen_ai.provider.name", mq.params, mq.dialect).sql}, ${mq.str(UNKNOWN_PROVIDER)}) AS provider,
           count() AS calls, ${modelSums(mq)}${mkeys}
         FROM ${mq.traces} WHERE ${mwhere} ${groupBy(["model", "provider"])}`,
      );
    }
  } else {
    // One row per trace (inner query), then grouped.
    const perTrace = (q: QueryBuilder, extra: string): string => {
      const agg = traceAggregates(q.dialect, q.ctx.derived);
      const keys = query.groupBy.map((f, i) => `, ${traceKey(q, f)} AS k${i}`).join("");
      const startUs = "toUnixTimestamp64Micro(min(Timestamp))";
      const having = `min(Timestamp) BETWEEN ${q.ts(w.lo)} AND ${q.ts(w.hi)} AND ${traceHaving(query.filters, q.ctx)}`;
      return q.statement(
        `SELECT TraceId${keys}${bucket(q, startUs)}, count() AS span_count, ${agg.durationMs} AS dur, ${agg.hasErrors} AS err${extra}
         FROM ${q.traces} WHERE Timestamp BETWEEN ${q.ts(w.lo - horizonNs)} AND ${q.ts(w.hi + horizonNs)}
         GROUP BY TraceId HAVING ${having}`,
      ).sql;
    };
    const q = new QueryBuilder(tables);
    // The token expressions are NULL except on LLM calls, so plain sums are the calls' sums.
    const inner = perTrace(q, `, sum(${tokens(q, "input")}) AS tok_in, sum(${tokens(q, "output")}) AS tok_out, sum(${tokens(q, "total")}) AS tok_total`);
    const m = measures({ durationMs: "dur", durationSum: "sum(dur)", isError: "err", input: "tok_in", output: "tok_out", total: "tok_total" });
    main = { sql: `SELECT ${m}, sum(span_count) AS spans${groupList.map((g) => `, ${g}`).join("")} FROM (${inner}) ${groupBy()}${totalsClause}`, params: q.params };
    if (query.byModel) {
      const mq = new QueryBuilder(tables);
      const isCall = genaiIsCall(mq.params, mq.dialect);
      const callTuple = `tuple(${genaiValue("model", mq.params, mq.dialect).sql}, coalesce(${genaiValue("gen_ai.provider.name", mq.params, mq.dialect).sql}, ${mq.str(UNKNOWN_PROVIDER)}), ${[
        "input",
        "output",
        "cacheRead",
        "cacheWrite",
        "reasoning",
      ]
        .map((f) => tokens(mq, f as keyof typeof TOKEN_FIELDS))
        .join(", ")}, ${CALL_MS})`;
      const minner = perTrace(mq, `, groupArrayIf(${callTuple}, ${isCall}) AS calls`);
      models = {
        sql: `SELECT c.1 AS model, c.2 AS provider, count() AS calls, sum(c.3) AS t_in, sum(c.4) AS t_out, sum(c.5) AS t_cr, sum(c.6) AS t_cw, sum(c.7) AS t_rs, min(c.8) AS first_at, max(c.8) AS last_at, min(c.3) AS min_in, max(c.3) AS max_in, countIf(c.5 + c.6 > c.3 OR c.7 > c.4) AS clamped${groupList
          .map((g) => `, ${g}`)
          .join("")}
              FROM (${minner}) ARRAY JOIN calls AS c ${groupBy(["model", "provider"])}`,
        params: mq.params,
      };
    }
  }

  return {
    main,
    ...(models ? { models } : {}),
    answer: (res, modelRes) => toAnswer(query, keyNames, percentiles, res, modelRes),
  };
}

/** A call's start in epoch ms (fractional), as the row path reads it: date-bound prices need the calls' time range. */
const CALL_MS = "(toUnixTimestamp64Micro(Timestamp) / 1000)";

/**
 * Per group, model and provider: token sums, plus what pricing each call would need (time range,
 * input range for long-context tiers, calls costOf would clamp), so group-rows prices the group exactly or declines.
 */
function modelSums(q: QueryBuilder): string {
  return [
    `sum(${tokens(q, "input")}) AS t_in`,
    `sum(${tokens(q, "output")}) AS t_out`,
    `sum(${tokens(q, "cacheRead")}) AS t_cr`,
    `sum(${tokens(q, "cacheWrite")}) AS t_cw`,
    `sum(${tokens(q, "reasoning")}) AS t_rs`,
    `min(${CALL_MS}) AS first_at`,
    `max(${CALL_MS}) AS last_at`,
    `min(${tokens(q, "input")}) AS min_in`,
    `max(${tokens(q, "input")}) AS max_in`,
    `countIf(${tokens(q, "cacheRead")} + ${tokens(q, "cacheWrite")} > ${tokens(q, "input")} OR ${tokens(q, "reasoning")} > ${tokens(q, "output")}) AS clamped`,
  ].join(", ");
}

/**
 * A group-by value as the row path reads it (analytics/fields.ts scalar over a decoded span):
 * attribute strings coerced for the well-known keys as createSpan coerces them, JSON for lists.
 */
function keyValue(field: string, raw: KeyValue): KeyValue {
  if (raw === null || raw === undefined) return null;
  if (field === "service.name" || field === "operation_name" || field === "name" || field === "status") return raw;
  if (isNormalizedGenAiField(field)) return raw;
  const v: AttributeValue | undefined = normalizeAttributes({ [field]: raw })[field];
  if (v === undefined || v === null) return null;
  if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") return v;
  return JSON.stringify(v);
}

const num = (v: string | number | null | undefined): number => (v === null || v === undefined ? 0 : Number(v));

function groupId(keyNames: readonly string[], row: Record<string, unknown>, interval: boolean): string {
  return JSON.stringify([...keyNames.map((k) => row[k] ?? null), interval ? num(row.bucket as string | number) : null]);
}

function toAnswer(
  query: AggregateQuery,
  keyNames: readonly string[],
  percentiles: readonly BackendMetric[],
  main: { rows: MainRow[]; totals?: MainRow },
  modelRes: { rows: ModelRow[] } | undefined,
): AggregateAnswer {
  const interval = query.intervalMs !== undefined;
  const modelsById = new Map<string, ModelUsage[]>();
  for (const r of modelRes?.rows ?? []) {
    const id = groupId(keyNames, r as unknown as Record<string, unknown>, interval);
    const list = modelsById.get(id) ?? [];
    list.push({
      model: r.model ?? null,
      provider: r.provider,
      calls: num(r.calls),
      input: num(r.t_in),
      output: num(r.t_out),
      cacheRead: num(r.t_cr),
      cacheWrite: num(r.t_cw),
      reasoning: num(r.t_rs),
      firstAtMs: num(r.first_at),
      lastAtMs: num(r.last_at),
      minInput: num(r.min_in),
      maxInput: num(r.max_in),
      clamped: num(r.clamped),
    });
    modelsById.set(id, list);
  }
  // An aggregate over no rows has no groups (ClickHouse answers one all-zero row when nothing is grouped).
  const rows = main.rows.filter((r) => num(r.n) > 0);
  const totals = keyNames.length === 0 && !interval ? rows[0] : main.totals;
  const groups: AggregateGroup[] = rows.map((r) => {
    const n = num(r.n);
    const errors = num(r.errors);
    const all: Record<BackendMetric, number | null> = {
      count: n,
      error_count: errors,
      error_rate: n === 0 ? null : (errors / n) * 100,
      avg_duration_ms: n === 0 ? null : r.dur_sum / n,
      p50_duration_ms: null,
      p90_duration_ms: null,
      p95_duration_ms: null,
      p99_duration_ms: null,
      max_duration_ms: n === 0 ? null : (r.dur_max ?? null),
      input_tokens: num(r.t_in),
      output_tokens: num(r.t_out),
      total_tokens: num(r.t_total),
    };
    percentiles.forEach((m, i) => (all[m] = n === 0 ? null : (r.q?.[i] ?? null)));
    const values: Partial<Record<BackendMetric, number | null>> = {};
    for (const m of query.metrics) values[m] = all[m];
    const key = Object.fromEntries(query.groupBy.map((f, i) => [f, keyValue(f, (r as unknown as Record<string, KeyValue>)[keyNames[i]!] ?? null)]));
    const id = groupId(keyNames, r as unknown as Record<string, unknown>, interval);
    const models = query.byModel ? (modelsById.get(id) ?? []) : undefined;
    return { key, ...(interval ? { bucketStartMs: num(r.bucket) } : {}), values, ...(models ? { models } : {}) };
  });
  if (query.level === "span") return { groups, spans: groups.length === 0 ? 0 : num(totals?.n), traces: groups.length === 0 ? 0 : num(totals?.traces) };
  return { groups, spans: groups.length === 0 ? 0 : num(totals?.spans), traces: groups.length === 0 ? 0 : num(totals?.n) };
}
