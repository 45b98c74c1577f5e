/** Spawns the built CLI on stdio: every stdout line must be a JSON-RPC message. */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { TOOLS } from "../../src/tools/index.js";
import { describe, expect, it } from "vitest";
import { generateDataset } from "../helpers/dataset.js";
import { startFaultProxy } from "../helpers/fault-proxy.js";
import { expectNoSecrets } from "../helpers/secrets.js";
import { tempoWorld } from "../helpers/tempo-world.js";

const CLI = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));

describe("stdio", () => {
  it("speaks only JSON-RPC on stdout, logs on stderr, and exits when stdin closes", async () => {
    const child = spawn(process.execPath, [CLI, "--backend", "jaeger", "--url", "http://127.0.0.1:9", "--log-level", "debug"], {
      stdio: ["pipe", "pipe", "pipe"],
      env: { ...process.env, BACKEND_TYPE: "", BACKEND_URL: "" },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += String(d)));
    child.stderr.on("data", (d) => (stderr += String(d)));
    const send = (msg: object) => child.stdin.write(`${JSON.stringify(msg)}\n`);
    send({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "0" } } });
    send({ jsonrpc: "2.0", method: "notifications/initialized" });
    send({ jsonrpc: "2.0", id: 2, method: "tools/list" });
    // A tool call that fails (nothing listens on port 9) must still answer on stdout as a result.
    send({ jsonrpc: "2.0", id: 3, method: "tools/call", params: { name: "list_services", arguments: {} } });
    const deadline = Date.now() + 10_000;
    while (!stdout.includes('"id":3') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    child.stdin.end();
    const code = await new Promise<number | null>((r) => child.on("exit", r));
    const lines = stdout.split("\n").filter((l) => l.trim() !== "");
    expect(lines.length).toBe(3);
    for (const line of lines) expect(JSON.parse(line)).toMatchObject({ jsonrpc: "2.0" });
    const init = JSON.parse(lines[0]!);
    expect(init.result.serverInfo.name).toBe("opentelemetry-mcp");
    expect(init.result.instructions).toMatch(/list_services/);
    const call = JSON.parse(lines[2]!);
    expect(call.result.isError).toBe(true);
    expect(JSON.parse(call.result.content[0].text).error).toMatch(/^Failed to list services: Cannot reach Jaeger at http:\/\/127\.0\.0\.1:9/);
    expect(stderr).toContain("Starting MCP server with stdio transport");
    expect(code).toBe(0);
  });

  it("answers requests the SDK would drop (params not an object, wrong jsonrpc) with a JSON-RPC error (#14), and keeps serving", async () => {
    const child = spawn(process.execPath, [CLI, "--backend", "jaeger", "--url", "http://127.0.0.1:9", "--log-level", "error"], {
      stdio: ["pipe", "pipe", "pipe"],
      env: { ...process.env, BACKEND_TYPE: "", BACKEND_URL: "" },
    });
    let stdout = "";
    child.stdout.on("data", (d) => (stdout += String(d)));
    const lines = [
      JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "0" } } }),
      JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }),
      JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/call", params: "x" }),
      JSON.stringify({ jsonrpc: "2.0", id: "three", method: "tools/call", params: 5 }),
      JSON.stringify({ jsonrpc: "2.0", id: 4, method: "tools/list", params: [] }),
      JSON.stringify({ jsonrpc: "1.0", id: 5, method: "ping" }),
      // A key JSON.parse keeps as an own property: the tool must reject it, not drop it (#12).
      '{"jsonrpc":"2.0","id":6,"method":"tools/call","params":{"name":"get_trace","arguments":{"trace_id":"abc","__proto__":{"x":1}}}}',
      JSON.stringify({ jsonrpc: "2.0", id: 7, method: "ping" }),
    ];
    // Split mid-line on purpose: the transport must reassemble lines across chunks.
    const all = `${lines.join("\n")}\n`;
    child.stdin.write(all.slice(0, 300));
    await new Promise((r) => setTimeout(r, 50));
    child.stdin.write(all.slice(300));
    const deadline = Date.now() + 10_000;
    while (!/"id":7\b/.test(stdout) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 200));
    child.stdin.end();
    await new Promise((r) => child.on("exit", r));
    const byId = new Map(stdout.split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l) as { id: unknown; error?: { code: number; message: string }; result?: { isError?: boolean; content?: Array<{ text: string }> } }).map((m) => [m.id, m]));
    for (const id of [2, "three", 4]) {
      expect(byId.get(id)?.error?.code, String(id)).toBe(-32602);
      expect(byId.get(id)?.error?.message, String(id)).toMatch(/'params' must be an object/);
    }
    expect(byId.get(5)?.error?.code).toBe(-32600);
    expect(byId.get(6)?.result?.isError).toBe(true);
    expect(JSON.parse(byId.get(6)!.result!.content![0]!.text).error).toMatch(/unknown argument\(s\) '__proto__'/);
    expect(byId.get(7)).toMatchObject({ jsonrpc: "2.0", result: {} });
  });

  it("keeps a --header token echoed by the backend out of the tool error and the logs, at debug level (#2)", async () => {
    const token = "hdr-secret-3f2e1d0c9b8a7f6e5d4c";
    const world = await tempoWorld().start(generateDataset({ traces: 2 }));
    const proxy = await startFaultProxy(world.url);
    proxy.setFault("echoHeaders");
    const child = spawn(process.execPath, [CLI, "--backend", "tempo", "--url", proxy.url, "--header", `Authorization: Bearer ${token}`, "--log-level", "debug"], {
      stdio: ["pipe", "pipe", "pipe"],
      env: { ...process.env, BACKEND_TYPE: "", BACKEND_URL: "", BACKEND_HEADERS: "" },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += String(d)));
    child.stderr.on("data", (d) => (stderr += String(d)));
    const send = (msg: object) => child.stdin.write(`${JSON.stringify(msg)}\n`);
    send({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "0" } } });
    send({ jsonrpc: "2.0", method: "notifications/initialized" });
    send({ jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "list_services", arguments: {} } });
    const deadline = Date.now() + 10_000;
    while (!stdout.includes('"id":2') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 200));
    child.stdin.end();
    await new Promise((r) => child.on("exit", r));
    await proxy.close();
    await world.close();
    const answer = JSON.parse(stdout.split("\n").find((l) => l.includes('"id":2'))!);
    expect(JSON.parse(answer.result.content[0].text).error).toMatch(/^Failed to list services: Tempo at http:\/\/127\.0\.0\.1:\d+ returned HTTP 500/);
    expect(stderr).toMatch(/backend error/);
    expectNoSecrets(stdout, [token], "stdout");
    expectNoSecrets(stderr, [token], "stderr");
  });

  it("serves the SDK client end to end", async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [CLI, "--backend", "jaeger", "--url", "http://127.0.0.1:9"],
      stderr: "pipe",
    });
    const client = new Client({ name: "vitest", version: "0" });
    await client.connect(transport);
    const { tools } = await client.listTools();
    expect(tools).toHaveLength(TOOLS.length);
    expect(client.getServerVersion()?.version).toMatch(/^\d+\.\d+\.\d+/);
    await client.close();
  });
});
