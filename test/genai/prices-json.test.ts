import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { serializeTable } from "../../scripts/gen-prices/build-table.js";
import type { Clause, PriceEntry, Rate, TokenPrices } from "../../src/genai/price-table.js";
import { createPricer, PRICE_SOURCE, PRICES_AS_OF } from "../../src/genai/pricing.js";
import { VENDORED_PRICES as table } from "../../src/genai/vendored-prices.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const entries = table.providers.flatMap((p) => p.models.map((m) => ({ provider: p.id, m })));

describe("the vendored prices.json", () => {
  it("is stamped with its source: genai-prices 0.2.3 from PyPI, the wheel's published sha256, its release date", () => {
    expect(table.schema).toBe(1);
    expect(table.source).toEqual({ package: "genai-prices", version: "0.2.3", registry: "PyPI", file: "genai_prices-0.2.3-py3-none-any.whl", member: "genai_prices/data.py" });
    // The digest PyPI publishes for genai_prices-0.2.3-py3-none-any.whl (released 2026-11-10).
    expect(table.source_sha256).toBe("56976ce2b04ec206117f7d0e53f4849211a6724ab3a12119afec304eba63ee25");
    expect(table.prices_as_of).toBe("2026-11-10");
    expect(PRICES_AS_OF).toBe("2026-11-10");
    expect(PRICE_SOURCE).toMatchObject({ package: "genai-prices", version: "0.2.3", sha256: table.source_sha256 });
    expect(table.unit).toBe("USD per million tokens");
  });

  it("keeps genai-prices' MIT notice, in the JSON and beside it", () => {
    expect(table.license).toMatch(/^The MIT License \(MIT\)\n\nCopyright \(c\) Pydantic Services Inc\./);
    expect(table.license).toContain("The above copyright notice and this permission notice shall be included");
    expect(readFileSync(join(root, "src/genai/PRICES-LICENSE"), "utf8")).toContain(table.license);
  });

  it("records the gpt-4o-2024-05-13 patch (the source has it right since 0.2.x)", () => {
    expect(table.patches).toEqual([expect.objectContaining({ provider: "openai", model: "gpt-4o-2024-05-13", status: "already correct in source" })]);
  });

  it("is byte for byte what the generator's serializer writes (nobody edited it by hand)", () => {
    expect(readFileSync(join(root, "src/genai/prices.json"), "utf8")).toBe(serializeTable(table));
  });

  it("every entry has input and output prices, or is documented input-only, free, or unpriced", () => {
    const sets = (m: PriceEntry): TokenPrices[] => (m.prices === undefined ? [] : Array.isArray(m.prices) ? m.prices.map((c) => c.prices) : [m.prices]);
    const kinds = { priced: 0, inputOnly: 0, free: 0, unpriced: 0 };
    for (const { provider, m } of entries) {
      const where = `${provider}:${m.id}`;
      const s = sets(m);
      if (m.free) {
        expect(s, where).toEqual([{ input: 0, output: 0 }]);
        expect(m.id.endsWith(":free") || where === "openai:moderation", where).toBe(true);
        kinds.free++;
      } else if (m.prices === undefined) {
        kinds.unpriced++;
      } else if (m.input_only) {
        for (const p of s) expect([p.input !== undefined, p.output === undefined], where).toEqual([true, true]);
        kinds.inputOnly++;
      } else {
        for (const p of s) expect([p.input !== undefined, p.output !== undefined], where).toEqual([true, true]);
        kinds.priced++;
      }
    }
    expect(kinds.priced).toBeGreaterThan(1900);
    expect(kinds.inputOnly).toBeLessThan(100);
    expect(kinds.free + kinds.unpriced).toBeLessThan(250);
  });

  it("holds only finite non-negative prices, ascending tiers, known constraint forms, and rules JavaScript can run", () => {
    const checkRate = (r: Rate, where: string): void => {
      if (typeof r === "number") {
        expect(Number.isFinite(r) && r >= 0, where).toBe(true);
        return;
      }
      checkRate(r.base, where);
      r.tiers.forEach((t, i) => {
        checkRate(t.price, where);
        if (i > 0) expect(t.start, where).toBeGreaterThan(r.tiers[i - 1]!.start);
      });
    };
    const checkClause = (c: Clause, where: string): void => {
      if ("or" in c) c.or.forEach((x) => checkClause(x, where));
      else if ("and" in c) c.and.forEach((x) => checkClause(x, where));
      else if ("regex" in c) expect(() => new RegExp(c.regex), where).not.toThrow();
      else expect(Object.values(c)[0], where).toEqual(expect.any(String));
    };
    for (const { provider, m } of entries) {
      const where = `${provider}:${m.id}`;
      checkClause(m.match, where);
      const list = m.prices === undefined ? [] : Array.isArray(m.prices) ? m.prices : [{ prices: m.prices }];
      for (const c of list) {
        if ("when" in c && c.when) expect("from_date" in c.when ? /^\d{4}-\d\d-\d\d$/.test(c.when.from_date) : c.when.utc_time.every((t) => /^\d\d:\d\d:\d\d$/.test(t)), where).toBe(true);
        for (const [k, r] of Object.entries(c.prices)) {
          expect(["input", "output", "cache_read", "cache_write", "reasoning"], where).toContain(k);
          checkRate(r, `${where}.${k}`);
        }
      }
    }
  });

  it("stays modest: only the fields pricing uses (no names, descriptions, extractors or variant prices)", () => {
    expect(readFileSync(join(root, "src/genai/prices.json")).length).toBeLessThan(500_000);
    for (const p of table.providers) {
      expect(Object.keys(p).every((k) => ["id", "model_match", "provider_match", "fallback", "models"].includes(k)), p.id).toBe(true);
    }
    for (const { provider, m } of entries) {
      expect(Object.keys(m).every((k) => ["id", "match", "prices", "free", "input_only"].includes(k)), `${provider}:${m.id}`).toBe(true);
    }
  });
});

