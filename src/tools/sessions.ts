import { z } from "zod";
import { costCallOfLlm } from "../analytics/llm-usage.js";
import { sessionCallsOf, sessionsOf, type SessionSummary } from "../analytics/sessions.js";
import { CostTally, type CostCall } from "../genai/cost-summary.js";
import type { Pricer } from "../genai/pricing.js";
import { pushedSessions } from "../query/sessions.js";
import { eq } from "../domain/filter.js";
import { formatTimeUs } from "../domain/time.js";
import { findTraces } from "../query/search.js";
import { fitList, truncatedSchema } from "./budget.js";
import { defineTool } from "./define-tool.js";
import { traceLinks } from "./links.js";
import { costMeta, costMetaSchema, unpricedNote } from "./cost-meta.js";
import * as p from "./params.js";
import { coverageSchema, notesSchema, traceSummary, traceSummarySchema, windowSchema, withCoverage } from "./summaries.js";

const exists = (field: string) => ({ field, operator: "exists" as const, valueType: "string" as const });

const sessionSchema = z.object({
  session_id: z.string(),
  user_id: z.string().nullable(),
  trace_count: z.number().int(),
  llm_calls: z.number().int(),
  input_tokens: z.number().int(),
  output_tokens: z.number().int(),
  cost_usd: z.number().nullable(),
  error_count: z.number().int(),
  first_seen: z.string(),
  last_seen: z.string(),
});

export const listSessions = defineTool({
  name: "list_sessions",
  title: "List sessions",
  description:
    "Sessions (conversations, from session.id, gen_ai.conversation.id and the like), most recent first, with user, " +
    "traces, LLM calls, tokens, dollars and errors.",
  input: z.strictObject({
    start_time: p.startTime,
    end_time: p.endTime,
    service_name: p.serviceName,
    user_id: z.string().min(1).max(512).optional().describe("Only this user's sessions (user.id, enduser.id, ...)."),
    limit: z.number().int().min(1).max(1000).default(50).describe("Most sessions to return (1-1000, default 50)."),
  }),
  output: z.object({
    count: z.number().int(),
    sessions: z.array(sessionSchema),
    truncated: truncatedSchema,
    window: windowSchema,
    coverage: coverageSchema,
    notes: notesSchema,
    ...costMetaSchema,
  }),
  errorPrefix: "Failed to list sessions",
  fit: (result, max) => fitList(result, "sessions", max, "Use a smaller window, a user_id or a lower limit."),
  async run(args, ctx) {
    const window = p.parseWindow(args, ctx.now());
    const filters = [...(args.service_name ? [eq("service.name", args.service_name)] : []), exists("session.id"), ...(args.user_id ? [eq("user.id", args.user_id)] : [])];
    const pricer = await ctx.pricer();
    // Every trace of the window grouped by the backend (SQL on the local store), else the newest --max-traces read whole.
    const pushed = await pushedSessions(ctx, { ...window, filters, limit: args.limit, ...(args.user_id ? { userId: args.user_id } : {}) });
    if (pushed) {
      const calls = pushed.calls.map(({ sessionId, call }) => ({ session: sessionId, call: costCallOfLlm(call.llm, call.span.startTimeUs) }));
      const listed = pushed.sessions.map((s) => ({
        session_id: s.sessionId,
        user_id: s.userId,
        trace_count: s.traces,
        llm_calls: s.llmCalls,
        input_tokens: s.inputTokens,
        output_tokens: s.outputTokens,
        error_count: s.errors,
        first_seen_us: s.firstSeenUs,
        last_seen_us: s.lastSeenUs,
      }));
      return answer(listed, pushed.total, calls, pricer, args.limit, { ...pushed, notes: [], skipped: [] });
    }
    const found = await findTraces(ctx, { ...window, filters, limit: ctx.maxTraces, mode: "window" });
    const { sessions } = sessionsOf(found.items, pricer);
    const kept = sessions
      .filter((s) => !args.user_id || s.user_id === args.user_id)
      .sort((a, b) => b.last_seen_us - a.last_seen_us || (a.session_id < b.session_id ? -1 : 1));
    const listed = kept.slice(0, args.limit);
    const calls = sessionCallsOf(found.items, new Set(listed.map((s) => s.session_id)));
    return answer(listed, kept.length, calls, pricer, args.limit, found);
  },
});

