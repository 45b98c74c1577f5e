/**
 * The Redactor: one value per server, built from a level and optional custom rules, applied once
 * to a tool's whole answer (render.ts) after the tool has filtered and aggregated raw data.
 *
 * Levels are cumulative: `secrets` ⊂ `pii` ⊂ `content`; `none` returns everything untouched.
 * Walking an answer: an object key decides first (keys.ts): structural keys are copied, sensitive
 * names have every string/number leaf replaced by `[REDACTED:<kind>]`, content keys (level
 * `content`) become `[REDACTED:content length=N]`; every other string is scanned with the pattern
 * rules (rules.ts and the custom patterns), and large integers are checked as card numbers.
 * Objects are copied only along paths that changed; the input is never mutated.
 */
import { cardNumberValid } from "./checks.js";
import type { RedactRules } from "./custom-rules.js";
import { globToRegExp, isContentKey, isStructuralKey, sensitiveKeyKind } from "./keys.js";
import { BUILTIN_RULES, marker, SECRET_PREFIXES, type PatternRule } from "./rules.js";

export const REDACT_LEVELS = ["none", "secrets", "pii", "content"] as const;
export type RedactLevel = (typeof REDACT_LEVELS)[number];
export const DEFAULT_REDACT_LEVEL: RedactLevel = "secrets";

const RANK: Readonly<Record<RedactLevel, number>> = { none: 0, secrets: 1, pii: 2, content: 3 };

export interface RedactContext {
  /** The object key (attribute name) the value sits under. */
  key?: string;
}

export interface Redacted<T> {
  value: T;
  /** Values replaced (each match, each credential-named value, each content body). */
  count: number;
  byKind: Record<string, number>;
}

export interface RedactorOptions {
  level: RedactLevel;
  rules?: RedactRules;
}

export interface Redactor {
  readonly level: RedactLevel;
  /** One value under an optional key; strings, numbers, arrays and objects. */
  redactValue(value: unknown, context?: RedactContext): unknown;
  /** A whole JSON answer, with what was replaced. */
  redactJson<T>(value: T): Redacted<T>;
  /** Free text (error messages). */
  redactText(text: string): Redacted<string>;
}

type KeyClass = { kind: "structural" } | { kind: "sensitive"; as: string } | { kind: "content" } | { kind: "scan" };

const STRUCTURAL: KeyClass = { kind: "structural" };
const CONTENT: KeyClass = { kind: "content" };
const SCAN: KeyClass = { kind: "scan" };

/** Keys seen by one redactor (attribute names repeat across spans and calls); bounded. */
const KEY_CACHE_LIMIT = 20_000;
/** Strings longer than this are scanned each time rather than remembered. */
const STRING_CACHE_MAX_CHARS = 64 * 1024;

interface Tally {
  count: number;
  byKind: Record<string, number>;
}

function bump(tally: Tally, kind: string, n = 1): void {
  tally.count += n;
  tally.byKind[kind] = (tally.byKind[kind] ?? 0) + n;
}

/** A scanned string: its replacement and the kinds found (replayed from the cache). */
interface Scan {
  out: string;
  kinds: string[] | undefined;
}

function customRule(p: RedactRules["patterns"][number]): PatternRule {
  return { kind: p.name, level: p.level, summary: `custom pattern ${p.name}`, pattern: new RegExp(p.source, `g${p.flags}`) };
}

