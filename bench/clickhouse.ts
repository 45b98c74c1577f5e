/**
 * `npm run bench:clickhouse` (after `--`: --traces 100,1000 --filler 24 --runs 5): what the
 * ClickHouse test stack costs. A real engine (chDB) behind the loopback shim, driven by
 * @clickhouse/client: shim start, the exporter's DDL, loading generated traces as the exporter
 * writes them, and the median latency of the queries a ClickHouse backend runs. A benchmark, not
 * a test: it prints a markdown table and asserts nothing.
 */
import { createClient } from "@clickhouse/client";
import { DATASET_START_MS, generateDataset } from "../test/helpers/dataset.js";
import { applyExporterSchema, loadTraces } from "../test/helpers/clickhouse-loader.js";
import { createClickHouseQueryClient } from "../test/helpers/clickhouse-query-client.js";
import { startClickHouseShim } from "../test/helpers/clickhouse-shim.js";

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

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (t0: number) => Math.round((performance.now() - t0) * 10) / 10;

async function main(): Promise<void> {
  let t0 = performance.now();
  const shim = await startClickHouseShim();
  const startMs = ms(t0);
  const writer = createClient({ url: shim.url });
  const reader = createClickHouseQueryClient({ url: shim.url, database: "otel" });
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
    }
  } finally {
    await reader.close();
    await writer.close();
    await shim.close();
  }
  process.stdout.write(`${lines.join("\n")}\n`);
}

await main();
