import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  decodeAnyValue,
  decodeStatus,
  mapTempoTrace,
  normalizeTraceId,
  otlpIdToHex,
  parseSearchHits,
  parseTagValues,
  TempoShapeError,
} from "../../src/backends/tempo/tempo-mapper.js";
import { traceTotalTokens } from "../../src/genai/llm-span.js";

const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`../fixtures/tempo/${name}`, import.meta.url), "utf8"));

interface RawSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
}

/** The recorded trace (GET /api/traces/42ff472d7feb6215bec0cf4e350675b2, Tempo 2.x, v1 `batches`). */
const recorded = fixture("trace-by-id-v1.json") as { batches: Array<{ scopeSpans: Array<{ spans: RawSpan[] }> }> };
const rawSpans = recorded.batches.flatMap((b) => b.scopeSpans.flatMap((s) => s.spans));
const hexOf = (b64: string): string => Buffer.from(b64, "base64").toString("hex");

describe("mapTempoTrace on the recorded trace", () => {
  const trace = mapTempoTrace(recorded, "42ff472d7feb6215bec0cf4e350675b2")!;

  it("keeps all 10 spans with lowercase hex ids equal to the decoded base64 ones", () => {
    expect(trace.spans).toHaveLength(10);
    expect(trace.spans.map((s) => s.spanId)).toEqual(rawSpans.map((s) => hexOf(s.spanId)));
    expect(trace.spans.map((s) => s.parentSpanId)).toEqual(rawSpans.map((s) => (s.parentSpanId ? hexOf(s.parentSpanId) : null)));
    for (const s of trace.spans) {
      expect(s.spanId).toMatch(/^[0-9a-f]{16}$/);
      expect(s.traceId).toBe("42ff472d7feb6215bec0cf4e350675b2");
    }
    expect(hexOf(rawSpans[0]!.traceId)).toBe("42ff472d7feb6215bec0cf4e350675b2");
  });

  it("links every child to a span of the trace and finds the root", () => {
    const ids = new Set(trace.spans.map((s) => s.spanId));
    for (const s of trace.spans) if (s.parentSpanId) expect(ids.has(s.parentSpanId)).toBe(true);
    expect(trace.rootOperation).toBe("Agent Workflow");
    expect(trace.serviceName).toBe("travel-agent-demo");
    expect(trace.spans.filter((s) => s.parentSpanId === null).map((s) => s.spanId)).toEqual(["8bd834d89ba9563a"]);
  });

  it("computes times from nanosecond strings without losing precision", () => {
    const first = trace.spans[0]!;
    expect(first.startTimeUs).toBe(1763042187236891);
    expect(first.durationMs).toBeCloseTo(2223.29, 6);
    expect(trace.startTimeUs).toBe(1763042187232503);
    expect(trace.durationMs).toBeCloseTo(10109.71, 6);
  });

  it("decodes typed attributes: int64 strings, doubles, booleans", () => {
    const llm = trace.spans[0]!;
    expect(llm.attributes["gen_ai.usage.prompt_tokens"]).toBe(313);
    expect(llm.attributes["gen_ai.usage.completion_tokens"]).toBe(81);
    expect(llm.attributes["llm.usage.total_tokens"]).toBe(394);
    expect(llm.attributes["gen_ai.request.temperature"]).toBe(1);
    expect(llm.attributes["gen_ai.request.model"]).toBe("gpt-4o-2024-08-06");
    expect(trace.spans.find((s) => s.operationName === "get_weather_forecast.tool")!.attributes["gen_ai.completion.tool.strict_json_schema"]).toBe(true);
    expect(trace.spans.filter((s) => s.operationName === "GET").map((s) => s.attributes["http.status_code"])).toEqual([200, 200, 200]);
    expect(traceTotalTokens(trace)).toBeGreaterThanOrEqual(394);
  });

  it("maps STATUS_CODE_OK to OK and an empty status to UNSET; the trace is OK", () => {
    expect(trace.spans.filter((s) => s.status === "OK")).toHaveLength(7);
    expect(trace.spans.filter((s) => s.operationName === "GET").every((s) => s.status === "UNSET")).toBe(true);
    expect(trace.status).toBe("OK");
  });

  it("takes the service from the resource attributes", () => {
    expect(new Set(trace.spans.map((s) => s.serviceName))).toEqual(new Set(["travel-agent-demo"]));
  });
});

