/**
 * AggregateQuery -> SQL over otel_traces, with the definitions of src/analytics/metrics.ts and
 * group-rows.ts: rows are spans (level "span") or traces (level "trace": the root's service and
 * name, duration max(end) - min(start), status ERROR when any span failed), grouped by up to three
 * fields (group-keys.ts) and optionally by time bucket of the row's start (floor(start / interval)
 * * interval, epoch aligned), with count, errors, mean / percentiles (linear interpolation) / max
 * duration and the LLM token sums of the parser's reading. With byModel, every group's LLM calls
 * are summed per model and provider, with the facts that say whether pricing their mean call is
 * exact (analytics/group-rows.ts fromBackendGroups decides).
 *
 * Dialect-generic: engine specifics come through the Dialect, table specifics through TableShape,
 * and the rows' source and window through AggregateRows, so a ClickHouse backend runs the same
 * plan. Each statement has its own bound parameters.
 */
import type { AggregateAnswer, AggregateGroup, ModelUsage } from "../../analytics/aggregate-answer.js";
import type { KeyValue } from "../../analytics/fields.js";
import { PERCENTILES, type BackendMetric } from "../../analytics/metrics.js";
import type { Filter } from "../../domain/filter.js";
import type { Dialect } from "./dialect.js";
import { SPAN_DURATION_MS, traceAggregates } from "./fields.js";
import { spanWhere, traceHaving } from "./filters.js";
import { spanKey, traceKey, type KeyColumns } from "./group-keys.js";
import { Params, type ParamMap } from "./params.js";
import type { SqlContext, TableShape } from "./table.js";

export interface AggregateSpec {
  level: "span" | "trace";
  /** Span semantics at level "span", trace semantics at level "trace" (filter-engine.ts). */
  filters: readonly Filter[];
  groupBy: readonly string[];
  metrics: readonly BackendMetric[];
  intervalMs?: number;
  byModel: boolean;
}

/** Where the rows come from, written into each statement with that statement's parameters. */
export interface AggregateRows {
  /** Spans starting in the window: a FROM source and a WHERE condition on its rows. */
  spans(params: Params): { from: string; where: string };
  /**
   * Level "trace": the spans a trace is read from (the window widened by the trace horizon), and
   * the condition on a trace's start (`start` is min(Timestamp)) that makes it part of the window.
   */
  traceSpans(params: Params): { from: string; where: string; startsInWindow: (start: string) => string };
}

export interface Statement {
  sql: string;
  params: ParamMap;
}

export type Row = Record<string, unknown>;

export interface AggregatePlan {
  groups: Statement;
  /** byModel only. */
  usage?: Statement;
  /** One row: `spans`, `traces`. */
  totals: Statement;
  read(groups: readonly Row[], usage: readonly Row[], totals: Row | undefined): AggregateAnswer;
}

interface Keys {
  columns: KeyColumns[];
  /** Group-by part aliases, in order. */
  aliases: string[];
}

function keysOf(spec: AggregateSpec, ctx: SqlContext, table: TableShape, level: "span" | "trace"): Keys {
  const columns = spec.groupBy.map((f, i) => (level === "span" ? spanKey : traceKey)(f, `k${i}`, ctx, table));
  const aliases = columns.flatMap((c, i) => c.parts.map((_, j) => `g${i}_${j}`));
  return { columns, aliases };
}

const rowColumns = (keys: Keys): string[] => keys.columns.flatMap((c) => c.row.map(([alias, sql]) => `${sql} AS ${alias}`));
const partColumns = (keys: Keys): string[] => keys.columns.flatMap((c, i) => c.parts.map((sql, j) => `${sql} AS g${i}_${j}`));
const rowAliases = (keys: Keys): string[] => keys.columns.flatMap((c) => c.row.map(([alias]) => alias));

function bucketSql(d: Dialect, params: Params, startUs: string, intervalMs: number | undefined): string | undefined {
  if (intervalMs === undefined) return undefined;
  const ms = params.add(intervalMs, "BIGINT");
  const us = params.add(intervalMs * 1000, "BIGINT");
  return `(${d.floorDiv(startUs, us)} * ${ms})`;
}

