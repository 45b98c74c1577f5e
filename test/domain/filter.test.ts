import { describe, expect, it } from "vitest";
import {
  canonicalField,
  describeFilter,
  eq,
  filterInputSchema,
  OPERATORS,
  toFilter,
  type FilterInput,
  type Operator,
} from "../../src/domain/filter.js";

const base = { field: "f" };

describe("toFilter: value / values requirements per operator", () => {
  const VALUE_OPERATORS: Array<[Operator, string | number]> = [
    ["equals", "x"],
    ["not_equals", "x"],
    ["contains", "x"],
    ["not_contains", "x"],
    ["starts_with", "x"],
    ["ends_with", "x"],
    ["gt", 1],
    ["lt", 1],
    ["gte", 1],
    ["lte", 1],
  ];

  it.each(VALUE_OPERATORS)("%s without value -> \"requires 'value' field\"", (operator) => {
    expect(() => toFilter({ ...base, operator })).toThrow(`Operator '${operator}' requires 'value' field`);
    expect(() => toFilter({ ...base, operator, value: null })).toThrow(`Operator '${operator}' requires 'value' field`);
    // A list does not stand in for the single value.
    expect(() => toFilter({ ...base, operator, values: ["x"] })).toThrow(`Operator '${operator}' requires 'value' field`);
  });

  it.each(VALUE_OPERATORS)("%s with a value is accepted", (operator, value) => {
    expect(toFilter({ ...base, operator, value })).toMatchObject({ field: "f", operator, value });
  });

  it.each([
    ["equals", ""],
    ["equals", 0],
    ["equals", false],
  ] as Array<[Operator, string | number | boolean]>)("%s accepts the falsy value %j", (operator, value) => {
    expect(toFilter({ ...base, operator, value }).value).toBe(value);
  });

  it.each(["in", "not_in", "between"] as const)("%s without values -> \"requires 'values' field\"", (operator) => {
    const msg = `Operator '${operator}' requires 'values' field (a non-empty array)`;
    expect(() => toFilter({ ...base, operator, value_type: "number" })).toThrow(msg);
    expect(() => toFilter({ ...base, operator, values: null, value_type: "number" })).toThrow(msg);
    expect(() => toFilter({ ...base, operator, values: [], value_type: "number" })).toThrow(msg);
    expect(() => toFilter({ ...base, operator, value: 1 })).toThrow(msg);
  });

  it.each([[[1]], [[1, 2, 3]]])("between with %j -> \"exactly 2 values\"", (values) => {
    expect(() => toFilter({ ...base, operator: "between", values })).toThrow("Operator 'between' requires exactly 2 values: [low, high]");
  });

  it.each([
    ["in", ["a"]],
    ["not_in", ["a", "b"]],
    ["between", [5, 1]],
  ] as Array<[Operator, Array<string | number>]>)("%s with values %j is accepted", (operator, values) => {
    expect(toFilter({ ...base, operator, values }).values).toEqual(values);
  });

  it.each(["exists", "not_exists"] as const)("%s rejects value and values", (operator) => {
    const msg = `Operator '${operator}' does not accept value or values; remove them`;
    expect(() => toFilter({ ...base, operator, value: "x" })).toThrow(msg);
    expect(() => toFilter({ ...base, operator, value: false })).toThrow(msg);
    expect(() => toFilter({ ...base, operator, values: [] })).toThrow(msg);
    expect(() => toFilter({ ...base, operator, values: ["x"] })).toThrow(msg);
    expect(toFilter({ ...base, operator, value: null, values: null })).toEqual({ field: "f", operator, valueType: "string" });
  });

  it("covers all 15 operators", () => {
    expect(OPERATORS).toHaveLength(15);
  });
});

describe("toFilter: value_type inference", () => {
  it.each([
    [{ operator: "equals", value: "x" }, "string"],
    [{ operator: "equals", value: 5 }, "number"],
    [{ operator: "equals", value: 0 }, "number"],
    [{ operator: "equals", value: true }, "boolean"],
    [{ operator: "equals", value: false }, "boolean"],
    [{ operator: "in", values: [1, 2] }, "number"],
    [{ operator: "in", values: ["a", 2] }, "string"],
    [{ operator: "between", values: [1, 2] }, "number"],
    [{ operator: "exists" }, "string"],
    // An explicit value_type wins over the JSON type of the value.
    [{ operator: "equals", value: 5, value_type: "string" }, "string"],
    [{ operator: "gt", value: "5", value_type: "number" }, "number"],
    [{ operator: "equals", value: "false", value_type: "boolean" }, "boolean"],
  ] as Array<[Omit<FilterInput, "field">, string]>)("%j -> %s", (input, expected) => {
    expect(toFilter({ field: "f", ...input }).valueType).toBe(expected);
  });
});

