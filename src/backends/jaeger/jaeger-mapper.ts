/**
 * Jaeger query-API JSON (the `data` of /api/traces and /api/traces/{id}) -> domain traces.
 * Lenient by design: a span that cannot be read is skipped and counted, a trace left without
 * spans is skipped and counted, so one odd span never costs the whole answer.
 */
import { assembleTrace, createSpan, type Span, type SpanStatus, type Trace } from "../../domain/trace.js";

export interface JaegerMapStats {
  skippedTraces: number;
  skippedSpans: number;
}

export interface JaegerMapResult {
  traces: Trace[];
  stats: JaegerMapStats;
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function hexId(v: unknown): string | undefined {
  return typeof v === "string" && v.trim() !== "" ? v.trim().toLowerCase() : undefined;
}

function finiteNumber(v: unknown): number | undefined {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

/** Jaeger key/value lists (`tags`, log `fields`) -> attributes, keeping each value's JSON type. */
function keyValues(list: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!Array.isArray(list)) return out;
  for (const kv of list) {
    if (!isObject(kv) || typeof kv.key !== "string") continue;
    if (kv.value === null || kv.value === undefined) continue;
    out[kv.key] = kv.value;
  }
  return out;
}

function statusOf(tags: Record<string, unknown>): SpanStatus {
  const code = tags["otel.status_code"];
  if (tags.error === true || tags.error === "true" || code === "ERROR") return "ERROR";
  if (code === "OK") return "OK";
  return "UNSET";
}

/**
 * The parent is the first CHILD_OF reference within the same trace. Without one we fall back to
 * the first same-trace reference of any type: OpenTracing-era clients record async children as
 * FOLLOWS_FROM only, and dropping that link would turn them into extra roots. References into
 * another trace are links (how Jaeger renders OTel span links), never parents.
 */
function parentOf(references: unknown, traceId: string): string | null {
  if (!Array.isArray(references)) return null;
  const sameTrace = references.filter(
    (r): r is Json => isObject(r) && hexId(r.spanID) !== undefined && (r.traceID === undefined || hexId(r.traceID) === traceId),
  );
  const parent = sameTrace.find((r) => r.refType === "CHILD_OF") ?? sameTrace[0];
  return parent ? hexId(parent.spanID)! : null;
}

function eventsOf(logs: unknown): Array<{ name: string; timestamp: number; attributes: Record<string, unknown> }> {
  if (!Array.isArray(logs)) return [];
  const events = [];
  for (const log of logs) {
    if (!isObject(log)) continue;
    const attributes = keyValues(log.fields);
    const event = attributes.event;
    const name = typeof event === "string" && event !== "" ? event : "message" in attributes ? "log" : "event";
    events.push({ name, timestamp: finiteNumber(log.timestamp) ?? 0, attributes });
  }
  return events;
}

function serviceOf(span: Json, processes: Json): string {
  const byId = typeof span.processID === "string" ? processes[span.processID] : undefined;
  for (const p of [byId, span.process]) {
    if (isObject(p) && typeof p.serviceName === "string" && p.serviceName !== "") return p.serviceName;
  }
  return "unknown";
}

/** One Jaeger span; undefined when a required field is missing or malformed. */
export function mapJaegerSpan(raw: unknown, processes: Json, traceIdHint?: string): Span | undefined {
  if (!isObject(raw)) return undefined;
  const traceId = hexId(raw.traceID) ?? traceIdHint;
  const spanId = hexId(raw.spanID);
  const operationName = raw.operationName;
  const startTimeUs = finiteNumber(raw.startTime);
  const durationUs = finiteNumber(raw.duration);
  if (!traceId || !spanId || typeof operationName !== "string" || startTimeUs === undefined || durationUs === undefined) {
    return undefined;
  }
  const tags = keyValues(raw.tags);
  return createSpan({
    traceId,
    spanId,
    parentSpanId: parentOf(raw.references, traceId),
    operationName,
    serviceName: serviceOf(raw, processes),
    startTimeUs,
    durationMs: durationUs / 1000,
    status: statusOf(tags),
    attributes: tags,
    events: eventsOf(raw.logs),
  });
}

/** One element of Jaeger's `data` array; undefined when it has no readable span. */
export function mapJaegerTrace(raw: unknown, stats: JaegerMapStats = { skippedTraces: 0, skippedSpans: 0 }): Trace | undefined {
  const traceId = isObject(raw) ? hexId(raw.traceID) : undefined;
  if (!isObject(raw) || !traceId || !Array.isArray(raw.spans)) {
    stats.skippedTraces++;
    return undefined;
  }
  const processes = isObject(raw.processes) ? raw.processes : {};
  const spans: Span[] = [];
  for (const s of raw.spans) {
    const span = mapJaegerSpan(s, processes, traceId);
    if (span) spans.push(span);
    else stats.skippedSpans++;
  }
  const trace = assembleTrace(traceId, spans);
  if (!trace) stats.skippedTraces++;
  return trace;
}

/** Jaeger's `data` (an array, or null for "nothing") -> traces plus what had to be skipped. */
export function mapJaegerTraces(data: unknown): JaegerMapResult {
  const stats: JaegerMapStats = { skippedTraces: 0, skippedSpans: 0 };
  const traces: Trace[] = [];
  if (Array.isArray(data)) {
    for (const raw of data) {
      const trace = mapJaegerTrace(raw, stats);
      if (trace) traces.push(trace);
    }
  }
  return { traces, stats };
}

/** Plain-language note about skipped items, or nothing when everything was readable. */
export function skippedNote(stats: JaegerMapStats): string[] {
  if (stats.skippedTraces === 0 && stats.skippedSpans === 0) return [];
  const parts = [];
  if (stats.skippedTraces) parts.push(`${stats.skippedTraces} trace(s)`);
  if (stats.skippedSpans) parts.push(`${stats.skippedSpans} span(s)`);
  return [
    `${parts.join(" and ")} in Jaeger's answer could not be read (missing ids, operation name or timing) and were skipped.`,
  ];
}
