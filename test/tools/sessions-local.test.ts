/**
 * list_sessions on the local store is computed in SQL (TraceBackend.sessions: every trace of the
 * window grouped by session in one statement), not from the newest --max-traces traces read whole:
 * with a cap of 5 it still covers every session of the window. Ground truth: the raw traces read
 * here (the conventions' session and user keys, root span first, then span order; a session's user
 * the one its newest trace names), and the in-memory backend over the same traces with no cap.
 */
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalBackend } from "../../src/backends/local/local-backend.js";
import type { TraceBackend } from "../../src/backends/trace-backend.js";
import type { Trace } from "../../src/domain/trace.js";
import { silentLogger } from "../../src/logger.js";
import { ANALYTICS_START_MS, HOUR_MS, toTrace, type BuiltSpan } from "../helpers/analytics-dataset.js";
import { filledDataDir, localOptions } from "../helpers/local-world.js";
import { connect, type Connected } from "../helpers/mcp.js";
import { MemoryBackend } from "../helpers/memory-backend.js";
import { NOW, TRACES } from "./sessions-suite.js";

const WINDOW = { start_time: new Date(ANALYTICS_START_MS - HOUR_MS).toISOString(), end_time: new Date(NOW).toISOString() };

interface Extra {
  at: number;
  /** Attributes of the root and of the one child span (not an LLM call). */
  root?: Record<string, string>;
  child?: Record<string, string>;
  calls?: Array<{ model: string; input: number; output: number }>;
  error?: boolean;
}

// More sessions than the cap, each trace in its own shape: the session or user only on a child
// span, the root's id winning over a child's, users changing within a session, an unpriced model.
const EXTRA: Extra[] = [
  { at: 100, root: { "session.id": "s-10" }, child: { "user.id": "carol" }, calls: [{ model: "gpt-4o-mini", input: 40, output: 4 }] },
  { at: 110, child: { "gen_ai.conversation.id": "s-11", "enduser.id": "dave" }, calls: [{ model: "gpt-4o-mini", input: 11, output: 1 }] },
  { at: 120, root: { "session.id": "s-12" }, child: { "session.id": "s-other" }, error: true },
  { at: 130, root: { "session.id": "s-13", "user.id": "erin" }, calls: [{ model: "mystery-model-x", input: 500, output: 50 }] },
  { at: 140, root: { "session.id": "s-13", "user.id": "frank" }, calls: [{ model: "gpt-4o-mini", input: 9, output: 9 }] },
  { at: 150, root: { "session.id": "s-13" }, child: { "gen_ai.user": "" } },
  { at: 160, root: { "ai.settings.context.sessionId": "s-14", "ai.telemetry.metadata.userId": "gina" }, calls: [{ model: "gpt-4o-mini", input: 1, output: 2 }, { model: "gpt-4o-mini", input: 3, output: 4 }] },
  { at: 170, root: { "session.id": "s-10" }, calls: [{ model: "gpt-4o-mini", input: 70, output: 7 }] },
  { at: 180, root: { "session.id": "" }, child: { "traceloop.association.properties.session_id": "s-15" } },
  { at: 190, root: { "session.id": "s-16", "user.id": "alice" }, calls: [{ model: "gpt-4o-mini", input: 5, output: 5 }] },
];

function buildExtra(e: Extra, i: number): Trace {
  const traceId = `e${i.toString(16)}`.padEnd(32, "0");
  const t0 = ANALYTICS_START_MS + e.at * 60_000;
  const root = `${i.toString(16).padStart(2, "0")}`.padEnd(16, "c");
  const spans: BuiltSpan[] = [
    { id: root, parent: null, service: "assistant", name: "POST /chat", startMs: t0, durationMs: 300 + i, attributes: e.root ?? {}, ...(e.error ? { error: true } : {}) },
    { id: `${i.toString(16).padStart(2, "0")}`.padEnd(16, "d"), parent: root, service: "tools", name: "lookup", startMs: t0 + 5, durationMs: 20, attributes: e.child ?? {} },
    ...(e.calls ?? []).map((c, j) => ({
      id: `${i.toString(16).padStart(2, "0")}${j}`.padEnd(16, "e"),
      parent: root,
      service: "assistant",
      name: "openai.chat",
      startMs: t0 + 40 + j * 100,
      durationMs: 80 + 400 * j,
      attributes: { "gen_ai.system": "openai", "gen_ai.request.model": c.model, "gen_ai.usage.input_tokens": c.input, "gen_ai.usage.output_tokens": c.output },
    })),
  ];
  return toTrace(traceId, spans);
}

