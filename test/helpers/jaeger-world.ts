/**
 * A fake Jaeger query service serving a domain dataset in Jaeger's wire format (as recorded in
 * the cassettes): {data,total,limit,offset,errors} envelopes, a `processes` map per trace,
 * CHILD_OF references, typed tags (sorted by key), error spans as error=true + otel.status_code,
 * events as logs, µs times.
 *
 * Search follows Jaeger's storage (validSpan in its memory store): a trace matches when ONE span
 * has the service AND the operation AND a duration within min/max AND a start inside the window
 * AND every tag (span tags, its process's tags or its log fields, compared as strings). Like a
 * real Jaeger memory store, `limit` of the matching traces come back in no particular order (a
 * seeded shuffle: which ones and their order are stable for one dataset but unrelated to time);
 * `order: "newest"` returns the newest `limit`, newest first. Parameters are validated the way Jaeger's
 * query parser does (service required, Go durations, tags a JSON object of strings) with 400s.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AttributeValue } from "../../src/domain/attributes.js";
import type { Span, Trace } from "../../src/domain/trace.js";
import { listenLoopback, type BackendWorld, type Fault, type RecordedRequest, type RunningWorld } from "./backend-world.js";

/** How far back Jaeger searches when `start` is not given (its query service counts back from now; default two days). */
export const JAEGER_DEFAULT_LOOKBACK_MS = 2 * 24 * 3600 * 1000;

export interface JaegerTag {
  key: string;
  type: "string" | "bool" | "int64" | "float64";
  value: string | number | boolean;
}

export interface JaegerSpanJson {
  traceID: string;
  spanID: string;
  flags: number;
  operationName: string;
  references: Array<{ refType: "CHILD_OF" | "FOLLOWS_FROM"; traceID: string; spanID: string }>;
  startTime: number;
  duration: number;
  tags: JaegerTag[];
  logs: Array<{ timestamp: number; fields: JaegerTag[] }>;
  processID: string;
  warnings: null;
}

export interface JaegerTraceJson {
  traceID: string;
  spans: JaegerSpanJson[];
  processes: Record<string, { serviceName: string; tags: JaegerTag[] }>;
  warnings: null;
}

export interface JaegerWorldOptions {
  /** Clock for the default lookback. */
  now?: () => number;
  /** When set, requests must carry `Authorization: Bearer <apiKey>` (as behind an auth proxy). */
  apiKey?: string;
  /** Which `limit` matches a search returns: "arbitrary" (default, as a memory store) or the "newest". */
  order?: "arbitrary" | "newest";
}

/** A stable pseudo-random rank per trace id: the "no particular order" of a memory store. */
function scrambleRank(traceId: string): number {
  let h = 2166136261;
  for (let i = 0; i < traceId.length; i++) h = Math.imul(h ^ traceId.charCodeAt(i), 16777619) >>> 0;
  return h;
}

/** Answers a request itself when it returns a response (for shapes the dataset cannot produce). */
export type JaegerOverride = (req: { path: string; query: URLSearchParams }) => { status: number; body: string; contentType?: string } | undefined;

export interface JaegerRunningWorld extends RunningWorld {
  setOverride(override: JaegerOverride | null): void;
}

export interface JaegerWorld extends BackendWorld {
  start(dataset: Trace[]): Promise<JaegerRunningWorld>;
}

function tag(key: string, value: AttributeValue): JaegerTag | undefined {
  if (value === null) return undefined;
  if (typeof value === "string") return { key, type: "string", value };
  if (typeof value === "boolean") return { key, type: "bool", value };
  if (typeof value === "number") return { key, type: Number.isInteger(value) ? "int64" : "float64", value };
  // OTLP arrays / maps reach Jaeger as JSON text.
  return { key, type: "string", value: JSON.stringify(value) };
}

