import { describe, expect, it } from "vitest";
import { filterSpans, filterTraces, spanMatches, traceMatches } from "../../src/query/filter-engine.js";
import { OPERATORS, OPERATORS_BY_TYPE, VALUE_TYPES, type Filter, type Operator, type Scalar, type ValueType } from "../../src/domain/filter.js";
import { assembleTrace, createSpan, type Span, type Trace } from "../../src/domain/trace.js";

type Rhs = Scalar | Scalar[] | undefined;
type Row = [field: string, operator: Operator, rhs: Rhs, valueType: ValueType, expected: boolean];

function filter(field: string, operator: Operator, rhs: Rhs, valueType: ValueType): Filter {
  const f: Filter = { field, operator, valueType };
  if (Array.isArray(rhs)) f.values = rhs;
  else if (rhs !== undefined) f.value = rhs;
  return f;
}

const T0 = 1_700_000_000_000_000; // epoch µs

/** One LLM span with attributes of every shape the engine has to read. */
const SPAN = createSpan({
  traceId: "trace-a",
  spanId: "span-llm",
  parentSpanId: "span-root",
  operationName: "openai.chat",
  serviceName: "llm-svc",
  startTimeUs: T0 + 100_000,
  durationMs: 1200.5,
  status: "ERROR",
  attributes: {
    "gen_ai.system": "openai",
    "gen_ai.request.model": "gpt-4o-mini",
    "gen_ai.usage.total_tokens": 5000,
    "gen_ai.request.is_streaming": "false", // well-known key: coerced to the boolean false
    "gen_ai.response.finish_reasons": ["stop"],
    "http.status_code": "500", // unknown key: stays a numeric string
    "custom.on": true,
    "custom.enabled": "false", // unknown key: stays the string "false"
    "custom.ratio": 0.25,
    "service.name": "attr-svc", // the pseudo-field must win over an attribute of the same name
  },
});

const ROOT_SPAN = createSpan({
  traceId: "trace-a",
  spanId: "span-root",
  operationName: "agent.workflow",
  serviceName: "chat-api",
  startTimeUs: T0,
  durationMs: 3000,
  status: "OK",
});

