/**
 * Price lookup: which table entry (or user override) prices a model id reported by a span, and
 * the prices active at the call's time. Pure and table-driven (the generator uses it on tables it
 * builds). A model with no price resolves to `undefined`, never to $0.
 *
 * Matching order for `resolvePrice(model, provider)`:
 *  1. user overrides (an exact id before a /regex/, then file order);
 *  2. the caller's provider (gen_ai.provider.name / gen_ai.system, mapped to genai-prices' ids):
 *     its rules, then the providers it serves models from (Azure -> OpenAI, Vertex -> Anthropic);
 *     the id as reported first, then with prefixes stripped (`openai/`, `models/`, paths, Bedrock
 *     region and vendor prefixes);
 *  3. without a provider (or when its rules do not know the model): a provider named inside the id
 *     (`anthropic/...`, a Bedrock `us.anthropic....` id), then the providers whose model rules claim
 *     the id (`gpt-` -> OpenAI, `claude` -> Anthropic, ...), again raw id first;
 *  4. within a provider the most specific rule wins (exact id, then anchored regex, then the
 *     longest prefix or substring), so snapshots such as gpt-4o-2024-08-06 land on their entry.
 */
import { compileClause, type CompiledClause } from "./price-rules.js";
import type { PriceOverride } from "./price-overrides.js";
import type { ConditionalPrices, PriceConstraint, PriceEntry, PriceProvider, PriceTable, TokenPrices } from "./price-table.js";

export interface ResolvedPrice {
  source: "table" | "override";
  /** What priced the call: the table entry's id (gpt-4o for gpt-4o-2024-08-06) or the override's `match`. */
  entry: string;
  /** genai-prices provider id of the entry (openai, aws, google, ...); an override's provider if it names one. */
  provider?: string;
  /** USD per million tokens, as active at the call's time. Shared with the table: do not mutate. */
  prices: Readonly<TokenPrices>;
  /** Priced at $0 on purpose (a `:free` model, or an override of 0). */
  free?: boolean;
  /** The source has no output price (embedding models): output tokens are not billed. */
  inputOnly?: boolean;
}

export interface Pricer {
  /** `at`: the call's time (epoch ms or Date) for date- or time-bound prices; default now. */
  resolvePrice(model: string, provider?: string, at?: number | Date): ResolvedPrice | undefined;
  /**
   * The price of every call of a model between two instants (epoch ms) when one price applies
   * throughout (what resolvePrice gives at each of them), "varies" when date- or time-of-day-bound
   * prices may change in between, undefined when the model has no price.
   */
  resolvePriceThroughout(model: string, provider: string | undefined, fromMs: number, toMs: number): ResolvedPrice | undefined | "varies";
  readonly pricesAsOf: string;
  readonly table: PriceTable;
}

/**
 * OpenTelemetry `gen_ai.provider.name` values (and common `gen_ai.system` spellings) that genai-prices
 * does not already recognise by id or by its own provider rules.
 */
const PROVIDER_ALIASES: Readonly<Record<string, string>> = {
  "aws.bedrock": "aws",
  aws_bedrock: "aws",
  "azure.ai.openai": "azure",
  "azure.ai.inference": "azure",
  "az.ai.inference": "azure",
  "az.ai.openai": "azure",
  azure_openai: "azure",
  "gcp.gemini": "google",
  "gcp.vertex_ai": "google",
  "gcp.gen_ai": "google",
  vertex_ai: "google",
  vertexai: "google",
  mistral_ai: "mistral",
  mistralai: "mistral",
  x_ai: "x-ai",
  xai: "x-ai",
  grok: "x-ai",
  moonshot_ai: "moonshotai",
  fireworks_ai: "fireworks",
  "fireworks-ai": "fireworks",
  together_ai: "together",
  "together-ai": "together",
  zhipu: "zhipuai",
  zhipu_ai: "zhipuai",
  z_ai: "zai",
  voyage: "voyageai",
  voyage_ai: "voyageai",
};

