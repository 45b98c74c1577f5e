/**
 * User price overrides (--pricing FILE / LLM_PRICING_FILE), validated. Pure: the file is read by
 * pricing-file.ts. Format, prices in USD per million tokens:
 *   { "prices": [ { "match": "gpt-4o" | "/^ft:gpt-4o/i", "provider"?: "openai",
 *                   "input": 2.5, "output": 10, "cache_read"?: 1.25, "cache_write"?: 3.125,
 *                   "reasoning"?: 10, "note"?: "negotiated rate" } ] }
 * `match` is an exact model id (case-insensitive; also tried against the id with provider prefixes
 * stripped) or a /regex/flags tested against the id as reported. Overrides win over the vendored
 * table; among overrides an exact id beats a regex, then the first in the file wins.
 */
import { z } from "zod";
import { ConfigError } from "../errors.js";
import type { TokenPrices } from "./price-table.js";

export interface PriceOverride {
  /** `match` as written in the file. */
  match: string;
  /** Lower-cased exact id, when `match` is not a /regex/. */
  exact?: string;
  pattern?: RegExp;
  provider?: string;
  prices: TokenPrices;
  /** Position in the file (0-based): later entries lose ties. */
  index: number;
}

const usdPerMtok = z
  .number({ error: (issue) => (issue.input === undefined ? "is required" : "must be a number (USD per million tokens)") })
  .min(0, { error: "must be 0 or more (USD per million tokens)" });

const entrySchema = z.strictObject({
  match: z.string({ error: "must be a model id or a /regex/" }).trim().min(1, { error: "must not be empty" }),
  provider: z.string({ error: "must be a provider name" }).trim().min(1, { error: "must not be empty" }).optional(),
  input: usdPerMtok,
  output: usdPerMtok,
  cache_read: usdPerMtok.optional(),
  cache_write: usdPerMtok.optional(),
  reasoning: usdPerMtok.optional(),
  note: z.string({ error: "must be a string" }).optional(),
});

const fileSchema = z.strictObject({
  prices: z.array(entrySchema, {
    error: (issue) => `${issue.input === undefined ? "is required" : "must be a list"}: { "prices": [ { "match": ..., "input": ..., "output": ... } ] }`,
  }),
});

const FIELDS = Object.keys(entrySchema.shape).join(", ");
const REGEX_LITERAL = /^\/(.+)\/([a-z]*)$/s;

function pathText(path: readonly PropertyKey[]): string {
  let out = "";
  for (const p of path) out += typeof p === "number" ? `[${p}]` : out === "" ? String(p) : `.${String(p)}`;
  return out;
}

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0]!;
  const where = pathText(issue.path);
  if (issue.code === "unrecognized_keys") {
    const keys = issue.keys.map((k) => `"${k}"`).join(", ");
    const allowed = where === "" ? "prices" : FIELDS;
    return `${where === "" ? "top level" : where}: unknown field ${keys} (allowed: ${allowed})`;
  }
  return `${where === "" ? "top level" : where}: ${issue.message}`;
}

/**
 * Parses an overrides file's text. `label` names the file in errors. Throws ConfigError with one
 * line: the file, the entry index and field, and what is wrong.
 */
export function parsePricingOverrides(text: string, label: string): PriceOverride[] {
  const fail = (why: string): never => {
    throw new ConfigError(`Invalid pricing file ${label} (--pricing / LLM_PRICING_FILE): ${why}`);
  };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return fail(`not valid JSON (${(err as Error).message})`);
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    return fail('expected a JSON object { "prices": [ ... ] }');
  }
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) return fail(firstIssue(parsed.error));
  return parsed.data.prices.map((e, index) => {
    const prices: TokenPrices = { input: e.input, output: e.output };
    if (e.cache_read !== undefined) prices.cache_read = e.cache_read;
    if (e.cache_write !== undefined) prices.cache_write = e.cache_write;
    if (e.reasoning !== undefined) prices.reasoning = e.reasoning;
    const o: PriceOverride = { match: e.match, prices, index };
    if (e.provider !== undefined) o.provider = e.provider;
    const literal = REGEX_LITERAL.exec(e.match);
    if (literal) {
      try {
        o.pattern = new RegExp(literal[1]!, literal[2]);
      } catch (err) {
        return fail(`prices[${index}].match: invalid regular expression ${e.match} (${(err as Error).message})`);
      }
      // A stateful regex would match every other call.
      if (o.pattern.global || o.pattern.sticky) return fail(`prices[${index}].match: the g and y flags are not allowed`);
    } else {
      o.exact = e.match.toLowerCase();
    }
    return o;
  });
}
