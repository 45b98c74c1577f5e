/**
 * OTLP/JSON -> domain Spans. Pure. Shared by the Tempo adapter (whose trace-by-id bodies are
 * OTLP/JSON inside its own envelopes) and the OTLP/HTTP receiver.
 *
 * Lenient where the wire varies: ids in hex (the spec) or base64 (Tempo), int64 as a number or a
 * decimal string, enums as integers or names, `scopeSpans` or the pre-1.0
 * `instrumentationLibrarySpans`. Strict where a span would be meaningless: see buildSpan.
 */
import type { AttributeValue } from "../domain/attributes.js";
import type { SpanStatus } from "../domain/trace.js";
import { OtlpDecodeError, SpanTally, type DecodedSpans } from "./decoded-spans.js";
import { spanKindOf, statusCodeOf } from "./enums.js";
import { jsonIdToHex } from "./ids.js";
import { buildSpan, originOfResource, scopeOf, type SpanOrigin, type SpanParts } from "./span-builder.js";

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** Decimal string or number of nanoseconds -> BigInt; undefined when unreadable. */
export function jsonNanos(v: unknown): bigint | undefined {
  if (typeof v === "string" && /^\d+$/.test(v)) return BigInt(v);
  if (typeof v === "number" && Number.isFinite(v) && v >= 0) return BigInt(Math.trunc(v));
  return undefined;
}

/** OTLP AnyValue -> attribute value (null when empty). */
export function decodeAnyValue(value: unknown): AttributeValue {
  if (!isObject(value)) return null;
  if ("stringValue" in value) return typeof value.stringValue === "string" ? value.stringValue : String(value.stringValue);
  if ("intValue" in value) {
    const raw = value.intValue;
    const n = typeof raw === "number" ? raw : typeof raw === "string" ? Number(raw) : NaN;
    if (!Number.isFinite(n)) return null;
    // int64 beyond 2^53 would silently change; keep its exact decimal text instead.
    return Number.isSafeInteger(n) ? n : String(raw);
  }
  if ("doubleValue" in value) {
    const raw = value.doubleValue;
    const n = typeof raw === "number" ? raw : Number(raw);
    // proto3 JSON writes NaN/Infinity as strings; keep them readable.
    return Number.isFinite(n) ? n : String(raw);
  }
  if ("boolValue" in value) return value.boolValue === true || value.boolValue === "true";
  if ("arrayValue" in value) {
    const arr = isObject(value.arrayValue) ? asArray(value.arrayValue.values) : [];
    return arr.map(decodeAnyValue);
  }
  if ("kvlistValue" in value) {
    const kv = isObject(value.kvlistValue) ? asArray(value.kvlistValue.values) : [];
    return decodeAttributes(kv);
  }
  // Base64 text, as proto3 JSON writes bytes (the protobuf path encodes its bytes the same way).
  if ("bytesValue" in value) return typeof value.bytesValue === "string" ? value.bytesValue : null;
  return null;
}

/** OTLP `[{key, value}]` -> plain object (later keys win, as in a map). */
export function decodeAttributes(list: unknown): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const kv of asArray(list)) {
    if (isObject(kv) && typeof kv.key === "string") out[kv.key] = decodeAnyValue(kv.value);
  }
  return out;
}

export function decodeStatus(status: unknown): SpanStatus {
  return isObject(status) ? statusCodeOf(status.code) : "UNSET";
}

function spanParts(raw: Json): SpanParts {
  const status = isObject(raw.status) ? raw.status : {};
  return {
    traceId: jsonIdToHex(raw.traceId, 16),
    spanId: jsonIdToHex(raw.spanId, 8),
    parentSpanId: jsonIdToHex(raw.parentSpanId, 8),
    name: typeof raw.name === "string" ? raw.name : "",
    startNs: jsonNanos(raw.startTimeUnixNano) ?? 0n,
    endNs: jsonNanos(raw.endTimeUnixNano) ?? 0n,
    kind: spanKindOf(raw.kind),
    status: statusCodeOf(status.code),
    statusMessage: typeof status.message === "string" ? status.message : "",
    traceState: typeof raw.traceState === "string" ? raw.traceState : "",
    attributes: decodeAttributes(raw.attributes),
    events: asArray(raw.events)
      .filter(isObject)
      .map((e) => ({
        name: typeof e.name === "string" && e.name !== "" ? e.name : "event",
        // OTLP nanoseconds (the domain keeps each backend's unit for events).
        timestamp: Number(jsonNanos(e.timeUnixNano) ?? 0n),
        attributes: decodeAttributes(e.attributes),
      })),
    links: asArray(raw.links).flatMap((l) => {
      if (!isObject(l)) return [];
      const traceId = jsonIdToHex(l.traceId, 16);
      const spanId = jsonIdToHex(l.spanId, 8);
      // A link that points nowhere is dropped; the span itself is fine.
      if (!traceId || !spanId) return [];
      const traceState = typeof l.traceState === "string" && l.traceState !== "" ? { traceState: l.traceState } : {};
      return [{ traceId, spanId, ...traceState, attributes: decodeAttributes(l.attributes) }];
    }),
  };
}

export interface JsonDecodeOptions {
  /** Trace id for spans whose own id is absent or malformed (Tempo's trace-by-id). */
  fallbackTraceId?: string;
}

/** Spans of a list of OTLP/JSON ResourceSpans; bad spans are counted, never thrown. */
export function decodeJsonResourceSpans(resourceSpans: readonly unknown[], options: JsonDecodeOptions = {}): DecodedSpans {
  const tally = new SpanTally();
  for (const rs of resourceSpans) {
    if (!isObject(rs)) continue;
    const resource = originOfResource(isObject(rs.resource) ? decodeAttributes(rs.resource.attributes) : {});
    for (const ss of [...asArray(rs.scopeSpans), ...asArray(rs.instrumentationLibrarySpans)]) {
      if (!isObject(ss)) continue;
      const scopeRaw = isObject(ss.scope) ? ss.scope : isObject(ss.instrumentationLibrary) ? ss.instrumentationLibrary : {};
      const scope = scopeOf(scopeRaw.name, scopeRaw.version);
      const origin: SpanOrigin = { ...resource, ...(scope ? { scope } : {}), ...options };
      for (const raw of asArray(ss.spans)) tally.add(isObject(raw) ? buildSpan(spanParts(raw), origin) : "invalid span id");
    }
  }
  return tally.result();
}

/** An OTLP/JSON ExportTraceServiceRequest (already parsed) -> spans; throws OtlpDecodeError for another shape. */
export function decodeJsonExportRequest(body: unknown): DecodedSpans {
  if (!isObject(body)) throw new OtlpDecodeError("the body is not a JSON object");
  const list = body.resourceSpans;
  if (list !== undefined && list !== null && !Array.isArray(list)) throw new OtlpDecodeError("'resourceSpans' is not an array");
  return decodeJsonResourceSpans(asArray(list));
}

/** Raw OTLP/JSON bytes -> spans; throws OtlpDecodeError when the text is not JSON. */
export function decodeJsonExportBytes(bytes: Uint8Array): DecodedSpans {
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("utf8"));
  } catch {
    throw new OtlpDecodeError("the body is not valid JSON");
  }
  return decodeJsonExportRequest(body);
}