type Listed = Omit<SessionSummary, "cost_usd">;

/**
 * The listed sessions with their dollars: the calls of their traces priced in the order the kernel
 * meets them (newest trace first, span order), per session and in all (prices_as_of, unpriced
 * models: those of the listed sessions' calls).
 */
function answer(listed: readonly Listed[], total: number, calls: ReadonlyArray<{ session: string; call: CostCall }>, pricer: Pricer, limit: number, found: Parameters<typeof withCoverage>[1]) {
  const tally = new CostTally(pricer);
  for (const { session, call } of calls) tally.add(call, { session });
  const costs = tally.by("session");
  const cost = tally.summary();
  const out = listed.map((s) => ({
    session_id: s.session_id,
    user_id: s.user_id,
    trace_count: s.trace_count,
    llm_calls: s.llm_calls,
    input_tokens: s.input_tokens,
    output_tokens: s.output_tokens,
    cost_usd: s.llm_calls === 0 ? 0 : (costs.get(s.session_id)?.cost_usd ?? null),
    error_count: s.error_count,
    first_seen: formatTimeUs(s.first_seen_us),
    last_seen: formatTimeUs(s.last_seen_us),
  }));
  const notes = [...found.notes, ...unpricedNote(cost)];
  if (total > limit) notes.push(`${total} sessions; the ${limit} most recent are shown.`);
  return withCoverage({ count: out.length, sessions: out, ...costMeta(cost) }, { ...found, notes });
}

export const getSession = defineTool({
  name: "get_session",
  title: "One session's traces",
  description:
    "One session's traces in time order, each summarised (operation, duration, status, LLM calls, tokens, dollars), " +
    "with the session's user and totals.",
  input: z.strictObject({
    session_id: z.string().min(1).max(512).describe("The session id (see list_sessions)."),
    start_time: p.startTime,
    end_time: p.endTime,
  }),
  // A session id that matches nothing in the window has no first/last time.
  output: sessionSchema.extend({
    first_seen: z.string().nullable(),
    last_seen: z.string().nullable(),
    traces: z.array(traceSummarySchema.extend({ cost_usd: z.number().nullable() })),
    truncated: truncatedSchema,
    window: windowSchema,
    coverage: coverageSchema,
    notes: notesSchema,
    ...costMetaSchema,
  }),
  links: traceLinks("traces"),
  errorPrefix: "Failed to get session",
  fit: (result, max) => fitList(result, "traces", max, "Narrow start_time/end_time to page through a long session."),
  async run(args, ctx) {
    const window = p.parseWindow(args, ctx.now());
    const found = await findTraces(ctx, { ...window, filters: [eq("session.id", args.session_id)], limit: ctx.maxTraces, mode: "window" });
    const pricer = await ctx.pricer();
    const traces = [...found.items].sort((a, b) => a.startTimeUs - b.startTimeUs);
    const { sessions, cost } = sessionsOf(traces, pricer);
    const s = sessions.find((x) => x.session_id === args.session_id);
    const items = traces.map((t) => ({ ...traceSummary(t), cost_usd: sessionsOf([t], pricer).sessions[0]?.cost_usd ?? null }));
    const notes = [...found.notes, ...unpricedNote(cost)];
    if (!s) notes.push(`No trace of session '${args.session_id.slice(0, 64)}' in this window: widen start_time/end_time or check the id with list_sessions.`);
    const body = {
      session_id: args.session_id,
      user_id: s?.user_id ?? null,
      trace_count: items.length,
      llm_calls: s?.llm_calls ?? 0,
      input_tokens: s?.input_tokens ?? 0,
      output_tokens: s?.output_tokens ?? 0,
      cost_usd: s ? s.cost_usd : 0,
      error_count: s?.error_count ?? 0,
      first_seen: s ? formatTimeUs(s.first_seen_us) : null,
      last_seen: s ? formatTimeUs(s.last_seen_us) : null,
      traces: items,
      ...costMeta(cost),
    };
    return withCoverage(body, { ...found, notes });
  },
});
