/**
 * otel_traces rows (as the Collector's clickhouseexporter writes them, read back in JSON format)
 * -> domain spans. Both spellings the exporter has used are read: `Server` / `Error` (current,
 * span.Kind().String()) and `SPAN_KIND_SERVER` / `STATUS_CODE_ERROR` (older, traceutil), and the
 * scope from its columns or, as older exporters wrote it, from otel.scope.name / otel.scope.version
 * in SpanAttributes. Attribute values are the strings the exporter wrote (pcommon AsString);
 * createSpan coerces the well-known keys (token counts, temperatures) as for every backend.
 */
import { createSpan, SPAN_KINDS, type Span, type SpanKind, type SpanStatus } from "../../domain/trace.js";

/** The projection every span-returning query selects, so the decoder sees one shape. */
export const SPAN_COLUMNS = [
  "toUnixTimestamp64Micro(Timestamp) AS ts_us",
  "TraceId",
  "SpanId",
  "ParentSpanId",
  "TraceState",
  "SpanName",
  "SpanKind",
  "ServiceName",
  "ResourceAttributes",
  "ScopeName",
  "ScopeVersion",
  "SpanAttributes",
  "Duration",
  "StatusCode",
  "StatusMessage",
  "arrayMap(t -> toUnixTimestamp64Nano(t), `Events.Timestamp`) AS ev_ts",
  "`Events.Name` AS ev_name",
  "`Events.Attributes` AS ev_attrs",
  "`Links.TraceId` AS ln_trace",
  "`Links.SpanId` AS ln_span",
  "`Links.TraceState` AS ln_state",
  "`Links.Attributes` AS ln_attrs",
] as const;

type StrMap = Record<string, string>;

/** One row of SPAN_COLUMNS (64-bit integers arrive as strings: output_format_json_quote_64bit_integers). */
export interface SpanRow {
  ts_us: string | number;
  TraceId: string;
  SpanId: string;
  ParentSpanId: string;
  TraceState?: string;
  SpanName: string;
  SpanKind?: string;
  ServiceName: string;
  ResourceAttributes?: StrMap;
  ScopeName?: string;
  ScopeVersion?: string;
  SpanAttributes: StrMap;
  Duration: string | number;
  StatusCode: string;
  StatusMessage?: string;
  ev_ts?: Array<string | number>;
  ev_name?: string[];
  ev_attrs?: StrMap[];
  ln_trace?: string[];
  ln_span?: string[];
  ln_state?: string[];
  ln_attrs?: StrMap[];
}

const KINDS: ReadonlyMap<string, SpanKind> = new Map(
  SPAN_KINDS.flatMap((k) => [
    [`SPAN_KIND_${k}`, k],
    [k.charAt(0) + k.slice(1).toLowerCase(), k],
  ]),
);

const STATUSES: ReadonlyMap<string, SpanStatus> = new Map([
  ["Error", "ERROR"],
  ["STATUS_CODE_ERROR", "ERROR"],
  ["Ok", "OK"],
  ["STATUS_CODE_OK", "OK"],
  ["Unset", "UNSET"],
  ["STATUS_CODE_UNSET", "UNSET"],
]);

export function statusOf(code: string): SpanStatus {
  return STATUSES.get(code) ?? "UNSET";
}

export function kindOf(kind: string | undefined): SpanKind | undefined {
  return kind ? KINDS.get(kind) : undefined;
}

const LEGACY_SCOPE_NAME = "otel.scope.name";
const LEGACY_SCOPE_VERSION = "otel.scope.version";

export function decodeSpan(row: SpanRow): Span {
  const attributes: StrMap = { ...row.SpanAttributes };
  let scopeName = row.ScopeName ?? "";
  let scopeVersion = row.ScopeVersion ?? "";
  // Older exporters had no scope columns and wrote the scope into the span's attributes.
  if (scopeName === "" && attributes[LEGACY_SCOPE_NAME] !== undefined) {
    scopeName = attributes[LEGACY_SCOPE_NAME]!;
    scopeVersion = attributes[LEGACY_SCOPE_VERSION] ?? scopeVersion;
    delete attributes[LEGACY_SCOPE_NAME];
    delete attributes[LEGACY_SCOPE_VERSION];
  }
  const { "service.name": _service, ...resource } = row.ResourceAttributes ?? {};
  const links = (row.ln_trace ?? []).map((traceId, i) => ({
    traceId,
    spanId: row.ln_span?.[i] ?? "",
    ...(row.ln_state?.[i] ? { traceState: row.ln_state[i]! } : {}),
    attributes: row.ln_attrs?.[i] ?? {},
  }));
  const kind = kindOf(row.SpanKind);
  return createSpan({
    traceId: row.TraceId,
    spanId: row.SpanId,
    parentSpanId: row.ParentSpanId || null,
    operationName: row.SpanName,
    serviceName: row.ServiceName,
    startTimeUs: Number(row.ts_us),
    // Integer nanoseconds: no rounding to milliseconds.
    durationMs: Number(row.Duration) / 1e6,
    status: statusOf(row.StatusCode),
    attributes,
    // OTLP nanoseconds, as the other OTLP-fed sources report them.
    events: (row.ev_name ?? []).map((name, i) => ({ name, timestamp: Number(row.ev_ts?.[i] ?? 0), attributes: row.ev_attrs?.[i] ?? {} })),
    ...(kind ? { kind } : {}),
    ...(row.StatusMessage ? { statusMessage: row.StatusMessage } : {}),
    resourceAttributes: resource,
    ...(scopeName !== "" ? { scope: scopeVersion !== "" ? { name: scopeName, version: scopeVersion } : { name: scopeName } } : {}),
    ...(row.TraceState ? { traceState: row.TraceState } : {}),
    links,
  });
}
