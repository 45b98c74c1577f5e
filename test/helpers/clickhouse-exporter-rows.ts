/**
 * Domain traces -> `otel_traces` rows exactly as the OpenTelemetry Collector clickhouseexporter
 * writes them (exporter/clickhouseexporter/exporter_traces.go pushTraceData, internal/util.go
 * AttributesToMap), as JSONEachRow objects for @clickhouse/client's insert:
 *
 * - Timestamp: the span start (DateTime64(9)); Duration: end - start in ns (UInt64).
 * - ServiceName: the resource's service.name; ResourceAttributes: every resource attribute,
 *   service.name included.
 * - SpanKind / StatusCode: `span.Kind().String()` / `Code().String()` ("Server", "Error") in the
 *   current exporter; older ones wrote traceutil.SpanKindStr / StatusCodeStr ("SPAN_KIND_SERVER",
 *   "STATUS_CODE_ERROR") and put the scope in SpanAttributes as otel.scope.name/version instead of
 *   the ScopeName/ScopeVersion columns (spelling: "legacy").
 * - Every attribute value is a string: pcommon.Value.AsString() (strings verbatim, ints decimal,
 *   doubles in ES6 number form, bools true/false, arrays and maps as Go encoding/json text, bytes
 *   base64, empty ""), see attributeValueAsString.
 * - Events.* / Links.*: the Nested columns as parallel arrays.
 *
 * Times are written as decimal Unix seconds ("1763035200.123456789"), which ClickHouse parses
 * independently of the server's time zone, as the exporter's native-protocol epoch values are.
 */
import type { AttributeValue, Attributes } from "../../src/domain/attributes.js";
import type { Span, SpanKind, SpanStatus, Trace } from "../../src/domain/trace.js";

export type ExporterSpelling = "current" | "legacy";

export interface ExporterRowOptions {
  /** "current" (Server, Error) or "legacy" (SPAN_KIND_SERVER, STATUS_CODE_ERROR, scope in SpanAttributes). Default "current". */
  spelling?: ExporterSpelling;
  /** Unit of SpanEvent.timestamp in the input (the shared dataset uses µs). Default "us". */
  eventTimeUnit?: "ns" | "us" | "ms";
}

/** One `otel_traces` row, keyed by column (Nested columns by their dotted names). */
export interface ExporterTraceRow {
  Timestamp: string;
  TraceId: string;
  SpanId: string;
  ParentSpanId: string;
  TraceState: string;
  SpanName: string;
  SpanKind: string;
  ServiceName: string;
  ResourceAttributes: Record<string, string>;
  ScopeName: string;
  ScopeVersion: string;
  SpanAttributes: Record<string, string>;
  Duration: number;
  StatusCode: string;
  StatusMessage: string;
  "Events.Timestamp": string[];
  "Events.Name": string[];
  "Events.Attributes": Array<Record<string, string>>;
  "Links.TraceId": string[];
  "Links.SpanId": string[];
  "Links.TraceState": string[];
  "Links.Attributes": Array<Record<string, string>>;
}

const CURRENT_KIND: Record<SpanKind, string> = {
  UNSPECIFIED: "Unspecified",
  INTERNAL: "Internal",
  SERVER: "Server",
  CLIENT: "Client",
  PRODUCER: "Producer",
  CONSUMER: "Consumer",
};
const CURRENT_STATUS: Record<SpanStatus, string> = { UNSET: "Unset", OK: "Ok", ERROR: "Error" };

/** The SpanKind column value for a kind in one spelling (a span without a kind is UNSPECIFIED, OTLP's zero). */
export function spanKindColumn(kind: SpanKind | undefined, spelling: ExporterSpelling = "current"): string {
  const k = kind ?? "UNSPECIFIED";
  return spelling === "current" ? CURRENT_KIND[k] : `SPAN_KIND_${k}`;
}

export function statusCodeColumn(status: SpanStatus, spelling: ExporterSpelling = "current"): string {
  return spelling === "current" ? CURRENT_STATUS[status] : `STATUS_CODE_${status}`;
}

export function toExporterRows(traces: readonly Trace[], options: ExporterRowOptions = {}): ExporterTraceRow[] {
  const rows: ExporterTraceRow[] = [];
  for (const trace of traces) for (const span of trace.spans) rows.push(toExporterRow(span, options));
  return rows;
}

