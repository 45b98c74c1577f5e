import { z } from "zod";
import { total } from "../analytics/aggregate.js";
import { costCallOf } from "../analytics/llm-usage.js";
import type { LlmCallRecord } from "../backends/trace-backend.js";
import type { Filter } from "../domain/filter.js";
import { CostTally } from "../genai/cost-summary.js";
import { costMeta, costMetaSchema, unpricedNote } from "./cost-meta.js";
import { round2 } from "../analytics/stats.js";
import { formatTimeUs } from "../domain/time.js";
import { traceHasErrors, type Trace } from "../domain/trace.js";
import { pushedRanking } from "../query/rank-traces.js";
import { planFilters } from "../query/plan.js";
import { findTraces, type Found } from "../query/search.js";
import { fitList, truncatedSchema } from "./budget.js";
import { defineTool, type ToolContext } from "./define-tool.js";
import { traceLinks } from "./links.js";
import * as p from "./params.js";
import { llmCalls, modelKey, skippedOutput } from "./llm-common.js";
import { coverageSchema, notesSchema, statusSchema, withCoverage, windowSchema } from "./summaries.js";

interface TraceTokens {
  trace: Trace;
  models: string[];
  prompt: number;
  completion: number;
  total: number;
  llmSpanCount: number;
}

function tally(trace: Trace): TraceTokens {
  return { trace, ...tallyCalls(llmCalls(trace)) };
}

function tallyCalls(calls: readonly LlmCallRecord[]): Omit<TraceTokens, "trace"> {
  const t = total(calls, {
    prompt: { kind: "sum", of: (c) => c.llm.prompt_tokens },
    completion: { kind: "sum", of: (c) => c.llm.completion_tokens },
    total: { kind: "sum", of: (c) => c.llm.total_tokens },
    models: { kind: "distinct", of: (c) => (modelKey(c.llm) === "unknown" ? undefined : modelKey(c.llm)) },
  });
  return { models: t.models, prompt: t.prompt, completion: t.completion, total: t.total, llmSpanCount: calls.length };
}

type RankArgs = { start_time?: string | undefined; end_time?: string | undefined; limit: number } & p.SimpleParams;
type Tallied = Omit<TraceTokens, "trace"> & { id: string };

const byIds = (ids: string[]): Filter => ({ field: "trace_id", operator: "in", values: ids, valueType: "string" });

/** Durations are ranked rounded to 0.01 ms (round2): the backend also returns what may round into a tie at the cut. */
const DURATION_SLACK_MS = 0.02;

/**
 * Rankings the backend computes itself (the local store, ClickHouse: rankTraces), over every trace
 * of the window with no --max-traces cap: the traces that can make the top, each with the tally of
 * its calls (the parser's reading, as tallyCalls sums it). Undefined when the backend cannot rank,
 * or cannot read traces by id (the caller tallies whole traces instead).
 */
async function rankedTallies(args: RankArgs, ctx: ToolContext, by: "tokens" | "duration", minTokens: number) {
  const window = p.parseWindow(args, ctx.now());
  const filters = p.simpleParamFilters(args);
  if (planFilters(await ctx.backend(), [byIds([])], "traces").local.length > 0) return undefined;
  const slack = by === "duration" ? DURATION_SLACK_MS : 0;
  const pushed = await pushedRanking(ctx, { ...window, filters, by, limit: args.limit, minTokens, slack });
  if (!pushed) return undefined;
  // Newest first, as the calls came: the stable sorts below keep that order within equal scores.
  const tallies = pushed.items.map((t) => ({
    id: t.traceId,
    durationMs: t.durationMs,
    models: [...new Set(t.models)].sort(),
    prompt: t.promptTokens,
    completion: t.completionTokens,
    total: t.totalTokens,
    llmSpanCount: t.llmCalls,
  }));
  return { window, filters, pushed, tallies };
}

/**
 * The listed traces read whole: the top `limit` of `candidates` (sorted by `score`, highest
 * first), ties at the cut included so their order is the search's (newest first), as when tallying
 * whole traces; at most --max-traces (the search's cap), then the top that many.
 */
