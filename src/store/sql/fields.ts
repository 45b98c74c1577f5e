/**
 * Filter field -> SQL expression over otel_traces, with the reference semantics of
 * src/query/filter-engine.ts: which fields are pseudo-fields on a span and on a trace, what each
 * one's value is, and when it is missing. Attribute names go in as parameters.
 */
import { PROMOTED_ATTRIBUTES, quoteIdent } from "../schema.js";
import type { Dialect } from "./dialect.js";
import { genaiValue, isNormalizedGenAiField } from "./genai.js";
import type { Params } from "./params.js";

/** The SQL type of a value expression; it decides how string/number/boolean comparisons read it. */
export type ValueKind = "string" | "double" | "integer" | "boolean";

export interface ValueExpr {
  sql: string;
  kind: ValueKind;
}

/** A span-level field: whether this span has it, and its value. */
export interface SpanField {
  /** SQL boolean, never NULL. */
  present: string;
  value: ValueExpr;
  /** The value is a long expression (a normalised GenAI field): evaluate it once per row (rowScoped). */
  heavy?: boolean;
}

/**
 * `build` over one row's field, with a heavy value evaluated once (dialect.let) and referred to by
 * name in both `present` and `value`, instead of its text appearing in each.
 */
export function rowScoped(field: SpanField, params: Params, dialect: Dialect, build: (f: SpanField) => string): string {
  if (!field.heavy) return build(field);
  return dialect.let(field.value.sql, (ref) => build({ present: `(${ref} IS NOT NULL)`, value: { sql: ref, kind: field.value.kind } }), params);
}

/** Both spellings the exporter has written: `Error` (current) and `STATUS_CODE_ERROR` (older versions). */
export const IS_ERROR_SQL = "(StatusCode IN ('Error', 'STATUS_CODE_ERROR'))";
const IS_OK_SQL = "(StatusCode IN ('Ok', 'STATUS_CODE_OK'))";
export const STATUS_SQL = `(CASE WHEN ${IS_ERROR_SQL} THEN 'ERROR' WHEN ${IS_OK_SQL} THEN 'OK' ELSE 'UNSET' END)`;

/**
 * Per-span LLM values the trace-level fields (llm_span_count, total_tokens) sum. The store keeps
 * them in derived columns (derived.ts); a table without them (ClickHouse) computes them from the
 * attributes (genai.ts genaiDerived).
 */
export interface DerivedSql {
  /** isLlmSpan, never NULL. */
  isLlm: string;
  /** The parsed total tokens (NULL when unknown). */
  llmTotalTokens: string;
}

export const STORE_DERIVED: DerivedSql = { isLlm: "IsLlm", llmTotalTokens: "LlmTotalTokens" };
/** Span duration in milliseconds, as Span.durationMs (Duration is integer nanoseconds). */
export const SPAN_DURATION_MS = "(Duration / 1e6)";

const always = (sql: string, kind: ValueKind): SpanField => ({ present: "TRUE", value: { sql, kind } });

/** spanFieldValues: the switch's pseudo-fields, else an attribute of the span. */
export function spanField(field: string, params: Params, dialect: Dialect): SpanField {
  switch (field) {
    case "trace_id":
      return always("TraceId", "string");
    case "span_id":
      return always("SpanId", "string");
    case "parent_span_id":
      return { present: "(ParentSpanId <> '')", value: { sql: "ParentSpanId", kind: "string" } };
    case "service.name":
      return always("ServiceName", "string");
    case "name":
    case "operation_name":
      return always("SpanName", "string");
    case "duration":
      return always(SPAN_DURATION_MS, "double");
    case "status":
      return always(STATUS_SQL, "string");
    default: {
      // GenAI fields read normalised, whatever convention recorded the span (src/genai/fields.ts).
      if (isNormalizedGenAiField(field)) {
        const value = genaiValue(field, params, dialect);
        return { present: `(${value.sql} IS NOT NULL)`, value, heavy: true };
      }
      const column = Object.hasOwn(PROMOTED_ATTRIBUTES, field) ? PROMOTED_ATTRIBUTES[field] : undefined;
      const value = column ? quoteIdent(column) : dialect.mapValue("SpanAttributes", params.add(field, "VARCHAR"));
      return { present: `(${value} IS NOT NULL)`, value: { sql: value, kind: "string" } };
    }
  }
}

/**
 * Per-trace aggregates over a GROUP BY TraceId of its spans (traceFieldValues' single-valued
 * cases). The root is the first parentless span in start order (ties by span id), else the first
 * span: the order getTrace returns spans in, which assembleTrace reads the root from.
 */
export function traceAggregates(d: Dialect, derived: DerivedSql = STORE_DERIVED) {
  const rootKey: readonly string[] = ["ParentSpanId <> ''", "Timestamp", "SpanId"];
  const startUs = `CAST(${d.epochUs("Timestamp")} AS DOUBLE)`;
  const hasErrors = `coalesce(${d.anyTrue(IS_ERROR_SQL)}, FALSE)`;
  return {
    /** Orders a trace's spans so its root comes first. */
    rootKey,
    rootService: d.argMinBy("ServiceName", rootKey),
    rootOperation: d.argMinBy("SpanName", rootKey),
    /** assembleTrace's arithmetic, in the same floating-point steps: (max(start + dur * 1000) - min(start)) / 1000. */
    durationMs: `((max(${startUs} + ${SPAN_DURATION_MS} * 1000) - min(${startUs})) / 1000)`,
    hasErrors,
    status: `(CASE WHEN ${hasErrors} THEN 'ERROR' ELSE 'OK' END)`,
    spanCount: "count(*)",
    llmSpanCount: d.countTrue(derived.isLlm),
    totalTokens: `coalesce(sum(${derived.llmTotalTokens}), 0)`,
  };
}

/** traceFieldValues' single-valued cases; undefined for fields read from every span. */
export function traceScalar(field: string, d: Dialect, derived?: DerivedSql): ValueExpr | undefined {
  const agg = traceAggregates(d, derived);
  switch (field) {
    case "trace_id":
      return { sql: "TraceId", kind: "string" };
    case "service.name":
      return { sql: agg.rootService, kind: "string" };
    case "name":
    case "operation_name":
      return { sql: agg.rootOperation, kind: "string" };
    case "duration":
      return { sql: agg.durationMs, kind: "double" };
    case "status":
      return { sql: agg.status, kind: "string" };
    case "span_count":
      return { sql: agg.spanCount, kind: "integer" };
    case "llm_span_count":
      return { sql: agg.llmSpanCount, kind: "integer" };
    case "total_tokens":
      return { sql: agg.totalTokens, kind: "integer" };
    case "has_errors":
      return { sql: agg.hasErrors, kind: "boolean" };
    default:
      return undefined;
  }
}

