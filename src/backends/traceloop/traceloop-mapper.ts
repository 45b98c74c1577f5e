/**
 * Pure parsing of Traceloop v2 responses into domain spans and traces.
 *
 * Row shapes (see the recorded API): search rows (root-spans, spans) carry a top-level
 * `service_name`, `resource_attributes`, `status_code` and separate `prompts` / `completions`
 * maps; trace-spans rows (GET .../traces/{id}/spans) carry none of those, flatten prompts and
 * completions into `span_attributes`, and add `events_name` / `events_attributes`. Every
 * attribute value arrives as a string; createSpan coerces the well-known keys.
 */
import { createSpan, assembleTrace, type Span, type SpanStatus, type Trace } from "../../domain/trace.js";

/** What a row does not say about itself but its trace does (from the trace's root-spans row). */
export interface RowDefaults {
  serviceName?: string;
}

/** OTel's own name for a service that did not identify itself. */
export const UNKNOWN_SERVICE = "unknown_service";

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function nonEmptyString(v: unknown): string | undefined {
  return typeof v === "string" && v.trim() !== "" ? v : undefined;
}

function finiteNumber(v: unknown): number | undefined {
  if (typeof v === "number") return Number.isFinite(v) ? v : undefined;
  if (typeof v === "string" && v.trim() !== "") {
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/** llm.* key -> gen_ai.* key, copied when the gen_ai key is absent (the llm key is kept). */
const LLM_TO_GEN_AI: ReadonlyArray<readonly [string, string]> = [
  ["llm.vendor", "gen_ai.system"],
  ["llm.request.model", "gen_ai.request.model"],
  ["llm.response.model", "gen_ai.response.model"],
  ["llm.operation.name", "gen_ai.operation.name"],
  ["llm.request.temperature", "gen_ai.request.temperature"],
  ["llm.request.top_p", "gen_ai.request.top_p"],
  ["llm.request.max_tokens", "gen_ai.request.max_tokens"],
  ["llm.request.is_streaming", "gen_ai.request.is_streaming"],
  // The key OpenLLMetry actually emits (the original mapped only the one above).
  ["llm.is_streaming", "gen_ai.request.is_streaming"],
  ["llm.usage.prompt_tokens", "gen_ai.usage.prompt_tokens"],
  ["llm.usage.input_tokens", "gen_ai.usage.input_tokens"],
  ["llm.usage.completion_tokens", "gen_ai.usage.completion_tokens"],
  ["llm.usage.output_tokens", "gen_ai.usage.output_tokens"],
  ["llm.usage.total_tokens", "gen_ai.usage.total_tokens"],
  ["llm.response.finish_reasons", "gen_ai.response.finish_reasons"],
];

const PROMPT_KEY = /^llm\.prompts\.(\d+)\.(.+)$/;
const COMPLETION_KEY = /^llm\.completions\.(\d+)\.(.+)$/;

/**
 * Adds gen_ai.* twins of OpenLLMetry's llm.* attributes so the rest of the server reads one
 * vocabulary: the pairs above, llm.prompts.N.* -> gen_ai.prompt.N.*, llm.completions.N.* ->
 * gen_ai.completion.N.*, and gen_ai.response.finish_reasons from llm.response.finish_reason or
 * the completions' finish_reason values (in completion order). Existing gen_ai keys win.
 */
export function enrichAttributes(attrs: Obj): Obj {
  const out: Obj = { ...attrs };
  const setIfAbsent = (key: string, value: unknown): void => {
    if (value !== undefined && value !== null && !(key in out)) out[key] = value;
  };
  for (const [llm, genAi] of LLM_TO_GEN_AI) setIfAbsent(genAi, attrs[llm]);
  const finish: Array<[number, string]> = [];
  for (const [key, value] of Object.entries(attrs)) {
    const p = PROMPT_KEY.exec(key);
    if (p) setIfAbsent(`gen_ai.prompt.${p[1]}.${p[2]}`, value);
    const c = COMPLETION_KEY.exec(key);
    if (c) {
      setIfAbsent(`gen_ai.completion.${c[1]}.${c[2]}`, value);
      if (c[2] === "finish_reason" && nonEmptyString(value)) finish.push([Number(c[1]), value as string]);
    }
  }
  const single = nonEmptyString(attrs["llm.response.finish_reason"]);
  if (single) setIfAbsent("gen_ai.response.finish_reasons", [single]);
  if (finish.length > 0) setIfAbsent("gen_ai.response.finish_reasons", finish.sort((a, b) => a[0] - b[0]).map(([, r]) => r));
  return out;
}

/** STATUS_CODE_ERROR / ERROR / Error -> ERROR, etc.; undefined when absent or unknown. */
export function parseStatusCode(code: unknown): SpanStatus | undefined {
  if (typeof code !== "string" || code.trim() === "") return undefined;
  const s = code.trim().toUpperCase().replace(/^STATUS_CODE_/, "");
  return s === "OK" || s === "ERROR" || s === "UNSET" ? s : undefined;
}

/**
 * Status for a row without `status_code` (the trace-spans endpoint). Signals, in order:
 * `otel.status_code` (ERROR / OK), then any error marker OpenTelemetry instrumentations record
 * on failed spans: an `error.type` attribute, an `exception.*` attribute, or an event named
 * "exception". No signal -> UNSET (the API did not say; we do not claim OK).
 */
export function deriveStatus(attrs: Obj, eventNames: readonly string[]): SpanStatus {
  const otel = parseStatusCode(attrs["otel.status_code"]);
  if (otel === "ERROR" || otel === "OK") return otel;
  if (nonEmptyString(attrs["error.type"])) return "ERROR";
  if (Object.keys(attrs).some((k) => k.startsWith("exception."))) return "ERROR";
  if (eventNames.includes("exception")) return "ERROR";
  return "UNSET";
}

function stringMap(v: unknown): Obj {
  return isObj(v) ? v : {};
}

interface RowEvents {
  names: string[];
  events: Array<{ name: string; timestamp: number; attributes: Obj }>;
}

/** Events come as parallel arrays `events_name` / `events_attributes` (optional `events_timestamp`). */
function readEvents(row: Obj, spanTsMs: number): RowEvents {
  const names = Array.isArray(row.events_name) ? row.events_name.map((n) => String(n)) : [];
  const attrs = Array.isArray(row.events_attributes) ? row.events_attributes : [];
  const times = Array.isArray(row.events_timestamp) ? row.events_timestamp : [];
  const events = names.map((name, i) => ({
    name,
    timestamp: finiteNumber(times[i]) ?? spanTsMs,
    attributes: stringMap(attrs[i]),
  }));
  // The original's shape ({name, timestamp, attributes} objects) is accepted too.
  if (Array.isArray(row.events)) {
    for (const e of row.events) {
      if (!isObj(e) || typeof e.name !== "string") continue;
      names.push(e.name);
      events.push({ name: e.name, timestamp: finiteNumber(e.timestamp) ?? spanTsMs, attributes: stringMap(e.attributes) });
    }
  }
  return { names, events };
}

/**
 * One API row -> Span, or undefined when the row lacks what a span needs (ids, a timestamp).
 * Service: top-level `service_name`, else resource/span `service.name`, else the trace's
 * (root row's) service, else "unknown_service" — never "".
 */
export function rowToSpan(raw: unknown, defaults: RowDefaults = {}): Span | undefined {
  if (!isObj(raw)) return undefined;
  const traceId = nonEmptyString(raw.trace_id);
  const spanId = nonEmptyString(raw.span_id);
  const ts = finiteNumber(raw.timestamp);
  if (!traceId || !spanId || ts === undefined) return undefined;
  const spanAttrs = stringMap(raw.span_attributes);
  const resource = stringMap(raw.resource_attributes);
  // Search rows keep prompts/completions apart; trace-spans rows already flatten them in.
  const attrs = enrichAttributes({ ...stringMap(raw.prompts), ...stringMap(raw.completions), ...spanAttrs });
  const { names, events } = readEvents(raw, ts);
  const serviceName =
    nonEmptyString(raw.service_name) ??
    nonEmptyString(resource["service.name"]) ??
    nonEmptyString(spanAttrs["service.name"]) ??
    nonEmptyString(defaults.serviceName) ??
    UNKNOWN_SERVICE;
  const status = parseStatusCode(raw.status_code) ?? deriveStatus(attrs, names);
  return createSpan({
    traceId,
    spanId,
    parentSpanId: nonEmptyString(raw.parent_span_id) ?? null,
    operationName: typeof raw.span_name === "string" ? raw.span_name : "",
    serviceName,
    startTimeUs: ts * 1000,
    durationMs: finiteNumber(raw.duration) ?? 0,
    status,
    attributes: attrs,
    events,
  });
}

export interface Page {
  rows: unknown[];
  /** Raw `next_cursor` as sent by the API. */
  nextCursor: unknown;
  totalResults?: number;
}

/**
 * Reads `{<envelope>: {data, page_size, total_results, next_cursor}}`. Returns undefined when
 * the shape is not that (the caller reports an invalid response), including a body without the
 * envelope member (JSON of another API must not read as an empty page); a null envelope or a
 * missing/null `data` is an empty page.
 */
export function readPage(json: unknown, envelope: "root_spans" | "spans"): Page | undefined {
  if (!isObj(json) || !(envelope in json)) return undefined;
  const inner = json[envelope];
  if (inner === null) return { rows: [], nextCursor: undefined };
  if (!isObj(inner)) return undefined;
  if (inner.data !== null && inner.data !== undefined && !Array.isArray(inner.data)) return undefined;
  return {
    rows: Array.isArray(inner.data) ? inner.data : [],
    nextCursor: inner.next_cursor,
    totalResults: finiteNumber(inner.total_results),
  };
}

/**
 * Rows of GET .../traces/{id}/spans: an array, or null for an unknown id (the API answers
 * 200 `{"spans":null}`); undefined when the body is not that shape at all (also without a
 * `spans` member: JSON of another API is not an unknown trace).
 */
export function readTraceSpans(json: unknown): unknown[] | null | undefined {
  if (!isObj(json) || !("spans" in json)) return undefined;
  if (json.spans === null) return null;
  return Array.isArray(json.spans) ? json.spans : undefined;
}

/** `{"workflows": [...]}` (the real shape) or a bare array; non-strings and blanks dropped. */
export function readWorkflows(json: unknown): string[] | undefined {
  const list = Array.isArray(json) ? json : isObj(json) && Array.isArray(json.workflows) ? json.workflows : undefined;
  if (!list) return undefined;
  return [...new Set(list.filter((w): w is string => typeof w === "string" && w.trim() !== ""))].sort();
}

/** What a root-spans row tells about its trace: enough to complete the trace-spans rows. */
export interface RootInfo {
  traceId: string;
  spanId: string;
  serviceName: string;
  status?: SpanStatus;
  timestampMs: number;
  span: Span;
}

export function rootInfo(row: unknown): RootInfo | undefined {
  const span = rowToSpan(row);
  if (!span || !isObj(row)) return undefined;
  return {
    traceId: span.traceId,
    spanId: span.spanId,
    serviceName: span.serviceName,
    status: parseStatusCode(row.status_code),
    timestampMs: finiteNumber(row.timestamp)!,
    span,
  };
}

export interface MappedTrace {
  trace: Trace | undefined;
  /** Rows that could not be read as spans. */
  skipped: number;
}

/**
 * Trace-spans rows -> Trace. The root's service and status come from its root-spans row when
 * known (the trace-spans rows have neither); child spans inherit the root's service unless they
 * name their own. A malformed row is skipped, not fatal.
 */
export function traceFromRows(traceId: string, rows: readonly unknown[], root?: RootInfo): MappedTrace {
  const spans: Span[] = [];
  let skipped = 0;
  for (const row of rows) {
    const span = rowToSpan(row, { serviceName: root?.serviceName });
    if (!span) {
      skipped++;
      continue;
    }
    if (root && span.spanId === root.spanId) {
      spans.push({ ...span, serviceName: root.serviceName, status: root.status ?? span.status });
    } else {
      spans.push(span);
    }
  }
  if (root && !spans.some((s) => s.spanId === root.spanId)) spans.unshift(root.span);
  return { trace: assembleTrace(traceId, spans), skipped };
}

/** The fallback when a trace's spans cannot be fetched: the root row alone. */
export function oneSpanTrace(root: RootInfo): Trace {
  return assembleTrace(root.traceId, [root.span])!;
}