describe("toFilter: operator / value_type compatibility", () => {
  const STRING_ALLOWED = "equals, not_equals, contains, not_contains, starts_with, ends_with, in, not_in, exists, not_exists";
  const NUMBER_ALLOWED = "equals, not_equals, gt, lt, gte, lte, between, in, not_in, exists, not_exists";
  const BOOLEAN_ALLOWED = "equals, not_equals, exists, not_exists";

  it.each([
    [{ operator: "gt", value: "a" }, "gt", "string", STRING_ALLOWED],
    [{ operator: "lt", value: "a" }, "lt", "string", STRING_ALLOWED],
    [{ operator: "gte", value: "a" }, "gte", "string", STRING_ALLOWED],
    [{ operator: "lte", value: "a" }, "lte", "string", STRING_ALLOWED],
    [{ operator: "between", values: ["a", "b"] }, "between", "string", STRING_ALLOWED],
    [{ operator: "contains", value: 5 }, "contains", "number", NUMBER_ALLOWED],
    [{ operator: "not_contains", value: 5 }, "not_contains", "number", NUMBER_ALLOWED],
    [{ operator: "starts_with", value: 5 }, "starts_with", "number", NUMBER_ALLOWED],
    [{ operator: "ends_with", value: 5 }, "ends_with", "number", NUMBER_ALLOWED],
    [{ operator: "contains", value: true }, "contains", "boolean", BOOLEAN_ALLOWED],
    [{ operator: "gt", value: true }, "gt", "boolean", BOOLEAN_ALLOWED],
    [{ operator: "in", values: [true] }, "in", "boolean", BOOLEAN_ALLOWED],
    [{ operator: "not_in", values: [false] }, "not_in", "boolean", BOOLEAN_ALLOWED],
    [{ operator: "between", values: [true, false] }, "between", "boolean", BOOLEAN_ALLOWED],
  ] as Array<[Omit<FilterInput, "field">, string, string, string]>)("%j is rejected", (input, op, type, allowed) => {
    expect(() => toFilter({ field: "f", ...input })).toThrow(`Operator '${op}' cannot be used with value_type '${type}'; allowed: ${allowed}`);
  });

  it.each([
    [{ operator: "equals", value: "abc", value_type: "number" }, '"abc"', "number"],
    [{ operator: "gt", value: "0x10", value_type: "number" }, '"0x10"', "number"],
    [{ operator: "in", values: [1, "two"], value_type: "number" }, '"two"', "number"],
    [{ operator: "between", values: [1, true] }, "true", "number"],
    [{ operator: "equals", value: "maybe", value_type: "boolean" }, '"maybe"', "boolean"],
    [{ operator: "not_equals", value: 2, value_type: "boolean" }, "2", "boolean"],
  ] as Array<[Omit<FilterInput, "field">, string, string]>)("%j: a value the comparison cannot read is rejected", (input, shown, type) => {
    expect(() => toFilter({ field: "f", ...input })).toThrow(`Value ${shown} is not a`);
    expect(() => toFilter({ field: "f", ...input })).toThrow(`but value_type is '${type}'`);
  });

  it.each([
    [{ operator: "gt", value: "1500", value_type: "number" }],
    [{ operator: "in", values: ["1", 2.5], value_type: "number" }],
    [{ operator: "equals", value: "no", value_type: "boolean" }],
    [{ operator: "equals", value: 1, value_type: "boolean" }],
  ] as Array<[Omit<FilterInput, "field">]>)("%j: numeric strings and boolean words are accepted", (input) => {
    expect(() => toFilter({ field: "f", ...input })).not.toThrow();
  });
});

describe("toFilter: output", () => {
  it.each([
    ["duration_ms", "duration"],
    ["duration", "duration"],
    ["gen_ai.request.model", "gen_ai.request.model"],
    ["name", "name"],
  ])("field %s -> %s", (field, expected) => {
    expect(toFilter({ field, operator: "exists" }).field).toBe(expected);
    expect(canonicalField(field)).toBe(expected);
  });

  it("copies values rather than sharing the caller's array", () => {
    const values = [1, 2];
    const f = toFilter({ field: "duration_ms", operator: "between", values });
    values.push(3);
    expect(f).toEqual({ field: "duration", operator: "between", values: [1, 2], valueType: "number" });
  });

  it("keeps value and values exactly as given (no coercion at validation time)", () => {
    expect(toFilter({ field: "x", operator: "gt", value: "10", value_type: "number" })).toEqual({
      field: "x",
      operator: "gt",
      value: "10",
      valueType: "number",
    });
  });
});

describe("filterInputSchema", () => {
  it("accepts the documented shape and the optional value_type", () => {
    const parsed = filterInputSchema.parse({ field: "a", operator: "equals", value: "b", value_type: "string" });
    expect(toFilter(parsed)).toEqual({ field: "a", operator: "equals", value: "b", valueType: "string" });
  });

  it.each([
    [{ field: "", operator: "equals", value: "x" }],
    [{ field: "a", operator: "like", value: "x" }],
    [{ field: "a", operator: "equals", value: "x", value_type: "date" }],
    [{ field: "a", operator: "equals", value: { nested: 1 } }],
    [{ field: "a", operator: "in", values: [["nested"]] }],
    [{ field: "a", operator: "equals", value: "x", extra: 1 }],
  ])("rejects %j", (input) => {
    expect(filterInputSchema.safeParse(input).success).toBe(false);
  });
});

describe("eq / describeFilter", () => {
  it("eq builds an equals filter, string by default", () => {
    expect(eq("service.name", "api")).toEqual({ field: "service.name", operator: "equals", value: "api", valueType: "string" });
    expect(eq("x", 3, "number")).toEqual({ field: "x", operator: "equals", value: 3, valueType: "number" });
  });

  it.each([
    [{ field: "a", operator: "equals", value: "b", valueType: "string" }, 'a equals "b"'],
    [{ field: "d", operator: "between", values: [1, 2], valueType: "number" }, "d between [1,2]"],
    [{ field: "a", operator: "exists", valueType: "string" }, "a exists"],
    [{ field: "a", operator: "equals", value: false, valueType: "boolean" }, "a equals false"],
  ] as const)("%j -> %s", (f, expected) => {
    expect(describeFilter({ ...f, values: "values" in f ? [...f.values] : undefined })).toBe(expected);
  });
});
