/**
 * What differs between SQL engines over otel_traces, behind one small object: placeholders, map
 * access, list membership, quantiles, JSON extraction, and the JavaScript-semantics helpers the
 * filter compiler needs (JS string trimming, number parsing and printing, boolean words). DuckDB
 * here; ClickHouse in clickhouse-dialect.ts.
 */
import type { Params, SqlType } from "./params.js";

export interface Dialect {
  readonly name: string;
  placeholder(name: string, type: SqlType): string;
  /** The map's value for a key, NULL when the key is absent. */
  mapValue(map: string, key: string): string;
  listContains(list: string, item: string): string;
  /** Linear-interpolation quantile (numpy "linear", analytics/stats.ts percentile). */
  quantile(expr: string, p: number): string;
  jsonExtractString(json: string, key: string): string;
  /** Epoch microseconds / nanoseconds of a timestamp column, as integers. */
  epochUs(ts: string): string;
  epochNs(ts: string): string;
  /** A timestamp from integer epoch nanoseconds. */
  timestampFromNs(ns: string): string;
  /** String.prototype.trim. */
  jsTrim(x: string): string;
  /** domain/attributes.ts toNumber on a string: a DOUBLE, NULL when not a finite decimal. */
  jsNumber(x: string): string;
  /** domain/attributes.ts toBool on a string: TRUE/FALSE, NULL when not a boolean word. */
  jsBool(x: string): string;
  /** String(x) for a DOUBLE, exactly as JavaScript prints it. */
  jsNumberString(x: string): string;
  contains(x: string, needle: string): string;
  startsWith(x: string, prefix: string): string;
  endsWith(x: string, suffix: string): string;
  /** Aggregates over the spans of a group: some row / every row true (NULL when no rows), rows where true. */
  anyTrue(x: string): string;
  everyTrue(x: string): string;
  countTrue(x: string): string;
  /** The value on the row with the smallest key, comparing keys field by field (rows whose value is NULL are skipped). */
  argMinBy(value: string, key: readonly string[]): string;
  /**
   * `body` over `value` evaluated once (src/genai/sql.ts SqlDialect.let): a one-element lambda in
   * DuckDB, a WITH alias (params.bind) in ClickHouse. `params` gives fresh names.
   */
  let(value: string, body: (ref: string) => string, params: Params): string;
  /** The values on the one row with the smallest key, NULLs included: one expression per value. */
  argMinRow(values: readonly string[], key: readonly string[]): string[];
  /** Integer division rounding down, of non-negative integers. */
  floorDiv(a: string, b: string): string;
  /**
   * A string constant of our own code (an attribute key of a GenAI convention, a provider name) as
   * SQL text, or undefined to bind it as a parameter. Never used for a caller's value.
   */
  constant?(value: string): string;
  /** Statements to run once per connection before the helpers can be used. */
  readonly setup: readonly string[];
}

/** JavaScript's WhiteSpace + LineTerminator code points (what String.prototype.trim removes). */
export const JS_SPACE = "[\\x{0009}-\\x{000D}\\x{0020}\\x{00A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}\\x{FEFF}]";
/** domain/attributes.ts DECIMAL, anchored, with the surrounding whitespace trim() would drop. */
export const JS_DECIMAL = `^${JS_SPACE}*([+-]?(?:[0-9]+\\.?[0-9]*|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?)${JS_SPACE}*$`;
export const TRUE_WORDS = ["true", "1", "yes", "y", "on", "t"];
export const FALSE_WORDS = ["false", "0", "no", "n", "off", "f"];

const words = (list: readonly string[]): string => list.map((w) => `'${w}'`).join(", ");

/**
 * DuckDB prints a DOUBLE with the shortest round-trip digits, as JavaScript does, but formats them
 * differently ("100.0", "1e-07", "1e+16"). These macros take DuckDB's digits and decimal exponent
 * and lay them out by Number.prototype.toString's rules.
 */
