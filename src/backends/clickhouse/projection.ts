/**
 * Span columns with only part of each span: the attributes and events a reader names, computed in
 * ClickHouse (mapFilter / arrayFilter) so the rest of the Map and Nested columns never leaves the
 * server. Resource attributes and links are not carried. The row shape stays SPAN_COLUMNS' (minus
 * what is dropped), so decodeSpan reads it as it reads a whole span.
 */
import { SPAN_COLUMNS } from "./rows.js";

export interface SpanColumnProjection {
  /** SQL over the lambda argument `k` (an attribute key): TRUE for the keys to keep. */
  keepKey: (k: string) => string;
  /** SQL array of the event names to keep. */
  events: string;
}

/** Older exporters wrote the scope into SpanAttributes (rows.ts decodeSpan reads it from there). */
const LEGACY_SCOPE_KEYS = "('otel.scope.name', 'otel.scope.version')";

const DROPPED = new Set(["ResourceAttributes", "`Links.TraceId` AS ln_trace", "`Links.SpanId` AS ln_span", "`Links.TraceState` AS ln_state", "`Links.Attributes` AS ln_attrs"]);

const EVENT_COLUMNS = {
  ts: "arrayMap(t -> toUnixTimestamp64Nano(t), `Events.Timestamp`) AS ev_ts",
  name: "`Events.Name` AS ev_name",
  attrs: "`Events.Attributes` AS ev_attrs",
} as const;

// The switch below rewrites these columns by their text: a changed SPAN_COLUMNS must not slip through unprojected.
for (const c of ["SpanAttributes", ...Object.values(EVENT_COLUMNS), ...DROPPED]) {
  if (!(SPAN_COLUMNS as readonly string[]).includes(c)) throw new Error(`projection.ts: SPAN_COLUMNS has no ${c}`);
}

export function projectedSpanColumns(p: SpanColumnProjection): string[] {
  const keepEvent = (column: string, alias: string): string => `arrayFilter((_v, _n) -> has(${p.events}, _n), ${column}, \`Events.Name\`) AS ${alias}`;
  return SPAN_COLUMNS.filter((c) => !DROPPED.has(c)).map((c) => {
    switch (c) {
      case "SpanAttributes":
        return `mapFilter((_k, _v) -> (${p.keepKey("_k")}) OR (ScopeName = '' AND _k IN ${LEGACY_SCOPE_KEYS}), SpanAttributes) AS SpanAttributes`;
      case EVENT_COLUMNS.ts:
        return keepEvent("arrayMap(t -> toUnixTimestamp64Nano(t), `Events.Timestamp`)", "ev_ts");
      case EVENT_COLUMNS.name:
        return keepEvent("`Events.Name`", "ev_name");
      case EVENT_COLUMNS.attrs:
        return keepEvent("`Events.Attributes`", "ev_attrs");
      default:
        return c;
    }
  });
}
