/**
 * Domain span -> one WAL line: a JSON object with the otel_traces columns (schema.ts), ending with
 * the completeness marker. Timestamps are integer nanoseconds; they exceed 2^53, so the span's is
 * written as digits built from its integer microseconds (exact), never through a JS number.
 */
import type { Attributes } from "../domain/attributes.js";
import type { Span, SpanKind, SpanStatus } from "../domain/trace.js";
import { encodeAttributes, type StringMap, type TypeMap } from "./attribute-codec.js";
import { deriveColumns } from "./derived.js";
import { MAX_LINE_BYTES, PROMOTED_ATTRIBUTES, WAL_END_KEY } from "./schema.js";

/** The exporter's current spellings (ptrace SpanKind.String() / StatusCode.String()). */
export const KIND_NAMES: Readonly<Record<SpanKind, string>> = {
  UNSPECIFIED: "Unspecified",
  INTERNAL: "Internal",
  SERVER: "Server",
  CLIENT: "Client",
  PRODUCER: "Producer",
  CONSUMER: "Consumer",
};

export const STATUS_NAMES: Readonly<Record<SpanStatus, string>> = { UNSET: "Unset", OK: "Ok", ERROR: "Error" };

/** Where the type maps of one span's attribute bags go in AttributeTypes. */
export interface AttributeTypesDoc {
  span?: TypeMap;
  resource?: TypeMap;
  /** Keyed by event / link index. */
  events?: Record<string, TypeMap>;
  links?: Record<string, TypeMap>;
}

/** Nanoseconds as a JSON integer (a non-finite input becomes 0). */
function nsLiteral(ns: number): number {
  return Number.isFinite(ns) ? Math.round(ns) : 0;
}

/** Lone surrogates: JSON.stringify escapes them, and DuckDB rejects the resulting invalid UTF-8. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const ESCAPED_SURROGATE = /\\ud[89a-f][0-9a-f]{2}/i;

function wellFormed(value: unknown): unknown {
  if (typeof value === "string") return value.replace(LONE_SURROGATE, "\uFFFD");
  if (Array.isArray(value)) return value.map(wellFormed);
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    for (const [k, v] of Object.entries(value)) out[k.replace(LONE_SURROGATE, "\uFFFD")] = wellFormed(v);
    return out;
  }
  return value;
}

function promoted(map: StringMap): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const [key, column] of Object.entries(PROMOTED_ATTRIBUTES)) out[column] = map[key] ?? null;
  return out;
}

function encodeLine(span: Span): string {
  const types: AttributeTypesDoc = {};
  const spanAttrs = encodeAttributes(span.attributes);
  if (spanAttrs.types) types.span = spanAttrs.types;
  // The exporter keeps service.name in ResourceAttributes; the domain keeps it in serviceName.
  const resourceInto = Object.create(null) as StringMap;
  resourceInto["service.name"] = span.serviceName;
  const resource = encodeAttributes(span.resourceAttributes ?? {}, resourceInto);
  if (resource.types) types.resource = resource.types;

  const eventAttrs = span.events.map((e, i) => {
    const enc = encodeAttributes(e.attributes);
    if (enc.types) (types.events ??= {})[String(i)] = enc.types;
    return enc.map;
  });
  const links = span.links ?? [];
  const linkAttrs = links.map((l, i) => {
    const enc = encodeAttributes(l.attributes);
    if (enc.types) (types.links ??= {})[String(i)] = enc.types;
    return enc.map;
  });

  const row = {
    TraceId: span.traceId,
    SpanId: span.spanId,
    ParentSpanId: span.parentSpanId ?? "",
    TraceState: span.traceState ?? "",
    SpanName: span.operationName,
    SpanKind: span.kind ? KIND_NAMES[span.kind] : null,
    ServiceName: span.serviceName,
    ResourceAttributes: resource.map,
    ScopeName: span.scope ? span.scope.name : null,
    ScopeVersion: span.scope?.version ?? null,
    SpanAttributes: spanAttrs.map,
    Duration: nsLiteral(span.durationMs * 1e6),
    StatusCode: STATUS_NAMES[span.status],
    StatusMessage: span.statusMessage ?? "",
    "Events.Timestamp": span.events.map((e) => nsLiteral(e.timestamp)),
    "Events.Name": span.events.map((e) => e.name),
    "Events.Attributes": eventAttrs,
    "Links.TraceId": links.map((l) => l.traceId),
    "Links.SpanId": links.map((l) => l.spanId),
    "Links.TraceState": links.map((l) => l.traceState ?? ""),
    "Links.Attributes": linkAttrs,
    AttributeTypes: Object.keys(types).length > 0 ? types : null,
    ...promoted(spanAttrs.map),
    ...deriveColumns(span),
  };
  let body = JSON.stringify(row);
  if (ESCAPED_SURROGATE.test(body)) body = JSON.stringify(wellFormed(row));
  const startNs = (BigInt(Math.trunc(span.startTimeUs)) * 1000n).toString();
  return `{"Timestamp":${startNs},${body.slice(1, -1)},"${WAL_END_KEY}":1}\n`;
}

const TRUNCATED = "…[truncated]";

function truncateValues(attrs: Attributes, max: number): Attributes {
  const out: Attributes = {};
  for (const [k, v] of Object.entries(attrs)) {
    Object.defineProperty(out, k, {
      value: typeof v === "string" && v.length > max ? v.slice(0, max) + TRUNCATED : v,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

function truncated(span: Span, max: number): Span {
  return {
    ...span,
    attributes: truncateValues(span.attributes, max),
    events: span.events.map((e) => ({ ...e, attributes: truncateValues(e.attributes, max) })),
    ...(span.statusMessage ? { statusMessage: span.statusMessage.slice(0, max) } : {}),
  };
}

/**
 * One WAL line for a span. A line beyond what the JSON reader accepts would be skipped, losing an
 * acknowledged span; instead its longest string values are cut (marked "…[truncated]").
 */
export function encodeSpan(span: Span): string {
  let line = encodeLine(span);
  for (const max of [65_536, 1024, 64]) {
    if (line.length * 3 < MAX_LINE_BYTES || Buffer.byteLength(line, "utf8") < MAX_LINE_BYTES) return line;
    line = encodeLine(truncated(span, max));
  }
  return line;
}
