/**
 * Backend-neutral trace model. Every adapter maps its wire format into these shapes;
 * tools never see vendor JSON.
 */
import { normalizeAttributes, type Attributes } from "./attributes.js";

export type SpanStatus = "OK" | "ERROR" | "UNSET";

/** OTLP span kinds, without the SPAN_KIND_ prefix. Adapters that cannot tell leave `kind` unset. */
export const SPAN_KINDS = ["UNSPECIFIED", "INTERNAL", "SERVER", "CLIENT", "PRODUCER", "CONSUMER"] as const;
export type SpanKind = (typeof SPAN_KINDS)[number];

export interface SpanLink {
  traceId: string;
  spanId: string;
  traceState?: string;
  attributes: Attributes;
}

export interface SpanEvent {
  name: string;
  /** Backend-specific unit (Jaeger µs, OTLP ns, Traceloop ms); informational only. */
  timestamp: number;
  attributes: Attributes;
}

export interface Span {
  traceId: string;
  spanId: string;
  /** null for root spans. */
  parentSpanId: string | null;
  operationName: string;
  serviceName: string;
  /** Start as epoch microseconds (integer): keeps the µs precision the original prints. */
  startTimeUs: number;
  durationMs: number;
  status: SpanStatus;
  attributes: Attributes;
  events: SpanEvent[];
  /** Optional OTLP detail, set by adapters whose wire format carries it (OTLP, the local store). */
  kind?: SpanKind;
  statusMessage?: string;
  /** Resource attributes other than service.name (which is `serviceName`). */
  resourceAttributes?: Attributes;
  scope?: { name: string; version?: string };
  traceState?: string;
  links?: SpanLink[];
}

export interface Trace {
  traceId: string;
  spans: Span[];
  startTimeUs: number;
  durationMs: number;
  /** Service of the root span. */
  serviceName: string;
  /** Operation of the root span. */
  rootOperation: string;
  status: SpanStatus;
  /** Set when the backend could return only part of the trace (e.g. its root span). */
  partial?: boolean;
  /**
   * Set (with `partial`) when the trace answers a search's projection (BackendSearch.select): its
   * spans are exactly the spans the projection asked for, carrying only the selected attributes.
   * Enough for the caller that asked; never cached or shown as the trace itself.
   */
  projected?: boolean;
}

export interface SpanInit {
  traceId: string;
  spanId: string;
  parentSpanId?: string | null;
  operationName: string;
  serviceName: string;
  startTimeUs: number;
  durationMs: number;
  status?: SpanStatus;
  attributes?: Record<string, unknown>;
  events?: Array<{ name: string; timestamp: number; attributes?: Record<string, unknown> }>;
  kind?: SpanKind;
  statusMessage?: string;
  resourceAttributes?: Record<string, unknown>;
  scope?: { name: string; version?: string };
  traceState?: string;
  links?: Array<{ traceId: string; spanId: string; traceState?: string; attributes?: Record<string, unknown> }>;
}

/** Builds a span, coercing the well-known attribute keys to their types (see attributes.ts). */
export function createSpan(init: SpanInit): Span {
  return {
    traceId: init.traceId,
    spanId: init.spanId,
    parentSpanId: init.parentSpanId ? init.parentSpanId : null,
    operationName: init.operationName,
    serviceName: init.serviceName,
    startTimeUs: Math.trunc(init.startTimeUs),
    durationMs: init.durationMs,
    status: init.status ?? "UNSET",
    attributes: normalizeAttributes(init.attributes ?? {}),
    events: (init.events ?? []).map((e) => ({
      name: e.name,
      timestamp: e.timestamp,
      attributes: normalizeAttributes(e.attributes ?? {}),
    })),
    ...(init.kind ? { kind: init.kind } : {}),
    ...(init.statusMessage ? { statusMessage: init.statusMessage } : {}),
    ...(init.resourceAttributes && Object.keys(init.resourceAttributes).length > 0
      ? { resourceAttributes: normalizeAttributes(init.resourceAttributes) }
      : {}),
    ...(init.scope ? { scope: init.scope } : {}),
    ...(init.traceState ? { traceState: init.traceState } : {}),
    ...(init.links && init.links.length > 0
      ? { links: init.links.map((l) => ({ ...l, attributes: normalizeAttributes(l.attributes ?? {}) })) }
      : {}),
  };
}

/**
 * Assembles a trace from its spans with the original's rule: the root is the first span without a
 * parent (else the first span); start = earliest span start; duration = latest span end - start;
 * status = ERROR if any span is ERROR, else OK. Returns undefined for an empty span list.
 */
export function assembleTrace(traceId: string, spans: Span[]): Trace | undefined {
  if (spans.length === 0) return undefined;
  const root = spans.find((s) => !s.parentSpanId) ?? spans[0]!;
  let startUs = Infinity;
  let endUs = -Infinity;
  for (const s of spans) {
    startUs = Math.min(startUs, s.startTimeUs);
    endUs = Math.max(endUs, s.startTimeUs + s.durationMs * 1000);
  }
  return {
    traceId,
    spans,
    startTimeUs: startUs,
    durationMs: (endUs - startUs) / 1000,
    serviceName: root.serviceName,
    rootOperation: root.operationName,
    status: spans.some((s) => s.status === "ERROR") ? "ERROR" : "OK",
  };
}

export function spanHasError(span: Span): boolean {
  return span.status === "ERROR";
}

export function traceHasErrors(trace: Trace): boolean {
  return trace.spans.some(spanHasError);
}
