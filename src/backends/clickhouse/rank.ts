/**
 * The LLM trace rankings on ClickHouse: the shared otel_traces plan (src/store/sql/rank.ts) in the
 * ClickHouse dialect over the exporter's table. The exporter writes no derived columns, so a call
 * and its tokens and model are read from the attributes by the GenAI SQL generator (the predicate
 * and values the aggregates use); a trace belongs to the window when its earliest span does, its
 * spans read within the horizon. One statement, every trace of the window (no row limit: it
 * returns one row per trace that can make the top, not one per call).
 */
import { genaiIsCall, genaiValue } from "../../store/sql/genai.js";
import { rankPlan, type RankPlan, type RankShape, type RankSpec } from "../../store/sql/rank.js";
import { nsWindow, QueryBuilder, type ClickHouseTables } from "./sql.js";

const exporterRank: RankShape = {
  call: (ctx) => ({
    isCall: genaiIsCall(ctx.params, ctx.dialect),
    input: genaiValue("gen_ai.usage.input_tokens", ctx.params, ctx.dialect).sql,
    output: genaiValue("gen_ai.usage.output_tokens", ctx.params, ctx.dialect).sql,
    total: genaiValue("gen_ai.usage.total_tokens", ctx.params, ctx.dialect).sql,
    model: genaiValue("model", ctx.params, ctx.dialect).sql,
  }),
  distinctList: (value, cond) => `groupUniqArrayIf(${value}, ${cond})`,
};

export function planRank(tables: ClickHouseTables, query: RankSpec & { startMs: number; endMs: number }, horizonNs: bigint): RankPlan {
  const w = nsWindow(query.startMs, query.endMs);
  return rankPlan(query, exporterRank, {
    statement: (build) => {
      const q = new QueryBuilder(tables);
      const body = build(q.ctx, {
        from: q.traces,
        where: `Timestamp BETWEEN ${q.ts(w.lo - horizonNs)} AND ${q.ts(w.hi + horizonNs)}`,
        startsInWindow: (start) => `${start} BETWEEN ${q.ts(w.lo)} AND ${q.ts(w.hi)}`,
      });
      return { sql: q.statement(body).sql, params: q.params.values };
    },
  });
}
