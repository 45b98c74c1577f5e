/**
 * get_service_topology on ClickHouse: the shared otel_traces plan (src/store/sql/topology.ts) in the
 * ClickHouse dialect over the exporter's table. A trace belongs to the window when its earliest span
 * does, its spans read within the horizon (sql.ts); LLM calls and their providers are read from the
 * attributes by the GenAI SQL generator (the table has no derived columns); every attribute value is
 * a string there, so no attribute types apply. Status reads both exporter spellings (IS_ERROR_SQL).
 */
import { genaiIsCall, genaiValue } from "../../store/sql/genai.js";
import { topologyPlan, withQuerySql, type TopologyPlan, type TopologyShape, type TopologySpec } from "../../store/sql/topology.js";
import { nsWindow, QueryBuilder, type ClickHouseTables } from "./sql.js";

const exporterTable: TopologyShape = {
  llm: (ctx) => ({ isCall: genaiIsCall(ctx.params, ctx.dialect), provider: genaiValue("gen_ai.provider.name", ctx.params, ctx.dialect).sql }),
};

export function planTopology(tables: ClickHouseTables, query: TopologySpec & { startMs: number; endMs: number }, horizonNs: bigint): TopologyPlan {
  const w = nsWindow(query.startMs, query.endMs);
  return topologyPlan(
    query,
    {
      statement: (build) => {
        const q = new QueryBuilder(tables);
        const body = build(q.ctx, {
          from: q.traces,
          where: `Timestamp BETWEEN ${q.ts(w.lo - horizonNs)} AND ${q.ts(w.hi + horizonNs)}`,
          startsInWindow: (start) => `${start} BETWEEN ${q.ts(w.lo)} AND ${q.ts(w.hi)}`,
        });
        // The GenAI expressions' aliases open the one WITH list (ClickHouse propagates them into the CTE).
        const aliases = q.params.withClause().trimEnd();
        return { sql: aliases ? `${aliases}, ${body.ctes} ${body.body}` : withQuerySql(body), params: q.params.values };
      },
    },
    exporterTable,
  );
}
