import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { resolveConfig } from "../src/config.js";
import { loadEnv } from "../src/env-file.js";

describe("loadEnv", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "otel-mcp-env-"));
  });
  afterEach(() => {
    vi.restoreAllMocks();
    rmSync(dir, { recursive: true, force: true });
  });

  it("reads .env from the given directory (quotes, comments, export prefix)", () => {
    writeFileSync(
      join(dir, ".env"),
      ["# comment", "BACKEND_TYPE=tempo", 'BACKEND_URL="http://tempo:3200"', "export LOG_LEVEL=debug", "BACKEND_HEADERS='X-Scope-OrgID: a'", ""].join("\n"),
    );
    const env = loadEnv(dir, {});
    expect(env).toEqual({ BACKEND_TYPE: "tempo", BACKEND_URL: "http://tempo:3200", LOG_LEVEL: "debug", BACKEND_HEADERS: "X-Scope-OrgID: a" });
    expect(resolveConfig({}, env).backend).toMatchObject({ type: "tempo", url: "http://tempo:3200", headers: { "x-scope-orgid": "a" } });
  });

  it("the real environment wins over .env, even when set to an empty string", () => {
    writeFileSync(join(dir, ".env"), "BACKEND_TYPE=tempo\nBACKEND_URL=http://from-file:3200\nMCP_PORT=9000\n");
    const env = loadEnv(dir, { BACKEND_TYPE: "jaeger", MCP_PORT: "", PATH: "/bin" });
    expect(env).toEqual({ BACKEND_TYPE: "jaeger", BACKEND_URL: "http://from-file:3200", MCP_PORT: "", PATH: "/bin" });
  });

  it("a missing .env is fine: the environment comes through unchanged", () => {
    expect(loadEnv(dir, { A: "1" })).toEqual({ A: "1" });
  });

  it("an unreadable .env (a directory) is ignored", () => {
    mkdirSync(join(dir, ".env"));
    expect(loadEnv(dir, { A: "1" })).toEqual({ A: "1" });
  });

  it("only the given directory is read, not its parents", () => {
    writeFileSync(join(dir, ".env"), "FROM_PARENT=1\n");
    const child = join(dir, "child");
    mkdirSync(child);
    expect(loadEnv(child, {})).toEqual({});
  });

  it("prints nothing to stdout (stdout is the MCP protocol)", () => {
    writeFileSync(join(dir, ".env"), "BACKEND_TYPE=tempo\nNOT A VALID LINE\n");
    const write = vi.spyOn(process.stdout, "write");
    const log = vi.spyOn(console, "log");
    const info = vi.spyOn(console, "info");
    loadEnv(dir, {});
    loadEnv(join(dir, "missing"), {});
    expect(write).not.toHaveBeenCalled();
    expect(log).not.toHaveBeenCalled();
    expect(info).not.toHaveBeenCalled();
  });

  it("defaults to process.cwd() and process.env", () => {
    const key = "OTEL_MCP_ENV_FILE_TEST";
    vi.spyOn(process, "cwd").mockReturnValue(dir);
    writeFileSync(join(dir, ".env"), `${key}=from-file\nOTEL_MCP_ENV_FILE_ONLY=yes\n`);
    process.env[key] = "from-env";
    try {
      const env = loadEnv();
      expect([env[key], env.OTEL_MCP_ENV_FILE_ONLY]).toEqual(["from-env", "yes"]);
      // loadEnv returns a merged copy; it never writes .env values into process.env.
      expect(process.env.OTEL_MCP_ENV_FILE_ONLY).toBeUndefined();
    } finally {
      delete process.env[key];
    }
  });
});
