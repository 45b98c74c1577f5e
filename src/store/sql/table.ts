/**
 * What the analytics SQL (aggregate.ts, group-keys.ts) reads of an otel_traces table beyond the
 * exporter's columns: the GenAI parser's reading of each span, and the recorded types of attribute
 * values. Our store keeps both in derived columns (src/store/derived.ts, AttributeTypes); a table
 * the exporter wrote has neither, and describes itself with the GenAI SQL generator instead.
 */
import type { NormalizedGenAiField } from "../../genai/fields.js";
import { genaiSqlExpression } from "../../genai/sql.js";
import type { Dialect } from "./dialect.js";
import type { ValueExpr } from "./fields.js";
import { genaiSqlDialect } from "./genai-dialect.js";
import type { Params } from "./params.js";

export interface SqlContext {
  dialect: Dialect;
  params: Params;
}

/** Per-span SQL of an LLM call as the analytics read it (src/analytics/llm-usage.ts llmUsageOf). */
export interface LlmColumns {
  /** The span is an LLM call (the normaliser gives it a view). Never NULL. */
  isCall: string;
  /** Provider ("unknown" for a call that names none) and model (response, else request; NULL when none). */
  provider: string;
  model: string;
  /** Token counts in the semconv sense (input includes cache reads and writes, output reasoning); NULL when zero or unknown. */
  input: string;
  output: string;
  total: string;
  cacheRead: string;
  cacheWrite: string;
  reasoning: string;
}

export interface TableShape {
  llm: LlmColumns;
  /** A normalised GenAI field of a span: genai/fields.ts genaiFieldValue, NULL where it is undefined. */
  genaiField(field: NormalizedGenAiField, ctx: SqlContext): ValueExpr;
  /**
   * The recorded JSON type of span attribute `key` ("int", "double", "bool", "json"; NULL for a
   * string). Absent when the table records no types: every value then reads as a string.
   */
  spanAttributeType?(key: string, ctx: SqlContext): string;
}

/** A key as a JSON pointer segment (RFC 6901). */
const pointerSegment = (key: string): string => key.replaceAll("~", "~0").replaceAll("/", "~1");

/** Our store's otel_traces (schema.ts): derived Llm* columns and AttributeTypes. */
export const storeTable: TableShape = {
  llm: {
    isCall: "coalesce(IsLlm, FALSE)",
    provider: "LlmProvider",
    model: "LlmModel",
    input: "LlmInputTokens",
    output: "LlmOutputTokens",
    total: "LlmTotalTokens",
    cacheRead: "LlmCacheReadTokens",
    cacheWrite: "LlmCacheWriteTokens",
    reasoning: "LlmReasoningTokens",
  },
  genaiField(field, ctx) {
    switch (field) {
      case "gen_ai.provider.name":
      case "gen_ai.system":
        // LlmProvider is the LLM tools' reading, which says "unknown" for a call naming no provider;
        // the field has no value there, so those rows (only those) read the mapping table.
        return { sql: `(CASE WHEN LlmProvider = 'unknown' THEN ${genaiSqlExpression(field, genaiSqlDialect(ctx.dialect, ctx.params))} ELSE LlmProvider END)`, kind: "string" };
      case "gen_ai.request.model":
        return { sql: "LlmRequestModel", kind: "string" };
      case "gen_ai.response.model":
        return { sql: "LlmResponseModel", kind: "string" };
      case "model":
        return { sql: "LlmModel", kind: "string" };
      case "gen_ai.usage.input_tokens":
        return { sql: "LlmInputTokens", kind: "integer" };
      case "gen_ai.usage.output_tokens":
        return { sql: "LlmOutputTokens", kind: "integer" };
      case "gen_ai.usage.total_tokens":
        return { sql: "LlmTotalTokens", kind: "integer" };
      case "gen_ai.usage.cache_read.input_tokens":
        return { sql: "LlmCacheReadTokens", kind: "integer" };
      case "gen_ai.usage.cache_write.input_tokens":
        return { sql: "LlmCacheWriteTokens", kind: "integer" };
      case "gen_ai.usage.reasoning.output_tokens":
        return { sql: "LlmReasoningTokens", kind: "integer" };
      case "gen_ai.operation.name":
      case "session.id":
      case "user.id":
        return { sql: genaiSqlExpression(field, genaiSqlDialect(ctx.dialect, ctx.params)), kind: "string" };
      default: {
        const never: never = field;
        return never;
      }
    }
  },
  spanAttributeType: (key, ctx) => ctx.dialect.jsonExtractString("AttributeTypes", ctx.params.add(`/span/${pointerSegment(key)}`, "VARCHAR")),
};
