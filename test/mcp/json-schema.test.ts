/**
 * The lean listing schemas: input schemas validate what the full ones validate; output schemas
 * check every top-level key's type (with Ajv, the validator the SDK clients use) and stop there,
 * carrying none of what constrains nothing.
 */
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { dropVacuous, jsonSchema, portableTypes, shareRepeats, splitTypeArrays, topLevelTypes } from "../../src/mcp/json-schema.js";

// Ajv as the SDK's client resolves it (2020-12 build, since the listing is 2020-12).
const require = createRequire(import.meta.resolve("@modelcontextprotocol/sdk/client/index.js"));
const Ajv2020 = require("ajv/dist/2020").default as new (o: object) => { compile(s: object): ((v: unknown) => boolean) & { errors?: unknown } };
const ajv = new Ajv2020({ strict: false, allErrors: true });

describe("output schemas", () => {
  const stats = z.object({ mean: z.number(), p95: z.number(), p99: z.number(), median: z.number(), p50: z.number() });
  const schema = z.object({
    count: z.number().int(),
    name: z.string().nullable(),
    stats_a: stats,
    stats_b: stats,
    attrs: z.record(z.string(), z.unknown()),
    notes: z.array(z.string()).optional().describe("how it was obtained"),
    window: z.object({ start_time: z.string(), end_time: z.string() }).optional(),
  });
  const lean = jsonSchema(schema, "output") as Record<string, any>;

  it("accepts the answers the zod schema accepts and rejects wrong top-level types", () => {
    const validate = ajv.compile(lean);
    const good = { count: 3, name: null, stats_a: { mean: 1, p95: 2, p99: 3, median: 1, p50: 1 }, stats_b: { mean: 0, p95: 0, p99: 0, median: 0, p50: 0 }, attrs: { a: [1], b: "x" }, notes: ["n"], window: { start_time: "a", end_time: "b" } };
    expect(schema.safeParse(good).success).toBe(true);
    expect(validate(good)).toBe(true);
    expect(validate({ ...good, count: 1.5 })).toBe(false);
    expect(validate({ ...good, name: 5 })).toBe(false);
    expect(validate({ ...good, stats_b: "x" })).toBe(false);
    expect(validate({ ...good, notes: [1] })).toBe(false);
    expect(validate({ ...good, notes: "not a list" })).toBe(false);
  });

  it("declares top-level keys by type, spells nullable as anyOf, drops descriptions, safe-integer bounds and empty schemas", () => {
    expect(lean.properties.stats_a).toEqual({ type: "object" });
    expect(lean.properties.name).toEqual({ anyOf: [{ type: "string" }, { type: "null" }] });
    expect(lean.properties.count).toEqual({ type: "integer" });
    expect(lean.properties.attrs).toEqual({ type: "object" });
    expect(lean.properties.notes).toEqual({ type: "array", items: { type: "string" } });
    expect(lean.properties.window).toEqual({ type: "object" });
    expect(JSON.stringify(lean)).not.toMatch(/description|additionalProperties":false|"required"|9007199254740991/);
  });

  it("leaves a schema without repeats as it is, and a property named 'description' in place", () => {
    const plain = { type: "object", properties: { description: { type: "string" } } };
    expect(shareRepeats(plain)).toEqual(plain);
    expect(jsonSchema(z.object({ description: z.string().describe("the text") }), "output")).toEqual(plain);
  });
});

describe("input schemas", () => {
  const schema = z.strictObject({
    limit: z.number().int().min(1).max(1000).default(10).describe("Max items."),
    service_name: z.string().min(1).max(512).optional().describe("Service."),
    values: z.array(z.string()).nullable().optional().describe("Values."),
    tags: z.record(z.string(), z.string()).optional().describe("Tags."),
  });
  const lean = jsonSchema(schema, "input") as Record<string, any>;

  it("keeps descriptions and real bounds, and drops length limits, null branches and string property names", () => {
    expect(lean.properties.limit).toEqual({ default: 10, description: "Max items.", type: "integer", minimum: 1, maximum: 1000 });
    expect(lean.properties.service_name).toEqual({ description: "Service.", type: "string" });
    expect(lean.properties.values).toEqual({ description: "Values.", type: "array", items: { type: "string" } });
    expect(lean.properties.tags).toEqual({ description: "Tags.", type: "object", additionalProperties: { type: "string" } });
    expect(lean.additionalProperties).toBe(false);
    expect(JSON.stringify(lean)).not.toContain("$ref");
  });
});

describe("the pieces", () => {
  it("splitTypeArrays keeps or drops the null branch", () => {
    expect(splitTypeArrays({ type: ["string", "null"] }, { keepNull: true })).toEqual({ anyOf: [{ type: "string" }, { type: "null" }] });
    expect(splitTypeArrays({ type: ["string", "null"] }, { keepNull: false })).toEqual({ type: "string" });
    expect(portableTypes({ anyOf: [{ type: "integer" }, { type: "null" }], description: "d" })).toEqual({ type: "integer", description: "d" });
  });

  it("dropVacuous removes only what constrains nothing", () => {
    expect(dropVacuous({ type: "integer", minimum: -9007199254740991, maximum: 9007199254740991 })).toEqual({ type: "integer" });
    expect(dropVacuous({ type: "integer", minimum: 0, maximum: 10 })).toEqual({ type: "integer", minimum: 0, maximum: 10 });
    expect(dropVacuous({ type: "object", propertyNames: { type: "string" }, additionalProperties: {} })).toEqual({ type: "object" });
    expect(dropVacuous({ type: "object", propertyNames: { pattern: "^a" }, additionalProperties: { type: "string" } })).toEqual({
      type: "object",
      propertyNames: { pattern: "^a" },
      additionalProperties: { type: "string" },
    });
  });

  it("topLevelTypes keeps each key's type, enum and item type, and nothing below", () => {
    const s = {
      type: "object",
      properties: {
        status: { type: "string", enum: ["OK", "ERROR"] },
        traces: { type: "array", items: { type: "object", properties: { window: { type: "object", properties: {} } } } },
        cost: { anyOf: [{ type: "number", minimum: 0 }, { type: "null" }] },
      },
    };
    expect(topLevelTypes(s)).toEqual({
      type: "object",
      properties: { status: { type: "string", enum: ["OK", "ERROR"] }, traces: { type: "array", items: { type: "object" } }, cost: { anyOf: [{ type: "number" }, { type: "null" }] } },
    });
  });

  it("shareRepeats hoists a repeat only when that saves bytes", () => {
    const nullableNumber = { anyOf: [{ type: "number" }, { type: "null" }] };
    const three = { type: "object", properties: { a: nullableNumber, b: nullableNumber, c: nullableNumber } };
    const shared = shareRepeats(three) as Record<string, any>;
    expect(shared.properties.a).toEqual({ $ref: "#/$defs/s1" });
    expect(shared.$defs.s1).toEqual(nullableNumber);
    expect(JSON.stringify(shared).length).toBeLessThan(JSON.stringify(three).length);
    const two = { type: "object", properties: { a: nullableNumber, b: nullableNumber } };
    expect(shareRepeats(two)).toEqual(two);
  });
});
