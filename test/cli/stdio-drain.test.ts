/**
 * When stdin closes, the stdio server answers every request it has already read, then exits 0:
 * through the built bin with a pipe closed right after the last request, and in-process (the
 * grace bound on a backend that never answers, and cancelled requests not holding up the exit).
 */
import { createServer as createHttpServer } from "node:http";
import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { drainGraceMs, serveStdio } from "../../src/cli/stdio.js";
import { resolveConfig } from "../../src/config.js";
import { silentLogger } from "../../src/logger.js";
import { createServer } from "../../src/mcp/server.js";
import { listenLoopback } from "../helpers/backend-world.js";
import { jsonLines, mcpSession, runCli } from "../helpers/cli-process.js";

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});

/** A Jaeger-shaped /api/services that answers after `delayMs` (or never, with Infinity). */
async function slowJaeger(delayMs: number, services: string[]): Promise<string> {
  const server = createHttpServer((req, res) => {
    req.resume();
    if (!Number.isFinite(delayMs)) return;
    setTimeout(() => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ data: services, total: services.length, limit: 0, offset: 0, errors: null }));
    }, delayMs);
  });
  const listening = await listenLoopback(server);
  closers.push(listening.close);
  return listening.url;
}

const byId = (messages: Array<Record<string, unknown>>) => new Map(messages.map((m) => [m.id, m]));

describe("stdio drain (built bin)", () => {
  it("answers initialize, tools/list and a failing tools/call piped in with stdin closed at once, then exits 0", async () => {
    const stdin = mcpSession([
      { id: 1, method: "tools/list" },
      { id: 2, method: "tools/call", params: { name: "list_services", arguments: {} } },
    ]);
    const r = await runCli(["--backend", "jaeger", "--url", "http://127.0.0.1:9"], { stdin });
    expect(r.code).toBe(0);
    const answers = byId(jsonLines(r.stdout));
    expect([...answers.keys()].sort()).toEqual([0, 1, 2]);
    expect((answers.get(1)!.result as { tools: unknown[] }).tools.length).toBeGreaterThan(5);
    const call = answers.get(2)!.result as { isError: boolean; content: Array<{ text: string }> };
    expect(call.isError).toBe(true);
    expect(call.content[0]!.text).toContain("Cannot reach Jaeger at http://127.0.0.1:9");
  });

  it("waits for a tool call whose backend answers only after stdin has closed", async () => {
    const url = await slowJaeger(700, ["late-service", "other"]);
    const stdin = mcpSession([{ id: 7, method: "tools/call", params: { name: "list_services", arguments: {} } }]);
    const r = await runCli(["--backend", "jaeger", "--url", url], { stdin });
    expect(r.code).toBe(0);
    const call = byId(jsonLines(r.stdout)).get(7)?.result as { isError?: boolean; structuredContent: { services: string[] } } | undefined;
    expect(call?.isError).toBeFalsy();
    expect(call?.structuredContent.services.sort()).toEqual(["late-service", "other"]);
  });
});

describe("stdio drain (in-process)", () => {
  async function session(url: string, graceMs: number) {
    const config = resolveConfig({ backend: "jaeger", url }, {});
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    let written = "";
    stdout.on("data", (d) => (written += String(d)));
    const exits: number[] = [];
    const s = await serveStdio(createServer({ config, logger: silentLogger() }), { logger: silentLogger(), drainGraceMs: graceMs, stdin, stdout, exit: (c) => exits.push(c) });
    return { s, stdin, exits, answers: () => byId(jsonLines(written)) };
  }

  it("gives up after the grace period when the backend never answers, and still exits 0 once", async () => {
    const url = await slowJaeger(Infinity, []);
    const { s, stdin, exits, answers } = await session(url, 300);
    stdin.end(mcpSession([{ id: 5, method: "tools/call", params: { name: "list_services", arguments: {} } }]));
    expect(await s.done).toBe(0);
    expect(exits).toEqual([0]);
    expect(answers().has(0)).toBe(true);
    expect(answers().has(5)).toBe(false);
  });

  it("does not wait for a request the client cancelled", async () => {
    const url = await slowJaeger(Infinity, []);
    // A grace far beyond the test timeout: only the cancellation can end this session in time.
    const { s, stdin, exits } = await session(url, 600_000);
    stdin.end(
      mcpSession([{ id: 9, method: "tools/call", params: { name: "list_services", arguments: {} } }]) +
        `${JSON.stringify({ jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: 9, reason: "user" } })}\n`,
    );
    expect(await s.done).toBe(0);
    expect(exits).toEqual([0]);
  });

  it("grants at least 30 s, and more when one backend request may take longer", () => {
    expect(drainGraceMs(10_000)).toBe(30_000);
    expect(drainGraceMs(120_000)).toBeGreaterThan(120_000);
  });
});
