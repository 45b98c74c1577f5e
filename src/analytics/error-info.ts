/**
 * What went wrong in an error span: message, type and stack, read from attributes first, then
 * from OTel `exception` events (where SDKs record them), then from the span status and HTTP
 * status, so an HTTP 500 span says more than "Unknown error".
 */
import { attrInt, attrString } from "../domain/attributes.js";
import type { Span } from "../domain/trace.js";

export interface ErrorInfo {
  message: string;
  type?: string;
  stack?: string;
  /** HTTP status code, when the span carries one. */
  httpStatus?: number;
}

function detail(span: Span, attrKeys: readonly string[], eventKey: string): string | undefined {
  for (const key of attrKeys) {
    const v = attrString(span.attributes, key);
    if (v) return v;
  }
  for (const e of span.events) {
    if (e.name !== "exception") continue;
    const v = attrString(e.attributes, eventKey);
    if (v) return v;
  }
  return undefined;
}

export function httpStatusOf(span: Span): number | undefined {
  return attrInt(span.attributes, "http.response.status_code") ?? attrInt(span.attributes, "http.status_code") ?? undefined;
}

export function errorInfo(span: Span): ErrorInfo {
  const http = httpStatusOf(span);
  const message =
    detail(span, ["error.message", "exception.message"], "exception.message") ??
    span.statusMessage ??
    attrString(span.attributes, "otel.status_description") ??
    (http !== undefined ? `HTTP ${http}` : undefined) ??
    "Unknown error";
  const type = detail(span, ["error.type", "exception.type"], "exception.type");
  const stack = detail(span, ["exception.stacktrace"], "exception.stacktrace");
  return { message, ...(type ? { type } : {}), ...(stack ? { stack } : {}), ...(http !== undefined ? { httpStatus: http } : {}) };
}
