/**
 * list_llm_tools on the local store groups tool spans in SQL (TraceBackend.toolUsage, one
 * statement): the backend is asked for the grouping, never for spans or traces, and the answer
 * covers every tool span of the window past the --max-traces cap (tool-usage-suite.ts).
 */
import { rmSync } from "node:fs";
import { createLocalBackend } from "../../src/backends/local/local-backend.js";
import type { TraceBackend } from "../../src/backends/trace-backend.js";
import { silentLogger } from "../../src/logger.js";
import { filledDataDir, localOptions } from "../helpers/local-world.js";
import { connect } from "../helpers/mcp.js";
import { MemoryBackend } from "../helpers/memory-backend.js";
import { describeToolUsage, TOOL_NOW, TOOL_TRACES } from "./tool-usage-suite.js";

describeToolUsage("the local store", async () => {
  const dir = await filledDataDir(TOOL_TRACES);
  const asked = { toolUsage: 0, searchSpans: 0, searchTraces: 0 };
  const spied = async (): Promise<TraceBackend> => {
    const backend = createLocalBackend({ url: "", local: localOptions(dir), timeoutMs: 10_000, headers: {}, environments: [], fetchConcurrency: 4, logger: silentLogger() });
    return {
      ...backend,
      toolUsage: (q) => (asked.toolUsage++, backend.toolUsage!(q)),
      searchSpans: (q, h) => (asked.searchSpans++, backend.searchSpans!(q, h)),
      searchTraces: (q, h) => (asked.searchTraces++, backend.searchTraces(q, h)),
    };
  };
  // A trace cap below the tool spans of the window: the SQL path is not bound by it.
  const mcp = await connect({ flags: { maxTraces: "2" }, backendFactory: spied, now: () => TOOL_NOW });
  const reference = await connect({ backendFactory: async () => new MemoryBackend(TOOL_TRACES), now: () => TOOL_NOW });
  return {
    mcp,
    reference,
    asked: () => ({ ...asked }),
    close: async () => {
      await mcp.close();
      await reference.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
