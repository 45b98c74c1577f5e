/**
 * `node --import tsx bench/store-tools.ts [--spans 200000,1000000] [--runs 3]`: every tool the way an
 * assistant calls it, on the local store. Fills a store with the deterministic bench spans
 * (bench/store-data.ts, 10 spans a trace over 6 hours), checkpoints it (segments, as a store looks
 * after its first hour), then starts the built server (`node dist/cli.js --backend local
 * --otlp-listen none`, over stdio, driven by the SDK client, as an MCP host runs it) and times each
 * tool call: the first call and the median of the next `runs`. It reports each answer's coverage,
 * so a figure over a capped sample is never read as one over the whole store. A benchmark, not a
 * test: nothing here asserts. Run `npm run build` first.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { silentLogger } from "../src/logger.js";
import { openStore } from "../src/store/index.js";
import { BenchSpans } from "./store-data.js";

const argv = process.argv.slice(2);
const arg = (name: string, fallback: string): string => (argv.includes(name) ? argv[argv.indexOf(name) + 1]! : fallback);
const sizes = arg("--spans", "200000,1000000").split(",").map(Number);
const runs = Number(arg("--runs", "3"));
const CLI = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
const END_MS = Date.now() - 60_000;
const SPREAD_MS = 6 * 3_600_000;
const WINDOW = { start_time: new Date(END_MS - SPREAD_MS - 60_000).toISOString(), end_time: new Date(END_MS + 60_000).toISOString() };

async function fill(dir: string, spans: number): Promise<string> {
  const store = await openStore({ dataDir: dir, retentionMs: 30 * 86_400_000, maxBytes: 100 * 1024 ** 3, logger: silentLogger() });
  const gen = new BenchSpans(1, spans, END_MS, SPREAD_MS);
  let traceId = "";
  for (let n = 0; n < spans; n += 512) {
    const batch = gen.next(512);
    if (!traceId) traceId = batch[0]!.traceId;
    await store.append(batch);
  }
  await store.checkpoint();
  await store.close();
  return traceId;
}

interface Row {
  tool: string;
  firstMs: number;
  medianMs: number;
  coverage: string;
  bytes: number;
}

async function timeTools(dir: string, traceId: string): Promise<Row[]> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI, "--backend", "local", "--data-dir", dir, "--otlp-listen", "none", "--log-level", "warn"],
    stderr: "pipe",
  });
  const client = new Client({ name: "bench", version: "0" });
  await client.connect(transport);
  const calls: Array<[string, string, Record<string, unknown>]> = [
    ["list_services", "list_services", {}],
    ["search_traces", "search_traces (service + model filter, limit 20)", { ...WINDOW, service_name: "agent", filters: [{ field: "gen_ai.request.model", operator: "equals", value: "gpt-4o" }], limit: 20 }],
    ["find_errors", "find_errors (limit 20)", { ...WINDOW, limit: 20 }],
    ["get_trace", "get_trace", { trace_id: traceId }],
    ["analyze_trace", "analyze_trace", { trace_id: traceId }],
    ["get_llm_usage", "get_llm_usage", WINDOW],
    ["list_llm_models", "list_llm_models", WINDOW],
    ["get_llm_model_stats", "get_llm_model_stats (gpt-4o)", { ...WINDOW, model_name: "gpt-4o" }],
    ["get_llm_expensive_traces", "get_llm_expensive_traces (limit 10)", { ...WINDOW, limit: 10 }],
    ["get_llm_slow_traces", "get_llm_slow_traces (limit 10)", { ...WINDOW, limit: 10 }],
    ["aggregate_traces", "aggregate_traces: p50/p95/error rate by service x operation (spans)", { ...WINDOW, group_by: ["service.name", "operation_name"], metrics: ["count", "error_rate", "p50_duration_ms", "p95_duration_ms"] }],
    ["aggregate_traces", "aggregate_traces: tokens and cost_usd by model", { ...WINDOW, group_by: ["model"], metrics: ["count", "input_tokens", "output_tokens", "cost_usd"] }],
    ["aggregate_traces", "aggregate_traces: traces by root service, hourly", { ...WINDOW, level: "trace", group_by: ["service.name"], metrics: ["count", "p95_duration_ms"], interval: "1h" }],
    ["analyze_errors", "analyze_errors", WINDOW],
    ["get_service_topology", "get_service_topology", WINDOW],
    ["list_llm_tools", "list_llm_tools", WINDOW],
    ["list_sessions", "list_sessions", WINDOW],
  ];
  const rows: Row[] = [];
  try {
    for (const [tool, label, args] of calls) {
      const times: number[] = [];
      let text = "";
      for (let i = 0; i <= runs; i++) {
        const t = performance.now();
        const res = (await client.callTool({ name: tool, arguments: args }, undefined, { timeout: 600_000 })) as { isError?: boolean; content: Array<{ text?: string }> };
        times.push(performance.now() - t);
        text = res.content[0]?.text ?? "";
        if (res.isError) throw new Error(`${label}: ${text.slice(0, 300)}`);
      }
      const [first, ...rest] = times;
      rest.sort((a, b) => a - b);
      const json = JSON.parse(text) as { coverage?: { traces?: number; spans?: number; complete?: boolean } };
      const c = json.coverage;
      const coverage = c ? `${c.complete ? "complete" : "INCOMPLETE"}: ${c.traces ?? "?"} traces, ${c.spans ?? "?"} spans` : "n/a";
      rows.push({ tool, firstMs: first!, medianMs: rest[Math.floor(rest.length / 2)] ?? first!, coverage, bytes: Buffer.byteLength(text) });
      process.stderr.write(`  ${label}: ${first!.toFixed(0)} ms first, ${rows.at(-1)!.medianMs.toFixed(0)} ms median (${coverage})\n`);
      rows.at(-1)!.tool = label;
    }
  } finally {
    await client.close();
  }
  return rows;
}

const out: string[] = [];
for (const spans of sizes) {
  const dir = mkdtempSync(join(tmpdir(), "otel-store-tools-"));
  try {
    process.stderr.write(`bench:store-tools: filling a store with ${spans} spans\n`);
    const traceId = await fill(dir, spans);
    const rows = await timeTools(dir, traceId);
    out.push(`\n#### ${spans.toLocaleString("en-US")} spans (${(spans / 10).toLocaleString("en-US")} traces), local store, ${runs} runs after the first\n`);
    out.push("| tool call | first ms | median ms | coverage | answer bytes |", "|---|---|---|---|---|");
    for (const r of rows) out.push(`| ${r.tool} | ${r.firstMs.toFixed(0)} | ${r.medianMs.toFixed(0)} | ${r.coverage} | ${r.bytes} |`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
out.push(`\n${cpus().length} CPUs, load average ${loadavg().map((l) => l.toFixed(1)).join(" ")} at the end, node ${process.version}`);
process.stdout.write(`${out.join("\n")}\n`);
