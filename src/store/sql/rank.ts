/**
 * TraceRankQuery -> one SQL statement over otel_traces (the LLM trace rankings,
 * get_llm_expensive_traces / get_llm_slow_traces): every trace whose earliest span starts in the
 * window and that matches the filters (trace semantics, as a trace search finds them; spans read
 * within the trace horizon), folded per trace into what the rankings read of its LLM calls (the
 * parser's reading: call count, prompt / completion / total token sums, the models), its start and
 * duration (assembleTrace's arithmetic). Only traces with an LLM call are ranked (by tokens, also
 * only those with tokens, at least `minTokens`), and of those only the ones that can make the top
 * `limit`: a score at least the `limit`-th highest minus `slack` (ties at the cut included, and
 * with a slack, whatever a caller's rounding may tie). Newest trace first, ties by trace id: the
 * order of a trace search, which the caller's stable sort keeps within equal scores. Every row also
 * carries how many traces matched and how many LLM calls they hold, for coverage.
 *
 * Dialect-generic: the engine through the Dialect, the table through RankShape (the store's derived
 * columns, or the GenAI SQL generator over the exporter's attributes), the rows through TraceSpans.
 */
import type { Filter } from "../../domain/filter.js";
import type { Row, Statement } from "./aggregate.js";
import { traceAggregates } from "./fields.js";
import { traceHaving } from "./filters.js";
import type { SqlContext } from "./table.js";
import type { TraceSpans } from "./topology.js";

export interface RankSpec {
  filters: readonly Filter[];
  by: "tokens" | "duration";
  limit: number;
  /** By tokens: only traces with at least this many (0: any with tokens). */
  minTokens: number;
  /** Scores this far below the `limit`-th highest are kept too (0: exact ties only). */
  slack: number;
}

/** What the plan reads of a span: whether it is an LLM call as the tools count one, and that call's values. */
export interface RankShape {
  call(ctx: SqlContext): {
    /** The span parses as an LLM call (one LlmCallRecord). Never NULL. */
    isCall: string;
    /** The parser's prompt / completion / total tokens (NULL or 0 when unset). */
    input: string;
    output: string;
    total: string;
    /** The model the tools key by (response, else request); NULL when none. */
    model: string;
  };
  /** Distinct values of `value` over the rows where `cond` holds, as a list (any order). */
  distinctList(value: string, cond: string): string;
}

export interface RankedRow {
  traceId: string;
  startUs: number;
  durationMs: number;
  calls: number;
  prompt: number;
  completion: number;
  total: number;
  /** Distinct models of the calls ("unknown" left out), in no particular order. */
  models: string[];
}

export interface RankPlan {
  statement: Statement;
  /** One row, `n_traces` and `n_calls`: the counts, for when the statement returned no row. */
  counts: Statement;
  /** The rows (newest first), and the counts they carry (undefined when no row came back). */
  read(rows: readonly Row[]): { traces: RankedRow[]; matched?: number; calls?: number };
}

export function rankPlan(spec: RankSpec, shape: RankShape, source: { statement(build: (ctx: SqlContext, spans: TraceSpans) => string): Statement }): RankPlan {
  /** One row per matching trace. */
  const tracesOf = (ctx: SqlContext, spans: TraceSpans): string => {
    const d = ctx.dialect;
    const agg = traceAggregates(d);
    const c = shape.call(ctx);
    const when = (x: string): string => `CASE WHEN ${c.isCall} THEN ${x} END`;
    const perTrace = [
      "TraceId",
      "min(Timestamp) AS trace_start",
      `${d.epochUs("min(Timestamp)")} AS ts_us`,
      `${agg.durationMs} AS d`,
      `${d.countTrue(c.isCall)} AS calls`,
      `coalesce(sum(${when(c.input)}), 0) AS tin`,
      `coalesce(sum(${when(c.output)}), 0) AS tout`,
      `coalesce(sum(${when(c.total)}), 0) AS ttot`,
      `${shape.distinctList(c.model, `${c.isCall} AND ${c.model} IS NOT NULL AND ${c.model} <> ${ctx.params.add("unknown", "VARCHAR")}`)} AS models`,
    ];
    return `SELECT ${perTrace.join(", ")} FROM ${spans.from} WHERE ${spans.where}
      GROUP BY TraceId HAVING ${spans.startsInWindow("min(Timestamp)")} AND ${traceHaving(spec.filters, ctx)}`;
  };
  const statement = source.statement((ctx, spans) => {
    const traces = tracesOf(ctx, spans);
    const score = spec.by === "tokens" ? "ttot" : "d";
    const ranked =
      spec.by === "tokens"
        ? `calls > 0 AND ttot > 0${spec.minTokens > 0 ? ` AND ttot >= ${ctx.params.add(spec.minTokens, "BIGINT")}` : ""}`
        : "calls > 0";
    const limit = ctx.params.add(spec.limit, "BIGINT");
    const slack = ctx.params.add(spec.slack, "DOUBLE");
    // Counts over every matching trace first; then the rank of each ranked one; then the cut (the limit-th score).
    const counted = `SELECT t.*, count(*) OVER () AS n_traces, sum(calls) OVER () AS n_calls FROM (${traces}) t`;
    const numbered = `SELECT a.*, row_number() OVER (ORDER BY ${score} DESC) AS rn FROM (${counted}) a WHERE ${ranked}`;
    const cut = `SELECT b.*, max(CASE WHEN rn = ${limit} THEN ${score} END) OVER () AS cut FROM (${numbered}) b`;
    return `SELECT TraceId, ts_us, d, calls, tin, tout, ttot, models, n_traces, n_calls FROM (${cut}) r
      WHERE cut IS NULL OR ${score} >= cut - ${slack}
      ORDER BY trace_start DESC, TraceId`;
  });
  const counts = source.statement((ctx, spans) => `SELECT count(*) AS n_traces, coalesce(sum(calls), 0) AS n_calls FROM (${tracesOf(ctx, spans)}) t`);
  return {
    statement,
    counts,
    read(rows) {
      const traces = rows.map((r) => ({
        traceId: String(r.TraceId),
        startUs: Number(r.ts_us),
        durationMs: Number(r.d),
        calls: Number(r.calls),
        prompt: Number(r.tin),
        completion: Number(r.tout),
        total: Number(r.ttot),
        models: ((r.models as unknown[] | null) ?? []).map(String),
      }));
      const first = rows[0];
      return first ? { traces, matched: Number(first.n_traces), calls: Number(first.n_calls) } : { traces };
    },
  };
}
