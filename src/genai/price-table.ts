/**
 * The shape of the price table (`prices.json`, written by `scripts/gen-prices.ts` from pydantic's
 * genai-prices data, MIT). All prices are USD per million tokens. Match patterns keep genai-prices'
 * rule language; model references are lower-cased before matching.
 */

/** genai-prices' match language. Literal clauses compare case-insensitively; a regex runs on the lower-cased id. */
export type Clause =
  | { equals: string }
  | { starts_with: string }
  | { ends_with: string }
  | { contains: string }
  | { regex: string }
  | { or: Clause[] }
  | { and: Clause[] };

/**
 * A long-context price: once a request's input tokens exceed a tier's `start`, every token of that
 * kind in the request is billed at the tier price (the "cliff" model providers use).
 */
export interface TieredRate {
  base: number;
  tiers: Array<{ start: number; price: number }>;
}

export type Rate = number | TieredRate;

export interface TokenPrices {
  input?: Rate;
  output?: Rate;
  cache_read?: Rate;
  /** Prompt-cache writes (the 5-minute TTL price where a provider has two). */
  cache_write?: Rate;
  /** A separate price for reasoning tokens; absent almost everywhere (reasoning bills as output). */
  reasoning?: Rate;
}

/** When a conditional price applies: from a UTC date on, or during a daily UTC window [start, end). */
export type PriceConstraint = { from_date: string } | { utc_time: [start: string, end: string] };

export interface ConditionalPrices {
  when?: PriceConstraint;
  prices: TokenPrices;
}

export interface PriceEntry {
  id: string;
  match: Clause;
  /**
   * A plain price, or conditional prices where the last active one applies (the first when none is).
   * Absent: the model is known but has no per-token price (subscription or per-request billing), so
   * it resolves to no price rather than to another entry.
   */
  prices?: TokenPrices | ConditionalPrices[];
  /** A free model (genai-prices lists it with no prices and a `:free` id): priced at $0 on purpose. */
  free?: true;
  /** The source has an input price only (embeddings, rerankers): output tokens are not billed. */
  input_only?: true;
}

export interface PriceProvider {
  id: string;
  /** Picks this provider for a model id when no provider is known. */
  model_match?: Clause;
  /** Picks this provider for a provider name (after our own alias map). */
  provider_match?: Clause;
  /** Providers whose models this one also serves at the same price (Azure -> OpenAI, ...). */
  fallback?: string[];
  models: PriceEntry[];
}

export interface PriceSource {
  package: string;
  version: string;
  registry: string;
  /** The registry artefact read, and the file inside it that holds the data. */
  file: string;
  member: string;
}

export interface PricePatchRecord {
  provider: string;
  model: string;
  status: "applied" | "already correct in source";
  why: string;
}

export interface PriceTable {
  schema: 1;
  source: PriceSource;
  /** sha256 of the file read (the wheel), to compare with the registry's published digest. */
  source_sha256: string;
  /** Release date of the source version: the date the prices are known to be current. */
  prices_as_of: string;
  unit: string;
  license: string;
  notes: string[];
  patches: PricePatchRecord[];
  providers: PriceProvider[];
}
