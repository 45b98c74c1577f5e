/**
 * The normalised GenAI fields (src/genai/fields.ts) as SQL over otel_traces: the portable
 * expressions of src/genai/sql.ts, with attribute access, number parsing and constants supplied by
 * the dialect, so a filter or group-by on `gen_ai.provider.name` or `model` means what the filter
 * engine means, whatever convention recorded the span.
 */
import { isNormalizedGenAiField, type NormalizedGenAiField } from "../../genai/fields.js";
import { genaiCallSql, genaiSqlExpression, type SqlDialect } from "../../genai/sql.js";
import type { Dialect } from "./dialect.js";
import type { DerivedSql, ValueExpr } from "./fields.js";
import type { Params } from "./params.js";

export { isNormalizedGenAiField };

const NUMERIC_FIELDS: ReadonlySet<NormalizedGenAiField> = new Set([
  "gen_ai.usage.input_tokens",
  "gen_ai.usage.output_tokens",
  "gen_ai.usage.total_tokens",
  "gen_ai.usage.cache_read.input_tokens",
  "gen_ai.usage.cache_write.input_tokens",
  "gen_ai.usage.reasoning.output_tokens",
]);

/** src/genai/sql.ts's dialect over a span row's SpanAttributes; constants bound as the dialect prefers. */
export function genaiDialect(params: Params, dialect: Dialect): SqlDialect {
  const constant = (value: string): string => dialect.constant?.(value) ?? params.constant(value);
  return {
    attr: (key) => params.bind(dialect.mapValue("SpanAttributes", constant(key))),
    // read.ts count() reads numbers with toNumber: the dialect's jsNumber is exactly that.
    num: (expr) => dialect.jsNumber(expr),
    lit: constant,
    let: (value, body) => dialect.let(value, body, params),
  };
}

/** The field's normalised value on a span (NULL where genaiFieldValue gives undefined). */
export function genaiValue(field: NormalizedGenAiField, params: Params, dialect: Dialect): ValueExpr {
  const sql = params.bind(`(${genaiSqlExpression(field, genaiDialect(params, dialect))})`);
  return { sql, kind: NUMERIC_FIELDS.has(field) ? "double" : "string" };
}

/** TRUE on LLM calls (isLlmSpan), else FALSE. */
export function genaiIsCall(params: Params, dialect: Dialect): string {
  return params.bind(`(${genaiCallSql(genaiDialect(params, dialect))})`);
}

/** The per-span LLM values the store keeps in derived columns, computed from the attributes instead (ClickHouse). */
export function genaiDerived(params: Params, dialect: Dialect): DerivedSql {
  return { isLlm: genaiIsCall(params, dialect), llmTotalTokens: genaiValue("gen_ai.usage.total_tokens", params, dialect).sql };
}
