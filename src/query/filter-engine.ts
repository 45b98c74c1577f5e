/**
 * Local evaluation of filters on traces and spans, used for every filter a backend cannot
 * apply itself, and the reference semantics every backend's pushdown is tested against.
 * Semantics follow the original's engine (any-value match; negative operators must hold for all
 * values; a missing field matches only not_exists), with its type quirks fixed: booleans are
 * parsed ("false" is false) and strings render as JavaScript does.
 *
 * On traces, service.name / operation_name / duration / status are the trace's own values (root
 * service, root operation, trace duration, ERROR iff some span is ERROR), with one exception that
 * Jaeger and TraceQL share and users expect: `equals` on service.name or operation_name means "a
 * span of that service / with that name", and the first service equals together with the first
 * operation equals means ONE span of that service with that name.
 */
import { ownAttribute, toBool, toNumber, type AttributeValue } from "../domain/attributes.js";
import { NEGATIVE_OPERATORS, type Filter, type Scalar } from "../domain/filter.js";
import { traceHasErrors, type Span, type Trace } from "../domain/trace.js";
import { genaiFieldValue, isNormalizedGenAiField } from "../genai/fields.js";
import { normalizeProvider } from "../genai/providers.js";
import { isLlmSpan, traceTotalTokens } from "../genai/llm-span.js";

type Value = AttributeValue;

function spanFieldValues(span: Span, field: string): Value[] {
  switch (field) {
    case "trace_id":
      return [span.traceId];
    case "span_id":
      return [span.spanId];
    case "parent_span_id":
      return span.parentSpanId ? [span.parentSpanId] : [];
    case "service.name":
      return [span.serviceName];
    case "name":
    case "operation_name":
      return [span.operationName];
    case "duration":
      return [span.durationMs];
    case "status":
      return [span.status];
    default: {
      // GenAI fields read normalised, whatever convention recorded the span (src/genai/fields.ts).
      if (isNormalizedGenAiField(field)) {
        const n = genaiFieldValue(span, field);
        return n === undefined || n === null ? [] : [n];
      }
      const v = ownAttribute(span.attributes, field);
      return v === undefined || v === null ? [] : [v];
    }
  }
}

const PROVIDER_FIELDS: ReadonlySet<string> = new Set(["gen_ai.provider.name", "gen_ai.system"]);
const normalizedFilters = new WeakMap<Filter, Filter>();

/** A provider filter compares normalised names: `equals MistralAI` finds spans recorded as "mistral_ai". */
function canonical(f: Filter): Filter {
  if (!PROVIDER_FIELDS.has(f.field) || f.valueType !== "string") return f;
  let out = normalizedFilters.get(f);
  if (!out) {
    out = {
      ...f,
      ...(typeof f.value === "string" ? { value: normalizeProvider(f.value) } : {}),
      ...(f.values ? { values: f.values.map((v) => (typeof v === "string" ? normalizeProvider(v) : v)) } : {}),
    };
    normalizedFilters.set(f, out);
  }
  return out;
}

function traceFieldValues(trace: Trace, field: string): Value[] {
  switch (field) {
    case "trace_id":
      return [trace.traceId];
    case "service.name":
      return [trace.serviceName];
    case "name":
    case "operation_name":
      return [trace.rootOperation];
    case "duration":
      return [trace.durationMs];
    case "status":
      return [trace.status];
    case "span_count":
      return [trace.spans.length];
    case "llm_span_count":
      return [trace.spans.filter(isLlmSpan).length];
    case "total_tokens":
      return [traceTotalTokens(trace)];
    case "has_errors":
      return [traceHasErrors(trace)];
    default:
      return trace.spans.flatMap((s) => spanFieldValues(s, field));
  }
}

/** How a value renders for string comparison. */
function asString(v: Value): string {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return JSON.stringify(v);
}

