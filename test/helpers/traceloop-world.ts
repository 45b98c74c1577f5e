/**
 * A fake Traceloop v2 API serving a domain dataset the way the real one does (see the recorded
 * cassettes): every attribute value a string, OpenLLMetry's llm.* keys instead of gen_ai.*,
 * prompts/completions in separate maps on search rows and flattened on trace-spans rows,
 * ms timestamps and durations, STATUS_CODE_* strings, and a trace-spans endpoint WITHOUT
 * service_name / status_code. Search bodies are validated strictly (unknown fields, operators or
 * non-string values are 400s) so adapter bugs surface, and results are paged with a small page
 * size and a timestamp cursor so paging is exercised.
 *
 * Missing attributes read as "" (and as 0 for numbers), like a string map column would: a
 * not_equals or numeric comparison therefore also returns spans that lack the attribute.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AttributeValue } from "../../src/domain/attributes.js";
import type { Span, Trace } from "../../src/domain/trace.js";
import { traceTruth } from "./dataset-truth.js";
import { listenLoopback, type BackendWorld, type Fault, type RecordedRequest, type RunningWorld } from "./backend-world.js";

export interface TraceloopWorldOptions {
  /** Rows per page at most (the API may answer fewer rows than the requested limit). */
  pageSize?: number;
  /** When set, only this bearer token is accepted. */
  apiKey?: string;
  environment?: string;
}

export interface TraceloopRunningWorld extends RunningWorld {
  /** Makes GET .../traces/{id}/spans answer HTTP 500 for these ids (others keep working). */
  failTraceSpans(ids: readonly string[]): void;
}

export interface TraceloopWorld extends BackendWorld {
  start(dataset: Trace[]): Promise<TraceloopRunningWorld>;
}

/** One span as the API stores it. */
interface Row {
  ts: number;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  service: string;
  duration: number;
  status: string;
  attrs: Record<string, string>;
  prompts: Record<string, string>;
  completions: Record<string, string>;
  eventNames: string[];
  eventAttrs: Array<Record<string, string>>;
  isRoot: boolean;
  totalTokens: number;
  spanCount: number;
}

const FLOAT_KEYS = new Set(["llm.request.temperature", "llm.request.top_p"]);

function str(key: string, v: AttributeValue): string {
  if (typeof v === "string") return v;
  if (typeof v === "number") return FLOAT_KEYS.has(key) ? v.toFixed(6) : String(v);
  if (typeof v === "boolean") return v ? "true" : "false";
  return JSON.stringify(v);
}

/** gen_ai.* (our dataset) back to what Traceloop stores for OpenLLMetry spans. */
export function toTraceloopAttributes(attributes: Record<string, AttributeValue>): {
  attrs: Record<string, string>;
  prompts: Record<string, string>;
  completions: Record<string, string>;
} {
  const attrs: Record<string, string> = {};
  const prompts: Record<string, string> = {};
  const completions: Record<string, string> = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (value === null) continue;
    let m: RegExpExecArray | null;
    if ((m = /^gen_ai\.prompt\.(\d+)\.(.+)$/.exec(key))) prompts[`llm.prompts.${m[1]}.${m[2]}`] = str(key, value);
    else if ((m = /^gen_ai\.completion\.(\d+)\.(.+)$/.exec(key))) completions[`llm.completions.${m[1]}.${m[2]}`] = str(key, value);
    else if (key === "gen_ai.response.finish_reasons" && Array.isArray(value)) {
      value.forEach((r, i) => (completions[`llm.completions.${i}.finish_reason`] = String(r)));
    } else if (key === "gen_ai.system") attrs["llm.vendor"] = str(key, value);
    else if (key.startsWith("gen_ai.")) {
      const llmKey = `llm.${key.slice("gen_ai.".length)}`;
      attrs[llmKey] = str(llmKey, value);
    } else attrs[key] = str(key, value);
  }
  return { attrs, prompts, completions };
}

