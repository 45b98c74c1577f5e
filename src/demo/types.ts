/**
 * The demo plan as plain data: every trace, span, timing, attribute, event and status the
 * emitter will send. Tests compute their expected answers from this data alone, so it must
 * describe exactly what reaches the backend.
 */

export type DemoAttributeValue = string | number | boolean | string[];
export type DemoAttributes = Record<string, DemoAttributeValue>;

export type DemoSpanKind = "internal" | "server" | "client";

export interface DemoEvent {
  /** "exception" events are emitted with Span.recordException (type/message/stacktrace). */
  name: string;
  timeUs: number;
  attributes: DemoAttributes;
}

export interface DemoStatus {
  code: "UNSET" | "OK" | "ERROR";
  message?: string;
}

export interface DemoSpan {
  /** 16 lowercase hex characters. */
  spanId: string;
  parentSpanId: string | null;
  service: string;
  name: string;
  kind: DemoSpanKind;
  /** Epoch microseconds (integers). */
  startUs: number;
  endUs: number;
  attributes: DemoAttributes;
  events: DemoEvent[];
  status: DemoStatus;
}

/** Why a trace is interesting; tests use these to check orderings and error handling. */
export type DemoLabel = "slow_outlier" | "rate_limited" | "tool_error" | "db_error" | "failed_request" | "cache_tokens";

export interface DemoTrace {
  /** 32 lowercase hex characters. */
  traceId: string;
  /** Workflow name of the root span. */
  workflow: string;
  labels: DemoLabel[];
  /** Root first, then the rest in start order. */
  spans: DemoSpan[];
}

export interface DemoPlan {
  seed: number;
  nowMs: number;
  /** Every span starts and ends inside [windowStartMs, windowEndMs]. */
  windowStartMs: number;
  windowEndMs: number;
  services: string[];
  traces: DemoTrace[];
}

export interface DemoPlanOptions {
  seed: number;
  traces: number;
  /** The plan ends shortly before this instant (epoch ms). */
  nowMs: number;
}
