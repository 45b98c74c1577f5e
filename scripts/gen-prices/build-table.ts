/**
 * genai-prices data (their v2 JSON shape) -> our compact price table. Keeps what pricing uses:
 * provider and model match rules, token prices (input, output, cache read, cache write, reasoning)
 * with long-context tiers, and date- or time-bound conditional prices. Drops names, descriptions,
 * usage extractors, request-variant prices (batch, service tier) and non-token units (audio,
 * images, searches, pages). Then applies PATCHES and checks the result.
 */
import { createPriceLookup } from "../../src/genai/price-lookup.js";
import { compileClause } from "../../src/genai/price-rules.js";
import type {
  Clause,
  ConditionalPrices,
  PriceConstraint,
  PriceEntry,
  PricePatchRecord,
  PriceProvider,
  PriceSource,
  PriceTable,
  Rate,
  TokenPrices,
} from "../../src/genai/price-table.js";

/** A correction to the source data, applied by the generator. */
export interface PricePatch {
  provider: string;
  model: string;
  prices: TokenPrices;
  why: string;
}

/**
 * Known data bugs, fixed here rather than by hand in prices.json, so a regeneration keeps them.
 * Each patch pins what `model` must resolve to in `provider`; when the source already agrees it is
 * recorded as "already correct in source" (and can be dropped once old versions no longer matter).
 */
export const PATCHES: readonly PricePatch[] = [
  {
    // genai-prices' v2 data (0.1.x) listed gpt-4o-2024-05-13 among gpt-4o's ids, so it priced at
    // $2.50/$10. That snapshot launched at $5/$15 and kept it (OpenAI's pricing page; LiteLLM and
    // Langfuse both have $5/$15). 0.2.x has its own entry again; the patch guards against a relapse.
    provider: "openai",
    model: "gpt-4o-2024-05-13",
    prices: { input: 5, output: 15 },
    why: "gpt-4o-2024-05-13 is $5/$15 per Mtok, not gpt-4o's $2.50/$10 (genai-prices 0.1.x v2 data mapped it to gpt-4o)",
  },
];

/**
 * genai-prices lists these without any price although they cost nothing per token. Ids ending in
 * `:free` (OpenRouter's free variants) are free by name and need no entry here.
 */
const FREE_MODELS: ReadonlySet<string> = new Set(["openai:moderation"]);

const PRICE_KEYS: ReadonlyArray<readonly [source: string, ours: keyof TokenPrices]> = [
  ["input_mtok", "input"],
  ["output_mtok", "output"],
  ["cache_read_mtok", "cache_read"],
  ["cache_write_mtok", "cache_write"],
  ["output_reasoning_mtok", "reasoning"],
];

export const TABLE_NOTES: readonly string[] = [
  "Prices are USD per million tokens. Input tokens include cache reads and writes; output tokens include reasoning.",
  "A tiered price applies to every token of the request once its input tokens exceed the tier start.",
  "Conditional prices: the last active one applies (from_date: on or after that UTC date; utc_time: during [start, end) UTC), else the first.",
  "Entries without prices are known models that are not billed per token; they resolve to no price, never to $0.",
  "free: listed without prices by genai-prices and free by name (:free) or known to be free; priced at $0.",
  "input_only: the source has an input price only (embeddings, rerankers); output tokens are not billed.",
  "Dropped from the source: names, descriptions, usage extractors, request-variant prices (batch, service tier), the 1-hour cache-write price, and non-token prices (audio, images, searches, pages, requests).",
];

type Json = unknown;
type Obj = Record<string, Json>;

const isObj = (v: Json): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

function fail(where: string, why: string): never {
  throw new Error(`genai-prices data, ${where}: ${why}`);
}

function clause(v: Json, where: string): Clause {
  if (!isObj(v)) fail(where, "match clause is not an object");
  const keys = Object.keys(v);
  if (keys.length !== 1) fail(where, `match clause with keys ${keys.join(",")}`);
  const [key] = keys as [string];
  const value = v[key];
  if (key === "or" || key === "and") {
    if (!Array.isArray(value)) fail(where, `${key} is not a list`);
    const parts = value.map((c, i) => clause(c, `${where}.${key}[${i}]`));
    return key === "or" ? { or: parts } : { and: parts };
  }
  if (typeof value !== "string") fail(where, `${key} is not a string`);
  switch (key) {
    case "equals":
      return { equals: value };
    case "starts_with":
      return { starts_with: value };
    case "ends_with":
      return { ends_with: value };
    case "contains":
      return { contains: value };
    case "regex":
      try {
        new RegExp(value);
      } catch (err) {
        fail(where, `regex ${value} is not valid in JavaScript (${(err as Error).message})`);
      }
      return { regex: value };
    default:
      return fail(where, `unknown match clause ${key}`);
  }
}