function toRows(dataset: Trace[]): Row[] {
  const rows: Row[] = [];
  for (const trace of dataset) {
    // From the raw spans (dataset-truth.ts), not src's parser: the world must not echo src's answer.
    const total = traceTruth(trace.spans).totalTokens;
    for (const span of trace.spans) rows.push(toRow(span, trace, total));
  }
  return rows;
}

function toRow(span: Span, trace: Trace, totalTokens: number): Row {
  const { attrs, prompts, completions } = toTraceloopAttributes(span.attributes);
  return {
    ts: Math.floor(span.startTimeUs / 1000),
    traceId: span.traceId,
    spanId: span.spanId,
    parentSpanId: span.parentSpanId ?? "",
    name: span.operationName,
    service: span.serviceName,
    duration: span.durationMs,
    status: `STATUS_CODE_${span.status}`,
    attrs,
    prompts,
    completions,
    eventNames: span.events.map((e) => e.name),
    eventAttrs: span.events.map((e) => Object.fromEntries(Object.entries(e.attributes).filter(([, v]) => v !== null).map(([k, v]) => [k, str(k, v)]))),
    isRoot: !span.parentSpanId,
    totalTokens,
    spanCount: trace.spans.length,
  };
}

function searchRow(r: Row, env: string, root: boolean): Record<string, unknown> {
  return {
    environment: env,
    timestamp: r.ts,
    trace_id: r.traceId,
    span_id: r.spanId,
    parent_span_id: r.parentSpanId,
    trace_state: "",
    span_name: r.name,
    span_kind: r.isRoot ? "SPAN_KIND_INTERNAL" : "SPAN_KIND_CLIENT",
    service_name: r.service,
    resource_attributes: { "service.name": r.service, "telemetry.sdk.language": "python", "telemetry.sdk.name": "opentelemetry" },
    scope_name: "opentelemetry.instrumentation.fake",
    scope_version: "0.47.5",
    span_attributes: r.attrs,
    duration: r.duration,
    status_code: r.status,
    status_message: "",
    prompts: r.prompts,
    completions: r.completions,
    input: "",
    output: "",
    ...(root ? { total_tokens: r.totalTokens, span_count: r.spanCount } : {}),
  };
}

/** The trace-spans shape: no service_name, resource_attributes or status_code. */
function traceSpanRow(r: Row, env: string): Record<string, unknown> {
  return {
    trace_id: r.traceId,
    span_id: r.spanId,
    parent_span_id: r.parentSpanId,
    span_name: r.name,
    span_kind: r.isRoot ? "SPAN_KIND_INTERNAL" : "SPAN_KIND_CLIENT",
    timestamp: r.ts,
    duration: r.duration,
    span_attributes: { ...r.prompts, ...r.completions, ...r.attrs },
    events_name: r.eventNames,
    events_attributes: r.eventAttrs,
    environment: env,
    prompts: null,
    completions: null,
    input: "",
    output: "",
  };
}

class BadRequest extends Error {}

const OPERATORS = new Set(["equals", "not_equals", "greater_than", "less_than", "greater_than_or_equal", "less_than_or_equal"]);

interface BodyFilter {
  field: string;
  operator: string;
  value: string;
  value_type: string;
}

function fieldValue(r: Row, field: string): string | number {
  if (field === "service.name") return r.service;
  if (field === "span_name") return r.name;
  if (field === "duration") return r.duration;
  if (field.startsWith("llm.") || field.startsWith("traceloop.")) return r.attrs[field] ?? "";
  if (field.startsWith("span_attributes.")) return r.attrs[field.slice("span_attributes.".length)] ?? "";
  throw new BadRequest(`unknown filter field: ${field}`);
}

