/**
 * `npx tsx bench/genai.ts [--traces 600] [--rounds 5]`: throughput of the GenAI normaliser on the
 * demo plan (every convention, wrappers, agents and plain spans mixed as an application emits them):
 * first parse of fresh span objects, then the memoised repeat. Prints a line per measurement;
 * nothing here asserts.
 */
import { buildDemoPlan } from "../src/demo/index.js";
import { createSpan, type Span } from "../src/domain/trace.js";
import { parseLlmSpan } from "../src/genai/llm-span.js";
import { normalizeSpan } from "../src/genai/normalize.js";

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const traces = arg("traces", 600);
const rounds = arg("rounds", 5);
const plan = buildDemoPlan({ seed: 42, traces, nowMs: Date.UTC(2026, 0, 15, 12) });
const fresh = (): Span[] =>
  plan.traces.flatMap((t) =>
    t.spans.map((s) =>
      createSpan({
        traceId: t.traceId,
        spanId: s.spanId,
        parentSpanId: s.parentSpanId,
        operationName: s.name,
        serviceName: s.service,
        startTimeUs: s.startUs,
        durationMs: (s.endUs - s.startUs) / 1000,
        attributes: s.attributes,
        events: s.events.map((e) => ({ name: e.name, timestamp: e.timeUs, attributes: e.attributes })),
      }),
    ),
  );

const firsts: number[] = [];
const repeats: number[] = [];
let spanCount = 0;
let calls = 0;
for (let r = 0; r < rounds; r++) {
  const spans = fresh();
  spanCount = spans.length;
  let t = performance.now();
  calls = 0;
  for (const s of spans) if (parseLlmSpan(s)) calls++;
  firsts.push(performance.now() - t);
  t = performance.now();
  for (const s of spans) parseLlmSpan(s);
  repeats.push(performance.now() - t);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const byConvention: Record<string, number> = {};
for (const s of fresh()) {
  const c = normalizeSpan(s)?.convention;
  if (c) byConvention[c] = (byConvention[c] ?? 0) + 1;
}
console.log(`spans ${spanCount}, LLM calls ${calls}`, byConvention);
console.log(`first parse: median ${median(firsts).toFixed(1)} ms = ${((median(firsts) * 1000) / spanCount).toFixed(2)} us/span`);
console.log(`memoised repeat: median ${median(repeats).toFixed(1)} ms = ${((median(repeats) * 1000) / spanCount).toFixed(2)} us/span`);
