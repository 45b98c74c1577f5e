/**
 * Attribute bags <-> the exporter's Map(String, String) plus a type map. Map values are what the
 * filter engine compares as strings (strings verbatim, numbers and booleans as JavaScript prints
 * them, arrays and objects as JSON), so SQL on the map has the engine's semantics. The type map
 * names the JSON type of every non-string value, which makes the round trip exact.
 */
import type { AttributeValue, Attributes } from "../domain/attributes.js";

/** Type codes in AttributeTypes; strings have none. */
export type AttributeType = "int" | "double" | "bool" | "json";

export type StringMap = Record<string, string>;
export type TypeMap = Record<string, AttributeType>;

/** The engine's string rendering of a value (filter-engine.ts asString). */
export function attributeString(v: AttributeValue): string {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return JSON.stringify(v);
}

function typeOf(v: AttributeValue): AttributeType | undefined {
  if (typeof v === "string") return undefined;
  if (typeof v === "number") return Number.isInteger(v) ? "int" : "double";
  if (typeof v === "boolean") return "bool";
  return "json";
}

export interface EncodedAttributes {
  map: StringMap;
  /** Undefined when every value is a string. */
  types?: TypeMap;
}

/**
 * Null-prototype objects: an attribute named "__proto__" must stay an attribute. Null values are
 * dropped (the engine treats them as missing, and the exporter's map cannot hold them).
 */
export function encodeAttributes(attrs: Attributes, into: StringMap = Object.create(null) as StringMap): EncodedAttributes {
  let types: TypeMap | undefined;
  for (const [key, value] of Object.entries(attrs)) {
    // Null is missing to the engine; anything JSON cannot hold (a function) is not an attribute.
    if (value === null || value === undefined || typeof value === "function" || typeof value === "symbol") continue;
    into[key] = attributeString(value);
    const t = typeOf(value);
    if (t) (types ??= Object.create(null) as TypeMap)[key] = t;
  }
  return types ? { map: into, types } : { map: into };
}

function decodeValue(s: string, t: AttributeType | undefined): AttributeValue {
  switch (t) {
    case undefined:
      return s;
    case "int":
    case "double":
      return Number(s);
    case "bool":
      return s === "true";
    case "json":
      return JSON.parse(s) as AttributeValue;
    default: {
      const never: never = t;
      return never;
    }
  }
}

export function decodeAttributes(map: Readonly<Record<string, string>> | null | undefined, types: Readonly<TypeMap> | undefined, skip?: string): Attributes {
  const out: Attributes = {};
  if (!map) return out;
  for (const [key, s] of Object.entries(map)) {
    if (key === skip) continue;
    const type = types && Object.hasOwn(types, key) ? types[key] : undefined;
    Object.defineProperty(out, key, { value: decodeValue(s, type), enumerable: true, writable: true, configurable: true });
  }
  return out;
}
