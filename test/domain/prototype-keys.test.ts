/**
 * Attribute keys come from whoever sends spans: names of Object.prototype members ("__proto__",
 * "constructor", "toString") are ordinary keys, present only when a span sets them.
 */
import { describe, expect, it } from "vitest";
import { attrString, normalizeAttributes } from "../../src/domain/attributes.js";
import { createSpan } from "../../src/domain/trace.js";
import { spanFieldValue } from "../../src/analytics/fields.js";
import { spanMatches } from "../../src/query/filter-engine.js";

const span = (attributes: Record<string, unknown>) =>
  createSpan({ traceId: "a".repeat(32), spanId: "b".repeat(16), operationName: "op", serviceName: "svc", startTimeUs: 1, durationMs: 1, attributes });

describe("attribute keys named like Object.prototype members", () => {
  it("keeps __proto__ and constructor as own attributes with their values", () => {
    const raw = JSON.parse('{"__proto__": "p", "constructor": "c", "nested": {"__proto__": 1}}') as Record<string, unknown>;
    const attrs = normalizeAttributes(raw);
    expect(Object.keys(attrs).sort()).toEqual(["__proto__", "constructor", "nested"]);
    expect(Object.getOwnPropertyDescriptor(attrs, "__proto__")?.value).toBe("p");
    expect(attrs.constructor).toBe("c");
    expect(Object.keys(attrs.nested as object)).toEqual(["__proto__"]);
    expect(Object.getPrototypeOf(attrs)).toBe(Object.prototype);
  });

  it("reads an absent constructor/toString as absent", () => {
    const attrs = normalizeAttributes({ a: 1 });
    expect(attrString(attrs, "constructor")).toBeUndefined();
    const s = span({ a: 1 });
    expect(spanFieldValue(s, "toString")).toBeNull();
    expect(spanMatches(s, [{ field: "constructor", operator: "exists", valueType: "string" }])).toBe(false);
    expect(spanMatches(s, [{ field: "hasOwnProperty", operator: "not_exists", valueType: "string" }])).toBe(true);
    expect(spanMatches(span({ constructor: "x" }), [{ field: "constructor", operator: "equals", value: "x", valueType: "string" }])).toBe(true);
  });
});
