/**
 * `node --import tsx bench/store.ts [--spans 200000,1000000] [--keep] [--store '<options JSON>']`: the embedded store's
 * figures. Ingest through append() with 4 concurrent writers in batches of 512 spans (as SDK
 * exporters send them); LLM group-bys (count, token sums, p50/p95/p99 by model) and other
 * aggregations over every span; trace lookup, service listing and filtered searches; restart time
 * to the first answer in a fresh process; peak RSS. A benchmark, not a test: it prints figures and
 * asserts nothing. The spans come from bench/store-data.ts (deterministic).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { topologyOf } from "../src/analytics/topology.js";
import { silentLogger } from "../src/logger.js";
import { openStore, type LocalStore } from "../src/store/index.js";
import { BenchSpans } from "./store-data.js";
import { measureStoreProcess } from "./store-rss.js";

const argv = process.argv.slice(2);
const sizes = (argv.includes("--spans") ? argv[argv.indexOf("--spans") + 1]! : "200000,1000000").split(",").map(Number);
const keep = argv.includes("--keep");
/** Extra store options as JSON, e.g. --store '{"memoryLimit":"160MB"}'. */
const storeOptions = argv.includes("--store") ? (JSON.parse(argv[argv.indexOf("--store") + 1]!) as Record<string, unknown>) : {};
const BATCH = 512;
const WRITERS = 4;
const END_MS = Date.now();
const SPREAD_MS = 6 * 3_600_000;
const FIRST_CALL = fileURLToPath(new URL("./store-first-call.ts", import.meta.url));

let peakRss = 0;
let phasePeak = 0;
setInterval(() => {
  const rss = process.memoryUsage().rss;
  peakRss = Math.max(peakRss, rss);
  phasePeak = Math.max(phasePeak, rss);
}, 10).unref();
const mb = (b: number): string => `${Math.round(b / 1e6)} MB`;

const rows: Array<[string, string]> = [];
function report(name: string, value: string): void {
  rows.push([name, value]);
  process.stderr.write(`${name}: ${value}\n`);
}

async function timeIt(runs: number, fn: () => Promise<unknown>): Promise<{ median: number; min: number }> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)]!, min: times[0]! };
}
const fmt = (t: { median: number; min: number }): string => `${t.median.toFixed(1)} ms (min ${t.min.toFixed(1)})`;

const LLM_BY_MODEL = `
  SELECT coalesce(LlmModel, 'unknown') AS model, count(*) AS calls, count_if(StatusCode = 'Error') AS errors,
         sum(LlmInputTokens) AS input_tokens, sum(LlmOutputTokens) AS output_tokens, sum(LlmTotalTokens) AS total_tokens,
         quantile_cont(Duration / 1e6, 0.5) AS p50, quantile_cont(Duration / 1e6, 0.95) AS p95, quantile_cont(Duration / 1e6, 0.99) AS p99
  FROM otel_traces WHERE LlmProvider IS NOT NULL GROUP BY 1 ORDER BY calls DESC`;

/** The same answer computed from the attribute map, without the derived columns. */
const LLM_BY_MODEL_FROM_MAP = `
  SELECT coalesce(nullif(SpanAttributes['gen_ai.response.model'], ''), SpanAttributes['gen_ai.request.model'], 'unknown') AS model,
         count(*) AS calls, count_if(StatusCode = 'Error') AS errors,
         sum(TRY_CAST(SpanAttributes['gen_ai.usage.prompt_tokens'] AS BIGINT)) AS input_tokens,
         sum(TRY_CAST(SpanAttributes['gen_ai.usage.completion_tokens'] AS BIGINT)) AS output_tokens,
         sum(TRY_CAST(SpanAttributes['gen_ai.usage.total_tokens'] AS BIGINT)) AS total_tokens,
         quantile_cont(Duration / 1e6, 0.5) AS p50, quantile_cont(Duration / 1e6, 0.95) AS p95, quantile_cont(Duration / 1e6, 0.99) AS p99
  FROM otel_traces WHERE SpanAttributes['gen_ai.system'] IS NOT NULL OR SpanAttributes['gen_ai.provider.name'] IS NOT NULL GROUP BY 1 ORDER BY calls DESC`;

const MODEL_STATS = `
  SELECT count(*) AS n, count_if(StatusCode = 'Error') AS errors, avg(Duration / 1e6) AS mean,
         quantile_cont(Duration / 1e6, [0.5, 0.95, 0.99]) AS duration_q, quantile_cont(LlmTotalTokens, [0.5, 0.95, 0.99]) AS tokens_q
  FROM otel_traces WHERE LlmProvider IS NOT NULL AND (LlmRequestModel = $m OR LlmResponseModel = $m)`;

