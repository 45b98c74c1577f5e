/**
 * otel_traces rows -> domain spans: the inverse of encode.ts. `SPAN_SELECT` is the projection
 * every span-returning query uses, so the decoder sees one shape.
 */
import type { Attributes } from "../domain/attributes.js";
import { SPAN_KINDS, type Span, type SpanKind, type SpanLink, type SpanStatus } from "../domain/trace.js";
import { decodeAttributes } from "./attribute-codec.js";
import { KIND_NAMES, STATUS_NAMES, type AttributeTypesDoc } from "./encode.js";

export const SPAN_SELECT = [
  "epoch_us(Timestamp) AS ts_us",
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
  `list_transform("Events.Timestamp", t -> epoch_ns(t)) AS ev_ts`,
  `"Events.Name" AS ev_name`,
  `"Events.Attributes" AS ev_attrs`,
  `"Links.TraceId" AS ln_trace`,
  `"Links.SpanId" AS ln_span`,
  `"Links.TraceState" AS ln_state`,
  `"Links.Attributes" AS ln_attrs`,
  "AttributeTypes",
].join(", ");

type StrMap = Record<string, string> | null;

export interface SpanRow {
  ts_us: number;
  TraceId: string;
  SpanId: string;
  ParentSpanId: string;
  TraceState: string | null;
  SpanName: string;
  SpanKind: string | null;
  ServiceName: string;
  ResourceAttributes: StrMap;
  ScopeName: string | null;
  ScopeVersion: string | null;
  SpanAttributes: StrMap;
  Duration: number;
  StatusCode: string;
  StatusMessage: string | null;
  /** Nanoseconds; strings when beyond 2^53 (the row converter keeps them exact). */
  ev_ts: Array<number | string> | null;
  ev_name: string[] | null;
  ev_attrs: StrMap[] | null;
  ln_trace: string[] | null;
  ln_span: string[] | null;
  ln_state: string[] | null;
  ln_attrs: StrMap[] | null;
  AttributeTypes: string | null;
  /** When only some events were read: the index each had on the span (AttributeTypes is keyed by it). */
  ev_idx?: number[] | null;
}

const KIND_BY_NAME: ReadonlyMap<string, SpanKind> = new Map(SPAN_KINDS.map((k) => [KIND_NAMES[k], k]));
export const STATUS_BY_NAME: ReadonlyMap<string, SpanStatus> = new Map(
  (Object.keys(STATUS_NAMES) as SpanStatus[]).map((s) => [STATUS_NAMES[s], s]),
);

export function decodeSpan(row: SpanRow): Span {
  const types: AttributeTypesDoc = row.AttributeTypes ? (JSON.parse(row.AttributeTypes) as AttributeTypesDoc) : {};
  const evNames = row.ev_name ?? [];
  const span: Span = {
    traceId: row.TraceId,
    spanId: row.SpanId,
    parentSpanId: row.ParentSpanId ? row.ParentSpanId : null,
    operationName: row.SpanName,
    serviceName: row.ServiceName,
    startTimeUs: Number(row.ts_us),
    durationMs: Number(row.Duration) / 1e6,
    status: STATUS_BY_NAME.get(row.StatusCode) ?? "UNSET",
    attributes: decodeAttributes(row.SpanAttributes, types.span),
    events: evNames.map((name, i) => ({
      name,
      timestamp: Number(row.ev_ts?.[i] ?? 0),
      attributes: decodeAttributes(row.ev_attrs?.[i], types.events?.[String(row.ev_idx?.[i] ?? i)]),
    })),
  };
  const kind = row.SpanKind ? KIND_BY_NAME.get(row.SpanKind) : undefined;
  if (kind) span.kind = kind;
  if (row.StatusMessage) span.statusMessage = row.StatusMessage;
  const resource: Attributes = decodeAttributes(row.ResourceAttributes, types.resource, "service.name");
  if (Object.keys(resource).length > 0) span.resourceAttributes = resource;
  if (row.ScopeName !== null && row.ScopeName !== undefined) {
    span.scope = row.ScopeVersion !== null && row.ScopeVersion !== undefined ? { name: row.ScopeName, version: row.ScopeVersion } : { name: row.ScopeName };
  }
  if (row.TraceState) span.traceState = row.TraceState;
  const linkIds = row.ln_trace ?? [];
  if (linkIds.length > 0) {
    span.links = linkIds.map((traceId, i): SpanLink => {
      const link: SpanLink = {
        traceId,
        spanId: row.ln_span?.[i] ?? "",
        attributes: decodeAttributes(row.ln_attrs?.[i], types.links?.[String(i)]),
      };
      const state = row.ln_state?.[i];
      if (state) link.traceState = state;
      return link;
    });
  }
  return span;
}
