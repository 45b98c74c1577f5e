/**
 * Jaeger query service adapter (HTTP JSON API under /api, e.g. http://localhost:16686).
 * Query planning lives in jaeger-query.ts and parsing in jaeger-mapper.ts; this file only does I/O.
 * Search answers (whole traces, often megabytes) are read as a stream: each element of `data` is
 * parsed and mapped to a domain trace as it arrives, so the body, its parse and the mapped traces
 * never coexist whole.
 */
import type { Span, Trace } from "../../domain/trace.js";
import { isTraceId, quoteTraceId, TRACE_ID_HINT } from "../../domain/trace-id.js";
import { BackendError, errorMessage } from "../../errors.js";
import { HttpClient, type HttpResponse } from "../http-client.js";
import { JsonArrayStream, type StreamedJson } from "../json-array-stream.js";
import type { BackendFactory, BackendSearch, HealthStatus, SearchHints, SearchResult, TraceBackend } from "../trace-backend.js";
import { jaeger } from "./descriptor.js";
import { mapJaegerTrace, skippedNote, type JaegerMapStats } from "./jaeger-mapper.js";
import { compileJaeger, jaegerParams, jaegerPushdown } from "./jaeger-query.js";

/**
 * Jaeger's envelope: {data, total, limit, offset, errors}; `data` is null when there is nothing.
 * A body without a `data` member is not Jaeger's answer (a proxy's status page, another API):
 * reporting it as "nothing found" would mislead, so it is an invalid response.
 */
function envelope(res: HttpResponse, what: string, url: string): { data: unknown[]; errors: string[] } {
  const body = res.json;
  const isObject = typeof body === "object" && body !== null && !Array.isArray(body);
  const data = isObject ? (body as { data?: unknown }).data : undefined;
  if (!isObject || !("data" in body) || (data !== null && !Array.isArray(data))) {
    const got = !isObject ? describeValue(body) : "data" in body ? `'data' of type ${typeof data}` : `an object with ${describeKeys(Object.keys(body))}`;
    throw notJaeger(what, url, got, res.status);
  }
  return { data: data ?? [], errors: errorsOf((body as { errors?: unknown }).errors) };
}

/** The same checks as `envelope`, on a streamed answer (its `data` elements were consumed on the way). */
function streamedEnvelope(body: StreamedJson, what: string, url: string, status: number): { errors: string[] } {
  if (body.kind === "value") throw notJaeger(what, url, describeValue(body.value), status);
  if (body.streamed === "absent") throw notJaeger(what, url, `an object with ${describeKeys(Object.keys(body.members))}`, status);
  if (typeof body.streamed === "object" && body.streamed.other !== null) throw notJaeger(what, url, `'data' of type ${typeof body.streamed.other}`, status);
  return { errors: errorsOf(body.members.errors) };
}

function describeKeys(keys: string[]): string {
  if (keys.length === 0) return "no members";
  const shown = keys.slice(0, 5).map((k) => `'${k.slice(0, 32)}'`).join(", ");
  return `members ${shown}${keys.length > 5 ? ` and ${keys.length - 5} more` : ""}`;
}

function describeValue(body: unknown): string {
  return Array.isArray(body) ? "a JSON array" : body === undefined ? "an empty body" : `a JSON ${body === null ? "null" : typeof body}`;
}

function notJaeger(what: string, url: string, got: string, status: number): BackendError {
  return new BackendError(
    "jaeger",
    "invalid_response",
    `Jaeger at ${url} answered ${what} with JSON that is not a Jaeger query answer (expected an object with a 'data' list; got ${got}). ` +
      `Check that the URL points to the Jaeger query service (UI/API port, usually 16686), not a proxy or another API.`,
    status,
  );
}

function errorsOf(rawErrors: unknown): string[] {
  return Array.isArray(rawErrors)
    ? rawErrors.map((e) => (typeof e === "object" && e !== null && "msg" in e ? String((e as { msg: unknown }).msg) : String(e)))
    : [];
}

function stringList(data: unknown[]): string[] {
  return data.filter((v) => v !== null && v !== undefined).map((v) => String(v));
}

