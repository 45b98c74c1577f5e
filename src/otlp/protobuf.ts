/**
 * OTLP protobuf (`application/x-protobuf`) ExportTraceServiceRequest -> domain Spans, through
 * protobufjs and the vendored opentelemetry-proto descriptor. Every value is read into the same
 * form the JSON path produces (bytes attributes as base64, int64 beyond 2^53 as decimal text,
 * non-finite doubles as text), and spans are built by the shared buildSpan, so both wires agree.
 */
import type { AttributeValue } from "../domain/attributes.js";
import { SPAN_KINDS } from "../domain/trace.js";
import { OtlpDecodeError, SpanTally, type DecodedSpans } from "./decoded-spans.js";
import { statusCodeOf } from "./enums.js";
import { bytesIdToHex } from "./ids.js";
import { otlpTypes } from "./proto/otlp-types.js";
import type { PbAnyValue, PbExportTraceServiceRequest, PbKeyValue, PbLong, PbSpan } from "./proto/wire-shapes.js";
import { buildSpan, originOfResource, scopeOf, type SpanOrigin, type SpanParts } from "./span-builder.js";

const TWO_32 = 4294967296;

/** fixed64 nanoseconds -> BigInt (exact). */
function nanosOf(v: PbLong | number | undefined): bigint {
  if (v === undefined || v === null) return 0n;
  if (typeof v === "number") return BigInt(Math.trunc(v));
  return (BigInt(v.high >>> 0) << 32n) | BigInt(v.low >>> 0);
}

/** fixed64 nanoseconds -> number (as the JSON path's Number(BigInt), for event timestamps). */
function nanosNumber(v: PbLong | number | undefined): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === "number") return v;
  return (v.high >>> 0) * TWO_32 + (v.low >>> 0);
}

/** int64 -> number when exact, else its decimal text. */
function int64Of(v: PbLong | number): AttributeValue {
  if (typeof v === "number") return v;
  // Exact for |high| < 2^21, i.e. every safe integer; anything larger is not safe anyway.
  const n = v.high * TWO_32 + (v.low >>> 0);
  return Number.isSafeInteger(n) ? n : v.toString();
}

function anyValue(v: PbAnyValue | null | undefined): AttributeValue {
  if (!v) return null;
  switch (v.value) {
    case "stringValue":
      return v.stringValue;
    case "boolValue":
      return v.boolValue;
    case "intValue":
      return int64Of(v.intValue);
    case "doubleValue":
      return Number.isFinite(v.doubleValue) ? v.doubleValue : String(v.doubleValue);
    case "arrayValue":
      return (v.arrayValue?.values ?? []).map(anyValue);
    case "kvlistValue":
      return attributes(v.kvlistValue?.values);
    case "bytesValue":
      return Buffer.from(v.bytesValue.buffer, v.bytesValue.byteOffset, v.bytesValue.length).toString("base64");
    default:
      // Unset, or string_value_strindex (a profiles-only dictionary reference).
      return null;
  }
}

function attributes(list: PbKeyValue[] | undefined): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  if (list) for (const kv of list) out[kv.key] = anyValue(kv.value);
  return out;
}

function spanParts(s: PbSpan): SpanParts {
  return {
    traceId: bytesIdToHex(s.traceId, 16),
    spanId: bytesIdToHex(s.spanId, 8),
    parentSpanId: bytesIdToHex(s.parentSpanId, 8),
    name: s.name,
    startNs: nanosOf(s.startTimeUnixNano),
    endNs: nanosOf(s.endTimeUnixNano),
    kind: SPAN_KINDS[s.kind] ?? "UNSPECIFIED",
    status: statusCodeOf(s.status?.code ?? 0),
    statusMessage: s.status?.message ?? "",
    traceState: s.traceState,
    attributes: attributes(s.attributes),
    events: (s.events ?? []).map((e) => ({
      name: e.name !== "" ? e.name : "event",
      timestamp: nanosNumber(e.timeUnixNano),
      attributes: attributes(e.attributes),
    })),
    links: (s.links ?? []).flatMap((l) => {
      const traceId = bytesIdToHex(l.traceId, 16);
      const spanId = bytesIdToHex(l.spanId, 8);
      if (!traceId || !spanId) return [];
      return [{ traceId, spanId, ...(l.traceState !== "" ? { traceState: l.traceState } : {}), attributes: attributes(l.attributes) }];
    }),
  };
}

/** Raw protobuf bytes -> spans; throws OtlpDecodeError when they are not an ExportTraceServiceRequest. */
export function decodeProtoExportRequest(bytes: Uint8Array): DecodedSpans {
  let request: PbExportTraceServiceRequest;
  try {
    const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
    request = otlpTypes().ExportTraceServiceRequest.decode(buf) as unknown as PbExportTraceServiceRequest;
  } catch (err) {
    throw new OtlpDecodeError(`the body is not an OTLP ExportTraceServiceRequest (${err instanceof Error ? err.message : String(err)})`);
  }
  const tally = new SpanTally();
  for (const rs of request.resourceSpans ?? []) {
    const resource = originOfResource(attributes(rs.resource?.attributes));
    for (const ss of rs.scopeSpans ?? []) {
      const scope = scopeOf(ss.scope?.name, ss.scope?.version);
      const origin: SpanOrigin = scope ? { ...resource, scope } : resource;
      for (const s of ss.spans ?? []) tally.add(buildSpan(spanParts(s), origin));
    }
  }
  return tally.result();
}
