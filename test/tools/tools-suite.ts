/**
 * Every tool, through the MCP Client, over a real adapter talking real HTTP to its world on
 * 127.0.0.1 (tools-over-backends.test.ts: Jaeger, Tempo, Traceloop; test/clickhouse/: ClickHouse): on success (checked against the dataset) and on
 * each kind of failure (HTTP 500, malformed JSON, backend down, unknown trace id).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Trace } from "../../src/domain/trace.js";
import { TOOLS } from "../../src/tools/index.js";
import type { BackendWorld, RunningWorld } from "../helpers/backend-world.js";
import { DATASET_START_MS, generateDataset } from "../helpers/dataset.js";
import { connect, type Connected } from "../helpers/mcp.js";
import { startFaultProxy } from "../helpers/fault-proxy.js";
import { expectNoSecrets } from "../helpers/secrets.js";
import { calls, sum, usageSummary } from "./truth.js";

export const API_KEY = "test-key-0123456789";
export const NOW = DATASET_START_MS + 2 * 3_600_000;
export const dataset = generateDataset({ seed: 21, traces: 15 });
const SERVICE = "travel-agent";
const mine = dataset.filter((t) => t.serviceName === SERVICE);
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
      expect(traces.json.window).toBeDefined();

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
      const byTokens = [...mine].sort((a, b) => sum(calls([b]).map((c) => c.total)) - sum(calls([a]).map((c) => c.total)));
      expect((expensive.json.traces as Array<{ trace_id: string }>)[0]!.trace_id).toBe(byTokens[0]!.traceId);

      const slow = await mcp.call("get_llm_slow_traces", { service_name: SERVICE, limit: 1 });
      const byDuration = [...mine].sort((a, b) => b.durationMs - a.durationMs);
      expect((slow.json.traces as Array<{ trace_id: string }>)[0]!.trace_id).toBe(byDuration[0]!.traceId);

      const toolList = await mcp.call("list_llm_tools", { service_name: SERVICE });
      expect(toolList.json.total_calls).toBe(toolSpans.length);
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
