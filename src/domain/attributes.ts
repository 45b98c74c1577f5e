/**
 * Attribute bags. The original validates a fixed set of well-known keys into typed fields
 * (pydantic lax mode: "223" -> 223, "false" -> false); everything else is kept verbatim.
 * We do the same coercion once, when a span is built, but leniently: a value that cannot be
 * coerced is kept as it came (the original dropped the whole span instead).
 */
export type AttributeValue =
  | string
  | number
  | boolean
  | null
  | readonly AttributeValue[]
  | { readonly [key: string]: AttributeValue };

export type Attributes = Record<string, AttributeValue>;

type Kind = "string" | "int" | "float" | "bool" | "stringList";

/** Well-known keys and the type the original coerces them to. */
export const TYPED_ATTRIBUTE_KEYS: Readonly<Record<string, Kind>> = {
  "gen_ai.system": "string",
  "gen_ai.request.model": "string",
  "gen_ai.response.model": "string",
  "gen_ai.operation.name": "string",
  "gen_ai.request.temperature": "float",
  "gen_ai.request.top_p": "float",
  "gen_ai.request.max_tokens": "int",
  "gen_ai.request.is_streaming": "bool",
  "gen_ai.response.finish_reasons": "stringList",
  "gen_ai.usage.prompt_tokens": "int",
  "gen_ai.usage.input_tokens": "int",
  "gen_ai.usage.completion_tokens": "int",
  "gen_ai.usage.output_tokens": "int",
  "gen_ai.usage.total_tokens": "int",
  "llm.vendor": "string",
  "llm.request.model": "string",
  "llm.response.finish_reasons": "stringList",
  "llm.usage.prompt_tokens": "int",
  "llm.usage.input_tokens": "int",
  "llm.usage.completion_tokens": "int",
  "llm.usage.output_tokens": "int",
  "llm.usage.total_tokens": "int",
  "service.name": "string",
  "otel.status_code": "string",
  error: "bool",
};

const TRUE_WORDS = new Set(["true", "1", "yes", "y", "on", "t"]);
const FALSE_WORDS = new Set(["false", "0", "no", "n", "off", "f"]);

/** Decimal notation only: Number() would also read "0x1A", "0b11" and "0o7", which Python does not. */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;

export function toNumber(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value === "string" && DECIMAL.test(value.trim())) {
    const n = Number(value.trim());
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

export function toInt(value: unknown): number | undefined {
  if (typeof value === "boolean") return undefined;
  const n = toNumber(value);
  return n !== undefined && Number.isInteger(n) ? n : undefined;
}

export function toBool(value: unknown): boolean | undefined {
  if (typeof value === "boolean") return value;
  if (value === 0 || value === 1) return value === 1;
  if (typeof value === "string") {
    const v = value.trim().toLowerCase();
    if (TRUE_WORDS.has(v)) return true;
    if (FALSE_WORDS.has(v)) return false;
  }
  return undefined;
}

/** Accepts an array, a JSON array string (how Jaeger renders array attributes) or "a, b". */
export function toStringList(value: unknown): string[] | undefined {
  if (Array.isArray(value)) return value.map((v) => String(v));
  if (typeof value === "string") {
    const trimmed = value.trim();
    if (trimmed.startsWith("[")) {
      try {
        const parsed: unknown = JSON.parse(trimmed);
        if (Array.isArray(parsed)) return parsed.map((v) => String(v));
      } catch {
        // not JSON: fall through to comma splitting
      }
    }
    return trimmed === "" ? [] : trimmed.split(",").map((p) => p.trim()).filter((p) => p !== "");
  }
  return undefined;
}

function coerce(kind: Kind, value: unknown): AttributeValue | undefined {
  switch (kind) {
    case "string":
      return typeof value === "string" ? value : typeof value === "number" || typeof value === "boolean" ? String(value) : undefined;
    case "int":
      return toInt(value);
    case "float":
      return toNumber(value);
    case "bool":
      return toBool(value);
    case "stringList":
      return toStringList(value);
    default: {
      const never: never = kind;
      return never;
    }
  }
}

function toAttributeValue(value: unknown): AttributeValue | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : String(value);
  if (typeof value === "bigint") return Number(value);
  if (Array.isArray(value)) return value.map((v) => toAttributeValue(v) ?? null);
  if (typeof value === "object") {
    const out: Record<string, AttributeValue> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const av = toAttributeValue(v);
      if (av !== undefined) setOwn(out, k, av);
    }
    return out;
  }
  return String(value);
}

/**
 * Sets `key` as an own property even when it is "__proto__" (plain assignment would set the
 * prototype and lose the attribute): attribute keys come from whoever sends spans.
 */
function setOwn<T>(out: Record<string, T>, key: string, value: T): void {
  if (key === "__proto__") Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  else out[key] = value;
}

/** Drops null/undefined values and coerces well-known keys; unknown keys are kept verbatim. */
export function normalizeAttributes(raw: Record<string, unknown>): Attributes {
  const out: Attributes = {};
  for (const [key, value] of Object.entries(raw)) {
    const base = toAttributeValue(value);
    if (base === undefined) continue;
    // Own keys only: "constructor" or "toString" must not read Object.prototype's members as a kind.
    const kind = Object.hasOwn(TYPED_ATTRIBUTE_KEYS, key) ? TYPED_ATTRIBUTE_KEYS[key] : undefined;
    if (kind) {
      const typed = coerce(kind, value);
      setOwn(out, key, typed === undefined ? base : typed);
    } else {
      setOwn(out, key, base);
    }
  }
  return out;
}

/** An own attribute's value: "constructor" is absent unless a span set it. */
export function ownAttribute(attrs: Attributes, key: string): AttributeValue | undefined {
  return Object.hasOwn(attrs, key) ? attrs[key] : undefined;
}

/** Typed readers: undefined when absent or not coercible. */
export function attrString(attrs: Attributes, key: string): string | undefined {
  const v = ownAttribute(attrs, key);
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return undefined;
}

export function attrInt(attrs: Attributes, key: string): number | undefined {
  return toInt(ownAttribute(attrs, key));
}

export function attrNumber(attrs: Attributes, key: string): number | undefined {
  return toNumber(ownAttribute(attrs, key));
}

export function attrBool(attrs: Attributes, key: string): boolean | undefined {
  return toBool(ownAttribute(attrs, key));
}

export function attrStringList(attrs: Attributes, key: string): string[] | undefined {
  return toStringList(ownAttribute(attrs, key));
}