const ALL = [...TRACES, ...EXTRA.map(buildExtra)];

// --- Ground truth, read from the raw traces with the conventions written out here.
const SESSION_KEYS = ["session.id", "gen_ai.conversation.id", "traceloop.association.properties.session_id", "ai.telemetry.metadata.sessionId", "ai.settings.context.sessionId"];
const USER_KEYS = ["user.id", "enduser.id", "traceloop.association.properties.user_id", "ai.telemetry.metadata.userId", "ai.settings.context.userId", "metadata.user_api_key_end_user_id", "gen_ai.user", "llm.user"];
const PRICE = { "gpt-4o-mini": { input: 0.15, output: 0.6 } } as Record<string, { input: number; output: number }>;

function firstOf(trace: Trace, keys: string[]): string | null {
  const ordered = [...trace.spans.filter((s) => !s.parentSpanId), ...trace.spans.filter((s) => s.parentSpanId)];
  for (const s of ordered) for (const k of keys) if (typeof s.attributes[k] === "string" && s.attributes[k] !== "") return s.attributes[k] as string;
  return null;
}

interface Truth {
  session_id: string;
  user_id: string | null;
  trace_count: number;
  llm_calls: number;
  input_tokens: number;
  output_tokens: number;
  error_count: number;
  first_us: number;
  last_us: number;
  dollars: number | null;
}

function truth(traces: readonly Trace[]): Truth[] {
  const newest = [...traces].sort((a, b) => b.startTimeUs - a.startTimeUs);
  const by = new Map<string, Truth>();
  for (const t of newest) {
    const id = firstOf(t, SESSION_KEYS);
    if (!id) continue;
    const s = by.get(id) ?? { session_id: id, user_id: null, trace_count: 0, llm_calls: 0, input_tokens: 0, output_tokens: 0, error_count: 0, first_us: Infinity, last_us: -Infinity, dollars: 0 };
    by.set(id, s);
    s.trace_count++;
    s.user_id ??= firstOf(t, USER_KEYS);
    if (t.spans.some((x) => x.status === "ERROR")) s.error_count++;
    s.first_us = Math.min(s.first_us, t.startTimeUs);
    s.last_us = Math.max(s.last_us, ...t.spans.map((x) => x.startTimeUs + x.durationMs * 1000));
    for (const x of t.spans) {
      const model = x.attributes["gen_ai.request.model"];
      if (typeof model !== "string") continue;
      const input = Number(x.attributes["gen_ai.usage.input_tokens"] ?? 0);
      const output = Number(x.attributes["gen_ai.usage.output_tokens"] ?? 0);
      s.llm_calls++;
      s.input_tokens += input;
      s.output_tokens += output;
      const price = PRICE[model];
      // A session with an unpriced call: its dollars leave that call out (null when none is priced).
      if (price) s.dollars = (s.dollars ?? 0) + (input * price.input + output * price.output) / 1e6;
    }
  }
  for (const s of by.values()) if (s.llm_calls > 0 && s.dollars === 0 && !hasPriced(traces, s.session_id)) s.dollars = null;
  return [...by.values()].sort((a, b) => b.last_us - a.last_us || (a.session_id < b.session_id ? -1 : 1));
}

function hasPriced(traces: readonly Trace[], session: string): boolean {
  return traces.some((t) => firstOf(t, SESSION_KEYS) === session && t.spans.some((x) => PRICE[String(x.attributes["gen_ai.request.model"])] !== undefined));
}

let dir: string;
let local: Connected;
let memory: Connected;
const asked = { sessions: 0, searchTraces: 0, llmCalls: 0 };