export function toExporterRow(span: Span, options: ExporterRowOptions = {}): ExporterTraceRow {
  const spelling = options.spelling ?? "current";
  const eventNsPerUnit = { ns: 1n, us: 1_000n, ms: 1_000_000n }[options.eventTimeUnit ?? "us"];
  const startNs = BigInt(span.startTimeUs) * 1000n;
  const spanAttributes = attributesToMap(span.attributes);
  const scopeName = span.scope?.name ?? "";
  const scopeVersion = span.scope?.version ?? "";
  if (spelling === "legacy") {
    if (scopeName !== "") spanAttributes["otel.scope.name"] = scopeName;
    if (scopeVersion !== "") spanAttributes["otel.scope.version"] = scopeVersion;
  }
  const events = span.events;
  const links = span.links ?? [];
  return {
    Timestamp: unixSeconds(startNs),
    TraceId: span.traceId,
    SpanId: span.spanId,
    ParentSpanId: span.parentSpanId ?? "",
    TraceState: span.traceState ?? "",
    SpanName: span.operationName,
    SpanKind: spanKindColumn(span.kind, spelling),
    ServiceName: span.serviceName,
    ResourceAttributes: { "service.name": span.serviceName, ...attributesToMap(span.resourceAttributes ?? {}) },
    ScopeName: spelling === "current" ? scopeName : "",
    ScopeVersion: spelling === "current" ? scopeVersion : "",
    SpanAttributes: spanAttributes,
    Duration: Math.round(span.durationMs * 1e6),
    StatusCode: statusCodeColumn(span.status, spelling),
    StatusMessage: span.statusMessage ?? "",
    "Events.Timestamp": events.map((e) => unixSeconds(BigInt(Math.round(e.timestamp)) * eventNsPerUnit)),
    "Events.Name": events.map((e) => e.name),
    "Events.Attributes": events.map((e) => attributesToMap(e.attributes)),
    "Links.TraceId": links.map((l) => l.traceId),
    "Links.SpanId": links.map((l) => l.spanId),
    "Links.TraceState": links.map((l) => l.traceState ?? ""),
    "Links.Attributes": links.map((l) => attributesToMap(l.attributes)),
  };
}

/** ns since the epoch -> "seconds.nanoseconds", exact (no float on the way). */
export function unixSeconds(ns: bigint): string {
  const s = ns / 1_000_000_000n;
  const frac = ns % 1_000_000_000n;
  return `${s}.${frac.toString().padStart(9, "0")}`;
}

export function attributesToMap(attributes: Attributes): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(attributes)) out[k] = attributeValueAsString(v);
  return out;
}

/**
 * pcommon.Value.AsString() (go.opentelemetry.io/collector/pdata/pcommon/value.go) for a domain
 * value. Integers and integral doubles print alike ("1024"), so the domain's single number type
 * loses nothing.
 */
export function attributeValueAsString(value: AttributeValue): string {
  if (value === null) return "";
  if (typeof value === "string") return value;
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") return float64AsString(value);
  return goJsonMarshal(value) ?? "";
}

/** pcommon's float64AsString: ES6 number formatting with Go's quirks (-0, NaN/Inf text). */
function float64AsString(f: number): string {
  if (Number.isNaN(f)) return "json: unsupported value: NaN";
  if (!Number.isFinite(f)) return `json: unsupported value: ${f > 0 ? "+Inf" : "-Inf"}`;
  if (Object.is(f, -0)) return "-0";
  // JS's Number#toString is the ES6 algorithm Go imitates here ('f' below 1e21 and above 1e-6, else 'e').
  return String(f);
}

/**
 * encoding/json.Marshal of a value's AsRaw(): map keys sorted by their UTF-8 bytes, HTML-safe
 * string escaping, NaN/Inf make Marshal fail (AsString then returns "").
 */
function goJsonMarshal(value: AttributeValue): string | undefined {
  if (value === null) return "null";
  if (typeof value === "string") return goJsonString(value);
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") return Number.isFinite(value) ? (Object.is(value, -0) ? "-0" : String(value)) : undefined;
  if (Array.isArray(value)) {
    const parts: string[] = [];
    for (const v of value as readonly AttributeValue[]) {
      const s = goJsonMarshal(v);
      if (s === undefined) return undefined;
      parts.push(s);
    }
    return `[${parts.join(",")}]`;
  }
  const entries = Object.entries(value as Record<string, AttributeValue>).sort(([a], [b]) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const parts: string[] = [];
  for (const [k, v] of entries) {
    const s = goJsonMarshal(v);
    if (s === undefined) return undefined;
    parts.push(`${goJsonString(k)}:${s}`);
  }
  return `{${parts.join(",")}}`;
}

const GO_JSON_ESCAPES: Record<string, string> = { '"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f" };

/** Go's encodeState.string with escapeHTML: <, >, & and U+2028/2029 as \u escapes, lone surrogates as U+FFFD. */
function goJsonString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    const named = GO_JSON_ESCAPES[ch];
    if (named) out += named;
    else if (cp >= 0xd800 && cp <= 0xdfff) out += "\\ufffd"; // a lone surrogate is invalid UTF-8 to Go
    else if (cp < 0x20 || ch === "<" || ch === ">" || ch === "&" || cp === 0x2028 || cp === 0x2029) out += `\\u${cp.toString(16).padStart(4, "0")}`;
    else out += ch;
  }
  return `${out}"`;
}
