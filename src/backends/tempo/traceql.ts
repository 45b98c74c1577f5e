/**
 * The only place TraceQL text is built. Pure: filters in, query text out, plus the pushdown mode
 * each filter gets so the search layer knows what still has to run locally.
 *
 * Semantics we must preserve (src/domain/filter-engine.ts):
 * - on traces, `service.name` / `operation_name` / `duration` / `status` are the trace's own
 *   values (root service, root operation, trace duration, ERROR iff some span is ERROR), and any
 *   other field matches when ANY span matches, each filter independently;
 * - on spans, every field is the span's own value.
 * One agreed exception, shared with Jaeger and held by the conformance suite: on traces,
 * `service.name` / `operation_name` EQUALS means "a span of that service / with that name" (both:
 * one such span), the way trace UIs search; their other operators keep the root reading.
 *
 * TraceQL facts this relies on (grafana/tempo pkg/traceql lexer/parser, Tempo docs):
 * - `{ A && B }` needs ONE span satisfying both; `{ A } && { B }` lets each match its own span;
 * - `rootServiceName`, `rootName`, `traceDuration` are trace-level intrinsics (same on every span);
 * - `&&` and `||` have the SAME precedence and associate left, so every disjunction is parenthesised;
 * - string literals are Go-quoted (`strconv.Unquote`): `\\`, `\"`, `\n`, `\uXXXX`...; a raw newline
 *   is a parse error;
 * - attribute names outside the plain charset are written `span."a name"` (only `\\` and `\"` escapes);
 * - `=~` uses Go RE2 and is fully anchored in current Tempo (unanchored in old versions), `.` does
 *   not match a newline unless `(?s)`; patterns below carry explicit anchors and `(?s)` so they mean
 *   the same under both;
 * - comparisons are typed: a string literal never matches an int attribute, regexes only match
 *   strings; `{ span.a = nil }` is rejected ("not yet supported"), `!= nil` means "exists".
 */
import { toBool, toNumber } from "../../domain/attributes.js";
import { ID_FIELDS, TRACE_ONLY_FIELDS, type Filter, type Scalar } from "../../domain/filter.js";
import type { Pushdown, SearchTarget } from "../trace-backend.js";

export type Translation =
  | {
      pushdown: Exclude<Pushdown, "none">;
      condition: string;
      /**
       * Where the condition may go in a "traces" query: "trace" conditions hold for every span of a
       * trace and may share any spanset; "service" / "operation" (equals on traces) go together in
       * one spanset, so service + operation means ONE span of that service with that name; "span"
       * conditions get a spanset of their own.
       */
      scope: "trace" | "service" | "operation" | "span";
    }
  | { pushdown: "none"; reason: string };

/** Pseudo-fields TraceQL has no counterpart for (trace ids are path parameters in Tempo). */
const LOCAL_ONLY_FIELDS: ReadonlySet<string> = new Set([...ID_FIELDS, ...TRACE_ONLY_FIELDS]);

const STATUSES = ["OK", "ERROR", "UNSET"] as const;
type Status = (typeof STATUSES)[number];

// ---------------------------------------------------------------------------------------------
// Literals
// ---------------------------------------------------------------------------------------------

/** A Go-quoted TraceQL string literal; control and line-separator characters are escaped. */
export function quoteString(value: string): string {
  let out = '"';
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    // Lone surrogates cannot be encoded as UTF-8 (nor as \u escapes, which Go rejects).
    else if (code >= 0xd800 && code <= 0xdfff) out += "\\ufffd";
    else if (code < 0x20 || (code >= 0x7f && code <= 0x9f) || code === 0x2028 || code === 0x2029) {
      out += `\\u${code.toString(16).padStart(4, "0")}`;
    } else out += ch;
  }
  return `${out}"`;
}

/** RE2 metacharacters (Go's regexp.QuoteMeta set). */
export function escapeRegex(value: string): string {
  return value.replace(/[\\.+*?()|[\]{}^$]/g, "\\$&");
}

/** A number literal Tempo's lexer accepts (ints beyond int64 would fail strconv.Atoi). */
export function formatNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) > Number.MAX_SAFE_INTEGER) return n.toExponential();
  return String(n);
}

/** Milliseconds as a TraceQL duration literal; fractions go to nanoseconds (no float parsing doubts). */
export function formatDurationMs(ms: number): string {
  return Number.isInteger(ms) ? `${ms}ms` : `${Math.round(ms * 1e6)}ns`;
}

