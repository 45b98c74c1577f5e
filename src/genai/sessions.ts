/**
 * Session and user ids of a span, whatever convention recorded them (keys and order in
 * conventions.ts: session.id, gen_ai.conversation.id, traceloop.association.properties.session_id,
 * ai.telemetry.metadata.sessionId, ...). Any span may carry them, LLM call or not: applications usually
 * set them on the request's root span, and OpenInference / OpenLLMetry propagate them to every span.
 */
import type { Attributes } from "../domain/attributes.js";
import type { Span, Trace } from "../domain/trace.js";
import { SESSION_KEYS, USER_KEYS } from "./conventions.js";
import { firstString } from "./read.js";

export function sessionIdOf(attrs: Attributes): string | undefined {
  return firstString(attrs, SESSION_KEYS);
}

export function userIdOf(attrs: Attributes): string | undefined {
  return firstString(attrs, USER_KEYS);
}

/** A trace's session: the root span's, else the first span (in span order) that names one. */
export function traceSessionId(trace: Trace): string | undefined {
  return firstOfSpans(trace.spans, sessionIdOf);
}

/** A trace's user: the root span's, else the first span (in span order) that names one. */
export function traceUserId(trace: Trace): string | undefined {
  return firstOfSpans(trace.spans, userIdOf);
}

function firstOfSpans(spans: readonly Span[], read: (a: Attributes) => string | undefined): string | undefined {
  const ordered = [...spans.filter((s) => !s.parentSpanId), ...spans.filter((s) => s.parentSpanId)];
  for (const s of ordered) {
    const v = read(s.attributes);
    if (v) return v;
  }
  return undefined;
}
