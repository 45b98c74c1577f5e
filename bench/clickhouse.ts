/**
 * `npm run bench:clickhouse` (after `--`: --traces 100,1000 --filler 24 --runs 5): what the
 * ClickHouse test stack costs. A real engine (chDB) behind the loopback shim, driven by
 * @clickhouse/client: shim start, the exporter's DDL, loading generated traces as the exporter
 * writes them, and the median latency of the queries a ClickHouse backend runs. Then the LLM tools
 * and analyze_errors through the MCP server on the ClickHouse backend, pushed down (llmCalls /
 * projectedSpans: one SQL statement) against the fetch path they took before (the same backend
 * with those two methods hidden: projected trace / span searches capped at --max-traces), with
 * the statements each sent and whether the answer covered the window. A benchmark, not a test: it
 * prints markdown tables and asserts nothing.
 */
import { createClient } from "@clickhouse/client";
import { ClickHouseBackend } from "../src/backends/clickhouse/clickhouse-backend.js";
import type { TraceBackend } from "../src/backends/trace-backend.js";
import { silentLogger } from "../src/logger.js";
import { connect } from "../test/helpers/mcp.js";
import { DATASET_START_MS, generateDataset } from "../test/helpers/dataset.js";
import { applyExporterSchema, loadTraces } from "../test/helpers/clickhouse-loader.js";
import { createClickHouseQueryClient } from "../test/helpers/clickhouse-query-client.js";
import { startClickHouseShim, type RunningClickHouseShim } from "../test/helpers/clickhouse-shim.js";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

const sizes = arg("traces", "100,1000").split(",").map(Number);
const filler = Number(arg("filler", "24"));
const runs = Number(arg("runs", "5"));

const QUERIES: Array<{ name: string; sql: string; params: (ids: string[]) => Record<string, unknown> }> = [
  {
    name: "list services (window)",
    sql: "SELECT ServiceName, count() AS spans FROM otel_traces WHERE Timestamp >= {from:DateTime64(3)} AND Timestamp < {to:DateTime64(3)} GROUP BY ServiceName",
    params: () => ({ from: new Date(DATASET_START_MS), to: new Date(DATASET_START_MS + 24 * 3600_000) }),
  },
  {
    name: "get trace (lookup + spans)",
    sql:
      "SELECT * FROM otel_traces WHERE TraceId = {id:String} AND Timestamp BETWEEN " +
      "(SELECT toDateTime64(min(Start) - 1, 9) FROM otel_traces_trace_id_ts WHERE TraceId = {id:String}) AND " +
      "(SELECT toDateTime64(max(End) + 1, 9) FROM otel_traces_trace_id_ts WHERE TraceId = {id:String})",
    params: (ids) => ({ id: ids[Math.floor(ids.length / 2)] }),
  },
  {
    name: "error traces (both spellings)",
    sql: "SELECT uniqExact(TraceId) AS n FROM otel_traces WHERE StatusCode IN {codes:Array(String)}",
    params: () => ({ codes: ["Error", "STATUS_CODE_ERROR"] }),
  },
  {
    name: "p50/p95/p99 by service",
    sql: "SELECT ServiceName, quantilesExactInclusive(0.5, 0.95, 0.99)(Duration) AS q FROM otel_traces GROUP BY ServiceName",
    params: () => ({}),
  },
  {
    name: "tokens by model",
    sql:
      "SELECT coalesce(nullIf(SpanAttributes['gen_ai.response.model'], ''), SpanAttributes['gen_ai.request.model']) AS model, " +
      "sum(toUInt64OrZero(SpanAttributes['gen_ai.usage.prompt_tokens'])) AS prompt, count() AS calls FROM otel_traces " +
      "WHERE mapContains(SpanAttributes, 'gen_ai.system') GROUP BY model",
    params: () => ({}),
  },
  {
    name: "search traces (service, top 20)",
    sql:
      "SELECT TraceId, argMin(SpanName, Timestamp) AS root, count() AS spans FROM otel_traces " +
      "WHERE TraceId IN (SELECT TraceId FROM otel_traces WHERE ServiceName = {service:String}) GROUP BY TraceId ORDER BY min(Timestamp) DESC LIMIT 20",
    params: () => ({ service: "travel-agent" }),
  },
];

/** The tools whose ClickHouse path llmCalls / projectedSpans push down, with the arguments benched. */
const TOOLS: Array<{ name: string; tool: string; args: Record<string, unknown> }> = [
  { name: "get_llm_usage", tool: "get_llm_usage", args: {} },
  { name: "list_llm_models", tool: "list_llm_models", args: {} },
  { name: "get_llm_model_stats", tool: "get_llm_model_stats", args: { model_name: "gpt-4o" } },
  { name: "analyze_errors", tool: "analyze_errors", args: {} },
];

