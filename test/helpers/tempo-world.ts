/**
 * A fake Grafana Tempo serving a domain dataset in Tempo's wire formats:
 * - `/api/search`: parses and evaluates TraceQL (what our builders emit: spansets joined by
 *   && / ||, parentheses, = != > < >= <= =~ !~, nil, intrinsics name/status/duration/traceDuration/
 *   rootServiceName/rootName, resource./span. attributes incl. quoted names, Go-escaped strings,
 *   durations; pipelines of spanset filters and `select(...)`) with Tempo's typed semantics (a
 *   string literal never matches a number, regexes are fully anchored and only match strings,
 *   `= nil` is rejected); `limit`, `spss` (spans per spanset: default 3, over
 *   max_spans_per_span_set a 400), `start`/`end` (seconds, trace overlap); listing in Tempo's shape
 *   (hex traceID with leading zeros trimmed, spans with their fetched attributes keyed without
 *   scope, `matched` counts);
 * - `/api/metrics/query` (instant): `<spanset pipeline> | count_over_time() | sum_over_time(x) |
 *   min_over_time(x) | max_over_time(x) | avg_over_time(x)` with `by(...)`, over spans starting in
 *   [start, end], labels typed with nils dropped; query_frontend.metrics.max_duration enforced;
 * - `/api/v2/traces/{id}` (`{trace: {resourceSpans}}`) and `/api/traces/{id}` (`{batches}`): OTLP/JSON
 *   with base64 ids and string int64s; unknown ids -> 404 with an empty body;
 * - the v2 and v1 tag-values endpoints, `/ready`, `/api/echo`, `/api/status/buildinfo`;
 * - `apiVersion: "v1"` emulates a Tempo without the v2 endpoints (they answer 404).
 * TraceQL it does not implement (other functions, `by` as a pipeline stage, coalesce, structural
 * operators, query_range) is a 400, never silently ignored.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AttributeValue } from "../../src/domain/attributes.js";
import type { Span, Trace } from "../../src/domain/trace.js";
import { traceTruth, type TraceTruth } from "./dataset-truth.js";
import { listenLoopback, type BackendWorld, type Fault, type RecordedRequest, type RunningWorld } from "./backend-world.js";

export interface TempoWorldOptions {
  /** "v1" = a Tempo that predates `/api/v2/*` (those paths answer 404). */
  apiVersion?: "v2" | "v1";
  /** When set, requests must carry `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  /** Answer 404 on /ready, as gateways exposing only /api/* do. */
  hideReady?: boolean;
  /** query_frontend.search.max_spans_per_span_set (default 100; 0 = no limit). */
  maxSpansPerSpanSet?: number;
  /** The version `/api/status/buildinfo` reports (default "2.10.0"). */
  version?: string;
  /** query_frontend.metrics.max_duration in ms (default: 24 h from Tempo 3.0 on, else 3 h). */
  metricsMaxDurationMs?: number;
}

export interface TempoRunningWorld extends RunningWorld {
  /** Trace-by-id for these ids answers HTTP 500 (search still lists them). */
  failTraces(ids: string[]): void;
}

export interface TempoWorld extends BackendWorld {
  start(dataset: Trace[]): Promise<TempoRunningWorld>;
}

// ---------------------------------------------------------------------------------------------
// OTLP/JSON rendering
// ---------------------------------------------------------------------------------------------

const b64 = (hex: string): string => Buffer.from(hex, "hex").toString("base64");

function anyValue(v: AttributeValue): Record<string, unknown> {
  if (typeof v === "string") return { stringValue: v };
  if (typeof v === "boolean") return { boolValue: v };
  if (typeof v === "number") return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
  if (Array.isArray(v)) return { arrayValue: { values: v.map(anyValue) } };
  if (v && typeof v === "object") return { kvlistValue: { values: keyValues(v as Record<string, AttributeValue>) } };
  return {};
}

function keyValues(attrs: Record<string, AttributeValue>): Array<{ key: string; value: Record<string, unknown> }> {
  return Object.entries(attrs)
    .filter(([, v]) => v !== null)
    .map(([key, v]) => ({ key, value: anyValue(v) }));
}

const spanStartNs = (s: Span): bigint => BigInt(s.startTimeUs) * 1000n;
const spanEndNs = (s: Span): bigint => spanStartNs(s) + BigInt(Math.round(s.durationMs * 1e6));
// Trace-level values (root service and name, start, duration) come from the raw spans
// (dataset-truth.ts), not from the assembled Trace: src computes those, and the world must not
// echo src's answer back to it.
const truthOf = (t: Trace): TraceTruth => traceTruth(t.spans);
const traceStartNs = (t: Trace): bigint => BigInt(Math.trunc(truthOf(t).startTimeUs)) * 1000n;
const traceEndNs = (t: Trace): bigint => traceStartNs(t) + BigInt(truthOf(t).durationNs);