function tags(attributes: Record<string, AttributeValue>): JaegerTag[] {
  return Object.entries(attributes)
    .map(([k, v]) => tag(k, v))
    .filter((t): t is JaegerTag => t !== undefined)
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

function processTags(service: string): JaegerTag[] {
  return [
    { key: "host.name", type: "string", value: `${service}-host` },
    { key: "telemetry.sdk.language", type: "string", value: "nodejs" },
  ];
}

function statusTags(span: Span): Record<string, AttributeValue> {
  if (span.status === "ERROR") return { error: true, "otel.status_code": "ERROR" };
  if (span.status === "OK") return { "otel.status_code": "OK" };
  return {};
}

/** A domain trace as Jaeger's query API renders it. */
export function toJaegerTrace(trace: Trace): JaegerTraceJson {
  const processIds = new Map<string, string>();
  for (const s of trace.spans) if (!processIds.has(s.serviceName)) processIds.set(s.serviceName, `p${processIds.size + 1}`);
  return {
    traceID: trace.traceId,
    spans: trace.spans.map((s) => ({
      traceID: s.traceId,
      spanID: s.spanId,
      flags: 1,
      operationName: s.operationName,
      references: s.parentSpanId ? [{ refType: "CHILD_OF" as const, traceID: s.traceId, spanID: s.parentSpanId }] : [],
      startTime: s.startTimeUs,
      duration: Math.round(s.durationMs * 1000),
      tags: tags({ ...s.attributes, ...statusTags(s) }),
      logs: s.events.map((e) => ({ timestamp: e.timestamp, fields: [{ key: "event", type: "string" as const, value: e.name }, ...tags(e.attributes)] })),
      processID: processIds.get(s.serviceName)!,
      warnings: null,
    })),
    processes: Object.fromEntries([...processIds].map(([service, id]) => [id, { serviceName: service, tags: processTags(service) }])),
    warnings: null,
  };
}

class BadRequest extends Error {}

/** Go's time.ParseDuration for the forms Jaeger clients send ("100ms", "1.5s", "250us"), in µs. */
function parseGoDurationUs(text: string, param: string): number {
  const m = /^(\d+(?:\.\d+)?|\.\d+)(ns|us|µs|ms|s|m|h)$/.exec(text);
  if (!m) throw new BadRequest(`time: invalid duration "${text}" (parameter '${param}')`);
  const factor: Record<string, number> = { ns: 0.001, us: 1, µs: 1, ms: 1000, s: 1e6, m: 6e7, h: 3.6e9 };
  return Number(m[1]) * factor[m[2]!]!;
}

function parseIntParam(q: URLSearchParams, name: string): number | undefined {
  const raw = q.get(name);
  if (raw === null || raw === "") return undefined;
  if (!/^-?\d+$/.test(raw)) throw new BadRequest(`strconv.ParseInt: parsing "${raw}": invalid syntax (parameter '${name}')`);
  return Number(raw);
}

interface SearchParams {
  service: string;
  operation?: string;
  startUs: number;
  endUs: number;
  minUs?: number;
  maxUs?: number;
  limit: number;
  tags: Record<string, string>;
}

function parseSearch(q: URLSearchParams, nowMs: number): SearchParams {
  const service = q.get("service");
  if (!service) throw new BadRequest("parameter 'service' is required");
  const endUs = parseIntParam(q, "end") ?? nowMs * 1000;
  const startUs = parseIntParam(q, "start") ?? (nowMs - JAEGER_DEFAULT_LOOKBACK_MS) * 1000;
  const minRaw = q.get("minDuration");
  const maxRaw = q.get("maxDuration");
  const minUs = minRaw ? parseGoDurationUs(minRaw, "minDuration") : undefined;
  const maxUs = maxRaw ? parseGoDurationUs(maxRaw, "maxDuration") : undefined;
  if (minUs !== undefined && maxUs !== undefined && maxUs < minUs) {
    throw new BadRequest("'maxDuration' should be greater than 'minDuration'");
  }
  let tagMap: Record<string, string> = {};
  const tagsRaw = q.get("tags");
  if (tagsRaw) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(tagsRaw);
    } catch {
      throw new BadRequest("malformed 'tags' parameter, expecting JSON object");
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed) || Object.values(parsed).some((v) => typeof v !== "string")) {
      throw new BadRequest("malformed 'tags' parameter, expecting a JSON object of string values");
    }
    tagMap = parsed as Record<string, string>;
  }
  const operation = q.get("operation");
  return {
    service,
    ...(operation ? { operation } : {}),
    startUs,
    endUs,
    ...(minUs !== undefined ? { minUs } : {}),
    ...(maxUs !== undefined ? { maxUs } : {}),
    limit: parseIntParam(q, "limit") ?? 100,
    tags: tagMap,
  };
}

/** Jaeger's KeyValue.AsString. */
function asString(t: JaegerTag): string {
  return typeof t.value === "string" ? t.value : String(t.value);
}

function spanMatches(span: JaegerSpanJson, trace: JaegerTraceJson, p: SearchParams): boolean {
  const process = trace.processes[span.processID]!;
  if (process.serviceName !== p.service) return false;
  if (p.operation !== undefined && span.operationName !== p.operation) return false;
  if (p.minUs !== undefined && p.minUs !== 0 && span.duration < p.minUs) return false;
  if (p.maxUs !== undefined && p.maxUs !== 0 && span.duration > p.maxUs) return false;
  if (span.startTime < p.startUs || span.startTime > p.endUs) return false;
  const kvs = [...span.tags, ...process.tags, ...span.logs.flatMap((l) => l.fields)];
  return Object.entries(p.tags).every(([k, v]) => kvs.some((kv) => kv.key === k && asString(kv) === v));
}

function traceStartUs(t: JaegerTraceJson): number {
  return Math.min(...t.spans.map((s) => s.startTime));
}

