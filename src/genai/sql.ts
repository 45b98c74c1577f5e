/**
 * The SQL interpreter of the mapping table (conventions.ts, providers.ts): a pure function from a
 * normalised field name to one SQL expression over a span's attribute map, for the SQL stores (the
 * embedded DuckDB store, ClickHouse) to filter and group by normalised GenAI values in the database.
 * The TypeScript normaliser (read.ts / normalize.ts / fields.ts) is the reference; the expressions
 * reproduce it rule for rule (tested by running them in DuckDB).
 *
 * Only portable SQL is emitted: CASE, coalesce, nullif, lower, floor, LIKE, IN, IS [NOT] NULL and
 * arithmetic, which DuckDB and ClickHouse both accept. Attribute access, numeric casts and literals go
 * through the dialect, so the caller decides quoting and parameter binding.
 */
import {
  CONVENTION_KEYS,
  CONVENTION_MARKERS,
  CONVENTIONS,
  GEN_AI_CALL_KEYS,
  NON_CALL_OPERATIONS,
  OPENINFERENCE_CALL_KINDS,
  SESSION_KEYS,
  TOKEN_ADJUSTMENTS,
  TOOL_SPAN_RULES,
  TRACELOOP_NON_CALL_KINDS,
  USER_KEYS,
  VERCEL_CALL_OPERATION_IDS,
  type Convention,
  type KeySource,
  type TokenAdjustment,
  type TokenField,
} from "./conventions.js";
import type { NormalizedGenAiField } from "./fields.js";
import { PROVIDER_EXACT, PROVIDER_PREFIX_SEPARATORS, PROVIDER_PREFIXES } from "./providers.js";

export interface SqlDialect {
  /** SQL reading the span attribute `key` as a nullable string (NULL when the key is absent). */
  attr(key: string): string;
  /** SQL converting a string expression to a nullable number (NULL when it is not a number). */
  num(expr: string): string;
  /** A bound parameter placeholder or a quoted literal for a string constant. */
  lit(value: string): string;
  /**
   * Evaluates `value` once and hands `body` a reference to it (a lambda argument, a WITH alias), so
   * a value used many times (a provider name compared with every rule) is neither repeated in the
   * SQL text nor recomputed. Without it the value's SQL is repeated inline.
   */
  let?(value: string, body: (ref: string) => string): string;
}

/** Matches read.ts's count(): positive integers below 2^53. */
const MAX_COUNT_SQL = "9007199254740992";

class Gen {
  constructor(private readonly d: SqlDialect) {}

  let(value: string, body: (ref: string) => string): string {
    return this.d.let ? this.d.let(value, body) : body(value);
  }

  present(key: string): string {
    return `(${this.d.attr(key)} IS NOT NULL)`;
  }

  anyPresent(keys: readonly string[]): string {
    return `(${keys.map((k) => this.present(k)).join(" OR ")})`;
  }

  /** Non-empty string or NULL. */
  str(key: string): string {
    return `nullif(${this.d.attr(key)}, ${this.d.lit("")})`;
  }

  firstString(keys: readonly string[]): string {
    return keys.length === 1 ? this.str(keys[0]!) : `coalesce(${keys.map((k) => this.str(k)).join(", ")})`;
  }

  inList(expr: string, values: readonly string[]): string {
    return `${expr} IN (${values.map((v) => this.d.lit(v)).join(", ")})`;
  }

  /** expr equals prefix, or starts with prefix + one of the separators (prefix must be LIKE-safe). */
  prefixMatch(lowerExpr: string, prefix: string): string {
    if (/[%_\\]/.test(prefix)) throw new Error(`genai sql: prefix ${JSON.stringify(prefix)} is not LIKE-safe`);
    const likes = PROVIDER_PREFIX_SEPARATORS.map((sep) => `${lowerExpr} LIKE ${this.d.lit(`${prefix}${sep}%`)}`);
    return `(${lowerExpr} = ${this.d.lit(prefix)} OR ${likes.join(" OR ")})`;
  }

  count(key: string): string {
    return this.let(this.d.num(this.d.attr(key)), (n) => `CASE WHEN ${n} > 0 AND ${n} < ${MAX_COUNT_SQL} AND ${n} = floor(${n}) THEN ${n} END`);
  }

