/**
 * Scoped API keys over real Streamable HTTP on 127.0.0.1:0: two keys with disjoint services,
 * 401 without or with a wrong token, each key reaching its own session (seen in the audit log),
 * sessions bound to the key that opened them, the keys file re-read on change, --auth-token beside it.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterEach, describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/config.js";
import { startHttpServer, type RunningHttpServer } from "../../src/mcp/http.js";
import { generateDataset } from "../helpers/dataset.js";
import { captureLog } from "../helpers/log-capture.js";
import { TEST_NOW_MS } from "../helpers/mcp.js";
import { MemoryBackend } from "../helpers/memory-backend.js";

const sha = (t: string) => createHash("sha256").update(t, "utf8").digest("hex");
const BILLING = "billing-token-6c1f9e0a";
const TRAVEL = "travel-token-2b7d44e1";
const traces = generateDataset({ traces: 6 });

function writeKeys(file: string, keys: Array<[string, string, string[]]>): void {
  writeFileSync(file, JSON.stringify({ keys: keys.map(([name, token, services]) => ({ name, token_sha256: sha(token), services })) }));
}

let running: RunningHttpServer | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

async function start(extra: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), "otel-mcp-http-keys-"));
  const keysFile = join(dir, "keys.json");
  const auditFile = join(dir, "audit.jsonl");
  writeKeys(keysFile, [
    ["billing-team", BILLING, ["billing-service", "payment-*"]],
    ["travel-team", TRAVEL, ["travel-agent"]],
  ]);
  const config = resolveConfig({ transport: "http", host: "127.0.0.1", port: "0", apiKeysFile: keysFile, auditLog: auditFile, ...extra }, {});
  const log = captureLog();
  running = await startHttpServer(config, log.logger, { backendFactory: async () => new MemoryBackend(traces), now: () => TEST_NOW_MS });
  return { server: running, keysFile, auditFile, log };
}

interface Reply {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

function post(url: string, body: unknown, headers: Record<string, string>): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers } }, (res) => {
      let text = "";
      res.on("data", (d) => (text += String(d)));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text, headers: res.headers }));
    });
    req.on("error", reject);
    req.end(JSON.stringify(body));
  });
}

const INITIALIZE = { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "0" } } };
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function clientFor(url: string, token: string): Promise<Client> {
  const client = new Client({ name: "vitest", version: "0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: bearer(token) } }));
  return client;
}

describe("scoped API keys over Streamable HTTP", () => {
  it("401 without a token, with a wrong one, or with a token's hash; each key's token is accepted", async () => {
    const { server } = await start();
    const none = await post(server.url, INITIALIZE, {});
    expect(none.status).toBe(401);
    expect(none.headers["www-authenticate"]).toBe('Bearer realm="opentelemetry-mcp"');
    expect(JSON.parse(none.body).error.message).toBe("Unauthorized: send 'Authorization: Bearer <token>' with a token from --api-keys-file / MCP_API_KEYS_FILE");
    expect((await post(server.url, INITIALIZE, bearer("nope"))).status).toBe(401);
    expect((await post(server.url, INITIALIZE, bearer(sha(BILLING)))).status).toBe(401);
    expect((await post(server.url, INITIALIZE, { authorization: BILLING })).status).toBe(401);
    expect((await post(server.url, INITIALIZE, bearer(BILLING))).status).toBe(200);
    expect((await post(server.url, INITIALIZE, bearer(TRAVEL))).status).toBe(200);
  });

  it("each key reaches its own session: the audit log names the key (never the token)", async () => {
    const { server, auditFile, log } = await start();
    const billing = await clientFor(server.url, BILLING);
    const travel = await clientFor(server.url, TRAVEL);
    expect((await billing.listTools()).tools.length).toBeGreaterThan(0);
    await billing.callTool({ name: "list_services", arguments: {} });
    await travel.callTool({ name: "get_trace", arguments: { trace_id: traces[1]!.traceId } });
    await billing.close();
    await travel.close();

    const fileLines = readFileSync(auditFile, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(fileLines.map((l) => [l.key, l.tool, l.outcome])).toEqual([
      ["billing-team", "list_services", "ok"],
      ["travel-team", "get_trace", "ok"],
    ]);
    const stderrLines = log.lines.filter((l) => l.audit === true);
    expect(stderrLines.map((l) => [l.key, l.tool])).toEqual([
      ["billing-team", "list_services"],
      ["travel-team", "get_trace"],
    ]);
    const everything = readFileSync(auditFile, "utf8") + JSON.stringify(log.lines);
    for (const secret of [BILLING, TRAVEL, sha(BILLING), sha(TRAVEL)]) expect(everything).not.toContain(secret);
  });

  it("a session answers only the key that opened it", async () => {
    const { server } = await start();
    const init = await post(server.url, INITIALIZE, bearer(BILLING));
    const session = init.headers["mcp-session-id"] as string;
    expect(session).toBeTruthy();
    const list = { jsonrpc: "2.0", id: 2, method: "tools/list", params: {} };
    const protocol = { "mcp-protocol-version": "2025-06-18" };
    const other = await post(server.url, list, { ...bearer(TRAVEL), "mcp-session-id": session, ...protocol });
    expect(other.status).toBe(404);
    expect(JSON.parse(other.body).error.message).toMatch(/^Session not found/);
    const own = await post(server.url, list, { ...bearer(BILLING), "mcp-session-id": session, ...protocol });
    expect(own.status).toBe(200);
  });

  it("re-reads the keys file when it changes: a removed key is refused, a new one accepted", async () => {
    const { server, keysFile } = await start();
    expect((await post(server.url, INITIALIZE, bearer(TRAVEL))).status).toBe(200);
    writeKeys(keysFile, [["ops", "ops-token-99", ["*"]]]);
    expect((await post(server.url, INITIALIZE, bearer(TRAVEL))).status).toBe(401);
    expect((await post(server.url, INITIALIZE, bearer("ops-token-99"))).status).toBe(200);
  });

  it("--auth-token keeps working beside the keys file, as the auth-token key", async () => {
    const { server, auditFile } = await start({ authToken: "all-access-7" });
    const r = await post(server.url, INITIALIZE, {});
    expect(JSON.parse(r.body).error.message).toBe(
      "Unauthorized: send 'Authorization: Bearer <token>' with a token from --api-keys-file / MCP_API_KEYS_FILE or the token set by --auth-token / MCP_AUTH_TOKEN",
    );
    const client = await clientFor(server.url, "all-access-7");
    await client.callTool({ name: "list_services", arguments: {} });
    await client.close();
    expect(JSON.parse(readFileSync(auditFile, "utf8").trim()).key).toBe("auth-token");
  });
});
