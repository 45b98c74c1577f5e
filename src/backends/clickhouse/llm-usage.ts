/**
 * TraceBackend.llmUsage on ClickHouse (analytics/llm-usage-answer.ts): the LLM calls of the traces
 * matching a query (the same traces and calls llm-calls.ts reads: the matching-traces subquery and
 * the SQL call predicate, genaiIsCall) grouped per model, provider, service and token shape in one
 * statement, with the GenAI SQL generator's reading of model, provider and token counts (the
 * aggregates' reading, src/genai/sql.ts). No row limit: the groups are few whatever the calls.
 * The model statistics and dollars are not computed here (finish reasons have no SQL reading, and
 * per-call prices would need ClickHouse's floating-point steps to be costOf's): those tools read
 * the calls.
 */
import type { Filter } from "../../domain/filter.js";
import { LLM_CALL_MARKER_KEYS } from "../../genai/call-keys.js";
import { UNKNOWN_PROVIDER } from "../../genai/llm-span.js";
import { SHAPE, type LlmCallWhere, type LlmUsageGroup } from "../../analytics/llm-usage-answer.js";
import { clickhouseLiteral } from "../../store/sql/clickhouse-dialect.js";
import { IS_ERROR_SQL } from "../../store/sql/fields.js";
import { genaiIsCall, genaiValue } from "../../store/sql/genai.js";
import { matchingTraces } from "./llm-calls.js";
import { QueryBuilder, type ClickHouseTables, type NsWindow, type Statement } from "./sql.js";

export type LlmUsageRow = Record<string, string | number | null>;

const TOKENS = {
  ci: "gen_ai.usage.input_tokens",
  co: "gen_ai.usage.output_tokens",
  ct: "gen_ai.usage.total_tokens",
  ccr: "gen_ai.usage.cache_read.input_tokens",
  ccw: "gen_ai.usage.cache_write.input_tokens",
  crs: "gen_ai.usage.reasoning.output_tokens",
} as const;

/** The groups of the matching traces' calls; every row carries the matching trace count. */
export function llmUsageSearch(tables: ClickHouseTables, w: NsWindow, horizonNs: bigint, filters: readonly Filter[], where: LlmCallWhere = {}, withTokens = true): Statement {
  const q = new QueryBuilder(tables);
  const v = (field: Parameters<typeof genaiValue>[0]): string => genaiValue(field, q.params, q.dialect).sql;
  const scan = `Timestamp BETWEEN ${q.ts(w.lo - horizonNs)} AND ${q.ts(w.hi + horizonNs)}`;
  const conditions = [scan, `hasAny(mapKeys(SpanAttributes), [${LLM_CALL_MARKER_KEYS.map(clickhouseLiteral).join(", ")}])`, genaiIsCall(q.params, q.dialect)];
  const provider = `coalesce(${v("gen_ai.provider.name")}, ${q.str(UNKNOWN_PROVIDER)})`;
  if (where.provider !== undefined) conditions.push(`${provider} = ${q.str(where.provider)}`);
  if (where.requestModel !== undefined) conditions.push(`${v("gen_ai.request.model")} = ${q.str(where.requestModel)}`);
  if (where.responseModel !== undefined) conditions.push(`${v("gen_ai.response.model")} = ${q.str(where.responseModel)}`);
  if (where.eitherModel !== undefined) {
    const m = q.str(where.eitherModel);
    conditions.push(`(${v("gen_ai.response.model")} = ${m} OR ${v("gen_ai.request.model")} = ${m})`);
  }
  // The token readings are most of the statement's cost: left out (0) when the caller reads none.
  const tokens = Object.entries(TOKENS).map(([alias, field]) => `${withTokens ? `toInt64(coalesce(${v(field)}, 0))` : "toInt64(0)"} AS ${alias}`);
  // llmCalls' order (newest trace first, trace id, call start, span id) as one string.
  const key = `concat(leftPad(toString(toUInt64(9000000000000000000) - toUInt64(toUnixTimestamp64Nano(m.t_start))), 19, '0'), ' ', TraceId, ' ', leftPad(toString(toUnixTimestamp64Nano(Timestamp)), 19, '0'), ' ', SpanId)`;
  const shape = `(if(ccr > 0, ${SHAPE.cacheRead}, 0) + if(ccw > 0, ${SHAPE.cacheWrite}, 0) + if(co > 0, ${SHAPE.output}, 0) + if(crs > 0, ${SHAPE.reasoning}, 0))`;
  const calls = `SELECT ${v("model")} AS model, ${provider} AS provider, ServiceName AS service, toUnixTimestamp64Micro(Timestamp) AS ts_us, ${IS_ERROR_SQL} AS e,
      ${tokens.join(", ")}, ${key} AS k, m.n_traces AS n_traces
    FROM ${q.traces} INNER JOIN (${matchingTraces(q, w, filters, scan)}) AS m USING (TraceId)
    WHERE ${conditions.join(" AND ")}`;
  return q.statement(
    `SELECT model, provider, service, ${shape} AS shape, count() AS calls, countIf(e) AS errors, sum(ci) AS input, sum(co) AS output, sum(ct) AS total,
       sum(ccr) AS cache_read, sum(ccw) AS cache_write, sum(crs) AS reasoning, min(ts_us) AS first_us, max(ts_us) AS last_us,
       min(greatest(ci, 0)) AS min_input, max(greatest(ci, 0)) AS max_input,
       countIf(greatest(ccr, 0) + greatest(ccw, 0) > greatest(ci, 0) OR greatest(crs, 0) > greatest(co, 0)) AS clamped,
       min(k) AS k0, any(n_traces) AS n_traces
     FROM (${calls}) GROUP BY model, provider, service, shape`,
  );
}

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));

export function readLlmUsageGroup(r: LlmUsageRow): LlmUsageGroup {
  return {
    model: r.model === null || r.model === undefined ? null : String(r.model),
    provider: String(r.provider),
    service: String(r.service),
    shape: num(r.shape),
    calls: num(r.calls),
    errors: num(r.errors),
    input: num(r.input),
    output: num(r.output),
    total: num(r.total),
    cacheRead: num(r.cache_read),
    cacheWrite: num(r.cache_write),
    reasoning: num(r.reasoning),
    firstUs: num(r.first_us),
    lastUs: num(r.last_us),
    minInput: num(r.min_input),
    maxInput: num(r.max_input),
    clamped: num(r.clamped),
    firstKey: String(r.k0),
  };
}