describe("spanMatches: operator x value type table", () => {
  const ROWS: Row[] = [
    // string
    ["gen_ai.request.model", "equals", "gpt-4o-mini", "string", true],
    ["gen_ai.request.model", "equals", "gpt-4o", "string", false],
    ["gen_ai.request.model", "equals", "GPT-4O-MINI", "string", false], // case-sensitive
    ["gen_ai.request.model", "not_equals", "gpt-4o", "string", true],
    ["gen_ai.request.model", "not_equals", "gpt-4o-mini", "string", false],
    ["gen_ai.request.model", "contains", "4o", "string", true],
    ["gen_ai.request.model", "contains", "claude", "string", false],
    ["gen_ai.request.model", "not_contains", "claude", "string", true],
    ["gen_ai.request.model", "not_contains", "gpt", "string", false],
    ["gen_ai.request.model", "starts_with", "gpt-", "string", true],
    ["gen_ai.request.model", "starts_with", "4o", "string", false],
    ["gen_ai.request.model", "ends_with", "-mini", "string", true],
    ["gen_ai.request.model", "ends_with", "gpt", "string", false],
    ["gen_ai.request.model", "in", ["a", "gpt-4o-mini"], "string", true],
    ["gen_ai.request.model", "in", ["a", "gpt-4o"], "string", false],
    ["gen_ai.request.model", "not_in", ["a", "gpt-4o"], "string", true],
    ["gen_ai.request.model", "not_in", ["gpt-4o-mini"], "string", false],
    ["gen_ai.request.model", "exists", undefined, "string", true],
    ["gen_ai.request.model", "not_exists", undefined, "string", false],
    ["no.such.attr", "exists", undefined, "string", false],
    ["no.such.attr", "not_exists", undefined, "string", true],
    // string rendering: JavaScript's, not Python's ("true", "5000", not "True", "5000.0")
    ["custom.on", "equals", "true", "string", true],
    ["custom.on", "equals", "True", "string", false],
    ["gen_ai.usage.total_tokens", "equals", "5000", "string", true],
    ["gen_ai.usage.total_tokens", "equals", "5000.0", "string", false],
    ["gen_ai.usage.total_tokens", "equals", 5000, "string", true], // a numeric value renders the same way
    ["gen_ai.usage.total_tokens", "in", [1, 5000], "string", true],
    ["duration", "equals", "1200.5", "string", true],
    ["custom.ratio", "starts_with", "0.2", "string", true],
    ["gen_ai.response.finish_reasons", "contains", "stop", "string", true],
    ["custom.enabled", "equals", false, "string", true], // String(false) === "false"
    // number
    ["gen_ai.usage.total_tokens", "equals", 5000, "number", true],
    ["gen_ai.usage.total_tokens", "equals", 4999, "number", false],
    ["gen_ai.usage.total_tokens", "equals", "5000", "number", true], // numeric string as the expected value
    ["gen_ai.usage.total_tokens", "not_equals", 4999, "number", true],
    ["gen_ai.usage.total_tokens", "not_equals", 5000, "number", false],
    ["gen_ai.usage.total_tokens", "gt", 4999, "number", true],
    ["gen_ai.usage.total_tokens", "gt", 5000, "number", false],
    ["gen_ai.usage.total_tokens", "lt", 5001, "number", true],
    ["gen_ai.usage.total_tokens", "lt", 5000, "number", false],
    ["gen_ai.usage.total_tokens", "gte", 5000, "number", true],
    ["gen_ai.usage.total_tokens", "gte", 5001, "number", false],
    ["gen_ai.usage.total_tokens", "lte", 5000, "number", true],
    ["gen_ai.usage.total_tokens", "lte", 4999, "number", false],
    ["gen_ai.usage.total_tokens", "between", [4000, 5000], "number", true], // inclusive upper bound
    ["gen_ai.usage.total_tokens", "between", [5000, 6000], "number", true], // inclusive lower bound
    ["gen_ai.usage.total_tokens", "between", [6000, 4000], "number", true], // bounds in either order
    ["gen_ai.usage.total_tokens", "between", [5001, 6000], "number", false],
    ["gen_ai.usage.total_tokens", "in", [1, 5000], "number", true],
    ["gen_ai.usage.total_tokens", "in", [1, "5000"], "number", true],
    ["gen_ai.usage.total_tokens", "in", [1, 2], "number", false],
    ["gen_ai.usage.total_tokens", "not_in", [1, 2], "number", true],
    ["gen_ai.usage.total_tokens", "not_in", [5000], "number", false],
    ["gen_ai.usage.total_tokens", "exists", undefined, "number", true],
    ["gen_ai.usage.total_tokens", "not_exists", undefined, "number", false],
    ["no.such.attr", "exists", undefined, "number", false],
    ["no.such.attr", "not_exists", undefined, "number", true],
    ["http.status_code", "gte", 500, "number", true], // numbers are read from numeric strings
    ["http.status_code", "between", [400, 499], "number", false],
    ["custom.ratio", "lt", 0.3, "number", true],
    ["duration", "gt", 1200, "number", true],
    ["duration", "between", [1200.5, 1200.5], "number", true],
    // a value that is not a number never matches, not even a negative operator
    ["gen_ai.system", "gt", 1, "number", false],
    ["gen_ai.system", "not_equals", 1, "number", false],
    ["gen_ai.system", "not_in", [1], "number", false],
    ["custom.on", "equals", 1, "number", false], // booleans are not numbers
    // boolean
    ["custom.on", "equals", true, "boolean", true],
    ["custom.on", "equals", false, "boolean", false],
    ["custom.on", "not_equals", false, "boolean", true],
    ["custom.on", "not_equals", true, "boolean", false],
    ["custom.on", "equals", "true", "boolean", true],
    ["custom.enabled", "equals", false, "boolean", true], // the string "false" is false (Python said true)
    ["custom.enabled", "equals", true, "boolean", false],
    ["custom.enabled", "not_equals", true, "boolean", true],
    ["gen_ai.request.is_streaming", "equals", false, "boolean", true],
    ["gen_ai.request.is_streaming", "equals", "no", "boolean", true],
    ["custom.on", "exists", undefined, "boolean", true],
    ["custom.on", "not_exists", undefined, "boolean", false],
    ["no.such.attr", "exists", undefined, "boolean", false],
    ["no.such.attr", "not_exists", undefined, "boolean", true],
    ["gen_ai.system", "equals", true, "boolean", false], // "openai" is not a boolean
    ["gen_ai.system", "not_equals", true, "boolean", false],
    // operators that make no sense for the type never match (toFilter rejects them up front)
    ["gen_ai.request.model", "gt", "a", "string", false],
    ["gen_ai.request.model", "between", ["a", "z"], "string", false],
    ["gen_ai.usage.total_tokens", "contains", 50, "number", false],
    ["gen_ai.usage.total_tokens", "starts_with", 5, "number", false],
    ["custom.on", "in", [true], "boolean", false],
    ["custom.on", "gt", false, "boolean", false],
  ];

  it.each(ROWS)("%s %s %j (%s) -> %s", (field, operator, rhs, valueType, expected) => {
    expect(spanMatches(SPAN, [filter(field, operator, rhs, valueType)])).toBe(expected);
  });

  it("the table covers every operator of every value type, matching and not matching", () => {
    for (const type of VALUE_TYPES) {
      for (const op of OPERATORS_BY_TYPE[type]) {
        const outcomes = new Set(ROWS.filter((r) => r[1] === op && r[3] === type).map((r) => r[4]));
        expect([type, op, [...outcomes].sort()]).toEqual([type, op, [false, true]]);
      }
    }
  });
});

