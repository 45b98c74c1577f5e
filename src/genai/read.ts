/**
 * The TypeScript interpreter of the mapping table (conventions.ts): convention detection, the
 * LLM-call rule, and the first-present readers for strings, counts, operations and tokens. sql.ts is
 * the SQL interpreter of the same table; the two must agree value for value (test/genai/sql.test.ts).
 *
 * Value rules, shared with the SQL side: a key is present when its value is not null; a string source
 * is taken when non-empty; a count is taken when it is a positive integer below 2^53 (0 counts as not
 * reported, as in the original server), so booleans, floats and junk never become tokens.
 */
import { toNumber, type Attributes } from "../domain/attributes.js";
import {
  CONVENTION_KEYS,
  CONVENTION_MARKERS,
  CONVENTIONS,
  GEN_AI_CALL_KEYS,
  NON_CALL_OPERATIONS,
  OPENINFERENCE_CALL_KINDS,
  TOKEN_ADJUSTMENTS,
  TOKEN_FIELDS,
  TRACELOOP_NON_CALL_KINDS,
  VERCEL_CALL_OPERATION_IDS,
  type Convention,
  type KeySource,
  type TokenAdjustment,
  type TokenField,
} from "./conventions.js";
import { asciiLower, PROVIDER_PREFIX_SEPARATORS } from "./providers.js";

export function present(attrs: Attributes, key: string): boolean {
  const v = attrs[key];
  return v !== undefined && v !== null;
}

/** A scalar attribute as text (numbers and booleans rendered as JavaScript does). */
export function scalarString(attrs: Attributes, key: string): string | undefined {
  const v = attrs[key];
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return undefined;
}

/** First non-empty string among the keys. */
export function firstString(attrs: Attributes, keys: readonly string[]): string | undefined {
  for (const key of keys) {
    const v = scalarString(attrs, key);
    if (v) return v;
  }
  return undefined;
}

const MAX_COUNT = 2 ** 53;

/** A token count: a positive integer below 2^53, as a number or numeric string (booleans never). */
export function count(value: unknown): number | undefined {
  if (typeof value === "boolean") return undefined;
  const n = toNumber(value);
  return n !== undefined && n > 0 && n < MAX_COUNT && Number.isInteger(n) ? n : undefined;
}

export function firstCount(attrs: Attributes, keys: readonly string[]): number | undefined {
  for (const key of keys) {
    const v = count(attrs[key]);
    if (v !== undefined) return v;
  }
  return undefined;
}

export function detectConvention(attrs: Attributes): Convention | undefined {
  for (const convention of CONVENTIONS) {
    if (CONVENTION_MARKERS[convention].some((k) => present(attrs, k))) return convention;
  }
  return undefined;
}

const lowerOf = (attrs: Attributes, key: string): string | undefined => {
  const v = scalarString(attrs, key);
  return v === undefined ? undefined : asciiLower(v);
};

/** The LLM-call rule of conventions.ts: true for the spans that are counted as model calls. */
export function isCallSpan(attrs: Attributes, convention: Convention): boolean {
  switch (convention) {
    case "vercel_ai": {
      const id = scalarString(attrs, "ai.operationId");
      return id !== undefined && (VERCEL_CALL_OPERATION_IDS as readonly string[]).includes(id);
    }
    case "openinference": {
      const kind = lowerOf(attrs, "openinference.span.kind");
      return kind !== undefined && OPENINFERENCE_CALL_KINDS.some((k) => asciiLower(k) === kind);
    }
    case "litellm":
    case "openllmetry":
    case "otel_genai": {
      if (!GEN_AI_CALL_KEYS.some((k) => present(attrs, k))) return false;
      const kind = lowerOf(attrs, "traceloop.span.kind");
      if (kind !== undefined && (TRACELOOP_NON_CALL_KINDS as readonly string[]).includes(kind)) return false;
      const op = lowerOf(attrs, "gen_ai.operation.name");
      return !(op !== undefined && (NON_CALL_OPERATIONS as readonly string[]).includes(op));
    }
    default: {
      const never: never = convention;
      return never;
    }
  }
}

/** First source that yields a value: mapped through `values`, or kept when `passThrough`. */
export function readSource(attrs: Attributes, sources: readonly KeySource[]): string | undefined {
  for (const s of sources) {
    const raw = scalarString(attrs, s.key);
    if (!raw) continue;
    const mapped = s.values?.[asciiLower(raw)];
    if (mapped !== undefined) return mapped;
    if (s.passThrough || !s.values) return raw;
  }
  return undefined;
}

export function rawProvider(attrs: Attributes, convention: Convention): string | undefined {
  return firstString(attrs, CONVENTION_KEYS[convention].provider);
}

export function providerMatches(raw: string | undefined, prefixes: readonly string[]): boolean {
  if (raw === undefined) return false;
  const lower = asciiLower(raw);
  return prefixes.some((p) => lower === p || PROVIDER_PREFIX_SEPARATORS.some((sep) => lower.startsWith(p + sep)));
}

export function adjustmentApplies(attrs: Attributes, convention: Convention, rule: TokenAdjustment): boolean {
  return (
    rule.convention === convention &&
    !rule.unlessAnyKeyPresent.some((k) => present(attrs, k)) &&
    providerMatches(rawProvider(attrs, convention), rule.providerPrefixes)
  );
}

export type Tokens = Partial<Record<TokenField, number>>;

/**
 * Normalised token counts: each field from its first reported key, the convention's adjustments
 * applied (a field is adjusted only when it was reported), total = recorded total else input + output.
 */
export function readTokens(attrs: Attributes, convention: Convention): Tokens {
  const keys = CONVENTION_KEYS[convention].tokens;
  const raw: Tokens = {};
  for (const field of TOKEN_FIELDS) {
    const v = firstCount(attrs, keys[field]);
    if (v !== undefined) raw[field] = v;
  }
  const out: Tokens = { ...raw };
  for (const rule of TOKEN_ADJUSTMENTS) {
    if (!adjustmentApplies(attrs, convention, rule)) continue;
    for (const [field, addends] of Object.entries(rule.add) as Array<[TokenField, readonly TokenField[]]>) {
      const base = raw[field];
      if (base === undefined) continue;
      out[field] = addends.reduce((sum, a) => sum + (raw[a] ?? 0), out[field] ?? base);
    }
  }
  if (raw.total === undefined) {
    delete out.total;
    if (out.input !== undefined || out.output !== undefined) out.total = (out.input ?? 0) + (out.output ?? 0);
  }
  return out;
}
