/**
 * `npm run bench:versus`: this server side by side with the Python original
 * (opentelemetry-mcp==0.2.2 from PyPI, installed into a venv under .cache/) on the same simulator
 * data, in one run: cold start to the initialize answer, and for every tool both servers have,
 * latency, answer bytes and backend requests, with ratios; then this server's Jaeger backend
 * against its local store on the same data, when this build has `--backend local`.
 * A benchmark, not a test: it prints markdown and writes bench/versus-results.json.
 *
 * Simulators: the Jaeger and Tempo test worlds behind bench/proxy.ts (per-request latency,
 * request counting, repeated identical GETs answered from memory so the simulator's CPU does not
 * compete with the servers). Both servers run over stdio, driven by the SDK client, as an MCP host
 * runs them; each tool is called with the same arguments (those its schema accepts), N times in a
 * row on one server process, so this server's trace cache counts as it does in use.
 *
 * Options (after `npm run bench:versus --`): --traces <n> (default 1000), --runs <n> (default 3),
 * --cold-runs <n> (default 9), --latency <ms> (default 5), --no-python (skip the original).
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { cpus, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { BACKEND_KINDS } from "../src/backends/registry.js";
import { assembleTrace, type Trace } from "../src/domain/trace.js";
import { generateDataset, SERVICES } from "../test/helpers/dataset.js";
import { jaegerWorld } from "../test/helpers/jaeger-world.js";
import { tempoWorld, toResourceSpans } from "../test/helpers/tempo-world.js";
import type { RunningWorld } from "../test/helpers/backend-world.js";
import { coldStarts, type Candidate, type ColdStartResult } from "./coldstart.js";
import { startLatencyProxy, type LatencyProxy } from "./proxy.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const CLI = join(ROOT, "dist", "cli.js");
const VENV = join(ROOT, ".cache", "versus-venv");
const ORIGINAL = "opentelemetry-mcp==0.2.2";
const SERVICE = "chat-api";
const BACKENDS = ["jaeger", "tempo"] as const;
type BackendName = (typeof BACKENDS)[number];

interface Options {
  traces: number;
  runs: number;
  coldRuns: number;
  latencyMs: number;
  python: boolean;
}

function parseOptions(argv: string[]): Options {
  const opts: Options = { traces: 1000, runs: 3, coldRuns: 9, latencyMs: 5, python: true };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = (): number => {
      const n = Number(argv[++i]);
      if (!Number.isFinite(n) || n < 0) throw new Error(`bench:versus: ${flag} needs a number >= 0`);
      return n;
    };
    if (flag === "--traces") opts.traces = Math.max(1, Math.round(value()));
    else if (flag === "--runs") opts.runs = Math.max(1, Math.round(value()));
    else if (flag === "--cold-runs") opts.coldRuns = Math.max(1, Math.round(value()));
    else if (flag === "--latency") opts.latencyMs = value();
    else if (flag === "--no-python") opts.python = false;
    else throw new Error(`bench:versus: unknown option ${flag}`);
  }
  return opts;
}

const log = (msg: string): void => void process.stderr.write(`bench:versus: ${msg}\n`);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round1 = (n: number): number => Math.round(n * 10) / 10;
const ratio = (a: number | undefined, b: number | undefined): string => (a === undefined || b === undefined || b === 0 ? "n/a" : `${(a / b).toFixed(1)}x`);

/** The same data as bench/run.ts: one trace a minute, ending an hour ago, roots renamed to one service. */
function benchDataset(traces: number): Trace[] {
  const startMs = Date.now() - 3_600_000 - traces * 60_000;
  const roots = new Set<string>(SERVICES);
  return generateDataset({ seed: 42, traces, startMs, fillerSpans: 24 }).map((t) => {
    const spans = t.spans.map((s) => (roots.has(s.serviceName) ? { ...s, serviceName: SERVICE } : s));
    return assembleTrace(t.traceId, spans)!;
  });
}

// ---------------------------------------------------------------------------------------------
// The original, in a venv of its own
// ---------------------------------------------------------------------------------------------