describe("spanMatches: a missing field matches only not_exists", () => {
  const rows: Array<[Operator, ValueType, Rhs]> = [];
  for (const type of VALUE_TYPES) {
    for (const op of OPERATORS) {
      const rhs: Rhs = op === "exists" || op === "not_exists" ? undefined : op === "between" ? [0, 1e9] : op === "in" || op === "not_in" ? ["x"] : type === "number" ? 1 : type === "boolean" ? true : "x";
      rows.push([op, type, rhs]);
    }
  }
  it.each(rows)("%s (%s)", (op, type, rhs) => {
    expect(spanMatches(SPAN, [filter("no.such.attr", op, rhs, type)])).toBe(op === "not_exists");
  });
});

describe("spanMatches: pseudo-fields", () => {
  it.each([
    ["service.name", "equals", "llm-svc", "string", true],
    ["service.name", "equals", "attr-svc", "string", false],
    ["operation_name", "equals", "openai.chat", "string", true],
    ["name", "starts_with", "openai.", "string", true],
    ["duration", "gte", 1200.5, "number", true],
    ["duration", "gt", 1200.5, "number", false],
    ["status", "equals", "ERROR", "string", true],
    ["status", "not_equals", "ERROR", "string", false],
    ["span_id", "equals", "span-llm", "string", true],
    ["parent_span_id", "equals", "span-root", "string", true],
    ["trace_id", "equals", "trace-a", "string", true],
    ["trace_id", "equals", "trace-b", "string", false],
    // pseudo-fields only: trace-level ones are plain (missing) attributes on a span
    ["span_count", "exists", undefined, "number", false],
  ] as Row[])("%s %s %j (%s) -> %s", (field, op, rhs, type, expected) => {
    expect(spanMatches(SPAN, [filter(field, op, rhs, type)])).toBe(expected);
  });

  it.each([
    ["exists", false],
    ["not_exists", true],
  ] as const)("a root span's parent_span_id: %s -> %s", (op, expected) => {
    expect(spanMatches(ROOT_SPAN, [filter("parent_span_id", op, undefined, "string")])).toBe(expected);
  });
});