function otlpSpan(s: Span): Record<string, unknown> {
  const status = s.status === "ERROR" ? { code: "STATUS_CODE_ERROR" } : s.status === "OK" ? { code: "STATUS_CODE_OK" } : {};
  return {
    traceId: b64(s.traceId),
    spanId: b64(s.spanId),
    ...(s.parentSpanId ? { parentSpanId: b64(s.parentSpanId) } : {}),
    name: s.operationName,
    kind: "SPAN_KIND_INTERNAL",
    startTimeUnixNano: String(spanStartNs(s)),
    endTimeUnixNano: String(spanEndNs(s)),
    attributes: keyValues(s.attributes),
    ...(s.events.length > 0
      ? {
          // The dataset's event timestamps are µs; OTLP carries ns.
          events: s.events.map((e) => ({ timeUnixNano: String(BigInt(Math.trunc(e.timestamp)) * 1000n), name: e.name, attributes: keyValues(e.attributes) })),
        }
      : {}),
    status,
  };
}

/** A trace as OTLP resourceSpans: one entry per service, in order of first appearance. */
export function toResourceSpans(trace: Trace): unknown[] {
  const byService = new Map<string, Span[]>();
  for (const s of trace.spans) byService.set(s.serviceName, [...(byService.get(s.serviceName) ?? []), s]);
  return [...byService].map(([service, spans]) => ({
    resource: { attributes: [{ key: "telemetry.sdk.language", value: { stringValue: "python" } }, { key: "service.name", value: { stringValue: service } }] },
    scopeSpans: [{ scope: { name: "tempo-world", version: "1.0.0" }, spans: spans.map(otlpSpan) }],
  }));
}

// ---------------------------------------------------------------------------------------------
// TraceQL: lexer, parser, evaluator
// ---------------------------------------------------------------------------------------------

class BadRequest extends Error {}

type Static =
  | { t: "string"; v: string }
  | { t: "number"; v: number }
  | { t: "bool"; v: boolean }
  | { t: "nil" }
  | { t: "duration"; ns: number }
  | { t: "status"; v: "ok" | "error" | "unset" };

type Tok =
  | { k: "punct"; v: "{" | "}" | "(" | ")" | "|" | "," }
  | { k: "keyword"; v: Keyword }
  | { k: "op"; v: string }
  | { k: "sub" }
  | { k: "static"; v: Static }
  | { k: "intrinsic"; v: string }
  | { k: "attr"; scope: "span" | "resource"; name: string };

const INTRINSICS = new Set(["name", "status", "duration", "traceDuration", "rootServiceName", "rootName"]);
/** Pipeline words the simulator implements; every other TraceQL function (coalesce, quantile_over_time, rate, ...) is a 400 here. */
const KEYWORDS = ["select", "by", "count_over_time", "sum_over_time", "min_over_time", "max_over_time", "avg_over_time"] as const;
type Keyword = (typeof KEYWORDS)[number];
const KEYWORD_SET: ReadonlySet<string> = new Set(KEYWORDS);
const DURATION_NS: Readonly<Record<string, number>> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 6e10, h: 3.6e12 };
const ATTR_STOP = new Set([..."{}()=~!<>&|^,"]);

function readGoString(src: string, start: number): [string, number] {
  let i = start + 1;
  let out = "";
  while (i < src.length) {
    const c = src[i]!;
    if (c === '"') return [out, i + 1];
    if (c === "\n") throw new BadRequest("literal not terminated");
    if (c !== "\\") {
      out += c;
      i++;
      continue;
    }
    const e = src[i + 1];
    const simple: Record<string, string> = { n: "\n", r: "\r", t: "\t", '"': '"', "\\": "\\", a: "\x07", b: "\b", f: "\f", v: "\v" };
    if (e !== undefined && e in simple) {
      out += simple[e];
      i += 2;
    } else if (e === "u" || e === "U" || e === "x") {
      const len = e === "u" ? 4 : e === "U" ? 8 : 2;
      const hex = src.slice(i + 2, i + 2 + len);
      if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(hex)) throw new BadRequest("invalid syntax: bad escape");
      const cp = parseInt(hex, 16);
      if (cp >= 0xd800 && cp <= 0xdfff) throw new BadRequest("invalid syntax: surrogate escape");
      out += String.fromCodePoint(cp);
      i += 2 + len;
    } else throw new BadRequest(`invalid syntax: unknown escape \\${e ?? ""}`);
  }
  throw new BadRequest("literal not terminated");
}

function readAttributeName(src: string, start: number): [string, number] {
  let i = start;
  let name = "";
  while (i < src.length) {
    const c = src[i]!;
    if (c === '"') {
      i++;
      for (;;) {
        if (i >= src.length) throw new BadRequest('unexpected EOF, expecting "');
        const q = src[i]!;
        if (q === '"') {
          i++;
          break;
        }
        if (q === "\\") {
          const n = src[i + 1];
          if (n !== "\\" && n !== '"') throw new BadRequest("invalid escape sequence");
          name += n;
          i += 2;
        } else {
          name += q;
          i++;
        }
      }
    } else if (/\s/.test(c) || ATTR_STOP.has(c)) break;
    else {
      name += c;
      i++;
    }
  }
  if (name === "") throw new BadRequest("empty attribute name");
  return [name, i];
}