function envelope(data: unknown, errors: Array<{ code: number; msg: string }> | null = null, total = 0): string {
  return JSON.stringify({ data, total, limit: 0, offset: 0, errors });
}

export function jaegerWorld(options: JaegerWorldOptions = {}): JaegerWorld {
  const now = options.now ?? Date.now;
  return {
    kind: "jaeger",
    async start(dataset: Trace[]): Promise<JaegerRunningWorld> {
      const traces = dataset.map(toJaegerTrace);
      const byId = new Map(traces.map((t) => [t.traceID.toLowerCase().padStart(32, "0"), t]));
      const operations = new Map<string, Set<string>>();
      for (const t of dataset) {
        for (const s of t.spans) {
          const ops = operations.get(s.serviceName) ?? new Set<string>();
          ops.add(s.operationName);
          operations.set(s.serviceName, ops);
        }
      }
      const requests: RecordedRequest[] = [];
      let fault: Fault | null = null;
      let override: JaegerOverride | null = null;

      const send = (res: ServerResponse, status: number, body: string, contentType = "application/json"): void => {
        res.writeHead(status, { "content-type": contentType });
        res.end(body);
      };

      const route = (path: string, q: URLSearchParams, res: ServerResponse): void => {
        if (path === "/api/services") {
          // Jaeger's order is not stable between calls; reversed first-seen order keeps adapters honest.
          const names = [...operations.keys()].reverse();
          return send(res, 200, envelope(names.length > 0 ? names : null, null, names.length));
        }
        const ops = /^\/api\/services\/([^/]+)\/operations$/.exec(path);
        if (ops) {
          const names = [...(operations.get(decodeURIComponent(ops[1]!)) ?? [])];
          return send(res, 200, envelope(names, null, names.length));
        }
        if (path === "/api/traces") {
          const p = parseSearch(q, now());
          const found = traces
            .filter((t) => t.spans.some((s) => spanMatches(s, t, p)))
            .sort((a, b) => (options.order === "newest" ? traceStartUs(b) - traceStartUs(a) : scrambleRank(a.traceID) - scrambleRank(b.traceID)));
          return send(res, 200, envelope(p.limit > 0 ? found.slice(0, p.limit) : found));
        }
        const one = /^\/api\/traces\/([^/]+)$/.exec(path);
        if (one) {
          const id = decodeURIComponent(one[1]!);
          if (!/^[0-9a-fA-F]{1,32}$/.test(id)) throw new BadRequest(`strconv.ParseUint: parsing "${id}": invalid syntax`);
          const trace = byId.get(id.toLowerCase().padStart(32, "0"));
          if (!trace) return send(res, 404, envelope(null, [{ code: 404, msg: "trace not found" }]) + "\n", "text/plain; charset=utf-8");
          return send(res, 200, envelope([trace]));
        }
        send(res, 404, "404 page not found\n", "text/plain; charset=utf-8");
      };

      const server = createServer((req: IncomingMessage, res: ServerResponse) => {
        req.resume();
        req.on("end", () => {
          const url = new URL(req.url ?? "/", "http://127.0.0.1");
          requests.push({ method: req.method ?? "", path: url.pathname, query: Object.fromEntries(url.searchParams), headers: { ...req.headers } });
          if (fault === "hang") return;
          const auth = req.headers.authorization ?? "";
          // Echoes the credentials back, as careless proxies do, so tests can check they never surface.
          if (fault === "http401" || (options.apiKey !== undefined && auth !== `Bearer ${options.apiKey}`)) {
            return send(res, 401, JSON.stringify({ error: `invalid credentials '${auth}'` }));
          }
          if (fault === "http403") return send(res, 403, `forbidden for '${auth}'\n`, "text/plain; charset=utf-8");
          if (fault === "http404") return send(res, 404, "404 page not found\n", "text/plain; charset=utf-8");
          if (fault === "http500") return send(res, 500, envelope(null, [{ code: 500, msg: `storage failure (request by '${auth}')` }]));
          if (fault === "malformed") return send(res, 200, "<html><body>Jaeger UI</body></html>");
          if (req.method !== "GET") return send(res, 405, "method not allowed\n", "text/plain; charset=utf-8");
          const custom = override?.({ path: url.pathname, query: url.searchParams });
          if (custom) return send(res, custom.status, custom.body, custom.contentType);
          try {
            route(url.pathname, url.searchParams, res);
          } catch (err) {
            if (err instanceof BadRequest) return send(res, 400, envelope(null, [{ code: 400, msg: err.message }]));
            throw err;
          }
        });
      });
      const listening = await listenLoopback(server);
      return {
        url: listening.url,
        requests,
        setFault: (f) => void (fault = f),
        setOverride: (o) => void (override = o),
        close: listening.close,
      };
    },
  };
}
