/**
 * What went wrong in an error span: message, type and stack, read from attributes first, then
 * from OTel `exception` events (where SDKs record them), then from the span status and HTTP
 * status, so an HTTP 500 span says more than "Unknown error".
 */
import { attrInt, attrString } from "../domain/attributes.js";
import type { Span } from "../domain/trace.js";
import { LLM_CALL_ATTRIBUTE_KEYS } from "../genai/call-keys.js";
import { TOOL_SPAN_KEYS } from "../genai/tool-span.js";

const MESSAGE_KEYS = ["error.message", "exception.message"] as const;
const TYPE_KEYS = ["error.type", "exception.type"] as const;
const STACK_KEYS = ["exception.stacktrace"] as const;
const HTTP_STATUS_KEYS = ["http.response.status_code", "http.status_code"] as const;

/** The events errorInfo reads. */
export const ERROR_EVENTS: readonly string[] = ["exception"];

/**
 * Every attribute key an error span's analysis reads: errorInfo's, the tool-span rule's, the LLM
 * call's (provider and model; analyze_errors' LLM details and normalised group-bys), and the
 * group-by fields themselves. A span carrying just these (and its ERROR_EVENTS) is analysed as
 * the whole span would be.
 */
export function errorAttributeKeys(groupBy: readonly string[]): string[] {
  return [
    ...new Set([...MESSAGE_KEYS, ...TYPE_KEYS, ...STACK_KEYS, ...HTTP_STATUS_KEYS, "otel.status_description", ...TOOL_SPAN_KEYS, ...LLM_CALL_ATTRIBUTE_KEYS, ...groupBy]),
  ];
}

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
    if (!ERROR_EVENTS.includes(e.name)) continue;
    const v = attrString(e.attributes, eventKey);
    if (v) return v;
  }
  return undefined;
}

export function httpStatusOf(span: Span): number | undefined {
  return attrInt(span.attributes, HTTP_STATUS_KEYS[0]) ?? attrInt(span.attributes, HTTP_STATUS_KEYS[1]) ?? undefined;
}

export function errorInfo(span: Span): ErrorInfo {
  const http = httpStatusOf(span);
  const message =
    detail(span, MESSAGE_KEYS, "exception.message") ??
    span.statusMessage ??
    attrString(span.attributes, "otel.status_description") ??
    (http !== undefined ? `HTTP ${http}` : undefined) ??
    "Unknown error";
  const type = detail(span, TYPE_KEYS, "exception.type");
  const stack = detail(span, STACK_KEYS, "exception.stacktrace");
  return { message, ...(type ? { type } : {}), ...(stack ? { stack } : {}), ...(http !== undefined ? { httpStatus: http } : {}) };
}
