/**
 * Filter -> SQL, reproducing src/query/filter-engine.ts exactly: spanMatches as a WHERE over span
 * rows, traceMatches as a HAVING over a GROUP BY TraceId. Every value is a bound parameter.
 *
 * A comparison may evaluate to NULL (a value that is not a number, say); the engine calls that a
 * non-match, so every comparison is wrapped in coalesce(..., FALSE) before it is combined.
 */
import { toBool, toNumber } from "../../domain/attributes.js";
import { NEGATIVE_OPERATORS, type Filter } from "../../domain/filter.js";
import { normalizeProvider } from "../../genai/providers.js";
import type { Dialect } from "./dialect.js";
import { rowScoped, spanField, traceScalar, type DerivedSql, type SpanField, type ValueExpr } from "./fields.js";
import { Params } from "./params.js";

export interface CompileContext {
  params: Params;
  dialect: Dialect;
  /** Where the per-span LLM values come from (default: the store's derived columns). */
  derived?: DerivedSql;
}

const FALSE = "FALSE";
const isFalse = (sql: string): boolean => sql === FALSE;
const orFalse = (sql: string): string => (isFalse(sql) ? FALSE : `coalesce(${sql}, FALSE)`);

/** asString: strings verbatim, numbers as JS prints them, booleans as true/false. */
function asString(v: ValueExpr, d: Dialect): string {
  switch (v.kind) {
    case "string":
      return v.sql;
    case "double":
      return d.jsNumberString(v.sql);
    case "integer":
      return `CAST(${v.sql} AS VARCHAR)`;
    case "boolean":
      return `(CASE WHEN ${v.sql} THEN 'true' ELSE 'false' END)`;
    default: {
      const never: never = v.kind;
      return never;
    }
  }
}

/** toNumber (booleans excluded, as compareNumber excludes them). NULL when not a number. */
function asNumber(v: ValueExpr, d: Dialect): string | undefined {
  switch (v.kind) {
    case "string":
      return d.jsNumber(v.sql);
    case "double":
      return v.sql;
    case "integer":
      return `CAST(${v.sql} AS DOUBLE)`;
    case "boolean":
      return undefined;
    default: {
      const never: never = v.kind;
      return never;
    }
  }
}

/** toBool: booleans, 0/1, and the boolean words. NULL otherwise. */
function asBoolean(v: ValueExpr, d: Dialect): string {
  switch (v.kind) {
    case "string":
      return d.jsBool(v.sql);
    case "double":
    case "integer":
      return `(CASE WHEN ${v.sql} = 0 THEN FALSE WHEN ${v.sql} = 1 THEN TRUE END)`;
    case "boolean":
      return v.sql;
    default: {
      const never: never = v.kind;
      return never;
    }
  }
}

function compareNumber(v: ValueExpr, f: Filter, ctx: CompileContext): string {
  const x = asNumber(v, ctx.dialect);
  if (x === undefined) return FALSE;
  const value = f.value === undefined || f.value === null ? undefined : toNumber(f.value);
  const list = (f.values ?? []).map((s) => toNumber(s));
  const p = (n: number): string => ctx.params.add(n, "DOUBLE");
  const scalar = (op: string): string => (value === undefined ? FALSE : `(${x} ${op} ${p(value)})`);
  switch (f.operator) {
    case "equals":
      return scalar("=");
    case "not_equals":
      return scalar("<>");
    case "gt":
      return scalar(">");
    case "lt":
      return scalar("<");
    case "gte":
      return scalar(">=");
    case "lte":
      return scalar("<=");
    case "in":
    case "not_in": {
      // list.includes(undefined) is never true, so unreadable list values just drop out.
      const numbers = list.filter((n): n is number => n !== undefined);
      const member = ctx.dialect.listContains(ctx.params.add(numbers, "DOUBLE[]"), x);
      return f.operator === "in" ? member : `(NOT ${member})`;
    }
    case "between": {
      const [a, b] = list;
      if (a === undefined || b === undefined) return FALSE;
      return `(${x} BETWEEN ${p(Math.min(a, b))} AND ${p(Math.max(a, b))})`;
    }
    default:
      return FALSE;
  }
}

function compareBoolean(v: ValueExpr, f: Filter, ctx: CompileContext): string {
  const value = f.value === undefined || f.value === null ? undefined : toBool(f.value);
  if (value === undefined) return FALSE;
  const x = asBoolean(v, ctx.dialect);
  switch (f.operator) {
    case "equals":
      return `(${x} = ${ctx.params.add(value, "BOOLEAN")})`;
    case "not_equals":
      return `(${x} <> ${ctx.params.add(value, "BOOLEAN")})`;
    default:
      return FALSE;
  }
}

function compareString(v: ValueExpr, f: Filter, ctx: CompileContext): string {
  const d = ctx.dialect;
  const x = asString(v, d);
  const value = (): string => ctx.params.add(f.value === undefined || f.value === null ? "" : String(f.value), "VARCHAR");
  const list = (): string => ctx.params.add((f.values ?? []).map((s) => String(s)), "VARCHAR[]");
  switch (f.operator) {
    case "equals":
      return `(${x} = ${value()})`;
    case "not_equals":
      return `(${x} <> ${value()})`;
    case "contains":
      return d.contains(x, value());
    case "not_contains":
      return `(NOT ${d.contains(x, value())})`;
    case "starts_with":
      return d.startsWith(x, value());
    case "ends_with":
      return d.endsWith(x, value());
    case "in":
      return d.listContains(list(), x);
    case "not_in":
      return `(NOT ${d.listContains(list(), x)})`;
    default:
      return FALSE;
  }
}

