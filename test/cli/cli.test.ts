/** The CLI binary: --help, --version, config errors (one line naming flag and env var, non-zero exit), .env. */
import { execFile } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const CLI = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));
const FILES = mkdtempSync(join(tmpdir(), "otel-mcp-cli-files-"));
const BAD_KEYS = join(FILES, "bad-keys.json");
writeFileSync(BAD_KEYS, JSON.stringify({ keys: [{ name: "billing", token_sha256: "not-a-hash", services: ["billing"] }] }));
const BAD_RULES = join(FILES, "bad-rules.json");
writeFileSync(BAD_RULES, JSON.stringify({ patterns: [{ name: "emp", regex: "EMP-(\\d{6}" }] }));
const PKG = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(args: string[], env: Record<string, string> = {}, cwd?: string, stdin = ""): Promise<Run> {
  return new Promise((resolve) => {
    const clean: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) {
      if (v !== undefined && !/^(BACKEND_|MCP_|LOG_LEVEL|MAX_|FETCH_)/.test(k)) clean[k] = v;
    }
    const child = execFile(process.execPath, [CLI, ...args], { env: { ...clean, ...env }, cwd, timeout: 10_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
    child.stdin?.end(stdin);
  });
}

describe("cli", () => {
  it("--version prints the package version", async () => {
    const r = await run(["--version"]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(PKG.version);
  });

  it("--help lists every flag and env var", async () => {
    const r = await run(["--help"]);
    expect(r.code).toBe(0);
    for (const s of ["--backend", "--url", "--api-key", "--environments", "--transport", "--host", "--port", "--timeout", "--log-level", "--header", "--auth-token", "--max-traces", "--concurrency", "--max-response-chars", "--compress-responses", "--redact", "--redact-rules", "--api-keys-file", "--audit-log"]) {
      expect(r.stdout).toContain(s);
    }
    for (const e of ["BACKEND_TYPE", "BACKEND_URL", "BACKEND_API_KEY", "BACKEND_TIMEOUT", "BACKEND_ENVIRONMENTS", "LOG_LEVEL", "MAX_TRACES_PER_QUERY", "BACKEND_HEADERS", "MCP_AUTH_TOKEN", "FETCH_CONCURRENCY", "MAX_RESPONSE_CHARS", "COMPRESS_RESPONSES", "REDACT", "REDACT_RULES_FILE", "MCP_API_KEYS_FILE", "MCP_AUDIT_LOG"]) {
      expect(r.stdout).toContain(e);
    }
  });

  it("--help documents the backend response size limit", async () => {
    const r = await run(["--help"]);
    expect(r.stdout).toMatch(/--backend-max-response-mb <n>\s+largest backend answer read, in MB/);
    expect(r.stdout).toMatch(/BACKEND_MAX_RESPONSE_MB\s+--backend-max-response-mb/);
  });

  it.each([
    [["--backend", "zipkin"], {}, /--backend \/ BACKEND_TYPE/],
    [[], { BACKEND_TYPE: "zipkin" }, /Invalid value 'zipkin' for --backend \/ BACKEND_TYPE \(from BACKEND_TYPE\)/],
    [["--url", "ftp://x"], {}, /--url \/ BACKEND_URL.*http or https/],
    [[], { BACKEND_TIMEOUT: "abc" }, /--timeout \/ BACKEND_TIMEOUT/],
    [["--port", "70000", "--transport", "http"], {}, /--port \/ MCP_PORT/],
    [[], { LOG_LEVEL: "loud" }, /--log-level \/ LOG_LEVEL/],
    [["--backend", "traceloop"], {}, /needs an API key: pass --api-key or set BACKEND_API_KEY/],
    [["--redact", "strict"], {}, /--redact \/ REDACT \(from --redact\): must be one of none, secrets, pii, content/],
    [
      ["--transport", "http", "--port", "0", "--api-keys-file", BAD_KEYS],
      {},
      /^opentelemetry-mcp: --api-keys-file \/ MCP_API_KEYS_FILE \(from --api-keys-file\): Invalid API keys file .*bad-keys\.json: keys\[0\]\.token_sha256: must be the hex sha256 of the token/,
    ],
    [["--transport", "http", "--port", "0"], { MCP_API_KEYS_FILE: BAD_KEYS }, /MCP_API_KEYS_FILE \(from MCP_API_KEYS_FILE\): Invalid API keys file/],
    [["--redact-rules", BAD_RULES], {}, /--redact-rules \/ REDACT_RULES_FILE \(from --redact-rules\): Invalid redact rules file .*bad-rules\.json: patterns\[0\]\.regex: is not a valid JavaScript regular expression/],
  ])("rejects %j %j with one line and a non-zero exit", async (args, env, message) => {
    const r = await run(args, env as Record<string, string>);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe("");
    const lines = r.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
  });

  it("a flag rescues a bad environment value", async () => {
    const r = await run(["--backend", "jaeger", "--url", "http://127.0.0.1:9"], { BACKEND_TYPE: "zipkin" });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("stdio transport; backend jaeger at http://127.0.0.1:9");
  });

  it("reads .env from the working directory, beneath the real environment", async () => {
    const dir = mkdtempSync(join(tmpdir(), "otel-mcp-env-"));
    writeFileSync(join(dir, ".env"), "BACKEND_URL=http://127.0.0.1:7777\nLOG_LEVEL=debug\n");
    const fromFile = await run([], {}, dir);
    expect(fromFile.code).toBe(0);
    expect(fromFile.stdout).toBe("");
    expect(fromFile.stderr).toContain("backend jaeger at http://127.0.0.1:7777");
    const envWins = await run([], { BACKEND_URL: "http://127.0.0.1:8888" }, dir);
    expect(envWins.stderr).toContain("backend jaeger at http://127.0.0.1:8888");
    const flagWins = await run(["--url", "http://127.0.0.1:9999"], { BACKEND_URL: "http://127.0.0.1:8888" }, dir);
    expect(flagWins.stderr).toContain("backend jaeger at http://127.0.0.1:9999");
  });

  it("passes demo-data's own options to demo-data (root options are positional)", async () => {
    const received: string[] = [];
    const receiver = createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        received.push(req.url ?? "");
        res.writeHead(200, { "content-type": "application/json" });
        res.end("{}");
      });
    });
    await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
    const port = (receiver.address() as AddressInfo).port;
    try {
      const args = ["demo-data", "--otlp-endpoint", `http://127.0.0.1:${port}`, "--traces", "2", "--seed", "3"];
      const quiet = await run([...args, "--log-level", "error"]);
      expect(quiet.code).toBe(0);
      expect(quiet.stderr).not.toContain("Sent 2 traces");
      const chatty = await run(args);
      expect(chatty.stderr).toContain("Sent 2 traces");
      expect(received.every((u) => u === "/v1/traces")).toBe(true);
    } finally {
      await new Promise<void>((r) => receiver.close(() => r()));
    }
  });

  it("never logs the API key", async () => {
    const r = await run(["--api-key", "sk-secret-123456", "--log-level", "debug", "--url", "http://127.0.0.1:9"]);
    expect(r.stderr).not.toContain("sk-secret-123456");
  });
});
