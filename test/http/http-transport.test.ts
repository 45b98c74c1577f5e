import { TOOLS } from "../../src/tools/index.js";
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
    expect((await client.listTools()).tools).toHaveLength(TOOLS.length);
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
    expect((await client.listTools()).tools).toHaveLength(TOOLS.length);
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

/** One raw POST/GET/DELETE: status, body text and headers. */
function send(url: string, method: string, body: string | undefined, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers } }, (res) => {
      let text = "";
      res.on("data", (d) => (text += String(d)));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text, headers: res.headers }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

const INIT = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "0" } } });
const LIST = JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" });

async function session(url: string): Promise<Record<string, string>> {
  const init = await send(url, "POST", INIT);
  expect(init.status).toBe(200);
  const id = init.headers["mcp-session-id"] as string;
  const headers = { "mcp-session-id": id, "mcp-protocol-version": "2025-06-18" };
  await send(url, "POST", JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }), headers);
  return headers;
}

describe("sessions: unknown or terminated ids get 404 so clients re-initialize (#5)", () => {
  it.each(["POST", "GET", "DELETE"])("%s with a made-up session id -> 404 with a JSON-RPC error", async (method) => {
    const server = await start();
    const r = await send(server.url, method, method === "POST" ? LIST : undefined, { "mcp-session-id": "00000000-0000-0000-0000-000000000000", "mcp-protocol-version": "2025-06-18" });
    expect(r.status).toBe(404);
    expect(JSON.parse(r.body)).toMatchObject({ jsonrpc: "2.0", error: { code: -32001 }, id: null });
    expect(JSON.parse(r.body).error.message).toMatch(/session not found.*initialize/i);
  });

  it("a session ended by DELETE answers 404 afterwards, and a new initialize works", async () => {
    const server = await start();
    const headers = await session(server.url);
    expect((await send(server.url, "POST", LIST, headers)).status).toBe(200);
    expect((await send(server.url, "DELETE", undefined, headers)).status).toBe(200);
    const after = await send(server.url, "POST", LIST, headers);
    expect(after.status).toBe(404);
    expect(JSON.parse(after.body).error.code).toBe(-32001);
    expect((await send(server.url, "POST", INIT)).status).toBe(200);
  });

  it("a request without a session id is still 400", async () => {
    const server = await start();
    const r = await send(server.url, "POST", LIST);
    expect(r.status).toBe(400);
  });
});

describe("request bodies are JSON-RPC messages or non-empty batches of them (#15)", () => {
  it.each([
    ["[]", "an empty batch"],
    ["[1]", "a batch of a number"],
    ["[null]", "a batch of null"],
    ["[[]]", "a nested array"],
    ["5", "a number"],
    ['"x"', "a string"],
    ["null", "null"],
  ])("%s (%s) -> 400 with the JSON-RPC invalid-request error, in a session and without one", async (body) => {
    const server = await start();
    const headers = await session(server.url);
    for (const h of [headers, {}]) {
      const r = await send(server.url, "POST", body, h);
      expect(r.status, JSON.stringify(h)).toBe(400);
      expect(JSON.parse(r.body)).toMatchObject({ jsonrpc: "2.0", error: { code: -32600 }, id: null });
    }
  });

  it("a request whose params is not an object gets an error naming its id", async () => {
    const server = await start();
    const headers = await session(server.url);
    for (const params of ["x", 5, []]) {
      const r = await send(server.url, "POST", JSON.stringify({ jsonrpc: "2.0", id: 7, method: "tools/call", params }), headers);
      expect(r.status).toBe(400);
      const msg = JSON.parse(r.body);
      expect(msg).toMatchObject({ jsonrpc: "2.0", id: 7 });
      expect([-32600, -32602]).toContain(msg.error.code);
      expect(msg.error.message).toMatch(/params/);
    }
    // The session still serves.
    expect((await send(server.url, "POST", LIST, headers)).status).toBe(200);
  });
});
