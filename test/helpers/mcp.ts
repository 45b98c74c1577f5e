/** Connects a real MCP Client to createServer in-process (InMemoryTransport). */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { TraceBackend } from "../../src/backends/trace-backend.js";
import { TraceCache } from "../../src/query/trace-cache.js";
import { resolveConfig, type CliFlags, type Config } from "../../src/config.js";
import { silentLogger } from "../../src/logger.js";
import { createServer } from "../../src/mcp/server.js";
import { DATASET_START_MS } from "./dataset.js";

/** Tests run with the clock a day after the generated dataset starts, inside every default window. */
export const TEST_NOW_MS = DATASET_START_MS + 24 * 3_600_000;

export interface Connected {
  client: Client;
  config: Config;
  /** The cache the server uses (undefined with `cache: "app"` until read from the app). */
  cache: TraceCache | undefined;
  /** Calls a tool and returns the parsed JSON text, the raw result and the structured content. */
  call(name: string, args?: Record<string, unknown>): Promise<ToolCall>;
  close(): Promise<void>;
}

export interface ToolCall {
  isError: boolean;
  text: string;
  json: Record<string, unknown>;
  structured: Record<string, unknown> | undefined;
}

export interface ConnectOptions {
  flags?: CliFlags;
  env?: Record<string, string>;
  backendFactory?: () => Promise<TraceBackend>;
  now?: () => number;
  /** A cache to use; "app" lets the composition root build its own (the production default). */
  cache?: TraceCache | "app";
}

export async function connect(options: ConnectOptions = {}): Promise<Connected> {
  const config = resolveConfig(options.flags ?? {}, options.env ?? {});
  const now = options.now ?? (() => TEST_NOW_MS);
  const cache = options.cache === "app" ? undefined : (options.cache ?? new TraceCache({ now, settleMs: 0 }));
  const created = createServer({
    config,
    logger: silentLogger(),
    ...(cache ? { cache } : {}),
    ...(options.backendFactory ? { backendFactory: options.backendFactory } : {}),
    now,
  });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: "vitest", version: "0" });
  await created.server.connect(serverSide);
  await client.connect(clientSide);
  // listTools caches output schemas so the client validates structuredContent on every call.
  await client.listTools();
  return {
    client,
    config,
    cache,
    async call(name, args = {}) {
      const res = (await client.callTool({ name, arguments: args })) as {
        isError?: boolean;
        content: Array<{ type: string; text?: string }>;
        structuredContent?: Record<string, unknown>;
      };
      const text = res.content[0]?.text ?? "";
      return { isError: res.isError === true, text, json: JSON.parse(text) as Record<string, unknown>, structured: res.structuredContent };
    },
    async close() {
      await client.close();
      await created.close();
    },
  };
}