function compareNumber(actual: Value, f: Filter): boolean {
  const x = typeof actual === "boolean" ? undefined : toNumber(actual);
  if (x === undefined) return false;
  const v = f.value === undefined || f.value === null ? undefined : toNumber(f.value);
  const list = (f.values ?? []).map((s: Scalar) => toNumber(s));
  switch (f.operator) {
    case "equals":
      return v !== undefined && x === v;
    case "not_equals":
      return v !== undefined && x !== v;
    case "gt":
      return v !== undefined && x > v;
    case "lt":
      return v !== undefined && x < v;
    case "gte":
      return v !== undefined && x >= v;
    case "lte":
      return v !== undefined && x <= v;
    case "in":
      return list.includes(x);
    case "not_in":
      return !list.includes(x);
    case "between": {
      const [a, b] = list;
      if (a === undefined || b === undefined) return false;
      return x >= Math.min(a, b) && x <= Math.max(a, b);
    }
    default:
      return false;
  }
}

function compareBoolean(actual: Value, f: Filter): boolean {
  const x = toBool(actual);
  const v = f.value === undefined || f.value === null ? undefined : toBool(f.value);
  if (x === undefined || v === undefined) return false;
  switch (f.operator) {
    case "equals":
      return x === v;
    case "not_equals":
      return x !== v;
    default:
      return false;
  }
}

function compareString(actual: Value, f: Filter): boolean {
  const x = asString(actual);
  const v = f.value === undefined || f.value === null ? "" : String(f.value);
  const list = (f.values ?? []).map((s) => String(s));
  switch (f.operator) {
    case "equals":
      return x === v;
    case "not_equals":
      return x !== v;
    case "contains":
      return x.includes(v);
    case "not_contains":
      return !x.includes(v);
    case "starts_with":
      return x.startsWith(v);
    case "ends_with":
      return x.endsWith(v);
    case "in":
      return list.includes(x);
    case "not_in":
      return !list.includes(x);
    default:
      return false;
  }
}

function matchesValue(actual: Value, f: Filter): boolean {
  switch (f.valueType) {
    case "number":
      return compareNumber(actual, f);
    case "boolean":
      return compareBoolean(actual, f);
    case "string":
      return compareString(actual, f);
    default: {
      const never: never = f.valueType;
      return never;
    }
  }
}

function matchesValues(values: Value[], f: Filter): boolean {
  if (f.operator === "exists") return values.length > 0;
  if (f.operator === "not_exists") return values.length === 0;
  if (values.length === 0) return false;
  return NEGATIVE_OPERATORS.has(f.operator)
    ? values.every((v) => matchesValue(v, f))
    : values.some((v) => matchesValue(v, f));
}

export function spanMatches(span: Span, filters: readonly Filter[]): boolean {
  return filters.every((f) => matchesValues(spanFieldValues(span, f.field), canonical(f)));
}

const SERVICE_FIELDS: ReadonlySet<string> = new Set(["service.name"]);
const OPERATION_FIELDS: ReadonlySet<string> = new Set(["operation_name", "name"]);

/** `equals` on a service or operation field: read as "some span", not the root's value. */
function spanScopedEquals(f: Filter): "service" | "operation" | undefined {
  if (f.operator !== "equals") return undefined;
  if (SERVICE_FIELDS.has(f.field)) return "service";
  if (OPERATION_FIELDS.has(f.field)) return "operation";
  return undefined;
}

export function traceMatches(trace: Trace, filters: readonly Filter[]): boolean {
  const service = filters.find((f) => spanScopedEquals(f) === "service");
  const operation = filters.find((f) => spanScopedEquals(f) === "operation");
  if (service && operation) {
    const paired = trace.spans.some((s) => spanMatches(s, [service, operation]));
    if (!paired) return false;
  }
  return filters.every((f) => {
    if (f === service && operation) return true;
    if (f === operation && service) return true;
    if (spanScopedEquals(f)) return trace.spans.some((s) => spanMatches(s, [f]));
    return matchesValues(traceFieldValues(trace, f.field), canonical(f));
  });
}

export function filterSpans(spans: Span[], filters: readonly Filter[]): Span[] {
  return filters.length === 0 ? spans : spans.filter((s) => spanMatches(s, filters));
}

export function filterTraces(traces: Trace[], filters: readonly Filter[]): Trace[] {
  return filters.length === 0 ? traces : traces.filter((t) => traceMatches(t, filters));
}

