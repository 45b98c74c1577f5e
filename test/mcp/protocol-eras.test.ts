/**
 * Both protocol eras, through real clients of both SDK lines: the v1 SDK's Client (initialize,
 * 2025-11-25) and the v2 SDK's Client negotiating 2026-07-28 (server/discover, per-request _meta)
 * or pinned to it, over stdio (the built dist/cli.js against a fake Jaeger) and Streamable HTTP.
 * Each lists tools within the byte budget, calls a tool, follows its resource link, lists the
 * templates and prompts, gets a prompt and completes a service argument. Raw exchanges pin the
 * wire details the clients do not show: the discovery answer, the errors of this revision, and
 * the HTTP header checks.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Client as ClientV2 } from "@modelcontextprotocol/client";
import { StreamableHTTPClientTransport as HttpTransportV2 } from "@modelcontextprotocol/client";
import { StdioClientTransport as StdioTransportV2 } from "@modelcontextprotocol/client/stdio";
import { Client as ClientV1 } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport as StdioTransportV1 } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport as HttpTransportV1 } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/config.js";
import { silentLogger } from "../../src/logger.js";
import { startHttpServer, type RunningHttpServer } from "../../src/mcp/http.js";
import { generateDataset } from "../helpers/dataset.js";
import { jaegerWorld, type JaegerRunningWorld } from "../helpers/jaeger-world.js";
import { TEST_NOW_MS } from "../helpers/mcp.js";
import { MemoryBackend } from "../helpers/memory-backend.js";

const CLI = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));
const MODERN = "2026-07-28";
const TOKEN = "era-test-token";

/** What both SDK lines' clients offer, as far as the scenario needs it. */
interface AnyClient {
  listTools(): Promise<{ tools: unknown[] }>;
  callTool(p: { name: string; arguments: Record<string, unknown> }): Promise<unknown>;
  readResource(p: { uri: string }): Promise<{ contents: Array<{ uri: string; text?: string }> }>;
  listResourceTemplates(): Promise<{ resourceTemplates: Array<{ uriTemplate: string }> }>;
  listPrompts(): Promise<{ prompts: Array<{ name: string }> }>;
  getPrompt(p: { name: string; arguments: Record<string, string> }): Promise<{ messages: Array<{ content: unknown }> }>;
  complete(p: { ref: { type: "ref/prompt"; name: string }; argument: { name: string; value: string } }): Promise<{ completion: { values: string[] } }>;
  close(): Promise<void>;
}

type Content = Array<{ type: string; text?: string; uri?: string }>;

async function scenario(client: AnyClient, services: string[]): Promise<void> {
  const { tools } = await client.listTools();
  expect(tools.length).toBeGreaterThanOrEqual(11);
  expect(JSON.stringify(tools).length).toBeLessThanOrEqual(30_000);

  const found = (await client.callTool({ name: "search_traces", arguments: { limit: 3 } })) as { content: Content; structuredContent: { traces: Array<{ trace_id: string }> } };
  const traceIds = found.structuredContent.traces.map((t) => t.trace_id);
  expect(traceIds).toHaveLength(3);
  expect(found.content.filter((c) => c.type === "resource_link").map((c) => c.uri)).toEqual(traceIds.map((id) => `trace://${id}`));
  const trace = await client.readResource({ uri: `trace://${traceIds[0]}` });
  expect(JSON.parse(trace.contents[0]!.text!).trace_id).toBe(traceIds[0]);
  // An output schema with shared $defs, checked by the client against the answer.
  const usage = (await client.callTool({ name: "get_llm_usage", arguments: {} })) as { structuredContent: { summary: { total_requests: number } } };
  expect(usage.structuredContent.summary.total_requests).toBeGreaterThan(0);

  expect((await client.listResourceTemplates()).resourceTemplates.map((t) => t.uriTemplate)).toEqual(["trace://{trace_id}", "service://{service_name}"]);
  expect((await client.listPrompts()).prompts.length).toBeGreaterThanOrEqual(4);
  const triage = await client.getPrompt({ name: "error_triage", arguments: { service_name: services[0]! } });
  expect(JSON.stringify(triage.messages)).toContain("find_errors");
  const completion = await client.complete({ ref: { type: "ref/prompt", name: "error_triage" }, argument: { name: "service_name", value: "" } });
  expect(completion.completion.values).toEqual(services);
}

