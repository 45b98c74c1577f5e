/**
 * Tempo's trace-by-id JSON (OTLP/JSON) -> domain Trace, and search listings -> trace ids. Pure.
 *
 * Accepted envelopes: v1 `{batches: [...]}`, bare `{resourceSpans: [...]}`, and v2
 * `{trace: {resourceSpans: [...]}}`; very old Tempo used `instrumentationLibrarySpans` instead of
 * `scopeSpans`. Tempo writes ids in base64 (gogo/jsonpb), the OTLP/JSON spec says hex: both are
 * turned into lowercase hex so ids agree with the search listing and with the other backends.
 */
import type { AttributeValue } from "../../domain/attributes.js";
import { assembleTrace, createSpan, type Span, type SpanStatus, type Trace } from "../../domain/trace.js";

/** Thrown for bodies we cannot read; the adapter turns it into a BackendError. */
export class TempoShapeError extends Error {
  override name = "TempoShapeError";
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/**
 * An OTLP id (base64 as Tempo writes it, or hex) as lowercase hex of `bytes` bytes; undefined when
 * absent, empty or all zeros (OTLP's "no parent").
 */
export function otlpIdToHex(raw: unknown, bytes: number): string | undefined {
  if (typeof raw !== "string" || raw === "") return undefined;
  let hex: string;
  if (raw.length === bytes * 2 && /^[0-9a-fA-F]+$/.test(raw)) hex = raw.toLowerCase();
  else {
    const buf = Buffer.from(raw, "base64");
    if (buf.length === 0) return undefined;
    hex = buf.toString("hex").padStart(bytes * 2, "0");
  }
  return /^0+$/.test(hex) ? undefined : hex;
}

/** A trace id as Tempo's API accepts and we report it: 32 lowercase hex chars (Tempo trims leading zeros in listings). */
export function normalizeTraceId(id: string): string | undefined {
  const t = id.trim().toLowerCase();
  return /^[0-9a-f]{1,32}$/.test(t) ? t.padStart(32, "0") : undefined;
}

/** Decimal string or number of nanoseconds -> BigInt; undefined when unreadable. */
function nanos(v: unknown): bigint | undefined {
  try {
    if (typeof v === "string" && /^\d+$/.test(v)) return BigInt(v);
    if (typeof v === "number" && Number.isFinite(v)) return BigInt(Math.trunc(v));
  } catch {
    // fall through
  }
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

const STATUS_BY_INT: Readonly<Record<number, SpanStatus>> = { 0: "UNSET", 1: "OK", 2: "ERROR" };

export function decodeStatus(status: unknown): SpanStatus {
  if (!isObject(status)) return "UNSET";
  const code = status.code;
  if (typeof code === "number") return STATUS_BY_INT[code] ?? "UNSET";
  if (typeof code === "string") {
    const c = code.toUpperCase();
    if (c.endsWith("ERROR")) return "ERROR";
    if (c.endsWith("OK")) return "OK";
  }
  return "UNSET";
}

function resourceSpansOf(body: unknown): unknown[] {
  if (!isObject(body)) throw new TempoShapeError("the body is not a JSON object");
  if (Array.isArray(body.batches)) return body.batches;
  if (Array.isArray(body.resourceSpans)) return body.resourceSpans;
  if (isObject(body.trace)) return asArray(body.trace.resourceSpans);
  // An empty object (or an empty/null member) is a trace with no spans; anything else is not Tempo's shape.
  if (Object.keys(body).length > 0 && !("batches" in body) && !("resourceSpans" in body) && !("trace" in body)) {
    throw new TempoShapeError("expected 'batches', 'resourceSpans' or 'trace.resourceSpans'");
  }
  return [];
}

/**
 * Parses a trace-by-id body. `traceId` (from the request or search listing) becomes the trace's
 * id; spans keep their own decoded ids. Returns undefined when the body holds no spans.
 * Spans missing an id or a name are skipped (as the original did), never the whole trace.
 */
export function mapTempoTrace(body: unknown, traceId: string): Trace | undefined {
  const spans: Span[] = [];
  for (const rs of resourceSpansOf(body)) {
    if (!isObject(rs)) continue;
    const resource = isObject(rs.resource) ? decodeAttributes(rs.resource.attributes) : {};
    const svc = resource["service.name"];
    const serviceName = typeof svc === "string" && svc !== "" ? svc : "unknown";
    const scopes = [...asArray(rs.scopeSpans), ...asArray(rs.instrumentationLibrarySpans)];
    for (const scope of scopes) {
      if (!isObject(scope)) continue;
      for (const raw of asArray(scope.spans)) {
        const span = mapSpan(raw, traceId, serviceName);
        if (span) spans.push(span);
      }
    }
  }
  return assembleTrace(traceId, spans);
}

function mapSpan(raw: unknown, traceId: string, serviceName: string): Span | undefined {
  if (!isObject(raw)) return undefined;
  const spanId = otlpIdToHex(raw.spanId, 8);
  if (!spanId || typeof raw.name !== "string") return undefined;
  const start = nanos(raw.startTimeUnixNano);
  if (start === undefined) return undefined;
  const end = nanos(raw.endTimeUnixNano) ?? start;
  return createSpan({
    traceId: otlpIdToHex(raw.traceId, 16) ?? traceId,
    spanId,
    parentSpanId: otlpIdToHex(raw.parentSpanId, 8) ?? null,
    operationName: raw.name,
    serviceName,
    startTimeUs: Number(start / 1000n),
    durationMs: end > start ? Number(end - start) / 1e6 : 0,
    status: decodeStatus(raw.status),
    attributes: decodeAttributes(raw.attributes),
    events: asArray(raw.events)
      .filter(isObject)
      .map((e) => ({
        name: typeof e.name === "string" && e.name !== "" ? e.name : "event",
        // OTLP nanoseconds (the domain keeps each backend's unit for events).
        timestamp: Number(nanos(e.timeUnixNano) ?? 0n),
        attributes: decodeAttributes(e.attributes),
      })),
  });
}

export interface TempoSearchHit {
  traceId: string;
  rootServiceName?: string;
  rootTraceName?: string;
}

/**
 * The hits of `/api/search`: `{traces: [...]}` or a bare array; ids normalised to 32 hex chars.
 * Tempo sends `traces` (an empty search is `"traces": []`; protobuf JSON may leave an empty list
 * out, keeping only `metrics`). An object with other members is not Tempo's answer (a proxy's
 * status page, another API) and must not read as "no traces".
 */
export function parseSearchHits(body: unknown): TempoSearchHit[] {
  if (!Array.isArray(body)) {
    const keys = isObject(body) ? Object.keys(body) : [];
    if (!isObject(body) || (!("traces" in body) && keys.some((k) => k !== "metrics"))) {
      const got = !isObject(body)
        ? body === undefined
          ? "an empty body"
          : `a JSON ${body === null ? "null" : typeof body}`
        : `an object with ${keys.slice(0, 5).map((k) => `'${k.slice(0, 32)}'`).join(", ")}${keys.length > 5 ? ", ..." : ""}`;
      throw new TempoShapeError(`expected an object with a 'traces' list, got ${got}`);
    }
  }
  const list = Array.isArray(body) ? body : (body as Json).traces;
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new TempoShapeError("'traces' is not an array");
  const seen = new Set<string>();
  const hits: TempoSearchHit[] = [];
  for (const h of list) {
    if (!isObject(h) || typeof h.traceID !== "string") continue;
    const id = normalizeTraceId(h.traceID);
    if (!id || seen.has(id)) continue;
    seen.add(id);
    hits.push({
      traceId: id,
      ...(typeof h.rootServiceName === "string" ? { rootServiceName: h.rootServiceName } : {}),
      ...(typeof h.rootTraceName === "string" ? { rootTraceName: h.rootTraceName } : {}),
    });
  }
  return hits;
}

/**
 * Tag values: v2 `{tagValues: [{type, value}]}` or v1 `{tagValues: ["a", ...]}`; protobuf JSON
 * may leave an empty list out (`{}` or only `metrics`). An object with other members is not
 * Tempo's answer and must not read as "no values".
 */
export function parseTagValues(body: unknown): string[] {
  if (!isObject(body)) throw new TempoShapeError("the body is not a JSON object");
  const keys = Object.keys(body);
  if (!("tagValues" in body) && keys.some((k) => k !== "metrics")) {
    const shown = keys.slice(0, 5).map((k) => `'${k.slice(0, 32)}'`).join(", ");
    throw new TempoShapeError(`expected an object with a 'tagValues' list, got an object with ${shown}${keys.length > 5 ? ", ..." : ""}`);
  }
  const values = body.tagValues;
  if (values === undefined || values === null) return [];
  if (!Array.isArray(values)) throw new TempoShapeError("'tagValues' is not an array");
  const out: string[] = [];
  for (const v of values) {
    if (typeof v === "string") out.push(v);
    else if (isObject(v) && typeof v.value === "string") out.push(v.value);
  }
  return out;
}
