/**
 * list_llm_tools on ClickHouse: the shared otel_traces plan (src/store/sql/tool-usage.ts) in the
 * ClickHouse dialect over the exporter's table. The exporter writes no derived columns and no
 * attribute types, so a call and its provider are read from the attributes by the GenAI SQL
 * generator (the parser's reading: "unknown" for a call naming no provider) and every attribute
 * value reads as the string the exporter wrote, as decodeSpan reads it. One statement.
 */
import { UNKNOWN_PROVIDER } from "../../genai/llm-span.js";
import { genaiIsCall, genaiValue } from "../../store/sql/genai.js";
import { toolUsagePlan, type ToolUsagePlan, type ToolUsageShape, type ToolUsageSpec } from "../../store/sql/tool-usage.js";
import { nsWindow, QueryBuilder, type ClickHouseTables } from "./sql.js";

const exporterTools: ToolUsageShape = {
  llm: (ctx) => ({
    isCall: genaiIsCall(ctx.params, ctx.dialect),
    provider: `coalesce(${genaiValue("gen_ai.system", ctx.params, ctx.dialect).sql}, ${ctx.params.add(UNKNOWN_PROVIDER, "VARCHAR")})`,
  }),
  distinctList: (value) => `groupUniqArray(${value})`,
};

export function planToolUsage(tables: ClickHouseTables, query: ToolUsageSpec & { startMs: number; endMs: number }, horizonNs: bigint): ToolUsagePlan {
  const w = nsWindow(query.startMs, query.endMs);
  return toolUsagePlan(query, exporterTools, {
    statement: (build) => {
      const q = new QueryBuilder(tables);
      const body = build(q.ctx, {
        spans: () => ({ from: q.traces, where: `Timestamp BETWEEN ${q.ts(w.lo)} AND ${q.ts(w.hi)}` }),
        traceSpans: () => ({
          from: q.traces,
          where: `Timestamp BETWEEN ${q.ts(w.lo - horizonNs)} AND ${q.ts(w.hi + horizonNs)}`,
          startsInWindow: (start) => `${start} BETWEEN ${q.ts(w.lo)} AND ${q.ts(w.hi)}`,
        }),
      });
      return { sql: q.statement(body).sql, params: q.params.values };
    },
  });
}