/** Path segments that name the serving provider inside a model id (`openai/gpt-4o`, `publishers/anthropic/...`). */
const SEGMENT_PROVIDERS: Readonly<Record<string, string>> = {
  openai: "openai",
  azure: "azure",
  anthropic: "anthropic",
  bedrock: "aws",
  bedrock_converse: "aws",
  google: "google",
  gemini: "google",
  vertex_ai: "google",
  "vertex_ai-language-models": "google",
  mistral: "mistral",
  mistralai: "mistral",
  deepseek: "deepseek",
  groq: "groq",
  cohere: "cohere",
  xai: "x-ai",
  "x-ai": "x-ai",
  perplexity: "perplexity",
  moonshotai: "moonshotai",
  cerebras: "cerebras",
  openrouter: "openrouter",
};

/** Bedrock ids: an optional cross-region prefix (us., eu., apac., global., ...), then the vendor. */
const BEDROCK_ID = /^(?:(?:us|eu|apac|global|us-gov|jp|au|ca|sa|me|af)\.)?(anthropic|amazon|meta|mistral|cohere|ai21|deepseek|openai|qwen|writer|twelvelabs|stability|luma|minimax|moonshot|moonshotai|google|nvidia|zai)\.(.+)$/;
const BEDROCK_VENDORS: Readonly<Record<string, string>> = {
  anthropic: "anthropic",
  mistral: "mistral",
  cohere: "cohere",
  deepseek: "deepseek",
  openai: "openai",
  meta: "meta",
  moonshot: "moonshotai",
  moonshotai: "moonshotai",
  google: "google",
  minimax: "minimax",
  zai: "zai",
};

/** LiteLLM/OpenRouter write dates compactly (gpt-5.2-20251211); genai-prices' ids use dashes. */
const COMPACT_DATE = /(-)(20\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?=-|:|$)/g;

const CACHE_LIMIT = 10_000;

interface CompiledEntry {
  entry: PriceEntry;
  score: CompiledClause;
}

interface CompiledProvider {
  provider: PriceProvider;
  modelMatch?: CompiledClause;
  providerMatch?: CompiledClause;
  entries: CompiledEntry[];
}

interface Candidate {
  id: string;
  /** A provider named inside the id. */
  hint?: string;
}

type Hit = { kind: "entry"; entry: PriceEntry; provider: string } | { kind: "override"; override: PriceOverride };

