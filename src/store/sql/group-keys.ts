/**
 * Group-by fields -> SQL, with the values src/analytics/fields.ts gives (spanFieldValue on a span
 * row, traceFieldValue on a trace row): the pseudo-fields, the normalised GenAI fields (whatever
 * convention recorded them), and plain attributes with their own JSON types (a number groups as a
 * number, a string "42" apart from it; arrays and maps as their JSON text; NULL when missing).
 *
 * A key is computed in two steps: `row` columns per row (a span, or for a trace an aggregate over
 * its spans), then `parts` over those columns, which the query groups by; `decode` turns the parts
 * of a result row into the key value.
 */
import type { KeyValue } from "../../analytics/fields.js";
import { isNormalizedGenAiField } from "../../genai/fields.js";
import { STATUS_SQL, traceAggregates } from "./fields.js";
import type { SqlContext, TableShape } from "./table.js";

export interface KeyColumns {
  /** Alias -> SQL, per row. */
  row: Array<[alias: string, sql: string]>;
  /** SQL over the row aliases that the query groups by (and selects). */
  parts: string[];
  decode(parts: readonly unknown[]): KeyValue;
}

const plain = (alias: string, sql: string): KeyColumns => ({
  row: [[alias, sql]],
  parts: [alias],
  decode: ([v]) => (v === undefined ? null : (v as KeyValue)),
});

/** What JavaScript prints for numbers JSON cannot hold: in a key they are null (JSON.stringify), so they group with it. */
const NON_FINITE = "('NaN', 'Infinity', '-Infinity')";

/**
 * A value that may carry a recorded type: numbers as JavaScript prints them (a digit, '-', or
 * Infinity/NaN first) and the two boolean words. Any other text is a string whatever its type
 * says (arrays and maps are keyed by their JSON text, which is the stored text), so the type is
 * looked up only for these.
 */
const mayBeTyped = (v: string): string =>
  `(${v} IN ('true', 'false') OR substring(${v}, 1, 1) IN ('-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'I', 'N'))`;

/** An attribute's value and recorded type, per row; keyed by (text, class) where class is n(umber), b(oolean) or s(tring). */
function typedAttribute(alias: string, value: string, type: string | undefined): KeyColumns {
  if (type === undefined) return plain(alias, value);
  const v = `${alias}_v`;
  const t = `${alias}_t`;
  const cls = `(CASE WHEN ${v} IS NULL THEN NULL WHEN ${t} IN ('int', 'double') THEN 'n' WHEN ${t} = 'bool' THEN 'b' ELSE 's' END)`;
  const nonFinite = `(${t} IN ('int', 'double') AND ${v} IN ${NON_FINITE})`;
  return {
    row: [
      [v, value],
      [t, type],
    ],
    parts: [`(CASE WHEN ${nonFinite} THEN NULL ELSE ${v} END)`, `(CASE WHEN ${nonFinite} THEN NULL ELSE ${cls} END)`],
    decode: ([text, c]) => {
      if (text === null || text === undefined) return null;
      if (c === "n") return Number(text);
      if (c === "b") return text === "true";
      return String(text);
    },
  };
}

function attributeSql(field: string, ctx: SqlContext, table: TableShape): { value: string; type: string | undefined } {
  const value = ctx.dialect.mapValue("SpanAttributes", ctx.params.add(field, "VARCHAR"));
  const type = table.spanAttributeType ? `(CASE WHEN ${mayBeTyped(value)} THEN ${table.spanAttributeType(field, ctx)} END)` : undefined;
  return { value, type };
}

/** spanFieldValue as SQL over a span row. */
export function spanKey(field: string, alias: string, ctx: SqlContext, table: TableShape): KeyColumns {
  switch (field) {
    case "trace_id":
      return plain(alias, "TraceId");
    case "service.name":
      return plain(alias, "ServiceName");
    case "operation_name":
    case "name":
      return plain(alias, "SpanName");
    case "status":
      return plain(alias, STATUS_SQL);
    default: {
      if (isNormalizedGenAiField(field)) return plain(alias, table.genaiField(field, ctx).sql);
      const { value, type } = attributeSql(field, ctx, table);
      return typedAttribute(alias, value, type);
    }
  }
}

/**
 * traceFieldValue as SQL aggregates over the spans of one trace (a GROUP BY TraceId): the trace's
 * root service and name and its status; a normalised GenAI field from the first span (by start,
 * then span id: the order the store returns a trace's spans in) that has one; any other attribute
 * from the root span.
 */
export function traceKey(field: string, alias: string, ctx: SqlContext, table: TableShape): KeyColumns {
  const d = ctx.dialect;
  const agg = traceAggregates(d);
  switch (field) {
    case "trace_id":
      // One group per trace: the rows are grouped by TraceId already.
      return plain(alias, "TraceId");
    case "service.name":
      return plain(alias, agg.rootService);
    case "operation_name":
    case "name":
      return plain(alias, agg.rootOperation);
    case "status":
      return plain(alias, agg.status);
    default: {
      if (isNormalizedGenAiField(field)) return plain(alias, d.argMinBy(table.genaiField(field, ctx).sql, ["Timestamp", "SpanId"]));
      const { value, type } = attributeSql(field, ctx, table);
      if (type === undefined) return plain(alias, d.argMinRow([value], agg.rootKey)[0]!);
      const [v, t] = d.argMinRow([value, type], agg.rootKey);
      return typedAttribute(alias, v!, t!);
    }
  }
}
