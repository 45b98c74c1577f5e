/**
 * Filter-engine edges the table tests did not pin (found by mutation testing): comparisons without
 * a value (a Filter built by hand, not through toFilter) match nothing; a missing or null attribute
 * is absent; on traces, operation_name / name other than equals read the root's name; and only a
 * service filter pairs with an operation filter (one span with both), a trace-level filter does not.
 */
import { describe, expect, it } from "vitest";
import type { Filter, Operator, ValueType } from "../../src/domain/filter.js";
import { assembleTrace, createSpan, type Span } from "../../src/domain/trace.js";
import { spanMatches, traceMatches } from "../../src/query/filter-engine.js";

const span = (over: Partial<Span> = {}): Span => ({
  ...createSpan({ traceId: "t1", spanId: "s1", operationName: "llm", serviceName: "svc", startTimeUs: 1_000_000, durationMs: 10, attributes: { n: 5, b: true, s: "abc" } }),
  ...over,
});

const bare = (field: string, operator: Operator, valueType: ValueType): Filter => ({ field, operator, valueType });

describe("a comparison without a value matches nothing", () => {
  it.each([
    ["n", "equals", "number"],
    ["n", "not_equals", "number"],
    ["n", "gt", "number"],
    ["n", "lt", "number"],
    ["n", "gte", "number"],
    ["n", "lte", "number"],
    ["b", "equals", "boolean"],
    ["b", "not_equals", "boolean"],
  ] as Array<[string, Operator, ValueType]>)("%s %s (%s)", (field, operator, valueType) => {
    expect(spanMatches(span(), [bare(field, operator, valueType)])).toBe(false);
    expect(spanMatches(span(), [{ ...bare(field, operator, valueType), value: null }])).toBe(false);
  });

  it("between needs both bounds; in / not_in without a list read as an empty list", () => {
    expect(spanMatches(span(), [{ field: "n", operator: "between", values: [1], valueType: "number" }])).toBe(false);
    expect(spanMatches(span(), [{ field: "n", operator: "between", values: [1, 9], valueType: "number" }])).toBe(true);
    expect(spanMatches(span(), [bare("n", "in", "number")])).toBe(false);
    expect(spanMatches(span(), [bare("n", "not_in", "number")])).toBe(true);
    expect(spanMatches(span(), [bare("s", "in", "string")])).toBe(false);
    expect(spanMatches(span(), [bare("s", "not_in", "string")])).toBe(true);
  });

  it("a string operator without a value compares with the empty string", () => {
    expect(spanMatches(span(), [bare("s", "contains", "string")])).toBe(true);
    expect(spanMatches(span(), [bare("s", "equals", "string")])).toBe(false);
    expect(spanMatches(span(), [{ ...bare("s", "not_equals", "string"), value: null }])).toBe(true);
  });
});

describe("absent attributes", () => {
  it("a missing or null attribute does not exist and matches no comparison", () => {
    const withNull = span({ attributes: { gone: null } });
    expect(spanMatches(withNull, [bare("gone", "exists", "string")])).toBe(false);
    expect(spanMatches(withNull, [bare("gone", "not_exists", "string")])).toBe(true);
    expect(spanMatches(span(), [bare("missing", "exists", "string")])).toBe(false);
    expect(spanMatches(span(), [{ field: "missing", operator: "not_equals", value: "x", valueType: "string" }])).toBe(false);
  });
});

describe("trace-level operation and pairing", () => {
  const trace = assembleTrace("t1", [
    createSpan({ traceId: "t1", spanId: "r", operationName: "root", serviceName: "api", startTimeUs: 0, durationMs: 1000 }),
    createSpan({ traceId: "t1", spanId: "c", parentSpanId: "r", operationName: "llm", serviceName: "api", startTimeUs: 1000, durationMs: 5 }),
  ])!;

  it("operation_name and name with other operators than equals read the root's name", () => {
    for (const field of ["operation_name", "name"]) {
      expect(traceMatches(trace, [{ field, operator: "starts_with", value: "ll", valueType: "string" }]), field).toBe(false);
      expect(traceMatches(trace, [{ field, operator: "starts_with", value: "ro", valueType: "string" }]), field).toBe(true);
    }
  });

  it("a trace-level filter before an operation equals is not paired with it on one span", () => {
    // The trace lasts 1000 ms; its llm span 5 ms.
    const longTrace: Filter = { field: "duration", operator: "gt", value: 500, valueType: "number" };
    const llm: Filter = { field: "operation_name", operator: "equals", value: "llm", valueType: "string" };
    expect(traceMatches(trace, [longTrace, llm])).toBe(true);
    // A service filter is paired: one span of api named llm exists; none of "other".
    expect(traceMatches(trace, [{ field: "service.name", operator: "equals", value: "api", valueType: "string" }, llm])).toBe(true);
    expect(traceMatches(trace, [{ field: "service.name", operator: "equals", value: "other", valueType: "string" }, llm])).toBe(false);
  });
});