export function lexTraceQL(src: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const two = src.slice(i, i + 2);
    if (["!=", ">=", "<=", "=~", "!~", "&&", "||"].includes(two)) {
      toks.push({ k: "op", v: two });
      i += 2;
    } else if ("=<>".includes(c)) {
      toks.push({ k: "op", v: c });
      i++;
    } else if ("{}()|,".includes(c)) {
      toks.push({ k: "punct", v: c as "{" | "}" | "(" | ")" | "|" | "," });
      i++;
    } else if (c === "-") {
      toks.push({ k: "sub" });
      i++;
    } else if (c === '"') {
      const [v, next] = readGoString(src, i);
      toks.push({ k: "static", v: { t: "string", v } });
      i = next;
    } else if (/[0-9.]/.test(c)) {
      const m = /^(\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)(ns|us|µs|ms|s|m|h)?/.exec(src.slice(i));
      if (!m) throw new BadRequest(`unexpected character '${c}'`);
      const n = Number(m[1]);
      toks.push({ k: "static", v: m[2] ? { t: "duration", ns: n * DURATION_NS[m[2]]! } : { t: "number", v: n } });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i))![0];
      i += word.length;
      if ((word === "span" || word === "resource") && src[i] === ".") {
        const [name, next] = readAttributeName(src, i + 1);
        toks.push({ k: "attr", scope: word, name });
        i = next;
      } else if (word === "true" || word === "false") toks.push({ k: "static", v: { t: "bool", v: word === "true" } });
      else if (word === "nil") toks.push({ k: "static", v: { t: "nil" } });
      else if (word === "ok" || word === "error" || word === "unset") toks.push({ k: "static", v: { t: "status", v: word } });
      else if (INTRINSICS.has(word)) toks.push({ k: "intrinsic", v: word });
      else if (KEYWORD_SET.has(word)) toks.push({ k: "keyword", v: word as Keyword });
      else throw new BadRequest(`unknown identifier '${word}'`);
    } else throw new BadRequest(`unexpected character '${c}'`);
  }
  return toks;
}

type Operand = { k: "attr"; scope: "span" | "resource"; name: string } | { k: "intrinsic"; name: string } | { k: "static"; v: Static };
type FieldExpr = { k: "and" | "or"; l: FieldExpr; r: FieldExpr } | { k: "cmp"; lhs: Operand; op: string; rhs: Static };
type SpansetExpr = { k: "and" | "or"; l: SpansetExpr; r: SpansetExpr } | { k: "filter"; expr: FieldExpr | null };

const INTRINSIC_TYPE: Readonly<Record<string, Static["t"]>> = {
  name: "string",
  rootServiceName: "string",
  rootName: "string",
  status: "status",
  duration: "duration",
  traceDuration: "duration",
};

/** A pipeline stage after the first spanset expression. */
type Stage = { k: "filter"; expr: SpansetExpr } | { k: "select"; attrs: FieldRef[] };
type FieldRef = Extract<Operand, { k: "attr" } | { k: "intrinsic" }>;
type MetricsFn = Exclude<Keyword, "select" | "by">;

/** A parsed query: spanset expression, pipeline stages, and for metrics queries the function. */
export interface TraceQLQuery {
  root: SpansetExpr;
  stages: Stage[];
  metrics?: { fn: MetricsFn; attr?: FieldRef; by: FieldRef[] };
}

/**
 * Parses a query as Tempo's grammar reads it (pkg/traceql/expr.y): a spanset expression (`&&` and
 * `||` share one precedence and associate left), then `|` stages that are spanset expressions
 * (filters over the spans of each spanset) or `select(...)`, and at the end optionally one metrics
 * function with `by(...)`.
 */
