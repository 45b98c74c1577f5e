/**
 * Every tool, through the MCP Client, over a real adapter talking real HTTP to its world on
 * 127.0.0.1 (tools-over-backends.test.ts: Jaeger, Tempo, Traceloop; test/clickhouse/: ClickHouse): on success (checked against the dataset) and on
 * each kind of failure (HTTP 500, malformed JSON, backend down, unknown trace id). Trace-level
 * expectations come from the raw spans (test/helpers/dataset-truth.ts), and the dataset holds the
 * edge traces (OK root over an ERROR child, two roots, clock skew, arbitrary span order).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Trace } from "../../src/domain/trace.js";
import { TOOLS } from "../../src/tools/index.js";
import type { BackendWorld, RunningWorld } from "../helpers/backend-world.js";
import { DATASET_START_MS, EDGE_CASES, generateDataset, generateEdgeTraces } from "../helpers/dataset.js";
import { truthFor, truthTable, type TraceTruth } from "../helpers/dataset-truth.js";
import { connect, type Connected } from "../helpers/mcp.js";
import { startFaultProxy } from "../helpers/fault-proxy.js";
import { expectNoSecrets } from "../helpers/secrets.js";
import { calls, sum, usageSummary } from "./truth.js";

export const API_KEY = "test-key-0123456789";
export const NOW = DATASET_START_MS + 2 * 3_600_000;
const SERVICE = "travel-agent";
const edges = generateEdgeTraces({ service: SERVICE, startMs: DATASET_START_MS + 30 * 60_000 });
export const dataset = [...generateDataset({ seed: 21, traces: 15 }), ...edges];
const truth = truthTable(dataset);
const truthOf = (t: Trace): TraceTruth => truthFor(truth, t.traceId);
const mine = dataset.filter((t) => truthOf(t).serviceName === SERVICE);
/** Each backend's default look-back (README: 2 days on Jaeger, 24 hours elsewhere), written out. */
const LOOKBACK_MS: Record<string, number> = { jaeger: 48 * 3_600_000, tempo: 24 * 3_600_000, traceloop: 24 * 3_600_000, clickhouse: 24 * 3_600_000 };
/** Wire precision of span times: Traceloop carries milliseconds. */
const PRECISION_MS: Record<string, number> = { jaeger: 0.001, tempo: 0.001, traceloop: 1, clickhouse: 0.001 };
const LABEL: Record<string, string> = { jaeger: "Jaeger", tempo: "Tempo", traceloop: "Traceloop", clickhouse: "ClickHouse" };


/** Arguments that make every tool search the travel-agent traces (Jaeger needs a service). */
function argsFor(tool: string, traceId: string): Record<string, unknown> {
  switch (tool) {
    case "list_services":
      return {};
    case "get_trace":
    case "analyze_trace":
      return { trace_id: traceId };
    case "get_session":
      return { session_id: "s-1" };
    case "get_llm_model_stats":
      return { model_name: "gpt-4o", service_name: SERVICE };
    default:
      return { service_name: SERVICE };
  }
}

/** "2025-11-13T12:30:00.000137Z" as epoch µs (Date.parse stops at ms). */
function isoToUs(iso: string): number {
  const m = /^(.*?)(?:\.(\d{1,6}))?Z$/.exec(iso);
  if (!m) throw new Error(`not an ISO time: ${iso}`);
  return Date.parse(`${m[1]}Z`) * 1000 + Number((m[2] ?? "").padEnd(6, "0"));
}

const ids = (traces: Trace[]) => traces.map((t) => t.traceId).sort();

export interface ToolsOverWorldOptions {
  /** A URL where nothing listens (default: a world started and closed again). */
  downUrl?: () => Promise<string>;
}

