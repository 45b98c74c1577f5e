/**
 * The one place that turns an OTLP span, already read off either wire (JSON or protobuf), into a
 * domain Span: validation, time arithmetic and the resource/scope context. Sharing it is what
 * makes both wires yield identical Spans for the same data.
 */
import type { AttributeValue } from "../domain/attributes.js";
import { createSpan, type Span, type SpanKind, type SpanStatus } from "../domain/trace.js";
import type { RejectReason } from "./decoded-spans.js";

type AttributeMap = Record<string, AttributeValue>;

/** What every span of one ResourceSpans/ScopeSpans shares. */
export interface SpanOrigin {
  serviceName: string;
  /** Resource attributes other than service.name. */
  resourceAttributes: AttributeMap;
  scope?: { name: string; version?: string };
  /** Used when a span's own trace id is absent or malformed (Tempo: the id that was asked for). */
  fallbackTraceId?: string;
}

/**
 * A span as read off the wire. Ids are lowercase hex, "" when absent and undefined when malformed
 * (see ids.ts); times are OTLP nanoseconds, 0n when absent.
 */
export interface SpanParts {
  traceId: string | undefined;
  spanId: string | undefined;
  parentSpanId: string | undefined;
  name: string;
  startNs: bigint;
  endNs: bigint;
  kind: SpanKind;
  status: SpanStatus;
  statusMessage: string;
  traceState: string;
  attributes: AttributeMap;
  events: Array<{ name: string; timestamp: number; attributes: AttributeMap }>;
  links: Array<{ traceId: string; spanId: string; traceState?: string; attributes: AttributeMap }>;
}

/** The service of a resource: its non-empty `service.name`, else "unknown" (as the original). */
export function originOfResource(resource: AttributeMap): Pick<SpanOrigin, "serviceName" | "resourceAttributes"> {
  const { "service.name": svc, ...rest } = resource;
  return { serviceName: typeof svc === "string" && svc !== "" ? svc : "unknown", resourceAttributes: rest };
}

/** `{name, version}` of an instrumentation scope, or undefined when it names nothing. */
export function scopeOf(name: unknown, version: unknown): SpanOrigin["scope"] {
  const n = typeof name === "string" ? name : "";
  const v = typeof version === "string" ? version : "";
  if (n === "" && v === "") return undefined;
  return v === "" ? { name: n } : { name: n, version: v };
}

/** A validated domain Span, or why the span was rejected. */
export function buildSpan(parts: SpanParts, origin: SpanOrigin): Span | RejectReason {
  const traceId = parts.traceId || origin.fallbackTraceId;
  if (!traceId) return "invalid trace id";
  if (!parts.spanId) return "invalid span id";
  if (parts.parentSpanId === undefined) return "invalid parent span id";
  if (parts.name === "") return "missing name";
  if (parts.startNs <= 0n) return "missing start time";
  const { startNs, endNs } = parts;
  return createSpan({
    traceId,
    spanId: parts.spanId,
    parentSpanId: parts.parentSpanId || null,
    operationName: parts.name,
    serviceName: origin.serviceName,
    startTimeUs: Number(startNs / 1000n),
    // A missing or earlier end is a zero-length span, not a negative one.
    durationMs: endNs > startNs ? Number(endNs - startNs) / 1e6 : 0,
    status: parts.status,
    attributes: parts.attributes,
    events: parts.events,
    kind: parts.kind,
    statusMessage: parts.statusMessage,
    resourceAttributes: origin.resourceAttributes,
    ...(origin.scope ? { scope: origin.scope } : {}),
    traceState: parts.traceState,
    links: parts.links,
  });
}
