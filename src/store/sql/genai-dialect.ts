/**
 * The store's Dialect as the GenAI SQL generator's SqlDialect (src/genai/sql.ts), over the span
 * attribute map: attribute names and constants are bound parameters, and numbers are read as the
 * filter engine reads them (domain/attributes.ts toNumber, which genai/read.ts counts use).
 */
import type { SqlDialect } from "../../genai/sql.js";
import type { Dialect } from "./dialect.js";
import type { Params } from "./params.js";

export function genaiSqlDialect(dialect: Dialect, params: Params, map = "SpanAttributes"): SqlDialect {
  return {
    attr: (key) => dialect.mapValue(map, params.add(key, "VARCHAR")),
    num: (expr) => dialect.jsNumber(expr),
    lit: (value) => params.add(value, "VARCHAR"),
  };
}