describe("mapTempoTrace envelopes and OTLP variants", () => {
  const span = (extra: Record<string, unknown>): Record<string, unknown> => ({
    traceId: "0af7651916cd43dd8448eb211c80319c",
    spanId: "b7ad6b7169203331",
    name: "op",
    startTimeUnixNano: 1_700_000_000_000_000_000,
    endTimeUnixNano: "1700000000250000000",
    ...extra,
  });
  const v2 = (spans: Array<Record<string, unknown>>, resource: unknown = { attributes: [{ key: "service.name", value: { stringValue: "svc" } }] }) => ({
    trace: { resourceSpans: [{ resource, scopeSpans: [{ scope: { name: "s" }, spans }] }] },
  });

  it("reads the v2 `trace.resourceSpans` shape, hex ids and numeric times", () => {
    const t = mapTempoTrace(v2([span({})]), "0af7651916cd43dd8448eb211c80319c")!;
    expect(t.spans[0]).toMatchObject({ spanId: "b7ad6b7169203331", traceId: "0af7651916cd43dd8448eb211c80319c", serviceName: "svc", durationMs: 250 });
  });

  it("reads bare `resourceSpans` and legacy `instrumentationLibrarySpans`", () => {
    const legacy = { resourceSpans: [{ resource: { attributes: [] }, instrumentationLibrarySpans: [{ spans: [span({})] }] }] };
    const t = mapTempoTrace(legacy, "0af7651916cd43dd8448eb211c80319c")!;
    expect(t.spans).toHaveLength(1);
    expect(t.serviceName).toBe("unknown");
  });

  it("maps integer status codes (2 = ERROR, 1 = OK, 0 = UNSET) and string ones", () => {
    expect(decodeStatus({ code: 2 })).toBe("ERROR");
    expect(decodeStatus({ code: 1 })).toBe("OK");
    expect(decodeStatus({ code: 0 })).toBe("UNSET");
    expect(decodeStatus({ code: "STATUS_CODE_ERROR", message: "boom" })).toBe("ERROR");
    expect(decodeStatus({ code: "STATUS_CODE_UNSET" })).toBe("UNSET");
    expect(decodeStatus({})).toBe("UNSET");
    const t = mapTempoTrace(v2([span({ status: { code: 2 } })]), "x")!;
    expect(t.status).toBe("ERROR");
  });

  it("decodes arrays, kvlists, bytes, int64 beyond 2^53 and non-finite doubles", () => {
    expect(decodeAnyValue({ arrayValue: { values: [{ stringValue: "stop" }, { intValue: "3" }, { boolValue: false }] } })).toEqual(["stop", 3, false]);
    expect(decodeAnyValue({ kvlistValue: { values: [{ key: "a", value: { doubleValue: 1.5 } }, { key: "b", value: { arrayValue: {} } }] } })).toEqual({ a: 1.5, b: [] });
    expect(decodeAnyValue({ bytesValue: "AAEC" })).toBe("AAEC");
    expect(decodeAnyValue({ intValue: 42 })).toBe(42);
    expect(decodeAnyValue({ intValue: "9223372036854775807" })).toBe("9223372036854775807");
    expect(decodeAnyValue({ doubleValue: "NaN" })).toBe("NaN");
    expect(decodeAnyValue({})).toBeNull();
  });

  it("turns list-typed attributes into arrays the LLM parser understands", () => {
    const t = mapTempoTrace(
      v2([span({ attributes: [{ key: "gen_ai.response.finish_reasons", value: { arrayValue: { values: [{ stringValue: "stop" }] } } }] })]),
      "x",
    )!;
    expect(t.spans[0]!.attributes["gen_ai.response.finish_reasons"]).toEqual(["stop"]);
  });

  it("reads events with nanosecond timestamps", () => {
    const t = mapTempoTrace(
      v2([span({ events: [{ timeUnixNano: "1700000000100000000", name: "exception", attributes: [{ key: "exception.type", value: { stringValue: "E" } }] }, { timeUnixNano: "1" }] })]),
      "x",
    )!;
    expect(t.spans[0]!.events).toEqual([
      { name: "exception", timestamp: 1700000000100000000, attributes: { "exception.type": "E" } },
      { name: "event", timestamp: 1, attributes: {} },
    ]);
  });

  it("skips spans without an id, a name or a start, and treats an empty/zero parent as root", () => {
    const t = mapTempoTrace(
      v2([span({ spanId: "" }), span({ name: undefined }), span({ startTimeUnixNano: "soon" }), span({ parentSpanId: "AAAAAAAAAAA=" })]),
      "x",
    )!;
    expect(t.spans).toHaveLength(1);
    expect(t.spans[0]!.parentSpanId).toBeNull();
  });

  it("returns undefined for a body without spans and throws for a foreign shape", () => {
    expect(mapTempoTrace({ batches: [] }, "x")).toBeUndefined();
    expect(mapTempoTrace({}, "x")).toBeUndefined();
    expect(() => mapTempoTrace({ data: [] }, "x")).toThrow(TempoShapeError);
    expect(() => mapTempoTrace("nope", "x")).toThrow(TempoShapeError);
  });
});