  firstCount(keys: readonly string[]): string {
    return keys.length === 1 ? this.count(keys[0]!) : `coalesce(${keys.map((k) => this.count(k)).join(", ")})`;
  }

  convention(): string {
    const whens = CONVENTIONS.map((c) => `WHEN ${this.anyPresent(CONVENTION_MARKERS[c])} THEN ${this.d.lit(c)}`);
    return `CASE ${whens.join(" ")} END`;
  }

  /** read.ts isCallSpan for one convention. */
  isCall(c: Convention): string {
    switch (c) {
      case "vercel_ai":
        return `coalesce(${this.inList(this.d.attr("ai.operationId"), VERCEL_CALL_OPERATION_IDS)}, false)`;
      case "openinference":
        return `coalesce(${this.inList(`lower(${this.d.attr("openinference.span.kind")})`, OPENINFERENCE_CALL_KINDS.map((k) => k.toLowerCase()))}, false)`;
      case "litellm":
      case "openllmetry":
      case "otel_genai": {
        const kind = `coalesce(${this.inList(`lower(${this.d.attr("traceloop.span.kind")})`, TRACELOOP_NON_CALL_KINDS)}, false)`;
        const op = `coalesce(${this.inList(`lower(${this.d.attr("gen_ai.operation.name")})`, NON_CALL_OPERATIONS)}, false)`;
        return `(${this.anyPresent(GEN_AI_CALL_KEYS)} AND NOT ${kind} AND NOT ${op})`;
      }
      default: {
        const never: never = c;
        return never;
      }
    }
  }

  /** CASE over the convention; `perConvention` gives each branch (NULL when it returns undefined). */
  byConvention(perConvention: (c: Convention) => string | undefined): string {
    const whens = CONVENTIONS.map((c) => {
      const v = perConvention(c);
      return v === undefined ? undefined : `WHEN ${this.d.lit(c)} THEN ${v}`;
    }).filter((w): w is string => w !== undefined);
    return `CASE ${this.convention()} ${whens.join(" ")} END`;
  }

  /** Only on LLM calls. */
  onCalls(value: (c: Convention) => string): string {
    return this.byConvention((c) => `CASE WHEN ${this.isCall(c)} THEN ${value(c)} END`);
  }

  normalizeProvider(rawValue: string): string {
    return this.let(rawValue, (raw) =>
      this.let(`lower(${raw})`, (lower) => {
        const exact = Object.entries(PROVIDER_EXACT).map(([from, to]) => `WHEN ${lower} = ${this.d.lit(from)} THEN ${this.d.lit(to)}`);
        const prefixes = PROVIDER_PREFIXES.map(([prefix, to]) => `WHEN ${this.prefixMatch(lower, prefix)} THEN ${this.d.lit(to)}`);
        return `CASE ${[...exact, ...prefixes].join(" ")} ELSE ${raw} END`;
      }),
    );
  }

  source(s: KeySource): string {
    const raw = this.str(s.key);
    if (!s.values) return raw;
    const whens = Object.entries(s.values).map(([from, to]) => `WHEN ${this.d.lit(from)} THEN ${this.d.lit(to)}`);
    return `CASE lower(${raw}) ${whens.join(" ")} ELSE ${s.passThrough ? raw : "NULL"} END`;
  }

  operation(c: Convention): string {
    const sources = CONVENTION_KEYS[c].operation.map((s) => this.source(s));
    return sources.length === 1 ? sources[0]! : `coalesce(${sources.join(", ")})`;
  }

  adjustmentApplies(c: Convention, rule: TokenAdjustment): string {
    const provider = this.let(`lower(${this.firstString(CONVENTION_KEYS[c].provider)})`, (raw) => `(${rule.providerPrefixes.map((p) => this.prefixMatch(raw, p)).join(" OR ")})`);
    return `(NOT ${this.anyPresent(rule.unlessAnyKeyPresent)} AND coalesce(${provider}, false))`;
  }

