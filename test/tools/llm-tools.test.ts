import { MemoryBackend } from "../helpers/memory-backend.js";
import { connect } from "../helpers/mcp.js";
import { describeLlmTools, traces } from "./llm-suite.js";

describeLlmTools("memory", async () => {
  const mcp = await connect({ backendFactory: async () => new MemoryBackend(traces) });
  return { mcp, close: () => mcp.close() };
});