/** The per-row measures each metric needs (`d` ms, `e` error, token counts), aggregated per group. */
function metricColumns(d: Dialect, metrics: readonly BackendMetric[]): string[] {
  const want = new Set(metrics);
  const out = ["count(*) AS n", `${d.countTrue("e")} AS errors`];
  if (want.has("avg_duration_ms")) out.push("avg(d) AS avg_d");
  for (const m of metrics) {
    const p = PERCENTILES[m];
    if (p !== undefined) out.push(`${d.quantile("d", p)} AS ${m}`);
  }
  if (want.has("max_duration_ms")) out.push("max(d) AS max_d");
  if (want.has("input_tokens")) out.push("coalesce(sum(tin), 0) AS tin");
  if (want.has("output_tokens")) out.push("coalesce(sum(tout), 0) AS tout");
  if (want.has("total_tokens")) out.push("coalesce(sum(ttot), 0) AS ttot");
  return out;
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

function valuesOf(row: Row, metrics: readonly BackendMetric[]): Partial<Record<BackendMetric, number | null>> {
  const n = Number(row.n);
  const errors = Number(row.errors);
  const out: Partial<Record<BackendMetric, number | null>> = {};
  for (const m of metrics) {
    switch (m) {
      case "count":
        out[m] = n;
        break;
      case "error_count":
        out[m] = errors;
        break;
      case "error_rate":
        // metricsOf's arithmetic, on the exact counts.
        out[m] = n === 0 ? null : (errors / n) * 100;
        break;
      case "avg_duration_ms":
        out[m] = num(row.avg_d);
        break;
      case "max_duration_ms":
        out[m] = num(row.max_d);
        break;
      case "input_tokens":
        out[m] = Number(row.tin);
        break;
      case "output_tokens":
        out[m] = Number(row.tout);
        break;
      case "total_tokens":
        out[m] = Number(row.ttot);
        break;
      default:
        out[m] = num(row[m]);
    }
  }
  return out;
}

/** The usage measures of one call (token counts, `call_ms` its start), summed per group, model and provider. */
const USAGE_COLUMNS = [
  "count(*) AS calls",
  "coalesce(sum(ci), 0) AS input",
  "coalesce(sum(co), 0) AS output",
  "coalesce(sum(ccr), 0) AS cache_read",
  "coalesce(sum(ccw), 0) AS cache_write",
  "coalesce(sum(crs), 0) AS reasoning",
  "min(call_ms) AS first_at",
  "max(call_ms) AS last_at",
  "min(ci) AS min_input",
  "max(ci) AS max_input",
];

function callColumns(table: TableShape, startUs: string): string[] {
  const l = table.llm;
  const z = (x: string): string => `coalesce(${x}, 0)`;
  return [
    `${l.model} AS model`,
    `${l.provider} AS provider`,
    `${z(l.input)} AS ci`,
    `${z(l.output)} AS co`,
    `${z(l.cacheRead)} AS ccr`,
    `${z(l.cacheWrite)} AS ccw`,
    `${z(l.reasoning)} AS crs`,
    `(CAST(${startUs} AS DOUBLE) / 1000) AS call_ms`,
  ];
}

/** Calls whose cache counts exceed their input, or reasoning their output: costOf clamps each, so a mean call would not price them. */
const CLAMPED = "(ccr + ccw > ci OR crs > co)";

export function aggregatePlan(spec: AggregateSpec, dialect: Dialect, table: TableShape, rows: AggregateRows): AggregatePlan | undefined {
  if (spec.groupBy.length > 3) return undefined;
  if (spec.intervalMs !== undefined && !(Number.isSafeInteger(spec.intervalMs) && spec.intervalMs > 0)) return undefined;
  return spec.level === "span" ? spanPlan(spec, dialect, table, rows) : tracePlan(spec, dialect, table, rows);
}

function groupBy(keys: Keys, bucket: boolean, extra: readonly string[] = []): string {
  const cols = [...keys.aliases, ...(bucket ? ["b"] : []), ...extra];
  return cols.length === 0 ? "" : ` GROUP BY ${cols.join(", ")}`;
}

function spanPlan(spec: AggregateSpec, d: Dialect, table: TableShape, rows: AggregateRows): AggregatePlan {
  const statement = (build: (ctx: SqlContext) => string): Statement => {
    const params = new Params(d.placeholder);
    const sql = build({ dialect: d, params });
    return { sql, params: params.values };
  };
  const source = (ctx: SqlContext): { from: string; where: string } => {
    const src = rows.spans(ctx.params);
    return { from: src.from, where: `${src.where} AND ${spanWhere(spec.filters, ctx)}` };
  };
  const bucketed = spec.intervalMs !== undefined;
  const startUs = d.epochUs("Timestamp");

  // Decoders do not depend on the statement's parameters: the groups statement's serve every result.
  let decoders: Keys | undefined;
  const groups = statement((ctx) => {
    const keys = keysOf(spec, ctx, table, "span");
    decoders = keys;
    const src = source(ctx);
    const b = bucketSql(d, ctx.params, startUs, spec.intervalMs);
    const inner = [
      ...rowColumns(keys),
      ...(b ? [`${b} AS b`] : []),
      `${SPAN_DURATION_MS} AS d`,
      "(StatusCode = 'Error') AS e",
      `coalesce(${table.llm.input}, 0) AS tin`,
      `coalesce(${table.llm.output}, 0) AS tout`,
      `coalesce(${table.llm.total}, 0) AS ttot`,
    ];
    return `SELECT ${[...partColumns(keys), ...(b ? ["b"] : []), ...metricColumns(d, spec.metrics)].join(", ")}
      FROM (SELECT ${inner.join(", ")} FROM ${src.from} WHERE ${src.where}) r${groupBy(keys, bucketed)}`;
  });

  const usage = spec.byModel
    ? statement((ctx) => {
        const keys = keysOf(spec, ctx, table, "span");
        const src = source(ctx);
        const b = bucketSql(d, ctx.params, startUs, spec.intervalMs);
        const inner = [...rowColumns(keys), ...(b ? [`${b} AS b`] : []), ...callColumns(table, startUs)];
        return `SELECT ${[...partColumns(keys), ...(b ? ["b"] : []), "model", "provider", ...USAGE_COLUMNS, `${d.countTrue(CLAMPED)} AS clamped`].join(", ")}
          FROM (SELECT ${inner.join(", ")} FROM ${src.from} WHERE ${src.where} AND ${table.llm.isCall}) r${groupBy(keys, bucketed, ["model", "provider"])}`;
      })
    : undefined;

  const totals = statement((ctx) => {
    const src = source(ctx);
    return `SELECT count(*) AS spans, count(DISTINCT TraceId) AS traces FROM ${src.from} WHERE ${src.where}`;
  });

  return { groups, ...(usage ? { usage } : {}), totals, read: (g, u, t) => readAnswer(spec, decoders!, g, u, t) };
}

function tracePlan(spec: AggregateSpec, d: Dialect, table: TableShape, rows: AggregateRows): AggregatePlan {
  const agg = traceAggregates(d);
  const bucketed = spec.intervalMs !== undefined;
  /** One row per matching trace: its key columns, start, and measures. */
  const traces = (ctx: SqlContext, keys: Keys, measures: boolean): string => {
    const src = rows.traceSpans(ctx.params);
    const cols = [
      "TraceId",
      ...rowColumns(keys),
      `${d.epochUs("min(Timestamp)")} AS ts_us`,
      ...(measures
        ? [
            `${agg.durationMs} AS d`,
            `${agg.hasErrors} AS e`,
            `coalesce(sum(${table.llm.input}), 0) AS tin`,
            `coalesce(sum(${table.llm.output}), 0) AS tout`,
            `coalesce(sum(${table.llm.total}), 0) AS ttot`,
            "count(*) AS spans",
          ]
        : []),
    ];
    return `SELECT ${cols.join(", ")} FROM ${src.from} WHERE ${src.where}
      GROUP BY TraceId HAVING ${src.startsInWindow("min(Timestamp)")} AND ${traceHaving(spec.filters, ctx)}`;
  };
  const statement = (build: (ctx: SqlContext) => string): Statement => {
    const params = new Params(d.placeholder);
    const sql = build({ dialect: d, params });
    return { sql, params: params.values };
  };

  // Decoders do not depend on the statement's parameters: the groups statement's serve every result.
  let decoders: Keys | undefined;
  const groups = statement((ctx) => {
    const keys = keysOf(spec, ctx, table, "trace");
    decoders = keys;
    const b = bucketSql(d, ctx.params, "ts_us", spec.intervalMs);
    const inner = `SELECT *${b ? `, ${b} AS b` : ""} FROM (${traces(ctx, keys, true)}) t`;
    return `SELECT ${[...partColumns(keys), ...(b ? ["b"] : []), ...metricColumns(d, spec.metrics)].join(", ")} FROM (${inner}) r${groupBy(keys, bucketed)}`;
  });

  const usage = spec.byModel
    ? statement((ctx) => {
        const keys = keysOf(spec, ctx, table, "trace");
        const b = bucketSql(d, ctx.params, "t.ts_us", spec.intervalMs);
        const t = traces(ctx, keys, false);
        const src = rows.traceSpans(ctx.params);
        const inner = [...rowAliases(keys).map((a) => `t.${a} AS ${a}`), ...(b ? [`${b} AS b`] : []), ...callColumns(table, d.epochUs("s.Timestamp"))];
        return `SELECT ${[...partColumns(keys), ...(b ? ["b"] : []), "model", "provider", ...USAGE_COLUMNS, `${d.countTrue(CLAMPED)} AS clamped`].join(", ")}
          FROM (SELECT ${inner.join(", ")} FROM ${src.from} s JOIN (${t}) t ON s.TraceId = t.TraceId WHERE ${src.where} AND ${table.llm.isCall}) r${groupBy(keys, bucketed, ["model", "provider"])}`;
      })
    : undefined;

  const totals = statement((ctx) => `SELECT coalesce(sum(spans), 0) AS spans, count(*) AS traces FROM (${traces(ctx, keysOf({ ...spec, groupBy: [] }, ctx, table, "trace"), true)}) t`);

  return { groups, ...(usage ? { usage } : {}), totals, read: (g, u, t) => readAnswer(spec, decoders!, g, u, t) };
}

function readAnswer(spec: AggregateSpec, keys: Keys, groupRows: readonly Row[], usageRows: readonly Row[], totals: Row | undefined): AggregateAnswer {
  const decodeKey = (row: Row): Record<string, KeyValue> => {
    const out: Record<string, KeyValue> = {};
    spec.groupBy.forEach((field, i) => {
      const c = keys.columns[i]!;
      out[field] = c.decode(c.parts.map((_, j) => row[`g${i}_${j}`]));
    });
    return out;
  };
  const idOf = (row: Row): string => JSON.stringify([row.b ?? null, ...keys.aliases.map((a) => row[a] ?? null)]);
  const models = new Map<string, ModelUsage[]>();
  for (const r of usageRows) {
    const id = idOf(r);
    const list = models.get(id) ?? [];
    list.push({
      model: (r.model as string | null) ?? null,
      provider: (r.provider as string | null) ?? null,
      calls: Number(r.calls),
      input: Number(r.input),
      output: Number(r.output),
      cacheRead: Number(r.cache_read),
      cacheWrite: Number(r.cache_write),
      reasoning: Number(r.reasoning),
      firstAtMs: Number(r.first_at),
      lastAtMs: Number(r.last_at),
      minInput: Number(r.min_input),
      maxInput: Number(r.max_input),
      clamped: Number(r.clamped),
    });
    models.set(id, list);
  }
  const groups: AggregateGroup[] = groupRows.map((r) => ({
    key: decodeKey(r),
    ...(spec.intervalMs !== undefined ? { bucketStartMs: Number(r.b) } : {}),
    values: valuesOf(r, spec.metrics),
    ...(spec.byModel ? { models: models.get(idOf(r)) ?? [] } : {}),
  }));
  return { groups, spans: Number(totals?.spans ?? 0), traces: Number(totals?.traces ?? 0) };
}