interface OracleRow {
  0: string | null;
  1: string;
  2: { entry: string; prices: TokenPrices } | null;
}
const oracle = JSON.parse(readFileSync(join(root, "test/fixtures/genai-prices/oracle.json"), "utf8")) as { version: string; at: string; rows: OracleRow[] };

describe("agreement with genai-prices' own lookup (its Python package, see scripts/gen-prices/oracle.py)", () => {
  it("the oracle was taken from the same version as prices.json", () => {
    expect(oracle.version, "regenerate test/fixtures/genai-prices/oracle.json with scripts/gen-prices/oracle.py").toBe(table.source.version);
  });

  it(`wherever genai-prices finds a price, we find the same entry and prices (${oracle.rows.length} ids)`, () => {
    const pricer = createPricer();
    const at = Date.parse(oracle.at);
    const mismatches: string[] = [];
    let compared = 0;
    for (const [provider, ref, want] of oracle.rows.map((r) => [r[0], r[1], r[2]] as const)) {
      // Without a provider genai-prices prices OpenRouter's `:free` variants as the vendor's paid model; we do not.
      if (!want || (provider === null && ref.endsWith(":free"))) continue;
      const got = pricer.resolvePrice(ref, provider ?? undefined, at);
      const wantUnpriced = Object.keys(want.prices).length === 0;
      const same = wantUnpriced ? got === undefined || got.free === true : got?.entry === want.entry && JSON.stringify(sorted(got.prices)) === JSON.stringify(sorted(want.prices));
      if (!same) mismatches.push(`${provider ?? "-"}|${ref}: want ${want.entry} ${JSON.stringify(want.prices)}, got ${got ? `${got.entry} ${JSON.stringify(got.prices)}` : "nothing"}`);
      compared++;
    }
    expect(mismatches).toEqual([]);
    expect(compared).toBeGreaterThan(200);
  });
});

function sorted(p: TokenPrices): Array<[string, unknown]> {
  return Object.entries(p).sort(([a], [b]) => a.localeCompare(b));
}
