/**
 * list_sessions over the store: every trace matching the filters whose earliest span starts in the
 * window (spans read within the horizon, as llmCalls reads them), each read as the sessions kernel
 * reads a trace (src/analytics/sessions.ts): its session and user ids the first non-empty ones over
 * its spans root first, then in span order (the normalised `session.id` / `user.id` of every
 * convention, src/genai/sql.ts), its errors assembleTrace's status, its start and end
 * assembleTrace's arithmetic, its LLM calls the derived columns the parser wrote (derived.ts). The
 * traces are grouped by session in one statement, which also names the traces of the listed
 * sessions that hold calls; a second reads those traces' LLM calls, in the kernel's order, for
 * dollars priced exactly by the caller.
 */
import type { Row } from "./sql/aggregate.js";
import { STATUS_BY_NAME } from "./decode.js";
import type { StoredLlmCall } from "./queries.js";
import { aggregateRows, type QueryContext, type TimeWindow } from "./queries.js";
import { duckdbDialect as d } from "./sql/dialect.js";
import { traceAggregates } from "./sql/fields.js";
import { traceHaving } from "./sql/filters.js";
import { genaiValue } from "./sql/genai.js";
import { Params } from "./sql/params.js";
import type { Filter } from "../domain/filter.js";

export interface SessionSpec {
  filters: readonly Filter[];
  userId?: string;
  limit: number;
}

export interface StoredSession {
  sessionId: string;
  userId: string | null;
  traces: number;
  llmCalls: number;
  inputTokens: number;
  outputTokens: number;
  errors: number;
  firstSeenUs: number;
  lastSeenUs: number;
}

export interface StoredSessions {
  sessions: StoredSession[];
  total: number;
  matched: number;
  calls: Array<StoredLlmCall & { sessionId: string }>;
}

const IS_CALL = "(LlmCall IS NOT NULL)";

/** One row per matching trace (t): its session, user, start, end, errors and LLM figures. */
function tracesCte(ctx: QueryContext, q: SessionSpec & TimeWindow, params: Params): string {
  const spans = aggregateRows(ctx, q).traceSpans(params);
  const agg = traceAggregates(d);
  const session = genaiValue("session.id", params, d).sql;
  const user = genaiValue("user.id", params, d).sql;
  const when = (x: string): string => `CASE WHEN ${IS_CALL} THEN ${x} END`;
  // The kernel's trace end: startTimeUs + durationMs * 1000, in the same floating-point steps.
  return `t AS (
      SELECT TraceId, min(Timestamp) AS trace_start, ${d.epochUs("min(Timestamp)")} AS ts_us,
             CAST(${d.epochUs("min(Timestamp)")} AS DOUBLE) + ${agg.durationMs} * 1000 AS end_us,
             ${d.argMinBy(session, agg.rootKey)} AS session_id, ${d.argMinBy(user, agg.rootKey)} AS user_id,
             ${agg.hasErrors} AS err, ${d.countTrue(IS_CALL)} AS calls,
             coalesce(sum(${when("LlmInputTokens")}), 0) AS tin, coalesce(sum(${when("LlmOutputTokens")}), 0) AS tout
      FROM ${spans.from} WHERE ${spans.where}
      GROUP BY TraceId HAVING ${spans.startsInWindow("min(Timestamp)")} AND ${traceHaving(q.filters, { params, dialect: d })}
    )`;
}

