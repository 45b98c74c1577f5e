/**
 * ToolUsageQuery -> one SQL statement over otel_traces (list_llm_tools): the tool-execution spans
 * of the window grouped by tool name, each group's calls, services and first / last start, over
 * the newest `limit` tool spans (start descending, ties by trace and span id), with the number of
 * tool spans in all and the distinct traces of those analysed, for coverage.
 *
 * Which spans are tool spans is the tool's reading on the fetch path: a span whose toolSpan()
 * reading exists (genai/sql.ts genaiToolNameSql, the same rules and name keys) and that a search
 * for one of the conventions' markers finds (the marker filters compiled by the shared filter
 * compiler, exactly as a span search applies them), of the service when one is given (the span's
 * own service). With a provider, the tool spans (toolSpan alone, as the tool reads whole traces)
 * of the traces that start in the window, have a span of the service, a span a marker search
 * finds, an LLM call of that provider as the `gen_ai.system` filter reads it and as the parser
 * reads it (both, as the tool checks both); the traces' spans read within the trace horizon.
 *
 * Dialect-generic: the engine through the Dialect, the table through ToolUsageShape (the store's
 * derived columns, or the GenAI SQL generator over the exporter's attributes), the rows through
 * AggregateRows.
 */
import { eq, type Filter } from "../../domain/filter.js";
import { TOOL_SPAN_RULES } from "../../genai/conventions.js";
import { genaiToolNameSql, type SqlDialect } from "../../genai/sql.js";
import { normalizeProvider } from "../../genai/providers.js";
import type { AggregateRows, Row, Statement } from "./aggregate.js";
import { spanCondition, traceHaving } from "./filters.js";
import { genaiSqlDialect } from "./genai-dialect.js";
import type { SqlContext } from "./table.js";

export interface ToolUsageSpec {
  /** Only tool spans of this service (span semantics). */
  serviceName?: string;
  /** Only tool spans of traces with an LLM call of this provider (as given; normalised here). */
  genAiSystem?: string;
  /** At most this many tool spans analysed, the newest. */
  limit: number;
}

/** What the plan reads of a span beyond the exporter's columns. */
export interface ToolUsageShape {
  /** The parser's reading: the span is an LLM call (never NULL), and its provider ("unknown" when it names none). */
  llm(ctx: SqlContext): { isCall: string; provider: string };
  /** The recorded JSON type of a span attribute ("json" for arrays and maps), when the table records types. */
  spanAttributeType?(key: string, ctx: SqlContext): string;
  /** Distinct values of `value` over a group's rows, as a list (any order). */
  distinctList(value: string): string;
}

export interface ToolUsageRow {
  toolName: string;
  calls: number;
  /** Distinct services, in no particular order. */
  services: string[];
  firstUs: number;
  lastUs: number;
}

export interface ToolUsageResult {
  tools: ToolUsageRow[];
  /** Tool spans analysed (at most the limit). */
  analysed: number;
  /** Tool spans in all (analysed or not); 0 when none was analysed (a limit of at least 1 then means none exists). */
  total: number;
  /** Distinct traces of the analysed spans. */
  traces: number;
}

export interface ToolUsagePlan {
  statement: Statement;
  read(rows: readonly Row[]): ToolUsageResult;
}

/** The marker searches list_llm_tools runs on the fetch path, one per convention. */
export const TOOL_MARKER_FILTERS: readonly Filter[] = TOOL_SPAN_RULES.map((r) => eq(r.key, r.value));

/** genaiToolNameSql over the span attributes; where the table records types, an array or map value is no name (scalarString). */
function toolNameSql(ctx: SqlContext, shape: ToolUsageShape): string {
  const base = genaiSqlDialect(ctx.dialect, ctx.params);
  const typed = shape.spanAttributeType;
  const dialect: SqlDialect = typed
    ? { ...base, attr: (key) => `(CASE WHEN coalesce(${typed(key, ctx)}, '') = 'json' THEN NULL ELSE ${base.attr(key)} END)` }
    : base;
  return genaiToolNameSql(dialect, "SpanName");
}

