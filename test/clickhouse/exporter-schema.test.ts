/**
 * The Collector exporter's DDL (test/fixtures/clickhouse/) runs unchanged on the real engine and
 * yields the schema the exporter documents; the materialized view fills the trace-id lookup.
 */
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from "@clickhouse/client";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createSpan, assembleTrace } from "../../src/domain/trace.js";
import { applyExporterSchema, exporterIndexVariant, loadTraces } from "../helpers/clickhouse-loader.js";
import { startClickHouseShim, type RunningClickHouseShim } from "../helpers/clickhouse-shim.js";

let shim: RunningClickHouseShim;
let client: ClickHouseClient;

beforeAll(async () => {
  shim = await startClickHouseShim({ chdbDir: inject("chdbDir") });
  client = createClient({ url: shim.url, log: { level: ClickHouseLogLevel.OFF } });
});
afterAll(async () => {
  await client?.close();
  await shim?.close();
});

async function rows<T>(query: string, query_params: Record<string, unknown> = {}): Promise<T[]> {
  return (await client.query({ query, query_params, format: "JSONEachRow" })).json<T>();
}

describe("the exporter's choice of index variant", () => {
  it.each([
    ["26.7.2.1", "text-index"],
    ["26.2.1.1", "text-index"],
    ["27.1.1.1", "text-index"],
    ["26.1.9.1", "bloom-filter"],
    ["25.8.3.1", "bloom-filter"],
    ["24.3.12.75", "bloom-filter"],
  ])("ClickHouse %s -> %s (versionFullTextSearch = 26.2)", (version, variant) => {
    expect(exporterIndexVariant(version)).toBe(variant);
  });
});

