/**
 * Pure translation of our filters and windows into Traceloop v2 search bodies
 * (POST /v2/projects/default/traces/root-spans and /spans).
 *
 * What the API can do: AND-ed filters of {field, operator, value (always a string), value_type}
 * over the row columns `service.name`, `span_name`, `duration` (ms) and span attributes
 * (`llm.*` / `traceloop.*` by name, anything else as `span_attributes.<key>`), with the
 * operators equals, not_equals, greater_than, less_than, greater_than_or_equal,
 * less_than_or_equal. There is no status filter and no OR.
 */
import { canonicalField, ID_FIELDS, TRACE_ONLY_FIELDS, type Filter, type ValueType } from "../../domain/filter.js";
import type { Pushdown, SearchTarget } from "../trace-backend.js";

export type TraceloopOperator =
  | "equals"
  | "not_equals"
  | "greater_than"
  | "less_than"
  | "greater_than_or_equal"
  | "less_than_or_equal";

export interface TraceloopFilter {
  field: string;
  operator: TraceloopOperator;
  value: string;
  value_type: ValueType;
}

/** The cursor as the API accepts it: the first request sends 0, later ones echo `next_cursor`. */
export type TraceloopCursor = number | string;

/** Key order matters only for readability of recorded bodies; it mirrors the original. */
export interface TraceloopSearchBody {
  filters: TraceloopFilter[];
  logical_operator: "and";
  environments: string[];
  sort_by: "timestamp";
  sort_order: "DESC";
  cursor: TraceloopCursor;
  limit: number;
  from_timestamp_sec: number;
  to_timestamp_sec: number;
}


/** Fields the API keeps as real columns (present on every row, so comparisons are total). */
type ColumnField = "service.name" | "span_name" | "duration";

/** Our pseudo-fields that have no Traceloop counterpart; they are always evaluated locally. */
const LOCAL_ONLY_FIELDS: ReadonlySet<string> = new Set(["status", ...ID_FIELDS, ...TRACE_ONLY_FIELDS]);

type Target = { kind: "column"; field: ColumnField } | { kind: "attribute"; field: string };

/** Where a field lives in Traceloop, or undefined when it cannot be filtered there. */
export function traceloopField(field: string): Target | undefined {
  const f = canonicalField(field);
  if (LOCAL_ONLY_FIELDS.has(f) || f === "") return undefined;
  if (f === "service.name") return { kind: "column", field: "service.name" };
  if (f === "name" || f === "operation_name") return { kind: "column", field: "span_name" };
  if (f === "duration") return { kind: "column", field: "duration" };
  // Traceloop stores OpenLLMetry's attributes under llm.*; our vocabulary is gen_ai.*.
  if (f === "gen_ai.system") return { kind: "attribute", field: "llm.vendor" };
  if (f.startsWith("gen_ai.")) return { kind: "attribute", field: `llm.${f.slice("gen_ai.".length)}` };
  if (f.startsWith("llm.") || f.startsWith("traceloop.")) return { kind: "attribute", field: f };
  return { kind: "attribute", field: `span_attributes.${f}` };
}

const OPERATOR_NAMES: Partial<Record<Filter["operator"], TraceloopOperator>> = {
  equals: "equals",
  not_equals: "not_equals",
  gt: "greater_than",
  lt: "less_than",
  gte: "greater_than_or_equal",
  lte: "less_than_or_equal",
};

function stringValue(v: Filter["value"]): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === "boolean") return v ? "true" : "false";
  return String(v);
}

/** Columns only make sense with one value type; anything else is left to the local engine. */
const COLUMN_TYPE: Readonly<Record<ColumnField, ValueType>> = {
  "service.name": "string",
  span_name: "string",
  duration: "number",
};

/**
 * The Traceloop filters equivalent to `f`, or undefined when `f` cannot be expressed.
 * `between` becomes a gte/lte pair (both inclusive, like the local engine).
 */
