/**
 * The start-up log: the backend URL without its credentials, "backend <kind> at <url>" rather
 * than a claim of a connection, and, when stdin is a terminal, a line saying what the server is
 * waiting for.
 */
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { stdioStartupLines } from "../../src/cli/startup.js";
import { resolveConfig } from "../../src/config.js";
import { CLI, runCli, startCli } from "../helpers/cli-process.js";

const hasScript = spawnSync("script", ["--version"]).status === 0;

describe("start-up log", () => {
  it("names the backend and its URL without user info or query string, and claims no connection", async () => {
    const r = await runCli(["--url", "http://alice:s3cr3t-key@127.0.0.1:9/jaeger?token=tok-123456", "--log-level", "debug"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("backend jaeger at http://127.0.0.1:9/jaeger");
    for (const secret of ["s3cr3t-key", "alice", "tok-123456"]) expect(r.stderr).not.toContain(secret);
    expect(r.stderr).not.toMatch(/connected to/i);
  });

  it("the HTTP transport's start-up names the backend the same way", async () => {
    const server = startCli(["--transport", "http", "--port", "0", "--url", "https://bob:pw-999@traces.example:3200"]);
    try {
      const stderr = await server.waitForStderr("connect clients to");
      expect(stderr).toContain("backend jaeger at https://traces.example:3200");
      expect(stderr).not.toContain("pw-999");
    } finally {
      await server.stop();
    }
  });

  it("tells a terminal user that the server waits for an MCP client on stdin", () => {
    const config = resolveConfig({ url: "http://127.0.0.1:9" }, {});
    const tty = stdioStartupLines(config, true).map((l) => l.msg);
    const pipe = stdioStartupLines(config, false).map((l) => l.msg);
    expect(pipe).toEqual(["Starting MCP server with stdio transport; backend jaeger at http://127.0.0.1:9"]);
    expect(tty[0]).toBe(pipe[0]);
    expect(tty[1]).toMatch(/^Waiting for an MCP client on stdin\..*Ctrl\+C.*opentelemetry-mcp call list_services/);
  });

  it.runIf(hasScript)("says so in a real terminal (script(1) gives the child a pty)", () => {
    const r = spawnSync("script", ["-qec", `"${process.execPath}" "${CLI}" --url http://127.0.0.1:9`, "/dev/null"], { input: "", timeout: 10_000, encoding: "utf8" });
    expect(r.stdout).toContain("Waiting for an MCP client on stdin");
  });
});
