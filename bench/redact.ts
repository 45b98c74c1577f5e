/**
 * Redaction cost on get_trace of a 2,000-span trace (`node --import tsx bench/redact.ts`).
 * A benchmark, not a test: it prints a table and asserts nothing.
 *
 * The trace: a deterministic LLM-application trace with realistic attributes: 600 LLM spans (30%)
 * with a shared ~1.4 kB system prompt, a unique user prompt and a completion (1-2% of them carry an
 * email, a phone number or an API key), 400 tool spans, 500 HTTP client spans (URL, user agent,
 * peer IP, status) and 499 DB spans (statement, server).
 *
 * What is measured (in-process, one thread; every variant of a table runs once per round, rounds
 * repeated --runs times, so load changes on a shared machine hit all variants alike; the tables
 * give the wall-time minimum (the best estimate of the uncontended cost), the wall-time median,
 * and the median process CPU time, which is steadier when other processes compete for the CPU):
 *  - the answer: JSON.stringify of the get_trace answer alone vs redactJson + JSON.stringify;
 *  - warm get_trace: getTrace.run with the trace in the trace cache (a repeated call) plus
 *    renderResult (redaction, fit, stringify), with no redactor and with each level's redactor;
 *    once with a budget large enough that nothing is cut, once with the default 80,000 characters;
 *  - cold get_trace: the same with a fresh trace cache per call, so the trace is fetched from the
 *    Jaeger adapter talking HTTP to a Jaeger-API fake on 127.0.0.1 (transfer, JSON parse, mapping).
 * Not included: MCP framing and the transport (the SDK's serialization of the result), which come
 * on top in a real call.
 */
import { createApp } from "../src/app.js";
import { createBackend } from "../src/backends/index.js";
import { backendOptionsFromConfig } from "../src/app.js";
import { resolveConfig } from "../src/config.js";
import { silentLogger } from "../src/logger.js";
import { renderResult } from "../src/mcp/render.js";
import { TraceCache } from "../src/query/trace-cache.js";
import { createRedactor, REDACT_LEVELS, type Redactor } from "../src/redact/redactor.js";
import type { TraceBackend } from "../src/backends/trace-backend.js";
import type { ToolContext, ToolDefinition } from "../src/tools/define-tool.js";
import { getTrace } from "../src/tools/get-trace.js";
import { jaegerWorld } from "../test/helpers/jaeger-world.js";
import { buildTrace, TRACE_ID } from "./redact-data.js";

const runs = Number(process.argv[process.argv.indexOf("--runs") + 1]) || 25;

const trace = buildTrace();
const memory = { getTrace: async () => trace, healthCheck: async () => ({ status: "healthy" }) } as unknown as TraceBackend;
function ctxWith(maxResponseChars: number, backend: TraceBackend = memory): ToolContext {
  const config = resolveConfig({ maxResponseChars: String(maxResponseChars) }, {});
  // The real composition root, with this bench's backend and an unbounded, always-settled cache.
  return createApp({ config, logger: silentLogger(), backendFactory: async () => backend, cache: new TraceCache({ settleMs: 0, maxBytes: 1 << 30 }) }).tools;
}


type Variant = [name: string, fn: () => unknown];

interface Timing {
  /** Wall time, ms: the minimum is the best estimate of the uncontended cost. */
  min: number;
  median: number;
  /** Process CPU time (user + system), ms: steadier than wall time on a shared machine. */
  cpu: number;
}

/** Runs every variant once per round (after two warm-up rounds). */
async function compare(variants: Variant[]): Promise<Map<string, Timing>> {
  const wall = new Map<string, number[]>(variants.map(([n]) => [n, []]));
  const cpu = new Map<string, number[]>(variants.map(([n]) => [n, []]));
  for (let round = 0; round < runs + 2; round++) {
    for (const [name, fn] of variants) {
      const c = process.cpuUsage();
      const t = performance.now();
      await fn();
      const elapsed = performance.now() - t;
      const used = process.cpuUsage(c);
      if (round < 2) continue;
      wall.get(name)!.push(elapsed);
      cpu.get(name)!.push((used.user + used.system) / 1000);
    }
  }
  const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
  return new Map(
    variants.map(([name]) => {
      const w = sorted(wall.get(name)!);
      const c = sorted(cpu.get(name)!);
      return [name, { min: w[0]!, median: w[Math.floor(w.length / 2)]!, cpu: c[Math.floor(c.length / 2)]! }];
    }),
  );
}