export const createJaegerBackend: BackendFactory = (options) => {
  const headers: Record<string, string> = { ...options.headers };
  if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;
  const http = new HttpClient({
    backend: "jaeger",
    baseUrl: options.url,
    headers,
    timeoutMs: options.timeoutMs,
    logger: options.logger,
    ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
    ...(options.maxResponseBytes ? { maxResponseBytes: options.maxResponseBytes } : {}),
  });

  /**
   * One GET /api/traces: Jaeger answers whole traces, mapped one by one as they stream in; a trace
   * the caller already holds complete (hints.known) is taken as it is instead of mapped again.
   */
  async function searchJaeger(search: BackendSearch, hints?: SearchHints): Promise<SearchResult<Trace>> {
    const stats: JaegerMapStats = { skippedTraces: 0, skippedSpans: 0 };
    const traces: Trace[] = [];
    let returned = 0;
    const stream = new JsonArrayStream("data", (raw) => {
      returned++;
      const id = typeof raw === "object" && raw !== null ? (raw as { traceID?: unknown }).traceID : undefined;
      const known = typeof id === "string" && id.trim() !== "" ? hints?.known?.(id.trim().toLowerCase()) : undefined;
      const trace = known ?? mapJaegerTrace(raw, stats);
      if (trace) traces.push(trace);
    });
    const res = await http.stream("/api/traces", { query: jaegerParams(search) }, stream);
    const { errors } = streamedEnvelope(res.value, "GET /api/traces", http.url, res.status);
    const notes = [...skippedNote(stats)];
    if (errors.length > 0) notes.push(`Jaeger reported: ${http.redact(errors.join("; "))}.`);
    return { items: traces, notes, returned };
  }

  const backend: TraceBackend = {
    kind: "jaeger",
    url: http.url,
    capabilities: jaeger.capabilities,
    pushdown: jaegerPushdown,
    compile: compileJaeger,

    searchTraces: searchJaeger,

    async searchSpans(search: BackendSearch, hints?: SearchHints): Promise<SearchResult<Span>> {
      // Every span of the returned traces: the query layer checks each span and applies the limit.
      const res = await searchJaeger(search, hints);
      return { items: res.items.flatMap((t) => t.spans), notes: res.notes, returned: res.returned ?? res.items.length };
    },

    async getTrace(traceId: string): Promise<Trace> {
      // Checked before the path is built: "." or ".." would reach the search or another endpoint.
      if (!isTraceId(traceId)) {
        throw new BackendError("jaeger", "not_found", `'${quoteTraceId(traceId)}' is not a trace id: ${TRACE_ID_HINT}.`);
      }
      const id = traceId.trim().toLowerCase();
      const notFound = (detail: string) =>
        new BackendError(
          "jaeger",
          "not_found",
          `Trace ${traceId} not found in Jaeger at ${http.url}${detail}. ` +
            `Check the id (32 hex characters) or that the trace is still retained.`,
          404,
        );
      // 400 is Jaeger's answer to an id that is not hex: for the user that is the same mistake.
      const res = await http.get(`/api/traces/${encodeURIComponent(id)}`, { allowStatus: [400, 404] });
      if (res.status === 400) throw notFound(" (Jaeger rejected the id)");
      if (res.status === 404) throw notFound("");
      const { data } = envelope(res, "GET /api/traces/{id}", http.url);
      if (data.length === 0) throw notFound("");
      const trace = mapJaegerTrace(data[0]);
      if (!trace) {
        throw new BackendError("jaeger", "invalid_response", `Jaeger at ${http.url} returned trace ${traceId} without any readable span.`);
      }
      return trace;
    },

    async listServices(): Promise<string[]> {
      const res = await http.get("/api/services");
      const names = stringList(envelope(res, "GET /api/services", http.url).data);
      return [...new Set(names)].sort();
    },

    async getServiceOperations(service: string): Promise<string[]> {
      const res = await http.get(`/api/services/${encodeURIComponent(service)}/operations`);
      return stringList(envelope(res, "GET /api/services/{service}/operations", http.url).data);
    },

    async healthCheck(): Promise<HealthStatus> {
      try {
        const services = await backend.listServices();
        return { status: "healthy", backend: "jaeger", url: http.url, service_count: services.length };
      } catch (err) {
        return { status: "unhealthy", backend: "jaeger", url: http.url, error: errorMessage(err) };
      }
    },

    close: () => http.close(),
  };
  return backend;
};
