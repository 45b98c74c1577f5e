/**
 * The LLM trace rankings over the store (sql/rank.ts): one statement over every trace of the
 * window, the calls read from the derived columns the parser wrote with each span (derived.ts), so
 * a trace's figures are exactly the tally of its LlmCall readings.
 */
import { aggregateRows, type QueryContext, type TimeWindow } from "./queries.js";
import { duckdbDialect } from "./sql/dialect.js";
import { Params } from "./sql/params.js";
import { rankPlan, type RankedRow, type RankShape, type RankSpec } from "./sql/rank.js";

/** A call is a span the parser read (LlmCall set: what llmCalls returns); its Llm* columns are that reading. */
const storeRank: RankShape = {
  call: () => ({ isCall: "(LlmCall IS NOT NULL)", input: "LlmInputTokens", output: "LlmOutputTokens", total: "LlmTotalTokens", model: "LlmModel" }),
  distinctList: (value, cond) => `coalesce(list(DISTINCT ${value}) FILTER (WHERE ${cond}), [])`,
};

export interface RankedTraces {
  traces: RankedRow[];
  matched: number;
  calls: number;
}

export async function rankTraces(ctx: QueryContext, q: RankSpec & TimeWindow): Promise<RankedTraces> {
  const rows = aggregateRows(ctx, q);
  const plan = rankPlan(q, storeRank, {
    statement: (build) => {
      const params = new Params(duckdbDialect.placeholder);
      const sql = build({ dialect: duckdbDialect, params }, rows.traceSpans(params));
      return { sql, params: params.values };
    },
  });
  const got = plan.read(await ctx.conn.all(plan.statement.sql, plan.statement.params));
  if (got.matched !== undefined) return { traces: got.traces, matched: got.matched, calls: got.calls ?? 0 };
  const [counts] = await ctx.conn.all(plan.counts.sql, plan.counts.params);
  return { traces: [], matched: Number(counts?.n_traces ?? 0), calls: Number(counts?.n_calls ?? 0) };
}