function rate(v: Json, where: string): Rate {
  if (typeof v === "number") {
    if (!Number.isFinite(v) || v < 0) fail(where, `bad price ${v}`);
    return v;
  }
  if (isObj(v) && typeof v.base === "number" && Array.isArray(v.tiers)) {
    const tiers = v.tiers.map((t, i) => {
      if (!isObj(t) || typeof t.start !== "number" || typeof t.price !== "number") fail(`${where}.tiers[${i}]`, "bad tier");
      return { start: t.start, price: t.price };
    });
    tiers.sort((a, b) => a.start - b.start);
    return { base: v.base, tiers };
  }
  return fail(where, `bad price ${JSON.stringify(v)}`);
}

function tokenPrices(v: Json, where: string): TokenPrices {
  if (!isObj(v)) fail(where, "prices is not an object");
  const out: TokenPrices = {};
  for (const [src, ours] of PRICE_KEYS) {
    if (v[src] !== undefined && v[src] !== null) out[ours] = rate(v[src], `${where}.${src}`);
  }
  return out;
}

function constraint(v: Json, where: string): PriceConstraint | undefined {
  if (v === undefined || v === null) return undefined;
  if (isObj(v) && typeof v.start_date === "string") return { from_date: v.start_date };
  if (isObj(v) && typeof v.start_time === "string" && typeof v.end_time === "string") {
    const utc = (t: string): string => {
      const m = /^(\d\d:\d\d(?::\d\d)?)(Z|\+00:00)?$/.exec(t);
      if (!m) fail(where, `time ${t} is not a UTC time`);
      return m[1]!.length === 5 ? `${m[1]}:00` : m[1]!;
    };
    return { utc_time: [utc(v.start_time), utc(v.end_time)] };
  }
  return fail(where, `unknown price constraint ${JSON.stringify(v)}`);
}

const hasTokenPrice = (p: TokenPrices): boolean => Object.keys(p).length > 0;

function entry(provider: string, m: Json, where: string): PriceEntry {
  if (!isObj(m) || typeof m.id !== "string") fail(where, "model without id");
  const e: PriceEntry = { id: m.id, match: clause(m.match, `${where}(${m.id}).match`) };
  let prices: TokenPrices | ConditionalPrices[];
  if (Array.isArray(m.prices)) {
    prices = m.prices.map((c, i) => {
      const at = `${where}(${m.id}).prices[${i}]`;
      if (!isObj(c)) fail(at, "conditional price is not an object");
      const when = constraint(c.constraint, at);
      const p = tokenPrices(c.prices, at);
      return when ? { when, prices: p } : { prices: p };
    });
  } else {
    prices = tokenPrices(m.prices ?? {}, `${where}(${m.id}).prices`);
  }
  const sets = Array.isArray(prices) ? prices.map((c) => c.prices) : [prices];
  const priced = sets.filter(hasTokenPrice);
  if (priced.length === 0) {
    if (m.id.endsWith(":free") || FREE_MODELS.has(`${provider}:${m.id}`)) {
      e.prices = { input: 0, output: 0 };
      e.free = true;
    }
    return e; // known, not billed per token: no prices
  }
  if (priced.length !== sets.length) fail(`${where}(${m.id})`, "some conditional prices have token prices and some do not");
  if (sets.some((p) => p.input === undefined)) fail(`${where}(${m.id})`, "a token price without an input price");
  if (sets.every((p) => p.output === undefined)) e.input_only = true;
  e.prices = Array.isArray(prices) && prices.length === 1 && !prices[0]!.when ? prices[0]!.prices : prices;
  return e;
}

function provider(p: Json, index: number): PriceProvider {
  if (!isObj(p) || typeof p.id !== "string" || !Array.isArray(p.models)) fail(`providers[${index}]`, "provider without id or models");
  const out: PriceProvider = { id: p.id, models: [] };
  if (p.model_match != null) out.model_match = clause(p.model_match, `${p.id}.model_match`);
  if (p.provider_match != null) out.provider_match = clause(p.provider_match, `${p.id}.provider_match`);
  if (Array.isArray(p.fallback_model_providers) && p.fallback_model_providers.length > 0) {
    out.fallback = p.fallback_model_providers.map(String);
  }
  out.models = p.models.map((m, i) => entry(p.id as string, m, `${p.id}.models[${i}]`));
  return out;
}

export interface BuildInput {
  /** genai-prices providers, in their v2 JSON shape. */
  providers: unknown;
  source: PriceSource;
  sourceSha256: string;
  pricesAsOf: string;
  license: string;
  patches?: readonly PricePatch[];
}