beforeAll(async () => {
  dir = await filledDataDir(ALL);
  const spied = async (): Promise<TraceBackend> => {
    const backend = createLocalBackend({ url: "", local: localOptions(dir), timeoutMs: 10_000, headers: {}, environments: [], fetchConcurrency: 4, logger: silentLogger() });
    return {
      ...backend,
      sessions: (q) => (asked.sessions++, backend.sessions!(q)),
      searchTraces: (q, h) => (asked.searchTraces++, backend.searchTraces(q, h)),
      llmCalls: (q) => (asked.llmCalls++, backend.llmCalls!(q)),
    };
  };
  local = await connect({ flags: { maxTraces: "5" }, backendFactory: spied, now: () => NOW });
  memory = await connect({ backendFactory: async () => new MemoryBackend(ALL), now: () => NOW });
});
afterAll(async () => {
  await local.close();
  await memory.close();
  rmSync(dir, { recursive: true, force: true });
});

/** An answer without its coverage, and without the note the in-memory backend adds for filtering traces itself. */
const withoutCoverage = (json: Record<string, unknown>) => {
  const { coverage: _c, notes, ...rest } = json;
  return { ...rest, notes: ((notes as string[] | undefined) ?? []).filter((n) => !n.includes("applied by this server")) };
};

/** Epoch µs of an ISO time with up to six fraction digits. */
function usOf(iso: string): number {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?Z$/.exec(iso);
  if (!m) throw new Error(`not an ISO time: ${iso}`);
  return Date.parse(`${m[1]}Z`) * 1000 + Number((m[2] ?? "").padEnd(6, "0"));
}

describe("list_sessions in SQL on the local store", () => {
  it("covers every session of the window past --max-traces, in one backend call, as the raw traces give them", async () => {
    Object.assign(asked, { sessions: 0, searchTraces: 0, llmCalls: 0 });
    const r = await local.call("list_sessions", { ...WINDOW, limit: 1000 });
    expect(r.isError, r.text).toBe(false);
    expect(asked).toEqual({ sessions: 1, searchTraces: 0, llmCalls: 0 });
    const want = truth(ALL);
    expect(want.length).toBeGreaterThan(5);
    const got = r.json.sessions as Array<Record<string, any>>;
    expect(got.map((s) => s.session_id)).toEqual(want.map((s) => s.session_id));
    for (const [i, s] of got.entries()) {
      const w = want[i]!;
      expect(s).toMatchObject({
        user_id: w.user_id,
        trace_count: w.trace_count,
        llm_calls: w.llm_calls,
        input_tokens: w.input_tokens,
        output_tokens: w.output_tokens,
        error_count: w.error_count,
      });
      expect([usOf(s.first_seen), usOf(s.last_seen)]).toEqual([w.first_us, w.last_us]);
      if (w.dollars === null) expect(s.cost_usd).toBeNull();
      else expect(s.cost_usd).toBeCloseTo(w.dollars, 9);
    }
    const tracesWithSession = ALL.filter((t) => firstOf(t, SESSION_KEYS) !== null).length;
    expect(r.json.coverage).toEqual({ traces: tracesWithSession, complete: true, examined: tracesWithSession });
    expect((r.json.unpriced_models as Array<{ model: string }>).map((m) => m.model)).toEqual(["mystery-model-x"]);
  });

  it("equals the uncapped in-memory backend's answer: all sessions, a limit, one user, one service", async () => {
    for (const args of [{ limit: 1000 }, { limit: 3 }, { user_id: "alice" }, { user_id: "frank" }, { service_name: "tools" }, { service_name: "assistant", limit: 4 }]) {
      const [a, b] = await Promise.all([local.call("list_sessions", { ...WINDOW, ...args }), memory.call("list_sessions", { ...WINDOW, ...args })]);
      expect(a.isError, a.text).toBe(false);
      expect(b.isError, b.text).toBe(false);
      expect(withoutCoverage(a.json), JSON.stringify(args)).toEqual(withoutCoverage(b.json));
    }
  });

  it("a limit lists the most recent sessions and says how many there are", async () => {
    const r = await local.call("list_sessions", { ...WINDOW, limit: 2 });
    const want = truth(ALL);
    expect((r.json.sessions as Array<{ session_id: string }>).map((s) => s.session_id)).toEqual(want.slice(0, 2).map((s) => s.session_id));
    expect(r.json.notes).toContain(`${want.length} sessions; the 2 most recent are shown.`);
  });
});
