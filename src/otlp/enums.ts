/**
 * OTLP enums as both wires send them: protobuf and the OTel JS JSON serializer send integers,
 * proto3 JSON (and Tempo) send names such as "SPAN_KIND_SERVER" / "STATUS_CODE_ERROR".
 */
import { SPAN_KINDS, type SpanKind, type SpanStatus } from "../domain/trace.js";

const STATUS_BY_INT: readonly SpanStatus[] = ["UNSET", "OK", "ERROR"];

/** Span.SpanKind (int or name, with or without the prefix) -> domain kind; unknown -> UNSPECIFIED. */
export function spanKindOf(raw: unknown): SpanKind {
  if (typeof raw === "number") return SPAN_KINDS[raw] ?? "UNSPECIFIED";
  if (typeof raw === "string") {
    const name = raw.toUpperCase().replace(/^SPAN_KIND_/, "");
    return (SPAN_KINDS as readonly string[]).includes(name) ? (name as SpanKind) : "UNSPECIFIED";
  }
  return "UNSPECIFIED";
}

/** Status.StatusCode (int or name) -> domain status; unknown -> UNSET. */
export function statusCodeOf(raw: unknown): SpanStatus {
  if (typeof raw === "number") return STATUS_BY_INT[raw] ?? "UNSET";
  if (typeof raw === "string") {
    const c = raw.toUpperCase();
    if (c.endsWith("ERROR")) return "ERROR";
    if (c.endsWith("OK")) return "OK";
  }
  return "UNSET";
}
