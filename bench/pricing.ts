/**
 * `node --import tsx bench/pricing.ts`: what pricing costs. Loading the vendored table, the first
 * lookup of a model (compiles its provider's rules), a fresh pricer resolving many distinct ids
 * (no cache help), and the same calls again through the lookup cache, as a tool pricing thousands
 * of spans sees them. A benchmark, not a test: it prints numbers and asserts nothing.
 */
import { performance } from "node:perf_hooks";

const t0 = performance.now();
const { createPricer, costOf } = await import("../src/genai/pricing.js");
const { VENDORED_PRICES } = await import("../src/genai/vendored-prices.js");
const loadMs = performance.now() - t0;

const ids: Array<[string, string | undefined]> = [];
for (const p of VENDORED_PRICES.providers) {
  for (const m of p.models.slice(0, 40)) ids.push([m.id, p.id]);
}
ids.push(["us.anthropic.claude-3-5-sonnet-20241022-v2:0", "aws.bedrock"], ["openai/gpt-4o", undefined], ["unknown-model", undefined]);

const at = Date.parse("2026-11-20T12:00:00Z");
const first = createPricer();
const f0 = performance.now();
first.resolvePrice("gpt-4o-2024-08-06", "openai", at);
const firstMs = performance.now() - f0;

const cold = createPricer();
const c0 = performance.now();
for (const [m, p] of ids) cold.resolvePrice(m, p, at);
const coldMs = performance.now() - c0;

const calls = 200_000;
const usage = { input: 1200, output: 300, cacheRead: 200, cacheWrite: 0, reasoning: 0 };
const w0 = performance.now();
let usd = 0;
for (let i = 0; i < calls; i++) {
  const [m, p] = ids[i % ids.length]!;
  const price = cold.resolvePrice(m, p, at);
  if (price) usd += costOf(usage, price).usd;
}
const warmMs = performance.now() - w0;

const row = (label: string, value: string) => process.stdout.write(`| ${label.padEnd(52)} | ${value.padStart(14)} |\n`);
process.stdout.write(`| measure${" ".repeat(45)} | value          |\n|${"-".repeat(54)}|${"-".repeat(16)}|\n`);
row("import pricing + vendored table", `${loadMs.toFixed(1)} ms`);
row("first lookup (compiles one provider's rules)", `${firstMs.toFixed(2)} ms`);
row(`${ids.length} distinct ids, fresh pricer`, `${((coldMs * 1000) / ids.length).toFixed(1)} µs/id`);
row(`${calls} priced calls through the cache`, `${((warmMs * 1000) / calls).toFixed(2)} µs/call`);
process.stdout.write(`\n(checksum ${usd.toFixed(2)} USD)\n`);