const CUT = /(?:\.\.\.|…)$/;
const LAST_TOKEN = /(\S+?)(\.\.\.|…)$/;
const DIGIT_TAIL = /([+(]?\d[\d ().+-]*?)(\.\.\.|…)$/;

/** The cut-off tail of a shortened value, replaced when it may be the start of a secret (see SECRET_PREFIXES). */
function redactCutTail(s: string, pii: boolean): string | undefined {
  const token = LAST_TOKEN.exec(s);
  const digits = DIGIT_TAIL.exec(s);
  const candidates = [token, digits].filter((m): m is RegExpExecArray => !!m).sort((a, b) => b[1]!.length - a[1]!.length);
  for (const m of candidates) {
    const tail = m[1]!;
    const nDigits = countDigits(tail, 6);
    // A card number never starts with "+": a cut "+1 415 55" is a phone number, PII.
    const secret = SECRET_PREFIXES.some((p) => tail.startsWith(p)) || (nDigits >= 6 && !tail.startsWith("+"));
    if (secret || (pii && (/[^@\s]@/.test(tail) || nDigits >= 4))) {
      if (tail.startsWith("[REDACTED:")) return undefined;
      return `${s.slice(0, m.index)}${marker("truncated")}${m[2]}`;
    }
  }
  return undefined;
}

function countDigits(s: string, cap: number): number {
  let n = 0;
  for (let i = 0; i < s.length && n < cap; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) n++;
  }
  return n;
}