export function parseTraceQLQuery(src: string): TraceQLQuery {
  const toks = lexTraceQL(src);
  let pos = 0;
  const peek = (): Tok | undefined => toks[pos];
  const isPunct = (v: string): boolean => {
    const t = peek();
    return t?.k === "punct" && t.v === v;
  };
  const expectPunct = (v: string): void => {
    if (!isPunct(v)) throw new BadRequest(`expected '${v}' at token ${pos}`);
    pos++;
  };
  const logical = (): "and" | "or" | undefined => {
    const t = peek();
    return t?.k === "op" && (t.v === "&&" || t.v === "||") ? (t.v === "&&" ? "and" : "or") : undefined;
  };

  const operand = (): Operand => {
    const t = toks[pos++];
    if (!t) throw new BadRequest("unexpected end of query");
    if (t.k === "attr") return { k: "attr", scope: t.scope, name: t.name };
    if (t.k === "intrinsic") return { k: "intrinsic", name: t.v };
    if (t.k === "static") return { k: "static", v: t.v };
    if (t.k === "sub") {
      const n = toks[pos++];
      if (n?.k === "static" && n.v.t === "number") return { k: "static", v: { t: "number", v: -n.v.v } };
      if (n?.k === "static" && n.v.t === "duration") return { k: "static", v: { t: "duration", ns: -n.v.ns } };
      throw new BadRequest("'-' must precede a number");
    }
    throw new BadRequest(`unexpected token at ${pos - 1}`);
  };

  const comparison = (): FieldExpr => {
    const lhs = operand();
    const opTok = toks[pos++];
    if (opTok?.k !== "op" || opTok.v === "&&" || opTok.v === "||") throw new BadRequest("expected a comparison operator");
    const rhsOp = operand();
    if (lhs.k === "static" || rhsOp.k !== "static") throw new BadRequest("comparisons must be <field> <op> <static>");
    const rhs = rhsOp.v;
    const op = opTok.v;
    if (rhs.t === "nil" && op === "=") throw new BadRequest("{.a = nil} not yet supported");
    if (rhs.t === "nil" && op !== "!=") throw new BadRequest("nil only supports !=");
    if ((op === "=~" || op === "!~") && rhs.t !== "string") throw new BadRequest("regex operators need a string");
    if (op === "=~" || op === "!~") {
      try {
        toRegExp((rhs as { v: string }).v);
      } catch {
        throw new BadRequest(`invalid regex: ${(rhs as { v: string }).v}`);
      }
    }
    if (lhs.k === "intrinsic" && rhs.t !== "nil" && INTRINSIC_TYPE[lhs.name] !== rhs.t) {
      throw new BadRequest(`binary operations must operate on the same type: ${lhs.name} ${op} ${rhs.t}`);
    }
    if (rhs.t === "status" && op !== "=" && op !== "!=") throw new BadRequest("status only supports = and !=");
    return { k: "cmp", lhs, op, rhs };
  };

  const fieldPrimary = (): FieldExpr => {
    if (isPunct("(")) {
      pos++;
      const e = fieldExpr();
      expectPunct(")");
      return e;
    }
    return comparison();
  };
  const fieldExpr = (): FieldExpr => {
    let l = fieldPrimary();
    for (let op = logical(); op; op = logical()) {
      pos++;
      l = { k: op, l, r: fieldPrimary() };
    }
    return l;
  };
  const spansetPrimary = (): SpansetExpr => {
    if (isPunct("(")) {
      pos++;
      const e = spansetExpr();
      expectPunct(")");
      return e;
    }
    expectPunct("{");
    if (isPunct("}")) {
      pos++;
      return { k: "filter", expr: null };
    }
    const expr = fieldExpr();
    expectPunct("}");
    return { k: "filter", expr };
  };
  const spansetExpr = (): SpansetExpr => {
    let l = spansetPrimary();
    for (let op = logical(); op; op = logical()) {
      pos++;
      l = { k: op, l, r: spansetPrimary() };
    }
    return l;
  };
  const fieldRef = (): FieldRef => {
    const o = operand();
    if (o.k === "static") throw new BadRequest(`expected an attribute at token ${pos - 1}`);
    return o;
  };
  const fieldRefs = (): FieldRef[] => {
    expectPunct("(");
    const out = [fieldRef()];
    while (isPunct(",")) {
      pos++;
      out.push(fieldRef());
    }
    expectPunct(")");
    return out;
  };

  const root = spansetExpr();
  const stages: Stage[] = [];
  let metrics: TraceQLQuery["metrics"];
  while (isPunct("|")) {
    pos++;
    const t = peek();
    if (t?.k === "keyword" && t.v === "select") {
      pos++;
      stages.push({ k: "select", attrs: fieldRefs() });
    } else if (t?.k === "keyword" && t.v !== "by") {
      pos++;
      expectPunct("(");
      let attr: FieldRef | undefined;
      if (t.v !== "count_over_time") attr = fieldRef();
      expectPunct(")");
      let by: FieldRef[] = [];
      if (peek()?.k === "keyword" && (peek() as { v: string }).v === "by") {
        pos++;
        by = fieldRefs();
      }
      metrics = { fn: t.v as MetricsFn, ...(attr ? { attr } : {}), by };
      break;
    } else if (t?.k === "punct" && (t.v === "{" || t.v === "(")) {
      stages.push({ k: "filter", expr: spansetExpr() });
    } else {
      throw new BadRequest(`unsupported pipeline element at token ${pos}`);
    }
  }
  if (pos !== toks.length) throw new BadRequest(`unexpected token at ${pos}`);
  return { root, stages, ...(metrics ? { metrics } : {}) };
}

/** A plain spanset expression (what buildTraceQL emits); pipelines are a 400 here. */
export function parseTraceQL(src: string): SpansetExpr {
  const q = parseTraceQLQuery(src);
  if (q.stages.length > 0 || q.metrics) throw new BadRequest("expected a spanset expression without pipeline");
  return q.root;
}

/** RE2 as Tempo uses it (fully anchored); a leading `(?s)` becomes JavaScript's `s` flag. */
function toRegExp(pattern: string): RegExp {
  const dotAll = pattern.startsWith("(?s)");
  return new RegExp(`^(?:${dotAll ? pattern.slice(4) : pattern})$`, dotAll ? "s" : "");
}

function attributeStatics(v: AttributeValue | undefined): Static[] {
  if (v === undefined || v === null) return [];
  if (typeof v === "string") return [{ t: "string", v }];
  if (typeof v === "number") return [{ t: "number", v }];
  if (typeof v === "boolean") return [{ t: "bool", v }];
  // Arrays match per element (Tempo >= 2.6); maps are not searchable.
  if (Array.isArray(v)) return v.flatMap((x) => (Array.isArray(x) ? [] : attributeStatics(x)));
  return [];
}

function resolve(o: Operand, span: Span, trace: Trace): Static[] {
  if (o.k === "static") return [o.v];
  if (o.k === "attr") {
    if (o.scope === "resource") return o.name === "service.name" ? [{ t: "string", v: span.serviceName }] : [];
    return attributeStatics(span.attributes[o.name]);
  }
  switch (o.name) {
    case "name":
      return [{ t: "string", v: span.operationName }];
    case "status":
      return [{ t: "status", v: span.status.toLowerCase() as "ok" | "error" | "unset" }];
    case "duration":
      return [{ t: "duration", ns: Math.round(span.durationMs * 1e6) }];
    case "traceDuration":
      return [{ t: "duration", ns: truthOf(trace).durationNs }];
    case "rootServiceName":
      return [{ t: "string", v: truthOf(trace).serviceName }];
    case "rootName":
      return [{ t: "string", v: truthOf(trace).rootOperation }];
    default:
      return [];
  }
}