export function createPriceLookup(table: PriceTable, overrideList: readonly PriceOverride[] = []): Pricer {
  const overrides = [...overrideList].sort((a, b) => Number(!a.exact) - Number(!b.exact) || a.index - b.index);
  const providers: CompiledProvider[] = table.providers.map((p) => ({
    provider: p,
    ...(p.model_match ? { modelMatch: compileClause(p.model_match) } : {}),
    ...(p.provider_match ? { providerMatch: compileClause(p.provider_match) } : {}),
    entries: [],
  }));
  const byId = new Map(providers.map((p) => [p.provider.id, p]));
  const compiled = new Set<CompiledProvider>();
  const cache = new Map<string, Hit | null>();
  const providerCache = new Map<string, CompiledProvider | null>();

  // Entries compile on first use: most lookups touch two or three providers of the ~50.
  function entriesOf(p: CompiledProvider): CompiledEntry[] {
    if (!compiled.has(p)) {
      p.entries = p.provider.models.map((entry) => ({ entry, score: compileClause(entry.match) }));
      compiled.add(p);
    }
    return p.entries;
  }

  function providerFor(name: string | undefined): CompiledProvider | undefined {
    if (!name) return undefined;
    const key = name.trim().toLowerCase();
    if (key === "") return undefined;
    const cached = providerCache.get(key);
    if (cached !== undefined) return cached ?? undefined;
    // Vercel AI SDK names the API too (openai.chat, groq.chat, xai.responses): retry with the part before the dot.
    const dot = key.indexOf(".");
    const found = byName(key) ?? (dot > 0 ? byName(key.slice(0, dot)) : undefined);
    providerCache.set(key, found ?? null);
    return found;
  }

  function byName(key: string): CompiledProvider | undefined {
    const id = PROVIDER_ALIASES[key] ?? key;
    return byId.get(id) ?? providers.find((p) => p.providerMatch && p.providerMatch(id) >= 0);
  }

  function bestIn(p: CompiledProvider, id: string): PriceEntry | undefined {
    let best: PriceEntry | undefined;
    let bestScore = -1;
    for (const { entry, score } of entriesOf(p)) {
      const s = score(id);
      if (s > bestScore) {
        best = entry;
        bestScore = s;
      }
    }
    return best;
  }

  /** The provider's own rules, then (one step, as genai-prices does) the providers it falls back to. */
  function findIn(p: CompiledProvider, id: string): Hit | undefined {
    const ids = [id];
    const dashed = id.replace(COMPACT_DATE, (_m, dash: string, y: string, mo: string, d: string) => `${dash}${y}-${mo}-${d}`);
    if (dashed !== id) ids.push(dashed);
    for (const ref of ids) {
      const own = bestIn(p, ref);
      if (own) return { kind: "entry", entry: own, provider: p.provider.id };
      for (const fid of p.provider.fallback ?? []) {
        const f = byId.get(fid);
        const entry = f && bestIn(f, ref);
        if (entry) return { kind: "entry", entry, provider: fid };
      }
    }
    return undefined;
  }

  function findByModelRules(id: string): Hit | undefined {
    for (const p of providers) {
      if (p.modelMatch && p.modelMatch(id) >= 0) {
        const hit = findIn(p, id);
        if (hit) return hit;
      }
    }
    return undefined;
  }

  function findOverride(raw: string, ids: readonly string[], provider: string | undefined): PriceOverride | undefined {
    if (overrides.length === 0) return undefined;
    const canonical = canonicalProvider(provider);
    for (const o of overrides) {
      if (o.provider !== undefined && canonicalProvider(o.provider) !== canonical) continue;
      if (o.exact !== undefined ? ids.includes(o.exact) : o.pattern!.test(raw) || ids.some((id) => o.pattern!.test(id))) return o;
    }
    return undefined;
  }

  function canonicalProvider(name: string | undefined): string | undefined {
    if (!name) return undefined;
    return providerFor(name)?.provider.id ?? name.trim().toLowerCase();
  }

  function lookup(model: string, provider: string | undefined): Hit | undefined {
    const raw = model.trim();
    const cands = candidates(raw.toLowerCase());
    const ids = cands.map((c) => c.id);
    const override = findOverride(raw, ids, provider);
    if (override) return { kind: "override", override };

    const given = providerFor(provider);
    if (given) {
      for (const c of cands) {
        const hit = findIn(given, c.id);
        if (hit) return hit;
      }
    }
    for (const c of cands) {
      const hinted = c.hint ? byId.get(c.hint) : undefined;
      const hit = (hinted && hinted !== given ? findIn(hinted, c.id) : undefined) ?? findByModelRules(c.id);
      if (hit) return hit;
    }
    return undefined;
  }

  return {
    table,
    pricesAsOf: table.prices_as_of,
    resolvePrice(model, provider, at) {
      const hit = hitFor(model, provider);
      return hit ? resolved(hit, at) : undefined;
    },
    resolvePriceThroughout(model, provider, fromMs, toMs) {
      const hit = hitFor(model, provider);
      if (!hit) return undefined;
      if (hit.kind === "entry" && Array.isArray(hit.entry.prices) && fromMs !== toMs) {
        // Daily windows come round again; from-date prices only ever move forward, so the same
        // price at both ends holds in between.
        if (hit.entry.prices.some((c) => c.when !== undefined && "utc_time" in c.when)) return "varies";
        const first = resolved(hit, fromMs);
        return first && first.prices === resolved(hit, toMs)?.prices ? first : "varies";
      }
      return resolved(hit, fromMs);
    },
  };

  function hitFor(model: string, provider: string | undefined): Hit | undefined {
    if (typeof model !== "string" || model.trim() === "") return undefined;
    const key = `${provider?.trim().toLowerCase() ?? ""}\u0000${model}`;
    let hit = cache.get(key);
    if (hit === undefined) {
      if (cache.size >= CACHE_LIMIT) cache.clear();
      hit = lookup(model, provider) ?? null;
      cache.set(key, hit);
    }
    return hit ?? undefined;
  }

  function resolved(hit: Hit, at: number | Date | undefined): ResolvedPrice | undefined {
    if (hit.kind === "override") {
      const o = hit.override;
      const free = o.prices.input === 0 && o.prices.output === 0;
      return { source: "override", entry: o.match, ...(o.provider ? { provider: o.provider } : {}), prices: o.prices, ...(free ? { free } : {}) };
    }
    const { entry } = hit;
    if (!entry.prices) return undefined; // known to the table, but not billed per token
    const t = at === undefined ? Number.NaN : typeof at === "number" ? at : at.getTime();
    const when = Number.isFinite(t) ? t : Date.now();
    return {
      source: "table",
      entry: entry.id,
      provider: hit.provider,
      prices: activePrices(entry.prices, when),
      ...(entry.free ? { free: true } : {}),
      ...(entry.input_only ? { inputOnly: true } : {}),
    };
  }
}

