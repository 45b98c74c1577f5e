/**
 * Runs a real Jaeger v2 (all-in-one, in-memory storage) for the end-to-end suite. Every
 * listener binds 127.0.0.1 on a port picked here; nothing else is enabled (no metrics, no
 * zpages, no gRPC OTLP), so the test opens no public sockets.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface RunningJaeger {
  queryUrl: string;
  otlpEndpoint: string;
  logFile: string;
  stop(): Promise<void>;
}

/** Runs scripts/install-jaeger.sh (idempotent; honours $JAEGER_BIN) and returns the binary's path. */
export function locateJaeger(repoRoot: string): string {
  const out = execFileSync("bash", [join(repoRoot, "scripts/install-jaeger.sh")], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  const path = out.trim().split("\n").pop();
  if (!path) throw new Error("scripts/install-jaeger.sh printed no path");
  return path;
}

async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: n }, () => new Promise<import("node:net").Server>((resolve, reject) => {
      const s = createServer();
      s.once("error", reject);
      s.listen(0, "127.0.0.1", () => resolve(s));
    })),
  );
  const ports = servers.map((s) => (s.address() as import("node:net").AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  return ports;
}

export function jaegerConfig(ports: { otlpHttp: number; queryHttp: number; queryGrpc: number }): string {
  return `service:
  extensions: [jaeger_storage, jaeger_query]
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [jaeger_storage_exporter]
  telemetry:
    resource:
      service.name: jaeger
    metrics:
      level: none
    logs:
      level: warn
extensions:
  jaeger_query:
    storage:
      traces: memstore
    http:
      endpoint: 127.0.0.1:${ports.queryHttp}
    grpc:
      endpoint: 127.0.0.1:${ports.queryGrpc}
  jaeger_storage:
    backends:
      memstore:
        memory:
          max_traces: 100000
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:${ports.otlpHttp}
processors:
  batch:
    timeout: 100ms
exporters:
  jaeger_storage_exporter:
    trace_storage: memstore
`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, "utf8").split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
  await exited;
  clearTimeout(timer);
}

/** Starts Jaeger and waits until its query API answers; retries on a port race. */
export async function startJaeger(binary: string, options: { readyTimeoutMs?: number } = {}): Promise<RunningJaeger> {
  const dir = mkdtempSync(join(tmpdir(), "otel-mcp-jaeger-"));
  let lastError = "";
  for (let attempt = 1; attempt <= 3; attempt++) {
    const [otlpHttp, queryHttp, queryGrpc] = (await freePorts(3)) as [number, number, number];
    const configFile = join(dir, "config.yaml");
    writeFileSync(configFile, jaegerConfig({ otlpHttp, queryHttp, queryGrpc }));
    const logFile = join(dir, `jaeger-${attempt}.log`);
    const fd = openSync(logFile, "w");
    const child = spawn(binary, ["--config", `file:${configFile}`], { stdio: ["ignore", fd, fd] });
    const queryUrl = `http://127.0.0.1:${queryHttp}`;
    const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
    let ready = false;
    while (Date.now() < deadline && child.exitCode === null) {
      try {
        const res = await fetch(`${queryUrl}/api/services`);
        if (res.ok) {
          ready = true;
          break;
        }
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    if (ready) {
      return {
        queryUrl,
        otlpEndpoint: `http://127.0.0.1:${otlpHttp}`,
        logFile,
        async stop() {
          await stopProcess(child);
          rmSync(dir, { recursive: true, force: true });
        },
      };
    }
    await stopProcess(child);
    lastError = `Jaeger (${binary}) did not become ready on ${queryUrl} (attempt ${attempt}, exit code ${child.exitCode}). Log tail:\n${tail(logFile)}`;
  }
  throw new Error(lastError);
}