/** matchesValue for one value; may be NULL (= no match). */
function compare(v: ValueExpr, f: Filter, ctx: CompileContext): string {
  switch (f.valueType) {
    case "number":
      return compareNumber(v, f, ctx);
    case "boolean":
      return compareBoolean(v, f, ctx);
    case "string":
      return compareString(v, f, ctx);
    default: {
      const never: never = f.valueType;
      return never;
    }
  }
}

const PROVIDER_FIELDS: ReadonlySet<string> = new Set(["gen_ai.provider.name", "gen_ai.system"]);

/** As the filter engine's canonical(): a provider filter compares normalised names on both sides. */
function canonical(f: Filter): Filter {
  if (!PROVIDER_FIELDS.has(f.field) || f.valueType !== "string") return f;
  return {
    ...f,
    ...(typeof f.value === "string" ? { value: normalizeProvider(f.value) } : {}),
    ...(f.values ? { values: f.values.map((v) => (typeof v === "string" ? normalizeProvider(v) : v)) } : {}),
  };
}

/** spanMatches for one filter, as a never-NULL SQL boolean over a span row. */
export function spanCondition(filter: Filter, ctx: CompileContext): string {
  const f = canonical(filter);
  const row = (build: (field: SpanField) => string): string => rowScoped(spanField(f.field, ctx.params, ctx.dialect), ctx.params, ctx.dialect, build);
  if (f.operator === "exists") return row((field) => field.present);
  if (f.operator === "not_exists") return row((field) => `(NOT ${field.present})`);
  return row((field) => {
    const cmp = compare(field.value, f, ctx);
    if (isFalse(cmp)) return FALSE;
    return field.present === "TRUE" ? orFalse(cmp) : `(${field.present} AND ${orFalse(cmp)})`;
  });
}

export function spanWhere(filters: readonly Filter[], ctx: CompileContext): string {
  return filters.length === 0 ? "TRUE" : filters.map((f) => spanCondition(f, ctx)).join(" AND ");
}

const SERVICE_FIELDS: ReadonlySet<string> = new Set(["service.name"]);
const OPERATION_FIELDS: ReadonlySet<string> = new Set(["operation_name", "name"]);

function spanScopedEquals(f: Filter): "service" | "operation" | undefined {
  if (f.operator !== "equals") return undefined;
  if (SERVICE_FIELDS.has(f.field)) return "service";
  if (OPERATION_FIELDS.has(f.field)) return "operation";
  return undefined;
}

/** matchesValues over every span's values of a field (attributes, span ids, parent ids). */
function multiValued(filter: Filter, ctx: CompileContext): string {
  const f = canonical(filter);
  const field = spanField(f.field, ctx.params, ctx.dialect);
  const d = ctx.dialect;
  const row = (build: (field: SpanField) => string): string => rowScoped(field, ctx.params, d, build);
  const anyPresent = `coalesce(${d.anyTrue(row((x) => x.present))}, FALSE)`;
  if (f.operator === "exists") return anyPresent;
  if (f.operator === "not_exists") return `(NOT ${anyPresent})`;
  if (isFalse(compare(field.value, f, { ...ctx, params: scratch(ctx) }))) return FALSE;
  if (NEGATIVE_OPERATORS.has(f.operator)) {
    // Every value must satisfy it, and there must be at least one value.
    return `(${anyPresent} AND coalesce(${d.everyTrue(row((x) => `NOT ${x.present} OR ${orFalse(compare(x.value, f, ctx))}`))}, TRUE))`;
  }
  return `coalesce(${d.anyTrue(row((x) => `${x.present} AND ${orFalse(compare(x.value, f, ctx))}`))}, FALSE)`;
}

/** Parameters for a compilation whose SQL is thrown away (only its shape is looked at). */
function scratch(ctx: CompileContext): Params {
  return new Params(ctx.dialect.placeholder);
}

/** matchesValues on a trace-level value (always exactly one value). */
function singleValued(v: ValueExpr, f: Filter, ctx: CompileContext): string {
  if (f.operator === "exists") return "TRUE";
  if (f.operator === "not_exists") return FALSE;
  return orFalse(compare(v, f, ctx));
}

/** traceMatches, as a never-NULL SQL boolean aggregate over the spans of one trace. */
export function traceHaving(filters: readonly Filter[], ctx: CompileContext): string {
  const service = filters.find((f) => spanScopedEquals(f) === "service");
  const operation = filters.find((f) => spanScopedEquals(f) === "operation");
  const parts: string[] = [];
  if (service && operation) {
    parts.push(`coalesce(${ctx.dialect.anyTrue(`${spanCondition(service, ctx)} AND ${spanCondition(operation, ctx)}`)}, FALSE)`);
  }
  for (const f of filters) {
    if ((f === service || f === operation) && service && operation) continue;
    if (spanScopedEquals(f)) {
      parts.push(`coalesce(${ctx.dialect.anyTrue(spanCondition(f, ctx))}, FALSE)`);
      continue;
    }
    const scalar = traceScalar(f.field, ctx.dialect, ctx.derived);
    parts.push(scalar ? singleValued(scalar, f, ctx) : multiValued(f, ctx));
  }
  return parts.length === 0 ? "TRUE" : parts.join(" AND ");
}
