import { z } from "zod";
import { sessionsOf } from "../analytics/sessions.js";
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
    const found = await findTraces(ctx, { ...window, filters, limit: ctx.maxTraces, mode: "window" });
    const { sessions, cost } = sessionsOf(found.items, await ctx.pricer());
    const kept = sessions
      .filter((s) => !args.user_id || s.user_id === args.user_id)
      .sort((a, b) => b.last_seen_us - a.last_seen_us || (a.session_id < b.session_id ? -1 : 1));
    const out = kept.slice(0, args.limit).map(({ first_seen_us, last_seen_us, ...s }) => ({ ...s, first_seen: formatTimeUs(first_seen_us), last_seen: formatTimeUs(last_seen_us) }));
    const notes = [...found.notes, ...unpricedNote(cost)];
    if (kept.length > args.limit) notes.push(`${kept.length} sessions; the ${args.limit} most recent are shown.`);
    return withCoverage({ count: out.length, sessions: out, ...costMeta(cost) }, { ...found, notes });
  },
});

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
  output: z.object({
    session_id: z.string(),
    user_id: z.string().nullable(),
    trace_count: z.number().int(),
    llm_calls: z.number().int(),
    input_tokens: z.number().int(),
    output_tokens: z.number().int(),
    cost_usd: z.number().nullable(),
    error_count: z.number().int(),
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
