/**
 * Traceloop (hosted OpenLLMetry) adapter over the v2 REST API. The project id is always
 * "default": the API resolves the real project from the API key.
 */
import type { Filter } from "../../domain/filter.js";
import type { Span, Trace } from "../../domain/trace.js";
import { isTraceId, quoteTraceId, TRACE_ID_HINT } from "../../domain/trace-id.js";
import { BackendError, errorMessage } from "../../errors.js";
import { HttpClient } from "../http-client.js";
import type { BackendFactory, BackendOptions, BackendSearch, HealthStatus, SearchResult, TraceBackend } from "../trace-backend.js";
import { traceloop } from "./descriptor.js";
import {
  oneSpanTrace,
  readPage,
  readTraceSpans,
  readWorkflows,
  rootInfo,
  rowToSpan,
  traceFromRows,
  type RootInfo,
} from "./traceloop-mapper.js";
import { DAY_MS } from "../descriptor.js";
import { buildSearchBody, nextCursor, traceloopPushdown, translateFilter, type TraceloopCursor, type TraceloopFilter } from "./traceloop-query.js";

const PROJECT = "default";
const ROOT_SPANS_PATH = `/v2/projects/${PROJECT}/traces/root-spans`;
const SPANS_PATH = `/v2/projects/${PROJECT}/spans`;
const WORKFLOWS_PATH = `/v2/projects/${PROJECT}/spans/workflow-names`;
const traceSpansPath = (id: string): string => `/v2/projects/${PROJECT}/traces/${encodeURIComponent(id)}/spans`;

/** Upper bound on pages per call: keeps a broad query from walking a whole project. */
export const MAX_PAGES = 20;
const LISTING_WINDOW_MS = 7 * DAY_MS;
const LISTING_LIMIT = 1000;

type Envelope = "root_spans" | "spans";

interface Scan {
  /** Rows the API returned, in all pages. */
  rows: number;
  /** True when MAX_PAGES stopped the walk while the API still had more. */
  capped: boolean;
  pages: number;
}

