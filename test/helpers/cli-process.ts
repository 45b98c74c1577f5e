/** Runs the built bin (dist/cli.js, built by test/global-setup.ts) as a child process, as users do. */
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const CLI = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));
export const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliRunOptions {
  env?: Record<string, string>;
  cwd?: string;
  /** Written to stdin, which is then closed at once. */
  stdin?: string;
  /** Kills the child after this long (the run then reports code null). */
  timeoutMs?: number;
  /** Command to run instead of `node dist/cli.js` (e.g. ["bash", "start_locally.sh"]). */
  command?: string[];
}

/** One scratch data home for every spawned server: a local-store default must never touch the user's own. */
const SCRATCH_DATA_HOME = mkdtempSync(join(tmpdir(), "otel-mcp-cli-data-"));

/**
 * The environment without the server's own variables, so the machine's settings cannot leak into
 * a test; the local store (the default backend) lives in a scratch directory and its OTLP receiver
 * on a free port, unless the test says otherwise.
 */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const clean: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !/^(BACKEND_|MCP_|LOG_LEVEL|MAX_|FETCH_|COMPRESS_|DATA_DIR|DATA_RETENTION|OTLP_|STORE_|XDG_DATA_HOME)/.test(k)) clean[k] = v;
  }
  return { XDG_DATA_HOME: SCRATCH_DATA_HOME, OTLP_LISTEN: "127.0.0.1:0", ...clean, ...extra };
}

export function runCli(args: string[], options: CliRunOptions = {}): Promise<CliRun> {
  const [cmd, ...pre] = options.command ?? [process.execPath, CLI];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd!, [...pre, ...args], { env: cleanEnv(options.env), cwd: options.cwd, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += String(d)));
    child.stderr.on("data", (d) => (stderr += String(d)));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 15_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.stdin ?? "");
  });
}

/** JSON-RPC lines for a client session: initialize, initialized, then the given requests. */
export function mcpSession(requests: Array<{ id: number; method: string; params?: unknown }>): string {
  const messages: object[] = [
    { jsonrpc: "2.0", id: 0, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "vitest", version: "0" } } },
    { jsonrpc: "2.0", method: "notifications/initialized" },
    ...requests.map((r) => ({ jsonrpc: "2.0", ...r })),
  ];
  return messages.map((m) => `${JSON.stringify(m)}\n`).join("");
}

/** stdout as JSON-RPC messages (every line must parse). */
export function jsonLines(stdout: string): Array<Record<string, unknown>> {
  return stdout
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

export interface RunningCli {
  /** Resolves with stderr so far once it contains `text` (rejects after `timeoutMs`). */
  waitForStderr(text: string, timeoutMs?: number): Promise<string>;
  /** Stops the child (SIGTERM) and resolves with its exit code. */
  stop(): Promise<number | null>;
}

/** Starts the bin as a long-running process (a server), stdin left open. */
export function startCli(args: string[], options: Pick<CliRunOptions, "env" | "cwd"> = {}): RunningCli {
  const child = spawn(process.execPath, [CLI, ...args], { env: cleanEnv(options.env), cwd: options.cwd, stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += String(d)));
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  return {
    async waitForStderr(text, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (!stderr.includes(text)) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no '${text}' on stderr; got: ${stderr}`);
        await new Promise((r) => setTimeout(r, 25));
      }
      return stderr;
    },
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      return exited;
    },
  };
}
