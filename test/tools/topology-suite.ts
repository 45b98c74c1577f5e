/**
 * get_service_topology's edge cases, where a SQL plan could drift from the kernel's fold
 * (src/analytics/topology.ts): db.system.name before db.system, an empty name, a list-valued or
 * numeric db.system, a database span that is also an LLM call, a span whose parent is missing or in
 * the same service, error spans, and trace membership by the trace's start (a trace starting before
 * the window is out, whole; one starting inside with a span past the end is in, whole). The answer
 * of a pushed-down backend must be the in-memory backend's (the fold over the same traces), and the
 * edges the ones listed here by hand.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Trace } from "../../src/domain/trace.js";
import { ANALYTICS_START_MS, HOUR_MS, toTrace, type BuiltSpan } from "../helpers/analytics-dataset.js";
import { connect, type Connected } from "../helpers/mcp.js";
import { MemoryBackend } from "../helpers/memory-backend.js";

export const TOPOLOGY_NOW = ANALYTICS_START_MS + 3 * HOUR_MS;
const T0 = ANALYTICS_START_MS + HOUR_MS;
const WINDOW = { start_time: new Date(T0 - 60_000).toISOString(), end_time: new Date(T0 + 30 * 60_000).toISOString() };

const id = (n: number): string => n.toString(16).padStart(16, "0");
const span = (n: number, parent: number | null, service: string, at: number, durationMs: number, extra: Partial<BuiltSpan> = {}): BuiltSpan => ({
  id: id(n),
  parent: parent === null ? null : id(parent),
  service,
  name: `op-${n}`,
  startMs: T0 + at,
  durationMs,
  ...extra,
});

const chat = (system: string) => ({ "gen_ai.system": system, "gen_ai.request.model": "gpt-4o-mini", "gen_ai.usage.input_tokens": 10, "gen_ai.usage.output_tokens": 5 });

/** A list-valued db.system: the exporter writes list values as JSON text, which every ClickHouse read sees as a string. */
const LIST = ["a", "b"];

const inWindowOf = (listAsText: boolean): BuiltSpan[] => [
  span(1, null, "web", 0, 900),
  span(2, 1, "api", 10, 800, { error: true }),
  span(3, 2, "api", 20, 30, { attributes: { "db.system.name": "mysql", "db.system": "other" } }),
  span(4, 2, "api", 60, 35, { attributes: { "db.system.name": "", "db.system": "redis" } }),
  span(5, 2, "worker", 100, 400, { attributes: { ...chat("openai"), "db.system": "vector-db" } }),
  span(6, 5, "worker", 120, 200, { attributes: chat("anthropic"), error: true }),
  span(7, 99, "lost", 150, 50),
  span(8, 2, "api", 300, 20, { attributes: { "db.system": listAsText ? JSON.stringify(LIST) : LIST } }),
  span(9, 2, "api", 320, 25, { attributes: { "db.system": 5 } }),
  span(10, 1, "web", 400, 5),
  span(11, 1, "worker", 410, 70),
];
// Starts inside the window; its last span starts after the window's end (still part of the trace).
const spillsOver: BuiltSpan[] = [span(21, null, "api", 29 * 60_000, 90_000), span(22, 21, "billing", 31 * 60_000, 100), span(23, 21, "worker", 29 * 60_000 + 10, 40)];
// Starts before the window: out entirely, though its child starts inside.
const startsBefore: BuiltSpan[] = [span(31, null, "cron", -5 * 60_000, 6 * 60_000), span(32, 31, "api", 30_000, 10)];

const tracesOf = (listAsText: boolean): Trace[] => [
  toTrace("a0000000000000000000000000000001", inWindowOf(listAsText)),
  toTrace("a0000000000000000000000000000002", spillsOver),
  toTrace("a0000000000000000000000000000003", startsBefore),
];
export const TOPOLOGY_TRACES = tracesOf(false);
const inWindow = inWindowOf(false);

type Json = Record<string, any>;
export type TopologySetup = (traces: Trace[]) => Promise<{ mcp: Connected; close: () => Promise<void> }>;

const round = (o: Json): Json => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, typeof v === "number" ? Math.round(v * 1e6) / 1e6 : v]));

/** `listsAsText`: the backend stores list values as JSON text (ClickHouse); the in-memory reference then holds the text too. */
export function describeTopologyEdgeCases(name: string, setup: TopologySetup, options: { listsAsText?: boolean } = {}): void {
  const reference = tracesOf(options.listsAsText ?? false);
  describe(`get_service_topology edge cases on ${name}`, () => {
    let mcp: Connected;
    let memory: Connected;
    let close: () => Promise<void>;
    beforeAll(async () => {
      ({ mcp, close } = await setup(TOPOLOGY_TRACES));
      memory = await connect({ backendFactory: async () => new MemoryBackend(reference), now: () => TOPOLOGY_NOW });
    });
    afterAll(async () => (await close(), await memory.close()));

    it("has the edges listed by hand, and the in-memory fold's answer", async () => {
      const r = await mcp.call("get_service_topology", WINDOW);
      expect(r.isError, r.text.slice(0, 400)).toBe(false);
      const got = r.json as Json;
      expect(got.edges.map((e: Json) => `${e.caller}->${e.callee}:${e.call_count}`).sort()).toEqual(
        ["web->api:1", "api->mysql:1", "api->worker:2", "worker->vector-db:1", "worker->anthropic:1", "web->worker:1", "api->5:1", "api->billing:1", ...(options.listsAsText ? [`api->${JSON.stringify(LIST)}:1`] : [])].sort(),
      );
      expect(got.coverage).toMatchObject({ complete: true, traces: 2, spans: inWindow.length + spillsOver.length });
      for (const args of [{}, { service_name: "worker" }, { min_call_count: 2 }, { include_metrics: false }]) {
        const want = (await memory.call("get_service_topology", { ...WINDOW, ...args })).json as Json;
        const mine = (await mcp.call("get_service_topology", { ...WINDOW, ...args })).json as Json;
        expect({ services: mine.services.map(round), edges: mine.edges.map(round) }, JSON.stringify(args)).toEqual({ services: want.services.map(round), edges: want.edges.map(round) });
      }
    });
  });
}