/**
 * Whether a quoted attribute name can carry `name`: Tempo's lexer rejects NUL anywhere and a raw
 * line break ends the literal (quoted names allow only the \\ and \" escapes), and an unpaired
 * surrogate cannot travel as UTF-8 (it would arrive as U+FFFD, another name). Such filters are
 * evaluated locally instead.
 */
export function writableAttributeName(name: string): boolean {
  return !/[\u0000-\u001f\u007f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(name);
}

/** `span.<name>`, quoting names that use characters outside the plain attribute charset. */
export function spanAttribute(name: string): string {
  if (/^[A-Za-z0-9_.]+$/.test(name)) return `span.${name}`;
  return `span."${name.replace(/[\\"]/g, "\\$&")}"`;
}

// ---------------------------------------------------------------------------------------------
// Condition helpers
// ---------------------------------------------------------------------------------------------

function anyOf(parts: string[]): string {
  return parts.length === 1 ? parts[0]! : `(${parts.join(" || ")})`;
}

function allOf(parts: string[]): string {
  return parts.length === 1 ? parts[0]! : `(${parts.join(" && ")})`;
}

type StringOp = "equals" | "not_equals" | "contains" | "not_contains" | "starts_with" | "ends_with";

function regexCondition(lhs: string, op: "contains" | "not_contains" | "starts_with" | "ends_with", value: string): string {
  const e = escapeRegex(value);
  const pattern = op === "starts_with" ? `(?s)^${e}.*` : op === "ends_with" ? `(?s).*${e}$` : `(?s).*${e}.*`;
  return `${lhs} ${op === "not_contains" ? "!~" : "=~"} ${quoteString(pattern)}`;
}

/**
 * Literals a string value may be stored as. Tags arrive as strings ("500") but instrumentations
 * store many of them as ints or booleans, and TraceQL compares typed, while our local engine
 * compares the rendered text: so "500" also looks for the int 500 (only when the number renders
 * back to the same text, as the local comparison requires).
 */
function stringValueLiterals(value: string): string[] {
  const lits = [quoteString(value)];
  const n = Number(value);
  if (value.trim() !== "" && Number.isFinite(n) && String(n) === value) lits.push(formatNumber(n));
  if (value === "true" || value === "false") lits.push(value);
  return lits;
}

function equalsAny(lhs: string, values: readonly string[], typedAlternatives: boolean): string {
  const lits = values.flatMap((v) => (typedAlternatives ? stringValueLiterals(v) : [quoteString(v)]));
  return anyOf(lits.map((l) => `${lhs} = ${l}`));
}

function stringCondition(lhs: string, op: StringOp, value: string, typedAlternatives: boolean): string {
  switch (op) {
    case "equals":
      return equalsAny(lhs, [value], typedAlternatives);
    case "not_equals":
      return `${lhs} != ${quoteString(value)}`;
    default:
      return regexCondition(lhs, op, value);
  }
}

const NUMBER_OPS = { equals: "=", not_equals: "!=", gt: ">", lt: "<", gte: ">=", lte: "<=" } as const;

function scalarValue(f: Filter): Scalar | undefined {
  return f.value === undefined || f.value === null ? undefined : f.value;
}

function listValues(f: Filter): Scalar[] | undefined {
  return f.values && f.values.length > 0 ? f.values : undefined;
}

/**
 * A comparison on a string-valued field (attribute or string intrinsic) for every operator the
 * local engine supports on strings; undefined when the filter lacks its value(s).
 */
function stringFieldCondition(lhs: string, f: Filter, typedAlternatives: boolean): string | undefined {
  const v = scalarValue(f);
  const list = listValues(f);
  switch (f.operator) {
    case "equals":
    case "not_equals":
    case "contains":
    case "not_contains":
    case "starts_with":
    case "ends_with":
      return v === undefined ? undefined : stringCondition(lhs, f.operator, String(v), typedAlternatives);
    case "in":
      return list && equalsAny(lhs, list.map(String), typedAlternatives);
    case "not_in":
      return list && allOf(list.map((x) => stringCondition(lhs, "not_equals", String(x), false)));
    default:
      return undefined;
  }
}

/** Numeric comparisons; `render` turns the number into the literal (plain number or duration). */
function numberFieldCondition(lhs: string, f: Filter, render: (n: number) => string | undefined, ops: ReadonlySet<string>): string | undefined {
  if (!ops.has(f.operator)) return undefined;
  const num = (x: Scalar | undefined): string | undefined => {
    const n = x === undefined ? undefined : toNumber(x);
    return n === undefined ? undefined : render(n);
  };
  switch (f.operator) {
    case "equals":
    case "not_equals":
    case "gt":
    case "lt":
    case "gte":
    case "lte": {
      const lit = num(scalarValue(f));
      return lit === undefined ? undefined : `${lhs} ${NUMBER_OPS[f.operator]} ${lit}`;
    }
    case "between": {
      const nums = (f.values ?? []).map((x) => toNumber(x));
      const [a, b] = nums;
      if (nums.length !== 2 || a === undefined || b === undefined) return undefined;
      const lo = render(Math.min(a, b));
      const hi = render(Math.max(a, b));
      return lo === undefined || hi === undefined ? undefined : `${lhs} >= ${lo} && ${lhs} <= ${hi}`;
    }
    case "in":
    case "not_in": {
      const lits = (f.values ?? []).map(num);
      if (lits.length === 0 || lits.some((l) => l === undefined)) return undefined;
      const op = f.operator === "in" ? "=" : "!=";
      const parts = lits.map((l) => `${lhs} ${op} ${l}`);
      return f.operator === "in" ? anyOf(parts) : allOf(parts);
    }
    default:
      return undefined;
  }
}

function booleanFieldCondition(lhs: string, f: Filter): string | undefined {
  const v = scalarValue(f);
  const b = v === undefined ? undefined : toBool(v);
  if (b === undefined) return undefined;
  if (f.operator === "equals") return `${lhs} = ${b}`;
  if (f.operator === "not_equals") return `${lhs} != ${b}`;
  return undefined;
}

const ALL_NUMBER_OPS: ReadonlySet<string> = new Set(["equals", "not_equals", "gt", "lt", "gte", "lte", "between", "in", "not_in"]);
const RANGE_OPS: ReadonlySet<string> = new Set(["gt", "lt", "gte", "lte", "between"]);

/** Statuses (among `universe`) the local engine accepts for this filter. */
function acceptedStatuses(f: Filter, universe: readonly Status[]): Status[] | undefined {
  if (f.valueType !== "string") return undefined;
  const v = scalarValue(f);
  const list = (f.values ?? []).map(String);
  switch (f.operator) {
    case "equals":
      return v === undefined ? undefined : universe.filter((s) => s === String(v));
    case "not_equals":
      return v === undefined ? undefined : universe.filter((s) => s !== String(v));
    case "in":
      return universe.filter((s) => list.includes(s));
    case "not_in":
      return universe.filter((s) => !list.includes(s));
    default:
      return undefined;
  }
}

const none = (reason: string): Translation => ({ pushdown: "none", reason });

function statusTranslation(f: Filter, target: SearchTarget): Translation {
  if (target === "spans") {
    const accepted = acceptedStatuses(f, STATUSES);
    if (!accepted) return none("status supports equals/not_equals/in/not_in on strings only");
    if (accepted.length === 0 || accepted.length === STATUSES.length) return none("the filter does not constrain the status");
    const rejected = STATUSES.filter((s) => !accepted.includes(s));
    const condition = accepted.length === 1 ? `status = ${accepted[0]!.toLowerCase()}` : `status != ${rejected[0]!.toLowerCase()}`;
    return { pushdown: "narrowing", condition, scope: "span" };
  }
  // A trace's status is ERROR when some span is ERROR, else OK (never UNSET).
  const accepted = acceptedStatuses(f, ["OK", "ERROR"]);
  if (!accepted) return none("status supports equals/not_equals/in/not_in on strings only");
  if (accepted.length === 1 && accepted[0] === "ERROR") return { pushdown: "exact", condition: "status = error", scope: "span" };
  // "No span is ERROR" has no TraceQL form (no spanset negation); "some span is not ERROR" is
  // implied by it, so it narrows the search and the local engine finishes the job.
  if (accepted.length === 1 && accepted[0] === "OK") return { pushdown: "narrowing", condition: "status != error", scope: "span" };
  return none("the filter does not constrain the trace status");
}

/** How one filter is handled by Tempo for the given target. */
export function translateFilter(f: Filter, target: SearchTarget): Translation {
  const field = f.field;
  if (LOCAL_ONLY_FIELDS.has(field)) return none(`${field} cannot be expressed in TraceQL`);
  if (field === "status") return statusTranslation(f, target);
  const traces = target === "traces";

  if (field === "service.name" || field === "name" || field === "operation_name") {
    if (f.valueType !== "string") return none(`${field} is a string`);
    const isService = field === "service.name";
    if (!traces) {
      const condition = stringFieldCondition(isService ? "resource.service.name" : "name", f, false);
      return condition === undefined ? none(`${f.operator} on ${field} is evaluated locally`) : { pushdown: "narrowing", condition, scope: "span" };
    }
    // Traces. equals reads "a span of service S" / "a span named O" (together: one span of S named
    // O), as Jaeger's service/operation search does, which the conformance suite holds every
    // backend to. Every other operator keeps the local engine's reading, the root span's value,
    // which is what backends that evaluate them locally (Jaeger included) return.
    if (f.operator === "equals") {
      const condition = stringFieldCondition(isService ? "resource.service.name" : "name", f, false);
      if (condition === undefined) return none(`${field} equals needs a value`);
      return { pushdown: "exact", condition, scope: isService ? "service" : "operation" };
    }
    const condition = stringFieldCondition(isService ? "rootServiceName" : "rootName", f, false);
    if (condition === undefined) return none(`${f.operator} on ${field} is evaluated locally`);
    return { pushdown: "exact", condition, scope: "trace" };
  }

  if (field === "duration") {
    // Only ranges: equality between Tempo's nanoseconds and our float milliseconds is meaningless.
    if (f.valueType !== "number") return none("duration is a number of milliseconds");
    const render = (n: number): string | undefined => (n >= 0 ? formatDurationMs(n) : undefined);
    const condition = numberFieldCondition(traces ? "traceDuration" : "duration", f, render, RANGE_OPS);
    if (condition === undefined) return none(`${f.operator} on duration is evaluated locally`);
    return { pushdown: traces ? "exact" : "narrowing", condition, scope: traces ? "trace" : "span" };
  }

  if (!writableAttributeName(field)) return none("the attribute name holds a control character or an unpaired surrogate, which TraceQL cannot write");
  const lhs = spanAttribute(field);
  if (f.operator === "exists") {
    return { pushdown: traces ? "exact" : "narrowing", condition: `${lhs} != nil`, scope: "span" };
  }
  if (f.operator === "not_exists") return none("TraceQL cannot test that an attribute is absent");
  let condition: string | undefined;
  if (f.valueType === "string") condition = stringFieldCondition(lhs, f, true);
  else if (f.valueType === "number") condition = numberFieldCondition(lhs, f, (n) => (Number.isFinite(n) ? formatNumber(n) : undefined), ALL_NUMBER_OPS);
  else condition = booleanFieldCondition(lhs, f);
  if (condition === undefined) return none(`${f.operator} on a ${f.valueType} attribute is evaluated locally`);
  // Narrowing, not exact: TraceQL compares typed values and matches arrays per element, while the
  // local engine compares rendered values; the local re-check keeps results identical everywhere.
  return { pushdown: "narrowing", condition, scope: "span" };
}

export function tempoPushdown(f: Filter, target: SearchTarget): Pushdown {
  return translateFilter(f, target).pushdown;
}

/**
 * The TraceQL query for filters that all translate (check with translateFilter first; an
 * untranslatable filter is a programming error and throws, so nothing is silently dropped).
 * Spans: one spanset, one span must satisfy everything. Traces: trace-level conditions and the
 * service/operation pair share the first spanset; every other condition gets its own, so each may
 * be met by a different span.
 */
export function buildTraceQL(filters: readonly Filter[], target: SearchTarget): string {
  const shared: string[] = [];
  const own: string[] = [];
  const paired = new Set<string>();
  for (const f of filters) {
    const t = translateFilter(f, target);
    if (t.pushdown === "none") throw new Error(`filter '${f.field} ${f.operator}' cannot be sent to Tempo: ${t.reason}`);
    if (t.scope === "trace") shared.push(t.condition);
    else if ((t.scope === "service" || t.scope === "operation") && !paired.has(t.scope)) {
      // Only one service and one operation describe "the" span; a second one is another span.
      paired.add(t.scope);
      shared.push(t.condition);
    } else own.push(t.condition);
  }
  if (target === "spans") {
    const all = [...shared, ...own];
    return all.length === 0 ? "{}" : `{ ${all.join(" && ")} }`;
  }
  if (paired.size === 0 && own.length > 0) shared.push(own.shift()!);
  const spansets = [...(shared.length > 0 ? [shared] : []), ...own.map((c) => [c])];
  return spansets.length === 0 ? "{}" : spansets.map((conds) => `{ ${conds.join(" && ")} }`).join(" && ");
}

/** Tempo's default ceiling for `spss` (query_frontend.search.max_spans_per_span_set): more is a 400. */
export const MAX_SPANS_PER_SPANSET = 100;

/**
 * The TraceQL for a projected search (BackendSearch.select over trace filters), e.g. with filters
 * F and wanted-span condition W = `span.gen_ai.system != nil || span.gen_ai.provider.name != nil`:
 *
 *   F && { W } && { W || status = error } | { W || status = error } | select(name, status, resource.service.name, span.k...)
 *
 * Why each part (Tempo docs, "Construct a TraceQL query": spanset operators, pipelines, select):
 * - `F && { W }`: the traces matching the filters that have a wanted span (each spanset may be met
 *   by its own span); `&&` of spansets returns the union of their spans;
 * - `&& { W || status = error }` adds every error span to that union (it never drops a trace: a W
 *   span satisfies it too);
 * - the pipeline stage `| { W || status = error }` keeps only the spans of the union that are
 *   wanted or errors, dropping the spans F matched for another reason, so each trace's spanset is
 *   exactly the projection and its `matched` count says whether `spss` carried all of it;
 * - `select(...)` adds the attributes to the returned spans (name and status are intrinsics; the
 *   service is a resource attribute).
 * Without errorSpans the error parts are left out; with no filters and no error spans the query is
 * `{ W } | select(...)`.
 */
export function buildProjectedTraceQL(filters: readonly Filter[], projection: { spansWith: readonly string[]; errorSpans: boolean; attributes: readonly string[] }): string {
  const keys = projection.spansWith.filter(writableAttributeName);
  if (keys.length === 0 || keys.length !== projection.spansWith.length) throw new Error("a projection needs writable attribute names in spansWith");
  const wanted = keys.map((k) => `${spanAttribute(k)} != nil`).join(" || ");
  const keep = projection.errorSpans ? `${wanted} || status = error` : wanted;
  const base = buildTraceQL(filters, "traces");
  const traceSet = [...(base === "{}" ? [] : [base]), `{ ${wanted} }`, ...(projection.errorSpans ? [`{ ${keep} }`] : [])].join(" && ");
  const stage = base === "{}" && !projection.errorSpans ? "" : ` | { ${keep} }`;
  const selected = [...new Set(projection.attributes.filter(writableAttributeName))].map(spanAttribute);
  return `${traceSet}${stage} | select(${["name", "status", "resource.service.name", ...selected].join(", ")})`;
}

/**
 * A condition that holds for a span exactly when the local engine's span semantics
 * (filter-engine.ts spanMatches) accept it, for aggregates computed by TraceQL metrics; undefined
 * when TraceQL cannot say the same thing. Exact: service.name and operation name string
 * comparisons (always strings; a span without a service name reads "unknown" locally and nil in
 * Tempo, which OTel SDKs never emit), status, and duration ranges whose bound is a whole number of
 * nanoseconds. Attribute conditions are never exact (TraceQL compares typed values and matches
 * arrays per element; the local engine compares rendered values).
 */
export function exactSpanCondition(f: Filter): string | undefined {
  if (f.field === "service.name" || f.field === "name" || f.field === "operation_name") {
    if (f.valueType !== "string" || f.operator === "exists" || f.operator === "not_exists") return undefined;
    return stringFieldCondition(f.field === "service.name" ? "resource.service.name" : "name", f, false);
  }
  if (f.field === "status") {
    const accepted = acceptedStatuses(f, STATUSES);
    if (!accepted || accepted.length === 0 || accepted.length === STATUSES.length) return undefined;
    return anyOf(accepted.map((st) => `status = ${st.toLowerCase()}`));
  }
  if (f.field === "duration") {
    if (f.valueType !== "number") return undefined;
    // The bound must be k ns exactly (k / 1e6 ms as a double): then `ns op k` and the local
    // `ns / 1e6 op bound` agree for every span.
    const render = (n: number): string | undefined => {
      const ns = Math.round(n * 1e6);
      return n >= 0 && Number.isSafeInteger(ns) && ns / 1e6 === n ? `${ns}ns` : undefined;
    };
    return numberFieldCondition("duration", f, render, RANGE_OPS);
  }
  return undefined;
}
