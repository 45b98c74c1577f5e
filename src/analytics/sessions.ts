/**
 * Sessions (conversations) rebuilt from raw OTel: traces grouped by their session id, whatever
 * convention recorded it (src/genai/sessions.ts), with per-session LLM usage and dollars.
 */
import type { Trace } from "../domain/trace.js";
import { CostTally, type CostCall, type CostSummary } from "../genai/cost-summary.js";
import type { Pricer } from "../genai/pricing.js";
import { traceSessionId, traceUserId } from "../genai/sessions.js";
import { costCallOf, llmUsageOf } from "./llm-usage.js";

export interface SessionSummary {
  session_id: string;
  user_id: string | null;
  trace_count: number;
  llm_calls: number;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number | null;
  error_count: number;
  first_seen_us: number;
  last_seen_us: number;
}

export interface Sessions {
  sessions: SessionSummary[];
  cost: CostSummary;
}

/** The LLM calls of the traces of the named sessions, each with its session, in trace order then span order (sessionsOf's). */
export function sessionCallsOf(traces: readonly Trace[], ids: ReadonlySet<string>): Array<{ session: string; call: CostCall }> {
  const out: Array<{ session: string; call: CostCall }> = [];
  for (const t of traces) {
    const id = traceSessionId(t);
    if (!id || !ids.has(id)) continue;
    for (const span of t.spans) {
      const call = costCallOf(span);
      if (call) out.push({ session: id, call });
    }
  }
  return out;
}

export function sessionsOf(traces: readonly Trace[], pricer: Pricer): Sessions {
  const tally = new CostTally(pricer);
  const by = new Map<string, SessionSummary>();
  for (const t of traces) {
    const id = traceSessionId(t);
    if (!id) continue;
    let s = by.get(id);
    if (!s) {
      s = { session_id: id, user_id: null, trace_count: 0, llm_calls: 0, input_tokens: 0, output_tokens: 0, cost_usd: null, error_count: 0, first_seen_us: t.startTimeUs, last_seen_us: t.startTimeUs };
      by.set(id, s);
    }
    s.trace_count++;
    s.user_id ??= traceUserId(t) ?? null;
    if (t.status === "ERROR") s.error_count++;
    s.first_seen_us = Math.min(s.first_seen_us, t.startTimeUs);
    s.last_seen_us = Math.max(s.last_seen_us, t.startTimeUs + t.durationMs * 1000);
    for (const span of t.spans) {
      const u = llmUsageOf(span);
      if (!u) continue;
      s.llm_calls++;
      s.input_tokens += u.input;
      s.output_tokens += u.output;
      tally.add(costCallOf(span)!, { session: id });
    }
  }
  const costs = tally.by("session");
  for (const s of by.values()) s.cost_usd = s.llm_calls === 0 ? 0 : (costs.get(s.session_id)?.cost_usd ?? null);
  return { sessions: [...by.values()], cost: tally.summary() };
}
