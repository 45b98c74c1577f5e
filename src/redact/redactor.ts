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
import type { RedactLevel } from "./levels.js";
import { BUILTIN_RULES, marker, SECRET_PREFIXES, type PatternRule } from "./rules.js";

export { DEFAULT_REDACT_LEVEL, REDACT_LEVELS, type RedactLevel } from "./levels.js";

const RANK: Readonly<Record<RedactLevel, number>> = { none: 0, secrets: 1, pii: 2, content: 3 };

export interface RedactContext {
  /** The object key (attribute name) the value sits under. */
  key?: string;
}

export interface Redacted<T> {
  /** The same shape as the input; replaced leaves are marker strings (also where a number was). */
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
/**
 * Scanned strings are remembered across calls (a repeated get_trace, the same prompt in many
 * spans and traces): a scan depends only on the string and this redactor's fixed rules, so a hit
 * gives exactly what a scan would. Bounded by the characters held; full, it starts over.
 */
const STRING_CACHE_LIMIT_CHARS = 8 * 1024 * 1024;
const STRING_CACHE_LIMIT_ENTRIES = 50_000;

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

const TAIL_DIGITS = /[\d ().+-]/;

/**
 * The cut-off tail of a shortened value — its last token, or its trailing run of digits and
 * separators, before the "..." / "…" — replaced when it may be the start of a secret (see
 * SECRET_PREFIXES). Scans backwards from the end only.
 */
function redactCutTail(s: string, pii: boolean): string | undefined {
  const ellipsis = s.endsWith("…") ? 1 : 3;
  const end = s.length - ellipsis;
  let tokenStart = end;
  while (tokenStart > 0 && !/\s/.test(s[tokenStart - 1]!)) tokenStart--;
  let digitStart = end;
  while (digitStart > 0 && TAIL_DIGITS.test(s[digitStart - 1]!)) digitStart--;
  while (digitStart < end && !/[\d+(]/.test(s[digitStart]!)) digitStart++;
  for (const start of digitStart < tokenStart ? [digitStart, tokenStart] : [tokenStart, digitStart]) {
    if (start >= end) continue;
    const tail = s.slice(start, end);
    const nDigits = countDigits(tail, 6);
    // A card number never starts with "+": a cut "+1 415 55" is a phone number, PII.
    const secret = SECRET_PREFIXES.some((p) => tail.startsWith(p)) || (nDigits >= 6 && !tail.startsWith("+"));
    if (secret || (pii && (/[^@\s]@/.test(tail) || nDigits >= 4))) {
      if (tail.startsWith("[REDACTED:")) return undefined;
      return `${s.slice(0, start)}${marker("truncated")}${s.slice(end)}`;
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

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * One pass over a string finds every rule whose anchor occurs: all multi-character anchors and
 * triggers form one alternation with a capture group each (one pass is much cheaper than one
 * `includes` per anchor, or a regex per rule); a hit marks the rules of the fragment whose group
 * matched and, for a literal, of every shorter literal it starts with (at one position only the
 * longest is reported). Single characters (":", "=", "@", "+") are looked up with indexOf, which
 * is faster still. Rules without anchors or triggers are always candidates.
 */
interface AnchorIndex {
  re?: RegExp;
  /** Capture group n (1-based) -> the rules it marks. */
  groups: number[][];
  /** Single-character anchors, and the rules of each. */
  chars: string[];
  charRules: number[][];
}

function anchorIndex(rules: readonly PatternRule[]): AnchorIndex {
  const literals = new Map<string, number[]>();
  const triggers = new Map<string, number[]>();
  const add = (map: Map<string, number[]>, key: string, i: number) => map.set(key, [...(map.get(key) ?? []), i]);
  rules.forEach((r, i) => {
    for (const a of r.anchors ?? []) add(literals, a, i);
    for (const t of r.triggers ?? []) add(triggers, t, i);
  });
  const single = [...literals].filter(([a]) => a.length === 1);
  const chars = single.map(([a]) => a);
  const charRules = single.map(([, list]) => list);
  const longer = [...literals].filter(([a]) => a.length > 1).sort((a, b) => b[0].length - a[0].length);
  const fragments: Array<[string, number[]]> = [
    ...longer.map(([a]): [string, number[]] => [
      escapeRe(a),
      [...new Set(longer.filter(([b]) => a.startsWith(b)).flatMap(([, list]) => list))],
    ]),
    ...triggers,
  ];
  if (fragments.length === 0) return { groups: [], chars, charRules };
  return { re: new RegExp(fragments.map(([f]) => `(${f})`).join("|"), "g"), groups: fragments.map(([, list]) => list), chars, charRules };
}

const HAS_DIGIT = /\d/;

export function createRedactor(options: RedactorOptions): Redactor {
  const level = options.level;
  const rank = RANK[level];
  const rules = [...BUILTIN_RULES, ...(options.rules?.patterns ?? []).map(customRule)].filter((r) => RANK[r.level] <= rank);
  const anchors = anchorIndex(rules);
  const anchored = rules.map((r) => !!(r.anchors || r.triggers));
  /** Per-string scratch: which anchored rules are candidates (scan is never re-entered). */
  const hit = new Uint8Array(rules.length);
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

  /** Marks in `hit` the anchored rules whose anchors occur in `s`. */
  function markCandidates(s: string): void {
    hit.fill(0);
    const { chars, charRules } = anchors;
    for (let c = 0; c < chars.length; c++) {
      if (s.indexOf(chars[c]!) === -1) continue;
      const list = charRules[c]!;
      for (let i = 0; i < list.length; i++) hit[list[i]!] = 1;
    }
    const re = anchors.re;
    if (!re) return;
    re.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = re.exec(s)) !== null) {
      let g = 1;
      while (m[g] === undefined) g++;
      for (const r of anchors.groups[g - 1]!) hit[r] = 1;
      // Step one character, not the whole anchor: a later anchor may start inside this one.
      re.lastIndex = m.index + 1;
    }
  }

  /** Runs the rules over one string. */
  function scan(s: string): Scan {
    let out = s;
    let kinds: string[] | undefined;
    let hasDigit: boolean | undefined;
    markCandidates(s);
    for (let r = 0; r < rules.length; r++) {
      const rule = rules[r]!;
      if (anchored[r] && !hit[r]) continue;
      if (rule.minDigits) {
        if (s.length < rule.minDigits) continue;
        hasDigit ??= HAS_DIGIT.test(s);
        if (!hasDigit) continue;
      }
      if (rule.find) {
        const found = rule.find(out);
        if (found.length === 0) continue;
        const parts: string[] = [];
        let last = 0;
        for (const m of found) {
          if (rule.accept && !rule.accept(m)) continue;
          const kind = rule.kindOf?.(m) ?? rule.kind;
          parts.push(out.slice(last, m.index), rule.render ? rule.render(m, marker(kind)) : marker(kind));
          last = m.index + m[0].length;
          (kinds ??= []).push(kind);
        }
        if (parts.length > 0) {
          parts.push(out.slice(last));
          out = parts.join("");
        }
        continue;
      }
      const re = rule.pattern!;
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
    // endsWith, not /\.\.\.$/: a regex anchored at the end is still tried from every position.
    if (out.endsWith("...") || out.endsWith("…")) {
      const cut = redactCutTail(out, rank >= RANK.pii);
      if (cut !== undefined) {
        out = cut;
        (kinds ??= []).push("truncated");
      }
    }
    return { out, kinds };
  }

  const stringCache = new Map<string, Scan>();
  let stringCacheChars = 0;

  function redactString(s: string, tally: Tally): string {
    let r = stringCache.get(s);
    if (!r) {
      r = scan(s);
      if (s.length <= STRING_CACHE_MAX_CHARS) {
        if (stringCacheChars + s.length > STRING_CACHE_LIMIT_CHARS || stringCache.size >= STRING_CACHE_LIMIT_ENTRIES) {
          stringCache.clear();
          stringCacheChars = 0;
        }
        stringCache.set(s, r);
        stringCacheChars += s.length;
      }
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
      // fromEntries defines properties, so even a key named __proto__ stays a plain key.
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceLeaves(v, kind, tally)]));
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

  /** A value under a key of class `c`; arrays pass their parent key's class on to their elements. */
  function walkUnder(value: unknown, c: KeyClass, tally: Tally): unknown {
    if (c.kind === "structural") return value;
    if (c.kind === "sensitive") return replaceLeaves(value, c.as, tally);
    if (c.kind === "content") return contentMarker(value, tally);
    return walk(value, tally);
  }

  function walk(value: unknown, tally: Tally): unknown {
    if (typeof value === "string") return value.length < minLength ? value : redactString(value, tally);
    if (typeof value === "number") {
      // Only integers of 13+ digits can be card numbers; µs/ns timestamps start with 1 and fail the issuer check.
      if ((value >= 1e12 || value <= -1e12) && Number.isSafeInteger(value) && cardNumberValid(String(Math.abs(value)))) {
        bump(tally, "card_number");
        return marker("card_number");
      }
      return value;
    }
    if (value === null || typeof value !== "object") return value;
    if (Array.isArray(value)) {
      let out: unknown[] | undefined;
      for (let i = 0; i < value.length; i++) {
        const v: unknown = value[i];
        const r = walk(v, tally);
        if (r !== v) (out ??= value.slice())[i] = r;
      }
      return out ?? value;
    }
    let out: Record<string, unknown> | undefined;
    const obj = value as Record<string, unknown>;
    // for-in walks V8's enum cache (no key array per object); it would also visit inherited
    // enumerable keys, so objects with another prototype take Object.keys.
    if (Object.getPrototypeOf(obj) === Object.prototype) {
      for (const k in obj) {
        const v = obj[k];
        const r = walkUnder(v, classify(k), tally);
        if (r !== v) (out ??= { ...obj })[k] = r;
      }
      return out ?? value;
    }
    const keys = Object.keys(obj);
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      const v = obj[k];
      const r = walkUnder(v, classify(k), tally);
      if (r !== v) (out ??= { ...obj })[k] = r;
    }
    return out ?? value;
  }

  const none = <T>(value: T): Redacted<T> => ({ value, count: 0, byKind: {} });

  return {
    level,
    redactValue(value, context = {}) {
      if (rank === 0) return value;
      const tally: Tally = { count: 0, byKind: {} };
      return context.key === undefined ? walk(value, tally) : walkUnder(value, classify(context.key), tally);
    },
    redactJson<T>(value: T): Redacted<T> {
      if (rank === 0) return none(value);
      const tally: Tally = { count: 0, byKind: {} };
      const out = walk(value, tally) as T;
      return { value: out, count: tally.count, byKind: tally.byKind };
    },
    redactText(text) {
      if (rank === 0) return none(text);
      const tally: Tally = { count: 0, byKind: {} };
      const out = text.length < minLength ? text : redactString(text, tally);
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
