/**
 * `npm run bench`: cold start, tools/list size, per-tool latency / backend cost / result size on
 * simulated Jaeger and Tempo backends, and peak RSS of the built CLI. A benchmark, not a test:
 * it prints a markdown table and writes bench/results.json; nothing here asserts.
 *
 * Simulators: the test worlds (test/helpers/jaeger-world.ts, tempo-world.ts) serve a generated
 * LLM-trace dataset on 127.0.0.1; a proxy (bench/proxy.ts) in front adds per-request latency and
 * counts requests and bytes, and (unless --no-proxy-cache) answers repeated identical GETs from
 * memory so the simulator's own CPU does not compete with the server under test (see proxy.ts;
 * the first of the N runs of a call reaches the world, the median is of warm simulator runs).
 * The server under test is `node dist/cli.js` over stdio, driven by the SDK client, exactly as an
 * MCP host runs it. Its trace cache is what it is: Jaeger searches return complete traces and
 * re-query every time; Tempo searches list ids and fetch each trace, every time.
 *
 * Dataset: generateDataset with 24 filler spans (about 30 spans per trace), one trace a minute,
 * ending an hour before now so every trace lies inside both backends' default windows (Jaeger 2
 * days, Tempo 24 h) and is old enough to be cached. Jaeger requires a service for searches, so
 * every root service is renamed to `chat-api` and all calls pass service_name "chat-api" on both
 * backends: the same traces answer the same queries everywhere.
 *
 * Options (after `npm run bench --`): --latency <ms> (default 5), --runs <n> per tool (default 5),
 * --cold-runs <n> (default 15), --traces 100,1000, --no-tsc (skip the unbundled comparison),
 * --no-proxy-cache, --backends jaeger,tempo, --session-only (just the ten-search RSS session).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { ListToolsResultSchema } from "@modelcontextprotocol/sdk/types.js";
import { assembleTrace, type Trace } from "../src/domain/trace.js";
import { generateDataset, SERVICES } from "../test/helpers/dataset.js";
import { jaegerWorld } from "../test/helpers/jaeger-world.js";
import { tempoWorld } from "../test/helpers/tempo-world.js";
import type { RunningWorld } from "../test/helpers/backend-world.js";
import { cliCandidate, coldStarts, FLOOR, type Candidate, type ColdStartResult } from "./coldstart.js";
import { startLatencyProxy, type LatencyProxy } from "./proxy.js";
import { pythonIndent2 } from "./pyjson.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const CLI = join(ROOT, "dist", "cli.js");
const SERVICE = "chat-api";
const MODEL = "gpt-4o";
const BACKENDS = ["jaeger", "tempo"] as const;
type BackendName = (typeof BACKENDS)[number];

interface Options {
  latencyMs: number;
  runs: number;
  coldRuns: number;
  traces: number[];
  compareTsc: boolean;
  proxyCache: boolean;
  backends: BackendName[];
  /** Only the search session (peak RSS), skipping cold start and the per-tool rows. */
  sessionOnly: boolean;
}