describe("exporter DDL on ClickHouse (chDB)", () => {
  it("creates database otel with otel_traces, otel_traces_trace_id_ts and its materialized view", async () => {
    const { variant, serverVersion } = await applyExporterSchema(client);
    expect(serverVersion).toBe(shim.engineVersion);
    expect(variant).toBe("text-index");
    expect(await rows("SELECT name, engine FROM system.tables WHERE database = {db:String} ORDER BY name", { db: "otel" })).toEqual([
      { name: "otel_traces", engine: "MergeTree" },
      { name: "otel_traces_trace_id_ts", engine: "AggregatingMergeTree" },
      { name: "otel_traces_trace_id_ts_mv", engine: "MaterializedView" },
    ]);
  });

  it("has the exporter's columns, types, keys and indexes", async () => {
    const columns = await rows<{ name: string; type: string; default_kind: string }>(
      "SELECT name, type, default_kind FROM system.columns WHERE database = 'otel' AND table = 'otel_traces' ORDER BY position",
    );
    expect(columns.map((c) => [c.name, c.type, c.default_kind])).toEqual([
      ["Timestamp", "DateTime64(9)", ""],
      ["TraceId", "String", ""],
      ["SpanId", "String", ""],
      ["ParentSpanId", "String", ""],
      ["TraceState", "String", ""],
      ["SpanName", "LowCardinality(String)", ""],
      ["SpanKind", "LowCardinality(String)", ""],
      ["ServiceName", "LowCardinality(String)", ""],
      ["ResourceAttributes", "Map(LowCardinality(String), String)", ""],
      ["ScopeName", "String", ""],
      ["ScopeVersion", "String", ""],
      ["SpanAttributes", "Map(LowCardinality(String), String)", ""],
      ["Duration", "UInt64", ""],
      ["StatusCode", "LowCardinality(String)", ""],
      ["StatusMessage", "String", ""],
      ["Events.Timestamp", "Array(DateTime64(9))", ""],
      ["Events.Name", "Array(LowCardinality(String))", ""],
      ["Events.Attributes", "Array(Map(LowCardinality(String), String))", ""],
      ["Links.TraceId", "Array(String)", ""],
      ["Links.SpanId", "Array(String)", ""],
      ["Links.TraceState", "Array(String)", ""],
      ["Links.Attributes", "Array(Map(LowCardinality(String), String))", ""],
      ["ResourceAttributeItems", "Array(String)", "ALIAS"],
      ["SpanAttributeItems", "Array(String)", "ALIAS"],
    ]);
    expect(await rows("SELECT partition_key, sorting_key, primary_key FROM system.tables WHERE database = 'otel' AND name = 'otel_traces'")).toEqual([
      {
        partition_key: "toDate(Timestamp)",
        sorting_key: "ServiceName, SpanName, toDateTime(Timestamp), Timestamp",
        primary_key: "ServiceName, SpanName, toDateTime(Timestamp)",
      },
    ]);
    expect(await rows("SELECT name, type FROM system.data_skipping_indices WHERE database = 'otel' AND table = 'otel_traces' ORDER BY name")).toEqual([
      { name: "idx_duration", type: "minmax" },
      { name: "idx_lower_span_name", type: "tokenbf_v1" },
      { name: "idx_res_attr_items", type: "text" },
      { name: "idx_res_attr_key", type: "text" },
      { name: "idx_span_attr_items", type: "text" },
      { name: "idx_span_attr_key", type: "text" },
      { name: "idx_trace_id", type: "text" },
    ]);
    const lookup = await rows<{ name: string; type: string }>("SELECT name, type FROM system.columns WHERE database = 'otel' AND table = 'otel_traces_trace_id_ts' ORDER BY position");
    expect(lookup).toEqual([
      { name: "TraceId", type: "String" },
      { name: "Start", type: "SimpleAggregateFunction(min, DateTime)" },
      { name: "End", type: "SimpleAggregateFunction(max, DateTime)" },
    ]);
  });

  it("re-running the DDL is harmless (IF NOT EXISTS everywhere, as the exporter restarts)", async () => {
    await expect(applyExporterSchema(client)).resolves.toMatchObject({ variant: "text-index" });
  });

  it("the bloom-filter variant (servers before 26.2) creates too", async () => {
    await applyExporterSchema(client, { variant: "bloom-filter", database: "otel_bloom" });
    const indexes = await rows<{ name: string; type: string }>("SELECT name, type FROM system.data_skipping_indices WHERE database = 'otel_bloom' AND table = 'otel_traces' ORDER BY name");
    expect(indexes.filter((i) => i.type === "bloom_filter").map((i) => i.name)).toEqual([
      "idx_res_attr_key",
      "idx_res_attr_value",
      "idx_span_attr_key",
      "idx_span_attr_value",
      "idx_trace_id",
    ]);
  });

  it("fills otel_traces_trace_id_ts through the view on insert, at second precision", async () => {
    const traceId = "5b8efff798038103d269b633813fc60c";
    const startUs = Date.UTC(2025, 10, 13, 12, 0, 0) * 1000 + 250_000;
    const spans = [0, 3_600_000, 7_900_000].map((offsetUs, i) =>
      createSpan({ traceId, spanId: `00000000000000a${i}`, parentSpanId: i ? "00000000000000a0" : null, operationName: `op${i}`, serviceName: "svc", startTimeUs: startUs + offsetUs, durationMs: 5 }),
    );
    // Two inserts, as two export batches: the lookup then holds two partial rows for the trace.
    const first = await loadTraces(client, [assembleTrace(traceId, spans.slice(0, 2))!]);
    await loadTraces(client, [assembleTrace(traceId, spans.slice(2))!]);
    expect(first).toEqual({ spans: 2, writtenRows: 3 });
    const lookup = await rows<{ rows: number; start: number; end: number }>(
      "SELECT count() AS rows, toUnixTimestamp(min(Start)) AS start, toUnixTimestamp(max(End)) AS end FROM otel.otel_traces_trace_id_ts WHERE TraceId = {id:String}",
      { id: traceId },
    );
    expect(lookup).toEqual([{ rows: 2, start: Math.floor(startUs / 1e6), end: Math.floor((startUs + 7_900_000) / 1e6) }]);
  });
});