const BY_SERVICE_OPERATION = `
  SELECT ServiceName, SpanName, count(*) AS n, quantile_cont(Duration / 1e6, 0.95) AS p95, count_if(StatusCode = 'Error') AS errors
  FROM otel_traces GROUP BY 1, 2 ORDER BY n DESC`;

const BY_ATTRIBUTE = `
  SELECT SpanAttributes['user.id'] AS user_id, count(*) AS calls, sum(LlmTotalTokens) AS tokens
  FROM otel_traces WHERE LlmProvider IS NOT NULL GROUP BY 1 ORDER BY tokens DESC LIMIT 20`;

const TOP_TRACES = `
  SELECT TraceId, sum(LlmTotalTokens) AS tokens FROM otel_traces GROUP BY 1 ORDER BY tokens DESC NULLS LAST LIMIT 20`;

async function ingest(store: LocalStore, gen: BenchSpans, count: number, ids: string[]): Promise<{ seconds: number; cpuUsPerSpan: number }> {
  let remaining = count;
  const t = performance.now();
  const cpu = process.cpuUsage();
  await Promise.all(
    Array.from({ length: WRITERS }, async () => {
      while (remaining > 0) {
        remaining -= BATCH;
        const batch = gen.next(BATCH);
        if (ids.length < 200 && Math.random() < 0.05) ids.push(batch[0]!.traceId);
        await store.append(batch);
      }
    }),
  );
  const used = process.cpuUsage(cpu);
  return { seconds: (performance.now() - t) / 1000, cpuUsPerSpan: (used.user + used.system) / count };
}

async function queries(store: LocalStore, label: string, ids: string[]): Promise<void> {
  const llm = await store.query<{ calls: number }>(LLM_BY_MODEL);
  const llmSpans = llm.reduce((n, r) => n + r.calls, 0);
  report(`${label}: LLM usage by model (count, tokens, p50/p95/p99), ${llmSpans} LLM spans`, fmt(await timeIt(5, () => store.query(LLM_BY_MODEL))));
  report(`${label}: same from the attribute map (no derived columns)`, fmt(await timeIt(3, () => store.query(LLM_BY_MODEL_FROM_MAP))));
  report(`${label}: one model's stats (get_llm_model_stats)`, fmt(await timeIt(5, () => store.query(MODEL_STATS, { m: "gpt-4o" }))));
  report(`${label}: p95 by service x operation, all spans`, fmt(await timeIt(5, () => store.query(BY_SERVICE_OPERATION))));
  report(`${label}: tokens by a map attribute (user.id)`, fmt(await timeIt(5, () => store.query(BY_ATTRIBUTE))));
  report(`${label}: top 20 traces by tokens`, fmt(await timeIt(5, () => store.query(TOP_TRACES))));
  let i = 0;
  report(`${label}: getTrace`, fmt(await timeIt(20, () => store.getTrace(ids[i++ % ids.length]!))));
  report(`${label}: listServices`, fmt(await timeIt(10, () => store.listServices())));
  report(`${label}: getServiceOperations`, fmt(await timeIt(10, () => store.getServiceOperations("agent"))));
  const lastHour = { startMs: END_MS - 3_600_000, endMs: END_MS };
  const filters = [
    { field: "service.name", operator: "equals" as const, value: "agent", valueType: "string" as const },
    { field: "gen_ai.request.model", operator: "equals" as const, value: "gpt-4o", valueType: "string" as const },
  ];
  report(`${label}: searchTraces, last hour, 2 filters, limit 20`, fmt(await timeIt(5, () => store.searchTraces({ ...lastHour, filters, limit: 20 }))));
  const all = { startMs: END_MS - SPREAD_MS - 1, endMs: END_MS };
  report(`${label}: searchTraces, whole store, 2 filters, limit 20`, fmt(await timeIt(3, () => store.searchTraces({ ...all, filters, limit: 20 }))));
  // get_service_topology: pushed down (every trace, one SQL statement) vs the fetch path it replaces
  // (the window's newest traces up to the default --max-traces 1000, folded by the kernel; incomplete).
  const edges = await store.serviceEdges({ ...all, minCallCount: 1 });
  report(`${label}: service topology in SQL (get_service_topology pushed down), ${edges.traces} traces, ${edges.edges.length} edges`, fmt(await timeIt(5, () => store.serviceEdges({ ...all, minCallCount: 1 }))));
  report(`${label}: service topology by the fetch path, 1000 traces (the --max-traces default; incomplete)`, fmt(await timeIt(3, async () => topologyOf((await store.searchTraces({ ...all, filters: [], limit: 1000 })).traces))));
  if (edges.traces <= 5_000) {
    report(`${label}: service topology by the fetch path, all ${edges.traces} traces`, fmt(await timeIt(1, async () => topologyOf((await store.searchTraces({ ...all, filters: [], limit: edges.traces })).traces))));
  }
  report(`${label}: searchSpans, whole store, duration > 3 s, limit 100`, fmt(await timeIt(5, () => store.searchSpans({ ...all, filters: [{ field: "duration", operator: "gt", value: 3000, valueType: "number" }], limit: 100 }))));
}

