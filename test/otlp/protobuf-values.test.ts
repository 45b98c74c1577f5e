/**
 * Protobuf requests the OpenTelemetry SDK never sends but other exporters may: map, bytes, empty
 * and unset values, 64-bit integers past 2^53, an unknown span kind, an event without a name,
 * links with an empty trace state or a malformed id, a span with no resource or scope. Encoded with
 * protobufjs from the vendored descriptor; the expected values are OTLP's, written out.
 */
import { describe, expect, it } from "vitest";
import { otlpTypes } from "../../src/otlp/proto/otlp-types.js";
import { decodeProtoExportRequest } from "../../src/otlp/protobuf.js";

const TRACE = "5b8efff798038103d269b633813fc60c";
const SPAN = "eee19b7ec3c1b174";
const hex = (h: string) => Buffer.from(h, "hex");

function encode(span: Record<string, unknown>, resourceSpan: Record<string, unknown> = {}): Uint8Array {
  const T = otlpTypes().ExportTraceServiceRequest;
  const base = { traceId: hex(TRACE), spanId: hex(SPAN), name: "s", startTimeUnixNano: "1700000000000000000", endTimeUnixNano: "1700000000001500000" };
  return T.encode(T.fromObject({ resourceSpans: [{ ...resourceSpan, scopeSpans: [{ spans: [{ ...base, ...span }] }] }] })).finish();
}

describe("OTLP protobuf: values and fields beyond what the SDK writes", () => {
  it("maps, bytes (as base64), empty arrays, unset values, non-finite doubles and 64-bit integers", () => {
    const bytes = Buffer.from([1, 2, 255]);
    const [span] = decodeProtoExportRequest(
      encode({
        attributes: [
          { key: "map", value: { kvlistValue: { values: [{ key: "inner", value: { arrayValue: { values: [{ intValue: "-5" }, { doubleValue: Infinity }, {}] } } }] } } },
          { key: "raw", value: { bytesValue: bytes } },
          { key: "empty", value: { arrayValue: {} } },
          { key: "emptymap", value: { kvlistValue: {} } },
          { key: "unset", value: {} },
          { key: "big", value: { intValue: "9007199254740993" } },
          { key: "small", value: { intValue: "-42" } },
        ],
      }),
    ).spans;
    expect(span!.attributes).toEqual({
      map: { inner: [-5, "Infinity", null] },
      raw: bytes.toString("base64"),
      empty: [],
      emptymap: {},
      big: "9007199254740993",
      small: -42,
    });
  });

  it("an unknown kind reads as UNSPECIFIED, no status as UNSET, no resource as service 'unknown'", () => {
    const [span] = decodeProtoExportRequest(encode({ kind: 9 })).spans;
    expect(span).toMatchObject({ kind: "UNSPECIFIED", status: "UNSET", serviceName: "unknown", traceId: TRACE, spanId: SPAN, parentSpanId: null, durationMs: 1.5 });
    expect(span!.statusMessage).toBeUndefined();
    expect(span!.scope).toBeUndefined();
    const [server] = decodeProtoExportRequest(encode({ kind: 2, status: { code: 2, message: "boom" } })).spans;
    expect(server).toMatchObject({ kind: "SERVER", status: "ERROR", statusMessage: "boom" });
  });

  it("an event without a name is 'event'; a link with an empty trace state has none, one with a malformed id is dropped", () => {
    const [span] = decodeProtoExportRequest(
      encode({
        events: [{ name: "", timeUnixNano: "1700000000000500000", attributes: [{ key: "k", value: { stringValue: "v" } }] }],
        links: [
          { traceId: hex(TRACE), spanId: hex("0102030405060708"), traceState: "" },
          { traceId: hex(TRACE), spanId: hex("0102030405060709"), traceState: "a=b" },
          { traceId: hex("00"), spanId: hex(SPAN) },
          { traceId: hex(TRACE) },
        ],
      }),
    ).spans;
    expect(span!.events).toEqual([{ name: "event", timestamp: 1700000000000500000, attributes: { k: "v" } }]);
    expect(span!.links).toEqual([
      { traceId: TRACE, spanId: "0102030405060708", attributes: {} },
      { traceId: TRACE, spanId: "0102030405060709", traceState: "a=b", attributes: {} },
    ]);
  });

  it("a scope without a version, and a resource's attributes besides service.name", () => {
    const T = otlpTypes().ExportTraceServiceRequest;
    const body = T.encode(
      T.fromObject({
        resourceSpans: [
          {
            resource: { attributes: [{ key: "service.name", value: { stringValue: "checkout" } }, { key: "host.name", value: { stringValue: "h1" } }] },
            scopeSpans: [{ scope: { name: "lib" }, spans: [{ traceId: hex(TRACE), spanId: hex(SPAN), name: "s", startTimeUnixNano: "1", endTimeUnixNano: "2" }] }],
          },
        ],
      }),
    ).finish();
    const [span] = decodeProtoExportRequest(body).spans;
    expect(span).toMatchObject({ serviceName: "checkout", resourceAttributes: { "host.name": "h1" }, scope: { name: "lib" } });
    expect(span!.scope!.version).toBeUndefined();
  });
});
