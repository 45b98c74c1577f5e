/**
 * Data and filters for the differential tests of SQL pushdown against the filter engine, with the
 * GenAI conventions in: the store's generator (test/store/gen.ts: every value shape the engine
 * distinguishes, odd trees, equal start times) with a share of its spans carrying the attributes
 * of a GenAI fixture (every convention) or a demo-application span, and filters on every
 * normalised GenAI field drawn from the normalised values that occur, raw provider spellings
 * ("openai.chat", "MistralAI") and junk.
 */
import { buildDemoPlan } from "../../src/demo/index.js";
import { OPERATORS_BY_TYPE, toFilter, VALUE_TYPES, type Filter, type FilterInput, type Scalar } from "../../src/domain/filter.js";
import { createSpan, type Span, type Trace } from "../../src/domain/trace.js";
import { genaiFieldValue, NORMALIZED_GENAI_FIELDS } from "../../src/genai/fields.js";
import { ALL_FIXTURES } from "../fixtures/genai/index.js";
import { generateSpans, Rand, randomFilter, tracesOf } from "../store/gen.js";

export { GEN_SPREAD_MS, GEN_START_MS, Rand, tracesOf } from "../store/gen.js";

const DEMO_ATTRIBUTES: ReadonlyArray<Record<string, unknown>> = buildDemoPlan({ seed: 11, traces: 20, nowMs: Date.UTC(2026, 0, 15, 12) }).traces.flatMap((t) =>
  t.spans.map((s) => s.attributes as Record<string, unknown>),
);
const GENAI_ATTRIBUTES: ReadonlyArray<Record<string, unknown>> = [...ALL_FIXTURES.map((f) => f.span.attributes ?? {}), ...DEMO_ATTRIBUTES];

/** The store generator's spans, 40% of them re-dressed as GenAI spans of some convention. */
export function generateGenAiSpans(seed: number, traces: number): Span[] {
  const r = new Rand(seed * 7919 + 1);
  return generateSpans({ seed, traces }).map((s) =>
    r.chance(0.4)
      ? createSpan({
          ...s,
          attributes: { ...r.pick(GENAI_ATTRIBUTES), ...(r.chance(0.3) ? { "k.str": r.pick(["a", "7", "true"]) } : {}) },
          events: s.events,
        })
      : s,
  );
}

const RAW_PROVIDERS = ["openai.chat", "OpenAI", "MistralAI", "anthropic.messages", "amazon-bedrock", "az.ai.openai", "vertex_ai", "unknown", "some-new-Provider"];

function genaiFilter(r: Rand, spans: readonly Span[]): Filter {
  for (;;) {
    const field = r.pick(NORMALIZED_GENAI_FIELDS);
    const valueType = r.pick(VALUE_TYPES);
    const operator = r.pick([...OPERATORS_BY_TYPE[valueType]]);
    const pool: Scalar[] = ["", "7", "0", "abc", 0, 1, 100, true];
    for (let i = 0; i < 4; i++) {
      const v = genaiFieldValue(r.pick(spans), field);
      if (typeof v === "string" || typeof v === "number") pool.push(v, String(v));
      if (typeof v === "string" && v.length > 2) pool.push(v.slice(0, 2), v.slice(-2));
    }
    if (field === "gen_ai.system" || field === "gen_ai.provider.name") pool.push(...RAW_PROVIDERS);
    const input: FilterInput = { field, operator, value_type: valueType };
    if (operator === "in" || operator === "not_in") input.values = Array.from({ length: r.int(1, 3) }, () => r.pick(pool));
    else if (operator === "between") input.values = [r.pick(pool), r.pick(pool)];
    else if (operator !== "exists" && operator !== "not_exists") input.value = r.pick(pool);
    try {
      return toFilter(input);
    } catch {
      // not a valid combination: draw again
    }
  }
}

/** A random filter: half on the normalised GenAI fields, half the store generator's. */
export function randomGenAiFilter(r: Rand, spans: readonly Span[], traces: readonly Trace[]): Filter {
  return r.chance(0.5) ? genaiFilter(r, spans) : randomFilter(r, spans, traces);
}

export function tracesOfSpans(spans: readonly Span[]): Trace[] {
  return tracesOf(spans);
}
