/**
 * Seeded data and filters for the store's differential tests: traces whose attributes take every
 * shape the filter engine distinguishes (typed numbers, numeric-looking strings, boolean words,
 * JSON values, empty strings, whitespace), odd trees (no parentless span, two of them), equal
 * start times, and filters drawn from the values that actually occur, so most of them match
 * something. Durations are whole microseconds (what OTLP nanosecond times give, and what the
 * store's integer-nanosecond Duration holds exactly).
 */
import { mulberry32 } from "../../src/demo/plan.js";
import { OPERATORS_BY_TYPE, toFilter, VALUE_TYPES, type Filter, type FilterInput, type Scalar } from "../../src/domain/filter.js";
import { assembleTrace, createSpan, SPAN_KINDS, type Span, type SpanStatus, type Trace } from "../../src/domain/trace.js";

export const GEN_START_MS = Date.UTC(2025, 10, 13, 10, 0, 0);
/** Trace roots fall in [GEN_START_MS, GEN_START_MS + GEN_SPREAD_MS). */
export const GEN_SPREAD_MS = 3 * 3_600_000;

export class Rand {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  float(): number {
    return this.next();
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
  hex(chars: number): string {
    let out = "";
    while (out.length < chars) out += Math.floor(this.next() * 0x100000000).toString(16).padStart(8, "0");
    return out.slice(0, chars);
  }
}

export const SERVICES = ["api", "worker", "42", "db svc", "Api", "true"] as const;
export const OPERATIONS = ["GET /x", "openai.chat", "0", "true", "SELECT 1", "agent.run", " 5 "] as const;

const STRINGS = ["a", "abc", "", " 7 ", "7", "7.0", "-3", "1e3", "true", "FALSE", "yes", "0", "1", "x y", "\u00a012\u00a0", "0x1A", "1_000", ".5", "5.",
  "+4", "NaN", "Infinity", "[1]", "{\"a\":1}", "gpt-4o", "Ünïcødé", "line\nbreak"];
const INTS = [0, 1, -1, 2, 7, 42, 1000, 123456789012345];
const FLOATS = [0.5, 1.25, -2.75, 1e-7, 1e21, 123.456, 7.5];

type AttrGen = (r: Rand) => unknown;

/** Attribute keys and how their values are drawn. */
export const ATTRS: Readonly<Record<string, AttrGen>> = {
  "k.str": (r) => r.pick(STRINGS),
  "k.int": (r) => r.pick(INTS),
  "k.float": (r) => r.pick(FLOATS),
  "k.bool": (r) => r.chance(0.5),
  "k.mixed": (r) => r.pick<unknown>([...STRINGS, ...INTS, ...FLOATS, true, false, ["x"], [1, 2], [], { a: 1 }]),
  "k.json": (r) => r.pick<unknown>([["x"], [1, "y", null], [], { a: { b: [true] } }, { "": 0 }]),
  "http.status_code": (r) => r.pick<unknown>([200, "500", 404]),
  "service.name": (r) => r.pick(["attr-svc", "api"]),
  span_count: (r) => r.int(0, 3),
  "gen_ai.request.model": (r) => r.pick(["gpt-4o", "claude-3", "7"]),
  "gen_ai.response.model": (r) => r.pick(["gpt-4o-2024", "claude-3-x"]),
  "gen_ai.usage.prompt_tokens": (r) => r.pick<unknown>([10, 250, "12", 0]),
  "gen_ai.usage.input_tokens": (r) => r.pick<unknown>([30, 7]),
  "gen_ai.usage.completion_tokens": (r) => r.pick<unknown>([5, 99]),
  "gen_ai.usage.total_tokens": (r) => r.pick<unknown>([300, 0, "44"]),
  "llm.usage.total_tokens": (r) => r.pick<unknown>([11, 3.5, true]),
  "gen_ai.usage.cache_read_input_tokens": (r) => r.pick<unknown>([4, 0]),
};

const ATTR_KEYS = Object.keys(ATTRS);

function spanAttributes(r: Rand): Record<string, unknown> {
  const attrs: Record<string, unknown> = {};
  for (const key of ATTR_KEYS) if (r.chance(0.3)) attrs[key] = ATTRS[key]!(r);
  const llm = r.float();
  if (llm < 0.25) attrs["gen_ai.system"] = r.pick(["openai", "anthropic", ""]);
  else if (llm < 0.35) attrs["gen_ai.provider.name"] = r.pick(["aws.bedrock", "openai"]);
  return attrs;
}

export interface GenOptions {
  seed: number;
  traces: number;
}

/** Spans of `traces` traces, each within 20 minutes of its root; ids unique. */
export function generateSpans(opts: GenOptions): Span[] {
  const r = new Rand(opts.seed);
  const spans: Span[] = [];
  let previousStartUs = 0;
  for (let t = 0; t < opts.traces; t++) {
    const traceId = r.hex(32);
    // Every tenth trace starts at the same microsecond as the previous one (tie-breaking).
    const rootUs = t % 10 === 9 && previousStartUs ? previousStartUs : (GEN_START_MS + Math.floor(r.float() * GEN_SPREAD_MS)) * 1000 + r.int(0, 999);
    previousStartUs = rootUs;
    const n = r.int(1, 7);
    const shape = r.float(); // < 0.1: no parentless span; < 0.2: two parentless spans
    const rootId = r.hex(16);
    const ids = [rootId];
    for (let i = 0; i < n; i++) {
      const spanId = i === 0 ? rootId : r.hex(16);
      if (i > 0) ids.push(spanId);
      let parent: string | null = i === 0 ? null : r.pick(ids.slice(0, i));
      if (i === 0 && shape < 0.1) parent = r.hex(16);
      if (i === 1 && shape >= 0.1 && shape < 0.2) parent = null;
      const offsetUs = i === 0 ? 0 : r.int(0, 20 * 60 * 1_000_000);
      const durationUs = r.pick([0, 1, 1000, 1500, r.int(1, 5_000_000), r.int(1, 100_000_000)]);
      spans.push(
        createSpan({
          traceId,
          spanId,
          parentSpanId: parent,
          operationName: r.pick(OPERATIONS),
          serviceName: r.pick(SERVICES),
          startTimeUs: rootUs + offsetUs,
          durationMs: durationUs / 1000,
          status: r.pick<SpanStatus>(["OK", "ERROR", "UNSET", "UNSET"]),
          attributes: spanAttributes(r),
          events: r.chance(0.2) ? [{ name: "exception", timestamp: (rootUs + offsetUs) * 1000 + r.int(0, 999), attributes: { "exception.type": "E", n: r.int(0, 9) } }] : [],
          ...(r.chance(0.5) ? { kind: r.pick(SPAN_KINDS) } : {}),
          ...(r.chance(0.2) ? { statusMessage: "boom" } : {}),
          ...(r.chance(0.5) ? { resourceAttributes: { "host.name": r.pick(["h1", "h2"]), "process.pid": r.int(1, 99) } } : {}),
          ...(r.chance(0.5) ? { scope: r.chance(0.5) ? { name: "lib", version: "1.2" } : { name: "lib2" } } : {}),
          ...(r.chance(0.1) ? { traceState: "k=v" } : {}),
          ...(r.chance(0.1) ? { links: [{ traceId: r.hex(32), spanId: r.hex(16), attributes: { w: r.pick([1, 1.5, "x"]) } }] } : {}),
        }),
      );
    }
  }
  return spans;
}

/** The store's order inside a trace: start time, then span id. */
export function storeOrder(a: Span, b: Span): number {
  return a.startTimeUs - b.startTimeUs || (a.spanId < b.spanId ? -1 : a.spanId > b.spanId ? 1 : 0);
}

/** Traces as the store assembles them (spans in store order). */
export function tracesOf(spans: readonly Span[]): Trace[] {
  const byId = new Map<string, Span[]>();
  for (const s of spans) byId.set(s.traceId, [...(byId.get(s.traceId) ?? []), s]);
  return [...byId].map(([id, list]) => assembleTrace(id, [...list].sort(storeOrder))!);
}

const PSEUDO = ["service.name", "name", "operation_name", "duration", "status", "trace_id", "span_id", "parent_span_id", "span_count", "llm_span_count", "total_tokens", "has_errors"];
const FIELDS = [...PSEUDO, ...ATTR_KEYS, "gen_ai.system", "gen_ai.provider.name", "missing.key", "duration_ms"];

/** Values a filter on `field` might compare with: some that occur in the data, some that do not. */
function candidateValues(field: string, spans: readonly Span[], traces: readonly Trace[], r: Rand): Scalar[] {
  const out: Scalar[] = ["", "7", "true", "0", "1", "abc", 7, 0, 1, 1.5, 42, true, false];
  const s = r.pick(spans);
  const t = r.pick(traces);
  switch (field) {
    case "service.name":
      out.push(s.serviceName, t.serviceName);
      break;
    case "name":
    case "operation_name":
      out.push(s.operationName, t.rootOperation);
      break;
    case "duration":
      out.push(s.durationMs, t.durationMs, String(t.durationMs), String(s.durationMs).slice(0, 3));
      break;
    case "status":
      out.push("OK", "ERROR", "UNSET");
      break;
    case "trace_id":
      out.push(s.traceId, s.traceId.slice(0, 4));
      break;
    case "span_id":
      out.push(s.spanId, s.spanId.slice(-3));
      break;
    case "parent_span_id":
      out.push(s.parentSpanId ?? "", t.spans.find((x) => x.parentSpanId)?.parentSpanId ?? "");
      break;
    case "span_count":
    case "llm_span_count":
    case "total_tokens":
      out.push(t.spans.length, r.int(0, 8), 300, 310);
      break;
    default: {
      const v = s.attributes[field] ?? r.pick(spans).attributes[field];
      if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") out.push(v);
      if (v !== undefined && v !== null && typeof v === "object") out.push(JSON.stringify(v));
    }
  }
  return out;
}

/** A random valid filter (toFilter accepts it). */
export function randomFilter(r: Rand, spans: readonly Span[], traces: readonly Trace[]): Filter {
  for (;;) {
    const field = r.pick(FIELDS);
    const valueType = r.pick(VALUE_TYPES);
    const operator = r.pick([...OPERATORS_BY_TYPE[valueType]]);
    const pool = candidateValues(field, spans, traces, r);
    const input: FilterInput = { field, operator, value_type: valueType };
    if (operator === "in" || operator === "not_in") input.values = Array.from({ length: r.int(1, 3) }, () => r.pick(pool));
    else if (operator === "between") input.values = [r.pick(pool), r.pick(pool)];
    else if (operator !== "exists" && operator !== "not_exists") input.value = r.pick(pool);
    try {
      return toFilter(input);
    } catch {
      // not a valid combination (e.g. a word as a number): draw again
    }
  }
}