function ordered(a: Static, b: Static): [number | string, number | string] | undefined {
  if (a.t === "number" && b.t === "number") return [a.v, b.v];
  if (a.t === "duration" && b.t === "duration") return [a.ns, b.ns];
  if (a.t === "string" && b.t === "string") return [a.v, b.v];
  return undefined;
}

function compare(a: Static, op: string, b: Static): boolean {
  if (op === "=~" || op === "!~") {
    if (a.t !== "string" || b.t !== "string") return false;
    return toRegExp(b.v).test(a.v) === (op === "=~");
  }
  // Typed: different types never compare (not even with !=).
  if (a.t !== b.t) return false;
  if (op === "=" || op === "!=") {
    const same = JSON.stringify(a) === JSON.stringify(b);
    return op === "=" ? same : !same;
  }
  const pair = ordered(a, b);
  if (!pair) return false;
  const [x, y] = pair;
  return op === ">" ? x > y : op === "<" ? x < y : op === ">=" ? x >= y : x <= y;
}

function fieldMatches(e: FieldExpr, span: Span, trace: Trace): boolean {
  if (e.k !== "cmp") return e.k === "and" ? fieldMatches(e.l, span, trace) && fieldMatches(e.r, span, trace) : fieldMatches(e.l, span, trace) || fieldMatches(e.r, span, trace);
  const values = resolve(e.lhs, span, trace);
  if (e.rhs.t === "nil") return values.length > 0;
  return values.some((v) => compare(v, e.op, e.rhs));
}

/** The spans a spanset expression selects in a trace (empty = the trace does not match). */
export function evaluateTraceQL(expr: SpansetExpr, trace: Trace): Span[] {
  if (expr.k === "filter") return trace.spans.filter((s) => expr.expr === null || fieldMatches(expr.expr, s, trace));
  const l = evaluateTraceQL(expr.l, trace);
  const r = evaluateTraceQL(expr.r, trace);
  if (expr.k === "and") return l.length > 0 && r.length > 0 ? [...new Set([...l, ...r])] : [];
  return [...new Set([...l, ...r])];
}

// ---------------------------------------------------------------------------------------------
// TraceQL metrics (instant queries)
// ---------------------------------------------------------------------------------------------

/** Tempo's parseTimestamp (pkg/api/http.go): "s.frac" seconds, <= 10 digits seconds, more digits ns, else RFC3339. */
function timestampNs(raw: string | null, name: string): bigint {
  if (raw === null || raw === "") throw new BadRequest(`the simulator needs ${name} (Tempo would default to the last hour)`);
  if (raw.includes(".") && /^\d+\.\d*$/.test(raw)) {
    const [s, frac = ""] = raw.split(".");
    return BigInt(s!) * 1_000_000_000n + BigInt(Math.round(Number(`0.${frac || "0"}`) * 1000)) * 1_000_000n;
  }
  if (/^\d+$/.test(raw)) return raw.length <= 10 ? BigInt(raw) * 1_000_000_000n : BigInt(raw);
  const ms = Date.parse(raw);
  if (!Number.isFinite(ms)) throw new BadRequest(`invalid ${name}: ${raw}`);
  return BigInt(ms) * 1_000_000n;
}

