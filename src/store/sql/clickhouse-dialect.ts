/**
 * The ClickHouse dialect of the otel_traces SQL: `{name:Type}` placeholders, map access that tells
 * an absent key (NULL) from an empty value, `has`, `quantileExactInclusive` (linear interpolation
 * between closest ranks, numpy "linear" / R-7, as analytics/stats.ts percentile), boolean
 * aggregates as max/min, `argMin` over a tuple key, and the JavaScript-semantics helpers written
 * inline (a read-only user can create no functions): String.prototype.trim, toNumber, toBool and
 * String(number), so a compiled filter means exactly what the filter engine means.
 *
 * Repeated values go through Params.bind (WITH aliases): queries built with this dialect must use
 * `new Params(clickhouseDialect.placeholder, { aliases: true })` and prefix `params.withClause()`.
 * Number parsing is exact only with the setting precise_float_parsing = 1, which the backend sends.
 */
import { FALSE_WORDS, JS_DECIMAL, JS_SPACE, TRUE_WORDS, type Dialect } from "./dialect.js";
import type { SqlType } from "./params.js";

const TYPES: Readonly<Record<SqlType, string>> = {
  VARCHAR: "String",
  DOUBLE: "Float64",
  BIGINT: "Int64",
  BOOLEAN: "Bool",
  "VARCHAR[]": "Array(String)",
  "DOUBLE[]": "Array(Float64)",
};

/** A ClickHouse string literal for a constant of this module (backslash is an escape character there). */
export function clickhouseLiteral(value: string): string {
  return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

const words = (list: readonly string[]): string => list.map(clickhouseLiteral).join(", ");
const TRIM_RE = clickhouseLiteral(`^${JS_SPACE}+|${JS_SPACE}+$`);
const DECIMAL_RE = clickhouseLiteral(JS_DECIMAL);

/** Lambda argument names are local to their lambda; nesting never reuses one in scope. */
let lambdas = 0;
const arg = (): string => `_x${(lambdas = (lambdas + 1) % 1_000_000)}`;

/** `body` over `value` computed once per row, inside one expression (a one-element arrayMap). */
function inlineLet(value: string, body: (ref: string) => string): string {
  const x = arg();
  return `arrayMap(${x} -> ${body(x)}, [${value}])[1]`;
}

export const clickhouseDialect: Dialect = {
  name: "clickhouse",
  placeholder: (name, type) => `{${name}:${TYPES[type]}}`,
  // m[k] is '' for an absent key: presence decides, as the filter engine's "missing field".
  mapValue: (map, key) => `if(mapContains(${map}, ${key}), ${map}[${key}], NULL)`,
  // has() is false for a NULL item; the filter engine's unreadable value matches neither in nor not_in.
  listContains: (list, item) => `if(isNull(${item}), NULL, has(${list}, ${item}))`,
  quantile: (expr, p) => `quantileExactInclusive(${p})(${expr})`,
  jsonExtractString: (json, key) => `if(JSONHas(${json}, ${key}), JSONExtractString(${json}, ${key}), NULL)`,
  epochUs: (ts) => `toUnixTimestamp64Micro(${ts})`,
  epochNs: (ts) => `toUnixTimestamp64Nano(${ts})`,
  timestampFromNs: (ns) => `fromUnixTimestamp64Nano(${ns})`,
  jsTrim: (x) => `replaceRegexpAll(${x}, ${TRIM_RE}, '')`,
  jsNumber: (x) => inlineLet(`toFloat64OrNull(extract(${x}, ${DECIMAL_RE}))`, (v) => `if(isFinite(${v}), ${v}, NULL)`),
  jsBool: (x) =>
    inlineLet(`lower(replaceRegexpAll(${x}, ${TRIM_RE}, ''))`, (w) => `multiIf(${w} IN (${words(TRUE_WORDS)}), true, ${w} IN (${words(FALSE_WORDS)}), false, NULL)`),
  // toString prints the shortest round-trip digits as JavaScript does, with "e21" for "e+21",
  // "-0", "nan" and "inf" the only other differences.
  jsNumberString: (x) =>
    inlineLet(
      x,
      (v) =>
        `multiIf(isNull(${v}), NULL, isNaN(${v}), 'NaN', isInfinite(${v}), if(${v} > 0, 'Infinity', '-Infinity'), ${v} = 0, '0', ` +
        `replaceRegexpOne(toString(${v}), 'e([0-9])', 'e+\\\\1'))`,
    ),
  contains: (x, n) => `(position(${x}, ${n}) > 0)`,
  startsWith: (x, p) => `startsWith(${x}, ${p})`,
  endsWith: (x, s) => `endsWith(${x}, ${s})`,
  anyTrue: (x) => `max(${x})`,
  everyTrue: (x) => `min(${x})`,
  countTrue: (x) => `countIf(${x})`,
  argMinBy: (value, key) => `argMin(${value}, tuple(${key.join(", ")}))`,
  // A tuple is never NULL, so argMin keeps the row whatever its elements hold (it skips NULL arguments).
  argMinRow: (values, key) => {
    const row = `argMin(tuple(${values.join(", ")}), tuple(${key.join(", ")}))`;
    return values.map((_, i) => `tupleElement(${row}, ${i + 1})`);
  },
  floorDiv: (a, b) => `intDiv(${a}, ${b})`,
  let: (value, body, params) => body(params.bind(value)),
  // The convention tables' keys and names as escaped literals: a few hundred parameters would make
  // URLs longer than proxies accept (values from a caller are always parameters).
  constant: clickhouseLiteral,
  setup: [],
};
