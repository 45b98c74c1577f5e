/**
 * list_sessions / get_session through the MCP client (one suite, run over each backend): sessions recorded under four conventions' keys, users under three, ground truth written
 * out from the built spans.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ANALYTICS_START_MS, HOUR_MS, toTrace, type BuiltSpan } from "../helpers/analytics-dataset.js";
import type { Connected } from "../helpers/mcp.js";

export const NOW = ANALYTICS_START_MS + 6 * HOUR_MS;
const WINDOW = { start_time: new Date(ANALYTICS_START_MS - HOUR_MS).toISOString(), end_time: new Date(NOW).toISOString() };

interface Plan {
  traceId: string;
  at: number;
  sessionKey: string;
  session: string;
  userKey?: string;
  user?: string;
  calls: Array<{ input: number; output: number }>;
  error?: boolean;
}

const PLANS: Plan[] = [
  { traceId: "a1".padEnd(32, "0"), at: 0, sessionKey: "session.id", session: "chat-1", userKey: "user.id", user: "alice", calls: [{ input: 100, output: 20 }] },
  { traceId: "a2".padEnd(32, "0"), at: 10, sessionKey: "gen_ai.conversation.id", session: "chat-1", calls: [{ input: 300, output: 50 }, { input: 50, output: 5 }] },
  { traceId: "a3".padEnd(32, "0"), at: 20, sessionKey: "traceloop.association.properties.session_id", session: "chat-1", calls: [], error: true },
  { traceId: "b1".padEnd(32, "0"), at: 30, sessionKey: "ai.telemetry.metadata.sessionId", session: "chat-2", userKey: "enduser.id", user: "bob", calls: [{ input: 1000, output: 200 }] },
  { traceId: "b2".padEnd(32, "0"), at: 90, sessionKey: "session.id", session: "chat-2", calls: [{ input: 10, output: 1 }] },
  { traceId: "c1".padEnd(32, "0"), at: 60, sessionKey: "session.id", session: "chat-3", userKey: "traceloop.association.properties.user_id", user: "alice", calls: [{ input: 7, output: 7 }] },
];
// A trace outside any session.
const LONER = "d1".padEnd(32, "0");

function build(): ReturnType<typeof toTrace>[] {
  const traces = PLANS.map((p, i) => {
    const t0 = ANALYTICS_START_MS + p.at * 60_000;
    const root = `${String(i).padStart(2, "0")}`.padEnd(16, "a");
    const spans: BuiltSpan[] = [
      { id: root, parent: null, service: "assistant", name: "POST /chat", startMs: t0, durationMs: 500, attributes: { [p.sessionKey]: p.session, ...(p.userKey ? { [p.userKey]: p.user } : {}) }, ...(p.error ? { error: true } : {}) },
      ...p.calls.map((c, j) => ({
        id: `${String(i).padStart(2, "0")}${j}`.padEnd(16, "b"),
        parent: root,
        service: "assistant",
        name: "openai.chat",
        startMs: t0 + 10 + j * 100,
        durationMs: 80,
        attributes: { "gen_ai.system": "openai", "gen_ai.request.model": "gpt-4o-mini", "gen_ai.usage.input_tokens": c.input, "gen_ai.usage.output_tokens": c.output },
      })),
    ];
    return toTrace(p.traceId, spans);
  });
  traces.push(toTrace(LONER, [{ id: "e".repeat(16), parent: null, service: "assistant", name: "GET /health", startMs: ANALYTICS_START_MS, durationMs: 5 }]));
  return traces;
}

export const TRACES = build();
// gpt-4o-mini list price: $0.15 in, $0.60 out per million tokens.
const dollars = (calls: Plan["calls"]) => calls.reduce((n, c) => n + (c.input * 0.15 + c.output * 0.6) / 1e6, 0);
const bySession = (id: string) => PLANS.filter((p) => p.session === id);

export function describeSessionTools(name: string, setup: () => Promise<{ mcp: Connected; close: () => Promise<void> }>): void {
  describe(`sessions on ${name}`, () => {
    let mcp: Connected;
    let close: () => Promise<void>;
    beforeAll(async () => ({ mcp, close } = await setup()));
    afterAll(() => close());

    it("list_sessions: every session whatever key recorded it, most recent first, with usage and dollars", async () => {
      const r = await mcp.call("list_sessions", WINDOW);
      expect(r.isError, r.text).toBe(false);
      const sessions = r.json.sessions as Array<Record<string, any>>;
      expect(sessions.map((s) => s.session_id)).toEqual(["chat-2", "chat-3", "chat-1"]);
      for (const s of sessions) {
        const plans = bySession(s.session_id);
        const calls = plans.flatMap((p) => p.calls);
        expect(s).toMatchObject({
          user_id: plans.find((p) => p.user)?.user ?? null,
          trace_count: plans.length,
          llm_calls: calls.length,
          input_tokens: calls.reduce((n, c) => n + c.input, 0),
          output_tokens: calls.reduce((n, c) => n + c.output, 0),
          error_count: plans.filter((p) => p.error).length,
        });
        expect(s.cost_usd).toBeCloseTo(dollars(calls), 9);
      }
    });

    it("list_sessions for one user", async () => {
      const r = await mcp.call("list_sessions", { ...WINDOW, user_id: "alice" });
      expect((r.json.sessions as Array<{ session_id: string }>).map((s) => s.session_id).sort()).toEqual(["chat-1", "chat-3"]);
    });

    it("get_session: the session's traces in time order with their summaries and the user", async () => {
      const r = await mcp.call("get_session", { ...WINDOW, session_id: "chat-1" });
      expect(r.isError, r.text).toBe(false);
      const plans = bySession("chat-1");
      expect((r.json.traces as Array<{ trace_id: string }>).map((t) => t.trace_id)).toEqual(plans.map((p) => p.traceId));
      expect(r.json).toMatchObject({ session_id: "chat-1", user_id: "alice", trace_count: 3, llm_calls: 3, error_count: 1 });
      const second = (r.json.traces as Array<Record<string, any>>)[1]!;
      expect(second).toMatchObject({ llm_span_count: 2, total_tokens: 405 });
      expect(second.cost_usd).toBeCloseTo(dollars(plans[1]!.calls), 9);
    });

    it("get_session for an unknown id says what to do", async () => {
      const r = await mcp.call("get_session", { ...WINDOW, session_id: "nope" });
      expect(r.isError).toBe(false);
      expect(r.json.trace_count).toBe(0);
      expect((r.json.notes as string[]).join(" ")).toMatch(/No trace of session 'nope' in this window/);
    });
  });
}