function parseOptions(argv: string[]): Options {
  const opts: Options = { latencyMs: 5, runs: 5, coldRuns: 15, traces: [100, 1000], compareTsc: true, proxyCache: true, backends: [...BACKENDS], sessionOnly: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = (): number => {
      const n = Number(argv[++i]);
      if (!Number.isFinite(n) || n < 0) throw new Error(`bench: ${flag} needs a number >= 0`);
      return n;
    };
    if (flag === "--latency") opts.latencyMs = value();
    else if (flag === "--runs") opts.runs = Math.max(1, Math.round(value()));
    else if (flag === "--cold-runs") opts.coldRuns = Math.max(1, Math.round(value()));
    else if (flag === "--traces") opts.traces = (argv[++i] ?? "").split(",").map(Number).filter((n) => n > 0);
    else if (flag === "--no-tsc") opts.compareTsc = false;
    else if (flag === "--no-proxy-cache") opts.proxyCache = false;
    else if (flag === "--backends") opts.backends = (argv[++i] ?? "").split(",").filter((b): b is BackendName => (BACKENDS as readonly string[]).includes(b));
    else if (flag === "--session-only") opts.sessionOnly = true;
    else throw new Error(`bench: unknown option ${flag}`);
  }
  return opts;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round1 = (n: number): number => Math.round(n * 10) / 10;
const log = (msg: string): void => void process.stderr.write(`bench: ${msg}\n`);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The generated dataset with every root service renamed to SERVICE (see the header). */
function benchDataset(traces: number): Trace[] {
  const spacingMs = 60_000;
  const startMs = Date.now() - 3_600_000 - traces * spacingMs;
  const roots = new Set<string>(SERVICES);
  return generateDataset({ seed: 42, traces, startMs, fillerSpans: 24 }).map((t) => {
    const spans = t.spans.map((s) => (roots.has(s.serviceName) ? { ...s, serviceName: SERVICE } : s));
    return assembleTrace(t.traceId, spans)!;
  });
}

// ---------------------------------------------------------------------------------------------
// One server process over stdio
// ---------------------------------------------------------------------------------------------

interface CallResult {
  ms: number;
  requests: number;
  backendBytes: number;
  resultBytes: number;
  text: string;
  paths: Record<string, number>;
}

interface Session {
  pid: number;
  client: Client;
  call(name: string, args: Record<string, unknown>): Promise<CallResult>;
  peakRssMb(): number;
  close(): Promise<void>;
}

async function startSession(backend: BackendName, proxy: LatencyProxy, cwd: string, extraArgs: string[] = []): Promise<Session> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI, "--backend", backend, "--url", proxy.url, "--log-level", "warn", ...extraArgs],
    // An empty directory: no stray .env changes what is measured. The SDK passes a minimal environment.
    cwd,
    stderr: "pipe",
  });
  let stderr = "";
  transport.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  const client = new Client({ name: "bench", version: "0" });
  await client.connect(transport);
  const pid = transport.pid;
  if (!pid) throw new Error("bench: no server pid");

  return {
    pid,
    client,
    async call(name, args) {
      await proxy.idle();
      proxy.reset();
      const started = performance.now();
      const res = (await client.callTool({ name, arguments: args }, undefined, { timeout: 600_000 })) as {
        isError?: boolean;
        content: Array<{ type: string; text?: string }>;
      };
      const ms = performance.now() - started;
      // Background requests started by the call (none expected) still belong to it.
      await proxy.idle();
      const text = res.content[0]?.text ?? "";
      if (res.isError) throw new Error(`bench: ${name} on ${backend} failed: ${text}\n${stderr.slice(-2000)}`);
      const c = proxy.counters();
      return {
        ms,
        requests: c.requests,
        backendBytes: c.bytes,
        resultBytes: Buffer.byteLength(text),
        text,
        paths: Object.fromEntries(c.paths),
      };
    },
    peakRssMb() {
      const status = readFileSync(`/proc/${pid}/status`, "utf8");
      const kb = Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1]);
      return round1(kb / 1024);
    },
    async close() {
      await client.close();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Measurements
// ---------------------------------------------------------------------------------------------

interface ToolRow {
  backend: BackendName;
  traces: number;
  tool: string;
  medianMs: number;
  minMs: number;
  maxMs: number;
  requests: number;
  backendBytes: number;
  resultBytes: number;
  runs: number;
  /** Requests of one call by endpoint. */
  paths: Record<string, number>;
}

function summarise(backend: BackendName, traces: number, tool: string, calls: CallResult[]): ToolRow {
  const ms = calls.map((c) => c.ms);
  const last = calls[calls.length - 1]!;
  return {
    backend,
    traces,
    tool,
    medianMs: round1(median(ms)),
    minMs: round1(Math.min(...ms)),
    maxMs: round1(Math.max(...ms)),
    requests: median(calls.map((c) => c.requests)),
    backendBytes: median(calls.map((c) => c.backendBytes)),
    resultBytes: median(calls.map((c) => c.resultBytes)),
    runs: calls.length,
    paths: last.paths,
  };
}

async function repeat(n: number, fn: (i: number) => Promise<CallResult>): Promise<CallResult[]> {
  const out: CallResult[] = [];
  for (let i = 0; i < n; i++) out.push(await fn(i));
  return out;
}

interface SizeRow {
  backend: BackendName;
  traces: number;
  /** Default text: compact JSON of the same object as structuredContent. */
  compactBytes: number;
  /** Text with --compress-responses (lists as {columns, rows}). */
  columnarBytes: number;
  /** The original's rendering of the default object: json.dumps(indent=2). */
  pythonIndent2Bytes: number;
  savingPct: number;
  columnarSavingPct: number;
}

interface RssRow {
  backend: BackendName;
  traces: number;
  spans: number;
  /** VmHWM right after the first get_llm_usage (the first call that reads every trace). */
  afterFirstFullReadMb: number;
  /** VmHWM at the end of the whole session (all calls, N runs each). */
  peakRssMb: number;
}

interface BackendRun {
  tools: ToolRow[];
  size?: SizeRow;
  rss: RssRow;
  toolsListBytes: number;
  searchSession?: SearchSessionRow;
}

/** A fresh server doing nothing but ten searches that each read every trace (issue 15's memory target). */
interface SearchSessionRow {
  backend: BackendName;
  traces: number;
  searches: number;
  peakRssMb: number;
  medianMs: number;
}

const SESSION_SEARCHES = 10;

async function searchSession(backend: BackendName, proxy: LatencyProxy, cwd: string, traces: number): Promise<SearchSessionRow> {
  const session = await startSession(backend, proxy, cwd);
  try {
    await session.call("list_services", {});
    const calls = await repeat(SESSION_SEARCHES, () => session.call("get_llm_usage", { service_name: SERVICE, limit: 1000 }));
    return { backend, traces, searches: SESSION_SEARCHES, peakRssMb: session.peakRssMb(), medianMs: round1(median(calls.map((c) => c.ms))) };
  } finally {
    await session.close();
  }
}

async function benchBackend(backend: BackendName, dataset: Trace[], opts: Options, cwd: string): Promise<BackendRun> {
  const world: RunningWorld = backend === "jaeger" ? await jaegerWorld().start(dataset) : await tempoWorld().start(dataset);
  const proxy = await startLatencyProxy(world.url, opts.latencyMs, { cache: opts.proxyCache });
  if (opts.sessionOnly) {
    try {
      const searchSessionRow = await searchSession(backend, proxy, cwd, dataset.length);
      const none: RssRow = { backend, traces: dataset.length, spans: 0, afterFirstFullReadMb: 0, peakRssMb: 0 };
      return { tools: [], rss: none, toolsListBytes: 0, searchSession: searchSessionRow };
    } finally {
      await proxy.close();
      await world.close();
    }
  }
  const session = await startSession(backend, proxy, cwd);
  const n = dataset.length;
  const rows: ToolRow[] = [];
  try {
    const list = await session.client.request({ method: "tools/list", params: {} }, ListToolsResultSchema);
    const toolsListBytes = Buffer.byteLength(JSON.stringify(list));

    // Creates the backend (and its background health check) outside every measured call.
    await session.call("list_services", {});
    await proxy.idle();
    await sleep(50);

    // get_trace first, while the trace cache is empty: each run asks for a different trace.
    const ids = dataset.slice(0, opts.runs).map((t) => t.traceId);
    const cold = await repeat(ids.length, (i) => session.call("get_trace", { trace_id: ids[i] }));
    rows.push(summarise(backend, n, "get_trace (cold)", cold));
    const cached = await repeat(ids.length, (i) => session.call("get_trace", { trace_id: ids[i] }));
    rows.push(summarise(backend, n, "get_trace (cached)", cached));

    const search = await repeat(opts.runs, () => session.call("search_traces", { service_name: SERVICE }));
    rows.push(summarise(backend, n, "search_traces", search));
    const found = JSON.parse(search[0]!.text) as { count: number };
    if (found.count !== Math.min(100, n)) throw new Error(`bench: search_traces on ${backend} found ${found.count} traces, expected ${Math.min(100, n)}`);

    let afterFirstFullReadMb = 0;
    const usage = await repeat(opts.runs, async (i) => {
      const r = await session.call("get_llm_usage", { service_name: SERVICE });
      if (i === 0) afterFirstFullReadMb = session.peakRssMb();
      return r;
    });
    rows.push(summarise(backend, n, "get_llm_usage", usage));
    const usageJson = JSON.parse(usage[0]!.text) as { summary: { total_requests: number }; notes?: string[] };
    if (!(usageJson.summary.total_requests >= n)) {
      throw new Error(`bench: get_llm_usage on ${backend} counted ${usageJson.summary.total_requests} LLM calls over ${n} traces`);
    }

    // Cold: a fresh server each run, so every trace is fetched (the target is about this case).
    const coldStats = await repeat(opts.runs, async () => {
      const fresh = await startSession(backend, proxy, cwd);
      try {
        await fresh.call("list_services", {});
        return await fresh.call("get_llm_model_stats", { model_name: MODEL, service_name: SERVICE });
      } finally {
        await fresh.close();
      }
    });
    rows.push(summarise(backend, n, "get_llm_model_stats (cold)", coldStats));
    const stats = await repeat(opts.runs, () => session.call("get_llm_model_stats", { model_name: MODEL, service_name: SERVICE }));
    rows.push(summarise(backend, n, "get_llm_model_stats (warm)", stats));

    const expensive = await repeat(opts.runs, () => session.call("get_llm_expensive_traces", { service_name: SERVICE }));
    rows.push(summarise(backend, n, "get_llm_expensive_traces", expensive));

    const rss: RssRow = {
      backend,
      traces: n,
      spans: dataset.reduce((k, t) => k + t.spans.length, 0),
      afterFirstFullReadMb,
      peakRssMb: session.peakRssMb(),
    };
    const sessionRow = await searchSession(backend, proxy, cwd, n);

    // The same search from a server started with --compress-responses (opt-in columnar text).
    const text = search[0]!.text;
    const compressed = await startSession(backend, proxy, cwd, ["--compress-responses"]);
    let columnarText: string;
    try {
      columnarText = (await compressed.call("search_traces", { service_name: SERVICE })).text;
    } finally {
      await compressed.close();
    }
    const compactBytes = Buffer.byteLength(text);
    const columnarBytes = Buffer.byteLength(columnarText);
    const pythonIndent2Bytes = Buffer.byteLength(pythonIndent2(JSON.parse(text)));
    const size: SizeRow = {
      backend,
      traces: n,
      compactBytes,
      columnarBytes,
      pythonIndent2Bytes,
      savingPct: round1((1 - compactBytes / pythonIndent2Bytes) * 100),
      columnarSavingPct: round1((1 - columnarBytes / pythonIndent2Bytes) * 100),
    };
    return { tools: rows, size, rss, toolsListBytes, searchSession: sessionRow };
  } finally {
    await session.close();
    await proxy.close();
    await world.close();
  }
}

/**
 * The bench measures the shipped bundle. `npm test` rebuilds dist/ with plain tsc
 * (test/global-setup.ts), so a test run in the same tree, during or before the bench, would
 * silently swap in the unbundled build: refuse to report numbers for the wrong binary.
 */
function assertBundle(when: string): void {
  const head = readFileSync(CLI, "utf8").slice(0, 400);
  if (!head.includes("createRequire as __cr")) {
    throw new Error(`bench: ${CLI} is not the esbuild bundle ${when} (was dist/ rebuilt by tsc, e.g. by npm test?); run npm run build and the bench again`);
  }
}

/** The same sources compiled by plain tsc (no bundle), for the cold-start comparison. */
function buildUnbundled(): string {
  const outDir = join(ROOT, ".cache", "bench-tsc-dist");
  rmSync(outDir, { recursive: true, force: true });
  const tsc = join(dirname(createRequire(import.meta.url).resolve("typescript/package.json")), "bin", "tsc");
  execFileSync(process.execPath, [tsc, "-p", "tsconfig.json", "--outDir", outDir], { cwd: ROOT, stdio: "inherit" });
  // src/bin.ts is the executable (src/cli.ts only exports the command line).
  return join(outDir, "bin.js");
}

// ---------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------

const kb = (bytes: number): string => (bytes >= 10_240 ? `${(bytes / 1024).toFixed(0)} kB` : `${bytes} B`);

function table(head: string[], rows: Array<Array<string | number>>): string {
  return [`| ${head.join(" | ")} |`, `|${head.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  const cwd = mkdtempSync(join(tmpdir(), "otel-mcp-bench-"));
  try {
    assertBundle("before the run");
    log(`cold start (${opts.coldRuns} runs each, after a warm-up)`);
    const candidates: Candidate[] = [FLOOR, cliCandidate(CLI, "node dist/cli.js (esbuild bundle)")];
    if (opts.compareTsc) candidates.push(cliCandidate(buildUnbundled(), "node <tsc output>/bin.js (unbundled)"));
    const cold = opts.sessionOnly ? new Map<string, ColdStartResult>() : await coldStarts(candidates, opts.coldRuns);

    const runs: BackendRun[] = [];
    for (const n of opts.traces) {
      const dataset = benchDataset(n);
      for (const backend of opts.backends) {
        log(`${backend}, ${n} traces (${dataset.reduce((k, t) => k + t.spans.length, 0)} spans), ${opts.latencyMs} ms per request`);
        runs.push(await benchBackend(backend, dataset, opts, cwd));
      }
    }

    assertBundle("after the run");
    const tools = runs.flatMap((r) => r.tools);
    const sizes = runs.flatMap((r) => (r.size && r.size.traces === 100 ? [r.size] : []));
    const rss = runs.filter((r) => r.tools.length > 0).map((r) => r.rss);
    const sessions = runs.flatMap((r) => (r.searchSession ? [r.searchSession] : []));
    const jaegerSession = sessions.find((r) => r.backend === "jaeger" && r.traces === 1000);
    const toolsListBytes = runs[0]?.toolsListBytes ?? 0;
    const bundle = cold.get("node dist/cli.js (esbuild bundle)");
    const stats1000 = tools.find((t) => t.backend === "tempo" && t.traces === 1000 && t.tool === "get_llm_model_stats (cold)");
    const maxRss = rss.filter((r) => r.traces === 1000);
    const peak = maxRss.length > 0 ? Math.max(...maxRss.map((r) => r.peakRssMb)) : undefined;
    const worstSaving = sizes.length > 0 ? Math.min(...sizes.map((s) => s.savingPct)) : undefined;
    const worstColumnar = sizes.length > 0 ? Math.min(...sizes.map((s) => s.columnarSavingPct)) : undefined;
    const targets = [
      bundle && { target: "cold start median <= 150 ms", measured: `${bundle.medianMs.toFixed(0)} ms`, met: bundle.medianMs <= 150 },
      stats1000 && {
        target: "get_llm_model_stats, 1,000 traces, Tempo, cold cache, <= 400 ms and <= 5 backend requests",
        measured: `${stats1000.medianMs.toFixed(0)} ms, ${stats1000.requests} requests`,
        met: stats1000.medianMs <= 400 && stats1000.requests <= 5,
      },
      jaegerSession && {
        target: `peak RSS over ten 1,000-trace Jaeger searches <= 200 MB`,
        measured: `${jaegerSession.peakRssMb} MB`,
        met: jaegerSession.peakRssMb <= 200,
      },
      peak !== undefined && { target: "peak RSS at 1,000 x 30 spans <= 200 MB (whole session)", measured: `${peak} MB`, met: peak <= 200 },
      worstSaving !== undefined && { target: "search_traces (100 traces) >= 35% smaller than indent=2: default text", measured: `${worstSaving}%`, met: worstSaving >= 35 },
      worstColumnar !== undefined && {
        target: "search_traces (100 traces) >= 35% smaller than indent=2: --compress-responses",
        measured: `${worstColumnar}%`,
        met: worstColumnar >= 35,
      },
    ].filter((t): t is { target: string; measured: string; met: boolean } => Boolean(t));

    const env = {
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      cpus: `${cpus().length} x ${cpus()[0]?.model ?? "?"}`,
      memoryGb: round1(totalmem() / 2 ** 30),
      date: new Date().toISOString(),
    };
    const coldRows = [...cold].map(([label, r]: [string, ColdStartResult]) => [
      label,
      r.medianMs.toFixed(0),
      `${r.minMs.toFixed(0)}–${r.maxMs.toFixed(0)}`,
      r.cpuMedianMs === undefined ? "n/a" : r.cpuMedianMs.toFixed(0),
    ]);
    const md = [
      `## Benchmark (${env.node}, ${env.cpus}; backend latency ${opts.latencyMs} ms per request; median of ${opts.runs} calls)`,
      "",
      `### Cold start: spawn until the initialize answer (median of ${opts.coldRuns}, after a warm-up)`,
      "",
      table(["command", "median ms", "min–max ms", "main-thread CPU ms"], coldRows),
      "",
      `tools/list result: ${toolsListBytes} bytes (~${Math.round(toolsListBytes / 4)} tokens at 4 chars/token)`,
      "",
      "### Tool calls",
      "",
      table(
        ["backend", "traces", "tool", "median ms", "min–max ms", "backend requests", "backend bytes", "result bytes"],
        tools.map((t) => [t.backend, t.traces, t.tool, t.medianMs.toFixed(0), `${t.minMs.toFixed(0)}–${t.maxMs.toFixed(0)}`, t.requests, kb(t.backendBytes), t.resultBytes]),
      ),
      "",
      "### search_traces text vs the original's json.dumps(indent=2) of the same keys (100 traces)",
      "",
      table(
        ["backend", "original indent=2 bytes", "default text bytes", "smaller by", "--compress-responses bytes", "smaller by"],
        sizes.map((s) => [s.backend, s.pythonIndent2Bytes, s.compactBytes, `${s.savingPct}%`, s.columnarBytes, `${s.columnarSavingPct}%`]),
      ),
      "",
      "### Peak RSS of the server process (VmHWM)",
      "",
      table(
        ["backend", "traces", "spans", "after the first full read (get_llm_usage) MB", "after the whole session MB"],
        rss.map((r) => [r.backend, r.traces, r.spans, r.afterFirstFullReadMb, r.peakRssMb]),
      ),
      "",
      `### A session of ${SESSION_SEARCHES} searches reading every trace (get_llm_usage, fresh server; VmHWM)`,
      "",
      table(
        ["backend", "traces", "searches", "peak RSS MB", "median ms per search"],
        sessions.map((r) => [r.backend, r.traces, r.searches, r.peakRssMb, r.medianMs.toFixed(0)]),
      ),
      "",
      "### Targets",
      "",
      table(["target", "measured", "met"], targets.map((t) => [t.target, t.measured, t.met ? "yes" : "NO"])),
      "",
    ].join("\n");
    process.stdout.write(md);

    const out = join(ROOT, "bench", "results.json");
    writeFileSync(
      out,
      JSON.stringify(
        { env, options: opts, coldStart: Object.fromEntries(cold), toolsListBytes, tools, searchTracesSize: sizes, peakRss: rss, searchSessions: sessions, targets },
        null,
        2,
      ) + "\n",
    );
    log(`wrote ${out}`);
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}

await main();
