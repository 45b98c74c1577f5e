/**
 * Every tool over the ClickHouse backend, through a real MCP client, against ground truth computed
 * from the datasets with plain code (the shared suites of test/tools/), on chDB behind the shim
 * with the exporter's tables, half the traces in each exporter spelling.
 */
import { createServer } from "node:net";
import { inject } from "vitest";
import type { Trace } from "../../src/domain/trace.js";
import { clickhouseWorld } from "../helpers/clickhouse-world.js";
import { connect, type Connected } from "../helpers/mcp.js";
import { describeAnalyticsTools, describeTopologyPushdown, ds, NOW as ANALYTICS_NOW, pricingFile } from "../tools/analytics-suite.js";
import { describeTopologyEdgeCases, TOPOLOGY_NOW } from "../tools/topology-suite.js";
import { describeLlmTools, traces as LLM_TRACES } from "../tools/llm-suite.js";
import { describeToolUsage, listsAsText, TOOL_NOW, TOOL_TRACES } from "../tools/tool-usage-suite.js";
import { MemoryBackend } from "../helpers/memory-backend.js";
import { describeSessionTools, NOW as SESSIONS_NOW, TRACES as SESSION_TRACES } from "../tools/sessions-suite.js";
import { API_KEY, describeToolsOverWorld } from "../tools/tools-suite.js";
import { TEST_NOW_MS } from "../helpers/mcp.js";

const PASSWORD = API_KEY;
const users = [
  { username: "default", password: PASSWORD },
  // tools-suite's fault-proxy case sends URL user mcpuser with the API key as its password.
  { username: "mcpuser", password: PASSWORD },
];
const world = (eventTimeUnit: "ns" | "us") => clickhouseWorld({ chdbDir: inject("chdbDir"), users, eventTimeUnit });

/** Starts the world on `traces` and an MCP client on the ClickHouse backend pointed at it. */
function setup(traces: Trace[], now: number, eventTimeUnit: "ns" | "us", flags: Record<string, string> = {}) {
  return async (): Promise<{ mcp: Connected; close: () => Promise<void> }> => {
    const running = await world(eventTimeUnit).start(traces);
    const mcp = await connect({ flags: { backend: "clickhouse", url: running.url, apiKey: PASSWORD, ...flags }, now: () => now });
    return { mcp, close: async () => (await mcp.close(), await running.close()) };
  };
}

async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const addr = server.address();
  if (!addr || typeof addr === "string") throw new Error("no address");
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${addr.port}`;
}

describeAnalyticsTools("clickhouse", setup(ds.traces, ANALYTICS_NOW, "ns", { pricing: pricingFile }));
describeTopologyPushdown("clickhouse", setup(ds.traces, ANALYTICS_NOW, "ns", { maxTraces: "5" }));
describeTopologyEdgeCases("clickhouse", (traces) => setup(traces, TOPOLOGY_NOW, "us")(), { listsAsText: true });
describeLlmTools("clickhouse", setup(LLM_TRACES, TEST_NOW_MS, "us"));
describeToolUsage(
  "clickhouse",
  async () => {
    const { mcp, close } = await setup(TOOL_TRACES, TOOL_NOW, "us", { maxTraces: "2" })();
    const reference = await connect({ backendFactory: async () => new MemoryBackend(listsAsText(TOOL_TRACES)), now: () => TOOL_NOW });
    return { mcp, reference, close: async () => (await reference.close(), await close()) };
  },
  { listsAsText: true },
);
describeSessionTools("clickhouse", setup(SESSION_TRACES, SESSIONS_NOW, "us"));
describeToolsOverWorld(world("us"), { downUrl: closedPortUrl });
