/**
 * Creates the Collector clickhouseexporter's tables (the DDL recorded in
 * test/fixtures/clickhouse/) and loads domain traces into them as the exporter writes rows, all
 * through @clickhouse/client, as a user's Collector would against a real server.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ClickHouseClient } from "@clickhouse/client";
import type { Trace } from "../../src/domain/trace.js";
import { toExporterRows, type ExporterRowOptions } from "./clickhouse-exporter-rows.js";

export const EXPORTER_DDL_DIR = join(dirname(fileURLToPath(import.meta.url)), "../fixtures/clickhouse");

/** The two `otel_traces` variants the exporter renders: bloom filters, or text indexes on 26.2+. */
export type ExporterIndexVariant = "bloom-filter" | "text-index";

/** The exporter's choice (createTraceTables: proto.CheckMinVersion(versionFullTextSearch = 26.2, server)). */
export function exporterIndexVariant(serverVersion: string): ExporterIndexVariant {
  const [major = 0, minor = 0] = serverVersion.split(".").map(Number);
  return major > 26 || (major === 26 && minor >= 2) ? "text-index" : "bloom-filter";
}

/**
 * The exporter's DDL in the order it runs it (database, otel_traces, the trace-id lookup table,
 * its materialized view), for database `database` (the fixtures are rendered for "otel").
 */
export function exporterDdl(variant: ExporterIndexVariant, database = "otel"): string[] {
  const files = ["00_database.sql", variant === "text-index" ? "otel_traces.text-index.sql" : "otel_traces.sql", "otel_traces_trace_id_ts.sql", "otel_traces_trace_id_ts_mv.sql"];
  return files.map((f) => {
    const sql = readFileSync(join(EXPORTER_DDL_DIR, f), "utf8");
    if (database === "otel") return sql;
    if (!/^[A-Za-z0-9_]+$/.test(database)) throw new Error(`database name ${JSON.stringify(database)}: letters, digits and _ only`);
    return sql.replaceAll("`otel`.", `\`${database}\`.`).replace('CREATE DATABASE IF NOT EXISTS "otel"', `CREATE DATABASE IF NOT EXISTS "${database}"`);
  });
}

/** Runs the exporter's DDL; the variant defaults to the one the exporter picks for the server's version. */
export async function applyExporterSchema(
  client: ClickHouseClient,
  options: { variant?: ExporterIndexVariant; database?: string } = {},
): Promise<{ variant: ExporterIndexVariant; serverVersion: string }> {
  const rs = await client.query({ query: "SELECT version() AS v", format: "JSONEachRow" });
  const serverVersion = ((await rs.json()) as Array<{ v: string }>)[0]!.v;
  const variant = options.variant ?? exporterIndexVariant(serverVersion);
  for (const statement of exporterDdl(variant, options.database)) await client.command({ query: statement });
  return { variant, serverVersion };
}

export interface LoadOptions extends ExporterRowOptions {
  database?: string;
  /** Rows per INSERT (the exporter sends one batch per export call). Default: all in one. */
  batchSize?: number;
}

/**
 * Inserts the traces' spans into `<database>.otel_traces` with `insert({ format: 'JSONEachRow' })`;
 * the materialized view fills otel_traces_trace_id_ts. Returns the span rows sent and the rows
 * the server reports written (spans plus the view's rows).
 */
export async function loadTraces(client: ClickHouseClient, traces: readonly Trace[], options: LoadOptions = {}): Promise<{ spans: number; writtenRows: number }> {
  const rows = toExporterRows(traces, options);
  const table = `${options.database ?? "otel"}.otel_traces`;
  const size = options.batchSize ?? Math.max(rows.length, 1);
  let writtenRows = 0;
  for (let i = 0; i < rows.length; i += size) {
    const res = await client.insert({ table, values: rows.slice(i, i + size), format: "JSONEachRow" });
    writtenRows += Number(res.summary?.written_rows ?? 0);
  }
  return { spans: rows.length, writtenRows };
}