/** The original's entry point, installing it on first use; undefined (with the reason logged) when that fails. */
function pythonOriginal(): string | undefined {
  const bin = join(VENV, "bin", "opentelemetry-mcp");
  if (existsSync(bin)) return bin;
  try {
    log(`creating ${VENV} and installing ${ORIGINAL} from PyPI`);
    execFileSync("python3", ["-m", "venv", VENV], { stdio: "inherit" });
    execFileSync(join(VENV, "bin", "pip"), ["install", "--quiet", "--disable-pip-version-check", ORIGINAL], { stdio: "inherit", timeout: 600_000 });
    return existsSync(bin) ? bin : undefined;
  } catch (err) {
    log(`skipping the original: could not install ${ORIGINAL} (${(err as Error).message.split("\n")[0]}); is PyPI reachable?`);
    rmSync(VENV, { recursive: true, force: true });
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Servers over stdio
// ---------------------------------------------------------------------------------------------

interface Server {
  label: string;
  command: string;
  args: string[];
}

const ours = (backend: string, url: string, extra: string[] = []): Server => ({
  label: "this server",
  command: process.execPath,
  args: [CLI, "--backend", backend, "--url", url, "--log-level", "warn", ...extra],
});
const original = (bin: string, backend: string, url: string): Server => ({ label: "original 0.2.2", command: bin, args: ["--backend", backend, "--url", url] });

interface ToolCall {
  ms: number;
  bytes: number;
  requests: number;
  isError: boolean;
  text: string;
}

interface Session {
  tools: Map<string, Set<string>>;
  call(name: string, args: Record<string, unknown>): Promise<ToolCall>;
  close(): Promise<void>;
}

async function startSession(server: Server, proxy: LatencyProxy | undefined, cwd: string, env: Record<string, string> = {}): Promise<Session> {
  const transport = new StdioClientTransport({ command: server.command, args: server.args, cwd, stderr: "pipe", env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env } });
  transport.stderr?.on("data", () => undefined);
  const client = new Client({ name: "bench-versus", version: "0" });
  await client.connect(transport);
  const list = await client.listTools();
  const tools = new Map(list.tools.map((t) => [t.name, new Set(Object.keys((t.inputSchema as { properties?: object }).properties ?? {}))]));
  return {
    tools,
    async call(name, args) {
      await proxy?.idle();
      proxy?.reset();
      const accepted = tools.get(name) ?? new Set<string>();
      const own = Object.fromEntries(Object.entries(args).filter(([k]) => accepted.has(k)));
      const started = performance.now();
      const res = (await client.callTool({ name, arguments: own }, undefined, { timeout: 600_000 })) as { isError?: boolean; content: Array<{ text?: string }> };
      const ms = performance.now() - started;
      await proxy?.idle();
      const text = res.content.map((c) => c.text ?? "").join("");
      return { ms, bytes: Buffer.byteLength(text), requests: proxy?.counters().requests ?? 0, isError: res.isError === true || /^\s*\{\s*"error"/.test(text), text };
    },
    close: () => client.close(),
  };
}

/** Arguments for each tool both servers have (each server keeps the ones its schema accepts). */
function argsFor(tool: string, dataset: Trace[]): Record<string, unknown> {
  const common = { service_name: SERVICE };
  switch (tool) {
    case "get_trace":
    case "analyze_trace":
      return { trace_id: dataset[0]!.traceId };
    case "list_services":
      return {};
    case "get_llm_model_stats":
      // The responding model: the original matches only that one.
      return { ...common, model_name: "gpt-4o-2024-08-06" };
    case "search_traces":
    case "search_spans":
      return { ...common, limit: 100 };
    default:
      return { ...common, limit: 1000 };
  }
}

interface ToolRow {
  backend: string;
  tool: string;
  /** Per server label: median ms, first-call ms, answer bytes, backend requests of the last call, error. */
  results: Record<string, { medianMs: number; firstMs: number; bytes: number; requests: number; error?: string }>;
}

async function measureTools(backend: string, servers: Array<{ server: Server; env?: Record<string, string> }>, proxyFor: (label: string) => LatencyProxy | undefined, dataset: Trace[], runs: number, cwd: string): Promise<ToolRow[]> {
  const sessions = new Map<string, Session>();
  try {
    for (const { server, env } of servers) sessions.set(server.label, await startSession(server, proxyFor(server.label), cwd, env));
    const names = [...sessions.values()].map((s) => new Set(s.tools.keys()));
    // get_session needs a session id; the generated dataset records none.
    const common = [...names[0]!].filter((n) => names.every((set) => set.has(n)) && n !== "get_session").sort();
    const rows: ToolRow[] = [];
    for (const tool of common) {
      const row: ToolRow = { backend, tool, results: {} };
      for (const [label, session] of sessions) {
        const calls: ToolCall[] = [];
        for (let i = 0; i < runs; i++) calls.push(await session.call(tool, argsFor(tool, dataset)));
        const last = calls[calls.length - 1]!;
        row.results[label] = {
          medianMs: round1(median(calls.map((c) => c.ms))),
          firstMs: round1(calls[0]!.ms),
          bytes: last.bytes,
          requests: last.requests,
          ...(last.isError ? { error: last.text.slice(0, 160) } : {}),
        };
      }
      rows.push(row);
      log(`${backend} ${tool}: ${Object.entries(row.results).map(([l, r]) => `${l} ${r.medianMs} ms`).join(", ")}`);
    }
    return rows;
  } finally {
    for (const s of sessions.values()) await s.close().catch(() => undefined);
  }
}

// ---------------------------------------------------------------------------------------------
// The local store (when this build has it)
// ---------------------------------------------------------------------------------------------

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/**
 * A local-store server with the dataset loaded through its own OTLP/HTTP receiver (OTLP JSON, in
 * batches), the way applications feed it. Flags from docs/interfaces.md: --data-dir, --otlp-listen.
 */
async function localStoreServer(dataset: Trace[], cwd: string): Promise<{ server: Server; cleanup: () => void }> {
  const dataDir = mkdtempSync(join(tmpdir(), "otel-mcp-versus-store-"));
  const port = await freePort();
  const server: Server = { label: "local store", command: process.execPath, args: [CLI, "--backend", "local", "--data-dir", dataDir, "--otlp-listen", `127.0.0.1:${port}`, "--log-level", "warn"] };
  // A loader session keeps the owner process (and its receiver) up while the data goes in.
  const loader = await startSession(server, undefined, cwd);
  try {
    // The receiver binds once the store is open, just after initialize: wait for it.
    for (let tries = 0; ; tries++) {
      const up = await fetch(`http://127.0.0.1:${port}/v1/traces`, { method: "GET" }).then(() => true, () => false);
      if (up) break;
      if (tries > 200) throw new Error(`the local store's receiver never listened on 127.0.0.1:${port}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    for (let i = 0; i < dataset.length; i += 100) {
      const body = JSON.stringify({ resourceSpans: dataset.slice(i, i + 100).flatMap(toResourceSpans) });
      const res = await fetch(`http://127.0.0.1:${port}/v1/traces`, { method: "POST", headers: { "content-type": "application/json" }, body });
      if (!res.ok) throw new Error(`local store receiver answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
    }
    // Every trace must be readable before anything is timed.
    // (counted by an aggregate: a 1,000-trace listing is cut to the response budget)
    const check = await loader.call("aggregate_traces", { level: "trace", metrics: ["count"], start_time: "7d" });
    const count = (JSON.parse(check.text) as { groups?: Array<{ count?: number }> }).groups?.[0]?.count;
    if (count !== dataset.length) throw new Error(`local store counts ${count} traces after loading ${dataset.length}: ${check.text.slice(0, 300)}`);
  } finally {
    await loader.close();
  }
  return { server, cleanup: () => rmSync(dataDir, { recursive: true, force: true }) };
}

// ---------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------

const table = (head: string[], rows: Array<Array<string | number>>): string =>
  [`| ${head.join(" | ")} |`, `|${head.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");

function toolTable(rows: ToolRow[], a: string, b: string): string {
  return table(
    ["backend", "tool", `${a} ms`, `${b} ms`, `${b} / ${a} time`, `${a} first call ms`, `${b} first call ms`, `${a} bytes`, `${b} bytes`, `${b} / ${a} bytes`, `${a} requests`, `${b} requests`],
    rows.map((r) => {
      const x = r.results[a]!;
      const y = r.results[b]!;
      const cell = (v: { medianMs: number; error?: string }): string => (v.error ? `error` : v.medianMs.toFixed(0));
      return [
        r.backend,
        r.tool,
        cell(x),
        cell(y),
        x.error || y.error ? "n/a" : ratio(y.medianMs, x.medianMs),
        x.firstMs.toFixed(0),
        y.firstMs.toFixed(0),
        x.bytes,
        y.bytes,
        x.error || y.error ? "n/a" : ratio(y.bytes, x.bytes),
        x.requests,
        y.requests,
      ];
    }),
  );
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  if (!existsSync(CLI)) throw new Error(`bench:versus: ${CLI} is missing; run npm run build first`);
  const cwd = mkdtempSync(join(tmpdir(), "otel-mcp-versus-"));
  const notes: string[] = [];
  const bin = opts.python ? pythonOriginal() : undefined;
  if (!bin) notes.push(opts.python ? `The original (${ORIGINAL}) could not be installed from PyPI; only this server was measured.` : "The original was skipped (--no-python).");
  const dataset = benchDataset(opts.traces);
  const cold = new Map<string, Map<string, ColdStartResult>>();
  const rows: ToolRow[] = [];
  const localRows: ToolRow[] = [];
  try {
    for (const backend of BACKENDS) {
      const world: RunningWorld = backend === "jaeger" ? await jaegerWorld().start(dataset) : await tempoWorld().start(dataset);
      // One proxy per server, so each server's requests are counted apart.
      const proxies = new Map<string, LatencyProxy>();
      try {
        for (const label of ["this server", "original 0.2.2"]) proxies.set(label, await startLatencyProxy(world.url, opts.latencyMs, { cache: true }));
        const servers = [ours(backend, proxies.get("this server")!.url), ...(bin ? [original(bin, backend, proxies.get("original 0.2.2")!.url)] : [])];
        log(`${backend}: cold start (${opts.coldRuns} runs each)`);
        const candidates: Candidate[] = servers.map((s) => ({ label: s.label, command: s.command, args: s.args, mode: "initialize" }));
        cold.set(backend, await coldStarts(candidates, opts.coldRuns));
        if (servers.length > 1) {
          log(`${backend}: tools, ${opts.traces} traces, ${opts.runs} calls each`);
          rows.push(...(await measureTools(backend, servers.map((server) => ({ server })), (l) => proxies.get(l), dataset, opts.runs, cwd)));
        }
        if (backend === "jaeger") {
          if ((BACKEND_KINDS as readonly string[]).includes("local")) {
            log("local store: loading the dataset through its OTLP receiver");
            const local = await localStoreServer(dataset, cwd);
            try {
              const jaegerServer = { ...ours(backend, proxies.get("this server")!.url), label: "jaeger" };
              localRows.push(...(await measureTools("jaeger vs local", [{ server: jaegerServer }, { server: local.server }], (l) => (l === "jaeger" ? proxies.get("this server") : undefined), dataset, opts.runs, cwd)));
            } finally {
              local.cleanup();
            }
          } else {
            notes.push("This build has no `--backend local` yet: the Jaeger vs local store comparison was skipped.");
          }
        }
      } finally {
        for (const p of proxies.values()) await p.close();
        await world.close();
      }
    }
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }

  const coldRows = [...cold].flatMap(([backend, results]) => {
    const mine = results.get("this server");
    const theirs = results.get("original 0.2.2");
    return [[backend, mine?.medianMs.toFixed(0) ?? "n/a", theirs?.medianMs.toFixed(0) ?? "n/a", ratio(theirs?.medianMs, mine?.medianMs), mine?.cpuMedianMs?.toFixed(0) ?? "n/a", theirs?.cpuMedianMs?.toFixed(0) ?? "n/a"]];
  });
  const md = [
    `## This server vs the Python original (${ORIGINAL}) (${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? "?"}; ${opts.traces} traces; ${opts.latencyMs} ms per backend request; median of ${opts.runs} calls)`,
    "",
    `### Cold start: spawn until the initialize answer (median of ${opts.coldRuns})`,
    "",
    table(["backend", "this server ms", "original ms", "original / this", "this server main-thread CPU ms", "original main-thread CPU ms"], coldRows),
    "",
    "### Tools both servers have (same arguments, same data; one server process each, calls in a row)",
    "",
    "Median of the calls in a row (this server's trace cache counts, as it does in use), the first call (cold cache), answer bytes and the backend requests of the last call. `error` is an answer with isError or an error object (e.g. the original matches get_llm_model_stats' model_name against the responding model only and finds nothing here).",
    "",
    rows.length > 0 ? toolTable(rows, "this server", "original 0.2.2") : "(not measured)",
    "",
    "### Jaeger backend vs the local store (this server, same data)",
    "",
    localRows.length > 0 ? toolTable(localRows, "jaeger", "local store") : "(not measured)",
    "",
    ...(notes.length > 0 ? ["Notes:", "", ...notes.map((n) => `- ${n}`), ""] : []),
  ].join("\n");
  process.stdout.write(md);
  const out = join(ROOT, "bench", "versus-results.json");
  writeFileSync(out, JSON.stringify({ options: opts, coldStart: Object.fromEntries([...cold].map(([b, r]) => [b, Object.fromEntries(r)])), tools: rows, local: localRows, notes }, null, 2) + "\n");
  log(`wrote ${out}`);
}

await main();