async function readRanked<T extends Tallied>(
  ctx: ToolContext,
  from: { window: p.Window; filters: Filter[] },
  candidates: readonly T[],
  limit: number,
  score: (t: T) => number,
): Promise<Array<T & { trace: Trace }>> {
  const cut = candidates[limit - 1];
  const tied = cut === undefined ? [...candidates] : candidates.filter((t) => score(t) >= score(cut));
  const wanted = tied.length > ctx.maxTraces ? tied.slice(0, ctx.maxTraces) : tied;
  if (wanted.length === 0) return [];
  const byId = new Map(wanted.map((t) => [t.id, t]));
  const read = await findTraces(ctx, { ...from.window, limit: wanted.length, filters: [...from.filters, byIds(wanted.map((t) => t.id))], mode: "window" });
  return read.items.flatMap((trace) => (byId.has(trace.traceId) ? [{ ...byId.get(trace.traceId)!, trace }] : []));
}

/** The token ranking over every trace of the window (see rankedTallies). */
async function expensiveFromBackend(args: RankArgs & { min_tokens?: number | undefined }, ctx: ToolContext): Promise<{ ranked: TraceTokens[]; found: Found<unknown> } | undefined> {
  const got = await rankedTallies(args, ctx, "tokens", args.min_tokens ?? 0);
  if (!got) return undefined;
  const candidates = got.tallies.filter((t) => t.total > 0 && (!args.min_tokens || t.total >= args.min_tokens)).sort((a, b) => b.total - a.total);
  const read = await readRanked(ctx, got, candidates, args.limit, (t) => t.total);
  return { ranked: read.sort((a, b) => b.total - a.total).slice(0, args.limit), found: got.pushed };
}

/**
 * The duration ranking over every trace of the window with LLM calls (see rankedTallies): ranked
 * by the backend's durations (the arithmetic of whole traces), then by those of the listed traces
 * read whole, as when tallying whole traces.
 */
async function slowFromBackend(args: RankArgs, ctx: ToolContext): Promise<{ ranked: Array<TraceTokens & { rounded: number }>; found: Found<unknown> } | undefined> {
  const got = await rankedTallies(args, ctx, "duration", 0);
  if (!got) return undefined;
  const candidates = got.tallies.map((t) => ({ ...t, rounded: round2(t.durationMs) })).sort((a, b) => b.rounded - a.rounded);
  const read = await readRanked(ctx, got, candidates, args.limit, (t) => t.rounded);
  const ranked = read.map((t) => ({ ...t, rounded: round2(t.trace.durationMs) })).sort((a, b) => b.rounded - a.rounded);
  return { ranked: ranked.slice(0, args.limit), found: got.pushed };
}

/**
 * Tallies every trace of the window, up to --max-traces: a ranking must see the whole window, not
 * a backend-chosen subset (the original looked at 10x the requested count, whichever the backend
 * returned first).
 */
async function tallied(
  args: { start_time?: string | undefined; end_time?: string | undefined } & p.SimpleParams,
  ctx: ToolContext,
): Promise<{ tallies: TraceTokens[]; found: Found<Trace> }> {
  const window = p.parseWindow(args, ctx.now());
  const found = await findTraces(ctx, { ...window, limit: ctx.maxTraces, filters: p.simpleParamFilters(args), mode: "window" });
  return { tallies: found.items.map(tally), found };
}

/** The token ranking over whole traces, up to --max-traces of them. */
async function expensiveFromTraces(
  args: { start_time?: string | undefined; end_time?: string | undefined; limit: number; min_tokens?: number | undefined } & p.SimpleParams,
  ctx: ToolContext,
): Promise<{ ranked: TraceTokens[]; found: Found<unknown> }> {
  const { tallies, found } = await tallied(args, ctx);
  const ranked = tallies
    .filter((t) => t.total > 0 && (!args.min_tokens || t.total >= args.min_tokens))
    .sort((a, b) => b.total - a.total)
    .slice(0, args.limit);
  return { ranked, found };
}

/** The duration ranking over whole traces, up to --max-traces of them. */
async function slowFromTraces(args: RankArgs, ctx: ToolContext): Promise<{ ranked: Array<TraceTokens & { rounded: number }>; found: Found<unknown> }> {
  const { tallies, found } = await tallied(args, ctx);
  const ranked = tallies
    .filter((t) => t.llmSpanCount > 0)
    .map((t) => ({ ...t, rounded: round2(t.trace.durationMs) }))
    .sort((a, b) => b.rounded - a.rounded)
    .slice(0, args.limit);
  return { ranked, found };
}

