/**
 * list_llm_tools over the store (sql/tool-usage.ts): one statement, the tool spans of the window
 * grouped by tool name, the LLM calls read from the derived columns the parser wrote with each
 * span (derived.ts) and attribute types from AttributeTypes.
 */
import { aggregateRows, type QueryContext, type TimeWindow } from "./queries.js";
import { duckdbDialect } from "./sql/dialect.js";
import { Params } from "./sql/params.js";
import { storeTable } from "./sql/table.js";
import { toolUsagePlan, type ToolUsageResult, type ToolUsageShape, type ToolUsageSpec } from "./sql/tool-usage.js";

/** A call is a span the parser read (LlmCall set); LlmProvider is its provider. */
const storeTools: ToolUsageShape = {
  llm: () => ({ isCall: "(LlmCall IS NOT NULL)", provider: "LlmProvider" }),
  spanAttributeType: storeTable.spanAttributeType!,
  distinctList: (value) => `list(DISTINCT ${value})`,
};

export async function toolUsage(ctx: QueryContext, q: ToolUsageSpec & TimeWindow): Promise<ToolUsageResult> {
  const rows = aggregateRows(ctx, q);
  const plan = toolUsagePlan(q, storeTools, {
    statement: (build) => {
      const params = new Params(duckdbDialect.placeholder);
      const sql = build({ dialect: duckdbDialect, params }, rows);
      return { sql, params: params.values };
    },
  });
  return plan.read(await ctx.conn.all(plan.statement.sql, plan.statement.params));
}