function matches(r: Row, f: BodyFilter): boolean {
  const raw = fieldValue(r, f.field);
  let cmp: number;
  if (f.value_type === "number") {
    const a = typeof raw === "number" ? raw : Number(raw) || 0;
    const b = Number(f.value);
    if (!Number.isFinite(b)) throw new BadRequest(`value is not a number: ${f.value}`);
    cmp = a === b ? 0 : a < b ? -1 : 1;
  } else {
    const a = f.value_type === "boolean" ? String(raw).toLowerCase() : String(raw);
    const b = f.value_type === "boolean" ? f.value.toLowerCase() : f.value;
    cmp = a === b ? 0 : a < b ? -1 : 1;
  }
  switch (f.operator) {
    case "equals":
      return cmp === 0;
    case "not_equals":
      return cmp !== 0;
    case "greater_than":
      return cmp > 0;
    case "less_than":
      return cmp < 0;
    case "greater_than_or_equal":
      return cmp >= 0;
    default:
      return cmp <= 0;
  }
}

function validateBody(body: unknown): {
  filters: BodyFilter[];
  environments: string[];
  cursor: number;
  limit: number;
  fromMs: number;
  toMs: number;
} {
  const b = body as Record<string, unknown> | null;
  if (!b || typeof b !== "object") throw new BadRequest("body must be a JSON object");
  if (!Array.isArray(b.filters)) throw new BadRequest("filters must be an array");
  for (const f of b.filters as BodyFilter[]) {
    if (typeof f?.field !== "string" || !OPERATORS.has(f.operator)) throw new BadRequest(`bad filter ${JSON.stringify(f)}`);
    if (typeof f.value !== "string") throw new BadRequest("filter values must be strings");
    if (!["string", "number", "boolean"].includes(f.value_type)) throw new BadRequest(`bad value_type ${f.value_type}`);
  }
  if (b.logical_operator !== "and") throw new BadRequest("logical_operator must be 'and'");
  if (b.sort_by !== "timestamp" || b.sort_order !== "DESC") throw new BadRequest("unsupported sort");
  if (!Array.isArray(b.environments)) throw new BadRequest("environments must be an array");
  const cursor = typeof b.cursor === "number" ? b.cursor : typeof b.cursor === "string" ? Number(b.cursor) : NaN;
  if (!Number.isFinite(cursor)) throw new BadRequest("cursor must be a number");
  if (typeof b.limit !== "number" || !Number.isInteger(b.limit) || b.limit < 1) throw new BadRequest("limit must be a positive integer");
  if (!Number.isInteger(b.from_timestamp_sec) || !Number.isInteger(b.to_timestamp_sec)) {
    throw new BadRequest("from_timestamp_sec and to_timestamp_sec must be integer epoch seconds");
  }
  return {
    filters: b.filters as BodyFilter[],
    environments: b.environments as string[],
    cursor,
    limit: b.limit,
    fromMs: (b.from_timestamp_sec as number) * 1000,
    toMs: (b.to_timestamp_sec as number) * 1000,
  };
}