const DUCKDB_MACROS: readonly string[] = [
  `CREATE OR REPLACE MACRO js_trim(x) AS regexp_replace(x, '^${JS_SPACE}+|${JS_SPACE}+$', '', 'g')`,
  `CREATE OR REPLACE MACRO js_finite(v) AS CASE WHEN isfinite(v) THEN v END`,
  `CREATE OR REPLACE MACRO js_number(x) AS js_finite(TRY_CAST(NULLIF(regexp_extract(x, '${JS_DECIMAL}', 1), '') AS DOUBLE))`,
  `CREATE OR REPLACE MACRO js_bool(x) AS CASE
     WHEN lower(js_trim(x)) IN (${words(TRUE_WORDS)}) THEN TRUE
     WHEN lower(js_trim(x)) IN (${words(FALSE_WORDS)}) THEN FALSE END`,
  // s: DuckDB's text for a positive finite DOUBLE. Significant digits, without leading/trailing zeros.
  `CREATE OR REPLACE MACRO js_num_digits(s) AS rtrim(ltrim(replace(split_part(s, 'e', 1), '.', ''), '0'), '0')`,
  // Position of the decimal point after the first significant digit (JS's "n").
  `CREATE OR REPLACE MACRO js_num_point(s) AS
     (CASE WHEN ltrim(split_part(split_part(s, 'e', 1), '.', 1), '0') <> ''
        THEN length(ltrim(split_part(split_part(s, 'e', 1), '.', 1), '0'))
        ELSE length(ltrim(split_part(split_part(s, 'e', 1), '.', 2), '0')) - length(split_part(split_part(s, 'e', 1), '.', 2)) END)
     + (CASE WHEN contains(s, 'e') THEN CAST(split_part(s, 'e', 2) AS INTEGER) ELSE 0 END)`,
  `CREATE OR REPLACE MACRO js_num_layout(d, n) AS CASE
     WHEN length(d) <= n AND n <= 21 THEN d || repeat('0', n - length(d))
     WHEN 0 < n AND n <= 21 THEN left(d, n) || '.' || substr(d, n + 1)
     WHEN -6 < n AND n <= 0 THEN '0.' || repeat('0', -n) || d
     ELSE left(d, 1) || (CASE WHEN length(d) > 1 THEN '.' || substr(d, 2) ELSE '' END)
          || 'e' || (CASE WHEN n - 1 >= 0 THEN '+' ELSE '-' END) || CAST(abs(n - 1) AS VARCHAR) END`,
  `CREATE OR REPLACE MACRO js_num_str(x) AS CASE
     WHEN x IS NULL THEN NULL
     WHEN isnan(x) THEN 'NaN'
     WHEN isinf(x) THEN (CASE WHEN x > 0 THEN 'Infinity' ELSE '-Infinity' END)
     WHEN x = 0 THEN '0'
     ELSE (CASE WHEN x < 0 THEN '-' ELSE '' END)
          || js_num_layout(js_num_digits(CAST(abs(x) AS VARCHAR)), js_num_point(CAST(abs(x) AS VARCHAR))) END`,
];

export const duckdbDialect: Dialect = {
  name: "duckdb",
  // Types travel with the bound values (duckdb.ts), so a bare placeholder is enough.
  placeholder: (name) => `$${name}`,
  mapValue: (map, key) => `${map}[${key}]`,
  listContains: (list, item) => `list_contains(${list}, ${item})`,
  quantile: (expr, p) => `quantile_cont(${expr}, ${p})`,
  jsonExtractString: (json, key) => `json_extract_string(${json}, ${key})`,
  epochUs: (ts) => `epoch_us(${ts})`,
  epochNs: (ts) => `epoch_ns(${ts})`,
  timestampFromNs: (ns) => `make_timestamp_ns(${ns})`,
  jsTrim: (x) => `js_trim(${x})`,
  jsNumber: (x) => `js_number(${x})`,
  jsBool: (x) => `js_bool(${x})`,
  jsNumberString: (x) => `js_num_str(${x})`,
  contains: (x, n) => `contains(${x}, ${n})`,
  startsWith: (x, p) => `starts_with(${x}, ${p})`,
  endsWith: (x, s) => `ends_with(${x}, ${s})`,
  anyTrue: (x) => `bool_or(${x})`,
  everyTrue: (x) => `bool_and(${x})`,
  countTrue: (x) => `count_if(${x})`,
  argMinBy: (value, key) => `arg_min(${value}, {${key.map((k, i) => `k${i}: ${k}`).join(", ")}})`,
  let: (value, body, params) => {
    const x = params.fresh("_l");
    return `list_transform([${value}], ${x} -> ${body(x)})[1]`;
  },
  // A struct is never NULL, so arg_min keeps the row whatever its fields hold.
  argMinRow: (values, key) => {
    const row = `arg_min({${values.map((v, i) => `v${i}: ${v}`).join(", ")}}, {${key.map((k, i) => `k${i}: ${k}`).join(", ")}})`;
    return values.map((_, i) => `struct_extract(${row}, 'v${i}')`);
  },
  floorDiv: (a, b) => `(${a} // ${b})`,
  setup: DUCKDB_MACROS,
};