interface ToolFigure {
  ms: number;
  statements: number;
  complete: boolean;
  /** coverage.spans: the calls (or error spans) the answer was computed from. */
  spans: number;
}

/** The backend as it was before the pushdown: the same adapter without llmCalls / llmUsage / projectedSpans. */
function fetchPath(backend: ClickHouseBackend): TraceBackend {
  return Object.assign(Object.create(backend) as TraceBackend, { llmCalls: undefined, llmUsage: undefined, llmCost: undefined, projectedSpans: undefined });
}

async function benchTool(shim: RunningClickHouseShim, pushed: boolean, tool: string, args: Record<string, unknown>, n: number): Promise<ToolFigure> {
  const now = DATASET_START_MS + n * 60_000 + 3_600_000;
  const window = { start_time: new Date(DATASET_START_MS - 3_600_000).toISOString(), end_time: new Date(now).toISOString() };
  const samples: number[] = [];
  let statements = 0;
  let complete = true;
  let spans = 0;
  for (let r = 0; r < runs; r++) {
    // A fresh server per run: the fetch path would otherwise answer from its trace cache.
    const backend = new ClickHouseBackend({ url: shim.url, timeoutMs: 60_000, headers: {}, environments: [], fetchConcurrency: 8, logger: silentLogger(), now: () => now });
    const mcp = await connect({ flags: { backend: "clickhouse", url: shim.url }, backendFactory: async () => (pushed ? backend : fetchPath(backend)), now: () => now });
    try {
      await mcp.call("list_services", {});
      const before = backend.queryCount;
      const t0 = performance.now();
      const res = await mcp.call(tool, { ...window, ...args });
      samples.push(ms(t0));
      if (res.isError) throw new Error(`${tool}: ${res.text}`);
      statements = backend.queryCount - before;
      const coverage = res.json.coverage as { complete?: boolean; spans?: number } | undefined;
      complete = coverage?.complete ?? true;
      spans = coverage?.spans ?? 0;
    } finally {
      await mcp.close();
    }
  }
  return { ms: median(samples), statements, complete, spans };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (t0: number) => Math.round((performance.now() - t0) * 10) / 10;

async function main(): Promise<void> {
  let t0 = performance.now();
  const shim = await startClickHouseShim();
  const startMs = ms(t0);
  const writer = createClient({ url: shim.url });
  const reader = createClickHouseQueryClient({ url: shim.url, database: "otel" });
  const toolLines = [
    "",
    "LLM tools and analyze_errors on the ClickHouse backend (median ms; statements sent; calls or error spans the answer covers; * = incomplete, capped at --max-traces):",
    "",
    `| traces | spans | ${TOOLS.map((t) => `${t.name} before | ${t.name} after`).join(" | ")} |`,
    `|${" --- |".repeat(2 + 2 * TOOLS.length)}`,
  ];
  const lines = [`chDB shim (ClickHouse ${shim.engineVersion}) start: ${startMs} ms`, "", `| traces | spans | DDL ms | load ms | spans/s | ${QUERIES.map((q) => `${q.name} ms`).join(" | ")} |`];
  lines.push(`|${" --- |".repeat(5 + QUERIES.length)}`);
  try {
    for (const n of sizes) {
      await writer.command({ query: "DROP DATABASE IF EXISTS otel SYNC" });
      t0 = performance.now();
      await applyExporterSchema(writer);
      const ddlMs = ms(t0);
      const traces = generateDataset({ traces: n, fillerSpans: filler });
      t0 = performance.now();
      const { spans } = await loadTraces(writer, traces, { batchSize: 10_000 });
      const loadMs = ms(t0);
      const ids = traces.map((t) => t.traceId);
      const latencies: number[] = [];
      for (const q of QUERIES) {
        const samples: number[] = [];
        for (let r = 0; r < runs; r++) {
          t0 = performance.now();
          await reader.select(q.sql, q.params(ids));
          samples.push(ms(t0));
        }
        latencies.push(median(samples));
      }
      lines.push(`| ${n} | ${spans} | ${ddlMs} | ${loadMs} | ${Math.round(spans / (loadMs / 1000))} | ${latencies.join(" | ")} |`);
      const cells: string[] = [];
      for (const t of TOOLS) {
        for (const pushed of [false, true]) {
          const f = await benchTool(shim, pushed, t.tool, t.args, n);
          cells.push(`${f.ms} (${f.statements} q, ${f.spans})${f.complete ? "" : " *"}`);
        }
      }
      toolLines.push(`| ${n} | ${spans} | ${cells.join(" | ")} |`);
    }
  } finally {
    await reader.close();
    await writer.close();
    await shim.close();
  }
  process.stdout.write(`${[...lines, ...toolLines].join("\n")}\n`);
}

await main();
