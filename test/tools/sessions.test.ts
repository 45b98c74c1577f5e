import { jaegerWorld } from "../helpers/jaeger-world.js";
import { connect, type Connected } from "../helpers/mcp.js";
import { MemoryBackend } from "../helpers/memory-backend.js";
import { describeSessionTools, NOW, TRACES } from "./sessions-suite.js";

const setups: Array<[string, () => Promise<{ mcp: Connected; close: () => Promise<void> }>]> = [
  ["memory", async () => { const mcp = await connect({ backendFactory: async () => new MemoryBackend(TRACES), now: () => NOW }); return { mcp, close: () => mcp.close() }; }],
  [
    "jaeger",
    async () => {
      const running = await jaegerWorld({ now: () => NOW }).start(TRACES);
      const mcp = await connect({ flags: { backend: "jaeger", url: running.url }, now: () => NOW });
      return { mcp, close: async () => (await mcp.close(), await running.close()) };
    },
  ],
];

for (const [name, setup] of setups) describeSessionTools(name, setup);
