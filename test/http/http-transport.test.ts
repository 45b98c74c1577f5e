import { request } from "node:http";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterEach, describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/config.js";
import { exposureWarnings, startHttpServer, type RunningHttpServer } from "../../src/mcp/http.js";
import { silentLogger } from "../../src/logger.js";
import { generateDataset } from "../helpers/dataset.js";
import { MemoryBackend } from "../helpers/memory-backend.js";
import { TEST_NOW_MS } from "../helpers/mcp.js";

const traces = generateDataset({ traces: 4 });
let running: RunningHttpServer | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

async function start(flags: Record<string, string> = {}): Promise<RunningHttpServer> {
  const config = resolveConfig({ transport: "http", host: "127.0.0.1", port: "0", ...flags }, {});
  running = await startHttpServer(config, silentLogger(), { backendFactory: async () => new MemoryBackend(traces), now: () => TEST_NOW_MS });
  return running;
}

function raw(url: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "0" } } });
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers } }, (res) => {
      let text = "";
      res.on("data", (d) => (text += String(d)));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

describe("Streamable HTTP transport", () => {
  it("serves tools at /mcp on 127.0.0.1", async () => {
    const server = await start();
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    const client = new Client({ name: "vitest", version: "0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(server.url)));
    expect((await client.listTools()).tools).toHaveLength(11);
    const result = (await client.callTool({ name: "search_traces", arguments: { limit: 2 } })) as { content: Array<{ text: string }>; isError?: boolean };
    expect(result.isError).toBeFalsy();
    expect(JSON.parse(result.content[0]!.text).count).toBe(2);
    await client.close();
  });

  it("refuses a foreign Origin", async () => {
    const server = await start();
    const r = await raw(server.url, { origin: "https://evil.example" });
    expect(r.status).toBe(403);
    expect(r.body).toContain("Origin 'https://evil.example' is not allowed");
    const ok = await raw(server.url, { origin: `http://localhost:${server.port}` });
    expect(ok.status).toBe(200);
  });

  it("refuses a foreign Host (DNS rebinding)", async () => {
    const server = await start();
    const r = await raw(server.url, { host: `evil.example:${server.port}` });
    expect(r.status).toBe(403);
    expect(r.body).toContain("Host 'evil.example");
  });

  it("enforces the bearer token when set", async () => {
    const server = await start({ authToken: "s3cret-token" });
    expect((await raw(server.url, {})).status).toBe(401);
    expect((await raw(server.url, { authorization: "Bearer wrong-token!" })).status).toBe(401);
    expect((await raw(server.url, { authorization: "Bearer s3cret-token" })).status).toBe(200);
    const client = new Client({ name: "vitest", version: "0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(server.url), { requestInit: { headers: { authorization: "Bearer s3cret-token" } } }));
    expect((await client.listTools()).tools).toHaveLength(11);
    await client.close();
  });

  it("answers 404 off /mcp and 400 without a session", async () => {
    const server = await start();
    expect((await raw(server.url.replace("/mcp", "/other"), {})).status).toBe(404);
    const r = await new Promise<number>((resolve) => {
      const req = request(server.url, { method: "POST", headers: { "content-type": "application/json" } }, (res) => resolve(res.statusCode ?? 0));
      req.end(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }));
    });
    expect(r).toBe(400);
  });

  it("warns loudly when exposed beyond loopback without a token", () => {
    expect(exposureWarnings({ host: "0.0.0.0", port: 8000 }).join(" ")).toMatch(/SECURITY WARNING.*without an auth token/);
    expect(exposureWarnings({ host: "10.0.0.5", port: 8000, authToken: "t" })).toEqual([]);
    expect(exposureWarnings({ host: "127.0.0.1", port: 8000 })).toEqual([]);
  });
});