export function describeToolsOverWorld(world: BackendWorld, options: ToolsOverWorldOptions = {}): void {
  describe(`all tools over ${world.kind}`, () => {
    let running: RunningWorld;
    let mcp: Connected;
    const flags = () => ({ backend: world.kind, url: running.url, apiKey: API_KEY, timeout: "2" });

    beforeAll(async () => {
      running = await world.start(dataset);
      mcp = await connect({ flags: flags(), now: () => NOW });
    });
    afterAll(async () => {
      await mcp.close();
      await running.close();
    });

    it("answers each tool correctly", async () => {
      const services = (await mcp.call("list_services")).json.services as string[];
      expect(services).toEqual(expect.arrayContaining(["chat-api", "travel-agent", "rag-worker"]));

      const traces = await mcp.call("search_traces", { service_name: SERVICE });
      expect(traces.isError).toBe(false);
      expect((traces.json.traces as Array<{ trace_id: string }>).map((t) => t.trace_id).sort()).toEqual(ids(mine));
      // The window defaulted: the backend's own look-back before now (an assertion that can fail, unlike toBeDefined()).
      const iso = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");
      expect(traces.json.window).toEqual({ start_time: iso(NOW - LOOKBACK_MS[world.kind]!), end_time: iso(NOW) });

      const tools = await mcp.call("search_spans", {
        service_name: SERVICE,
        filters: [{ field: "traceloop.span.kind", operator: "equals", value: "tool" }],
      });
      const toolSpans = mine.flatMap((t) => t.spans).filter((s) => s.attributes["traceloop.span.kind"] === "tool");
      expect(toolSpans.length).toBeGreaterThan(0);
      expect((tools.json.spans as Array<{ span_id: string }>).map((s) => s.span_id).sort()).toEqual(toolSpans.map((s) => s.spanId).sort());

      const one = mine[0]!;
      const trace = await mcp.call("get_trace", { trace_id: one.traceId });
      expect(trace.json.span_count).toBe(one.spans.length);
      expect((trace.json.llm_summary as { total_tokens: number }).total_tokens).toBe(sum(calls([one]).map((c) => c.total)));

      const usage = await mcp.call("get_llm_usage", { service_name: SERVICE });
      const truth = calls(mine);
      expect(usage.json.summary).toEqual(usageSummary(truth));

      const errors = await mcp.call("find_errors", { service_name: SERVICE });
      expect((errors.json.error_traces as unknown[]).length).toBeGreaterThan(0);
      expect((errors.json.error_traces as Array<{ trace_id: string }>).map((t) => t.trace_id).sort()).toEqual(
        ids(mine.filter((t) => t.spans.some((s) => s.status === "ERROR"))),
      );

      const models = await mcp.call("list_llm_models", { service_name: SERVICE });
      expect((models.json.models as Array<{ model: string }>).map((m) => m.model).sort()).toEqual(
        [...new Set(truth.map((c) => c.response ?? c.request!))].sort(),
      );

      const stats = await mcp.call("get_llm_model_stats", { model_name: "gpt-4o", service_name: SERVICE });
      expect(stats.json.request_count).toBe(truth.filter((c) => c.request === "gpt-4o" || c.response === "gpt-4o").length);

      const expensive = await mcp.call("get_llm_expensive_traces", { service_name: SERVICE, limit: 1 });
      const byTokens = [...mine].sort((a, b) => truthOf(b).totalTokens - truthOf(a).totalTokens);
      expect((expensive.json.traces as Array<{ trace_id: string }>)[0]!.trace_id).toBe(byTokens[0]!.traceId);

      const slow = await mcp.call("get_llm_slow_traces", { service_name: SERVICE, limit: 1 });
      const byDuration = [...mine].sort((a, b) => truthOf(b).durationMs - truthOf(a).durationMs);
      expect((slow.json.traces as Array<{ trace_id: string }>)[0]!.trace_id).toBe(byDuration[0]!.traceId);

      const toolList = await mcp.call("list_llm_tools", { service_name: SERVICE });
      expect(toolList.json.total_calls).toBe(toolSpans.length);
    });

    it("search_traces and get_trace state each trace's root, start, duration, status and tokens as its raw spans give them", async () => {
      expect(mine.filter((t) => edges.includes(t))).toHaveLength(EDGE_CASES.length);
      const precision = PRECISION_MS[world.kind]!;
      const res = await mcp.call("search_traces", { service_name: SERVICE, limit: 100 });
      const summaries = res.json.traces as Array<Record<string, unknown>>;
      expect(summaries.map((t) => t.trace_id).sort()).toEqual(ids(mine));
      const check = (got: Record<string, unknown>, want: TraceTruth, label: string, root: string, id: string) => {
        expect({ trace_id: got[id], service_name: got.service_name, operation: got[root], status: got.status, span_count: got.span_count }, label).toEqual({
          trace_id: want.traceId,
          service_name: want.serviceName,
          operation: want.rootOperation,
          status: want.status,
          span_count: want.spanCount,
        });
        expect(Math.abs(isoToUs(got.start_time as string) - want.startTimeUs) / 1000, `${label}: start_time`).toBeLessThanOrEqual(precision);
        // Answers round to 3 decimals (src/mcp/tidy-numbers.ts); start and end are each read to the wire's precision.
        expect(Math.abs((got.duration_ms as number) - want.durationMs), `${label}: duration_ms`).toBeLessThanOrEqual(2 * precision + 0.0005);
      };
      for (const got of summaries) {
        const want = truthFor(truth, got.trace_id as string);
        check(got, want, `search_traces ${want.traceId}`, "operation_name", "trace_id");
        expect({ total_tokens: got.total_tokens, has_errors: got.has_errors, llm_span_count: got.llm_span_count }).toEqual({
          total_tokens: want.totalTokens,
          has_errors: want.hasErrors,
          llm_span_count: want.llmSpanCount,
        });
      }
      for (const edge of edges) {
        const got = await mcp.call("get_trace", { trace_id: edge.traceId });
        expect(got.isError).toBe(false);
        check(got.json, truthOf(edge), `get_trace ${EDGE_CASES[edges.indexOf(edge)]}`, "root_operation", "trace_id");
      }
      const errors = await mcp.call("find_errors", { service_name: SERVICE });
      expect((errors.json.error_traces as Array<{ trace_id: string }>).map((t) => t.trace_id)).toContain(edges[0]!.traceId);
      const slow = await mcp.call("get_llm_slow_traces", { service_name: SERVICE, limit: 100 });
      const slowIds = (slow.json.traces as Array<{ trace_id: string }>).map((t) => t.trace_id);
      const llmTraces = mine.filter((t) => truthOf(t).llmSpanCount > 0);
      expect(slowIds).toEqual([...llmTraces].sort((a, b) => truthOf(b).durationMs - truthOf(a).durationMs).map((t) => t.traceId));
    });
    it("serves a repeated get_trace from the cache without a backend request", async () => {
      const id = mine[1]!.traceId;
      await mcp.call("get_trace", { trace_id: id });
      const before = running.requests.length;
      const again = await mcp.call("get_trace", { trace_id: id });
      expect(again.isError).toBe(false);
      expect(running.requests.length).toBe(before);
    });

    it.runIf(world.kind === "tempo")("fetches each trace once: a repeated LLM query only re-runs the search", async () => {
      const fresh = await connect({ flags: flags(), now: () => NOW });
      try {
        await fresh.call("get_llm_usage", { service_name: SERVICE });
        const before = running.requests.length;
        const again = await fresh.call("get_llm_usage", { service_name: SERVICE });
        expect(again.isError).toBe(false);
        const paths = running.requests.slice(before).map((r) => r.path);
        expect(paths).toEqual(["/api/search"]);
      } finally {
        await fresh.close();
      }
    });

    it("reports an unknown trace id as not found", async () => {
      const r = await mcp.call("get_trace", { trace_id: "0".repeat(31) + "7" });
      expect(r.isError).toBe(true);
      expect(r.json.error).toMatch(/^Failed to fetch trace: .*not found/i);
    });

    it.each([
      ["http500", /returned HTTP 500/],
      ["malformed", /not valid JSON/],
    ] as const)("every tool reports %s with the tool's prefix, the backend and its URL", async (fault, message) => {
      const fresh = await connect({ flags: flags(), now: () => NOW });
      running.setFault(fault);
      try {
        for (const tool of TOOLS) {
          const r = await fresh.call(tool.name, argsFor(tool.name, mine[2]!.traceId));
          expect(r.isError, tool.name).toBe(true);
          const error = r.json.error as string;
          expect(error.startsWith(`${tool.errorPrefix}: `), `${tool.name}: ${error}`).toBe(true);
          expect(error, tool.name).toMatch(message);
          expect(error, tool.name).toContain(LABEL[world.kind]);
          expect(error, tool.name).toContain(running.url.replace(/\/$/, ""));
          expect(error, tool.name).not.toContain(API_KEY);
        }
      } finally {
        running.setFault(null);
        await fresh.close();
      }
    });

    it("tool errors under injected faults name the backend and URL and carry no secret (fault proxy)", async () => {
      const proxy = await startFaultProxy(running.url, { oversizeBytes: 2 * 1024 * 1024 });
      const token = "hdr-token-5e6f7a8b9c0d1e2f3a4b";
      const password = "url-pass-0a9b8c7d6e5f4a3b";
      const fresh = await connect({
        flags: { ...flags(), url: proxy.url.replace("http://", `http://mcpuser:${password}@`), header: [`X-Auth-Token: ${token}`], backendMaxResponseMb: "1" },
        now: () => NOW,
      });
      try {
        for (const [fault, message] of [
          ["echoHeaders", /returned HTTP 500/],
          ["echoHeaders200", /not valid JSON/],
          ["oversized", /more than 1 MB .*--backend-max-response-mb \/ BACKEND_MAX_RESPONSE_MB/],
          ["http429RetryAfter", /Rate limited by \w+ at .*; retry after 7 s/],
          ["otherApi", /expected/],
        ] as const) {
          proxy.setFault(fault);
          for (const tool of ["list_services", "search_traces"]) {
            const r = await fresh.call(tool, argsFor(tool, mine[0]!.traceId));
            expect(r.isError, `${tool} under ${fault}`).toBe(true);
            const error = r.json.error as string;
            expect(error, `${tool} under ${fault}`).toMatch(message);
            expect(error).toContain(`${LABEL[world.kind]} at ${proxy.url}`);
            expectNoSecrets(r.text, [API_KEY, token, password], `${tool} under ${fault}`);
          }
        }
      } finally {
        await fresh.close();
        await proxy.close();
      }
    });

    it("every tool reports a backend that is down, naming it and its URL", async () => {
      let url: string;
      if (options.downUrl) url = await options.downUrl();
      else {
        const down = await world.start(dataset);
        url = down.url;
        await down.close();
      }
      const fresh = await connect({ flags: { ...flags(), url }, now: () => NOW });
      try {
        for (const tool of TOOLS) {
          const r = await fresh.call(tool.name, argsFor(tool.name, mine[2]!.traceId));
          expect(r.isError, tool.name).toBe(true);
          expect(r.json.error as string, tool.name).toMatch(new RegExp(`^${tool.errorPrefix}: Cannot reach ${LABEL[world.kind]} at ${url.replace(/\/$/, "")}`));
        }
      } finally {
        await fresh.close();
      }
    });
  });
}
