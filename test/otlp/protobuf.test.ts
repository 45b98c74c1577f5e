import { JsonTraceSerializer, ProtobufTraceSerializer } from "@opentelemetry/otlp-transformer";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { describe, expect, it } from "vitest";
import { OtlpDecodeError } from "../../src/otlp/decoded-spans.js";
import { decodeJsonExportBytes } from "../../src/otlp/json.js";
import { decodeProtoExportRequest } from "../../src/otlp/protobuf.js";
import { bySpanId, expectedSpan, recordSampleSpans } from "../helpers/otel-spans.js";

const protoOf = (spans: ReadableSpan[]): Uint8Array => ProtobufTraceSerializer.serializeRequest(spans)!;
const jsonOf = (spans: ReadableSpan[]): Uint8Array => JsonTraceSerializer.serializeRequest(spans)!;

/** A ReadableSpan whose span context carries other ids (the SDK never makes bad ones itself). */
function withIds(rs: ReadableSpan, ids: { traceId?: string; spanId?: string }): ReadableSpan {
  const ctx = { ...rs.spanContext(), ...ids };
  return Object.assign(Object.create(Object.getPrototypeOf(rs) as object) as ReadableSpan, rs, { spanContext: () => ctx });
}

describe("OTLP protobuf decoding (requests serialized by @opentelemetry/otlp-transformer)", () => {
  const recorded = recordSampleSpans({ traces: 2 });

  it("decodes every span to what the SDK recorded: ids, kinds, status, typed attributes, events, links, resource, scope, trace state", () => {
    const decoded = decodeProtoExportRequest(protoOf(recorded));
    expect(decoded.rejected).toBe(0);
    expect(decoded.spans).toHaveLength(10);
    expect(bySpanId(decoded.spans)).toEqual(bySpanId(recorded.map(expectedSpan)));
    // Spot checks that the comparison covers the detail, not only the shape.
    const client = decoded.spans.find((s) => s.operationName === "charge card")!;
    expect(client).toMatchObject({ kind: "CLIENT", status: "ERROR", statusMessage: "card declined", scope: { name: "otlp-test-scope", version: "9.9.9" } });
    expect(client.links![0]!.attributes).toEqual({ "link.reason": "retry-of", "link.attempt": 2 });
    expect(client.events[0]!.name).toBe("exception");
    const root = decoded.spans.find((s) => s.operationName === "POST /checkout")!;
    expect(root.attributes["app.counts"]).toEqual([1, 2, 3]);
    expect(root.attributes["app.flags"]).toEqual([true, false]);
    expect(root.traceState).toBe("vendor=abc,other=1");
    expect(root.parentSpanId).toBe("00f067aa0ba902b7");
    expect(root.resourceAttributes).toMatchObject({ "service.version": "1.2.3", "host.cores": 8 });
    expect(root.resourceAttributes!["service.name"]).toBeUndefined();
  });

  it("yields exactly the Spans the JSON path yields for the same export", () => {
    const fromProto = decodeProtoExportRequest(protoOf(recorded));
    const fromJson = decodeJsonExportBytes(jsonOf(recorded));
    expect(fromJson.rejected).toBe(0);
    expect(fromProto.spans).toEqual(fromJson.spans);
  });

  it("keeps nanosecond precision in durations (fixed64 beyond 2^53)", () => {
    const client = decodeProtoExportRequest(protoOf(recorded)).spans.find((s) => s.operationName === "charge card")!;
    expect(client.durationMs).toBe(20.999999);
    const root = decodeProtoExportRequest(protoOf(recorded)).spans.find((s) => s.operationName === "POST /checkout")!;
    expect(root.durationMs).toBe(49.999878);
  });

  it("rejects spans with malformed or all-zero ids, counts them by reason, and keeps the rest", () => {
    const [a, b, c, d] = recorded;
    const body = protoOf([a!, withIds(b!, { spanId: "0000000000000000" }), withIds(c!, { traceId: "abcd" }), withIds(d!, { spanId: "aabbccddeeff" })]);
    const decoded = decodeProtoExportRequest(body);
    expect(decoded.spans.map((s) => s.spanId)).toEqual([a!.spanContext().spanId]);
    expect(decoded.rejected).toBe(3);
    expect(decoded.reasons).toEqual({ "invalid span id": 2, "invalid trace id": 1 });
  });

  it("throws OtlpDecodeError for bytes that are not an export request", () => {
    expect(() => decodeProtoExportRequest(Buffer.from([0xff, 0xff, 0xff, 0xff]))).toThrow(OtlpDecodeError);
    expect(() => decodeProtoExportRequest(Buffer.from('{"resourceSpans":[]}'))).toThrow(OtlpDecodeError);
    // A truncated request: the length prefix promises more than is there.
    const full = protoOf(recorded);
    expect(() => decodeProtoExportRequest(full.subarray(0, full.length - 7))).toThrow(OtlpDecodeError);
  });

  it("decodes an empty request to no spans", () => {
    expect(decodeProtoExportRequest(new Uint8Array(0))).toEqual({ spans: [], rejected: 0, reasons: {} });
  });
});