/** The keys both rankings start their items with. */
function baseItem(t: TraceTokens, durationMs: number) {
  return {
    trace_id: t.trace.traceId,
    service_name: t.trace.serviceName,
    operation_name: t.trace.rootOperation,
    start_time: formatTimeUs(t.trace.startTimeUs),
    duration_ms: durationMs,
    models: t.models,
  };
}

const rankingInput = {
  limit: z.number().int().min(1).max(1000).default(10).describe("Max traces."),
  start_time: p.startTime,
  end_time: p.endTime,
};
const modelInput = {
  service_name: p.serviceName,
  gen_ai_request_model: p.genAiRequestModel,
  gen_ai_response_model: p.genAiResponseModel,
};

const common = {
  trace_id: z.string(),
  service_name: z.string(),
  operation_name: z.string(),
  start_time: z.string(),
  duration_ms: z.number(),
  models: z.array(z.string()),
};

export const getLlmExpensiveTraces = defineTool({
  name: "get_llm_expensive_traces",
  title: "Most expensive LLM traces",
  description:
    "Traces that used the most LLM tokens, highest first, with prompt/completion/total tokens and models.",
  input: z.strictObject({
    ...rankingInput,
    min_tokens: z.number().int().min(0).optional().describe("Minimum total tokens."),
    ...modelInput,
  }),
  output: z.object({
    count: z.number().int(),
    traces: z.array(
      z.object({
        ...common,
        tokens: z.object({ prompt: z.number().int(), completion: z.number().int(), total: z.number().int() }),
        cost_usd: z.number().nullable().describe("Dollars over the trace's priced LLM calls; null when none could be priced."),
        status: statusSchema,
        has_errors: z.boolean(),
      }),
    ),
    truncated: truncatedSchema,
    window: windowSchema,
    coverage: coverageSchema,
    notes: notesSchema,
    ...costMetaSchema,
    ...skippedOutput,
  }),
  errorPrefix: "Failed to get expensive traces",
  fit: (result, max) => fitList(result, "traces", max, "Ask for a lower limit or a narrower search to see fewer, complete entries."),
  links: traceLinks("traces"),
  async run(args, ctx) {
    const { ranked, found } = (await expensiveFromBackend(args, ctx)) ?? (await expensiveFromTraces(args, ctx));
    const tally = new CostTally(await ctx.pricer());
    const traces = ranked.map((t) => {
      for (const s of t.trace.spans) {
        const call = costCallOf(s);
        if (call) tally.add(call, { trace: t.trace.traceId });
      }
      return {
        ...baseItem(t, round2(t.trace.durationMs)),
        tokens: { prompt: t.prompt, completion: t.completion, total: t.total },
        cost_usd: tally.by("trace").get(t.trace.traceId)?.cost_usd ?? null,
        status: t.trace.status,
        has_errors: traceHasErrors(t.trace),
      };
    });
    const cost = tally.summary();
    const notes = [...found.notes, ...unpricedNote(cost)];
    return withCoverage({ count: traces.length, traces, ...costMeta(cost) }, { ...found, notes }, "traces");
  },
});

export const getLlmSlowTraces = defineTool({
  name: "get_llm_slow_traces",
  title: "Slowest LLM traces",
  description:
    "Slowest traces with LLM calls, longest first, with models, total tokens and LLM call count.",
  input: z.strictObject({ ...rankingInput, min_duration_ms: p.minDurationMs, ...modelInput }),
  output: z.object({
    count: z.number().int(),
    traces: z.array(
      z.object({
        ...common,
        total_tokens: z.number().int(),
        llm_span_count: z.number().int(),
        status: statusSchema,
        has_errors: z.boolean(),
      }),
    ),
    truncated: truncatedSchema,
    window: windowSchema,
    coverage: coverageSchema,
    notes: notesSchema,
    ...skippedOutput,
  }),
  errorPrefix: "Failed to get slow traces",
  fit: (result, max) => fitList(result, "traces", max, "Ask for a lower limit or a narrower search to see fewer, complete entries."),
  links: traceLinks("traces"),
  async run(args, ctx) {
    const { ranked, found } = (await slowFromBackend(args, ctx)) ?? (await slowFromTraces(args, ctx));
    const traces = ranked.map((t) => ({
      ...baseItem(t, t.rounded),
      total_tokens: t.total,
      llm_span_count: t.llmSpanCount,
      status: t.trace.status,
      has_errors: traceHasErrors(t.trace),
    }));
    return withCoverage({ count: traces.length, traces }, found, "traces");
  },
});