  /** read.ts readTokens for one field (before the total fallback). */
  adjusted(c: Convention, field: TokenField): string {
    const keys = CONVENTION_KEYS[c].tokens;
    const base = this.firstCount(keys[field]);
    const adds: string[] = [];
    for (const rule of TOKEN_ADJUSTMENTS) {
      if (rule.convention !== c) continue;
      for (const addend of rule.add[field] ?? []) {
        adds.push(`CASE WHEN ${this.adjustmentApplies(c, rule)} THEN coalesce(${this.firstCount(keys[addend])}, 0) ELSE 0 END`);
      }
    }
    return adds.length === 0 ? base : `(${base} + ${adds.join(" + ")})`;
  }

  tokens(c: Convention, field: TokenField): string {
    if (field !== "total") return this.adjusted(c, field);
    const recorded = this.firstCount(CONVENTION_KEYS[c].tokens.total);
    const sum = this.let(this.adjusted(c, "input"), (input) =>
      this.let(this.adjusted(c, "output"), (output) => `CASE WHEN ${input} IS NOT NULL OR ${output} IS NOT NULL THEN coalesce(${input}, 0) + coalesce(${output}, 0) END`),
    );
    return `CASE WHEN ${recorded} IS NOT NULL THEN ${this.adjusted(c, "total")} ELSE ${sum} END`;
  }
}

const TOKEN_FIELD_OF: Partial<Record<NormalizedGenAiField, TokenField>> = {
  "gen_ai.usage.input_tokens": "input",
  "gen_ai.usage.output_tokens": "output",
  "gen_ai.usage.total_tokens": "total",
  "gen_ai.usage.cache_read.input_tokens": "cacheRead",
  "gen_ai.usage.cache_write.input_tokens": "cacheWrite",
  "gen_ai.usage.reasoning.output_tokens": "reasoning",
};

/**
 * One SQL expression giving the normalised value of `field` for a span (NULL where fields.ts gives
 * undefined): strings for provider/model/operation/session/user, numbers for token counts.
 */
export function genaiSqlExpression(field: NormalizedGenAiField, dialect: SqlDialect): string {
  const g = new Gen(dialect);
  const keys = (c: Convention) => CONVENTION_KEYS[c];
  switch (field) {
    case "session.id":
      return g.firstString(SESSION_KEYS);
    case "user.id":
      return g.firstString(USER_KEYS);
    case "gen_ai.operation.name":
      return g.byConvention((c) => g.operation(c));
    case "gen_ai.provider.name":
    case "gen_ai.system":
      return g.onCalls((c) => g.normalizeProvider(g.firstString(keys(c).provider)));
    case "gen_ai.request.model":
      return g.onCalls((c) => g.firstString(keys(c).requestModel));
    case "gen_ai.response.model":
      return g.onCalls((c) => g.firstString(keys(c).responseModel));
    case "model":
      return g.onCalls((c) => `coalesce(${g.firstString(keys(c).responseModel)}, ${g.firstString(keys(c).requestModel)})`);
    default: {
      const tokenField = TOKEN_FIELD_OF[field];
      if (!tokenField) throw new Error(`genai sql: no expression for field ${field}`);
      return g.onCalls((c) => g.tokens(c, tokenField));
    }
  }
}

/** TRUE on the spans that are LLM calls, counted once (normalize.ts isLlmCall), else FALSE. */
export function genaiCallSql(dialect: SqlDialect): string {
  return `coalesce(${new Gen(dialect).onCalls(() => "true")}, false)`;
}

/**
 * normalize.ts toolSpan(span)?.toolName: the first tool-span rule whose marker holds (compared
 * ASCII-case-insensitively), and that rule's first non-empty name attribute, else `spanName` (the
 * span name's SQL). NULL when the span is no tool execution.
 */
export function genaiToolNameSql(dialect: SqlDialect, spanName: string): string {
  const g = new Gen(dialect);
  const whens = TOOL_SPAN_RULES.map((r) => `WHEN lower(${dialect.attr(r.key)}) = ${dialect.lit(r.value.toLowerCase())} THEN coalesce(${g.firstString(r.name)}, ${spanName})`);
  return `(CASE ${whens.join(" ")} END)`;
}
