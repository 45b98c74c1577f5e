/**
 * Command-line mistakes and a busy port end as one line on stderr and exit 1: no help dump, no
 * stack trace. The formatting helpers are checked in-process as well.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { CliError, describeFailure, formatCommanderError, listenErrorMessage } from "../../src/cli/errors.js";
import { ConfigError } from "../../src/errors.js";
import { runCli } from "../helpers/cli-process.js";

function oneLine(stderr: string): string {
  const lines = stderr.split("\n").filter((l) => l !== "");
  expect(lines, stderr).toHaveLength(1);
  return lines[0]!;
}

describe("usage errors (built bin)", () => {
  it("an unknown flag prints one line with the --help hint", async () => {
    const r = await runCli(["--bogus"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(oneLine(r.stderr)).toBe("opentelemetry-mcp: unknown option '--bogus' (run opentelemetry-mcp --help for the options)");
  });

  it("keeps commander's suggestion on the same line", async () => {
    const r = await runCli(["--bakend", "tempo"]);
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toBe("opentelemetry-mcp: unknown option '--bakend'; did you mean --backend? (run opentelemetry-mcp --help for the options)");
  });

  it("points a subcommand's mistakes at that subcommand's --help", async () => {
    const r = await runCli(["demo-data", "--bogus"]);
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toBe("opentelemetry-mcp: unknown option '--bogus' (run opentelemetry-mcp demo-data --help for the options)");
  });

  it("an unknown command is named as such", async () => {
    const r = await runCli(["serve"]);
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toBe("opentelemetry-mcp: unknown command 'serve' (run opentelemetry-mcp --help for the commands)");
  });

  it("--transport http on a port already in use: one line naming the port, exit 1", async () => {
    const holder = createServer();
    await new Promise<void>((r) => holder.listen(0, "127.0.0.1", r));
    const port = (holder.address() as AddressInfo).port;
    try {
      const r = await runCli(["--transport", "http", "--port", String(port), "--log-level", "error"]);
      expect(r.code).toBe(1);
      expect(oneLine(r.stderr)).toBe(`opentelemetry-mcp: port ${port} on 127.0.0.1 is already in use; pass --port or stop the other process`);
    } finally {
      await new Promise<void>((r) => holder.close(() => r()));
    }
  });
});

describe("error formatting", () => {
  it("rewrites commander's text and collapses it to one line", () => {
    expect(formatCommanderError("error: missing required argument 'tool'\n", "opentelemetry-mcp call")).toBe(
      "opentelemetry-mcp: missing required argument 'tool' (run opentelemetry-mcp call --help for the options)\n",
    );
  });

  it("maps listen errors by code and leaves others alone", () => {
    const err = (code: string) => Object.assign(new Error("listen failed"), { code });
    expect(listenErrorMessage(err("EADDRINUSE"), "::1", 8000)).toBe("port 8000 on ::1 is already in use; pass --port or stop the other process");
    expect(listenErrorMessage(err("EACCES"), "0.0.0.0", 80)).toMatch(/^permission denied to listen on port 80 on 0\.0\.0\.0/);
    expect(listenErrorMessage(err("EADDRNOTAVAIL"), "10.9.9.9", 8000)).toMatch(/pass --host/);
    expect(listenErrorMessage(err("EPIPE"), "127.0.0.1", 8000)).toBeUndefined();
  });

  it("describes any failure as one prefixed line with its exit code", () => {
    expect(describeFailure(new CliError("bad tool", 2))).toEqual({ line: "opentelemetry-mcp: bad tool", exitCode: 2 });
    expect(describeFailure(new ConfigError("Invalid value"))).toEqual({ line: "opentelemetry-mcp: Invalid value", exitCode: 1 });
    expect(describeFailure(new Error("first\n  second"))).toEqual({ line: "opentelemetry-mcp: first second", exitCode: 1 });
  });
});
