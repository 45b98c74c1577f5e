/**
 * What a group-by field means on a span row and on a trace row. Pseudo-fields: service.name,
 * operation_name, status, model (response model, else request model), gen_ai.provider.name (the
 * provider, whatever convention recorded it); any other name is an attribute. On a trace row the
 * trace's own values are used (root service and name, trace status) and an attribute is the
 * root span's.
 */
import { ownAttribute, type AttributeValue } from "../domain/attributes.js";
import type { Span, Trace } from "../domain/trace.js";
import { genaiFieldValue, isNormalizedGenAiField } from "../genai/fields.js";

export type KeyValue = string | number | boolean | null;

export const GROUP_PSEUDO_FIELDS = ["service.name", "operation_name", "status", "model", "gen_ai.provider.name"] as const;

function scalar(v: AttributeValue | undefined): KeyValue {
  if (v === undefined || v === null) return null;
  if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") return v;
  return JSON.stringify(v);
}

export function spanFieldValue(span: Span, field: string): KeyValue {
  switch (field) {
    case "trace_id":
      return span.traceId;
    case "service.name":
      return span.serviceName;
    case "operation_name":
    case "name":
      return span.operationName;
    case "status":
      return span.status;
    default:
      // Normalised GenAI fields read the same whatever convention recorded the span.
      return isNormalizedGenAiField(field) ? scalar(genaiFieldValue(span, field)) : scalar(ownAttribute(span.attributes, field));
  }
}

export function traceRoot(trace: Trace): Span | undefined {
  return trace.spans.find((s) => !s.parentSpanId) ?? trace.spans[0];
}

export function traceFieldValue(trace: Trace, field: string): KeyValue {
  switch (field) {
    case "trace_id":
      return trace.traceId;
    case "service.name":
      return trace.serviceName;
    case "operation_name":
    case "name":
      return trace.rootOperation;
    case "status":
      return trace.status;
    default: {
      if (isNormalizedGenAiField(field)) {
        // A trace is one row, so one value: the first span (by start) that has one.
        const first = [...trace.spans].sort((a, b) => a.startTimeUs - b.startTimeUs).find((s) => genaiFieldValue(s, field) !== undefined);
        return first ? spanFieldValue(first, field) : null;
      }
      const root = traceRoot(trace);
      return root ? scalar(ownAttribute(root.attributes, field)) : null;
    }
  }
}