export function translateFilter(f: Filter): TraceloopFilter[] | undefined {
  const target = traceloopField(f.field);
  if (!target) return undefined;
  if (target.kind === "column" && COLUMN_TYPE[target.field] !== f.valueType) return undefined;
  if (f.operator === "between") {
    if (f.valueType !== "number" || f.values?.length !== 2) return undefined;
    const [a, b] = f.values.map(Number) as [number, number];
    if (!Number.isFinite(a) || !Number.isFinite(b)) return undefined;
    return [
      { field: target.field, operator: "greater_than_or_equal", value: String(Math.min(a, b)), value_type: "number" },
      { field: target.field, operator: "less_than_or_equal", value: String(Math.max(a, b)), value_type: "number" },
    ];
  }
  const operator = OPERATOR_NAMES[f.operator];
  const value = stringValue(f.value);
  if (!operator || value === undefined) return undefined;
  if (f.valueType === "number" && !Number.isFinite(Number(value))) return undefined;
  return [{ field: target.field, operator, value, value_type: f.valueType }];
}

/**
 * Pushdown per filter and target.
 *
 * traces: the root-spans endpoint tests the ROOT row only. That is exactly our trace semantics
 * for service.name (root service), operation_name (root operation) and duration (Traceloop's
 * root duration spans its trace), but an attribute filter on a trace means "any span" for us,
 * so attributes are "none" there and run locally on the full traces.
 *
 * spans: columns are exact. For attributes only a positive `equals` is exact: the API keeps
 * attributes in a string map, and whether a missing key reads as "" / 0 (so that not_equals or
 * a numeric comparison also returns spans WITHOUT the attribute) is not documented. Locally a
 * missing attribute never matches, so those operators are "narrowing": the API's answer is a
 * superset either way and the local re-check makes it exact. `equals ""` / `equals 0` are
 * narrowing for the same reason.
 */
export function traceloopPushdown(f: Filter, target: SearchTarget): Pushdown {
  const translated = translateFilter(f);
  if (!translated) return "none";
  const where = traceloopField(f.field)!;
  if (where.kind === "column") return "exact";
  if (target === "traces") return "none";
  const v = stringValue(f.value);
  const emptyish = v === "" || (f.valueType === "number" && Number(v) === 0);
  return f.operator === "equals" && !emptyish ? "exact" : "narrowing";
}

export interface BodyInput {
  filters: TraceloopFilter[];
  environments: readonly string[];
  cursor: TraceloopCursor;
  limit: number;
  window: { startMs: number; endMs: number };
}

/**
 * The search body. Seconds are rounded outwards (floor / ceil) so the API window covers the
 * requested milliseconds; rows outside the exact window are trimmed by the caller.
 */
export function buildSearchBody(input: BodyInput): TraceloopSearchBody {
  return {
    filters: input.filters,
    logical_operator: "and",
    environments: [...input.environments],
    sort_by: "timestamp",
    sort_order: "DESC",
    cursor: input.cursor,
    limit: input.limit,
    from_timestamp_sec: Math.floor(input.window.startMs / 1000),
    to_timestamp_sec: Math.ceil(input.window.endMs / 1000),
  };
}

/**
 * The cursor to send next, or undefined when the listing is exhausted. The API answers
 * `next_cursor` as a string ("1763272914648", "-1" at the end) but was only ever seen
 * accepting a JSON number (`cursor: 0`), so a decimal integer string is sent back as the
 * number it spells; any other non-empty string is echoed verbatim as an opaque token.
 */
export function nextCursor(raw: unknown, sent: TraceloopCursor): TraceloopCursor | undefined {
  let next: TraceloopCursor | undefined;
  if (typeof raw === "number" && Number.isFinite(raw)) next = raw;
  else if (typeof raw === "string" && raw.trim() !== "") {
    const s = raw.trim();
    next = /^-?\d+$/.test(s) && Number.isSafeInteger(Number(s)) ? Number(s) : s;
  }
  if (next === undefined || next === -1 || next === "-1") return undefined;
  // A cursor that does not move would loop forever.
  if (String(next) === String(sent)) return undefined;
  return next;
}
