/**
 * What a trace id looks like, checked before any request: 1 to 32 hexadecimal characters (W3C
 * trace ids are 32; Jaeger and Tempo drop leading zeros). Anything else ("." or "..", a path, a
 * query string) would reach other endpoints once it is put in a URL path.
 */
const TRACE_ID = /^[0-9a-fA-F]{1,32}$/;

/** For messages: what a valid id looks like. */
export const TRACE_ID_HINT = "a trace id is 1 to 32 hexadecimal characters (0-9, a-f), e.g. 42ff472d7feb6215bec0cf4e350675b2";

export function isTraceId(id: string): boolean {
  return TRACE_ID.test(id.trim());
}

/** Lowercase, padded to 32 characters; undefined when `id` is not a trace id. */
export function normalizeTraceId(id: string): string | undefined {
  const t = id.trim();
  return TRACE_ID.test(t) ? t.toLowerCase().padStart(32, "0") : undefined;
}

/** The id as quoted in a message: at most 64 characters. */
export function quoteTraceId(id: string): string {
  return id.length > 64 ? `${id.slice(0, 64)}…` : id;
}
