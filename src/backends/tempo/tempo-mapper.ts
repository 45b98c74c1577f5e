/**
 * Tempo's trace-by-id JSON (OTLP/JSON) -> domain Trace, and search listings -> trace ids. Pure.
 *
 * Only Tempo's envelopes live here: v1 `{batches: [...]}`, bare `{resourceSpans: [...]}`, v2
 * `{trace: {resourceSpans: [...]}}`, search hits and tag values. The OTLP/JSON inside them
 * (base64 or hex ids, `instrumentationLibrarySpans`, ...) is decoded by src/otlp/json.ts.
 */
import { assembleTrace, type Trace } from "../../domain/trace.js";
import type { AttributeValue } from "../../domain/attributes.js";
import { decodeAttributes, decodeJsonResourceSpans, jsonNanos } from "../../otlp/json.js";

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
  /** The matching spans, when parsed with `{ spans: true }` (one entry per spanset). */
  spanSets?: TempoHitSpanSet[];
}

export interface TempoHitSpanSet {
  spans: TempoHitSpan[];
  /** How many spans matched; more than `spans.length` when `spss` cut the list. */
  matched: number;
}

/**
 * A span of a search hit: Tempo's listing carries its id, start and duration, its name when the
 * query fetched it, and the attributes the query fetched (conditions and select), keyed by name
 * without scope (`resource.service.name` arrives as `service.name`, the status intrinsic as
 * `status` with value "error" / "ok" / "unset").
 */
export interface TempoHitSpan {
  spanId: string;
  name?: string;
  startNs: bigint;
  durationNs: bigint;
  attributes: Record<string, AttributeValue>;
}

/**
 * The hits of `/api/search`: `{traces: [...]}` or a bare array; ids normalised to 32 hex chars.
 * Tempo sends `traces` (an empty search is `"traces": []`; protobuf JSON may leave an empty list
 * out, keeping only `metrics`). An object with other members is not Tempo's answer (a proxy's
 * status page, another API) and must not read as "no traces".
 */
export function parseSearchHits(body: unknown, options: { spans?: boolean } = {}): TempoSearchHit[] {
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
      ...(options.spans ? { spanSets: spanSetsOf(h) } : {}),
    });
  }
  return hits;
}

/** A span id as Tempo lists it (16 hex digits, zero-padded) normalised; undefined when unreadable. */
function hitSpanId(v: unknown): string | undefined {
  if (typeof v !== "string") return undefined;
  const t = v.trim().toLowerCase();
  return /^[0-9a-f]{1,16}$/.test(t) ? t.padStart(16, "0") : undefined;
}

/**
 * `spanSets` (Tempo >= 2.2), else the deprecated single `spanSet`. A span without a readable id,
 * start or duration makes its spanset unreadable (matched is kept, spans dropped), so the caller
 * sees it as incomplete rather than trusting a shorter list.
 */
function spanSetsOf(hit: Json): TempoHitSpanSet[] {
  const raw = Array.isArray(hit.spanSets) ? hit.spanSets : isObject(hit.spanSet) ? [hit.spanSet] : [];
  const sets: TempoHitSpanSet[] = [];
  for (const ss of raw) {
    if (!isObject(ss)) continue;
    const list = asArray(ss.spans);
    const spans: TempoHitSpan[] = [];
    for (const sp of list) {
      if (!isObject(sp)) break;
      const spanId = hitSpanId(sp.spanID);
      const startNs = jsonNanos(sp.startTimeUnixNano);
      const durationNs = jsonNanos(sp.durationNanos) ?? 0n;
      if (!spanId || startNs === undefined || startNs <= 0n) break;
      spans.push({ spanId, ...(typeof sp.name === "string" ? { name: sp.name } : {}), startNs, durationNs, attributes: decodeAttributes(sp.attributes) });
    }
    const matched = typeof ss.matched === "number" && Number.isFinite(ss.matched) ? ss.matched : list.length;
    sets.push({ spans: spans.length === list.length ? spans : [], matched: spans.length === list.length ? matched : Math.max(matched, list.length, 1) });
  }
  return sets;
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

export interface InstantAnswer {
  series: Array<{ labels: Record<string, AttributeValue>; value: number }>;
  /** Tempo's PartialStatus: the answer does not cover everything (a series limit, failed jobs). */
  partial: boolean;
}

/**
 * `/api/metrics/query` (QueryInstantResponse as protobuf JSON): `{series: [{labels: [{key, value}],
 * value}], metrics, status?, message?}`; an empty answer may leave `series` out. NaN arrives as the
 * string "NaN".
 */
export function parseInstantAnswer(body: unknown): InstantAnswer {
  if (!isObject(body)) throw new TempoShapeError("the body is not a JSON object");
  const keys = Object.keys(body);
  if (!("series" in body) && keys.some((k) => k !== "metrics" && k !== "status" && k !== "message")) {
    throw new TempoShapeError(`expected an object with a 'series' list, got an object with ${keys.slice(0, 5).map((k) => `'${k.slice(0, 32)}'`).join(", ")}`);
  }
  const list = body.series ?? [];
  if (!Array.isArray(list)) throw new TempoShapeError("'series' is not an array");
  const series: InstantAnswer["series"] = [];
  for (const s of list) {
    if (!isObject(s)) throw new TempoShapeError("a series is not an object");
    const value = typeof s.value === "number" ? s.value : typeof s.value === "string" ? Number(s.value) : s.value === undefined ? 0 : NaN;
    series.push({ labels: decodeAttributes(s.labels), value });
  }
  return { series, partial: body.status === "PARTIAL" || body.status === 1 };
}