const pct = (t: number, base: number) => `${t >= base ? "+" : ""}${(((t - base) / base) * 100).toFixed(1)}%`;

function table(title: string, results: Map<string, Timing>, base: string): void {
  const b = results.get(base)!;
  console.log(`\n${title}\n| variant | wall min | vs ${base} | wall median | vs ${base} | CPU median | vs ${base} |\n|---|---|---|---|---|---|---|`);
  for (const [name, r] of results) {
    const d = (x: number, y: number) => (name === base ? "-" : pct(x, y));
    console.log(`| ${name} | ${r.min.toFixed(1)} | ${d(r.min, b.min)} | ${r.median.toFixed(1)} | ${d(r.median, b.median)} | ${r.cpu.toFixed(1)} | ${d(r.cpu, b.cpu)} |`);
  }
}

const def = getTrace as unknown as ToolDefinition;
const redactors = Object.fromEntries(REDACT_LEVELS.map((level) => [level, createRedactor({ level })])) as Record<(typeof REDACT_LEVELS)[number], Redactor>;
const full = (await def.run({ trace_id: TRACE_ID }, ctxWith(10_000_000))) as Record<string, unknown>;
const chars = JSON.stringify(full).length;
const llmSpans = trace.spans.filter((s) => s.attributes["gen_ai.system"]).length;
console.log(`get_trace answer: ${trace.spans.length} spans (${llmSpans} LLM), ${(chars / 1e6).toFixed(2)} M characters of JSON; ${runs} rounds; times in ms`);
console.log(`values redacted: ${REDACT_LEVELS.map((l) => `${l} ${redactors[l].redactJson(full).count}`).join(", ")}`);

table(
  "The answer alone: JSON.stringify vs redactJson + JSON.stringify",
  await compare([["stringify", () => JSON.stringify(full)], ...REDACT_LEVELS.map((l): Variant => [`redact ${l} + stringify`, () => JSON.stringify(redactors[l].redactJson(full).value)])]),
  "stringify",
);

const toolVariants = (ctx: () => ToolContext): Variant[] => {
  const call = (redactor?: Redactor) => async () => {
    const c = ctx();
    const answer = (await def.run({ trace_id: TRACE_ID }, c)) as Record<string, unknown>;
    return renderResult(def, answer, c.config, redactor).text.length;
  };
  return [["no redactor", call()], ...REDACT_LEVELS.map((l): Variant => [l, call(redactors[l])])];
};

for (const budget of [10_000_000, 80_000]) {
  const ctx = ctxWith(budget);
  await def.run({ trace_id: TRACE_ID }, ctx); // fills the trace cache
  table(
    `Warm get_trace (trace cache hit): run + render, budget ${budget.toLocaleString("en-US")} characters${budget < chars ? " (the answer is cut to fit)" : " (nothing cut)"}`,
    await compare(toolVariants(() => ctx)),
    "no redactor",
  );
}

const world = await jaegerWorld().start([trace]);
try {
  const config = resolveConfig({ backend: "jaeger", url: world.url, maxResponseChars: "10000000" }, {});
  const jaeger = await createBackend(config.backend.type, backendOptionsFromConfig(config, silentLogger()));
  table(
    "Cold get_trace (fresh trace cache: fetched from a Jaeger-API fake over loopback HTTP, parsed, mapped): run + render, nothing cut",
    await compare(toolVariants(() => ctxWith(10_000_000, jaeger))),
    "no redactor",
  );
  await jaeger.close();
} finally {
  await world.close();
}
