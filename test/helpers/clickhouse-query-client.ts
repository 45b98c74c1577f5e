/**
 * Sketch of the query side the ClickHouse backend will need, kept in test/helpers until the
 * adapter exists: every query is read-only, bounded (max_execution_time, max_result_rows with
 * result_overflow_mode=throw) and parameterized (values travel as `param_*`, never in the SQL).
 */
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from "@clickhouse/client";

export interface ClickHouseQueryClientOptions {
  url: string;
  username?: string;
  password?: string;
  database?: string;
  /** Server-side limit per query, seconds (default 10). */
  maxExecutionTimeSec?: number;
  /** Rows a result may have before the server fails the query (default 100 000). */
  maxResultRows?: number;
  /** Client-side limit per HTTP request, ms (default 15 000). */
  requestTimeoutMs?: number;
}

export interface ClickHouseQueryClient {
  /** Runs a SELECT with `{name:Type}` placeholders bound from `params`; rows as JSONEachRow objects. */
  select<T>(sql: string, params?: Record<string, unknown>): Promise<T[]>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
  /** The underlying client (for DDL and inserts in tests). */
  raw: ClickHouseClient;
}

export function createClickHouseQueryClient(options: ClickHouseQueryClientOptions): ClickHouseQueryClient {
  const raw = createClient({
    url: options.url,
    username: options.username ?? "default",
    password: options.password ?? "",
    database: options.database ?? "otel",
    request_timeout: options.requestTimeoutMs ?? 15_000,
    // Failures reach the caller as errors; the client's own console logging would only duplicate them.
    log: { level: ClickHouseLogLevel.OFF },
  });
  const settings = {
    readonly: "1",
    max_execution_time: options.maxExecutionTimeSec ?? 10,
    max_result_rows: String(options.maxResultRows ?? 100_000),
    result_overflow_mode: "throw",
    // 64-bit integers as JSON strings on every server version (25.8 stopped quoting them by
    // default), so UInt64 counts and nanosecond times never lose precision in JSON.parse.
    output_format_json_quote_64bit_integers: 1,
  } as const;
  return {
    raw,
    async select<T>(sql: string, params: Record<string, unknown> = {}): Promise<T[]> {
      const rs = await raw.query({ query: sql, query_params: params, format: "JSONEachRow", clickhouse_settings: settings });
      return rs.json<T>();
    },
    async ping() {
      return (await raw.ping()).success;
    },
    close: () => raw.close(),
  };
}