const servicesOf = (traces: ReturnType<typeof generateDataset>) => [...new Set(traces.flatMap((t) => t.spans.map((s) => s.serviceName)))].sort();

describe("over stdio (dist/cli.js)", () => {
  const traces = generateDataset({ traces: 6, startMs: Date.now() - 2 * 3_600_000 });
  let world: JaegerRunningWorld;
  beforeAll(async () => {
    world = await jaegerWorld().start(traces);
  });
  afterAll(() => world.close());
  const args = () => [CLI, "--backend", "jaeger", "--url", world.url, "--log-level", "error"];

  it("serves the v1 SDK client (initialize)", async () => {
    const client = new ClientV1({ name: "v1", version: "0" });
    await client.connect(new StdioTransportV1({ command: process.execPath, args: args(), stderr: "pipe" }));
    expect(client.getServerVersion()?.name).toBe("opentelemetry-mcp");
    await scenario(client as unknown as AnyClient, servicesOf(traces));
    await client.close();
  });

  for (const mode of ["auto", { pin: MODERN }] as const) {
    it(`serves the v2 SDK client on ${MODERN} (versionNegotiation ${JSON.stringify(mode)})`, async () => {
      const client = new ClientV2({ name: "v2", version: "0" }, { versionNegotiation: { mode } });
      await client.connect(new StdioTransportV2({ command: process.execPath, args: args(), stderr: "pipe" }));
      expect(client.getProtocolEra()).toBe("modern");
      expect(client.getNegotiatedProtocolVersion()).toBe(MODERN);
      expect(client.getServerVersion()?.name).toBe("opentelemetry-mcp");
      await scenario(client as unknown as AnyClient, servicesOf(traces));
      await client.close();
    });
  }

  it("serves the v2 SDK client's default (initialize) on 2025-11-25", async () => {
    const client = new ClientV2({ name: "v2", version: "0" });
    await client.connect(new StdioTransportV2({ command: process.execPath, args: args(), stderr: "pipe" }));
    expect(client.getProtocolEra()).toBe("legacy");
    expect(client.getNegotiatedProtocolVersion()).toBe("2025-11-25");
    await scenario(client as unknown as AnyClient, servicesOf(traces));
    await client.close();
  });

  it("answers modern requests already read when stdin closes (the stdio session still counts them)", async () => {
    const child = spawn(process.execPath, args(), { stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => (out += String(d)));
    const meta = { "io.modelcontextprotocol/protocolVersion": MODERN, "io.modelcontextprotocol/clientCapabilities": {} };
    child.stdin.end(
      [
        { jsonrpc: "2.0", id: 1, method: "server/discover", params: { _meta: meta } },
        { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "list_services", arguments: {}, _meta: meta } },
      ]
        .map((m) => `${JSON.stringify(m)}\n`)
        .join(""),
    );
    const code = await new Promise<number | null>((r) => child.on("exit", r));
    const lines = out.trim().split("\n").map((l) => JSON.parse(l) as { id: number; result: Record<string, any> });
    expect(code).toBe(0);
    expect(lines.map((l) => l.id).sort()).toEqual([1, 2]);
    const call = lines.find((l) => l.id === 2)!;
    expect(call.result.resultType).toBe("complete");
    expect(JSON.parse(call.result.content[0].text).services).toEqual(servicesOf(traces));
  });

  describe("on the wire", () => {
    let child: ChildProcessWithoutNullStreams;
    let out = "";
    const answers = new Map<unknown, Record<string, any>>();
    beforeAll(() => {
      child = spawn(process.execPath, args(), { stdio: ["pipe", "pipe", "pipe"] });
      child.stdout.on("data", (d) => {
        out += String(d);
        let nl: number;
        while ((nl = out.indexOf("\n")) >= 0) {
          const m = JSON.parse(out.slice(0, nl)) as Record<string, any>;
          answers.set(m.id, m);
          out = out.slice(nl + 1);
        }
      });
    });
    afterAll(async () => {
      child.stdin.end();
      await new Promise((r) => child.on("exit", r));
    });
    const meta = (version = MODERN, withCapabilities = true) => ({
      "io.modelcontextprotocol/protocolVersion": version,
      "io.modelcontextprotocol/clientInfo": { name: "raw", version: "0" },
      ...(withCapabilities ? { "io.modelcontextprotocol/clientCapabilities": {} } : {}),
    });
    async function ask(id: number | string, method: string, params: Record<string, unknown>): Promise<Record<string, any>> {
      child.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", id, method, params })}\n`);
      const deadline = Date.now() + 10_000;
      while (!answers.has(id) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(answers.has(id), `no answer to ${method}`).toBe(true);
      return answers.get(id)!;
    }

    it("answers server/discover with its versions, capabilities, identity and cache hints, before any initialize", async () => {
      const r = await ask("d1", "server/discover", { _meta: meta() });
      expect(r.result).toMatchObject({
        resultType: "complete",
        supportedVersions: [MODERN],
        capabilities: { tools: {}, resources: {}, prompts: {}, completions: {} },
        ttlMs: expect.any(Number),
        cacheScope: "public",
        _meta: { "io.modelcontextprotocol/serverInfo": { name: "opentelemetry-mcp", version: expect.stringMatching(/^\d+\.\d+\.\d+/) } },
      });
      expect(r.result.instructions).toMatch(/list_services/);
    });

    it("stamps modern results and leaves legacy ones as the SDK wrote them", async () => {
      const modern = await ask(2, "tools/list", { _meta: meta() });
      expect(modern.result).toMatchObject({ resultType: "complete", ttlMs: expect.any(Number), cacheScope: "public" });
      const call = await ask(3, "tools/call", { name: "list_services", arguments: {}, _meta: meta() });
      expect(call.result.resultType).toBe("complete");
      expect(call.result).not.toHaveProperty("ttlMs");
      const init = await ask(4, "initialize", { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "0" } });
      expect(init.result.protocolVersion).toBe("2025-06-18");
      const legacy = await ask(5, "tools/list", {});
      expect(legacy.result).not.toHaveProperty("resultType");
      expect(legacy.result).not.toHaveProperty("_meta");
    });

    it("answers an initialize that offers 2026-07-28 with the newest handshake revision", async () => {
      const r = await ask(6, "initialize", { protocolVersion: MODERN, capabilities: {}, clientInfo: { name: "raw", version: "0" } });
      expect(r.result.protocolVersion).toBe("2025-11-25");
    });

    it("refuses a version it does not speak (-32022, listing what it does) and an envelope without client capabilities (-32602)", async () => {
      const r = await ask(7, "tools/list", { _meta: meta("2099-01-01") });
      expect(r.error).toMatchObject({ code: -32022, data: { requested: "2099-01-01", supported: expect.arrayContaining([MODERN, "2025-11-25"]) } });
      const caps = await ask(8, "tools/list", { _meta: meta(MODERN, false) });
      expect(caps.error.code).toBe(-32602);
      expect(caps.error.message).toMatch(/io\.modelcontextprotocol\/clientCapabilities/);
    });

    it("reports a missing resource as -32602 on 2026-07-28 and -32002 on the handshake era, with clean messages", async () => {
      const uri = "trace://0123456789abcdef0123456789abcdef";
      const modern = await ask(9, "resources/read", { uri, _meta: meta() });
      expect(modern.error.code).toBe(-32602);
      expect(modern.error.message).toMatch(/^Failed to fetch trace: /);
      const legacy = await ask(10, "resources/read", { uri });
      expect(legacy.error).toMatchObject({ code: -32002, data: { uri } });
      expect(legacy.error.message).toMatch(/^Failed to fetch trace: /);
    });
  });
});