export function toolUsagePlan(
  spec: ToolUsageSpec,
  shape: ToolUsageShape,
  source: { statement(build: (ctx: SqlContext, rows: AggregateRows) => string): Statement },
): ToolUsagePlan {
  const statement = source.statement((ctx, rows) => {
    const d = ctx.dialect;
    const markers = `(${TOOL_MARKER_FILTERS.map((f) => spanCondition(f, ctx)).join(" OR ")})`;
    const service = spec.serviceName === undefined ? undefined : spanCondition(eq("service.name", spec.serviceName), ctx);
    const tool = toolNameSql(ctx, shape);
    let tools: string;
    if (spec.genAiSystem === undefined) {
      const src = rows.spans(ctx.params);
      // The marker searches' conditions only where toolSpan reads a tool (CASE: evaluated on those rows alone).
      tools = `SELECT TraceId, SpanId, Timestamp, ServiceName, tool FROM (
          SELECT TraceId, SpanId, Timestamp, ServiceName, SpanAttributes, ${tool} AS tool FROM ${src.from}
          WHERE ${src.where}${service ? ` AND ${service}` : ""}
        ) s WHERE CASE WHEN tool IS NULL THEN FALSE ELSE ${markers} END`;
    } else {
      const src = rows.traceSpans(ctx.params);
      const llm = shape.llm(ctx);
      const provider = ctx.params.add(normalizeProvider(spec.genAiSystem), "VARCHAR");
      const having = [
        src.startsInWindow("min(Timestamp)"),
        traceHaving([...(spec.serviceName === undefined ? [] : [eq("service.name", spec.serviceName)]), eq("gen_ai.system", spec.genAiSystem)], ctx),
        `coalesce(${d.anyTrue(markers)}, FALSE)`,
        `coalesce(${d.anyTrue(`${llm.isCall} AND ${llm.provider} = ${provider}`)}, FALSE)`,
      ];
      const traces = `SELECT TraceId FROM ${src.from} WHERE ${src.where} GROUP BY TraceId HAVING ${having.join(" AND ")}`;
      tools = `SELECT TraceId, SpanId, Timestamp, ServiceName, tool FROM (
          SELECT TraceId, SpanId, Timestamp, ServiceName, ${tool} AS tool FROM ${src.from}
          WHERE ${src.where}${service ? ` AND ${service}` : ""} AND TraceId IN (${traces})
        ) s WHERE tool IS NOT NULL`;
    }
    const limit = ctx.params.add(spec.limit, "BIGINT");
    // The count over every tool span is taken before the cut; a trace's first analysed span (k = 1) counts it once.
    const picked = `SELECT t.*, count(*) OVER () AS total FROM (${tools}) t ORDER BY Timestamp DESC, TraceId, SpanId LIMIT ${limit}`;
    const numbered = `SELECT p.*, row_number() OVER (PARTITION BY TraceId ORDER BY SpanId) AS k FROM (${picked}) p`;
    return `SELECT tool, count(*) AS calls, ${shape.distinctList("ServiceName")} AS services, ${d.epochUs("min(Timestamp)")} AS first_us,
        ${d.epochUs("max(Timestamp)")} AS last_us, max(total) AS total, ${d.countTrue("k = 1")} AS traces
      FROM (${numbered}) n GROUP BY tool`;
  });
  return {
    statement,
    read(rows) {
      const tools: ToolUsageRow[] = [];
      let total = 0;
      let traces = 0;
      for (const r of rows) {
        total = Number(r.total);
        traces += Number(r.traces);
        tools.push({
          toolName: String(r.tool),
          calls: Number(r.calls),
          services: ((r.services as unknown[] | null) ?? []).map(String),
          firstUs: Number(r.first_us),
          lastUs: Number(r.last_us),
        });
      }
      const analysed = tools.reduce((n, t) => n + t.calls, 0);
      return { tools, analysed, total, traces };
    },
  };
}