export function createRedactor(options: RedactorOptions): Redactor {
  const level = options.level;
  const rank = RANK[level];
  const rules = [...BUILTIN_RULES, ...(options.rules?.patterns ?? []).map(customRule)].filter((r) => RANK[r.level] <= rank);
  const maxDigitsNeeded = Math.max(0, ...rules.map((r) => r.minDigits ?? 0));
  const attributeGlobs = (options.rules?.attributes ?? []).map(globToRegExp);
  const keyCache = new Map<string, KeyClass>();
  // The shortest built-in finding is an email like a@b.co (6); a custom pattern may match less.
  const minLength = options.rules?.patterns.length ? 1 : 6;

  function classify(key: string): KeyClass {
    let c = keyCache.get(key);
    if (c) return c;
    if (isStructuralKey(key)) c = STRUCTURAL;
    else if (attributeGlobs.some((re) => re.test(key))) c = { kind: "sensitive", as: "custom_attribute" };
    else {
      const sensitive = sensitiveKeyKind(key);
      if (sensitive) c = { kind: "sensitive", as: sensitive };
      else c = rank >= RANK.content && isContentKey(key) ? CONTENT : SCAN;
    }
    if (keyCache.size >= KEY_CACHE_LIMIT) keyCache.clear();
    keyCache.set(key, c);
    return c;
  }

  /** Runs the rules over one string. */
  function scan(s: string): Scan {
    let out = s;
    let kinds: string[] | undefined;
    let lower: string | undefined;
    let digits = -1;
    for (const rule of rules) {
      if (rule.anchors || rule.anchorsLower) {
        let hit = rule.anchors?.some((a) => s.includes(a)) ?? false;
        if (!hit && rule.anchorsLower) {
          lower ??= s.toLowerCase();
          hit = rule.anchorsLower.some((a) => lower!.includes(a));
        }
        if (!hit) continue;
      }
      if (rule.minDigits) {
        if (digits < 0) digits = countDigits(s, maxDigitsNeeded);
        if (digits < rule.minDigits) continue;
      }
      const re = rule.pattern;
      re.lastIndex = 0;
      let parts: string[] | undefined;
      let last = 0;
      let m: RegExpExecArray | null;
      while ((m = re.exec(out)) !== null) {
        if (m[0] === "") {
          re.lastIndex++;
          continue;
        }
        if (rule.accept && !rule.accept(m)) continue;
        const kind = rule.kindOf?.(m) ?? rule.kind;
        (parts ??= []).push(out.slice(last, m.index), rule.render ? rule.render(m, marker(kind)) : marker(kind));
        last = m.index + m[0].length;
        (kinds ??= []).push(kind);
      }
      if (parts) {
        parts.push(out.slice(last));
        out = parts.join("");
      }
    }
    if (CUT.test(out)) {
      const cut = redactCutTail(out, rank >= RANK.pii);
      if (cut !== undefined) {
        out = cut;
        (kinds ??= []).push("truncated");
      }
    }
    return { out, kinds };
  }

  function redactString(s: string, tally: Tally, cache: Map<string, Scan>): string {
    if (s.length < minLength) return s;
    let r = cache.get(s);
    if (!r) {
      r = scan(s);
      if (s.length <= STRING_CACHE_MAX_CHARS) cache.set(s, r);
    }
    if (r.kinds) for (const k of r.kinds) bump(tally, k);
    return r.out;
  }

  /** Every string/number leaf under a credential-named key becomes the marker. */
  function replaceLeaves(value: unknown, kind: string, tally: Tally): unknown {
    if ((typeof value === "string" && value !== "") || typeof value === "number") {
      bump(tally, kind);
      return marker(kind);
    }
    if (Array.isArray(value)) return value.map((v) => replaceLeaves(v, kind, tally));
    if (value && typeof value === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = replaceLeaves(v, kind, tally);
      return out;
    }
    return value;
  }

  function contentMarker(value: unknown, tally: Tally): unknown {
    if (value === null || value === undefined || typeof value === "boolean" || typeof value === "number") return value;
    const length = typeof value === "string" ? value.length : JSON.stringify(value).length;
    if (length === 0) return value;
    bump(tally, "content");
    return `[REDACTED:content length=${length}]`;
  }

  function walk(value: unknown, key: string | undefined, tally: Tally, cache: Map<string, Scan>): unknown {
    if (key !== undefined) {
      const c = classify(key);
      if (c.kind === "structural") return value;
      if (c.kind === "sensitive") return replaceLeaves(value, c.as, tally);
      if (c.kind === "content") return contentMarker(value, tally);
    }
    if (typeof value === "string") return redactString(value, tally, cache);
    if (typeof value === "number") {
      if (Number.isSafeInteger(value) && Math.abs(value) >= 1e12 && cardNumberValid(String(Math.abs(value)))) {
        bump(tally, "card_number");
        return marker("card_number");
      }
      return value;
    }
    if (Array.isArray(value)) {
      let out: unknown[] | undefined;
      for (let i = 0; i < value.length; i++) {
        const v = value[i];
        const r = walk(v, key, tally, cache);
        if (r !== v) (out ??= value.slice())[i] = r;
      }
      return out ?? value;
    }
    if (value && typeof value === "object") {
      let out: Record<string, unknown> | undefined;
      const obj = value as Record<string, unknown>;
      for (const k in obj) {
        if (!Object.prototype.hasOwnProperty.call(obj, k)) continue;
        const v = obj[k];
        const r = walk(v, k, tally, cache);
        if (r !== v) (out ??= { ...obj })[k] = r;
      }
      return out ?? value;
    }
    return value;
  }

  const none = <T>(value: T): Redacted<T> => ({ value, count: 0, byKind: {} });

  return {
    level,
    redactValue(value, context = {}) {
      if (rank === 0) return value;
      return walk(value, context.key, { count: 0, byKind: {} }, new Map());
    },
    redactJson<T>(value: T): Redacted<T> {
      if (rank === 0) return none(value);
      const tally: Tally = { count: 0, byKind: {} };
      const out = walk(value, undefined, tally, new Map()) as T;
      return { value: out, count: tally.count, byKind: tally.byKind };
    },
    redactText(text) {
      if (rank === 0) return none(text);
      const tally: Tally = { count: 0, byKind: {} };
      const out = redactString(text, tally, new Map());
      return { value: out, count: tally.count, byKind: tally.byKind };
    },
  };
}

/** "3 values redacted (email: 2, openai_key: 1); set --redact none to see raw values", or undefined. */
export function redactionNote(r: Pick<Redacted<unknown>, "count" | "byKind">): string | undefined {
  if (r.count === 0) return undefined;
  const kinds = Object.entries(r.byKind)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([k, n]) => `${k}: ${n}`)
    .join(", ");
  return `${r.count} value${r.count === 1 ? "" : "s"} redacted (${kinds}); set --redact none to see raw values`;
}