export function traceloopWorld(options: TraceloopWorldOptions = {}): TraceloopWorld {
  const pageSize = options.pageSize ?? 5;
  const env = options.environment ?? "prd";
  return {
    kind: "traceloop",
    async start(dataset: Trace[]): Promise<TraceloopRunningWorld> {
      const rows = toRows(dataset);
      const requests: RecordedRequest[] = [];
      let fault: Fault | null = null;
      let failing = new Set<string>();

      const send = (res: ServerResponse, status: number, body: unknown): void => {
        const text = typeof body === "string" ? body : JSON.stringify(body);
        res.writeHead(status, { "content-type": "application/json; charset=utf-8" });
        res.end(text);
      };

      const search = (body: unknown, rootsOnly: boolean): Record<string, unknown> => {
        const q = validateBody(body);
        const matching = rows
          .filter((r) => (!rootsOnly || r.isRoot) && q.environments.includes(env))
          .filter((r) => r.ts >= q.fromMs && r.ts <= q.toMs)
          .filter((r) => q.filters.every((f) => matches(r, f)))
          .sort((a, b) => b.ts - a.ts || (a.spanId < b.spanId ? 1 : -1));
        const after = q.cursor > 0 ? matching.filter((r) => r.ts < q.cursor) : matching;
        const page = after.slice(0, Math.min(q.limit, pageSize));
        // A timestamp cursor cannot split rows sharing the last timestamp: keep them together.
        while (page.length > 0 && page.length < after.length && after[page.length]!.ts === page[page.length - 1]!.ts) {
          page.push(after[page.length]!);
        }
        return {
          data: page.map((r) => searchRow(r, env, rootsOnly)),
          page_size: page.length,
          total_results: matching.length,
          next_cursor: page.length > 0 ? String(page[page.length - 1]!.ts) : "-1",
        };
      };

      const route = (method: string, path: string, query: URLSearchParams, body: unknown, res: ServerResponse): void => {
        if (method === "POST" && path === "/v2/projects/default/traces/root-spans") return send(res, 200, { root_spans: search(body, true) });
        if (method === "POST" && path === "/v2/projects/default/spans") return send(res, 200, { spans: search(body, false) });
        const m = /^\/v2\/projects\/default\/traces\/([^/]+)\/spans$/.exec(path);
        if (method === "GET" && m) {
          const id = decodeURIComponent(m[1]!);
          if (failing.has(id)) return send(res, 500, { error: "internal error" });
          const spans = rows.filter((r) => r.traceId === id).sort((a, b) => a.ts - b.ts);
          return send(res, 200, { spans: spans.length > 0 ? spans.map((r) => traceSpanRow(r, env)) : null });
        }
        if (method === "GET" && path === "/v2/projects/default/spans/workflow-names") {
          const start = Number(query.get("start_time"));
          const end = Number(query.get("end_time"));
          if (!query.has("start_time") || !query.has("end_time") || !Number.isFinite(start) || !Number.isFinite(end)) {
            return send(res, 400, { error: "start_time and end_time (epoch ms) are required" });
          }
          const names = new Set<string>();
          for (const r of rows) {
            const w = r.attrs["traceloop.workflow.name"];
            if (w && r.ts >= start && r.ts <= end) names.add(w);
          }
          return send(res, 200, { workflows: [...names] });
        }
        send(res, 404, { error: "route not found" });
      };

      const server = createServer((req: IncomingMessage, res: ServerResponse) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
          const url = new URL(req.url ?? "/", "http://127.0.0.1");
          const text = Buffer.concat(chunks).toString("utf8");
          let body: unknown;
          try {
            body = text ? JSON.parse(text) : undefined;
          } catch {
            body = text;
          }
          requests.push({
            method: req.method ?? "",
            path: url.pathname,
            query: Object.fromEntries(url.searchParams),
            ...(body !== undefined ? { body } : {}),
            headers: { ...req.headers },
          });
          if (fault === "hang") return;
          const auth = req.headers.authorization ?? "";
          const token = auth.startsWith("Bearer ") ? auth.slice("Bearer ".length) : "";
          // Echoes the token back, as careless APIs do, so tests can check it never surfaces.
          if (fault === "http401" || !token || (options.apiKey !== undefined && token !== options.apiKey)) {
            return send(res, 401, { error: `invalid API key '${token}'` });
          }
          if (fault === "http403") return send(res, 403, { error: "forbidden" });
          if (fault === "http404") return send(res, 404, { error: "not found" });
          if (fault === "http500") return send(res, 500, { error: "internal error" });
          if (fault === "malformed") {
            res.writeHead(200, { "content-type": "application/json" });
            return res.end("<html>upstream error</html>");
          }
          try {
            route(req.method ?? "", url.pathname, url.searchParams, body, res);
          } catch (err) {
            if (err instanceof BadRequest) return send(res, 400, { error: err.message });
            throw err;
          }
        });
      });
      const listening = await listenLoopback(server);
      return {
        url: listening.url,
        requests,
        setFault: (f) => void (fault = f),
        failTraceSpans: (ids) => void (failing = new Set(ids)),
        close: listening.close,
      };
    },
  };
}