describe("over Streamable HTTP", () => {
  const traces = generateDataset({ traces: 6 });
  let server: RunningHttpServer;
  let backendsMade = 0;
  beforeAll(async () => {
    const config = resolveConfig({ transport: "http", host: "127.0.0.1", port: "0", authToken: TOKEN }, {});
    server = await startHttpServer(config, silentLogger(), {
      backendFactory: async () => {
        backendsMade++;
        return new MemoryBackend(traces);
      },
      now: () => TEST_NOW_MS,
    });
  });
  afterAll(() => server.close());
  const auth = { authorization: `Bearer ${TOKEN}` };

  it("serves the v1 SDK client (initialize, session)", async () => {
    const client = new ClientV1({ name: "v1", version: "0" });
    await client.connect(new HttpTransportV1(new URL(server.url), { requestInit: { headers: auth } }));
    await scenario(client as unknown as AnyClient, servicesOf(traces));
    await client.close();
  });

  for (const mode of ["auto", { pin: MODERN }] as const) {
    it(`serves the v2 SDK client on ${MODERN} (versionNegotiation ${JSON.stringify(mode)})`, async () => {
      const client = new ClientV2({ name: "v2", version: "0" }, { versionNegotiation: { mode } });
      await client.connect(new HttpTransportV2(new URL(server.url), { requestInit: { headers: auth } }));
      expect(client.getProtocolEra()).toBe("modern");
      expect(client.getNegotiatedProtocolVersion()).toBe(MODERN);
      await scenario(client as unknown as AnyClient, servicesOf(traces));
      await client.close();
    });
  }

  async function post(body: unknown, headers: Record<string, string>): Promise<{ status: number; json: any }> {
    const res = await fetch(server.url, { method: "POST", headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...auth, ...headers }, body: JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : undefined };
  }
  const envelope = { "io.modelcontextprotocol/protocolVersion": MODERN, "io.modelcontextprotocol/clientCapabilities": {} };
  const headersFor = (method: string, name?: string) => ({ "mcp-protocol-version": MODERN, "mcp-method": method, ...(name ? { "mcp-name": name } : {}) });

  it("answers one modern request per POST, with no session", async () => {
    const r = await post({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "list_services", arguments: {}, _meta: envelope } }, headersFor("tools/call", "list_services"));
    expect(r.status).toBe(200);
    expect(r.json.result.resultType).toBe("complete");
    expect(JSON.parse(r.json.result.content[0].text).services).toEqual(servicesOf(traces));
    // Mcp-Name in the base64 sentinel form (spec: "Value Encoding").
    const encoded = `=?base64?${Buffer.from("list_services").toString("base64")}?=`;
    expect((await post({ jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "list_services", arguments: {}, _meta: envelope } }, headersFor("tools/call", encoded))).status).toBe(200);
  });

  it("rejects headers that do not mirror the body (400, HeaderMismatch -32020)", async () => {
    const body = { jsonrpc: "2.0", id: 3, method: "tools/call", params: { name: "list_services", arguments: {}, _meta: envelope } };
    for (const [headers, why] of [
      [{ "mcp-method": "tools/call", "mcp-name": "list_services" }, /MCP-Protocol-Version header is missing/],
      [{ ...headersFor("tools/call", "list_services"), "mcp-protocol-version": "2025-11-25" }, /does not match the body's protocol version/],
      [{ "mcp-protocol-version": MODERN, "mcp-name": "list_services" }, /Mcp-Method header is missing/],
      [headersFor("tools/list", "list_services"), /Mcp-Method header 'tools\/list' does not match the body's method 'tools\/call'/],
      [headersFor("tools/call"), /Mcp-Name header is missing/],
      [headersFor("tools/call", "get_trace"), /Mcp-Name header does not match the body's params\.name/],
    ] as const) {
      const r = await post(body, headers);
      expect(r.status, String(why)).toBe(400);
      expect(r.json.error.code).toBe(-32020);
      expect(r.json.error.message).toMatch(why);
    }
  });

  it("answers an unknown version with 400 -32022, an unknown method with 404 -32601, a notification with 202, a batch with 400", async () => {
    const old = await post({ jsonrpc: "2.0", id: 4, method: "tools/list", params: { _meta: { ...envelope, "io.modelcontextprotocol/protocolVersion": "2099-01-01" } } }, { ...headersFor("tools/list"), "mcp-protocol-version": "2099-01-01" });
    expect(old.status).toBe(400);
    expect(old.json.error).toMatchObject({ code: -32022, data: { supported: expect.arrayContaining([MODERN]) } });
    const unknown = await post({ jsonrpc: "2.0", id: 5, method: "tasks/list", params: { _meta: envelope } }, headersFor("tasks/list"));
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.code).toBe(-32601);
    const note = await post({ jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: 1, _meta: envelope } }, headersFor("notifications/cancelled"));
    expect(note.status).toBe(202);
    const batch = await post([{ jsonrpc: "2.0", id: 6, method: "tools/list", params: { _meta: envelope } }], headersFor("tools/list"));
    expect(batch.status).toBe(400);
    expect(batch.json.error.code).toBe(-32600);
  });

  it("keeps the bearer token in front of modern requests too", async () => {
    const res = await fetch(server.url, { method: "POST", headers: { "content-type": "application/json", ...headersFor("server/discover") }, body: JSON.stringify({ jsonrpc: "2.0", id: 7, method: "server/discover", params: { _meta: envelope } }) });
    expect(res.status).toBe(401);
  });

  it("shares one backend between sessions and modern requests", () => {
    expect(backendsMade).toBe(1);
  });
});
