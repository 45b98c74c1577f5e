/**
 * Ground truth for the LLM tools, computed from the dataset with deliberately plain code that
 * does not import the server's parser, so the tests compare two independent computations.
 */
import { expect } from "vitest";
import type { Span, Trace } from "../../src/domain/trace.js";

export interface Call {
  span: Span;
  trace: Trace;
  system: string;
  request?: string;
  response?: string;
  prompt: number;
  completion: number;
  total: number;
  cacheRead: number;
  cacheWrite: number;
  reasoning: number;
}

const num = (v: unknown): number => (typeof v === "number" ? v : 0);

export function calls(traces: Trace[]): Call[] {
  const out: Call[] = [];
  for (const trace of traces) {
    for (const span of trace.spans) {
      const a = span.attributes;
      if (typeof a["gen_ai.system"] !== "string") continue;
      const prompt = num(a["gen_ai.usage.prompt_tokens"]) || num(a["gen_ai.usage.input_tokens"]);
      const completion = num(a["gen_ai.usage.completion_tokens"]) || num(a["gen_ai.usage.output_tokens"]);
      const total = num(a["gen_ai.usage.total_tokens"]) || prompt + completion;
      // The dataset's OpenLLMetry spelling of the cache and reasoning counters.
      const cacheRead = num(a["gen_ai.usage.cache_read_input_tokens"]);
      const cacheWrite = num(a["gen_ai.usage.cache_creation_input_tokens"]);
      const reasoning = num(a["gen_ai.usage.reasoning_tokens"]);
      out.push({
        span,
        trace,
        system: a["gen_ai.system"],
        ...(typeof a["gen_ai.request.model"] === "string" ? { request: a["gen_ai.request.model"] } : {}),
        ...(typeof a["gen_ai.response.model"] === "string" ? { response: a["gen_ai.response.model"] } : {}),
        prompt,
        completion,
        total,
        cacheRead,
        cacheWrite,
        reasoning,
      });
    }
  }
  return out;
}

export const modelOf = (c: Call): string => c.response ?? c.request ?? "unknown";

/**
 * The providers' published list prices (USD per million tokens) of the test dataset's models:
 * OpenAI gpt-4o / gpt-4o-mini, Anthropic Claude 3.5 Sonnet, Cohere Command R (08-2024).
 */
const LIST_PRICES: Readonly<Record<string, { input: number; output: number; cacheRead?: number; cacheWrite?: number }>> = {
  "gpt-4o": { input: 2.5, output: 10, cacheRead: 1.25 },
  "gpt-4o-mini": { input: 0.15, output: 0.6, cacheRead: 0.075 },
  "claude-3-5-sonnet": { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
  "command-r": { input: 0.15, output: 0.6 },
};

/** Dollars for one call at list price (semconv: input includes cache reads and writes). */
export function callCost(c: Call): number {
  const model = (c.response ?? c.request ?? "").replace(/-\d{4}-\d{2}-\d{2}$|-\d{8}$/, "");
  const p = LIST_PRICES[model];
  if (!p) throw new Error(`no list price for ${model} in the test table`);
  const fresh = c.prompt - c.cacheRead - c.cacheWrite;
  return (fresh * p.input + c.cacheRead * (p.cacheRead ?? p.input) + c.cacheWrite * (p.cacheWrite ?? p.input) + c.completion * p.output) / 1e6;
}

export const costOf = (cs: Call[]): number => cs.reduce((n, c) => n + callCost(c), 0);

/** get_llm_usage's summary for these calls. */
export function usageSummary(cs: Call[]) {
  return {
    total_requests: cs.length,
    total_prompt_tokens: sum(cs.map((c) => c.prompt)),
    total_completion_tokens: sum(cs.map((c) => c.completion)),
    total_tokens: sum(cs.map((c) => c.total)),
    total_cache_read_tokens: sum(cs.map((c) => c.cacheRead)),
    total_cache_write_tokens: sum(cs.map((c) => c.cacheWrite)),
    total_reasoning_tokens: sum(cs.map((c) => c.reasoning)),
    cost_usd: expect.closeTo(costOf(cs), 6),
  };
}

/** One by_model / by_service row of get_llm_usage. */
export function usageRow(cs: Call[]) {
  const s = usageSummary(cs);
  return {
    requests: s.total_requests,
    prompt_tokens: s.total_prompt_tokens,
    completion_tokens: s.total_completion_tokens,
    total_tokens: s.total_tokens,
    cache_read_tokens: s.total_cache_read_tokens,
    cache_write_tokens: s.total_cache_write_tokens,
    reasoning_tokens: s.total_reasoning_tokens,
    cost_usd: s.cost_usd,
  };
}

/** numpy "linear" percentile, written out independently. */
export function pct(values: number[], p: number): number {
  const v = [...values].sort((a, b) => a - b);
  if (v.length === 0) return 0;
  const pos = (v.length - 1) * p;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return v[lo]! + (v[hi]! - v[lo]!) * (pos - lo);
}

export function sum(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}
