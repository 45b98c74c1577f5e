/**
 * Tempo's trace-by-id JSON (OTLP/JSON) -> domain Trace, and search listings -> trace ids. Pure.
 *
 * Only Tempo's envelopes live here: v1 `{batches: [...]}`, bare `{resourceSpans: [...]}`, v2
 * `{trace: {resourceSpans: [...]}}`, search hits and tag values. The OTLP/JSON inside them
 * (base64 or hex ids, `instrumentationLibrarySpans`, ...) is decoded by src/otlp/json.ts.
 */
import { assembleTrace, type Trace } from "../../domain/trace.js";
import { decodeJsonResourceSpans, jsonNanos } from "../../otlp/json.js";

// The OTLP/JSON decoders live in src/otlp/ (shared with the receiver); re-exported for callers of this module.
export { decodeAnyValue, decodeAttributes, decodeStatus } from "../../otlp/json.js";
export { otlpIdToHex } from "../../otlp/ids.js";

/** Thrown for bodies we cannot read; the adapter turns it into a BackendError. */
export class TempoShapeError extends Error {
  override name = "TempoShapeError";
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** A trace id as Tempo's API accepts and we report it: 32 lowercase hex chars (Tempo trims leading zeros in listings). */
export function normalizeTraceId(id: string): string | undefined {
  const t = id.trim().toLowerCase();
  return /^[0-9a-f]{1,32}$/.test(t) ? t.padStart(32, "0") : undefined;
}

function resourceSpansOf(body: unknown): unknown[] {
  if (!isObject(body)) throw new TempoShapeError("the body is not a JSON object");
  if (Array.isArray(body.batches)) return body.batches;
  if (Array.isArray(body.resourceSpans)) return body.resourceSpans;
  if (isObject(body.trace)) return asArray(body.trace.resourceSpans);
  // An empty object (or an empty/null member) is a trace with no spans; anything else is not Tempo's shape.
  if (Object.keys(body).length > 0 && !("batches" in body) && !("resourceSpans" in body) && !("trace" in body)) {
    throw new TempoShapeError("expected 'batches', 'resourceSpans' or 'trace.resourceSpans'");
  }
  return [];
}

/**
 * Parses a trace-by-id body. `traceId` (from the request or search listing) becomes the trace's
 * id, and the id of any span that lacks a readable one; spans keep their own decoded ids.
 * Returns undefined when the body holds no spans. Spans missing an id, a name or a start are
 * skipped (as the original did), never the whole trace.
 */
export function mapTempoTrace(body: unknown, traceId: string): Trace | undefined {
  return assembleTrace(traceId, decodeJsonResourceSpans(resourceSpansOf(body), { fallbackTraceId: traceId }).spans);
}

export interface TempoSearchHit {
  traceId: string;
  rootServiceName?: string;
  rootTraceName?: string;
  /** Trace start, epoch µs, when the listing carries it. */
  startTimeUs?: number;
  durationMs?: number;
}

/**
 * The hits of `/api/search`: `{traces: [...]}` or a bare array; ids normalised to 32 hex chars.
 * Tempo sends `traces` (an empty search is `"traces": []`; protobuf JSON may leave an empty list
 * out, keeping only `metrics`). An object with other members is not Tempo's answer (a proxy's
 * status page, another API) and must not read as "no traces".
 */
export function parseSearchHits(body: unknown): TempoSearchHit[] {
  if (!Array.isArray(body)) {
    const keys = isObject(body) ? Object.keys(body) : [];
    if (!isObject(body) || (!("traces" in body) && keys.some((k) => k !== "metrics"))) {
      const got = !isObject(body)
        ? body === undefined
          ? "an empty body"
          : `a JSON ${body === null ? "null" : typeof body}`
        : `an object with ${keys.slice(0, 5).map((k) => `'${k.slice(0, 32)}'`).join(", ")}${keys.length > 5 ? ", ..." : ""}`;
      throw new TempoShapeError(`expected an object with a 'traces' list, got ${got}`);
    }
  }
  const list = Array.isArray(body) ? body : (body as Json).traces;
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new TempoShapeError("'traces' is not an array");
  const seen = new Set<string>();
  const hits: TempoSearchHit[] = [];
  for (const h of list) {
    if (!isObject(h) || typeof h.traceID !== "string") continue;
    const id = normalizeTraceId(h.traceID);
    if (!id || seen.has(id)) continue;
    seen.add(id);
    const start = jsonNanos(h.startTimeUnixNano);
    const duration = typeof h.durationMs === "number" && Number.isFinite(h.durationMs) ? h.durationMs : undefined;
    hits.push({
      traceId: id,
      ...(typeof h.rootServiceName === "string" ? { rootServiceName: h.rootServiceName } : {}),
      ...(typeof h.rootTraceName === "string" ? { rootTraceName: h.rootTraceName } : {}),
      ...(start !== undefined ? { startTimeUs: Number(start / 1000n) } : {}),
      ...(duration !== undefined ? { durationMs: duration } : {}),
    });
  }
  return hits;
}

/**
 * Tag values: v2 `{tagValues: [{type, value}]}` or v1 `{tagValues: ["a", ...]}`; protobuf JSON
 * may leave an empty list out (`{}` or only `metrics`). An object with other members is not
 * Tempo's answer and must not read as "no values".
 */
export function parseTagValues(body: unknown): string[] {
  if (!isObject(body)) throw new TempoShapeError("the body is not a JSON object");
  const keys = Object.keys(body);
  if (!("tagValues" in body) && keys.some((k) => k !== "metrics")) {
    const shown = keys.slice(0, 5).map((k) => `'${k.slice(0, 32)}'`).join(", ");
    throw new TempoShapeError(`expected an object with a 'tagValues' list, got an object with ${shown}${keys.length > 5 ? ", ..." : ""}`);
  }
  const values = body.tagValues;
  if (values === undefined || values === null) return [];
  if (!Array.isArray(values)) throw new TempoShapeError("'tagValues' is not an array");
  const out: string[] = [];
  for (const v of values) {
    if (typeof v === "string") out.push(v);
    else if (isObject(v) && typeof v.value === "string") out.push(v.value);
  }
  return out;
}
