/**
 * The LLM calls of every trace matching a query (TraceBackend.llmCalls) in one ClickHouse query:
 * the matching traces (trace semantics, every filter, in a GROUP BY TraceId subquery, as a trace
 * search finds them) joined to just their LLM-call spans (the SQL call predicate the aggregates
 * use, genaiIsCall), each carrying only what the GenAI parser reads for a call (call-keys.ts:
 * the attribute keys, the indexed finish-reason keys, the few events). The spans are read by the
 * same parser every backend uses (parseLlmSpan), so the LLM tools count what they count over whole
 * traces. ClickHouse has no derived call column, hence the projection instead of the local store's
 * LlmCall.
 *
 * Bounded: the query carries the transport's max_execution_time, and reads at most
 * LLM_CALL_ROW_LIMIT calls. Past it the answer is cut at a trace boundary (the newest traces,
 * whole) and says so: complete false, and a note.
 */
import type { Filter } from "../../domain/filter.js";
import { LLM_CALL_ATTRIBUTE_KEYS, LLM_CALL_EVENT_NAMES, LLM_CALL_KEY_PATTERN, LLM_CALL_MARKER_KEYS } from "../../genai/call-keys.js";
import { parseLlmSpan } from "../../genai/llm-span.js";
import { clickhouseLiteral } from "../../store/sql/clickhouse-dialect.js";
import { traceHaving } from "../../store/sql/filters.js";
import { genaiIsCall } from "../../store/sql/genai.js";
import type { LlmCallAnswer, LlmCallRecord } from "../trace-backend.js";
import { projectedSpanColumns } from "./projection.js";
import { decodeSpan, type SpanRow } from "./rows.js";
import { QueryBuilder, type ClickHouseTables, type NsWindow, type Statement } from "./sql.js";

/** Most LLM calls one llmCalls answer reads (one row each, projected: this bounds memory and the answer's size). */
export const LLM_CALL_ROW_LIMIT = 100_000;

export interface LlmCallRow extends SpanRow {
  /** How many traces match (every row carries it). */
  n_traces: string | number;
}

const literalArray = (list: readonly string[]): string => `[${list.map(clickhouseLiteral).join(", ")}]`;

/** The matching traces' subquery: id, start, and how many there are. */
export function matchingTraces(q: QueryBuilder, w: NsWindow, filters: readonly Filter[], scan: string): string {
  return `SELECT TraceId, min(Timestamp) AS t_start, count() OVER () AS n_traces FROM ${q.traces} WHERE ${scan}
    GROUP BY TraceId HAVING min(Timestamp) BETWEEN ${q.ts(w.lo)} AND ${q.ts(w.hi)} AND ${traceHaving(filters, q.ctx)}`;
}

/**
 * The calls of the matching traces, newest trace first and each trace's calls in start order, at
 * most `rowLimit + 1` rows (one more than is kept, to tell a cut answer from a complete one). A
 * trace's calls are read within the horizon of the window, as its membership is.
 */
export function llmCallSearch(tables: ClickHouseTables, w: NsWindow, horizonNs: bigint, filters: readonly Filter[], rowLimit: number): Statement {
  const q = new QueryBuilder(tables);
  const scan = `Timestamp BETWEEN ${q.ts(w.lo - horizonNs)} AND ${q.ts(w.hi + horizonNs)}`;
  const keys = q.params.bind(literalArray(LLM_CALL_ATTRIBUTE_KEYS));
  const columns = projectedSpanColumns({
    keepKey: (k) => `has(${keys}, ${k}) OR match(${k}, ${clickhouseLiteral(LLM_CALL_KEY_PATTERN)})`,
    events: literalArray(LLM_CALL_EVENT_NAMES),
  });
  const traces = matchingTraces(q, w, filters, scan);
  // The marker test first (cheap; a span without a marker is never a call), then the full call predicate.
  return q.statement(
    `SELECT ${columns.join(", ")}, m.n_traces AS n_traces
     FROM ${q.traces} INNER JOIN (${traces}) AS m USING (TraceId)
     WHERE ${scan} AND hasAny(mapKeys(SpanAttributes), ${literalArray(LLM_CALL_MARKER_KEYS)}) AND ${genaiIsCall(q.params, q.dialect)}
     ORDER BY m.t_start DESC, TraceId, Timestamp, SpanId
     LIMIT ${q.int(rowLimit + 1)}`,
  );
}

/** How many traces match (when no call came back to carry the count). */
export function llmCallTraceCount(tables: ClickHouseTables, w: NsWindow, horizonNs: bigint, filters: readonly Filter[]): Statement {
  const q = new QueryBuilder(tables);
  const scan = `Timestamp BETWEEN ${q.ts(w.lo - horizonNs)} AND ${q.ts(w.hi + horizonNs)}`;
  return q.statement(`SELECT count() AS n FROM (${matchingTraces(q, w, filters, scan)})`);
}

/** Rows -> calls read by the GenAI parser; a cut answer drops the trace the row limit split. */
export function readLlmCalls(rows: readonly LlmCallRow[], rowLimit: number, matchedWhenEmpty: () => Promise<number>): Promise<LlmCallAnswer> | LlmCallAnswer {
  if (rows.length === 0) return matchedWhenEmpty().then((matched) => ({ calls: [], traces: matched, matched, complete: true, notes: [] }));
  const matched = Number(rows[0]!.n_traces);
  const cut = rows.length > rowLimit;
  let kept = cut ? rows.slice(0, rowLimit) : rows;
  if (cut) {
    // The first row past the limit names the trace the cut fell in: when its earlier calls were kept, leave it out whole.
    const split = rows[rowLimit]!.TraceId;
    kept = kept.filter((r) => r.TraceId !== split);
  }
  const calls: LlmCallRecord[] = [];
  const traceIds = new Set<string>();
  for (const row of kept) {
    const span = decodeSpan(row);
    traceIds.add(span.traceId);
    // The SQL predicate is the parser's (genai/sql.ts); the parser has the last word.
    const llm = parseLlmSpan(span);
    if (!llm) continue;
    const { traceId, spanId, serviceName, operationName, startTimeUs, durationMs, status } = span;
    calls.push({ span: { traceId, spanId, serviceName, operationName, startTimeUs, durationMs, status }, llm });
  }
  // Without a cut every matching trace is covered, those without calls included.
  const traces = cut ? traceIds.size : matched;
  const notes = cut
    ? [
        `Incomplete: ClickHouse holds more than ${rowLimit.toLocaleString("en-US")} LLM calls for this question (the most one call reads); ` +
          `computed from the calls of the newest ${traces.toLocaleString("en-US")} of ${matched.toLocaleString("en-US")} matching traces. ` +
          "Narrow the time range or the filters for a complete answer.",
      ]
    : [];
  return { calls, traces, matched, complete: !cut, notes };
}
