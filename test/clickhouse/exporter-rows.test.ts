/**
 * The loader's rows are the exporter's rows: every expectation here is written from the Go
 * sources (pcommon.Value.AsString, encoding/json, ptrace String(), traceutil.*Str), not from the
 * code under test.
 */
import { describe, expect, it } from "vitest";
import { createSpan } from "../../src/domain/trace.js";
import { attributeValueAsString, spanKindColumn, statusCodeColumn, toExporterRow, toExporterRows, unixSeconds } from "../helpers/clickhouse-exporter-rows.js";
import { generateDataset } from "../helpers/dataset.js";

describe("attribute values as pcommon.Value.AsString renders them", () => {
  it.each([
    ["a string, verbatim", "gpt-4o", "gpt-4o"],
    ["an int, decimal", 1024, "1024"],
    ["a double", 0.7, "0.7"],
    ["an integral double, like an int", 3, "3"],
    ["a large double in exponent form (>= 1e21)", 1e21, "1e+21"],
    ["a small double in exponent form (< 1e-6), Go's e-07 cleaned to e-7", 1.5e-7, "1.5e-7"],
    ["negative zero keeps its sign", -0, "-0"],
    ["NaN as Go's error text", Number.NaN, "json: unsupported value: NaN"],
    ["+Inf as Go's error text", Number.POSITIVE_INFINITY, "json: unsupported value: +Inf"],
    ["true", true, "true"],
    ["false", false, "false"],
    ["an empty value", null, ""],
    ["a string slice as JSON", ["stop"], '["stop"]'],
    ["a mixed slice", [1, 2.5, true, null, "x"], '[1,2.5,true,null,"x"]'],
    ["a map as JSON with keys sorted", { b: 1, a: "x", c: [1] }, '{"a":"x","b":1,"c":[1]}'],
    ["HTML-safe escaping in JSON strings", ["<a&b>"], '["\\u003ca\\u0026b\\u003e"]'],
    ["control characters in JSON strings", ["a\nb\tc\u0001\u2028"], '["a\\nb\\tc\\u0001\\u2028"]'],
    ["a slice holding NaN fails json.Marshal, so AsString is empty", [Number.NaN], ""],
  ])("%s", (_label, value, expected) => {
    expect(attributeValueAsString(value)).toBe(expected);
  });
});

describe("span kind and status spellings", () => {
  it("current exporter: ptrace String()", () => {
    expect(spanKindColumn("SERVER")).toBe("Server");
    expect(spanKindColumn("CLIENT")).toBe("Client");
    expect(spanKindColumn(undefined)).toBe("Unspecified");
    expect(statusCodeColumn("ERROR")).toBe("Error");
    expect(statusCodeColumn("OK")).toBe("Ok");
    expect(statusCodeColumn("UNSET")).toBe("Unset");
  });
  it("legacy exporter: traceutil.SpanKindStr / StatusCodeStr", () => {
    expect(spanKindColumn("SERVER", "legacy")).toBe("SPAN_KIND_SERVER");
    expect(spanKindColumn(undefined, "legacy")).toBe("SPAN_KIND_UNSPECIFIED");
    expect(statusCodeColumn("ERROR", "legacy")).toBe("STATUS_CODE_ERROR");
    expect(statusCodeColumn("UNSET", "legacy")).toBe("STATUS_CODE_UNSET");
  });
});

describe("rows", () => {
  const span = createSpan({
    traceId: "0af7651916cd43dd8448eb211c80319c",
    spanId: "b7ad6b7169203331",
    parentSpanId: "00f067aa0ba902b7",
    operationName: "openai.chat",
    serviceName: "chat-api",
    startTimeUs: 1_763_035_200_123_456,
    durationMs: 1234.567,
    status: "ERROR",
    statusMessage: "rate limited",
    kind: "CLIENT",
    attributes: { "gen_ai.usage.prompt_tokens": 12, "gen_ai.response.finish_reasons": ["stop"], "llm.is_streaming": false },
    resourceAttributes: { "deployment.environment": "prod" },
    scope: { name: "opentelemetry.instrumentation.openai", version: "0.40.0" },
    traceState: "vendor=1",
    events: [{ name: "exception", timestamp: 1_763_035_200_500_000, attributes: { "exception.type": "RateLimitError" } }],
    links: [{ traceId: "11111111111111111111111111111111", spanId: "2222222222222222", attributes: { n: 1 } }],
  });

  it("map one span to the exporter's columns", () => {
    expect(toExporterRow(span)).toEqual({
      Timestamp: "1763035200.123456000",
      TraceId: "0af7651916cd43dd8448eb211c80319c",
      SpanId: "b7ad6b7169203331",
      ParentSpanId: "00f067aa0ba902b7",
      TraceState: "vendor=1",
      SpanName: "openai.chat",
      SpanKind: "Client",
      ServiceName: "chat-api",
      ResourceAttributes: { "service.name": "chat-api", "deployment.environment": "prod" },
      ScopeName: "opentelemetry.instrumentation.openai",
      ScopeVersion: "0.40.0",
      SpanAttributes: { "gen_ai.usage.prompt_tokens": "12", "gen_ai.response.finish_reasons": '["stop"]', "llm.is_streaming": "false" },
      Duration: 1_234_567_000,
      StatusCode: "Error",
      StatusMessage: "rate limited",
      "Events.Timestamp": ["1763035200.500000000"],
      "Events.Name": ["exception"],
      "Events.Attributes": [{ "exception.type": "RateLimitError" }],
      "Links.TraceId": ["11111111111111111111111111111111"],
      "Links.SpanId": ["2222222222222222"],
      "Links.TraceState": [""],
      "Links.Attributes": [{ n: "1" }],
    });
  });

  it("legacy rows: old spellings, scope in SpanAttributes (older tables had no scope columns)", () => {
    const row = toExporterRow(span, { spelling: "legacy" });
    expect(row.SpanKind).toBe("SPAN_KIND_CLIENT");
    expect(row.StatusCode).toBe("STATUS_CODE_ERROR");
    expect(row.ScopeName).toBe("");
    expect(row.SpanAttributes["otel.scope.name"]).toBe("opentelemetry.instrumentation.openai");
    expect(row.SpanAttributes["otel.scope.version"]).toBe("0.40.0");
  });

  it("event times in other units", () => {
    const ms = createSpan({ ...span, parentSpanId: null, events: [{ name: "e", timestamp: 1_763_035_200_500 }] });
    expect(toExporterRow(ms, { eventTimeUnit: "ms" })["Events.Timestamp"]).toEqual(["1763035200.500000000"]);
  });

  it("unix seconds keep nanoseconds exactly", () => {
    expect(unixSeconds(1_763_035_200_123_456_789n)).toBe("1763035200.123456789");
    expect(unixSeconds(5n)).toBe("0.000000005");
  });

  it("one row per span of the shared dataset, roots without a parent id", () => {
    const traces = generateDataset({ traces: 6 });
    const rows = toExporterRows(traces);
    expect(rows).toHaveLength(traces.reduce((n, t) => n + t.spans.length, 0));
    expect(rows.filter((r) => r.ParentSpanId === "")).toHaveLength(6);
    const first = traces[0]!.spans[0]!;
    expect(rows[0]!.Timestamp).toBe(`${Math.floor(first.startTimeUs / 1e6)}.${String((first.startTimeUs % 1e6) * 1000).padStart(9, "0")}`);
  });
});