describe("ids", () => {
  it("converts base64 and hex OTLP ids to lowercase hex", () => {
    expect(otlpIdToHex("Qv9HLX/rYhW+wM9ONQZ1sg==", 16)).toBe("42ff472d7feb6215bec0cf4e350675b2");
    expect(otlpIdToHex("NPzxuz+vo54=", 8)).toBe("34fcf1bb3fafa39e");
    expect(otlpIdToHex("B7AD6B7169203331", 8)).toBe("b7ad6b7169203331");
    expect(otlpIdToHex("", 8)).toBeUndefined();
    expect(otlpIdToHex(undefined, 8)).toBeUndefined();
  });

  it("pads ids Tempo listed without leading zeros and rejects non-hex", () => {
    expect(normalizeTraceId("2f3e0cee77ae5dc9c17ade3689eb2e5")).toBe("02f3e0cee77ae5dc9c17ade3689eb2e5");
    expect(normalizeTraceId("42FF472D7FEB6215BEC0CF4E350675B2")).toBe("42ff472d7feb6215bec0cf4e350675b2");
    expect(normalizeTraceId("not-an-id")).toBeUndefined();
    expect(normalizeTraceId("0".repeat(33))).toBeUndefined();
  });
});

describe("listings", () => {
  it("parses the recorded search listing in order", () => {
    const hits = parseSearchHits(fixture("search-listing.json"));
    expect(hits).toHaveLength(7);
    // Start and duration come from the listing (the query layer orders and narrows by them before fetching).
    expect(hits[0]).toEqual({
      traceId: "bec9c8df1c3a22a134e4c9c7aa0f0ce3",
      rootServiceName: "travel-agent-demo2",
      rootTraceName: "Agent Workflow",
      startTimeUs: 1763042458122243,
      durationMs: 78773,
    });
    expect(hits.map((h) => h.traceId)).toContain("42ff472d7feb6215bec0cf4e350675b2");
  });

  it("accepts a bare array, an empty listing, and drops duplicates", () => {
    expect(parseSearchHits([{ traceID: "abc" }, { traceID: "ABC" }, { nope: 1 }])).toEqual([{ traceId: "abc".padStart(32, "0") }]);
    expect(parseSearchHits(fixture("search-empty.json"))).toEqual([]);
    expect(() => parseSearchHits({ traces: "x" })).toThrow(TempoShapeError);
    // JSON of another API is not an empty search (#6); protobuf JSON's omitted empty list is.
    expect(() => parseSearchHits({ status: "ok", version: "1.2" })).toThrow("expected an object with a 'traces' list, got an object with 'status', 'version'");
    expect(() => parseSearchHits("ok")).toThrow(TempoShapeError);
    expect(parseSearchHits({ metrics: { inspectedBytes: "0" } })).toEqual([]);
    expect(parseSearchHits({})).toEqual([]);
  });

  it("parses v2 and v1 tag values", () => {
    expect(parseTagValues({ tagValues: [{ type: "string", value: "a" }, { type: "string", value: "b" }], metrics: {} })).toEqual(["a", "b"]);
    expect(parseTagValues({ tagValues: ["a", "b"] })).toEqual(["a", "b"]);
    expect(parseTagValues({})).toEqual([]);
    expect(parseTagValues({ metrics: {} })).toEqual([]);
    expect(() => parseTagValues({ status: "ok", items: [1, 2, 3] })).toThrow("expected an object with a 'tagValues' list");
  });
});
