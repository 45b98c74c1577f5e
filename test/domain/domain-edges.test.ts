/**
 * Edges of the domain helpers that the table tests did not pin (found by mutation testing):
 * integer-only coercion, nested and null attribute values, how filters and ids are quoted in
 * messages at the 64-character cut.
 */
import { describe, expect, it } from "vitest";
import { normalizeAttributes, toInt } from "../../src/domain/attributes.js";
import { describeFilter, toFilter } from "../../src/domain/filter.js";
import { quoteTraceId } from "../../src/domain/trace-id.js";

describe("attribute coercion", () => {
  it("toInt takes whole numbers only", () => {
    expect([toInt(3), toInt("3"), toInt(1.5), toInt("2.5"), toInt(true)]).toEqual([3, 3, undefined, undefined, undefined]);
  });

  it("a well-known integer key keeps a non-integer text as it came, rather than reading it as a float", () => {
    expect(normalizeAttributes({ "gen_ai.usage.prompt_tokens": "1.5" })).toEqual({ "gen_ai.usage.prompt_tokens": "1.5" });
    expect(normalizeAttributes({ "gen_ai.usage.prompt_tokens": "12" })).toEqual({ "gen_ai.usage.prompt_tokens": 12 });
  });

  it("keeps booleans and strings as they are, drops null values at every level (the keys too)", () => {
    const out = normalizeAttributes({ flag: true, text: "t", gone: null, nested: { a: null, b: 1, c: { d: undefined, e: false } } });
    expect(out).toEqual({ flag: true, text: "t", nested: { b: 1, c: { e: false } } });
    expect(Object.keys(out)).toEqual(["flag", "text", "nested"]);
    expect(Object.keys(out.nested as object)).toEqual(["b", "c"]);
    expect(Object.keys((out.nested as { c: object }).c)).toEqual(["e"]);
  });
});

describe("filters in messages", () => {
  it("describeFilter shows a value or a list, and nothing for presence operators or a null value", () => {
    expect(describeFilter({ field: "error.type", operator: "exists", valueType: "string" })).toBe("error.type exists");
    expect(describeFilter({ field: "error.type", operator: "exists", value: null, valueType: "string" })).toBe("error.type exists");
    expect(describeFilter({ field: "duration", operator: "between", values: [1, 2], valueType: "number" })).toBe("duration between [1,2]");
    expect(describeFilter({ field: "x", operator: "equals", value: false, valueType: "boolean" })).toBe("x equals false");
  });

  it("a bad value is quoted whole up to 64 characters of JSON, then cut with the count of the rest", () => {
    const bad = (value: string) => {
      try {
        toFilter({ field: "duration", operator: "gt", value, value_type: "number" });
      } catch (err) {
        return (err as Error).message;
      }
      throw new Error("accepted");
    };
    const v62 = "x".repeat(62); // JSON: 64 characters with the quotes
    expect(bad(v62)).toBe(`Value "${v62}" is not a number, but value_type is 'number'`);
    const v63 = "y".repeat(63);
    expect(bad(v63)).toBe(`Value "${v63}…(1 more) is not a number, but value_type is 'number'`);
  });

  it("a trace id in a message is cut after 64 characters", () => {
    expect(quoteTraceId("a".repeat(64))).toBe("a".repeat(64));
    expect(quoteTraceId("b".repeat(65))).toBe(`${"b".repeat(64)}…`);
  });
});