/** A Go time.Duration string for whole hours/minutes (as Tempo prints its limits: 3h0m0s). */
function goDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m${s % 60}s`;
}

/** The label a `by()` field gets for a span (undefined = nil, dropped from the series' labels). */
function labelValue(f: FieldRef, span: Span): Record<string, unknown> | undefined {
  if (f.k === "intrinsic") {
    if (f.name === "name") return { stringValue: span.operationName };
    if (f.name === "status") return { stringValue: span.status.toLowerCase() };
    throw new BadRequest(`grouping by ${f.name} is not implemented by the simulator`);
  }
  const raw = f.scope === "resource" ? (f.name === "service.name" ? span.serviceName : undefined) : span.attributes[f.name];
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw === "object") throw new BadRequest("grouping by an array or map attribute is not implemented by the simulator");
  return anyValue(raw);
}

const fieldName = (f: FieldRef): string => (f.k === "intrinsic" ? f.name : `${f.scope}.${f.name}`);

/** The numeric value an over-time function reads: duration in seconds (ns / 1e9), numeric attributes as they are. */
function numericValue(f: FieldRef, span: Span): number | undefined {
  if (f.k === "intrinsic") {
    if (f.name === "duration") return Number(spanEndNs(span) - spanStartNs(span)) / 1e9;
    throw new BadRequest(`${f.name} is not a number`);
  }
  const raw = f.scope === "span" ? span.attributes[f.name] : undefined;
  return typeof raw === "number" ? raw : undefined;
}

/**
 * An instant metrics query over the dataset: every span the query's spanset holds whose start lies
 * in [start, end] (IntervalMapperInstant, Tempo >= 2.9), grouped by the `by()` labels with nils
 * dropped (all nil: the first label as the string "nil"), one value per series.
 */
function metricsInstant(query: TraceQLQuery, dataset: Trace[], startNs: bigint, endNs: bigint): Record<string, unknown> {
  const m = query.metrics!;
  const series = new Map<string, { labels: Array<{ key: string; value: Record<string, unknown> }>; n: number; sum: number; max: number; min: number; seen: number }>();
  for (const trace of dataset) {
    for (const span of evaluateQuery({ root: query.root, stages: query.stages }, trace)) {
      const at = spanStartNs(span);
      if (at < startNs || at > endNs) continue;
      let labels = m.by.flatMap((f) => {
        const v = labelValue(f, span);
        return v === undefined ? [] : [{ key: fieldName(f), value: v }];
      });
      if (labels.length === 0 && m.by.length > 0) labels = [{ key: fieldName(m.by[0]!), value: { stringValue: "nil" } }];
      const id = JSON.stringify(labels);
      let s = series.get(id);
      if (!s) series.set(id, (s = { labels, n: 0, sum: 0, max: -Infinity, min: Infinity, seen: 0 }));
      s.n++;
      if (m.attr) {
        const v = numericValue(m.attr, span);
        if (v !== undefined) {
          s.seen++;
          s.sum += v;
          s.max = Math.max(s.max, v);
          s.min = Math.min(s.min, v);
        }
      }
    }
  }
  const valueOf = (s: { n: number; sum: number; max: number; min: number; seen: number }): number | string => {
    if (m.fn === "count_over_time") return s.n;
    if (s.seen === 0) return "NaN";
    if (m.fn === "sum_over_time") return s.sum;
    if (m.fn === "max_over_time") return s.max;
    if (m.fn === "min_over_time") return s.min;
    return s.sum / s.seen;
  };
  return {
    series: [...series.values()].map((s) => ({ labels: s.labels, value: valueOf(s) })),
    metrics: { inspectedBytes: "1024", totalJobs: 1, completedJobs: 1 },
  };
}

// ---------------------------------------------------------------------------------------------
// Server
// ---------------------------------------------------------------------------------------------

/**
 * `spss`: spans listed per spanset, default 3; above query_frontend.search.max_spans_per_span_set
 * (default 100) Tempo answers 400 (modules/frontend/search_sharder.go); 0 falls back to the default
 * (pkg/traceql/engine.go).
 */
function spansPerSpansetOf(q: URLSearchParams, max: number): number {
  const raw = q.get("spss");
  if (raw === null || raw === "") return 3;
  if (!/^\d+$/.test(raw)) throw new BadRequest(`invalid spss: strconv.ParseUint: parsing "${raw}": invalid syntax`);
  const n = Number(raw);
  if (max !== 0 && n > max) throw new BadRequest(`spans per span set exceeds ${max}. received ${n}`);
  return n === 0 ? 3 : n;
}

function intParam(q: URLSearchParams, name: string): number | undefined {
  const raw = q.get(name);
  if (raw === null || raw === "") return undefined;
  if (!/^\d+$/.test(raw)) throw new BadRequest(`invalid ${name}: ${raw}`);
  return Number(raw);
}

/** Traces overlapping [start, end] (seconds), as Tempo filters by each trace's start/end. */
function inWindow(trace: Trace, q: URLSearchParams): boolean {
  const start = intParam(q, "start");
  const end = intParam(q, "end");
  if (start === undefined || end === undefined || (start === 0 && end === 0)) return true;
  return traceStartNs(trace) <= BigInt(end) * 1_000_000_000n && traceEndNs(trace) >= BigInt(start) * 1_000_000_000n;
}

/** The spans a query's spanset holds in a trace after every pipeline stage (empty = no match). */
export function evaluateQuery(q: TraceQLQuery, trace: Trace): Span[] {
  let spans = evaluateTraceQL(q.root, trace);
  for (const stage of q.stages) {
    if (spans.length === 0) break;
    // A spanset stage is evaluated over the spans of the incoming spanset only.
    if (stage.k === "filter") spans = evaluateTraceQL(stage.expr, { ...trace, spans });
  }
  return spans;
}

/** Every attribute and intrinsic a query names (conditions and select): what Tempo fetches per span. */
function fieldsOf(q: TraceQLQuery): FieldRef[] {
  const out = new Map<string, FieldRef>();
  const add = (o: Operand): void => {
    if (o.k !== "static") out.set(o.k === "attr" ? `${o.scope}.${o.name}` : o.name, o);
  };
  const field = (e: FieldExpr): void => {
    if (e.k === "cmp") add(e.lhs);
    else {
      field(e.l);
      field(e.r);
    }
  };
  const spanset = (e: SpansetExpr): void => {
    if (e.k === "filter") {
      if (e.expr) field(e.expr);
    } else {
      spanset(e.l);
      spanset(e.r);
    }
  };
  spanset(q.root);
  for (const st of q.stages) {
    if (st.k === "filter") spanset(st.expr);
    else st.attrs.forEach(add);
  }
  return [...out.values()];
}

/**
 * A search hit as Tempo lists it (pkg/traceql/engine.go asTraceSearchMetadata): per span its id
 * (16 hex digits), start and duration, its name when fetched, and every fetched attribute it has,
 * keyed by name without scope; status as a string; duration and the trace-level intrinsics are
 * never listed. The spanset holds the first `spss` spans and `matched` counts them all.
 */
function searchHit(trace: Trace, matched: Span[], fields: FieldRef[], spss: number): Record<string, unknown> {
  const spanOut = (s: Span): Record<string, unknown> => {
    const attributes: Array<{ key: string; value: Record<string, unknown> }> = [];
    let name: string | undefined;
    for (const f of fields) {
      if (f.k === "intrinsic") {
        if (f.name === "name") name = s.operationName;
        else if (f.name === "status") attributes.push({ key: "status", value: { stringValue: s.status.toLowerCase() } });
        continue;
      }
      const raw = f.scope === "resource" ? (f.name === "service.name" ? s.serviceName : undefined) : s.attributes[f.name];
      if (raw === undefined || raw === null) continue;
      attributes.push({ key: f.name, value: anyValue(raw) });
    }
    return {
      spanID: s.spanId.padStart(16, "0"),
      ...(name !== undefined ? { name } : {}),
      startTimeUnixNano: String(spanStartNs(s)),
      durationNanos: String(spanEndNs(s) - spanStartNs(s)),
      ...(attributes.length > 0 ? { attributes } : {}),
    };
  };
  const spanSet = { spans: matched.slice(0, spss).map(spanOut), matched: matched.length };
  return {
    // Tempo trims leading zeros from ids in listings.
    traceID: trace.traceId.replace(/^0+(?=.)/, ""),
    rootServiceName: truthOf(trace).serviceName,
    rootTraceName: truthOf(trace).rootOperation,
    startTimeUnixNano: String(traceStartNs(trace)),
    durationMs: Math.floor(truthOf(trace).durationMs),
    spanSet,
    spanSets: [spanSet],
  };
}

function tagValueOf(tag: string, span: Span, trace: Trace, v2: boolean): Static[] {
  if (v2) {
    if (tag === "name") return resolve({ k: "intrinsic", name: "name" }, span, trace);
    const m = /^(span|resource)\.(.+)$/.exec(tag);
    return m ? resolve({ k: "attr", scope: m[1] as "span" | "resource", name: m[2]! }, span, trace) : [];
  }
  if (tag === "service.name") return [{ t: "string", v: span.serviceName }];
  if (tag === "name") return [{ t: "string", v: span.operationName }];
  return attributeStatics(span.attributes[tag]);
}

function staticText(s: Static): { type: string; value: string } | undefined {
  if (s.t === "string") return { type: "string", value: s.v };
  if (s.t === "number") return { type: Number.isInteger(s.v) ? "int" : "float", value: String(s.v) };
  if (s.t === "bool") return { type: "bool", value: String(s.v) };
  return undefined;
}

export function tempoWorld(options: TempoWorldOptions = {}): TempoWorld {
  const apiVersion = options.apiVersion ?? "v2";
  const version = options.version ?? "2.10.0";
  const major = Number(/^v?(\d+)/.exec(version)?.[1] ?? 2);
  const metricsMaxMs = options.metricsMaxDurationMs ?? (major >= 3 ? 24 : 3) * 3_600_000;
  return {
    kind: "tempo",
    async start(dataset: Trace[]): Promise<TempoRunningWorld> {
      const byId = new Map(dataset.map((t) => [t.traceId.toLowerCase().padStart(32, "0"), t]));
      const spansPerSpanset = (q: URLSearchParams): number => spansPerSpansetOf(q, options.maxSpansPerSpanSet ?? 100);
      const requests: RecordedRequest[] = [];
      const failing = new Set<string>();
      let fault: Fault | null = null;

      const send = (res: ServerResponse, status: number, body: string, contentType = "application/json"): void => {
        res.writeHead(status, { "content-type": contentType });
        res.end(body);
      };
      const notFoundPage = (res: ServerResponse): void => send(res, 404, "404 page not found\n", "text/plain; charset=utf-8");

      const traceById = (rawId: string, res: ServerResponse, v2: boolean): void => {
        const id = decodeURIComponent(rawId);
        if (!/^[0-9a-fA-F]{1,32}$/.test(id)) return send(res, 400, "invalid trace id\n", "text/plain; charset=utf-8");
        const key = id.toLowerCase().padStart(32, "0");
        const trace = byId.get(key);
        if (failing.has(key)) return send(res, 500, "error querying ingesters: connection reset\n", "text/plain; charset=utf-8");
        if (!trace) return send(res, 404, "", "text/plain; charset=utf-8");
        const resourceSpans = toResourceSpans(trace);
        send(res, 200, JSON.stringify(v2 ? { trace: { resourceSpans } } : { batches: resourceSpans }));
      };

      const tagValues = (tag: string, q: URLSearchParams, res: ServerResponse, v2: boolean): void => {
        const filter = v2 && q.get("q") ? parseTraceQL(q.get("q")!) : undefined;
        if (filter && filter.k !== "filter") throw new BadRequest("tag value queries take a single spanset");
        const seen = new Map<string, { type: string; value: string }>();
        for (const trace of dataset) {
          if (!inWindow(trace, q)) continue;
          for (const span of trace.spans) {
            if (filter?.k === "filter" && filter.expr && !fieldMatches(filter.expr, span, trace)) continue;
            for (const s of tagValueOf(tag, span, trace, v2)) {
              const tv = staticText(s);
              if (tv) seen.set(`${tv.type}:${tv.value}`, tv);
            }
          }
        }
        const values = [...seen.values()];
        send(res, 200, JSON.stringify(v2 ? { tagValues: values, metrics: {} } : { tagValues: values.map((v) => v.value) }));
      };

      const route = (path: string, q: URLSearchParams, res: ServerResponse): void => {
        if (path === "/ready" && !options.hideReady) return send(res, 200, "ready", "text/plain; charset=utf-8");
        if (path === "/api/echo") return send(res, 200, "echo", "text/plain; charset=utf-8");
        if (path === "/api/status/buildinfo") {
          return send(res, 200, JSON.stringify({ version, revision: "simulated", branch: "HEAD", buildUser: "", buildDate: "", goVersion: "go1.25.0" }));
        }
        if (path === "/api/metrics/query") {
          const query = parseTraceQLQuery(q.get("q") ?? q.get("query") ?? "");
          if (!query.metrics) throw new BadRequest("a metrics query needs a metrics function, e.g. { } | count_over_time()");
          if (query.stages.some((st) => st.k === "select")) throw new BadRequest("select() in a metrics query is not implemented by the simulator");
          const startNs = timestampNs(q.get("start"), "start");
          const endNs = timestampNs(q.get("end"), "end");
          if (startNs >= endNs) throw new BadRequest("end must be greater than start");
          if (endNs - startNs > BigInt(metricsMaxMs) * 1_000_000n) {
            throw new BadRequest(`metrics query time range exceeds the maximum allowed duration of ${goDuration(metricsMaxMs)}`);
          }
          return send(res, 200, JSON.stringify(metricsInstant(query, dataset, startNs, endNs)));
        }
        if (path === "/api/metrics/query_range") throw new BadRequest("query_range is not implemented by the simulator");
        if (path.startsWith("/api/v2/") && apiVersion === "v1") return notFoundPage(res);
        if (path === "/api/search") {
          const query = parseTraceQLQuery(q.get("q") ?? "{}");
          if (query.metrics) throw new BadRequest("metrics queries are answered by /api/metrics/query and /api/metrics/query_range");
          const limit = intParam(q, "limit") ?? 20;
          const spss = spansPerSpanset(q);
          const fields = fieldsOf(query);
          const hits = dataset
            .filter((t) => inWindow(t, q))
            .map((t) => ({ t, matched: evaluateQuery(query, t) }))
            .filter((h) => h.matched.length > 0)
            .sort((a, b) => (traceStartNs(b.t) > traceStartNs(a.t) ? 1 : traceStartNs(b.t) < traceStartNs(a.t) ? -1 : 0))
            .slice(0, limit);
          return send(res, 200, JSON.stringify({ traces: hits.map((h) => searchHit(h.t, h.matched, fields, spss)), metrics: { inspectedBytes: "1024", completedJobs: 1, totalJobs: 1 } }));
        }
        const v2Trace = /^\/api\/v2\/traces\/([^/]+)$/.exec(path);
        if (v2Trace) return traceById(v2Trace[1]!, res, true);
        const v1Trace = /^\/api\/traces\/([^/]+)$/.exec(path);
        if (v1Trace) return traceById(v1Trace[1]!, res, false);
        const v2Tag = /^\/api\/v2\/search\/tag\/([^/]+)\/values$/.exec(path);
        if (v2Tag) return tagValues(decodeURIComponent(v2Tag[1]!), q, res, true);
        const v1Tag = /^\/api\/search\/tag\/([^/]+)\/values$/.exec(path);
        if (v1Tag) return tagValues(decodeURIComponent(v1Tag[1]!), q, res, false);
        notFoundPage(res);
      };

      const server = createServer((req: IncomingMessage, res: ServerResponse) => {
        req.resume();
        req.on("end", () => {
          const url = new URL(req.url ?? "/", "http://127.0.0.1");
          requests.push({ method: req.method ?? "", path: url.pathname, query: Object.fromEntries(url.searchParams), headers: { ...req.headers } });
          if (fault === "hang") return;
          const auth = req.headers.authorization ?? "";
          // Echoes the credentials back, as careless proxies do, so tests can check they never surface.
          if (fault === "http401" || (options.apiKey !== undefined && auth !== `Bearer ${options.apiKey}`)) {
            return send(res, 401, `no org id or bad credentials '${auth}'\n`, "text/plain; charset=utf-8");
          }
          if (fault === "http403") return send(res, 403, `forbidden for '${auth}'\n`, "text/plain; charset=utf-8");
          if (fault === "http404") return notFoundPage(res);
          if (fault === "http500") return send(res, 500, `internal error (request by '${auth}')\n`, "text/plain; charset=utf-8");
          if (fault === "malformed") return send(res, 200, "<html><body>Grafana</body></html>", "text/html");
          if (req.method !== "GET") return send(res, 405, "method not allowed\n", "text/plain; charset=utf-8");
          try {
            route(url.pathname, url.searchParams, res);
          } catch (err) {
            if (err instanceof BadRequest) return send(res, 400, `invalid TraceQL query: ${err.message}\n`, "text/plain; charset=utf-8");
            send(res, 500, String(err), "text/plain; charset=utf-8");
          }
        });
      });
      const listening = await listenLoopback(server);
      return {
        url: listening.url,
        requests,
        setFault: (f) => void (fault = f),
        failTraces: (ids) => ids.forEach((id) => failing.add(id.toLowerCase().padStart(32, "0"))),
        close: listening.close,
      };
    },
  };
}