describe("trace-level evaluation", () => {
  const root = createSpan({
    traceId: "trace-a",
    spanId: "span-root",
    operationName: "agent.workflow",
    serviceName: "chat-api",
    startTimeUs: T0,
    durationMs: 3000,
    status: "OK",
    attributes: { "app.env": "prod" },
  });
  const llm1 = createSpan({
    traceId: "trace-a",
    spanId: "span-llm1",
    parentSpanId: "span-root",
    operationName: "openai.chat",
    serviceName: "llm-svc",
    startTimeUs: T0 + 100_000,
    durationMs: 1200,
    status: "ERROR",
    attributes: {
      "gen_ai.system": "openai",
      "gen_ai.request.model": "gpt-4o-mini",
      "gen_ai.usage.prompt_tokens": 100,
      "gen_ai.usage.completion_tokens": 50,
      "custom.on": true,
      "retry.count": 1,
    },
  });
  const llm2 = createSpan({
    traceId: "trace-a",
    spanId: "span-llm2",
    parentSpanId: "span-root",
    operationName: "anthropic.chat",
    serviceName: "llm-svc",
    // Ends at 3300 ms, after the root: the trace's duration is not the root span's.
    startTimeUs: T0 + 2_500_000,
    durationMs: 800,
    status: "OK",
    attributes: {
      "gen_ai.system": "anthropic",
      "gen_ai.request.model": "claude-3-5-sonnet",
      "gen_ai.usage.input_tokens": 200,
      "gen_ai.usage.output_tokens": 100,
      "custom.on": "false",
      "retry.count": "3",
    },
  });
  const tool = createSpan({
    traceId: "trace-a",
    spanId: "span-tool",
    parentSpanId: "span-llm1",
    operationName: "search.tool",
    serviceName: "tools-svc",
    startTimeUs: T0 + 1_500_000,
    durationMs: 100,
    attributes: { "traceloop.span.kind": "tool" },
  });
  const TRACE = assembleTrace("trace-a", [root, llm1, llm2, tool])!;

  it("fixture: trace duration 3300 ms, root 3000 ms, status ERROR", () => {
    expect([TRACE.durationMs, TRACE.serviceName, TRACE.rootOperation, TRACE.status]).toEqual([3300, "chat-api", "agent.workflow", "ERROR"]);
  });

  it.each([
    // trace pseudo-fields
    ["trace_id", "equals", "trace-a", "string", true],
    ["service.name", "equals", "chat-api", "string", true],
    ["service.name", "equals", "llm-svc", "string", true], // equals: some span of that service (Jaeger/TraceQL reading)
    ["service.name", "equals", "no-such-svc", "string", false],
    ["service.name", "starts_with", "llm", "string", false], // other operators read the root's service
    ["service.name", "not_equals", "llm-svc", "string", true],
    ["service.name", "in", ["tools-svc", "chat-api"], "string", true],
    ["operation_name", "equals", "agent.workflow", "string", true],
    ["name", "equals", "openai.chat", "string", true], // equals: some span with that name
    ["name", "starts_with", "openai", "string", false], // other operators read the root's name
    ["duration", "equals", 3300, "number", true],
    ["duration", "gt", 3000, "number", true],
    ["duration", "lte", 3000, "number", false],
    ["duration", "between", [3300, 3000], "number", true],
    ["status", "equals", "ERROR", "string", true],
    ["status", "not_equals", "OK", "string", true],
    ["span_count", "equals", 4, "number", true],
    ["span_count", "gt", 4, "number", false],
    ["llm_span_count", "equals", 2, "number", true],
    ["total_tokens", "equals", 450, "number", true],
    ["total_tokens", "equals", "450", "string", true],
    ["total_tokens", "between", [0, 449], "number", false],
    ["has_errors", "equals", true, "boolean", true],
    ["has_errors", "not_equals", true, "boolean", false],
    ["has_errors", "equals", "true", "string", true],
    // span fields: ANY span satisfies a positive operator
    ["span_id", "equals", "span-tool", "string", true],
    ["parent_span_id", "equals", "span-llm1", "string", true],
    ["parent_span_id", "exists", undefined, "string", true],
    ["parent_span_id", "not_exists", undefined, "string", false],
    ["gen_ai.system", "equals", "anthropic", "string", true],
    ["gen_ai.system", "in", ["openai"], "string", true],
    ["gen_ai.request.model", "contains", "claude", "string", true],
    ["gen_ai.request.model", "starts_with", "gemini", "string", false],
    ["retry.count", "gt", 2, "number", true],
    ["retry.count", "between", [2, 4], "number", true],
    ["retry.count", "equals", 2, "number", false],
    ["custom.on", "equals", false, "boolean", true],
    // negative operators need ALL values of the multi-valued field
    ["gen_ai.system", "not_equals", "anthropic", "string", false],
    ["gen_ai.system", "not_equals", "cohere", "string", true],
    ["gen_ai.system", "not_contains", "open", "string", false],
    ["gen_ai.system", "not_contains", "cohere", "string", true],
    ["gen_ai.system", "not_in", ["openai"], "string", false],
    ["gen_ai.system", "not_in", ["cohere", "mistral"], "string", true],
    ["retry.count", "not_equals", 1, "number", false],
    ["retry.count", "not_equals", 2, "number", true],
    ["retry.count", "not_in", [3], "number", false],
    ["retry.count", "not_in", [5, 6], "number", true],
    ["custom.on", "not_equals", true, "boolean", false],
    // a field on some spans only: spans without it contribute no value (neither for nor against)
    ["traceloop.span.kind", "equals", "tool", "string", true],
    ["traceloop.span.kind", "not_equals", "tool", "string", false],
    ["traceloop.span.kind", "not_equals", "agent", "string", true],
    ["app.env", "exists", undefined, "string", true],
    // a field on no span: only not_exists matches
    ["no.such.attr", "exists", undefined, "string", false],
    ["no.such.attr", "not_exists", undefined, "string", true],
    ["no.such.attr", "not_equals", "x", "string", false],
    ["no.such.attr", "not_in", [1], "number", false],
    ["no.such.attr", "not_contains", "x", "string", false],
    ["no.such.attr", "not_equals", true, "boolean", false],
  ] as Row[])("%s %s %j (%s) -> %s", (field, op, rhs, type, expected) => {
    expect(traceMatches(TRACE, [filter(field, op, rhs, type)])).toBe(expected);
  });

  it("ANDs filters", () => {
    const a = filter("gen_ai.system", "equals", "openai", "string");
    const b = filter("duration", "gt", 3000, "number");
    const c = filter("status", "equals", "OK", "string");
    expect(traceMatches(TRACE, [a, b])).toBe(true);
    expect(traceMatches(TRACE, [a, b, c])).toBe(false);
  });

  it("service equals + operation equals need ONE span with both", () => {
    const svc = (v: string) => filter("service.name", "equals", v, "string");
    const op = (v: string) => filter("operation_name", "equals", v, "string");
    expect(traceMatches(TRACE, [svc("tools-svc"), op("search.tool")])).toBe(true);
    // both exist in the trace, but on different spans
    expect(traceMatches(TRACE, [svc("tools-svc"), op("agent.workflow")])).toBe(false);
    expect(traceMatches(TRACE, [op("agent.workflow"), svc("chat-api")])).toBe(true);
  });
});

describe("filterTraces / filterSpans", () => {
  const mk = (id: string, svc: string, ms: number): Trace =>
    assembleTrace(id, [createSpan({ traceId: id, spanId: `${id}-r`, operationName: "op", serviceName: svc, startTimeUs: T0, durationMs: ms })])!;
  const traces = [mk("t1", "a", 100), mk("t2", "b", 200), mk("t3", "a", 300)];

  it("returns the input unchanged with no filters", () => {
    expect(filterTraces(traces, [])).toBe(traces);
    const spans: Span[] = [SPAN, ROOT_SPAN];
    expect(filterSpans(spans, [])).toBe(spans);
  });

  it("keeps matching items in order", () => {
    expect(filterTraces(traces, [filter("service.name", "equals", "a", "string")]).map((t) => t.traceId)).toEqual(["t1", "t3"]);
    expect(filterTraces(traces, [filter("duration", "gte", 200, "number")]).map((t) => t.traceId)).toEqual(["t2", "t3"]);
    expect(filterSpans([SPAN, ROOT_SPAN], [filter("status", "equals", "OK", "string")])).toEqual([ROOT_SPAN]);
  });
});
