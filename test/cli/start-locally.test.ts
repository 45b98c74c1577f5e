/**
 * start_locally.sh leaves configuration to the server: BACKEND_TYPE / BACKEND_URL from the .env in
 * its directory apply (the script used to export its own defaults, which outrank .env), the real
 * environment still wins over .env, and stdout carries only the MCP protocol. The script runs from
 * a copy in a temp directory that links this checkout's dist/, node_modules/ and src/, so the test
 * never writes a .env into the checkout.
 */
import { copyFileSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jsonLines, mcpSession, REPO_ROOT, runCli } from "../helpers/cli-process.js";

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "otel-mcp-start-"));
  copyFileSync(join(REPO_ROOT, "start_locally.sh"), join(dir, "start_locally.sh"));
  for (const name of ["dist", "node_modules", "src", "package.json"]) symlinkSync(join(REPO_ROOT, name), join(dir, name));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function runScript(env: Record<string, string> = {}) {
  return runCli([], { command: ["bash", join(dir, "start_locally.sh")], env, stdin: mcpSession([]), cwd: tmpdir() });
}

describe("start_locally.sh", () => {
  it("starts the server with the backend from .env", async () => {
    writeFileSync(join(dir, ".env"), "BACKEND_TYPE=tempo\nBACKEND_URL=http://127.0.0.1:3200\n");
    const r = await runScript();
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("backend tempo at http://127.0.0.1:3200");
    const messages = jsonLines(r.stdout);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ jsonrpc: "2.0", id: 0, result: { serverInfo: { name: "opentelemetry-mcp" } } });
  });

  it("the environment still beats .env, and without either the server's own defaults apply", async () => {
    writeFileSync(join(dir, ".env"), "BACKEND_TYPE=tempo\nBACKEND_URL=http://127.0.0.1:3200\n");
    const fromEnv = await runScript({ BACKEND_URL: "http://127.0.0.1:3999" });
    expect(fromEnv.stderr).toContain("backend tempo at http://127.0.0.1:3999");
    rmSync(join(dir, ".env"));
    // No backend at all: the local store, in the per-user data directory (here a scratch XDG_DATA_HOME).
    const defaults = await runScript({ XDG_DATA_HOME: dir });
    expect(defaults.stderr).toContain(`backend local at file://${join(dir, "opentelemetry-mcp")}`);
  });
});