/** The id as reported, then the forms a wrapper may have added (in that order, without repeats). */
function candidates(id: string): Candidate[] {
  const out: Candidate[] = [];
  const seen = new Set<string>();
  const push = (candidate: string, named?: string): void => {
    if (candidate === "" || seen.has(candidate)) return;
    seen.add(candidate);
    const hint = candidate.endsWith(":free")
      ? "openrouter" // OpenRouter's free variants (deepseek/deepseek-chat:free), not the vendor's paid model
      : !candidate.includes("/") && BEDROCK_ID.test(candidate)
        ? "aws"
        : named;
    out.push(hint ? { id: candidate, hint } : { id: candidate });
  };
  // The id, then each tail after a '/': openai/gpt-4o, models/gemini-1.5-pro, accounts/x/models/y,
  // arn:aws:bedrock:...:inference-profile/us.anthropic.... The nearest segment naming a provider is the hint.
  const segments = id.split("/");
  for (let i = 0; i < segments.length; i++) {
    const named = segments
      .slice(0, i)
      .reverse()
      .map((s) => SEGMENT_PROVIDERS[s])
      .find(Boolean);
    push(segments.slice(i).join("/"), named);
  }
  const last = segments[segments.length - 1]!;
  const bedrock = BEDROCK_ID.exec(last);
  if (bedrock) {
    const [, vendor, bare] = bedrock as unknown as [string, string, string];
    push(`${vendor}.${bare}`);
    push(bare, BEDROCK_VENDORS[vendor]);
  }
  // Vertex writes Anthropic snapshots as claude-3-5-sonnet-v2@20241022.
  if (last.includes("@")) push(last.replace("@", "-"));
  return out;
}

function constraintActive(when: PriceConstraint, at: number): boolean {
  const iso = new Date(at).toISOString();
  if ("from_date" in when) return iso.slice(0, 10) >= when.from_date;
  const time = iso.slice(11, 19);
  const [start, end] = when.utc_time;
  return end < start ? time >= start || time < end : time >= start && time < end;
}

/** genai-prices' rule: the last active conditional price wins; when none is active, the first. */
function activePrices(prices: TokenPrices | ConditionalPrices[], at: number): TokenPrices {
  if (!Array.isArray(prices)) return prices;
  for (let i = prices.length - 1; i >= 0; i--) {
    const c = prices[i]!;
    if (!c.when || constraintActive(c.when, at)) return c.prices;
  }
  return prices[0]!.prices;
}