export const createTraceloopBackend: BackendFactory = (options: BackendOptions): TraceBackend => {
  const apiKey = options.apiKey?.trim();
  if (!apiKey) {
    throw new BackendError("traceloop", "requirement", "Traceloop backend requires an API key: pass --api-key or set BACKEND_API_KEY");
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(options.headers)) if (k.toLowerCase() !== "authorization") headers[k] = v;
  headers.authorization = `Bearer ${apiKey}`;
  const http = new HttpClient({
    backend: "traceloop",
    // The API lives at /v2/...; a base URL that already ends in /v2 would double it.
    baseUrl: options.url.replace(/\/v2\/*$/, ""),
    headers,
    timeoutMs: options.timeoutMs,
    logger: options.logger,
    dispatcher: options.dispatcher,
    ...(options.maxResponseBytes ? { maxResponseBytes: options.maxResponseBytes } : {}),
  });
  const log = options.logger.child({ backend: "traceloop" });
  const now = (): number => (options.now ?? Date.now)();
  const environments = options.environments.length > 0 ? [...options.environments] : ["prd"];

  /** The HTTP layer redacts whole header values; the bare key could still be echoed back. */
  async function guarded<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      if (err instanceof BackendError && err.message.includes(apiKey!)) {
        throw new BackendError(err.backend, err.kind, err.message.split(apiKey!).join("[redacted]"), err.status);
      }
      throw err;
    }
  }

  function invalid(what: string): BackendError {
    const expected = what.endsWith(ROOT_SPANS_PATH)
      ? "{root_spans: {data: [...], next_cursor}}"
      : what.endsWith(SPANS_PATH)
        ? "{spans: {data: [...], next_cursor}}"
        : what.endsWith(WORKFLOWS_PATH)
          ? "{workflows: [...]}"
          : "{spans: [...]}";
    return new BackendError(
      "traceloop",
      "invalid_response",
      `Traceloop at ${http.url} answered ${what} with JSON that is not a Traceloop v2 API answer (expected ${expected}). ` +
        `Check that --url / BACKEND_URL points to the Traceloop API (e.g. https://api.traceloop.com), not a proxy or another API.`,
    );
  }

  /**
   * Walks the cursor of a search endpoint. `accept` consumes each page's rows and returns how
   * many more rows are still wanted (0 stops the walk).
   */
  async function scan(
    path: string,
    envelope: Envelope,
    filters: TraceloopFilter[],
    window: { startMs: number; endMs: number },
    wanted: number,
    accept: (rows: unknown[]) => Promise<number>,
  ): Promise<Scan> {
    let cursor: TraceloopCursor = 0;
    let remaining = wanted;
    let pages = 0;
    let read = 0;
    while (remaining > 0) {
      if (pages >= MAX_PAGES) return { rows: read, capped: true, pages };
      const body = buildSearchBody({ filters, environments, cursor, limit: remaining, window });
      const res = await http.post(path, body);
      pages++;
      const page = readPage(res.json, envelope);
      if (!page) throw invalid(`POST ${path}`);
      read += page.rows.length;
      remaining = await accept(page.rows);
      const next = nextCursor(page.nextCursor, cursor);
      // total_results counts the whole listing; a page that already holds it is the last one.
      const lastPage = page.rows.length === 0 || (page.totalResults !== undefined && page.rows.length >= page.totalResults);
      if (next === undefined || lastPage) break;
      cursor = next;
    }
    return { rows: read, capped: false, pages };
  }

  /** The API window is whole seconds; trims rows outside the exact ms window (unreadable rows are not judged here). */
  function outsideWindow(row: unknown, window: { startMs: number; endMs: number }): boolean {
    const ts = (row as { timestamp?: unknown } | null)?.timestamp;
    const n = typeof ts === "number" ? ts : typeof ts === "string" && ts.trim() !== "" ? Number(ts) : NaN;
    return Number.isFinite(n) && (n < window.startMs || n > window.endMs);
  }







  function capNote(s: Scan, what: string): string[] {
    return s.capped
      ? [`Stopped after ${s.pages} pages (${s.rows} ${what} read) from Traceloop; more may match. Narrow the time range or add filters.`]
      : [];
  }

  function skippedNote(count: number, what: string): string[] {
    return count > 0 ? [`${count} ${what} returned by Traceloop could not be read (missing ids or timestamp) and were skipped.`] : [];
  }

  async function fetchTraceRows(traceId: string): Promise<unknown[] | null> {
    const res = await http.get(traceSpansPath(traceId));
    const rows = readTraceSpans(res.json);
    if (rows === undefined) throw invalid(`GET ${traceSpansPath(traceId)}`);
    return rows && rows.length > 0 ? rows : null;
  }

  function notFound(traceId: string): BackendError {
    return new BackendError(
      "traceloop",
      "not_found",
      `Trace ${traceId} not found in Traceloop (project ${PROJECT}, environments ${environments.join(", ")}). ` +
        `Check the id (32 hex characters) and that the API key's project and --environments / BACKEND_ENVIRONMENTS include where it was recorded.`,
    );
  }

  /**
   * The root-spans row of a trace, for the service and status that the trace-spans endpoint
   * omits. There is no trace-id filter, so ask for roots with that name within a second of its start.
   */
  async function lookupRoot(traceId: string, rootSpan: Span): Promise<RootInfo | undefined> {
    const tsMs = rootSpan.startTimeUs / 1000;
    const window = { startMs: tsMs - 1000, endMs: tsMs + 1000 };
    const filters: TraceloopFilter[] = [{ field: "span_name", operator: "equals", value: rootSpan.operationName, value_type: "string" }];
    let found: RootInfo | undefined;
    await scan(ROOT_SPANS_PATH, "root_spans", filters, window, 50, async (rows) => {
      for (const row of rows) {
        const info = rootInfo(row);
        if (info && info.traceId === traceId && info.spanId === rootSpan.spanId) found = info;
      }
      // One page is enough: the window is two seconds wide and the name is the root's own.
      return 0;
    });
    return found;
  }

  /** The root-spans row a search already read, rebuilt from the partial trace it became. */
  function rootFromHint(traceId: string, hint: Trace | undefined): RootInfo | undefined {
    const span = hint?.traceId === traceId ? hint.spans.find((x) => !x.parentSpanId) : undefined;
    if (!span) return undefined;
    return { traceId, spanId: span.spanId, serviceName: span.serviceName, status: span.status, timestampMs: span.startTimeUs / 1000, span };
  }

  async function getTrace(rawId: string, hint?: Trace): Promise<Trace> {
    // Checked before the path is built: "." or ".." would reach the spans or traces endpoints.
    if (!isTraceId(rawId)) {
      throw new BackendError("traceloop", "not_found", `'${quoteTraceId(rawId)}' is not a trace id: ${TRACE_ID_HINT}.`);
    }
    const traceId = rawId.trim();
    return guarded(async () => {
      const rows = await fetchTraceRows(traceId);
      if (!rows) throw notFound(traceId);
      const known = rootFromHint(traceId, hint);
      if (known) {
        const mapped = traceFromRows(traceId, rows, known);
        if (mapped.trace) return mapped.trace;
      }
      const first = traceFromRows(traceId, rows);
      if (!first.trace) throw notFound(traceId);
      let root: RootInfo | undefined;
      const rootSpan = first.trace.spans.find((s) => !s.parentSpanId);
      if (rootSpan) {
        try {
          root = await lookupRoot(traceId, rootSpan);
        } catch (err) {
          // The spans are already here; only the root's service/status stay unknown.
          log.warn({ traceId, err: errorMessage(err) }, "traceloop root lookup failed");
        }
      }
      if (first.skipped > 0) log.warn({ traceId, skipped: first.skipped }, "traceloop: unreadable span rows skipped");
      return root ? traceFromRows(traceId, rows, root).trace! : first.trace;
    });
  }

  /** Translates the compiled filters (every one was accepted by traceloopPushdown). */
  function remoteFilters(filters: readonly Filter[]): TraceloopFilter[] {
    return filters.flatMap((f) => translateFilter(f) ?? []);
  }

  /** Root-spans rows as partial traces (root span only); the query layer fetches their spans. */
  async function searchTraces(search: BackendSearch): Promise<SearchResult<Trace>> {
    return guarded(async () => {
      const window = { startMs: search.startMs, endMs: search.endMs };
      const items: Trace[] = [];
      const seen = new Set<string>();
      let skippedRows = 0;
      const s = await scan(ROOT_SPANS_PATH, "root_spans", remoteFilters(search.filters), window, search.limit, async (rows) => {
        for (const row of rows) {
          if (outsideWindow(row, window)) continue;
          const info = rootInfo(row);
          if (!info) {
            skippedRows++;
            continue;
          }
          if (seen.has(info.traceId) || items.length >= search.limit) continue;
          seen.add(info.traceId);
          items.push({ ...oneSpanTrace(info), partial: true });
        }
        return search.limit - items.length;
      });
      const notes = [...skippedNote(skippedRows, "root span row(s)"), ...capNote(s, "root spans")];
      return { items, notes, returned: items.length };
    });
  }

  async function searchSpans(search: BackendSearch): Promise<SearchResult<Span>> {
    return guarded(async () => {
      const window = { startMs: search.startMs, endMs: search.endMs };
      const items: Span[] = [];
      const seen = new Set<string>();
      let skippedRows = 0;
      const s = await scan(SPANS_PATH, "spans", remoteFilters(search.filters), window, search.limit, async (rows) => {
        for (const row of rows) {
          if (outsideWindow(row, window)) continue;
          const span = rowToSpan(row);
          if (!span) {
            skippedRows++;
            continue;
          }
          const key = `${span.traceId}/${span.spanId}`;
          if (seen.has(key) || items.length >= search.limit) continue;
          seen.add(key);
          items.push(span);
        }
        return search.limit - items.length;
      });
      const notes = [...skippedNote(skippedRows, "span row(s)"), ...capNote(s, "spans")];
      return { items, notes, returned: items.length };
    });
  }

  async function listServices(): Promise<string[]> {
    return guarded(async () => {
      const end = now();
      const window = { startMs: end - LISTING_WINDOW_MS, endMs: end };
      const services = new Set<string>();
      let read = 0;
      const s = await scan(ROOT_SPANS_PATH, "root_spans", [], window, LISTING_LIMIT, async (rows) => {
        read += rows.length;
        for (const row of rows) {
          const name = (row as { service_name?: unknown } | null)?.service_name;
          if (typeof name === "string" && name.trim() !== "") services.add(name);
        }
        return LISTING_LIMIT - read;
      });
      if (s.capped) log.warn({ pages: s.pages }, "traceloop listServices stopped at the page bound; the list may be incomplete");
      return [...services].sort();
    });
  }

  async function getServiceOperations(_service: string): Promise<string[]> {
    // Traceloop exposes workflow names per project, not per service: the service is not sent
    // and every service gets the same list.
    return guarded(async () => {
      const end = now();
      const res = await http.get(WORKFLOWS_PATH, { query: [["start_time", end - LISTING_WINDOW_MS], ["end_time", end]] });
      const names = readWorkflows(res.json);
      if (!names) throw invalid(`GET ${WORKFLOWS_PATH}`);
      return names;
    });
  }

  async function healthCheck(): Promise<HealthStatus> {
    const end = now();
    try {
      // One root span over the last hour: proves URL, key and project without pulling a page of spans.
      const body = buildSearchBody({ filters: [], environments, cursor: 0, limit: 1, window: { startMs: end - 3_600_000, endMs: end } });
      await guarded(() => http.post(ROOT_SPANS_PATH, body));
      return { status: "healthy", backend: "traceloop", url: http.url, project_id: PROJECT };
    } catch (err) {
      return { status: "unhealthy", backend: "traceloop", url: http.url, project_id: PROJECT, error: errorMessage(err) };
    }
  }

  return {
    kind: "traceloop",
    url: http.url,
    capabilities: traceloop.capabilities,
    pushdown: traceloopPushdown,
    searchTraces,
    searchSpans,
    getTrace,
    listServices,
    getServiceOperations,
    healthCheck,
    close: () => http.close(),
  };
};