function firstCall(dir: string): string {
  const out = spawnSync(process.execPath, ["--import", "tsx", FIRST_CALL, dir], { encoding: "utf8" });
  if (out.status !== 0) return `failed: ${out.stderr.slice(0, 300)}`;
  const r = JSON.parse(out.stdout) as { sinceStartMs: number; openMs: number; firstCallMs: number; role: string };
  return `${r.sinceStartMs.toFixed(0)} ms from process start (open ${r.openMs.toFixed(0)} ms + first searchTraces ${r.firstCallMs.toFixed(0)} ms, as ${r.role})`;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "otel-store-bench-"));
  const total = Math.max(...sizes);
  const gen = new BenchSpans(1, total, END_MS, SPREAD_MS);
  const ids: string[] = [];
  const opts = { dataDir: dir, retentionMs: 30 * 24 * 3_600_000, maxBytes: 100 * 1024 ** 3, logger: silentLogger(), ...storeOptions };
  const idleDir = mkdtempSync(join(tmpdir(), "otel-store-idle-"));
  const idle = await openStore({ ...opts, dataDir: idleDir });
  report("RSS with an empty store open (node + tsx + DuckDB, the floor of every figure below)", mb(process.memoryUsage().rss));
  await idle.close();
  rmSync(idleDir, { recursive: true, force: true });
  const genProbe = new BenchSpans(2, total, END_MS, SPREAD_MS);
  const g = performance.now();
  for (let i = 0; i < 20; i++) genProbe.next(BATCH);
  report("generating spans alone (part of every ingest figure)", `${Math.round((20 * BATCH) / ((performance.now() - g) / 1000))} spans/s`);

  let stored = 0;
  for (const size of sizes) {
    phasePeak = 0;
    const store = await openStore(opts);
    const { seconds, cpuUsPerSpan } = await ingest(store, gen, size - stored, ids);
    report(
      `${size}: ingest ${size - stored} spans, ${WRITERS} writers x ${BATCH}`,
      `${Math.round((size - stored) / seconds)} spans/s (${seconds.toFixed(1)} s; ${cpuUsPerSpan.toFixed(0)} µs CPU per span incl. generating it, rolls and compaction)`,
    );
    stored = size;
    await queries(store, `${size} (WAL + segments, as ingested)`, ids);
    const c = performance.now();
    await store.checkpoint();
    report(`${size}: checkpoint (roll the WAL, compact)`, `${((performance.now() - c) / 1000).toFixed(1)} s`);
    const stats = await store.stats();
    report(`${size}: on disk`, `${mb(stats.bytes)} in ${stats.segments} segments (${(stats.bytes / stats.spans).toFixed(0)} B/span)`);
    await queries(store, `${size} (segments)`, ids);
    report(`${size}: peak RSS during ingest + queries`, mb(phasePeak));
    await store.close();
    report(`${size}: restart to first answer`, firstCall(dir));
  }
  report("peak RSS overall (this benchmark process: tsx, the span generator and the store)", mb(peakRss));
  for (const size of sizes) {
    const rss = await measureStoreProcess(size, END_MS, SPREAD_MS, [LLM_BY_MODEL, BY_SERVICE_OPERATION, BY_ATTRIBUTE, TOP_TRACES]);
    report(
      `store process alone (bundled, no tsx), ${size} spans appended over HTTP then queried`,
      `peak RSS ${rss.peakMb ?? "?"} MB (${rss.idleMb ?? "?"} MB at start, ${rss.ingestPeakMb ?? "?"} MB by the end of ingest), ${rss.ingestSpansPerSec} spans/s through HTTP + JSON`,
    );
  }
  report("machine", `${cpus().length} CPUs, load average ${loadavg().map((l) => l.toFixed(1)).join(" ")} at the end, node ${process.version}`);
  if (!keep) rmSync(dir, { recursive: true, force: true });
  else report("data kept in", dir);
  process.stdout.write(`\n| measurement | result |\n|---|---|\n${rows.map(([k, v]) => `| ${k} | ${v} |`).join("\n")}\n`);
}

await main();