export async function sessions(ctx: QueryContext, q: SessionSpec & TimeWindow): Promise<StoredSessions> {
  const params = new Params(d.placeholder);
  const traces = tracesCte(ctx, q, params);
  // A session's user is its newest trace's that names one (the kernel meets traces newest first, ties by trace id).
  const grouped = `SELECT session_id, ${d.argMinBy("user_id", ["-ts_us", "TraceId"])} AS user_id, count(*) AS n,
        sum(calls) AS calls, sum(tin) AS tin, sum(tout) AS tout, ${d.countTrue("err")} AS errors,
        min(ts_us) AS first_us, max(end_us) AS last_us,
        coalesce(list(TraceId ORDER BY ts_us DESC, TraceId) FILTER (WHERE calls > 0), []) AS call_traces
      FROM t WHERE session_id IS NOT NULL GROUP BY session_id`;
  const kept = q.userId !== undefined ? `WHERE user_id = ${params.add(q.userId, "VARCHAR")}` : "";
  const limit = params.add(q.limit, "BIGINT");
  const rows = await ctx.conn.all<Row>(
    `WITH ${traces}, g AS (${grouped}), k AS (SELECT * FROM g ${kept})
     SELECT k.*, count(*) OVER () AS total, (SELECT count(*) FROM t) AS matched FROM k
     ORDER BY last_us DESC, session_id LIMIT ${limit}`,
    params.values,
  );
  const listed = rows.map((r) => ({
    sessionId: String(r.session_id),
    userId: r.user_id === null || r.user_id === undefined ? null : String(r.user_id),
    traces: Number(r.n),
    llmCalls: Number(r.calls),
    inputTokens: Number(r.tin),
    outputTokens: Number(r.tout),
    errors: Number(r.errors),
    firstSeenUs: Number(r.first_us),
    lastSeenUs: Number(r.last_us),
  }));
  const first = rows[0];
  const total = first ? Number(first.total) : 0;
  const matched = first ? Number(first.matched) : await countTraces(ctx, q);
  const traceIds = new Map(rows.map((r) => [String(r.session_id), ((r.call_traces as unknown[] | null) ?? []).map(String)]));
  const calls = await sessionCalls(ctx, q, traceIds);
  return { sessions: listed, total, matched, calls };
}

async function countTraces(ctx: QueryContext, q: SessionSpec & TimeWindow): Promise<number> {
  const params = new Params(d.placeholder);
  const [row] = await ctx.conn.all<Row>(`WITH ${tracesCte(ctx, q, params)} SELECT count(*) AS n FROM t`, params.values);
  return Number(row?.n ?? 0);
}

/**
 * The LLM calls of the listed sessions' traces (each session's trace ids newest first, ties by
 * trace id, as the kernel meets them), each trace's calls in start order (ties by span id), read
 * within the same horizon as the traces' figures.
 */
async function sessionCalls(ctx: QueryContext, q: TimeWindow, traceIds: ReadonlyMap<string, readonly string[]>): Promise<StoredSessions["calls"]> {
  const all = [...traceIds.values()].flat();
  if (all.length === 0) return [];
  const params = new Params(d.placeholder);
  const spans = aggregateRows(ctx, q).traceSpans(params);
  const rows = await ctx.conn.all<{ TraceId: string; SpanId: string; ServiceName: string; SpanName: string; ts_us: number; Duration: number; StatusCode: string; LlmCall: string }>(
    `SELECT TraceId, SpanId, ServiceName, SpanName, ${d.epochUs("Timestamp")} AS ts_us, Duration, StatusCode, LlmCall
     FROM ${spans.from} WHERE ${spans.where} AND LlmCall IS NOT NULL AND list_contains(${params.add(all, "VARCHAR[]")}, TraceId)
     ORDER BY TraceId, Timestamp, SpanId`,
    params.values,
  );
  const byTrace = new Map<string, typeof rows>();
  for (const r of rows) {
    const list = byTrace.get(r.TraceId);
    if (list) list.push(r);
    else byTrace.set(r.TraceId, [r]);
  }
  const out: StoredSessions["calls"] = [];
  for (const [sessionId, ids] of traceIds) {
    for (const id of ids) {
      for (const r of byTrace.get(id) ?? []) {
        out.push({
          sessionId,
          traceId: r.TraceId,
          spanId: r.SpanId,
          serviceName: r.ServiceName,
          operationName: r.SpanName,
          startTimeUs: Number(r.ts_us),
          durationMs: Number(r.Duration) / 1e6,
          status: STATUS_BY_NAME.get(r.StatusCode) ?? "UNSET",
          call: r.LlmCall,
        });
      }
    }
  }
  return out;
}