export interface BuildResult {
  table: PriceTable;
  /** Ids where genai-prices' first-match rule and our most-specific rule pick different entries. */
  orderDisagreements: string[];
}

export function buildPriceTable(input: BuildInput): BuildResult {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(input.pricesAsOf) || Number.isNaN(Date.parse(input.pricesAsOf))) {
    throw new Error(`prices_as_of must be a date YYYY-MM-DD, got ${input.pricesAsOf}`);
  }
  if (!Array.isArray(input.providers)) throw new Error("genai-prices data: expected a list of providers");
  const table: PriceTable = {
    schema: 1,
    source: input.source,
    source_sha256: input.sourceSha256,
    prices_as_of: input.pricesAsOf,
    unit: "USD per million tokens",
    license: input.license.trim(),
    notes: [...TABLE_NOTES],
    patches: [],
    providers: input.providers.map(provider),
  };
  table.patches = (input.patches ?? PATCHES).map((p) => applyPatch(table, p));
  return { table, orderDisagreements: orderDisagreements(table) };
}

function samePrices(a: TokenPrices, b: TokenPrices): boolean {
  return JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());
}

/** Drops `{equals: id}` from a clause; undefined when nothing is left of it. */
function withoutEquals(c: Clause, id: string): Clause | undefined {
  if ("equals" in c) return c.equals.toLowerCase() === id ? undefined : c;
  if ("or" in c) {
    const rest = c.or.map((x) => withoutEquals(x, id)).filter((x): x is Clause => x !== undefined);
    return rest.length === 0 ? undefined : rest.length === 1 ? rest[0] : { or: rest };
  }
  return c;
}

function applyPatch(table: PriceTable, patch: PricePatch): PricePatchRecord {
  const at = Date.parse(`${table.prices_as_of}T12:00:00Z`);
  const record = { provider: patch.provider, model: patch.model, why: patch.why };
  const current = createPriceLookup(table).resolvePrice(patch.model, patch.provider, at);
  if (current && current.provider === patch.provider && samePrices(current.prices, patch.prices)) {
    return { ...record, status: "already correct in source" };
  }
  const p = table.providers.find((x) => x.id === patch.provider);
  if (!p) throw new Error(`patch for ${patch.model}: no provider ${patch.provider} in the data`);
  const id = patch.model.toLowerCase();
  p.models = p.models.flatMap((m) => {
    const match = withoutEquals(m.match, id);
    return match ? [{ ...m, match }] : [];
  });
  p.models.unshift({ id: patch.model, match: { equals: patch.model }, prices: patch.prices });
  const after = createPriceLookup(table).resolvePrice(patch.model, patch.provider, at);
  if (!after || !samePrices(after.prices, patch.prices)) throw new Error(`patch for ${patch.model} did not take effect`);
  return { ...record, status: "applied" };
}

function literals(c: Clause): string[] {
  if ("or" in c) return c.or.flatMap(literals);
  if ("and" in c) return c.and.flatMap(literals);
  if ("equals" in c) return [c.equals];
  if ("starts_with" in c) return [c.starts_with];
  return [];
}

/** Every id the rules spell out, resolved by first match and by specificity, where the two differ. */
function orderDisagreements(table: PriceTable): string[] {
  const out: string[] = [];
  for (const p of table.providers) {
    const compiled = p.models.map((m) => ({ m, score: compileClause(m.match) }));
    for (const ref of new Set(p.models.flatMap((m) => literals(m.match)).map((s) => s.toLowerCase()))) {
      const first = compiled.find((c) => c.score(ref) >= 0);
      let best = first;
      for (const c of compiled) if (c.score(ref) > (best?.score(ref) ?? -1)) best = c;
      if (first && best && first !== best) out.push(`${p.id}:${ref} (first ${first.m.id}, most specific ${best.m.id})`);
    }
  }
  return out;
}

/**
 * Stable, diff-friendly JSON: the stamp fields one per line, each provider's header on one line and
 * each model on its own line. Same input, same bytes.
 */
export function serializeTable(table: PriceTable): string {
  const { providers, ...head } = table;
  const lines = ["{"];
  for (const [k, v] of Object.entries(head)) lines.push(`  ${JSON.stringify(k)}: ${JSON.stringify(v)},`);
  lines.push('  "providers": [');
  providers.forEach((p, pi) => {
    const { models, ...header } = p;
    const h = JSON.stringify(header);
    lines.push(`    ${h.slice(0, -1)},"models":[`);
    models.forEach((m, mi) => lines.push(`      ${JSON.stringify(m)}${mi < models.length - 1 ? "," : ""}`));
    lines.push(`    ]}${pi < providers.length - 1 ? "," : ""}`);
  });
  lines.push("  ]", "}", "");
  return lines.join("\n");
}
