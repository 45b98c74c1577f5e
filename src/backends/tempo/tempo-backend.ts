/**
 * Grafana Tempo adapter. Search is two-step: `/api/search` (TraceQL) lists trace ids as partial
 * traces, then the query layer fetches each by id through its cache; a projected search
 * (BackendSearch.select) returns the wanted spans with their attributes in the listing itself
 * (TraceQL `select`, `spss`), so only traces whose spans did not all fit are fetched by id. Trace-by-id prefers `/api/v2/traces/{id}` and
 * falls back to v1 `/api/traces/{id}` on Tempo versions without it; the tag-values endpoints do the
 * same. The working API version is remembered per instance so later calls make one request.
 */
import type { Filter } from "../../domain/filter.js";
import { createSpan, type Span, type SpanStatus, type Trace } from "../../domain/trace.js";
import { BackendError, errorMessage } from "../../errors.js";
import { HttpClient, type QueryParams } from "../http-client.js";
import type {
  AggregateAnswer,
  AggregateQuery,
  BackendFactory,
  BackendOptions,
  BackendSearch,
  HealthStatus,
  Pushdown,
  SearchResult,
  SearchTarget,
  SpanProjection,
  TraceBackend,
} from "../trace-backend.js";
import { tempo } from "./descriptor.js";
import { mapTempoTrace, normalizeTraceId, parseInstantAnswer, parseSearchHits, parseTagValues, TempoShapeError, type TempoHitSpan, type TempoSearchHit } from "./tempo-mapper.js";
import { groupsFromSeries, planMetrics } from "./traceql-metrics.js";
import { buildProjectedTraceQL, buildTraceQL, MAX_SPANS_PER_SPANSET, quoteString, tempoPushdown } from "./traceql.js";

type ApiVersion = "v2" | "v1";

/** A search hit as a partial trace: the query layer fetches the spans by id through its cache. */
function hitTrace(hit: TempoSearchHit): Trace {
  return {
    traceId: hit.traceId,
    spans: [],
    startTimeUs: hit.startTimeUs ?? 0,
    durationMs: hit.durationMs ?? 0,
    serviceName: hit.rootServiceName ?? "",
    rootOperation: hit.rootTraceName ?? "",
    status: "UNSET",
    partial: true,
  };
}

const HIT_STATUS: Readonly<Record<string, SpanStatus>> = { error: "ERROR", ok: "OK", unset: "UNSET" };

/** A span of a projected hit: what the listing carries, with only the selected attributes. */
function projectedSpan(traceId: string, s: TempoHitSpan, keep: ReadonlySet<string>): Span {
  const service = s.attributes["service.name"];
  const status = s.attributes.status;
  const attributes: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s.attributes)) if (keep.has(k) && v !== null) attributes[k] = v;
  return createSpan({
    traceId,
    spanId: s.spanId,
    parentSpanId: null,
    operationName: s.name ?? "",
    serviceName: typeof service === "string" && service !== "" ? service : "unknown",
    startTimeUs: Number(s.startNs / 1000n),
    durationMs: Number(s.durationNs) / 1e6,
    status: (typeof status === "string" && HIT_STATUS[status]) || "UNSET",
    attributes,
  });
}

/**
 * A hit of a projected search as a projected trace, or the plain partial trace when Tempo could
 * not list every wanted span (spss cut the spanset, or it was unreadable): that one is fetched.
 */
function projectedTrace(hit: TempoSearchHit, projection: SpanProjection): Trace {
  const sets = hit.spanSets ?? [];
  if (sets.length === 0 || sets.some((ss) => ss.matched > ss.spans.length)) return hitTrace(hit);
  const keep = new Set(projection.attributes);
  const byId = new Map<string, Span>();
  for (const ss of sets) for (const s of ss.spans) if (!byId.has(s.spanId)) byId.set(s.spanId, projectedSpan(hit.traceId, s, keep));
  const spans = [...byId.values()];
  return {
    ...hitTrace(hit),
    spans,
    // Every error span is in the projection when asked for, so the trace status is known exactly.
    status: projection.errorSpans ? (spans.some((s) => s.status === "ERROR") ? "ERROR" : "OK") : "UNSET",
    projected: true,
  };
}

class TempoBackend implements TraceBackend {
  readonly kind = "tempo" as const;
  readonly url: string;
  readonly capabilities = tempo.capabilities;
  private readonly http: HttpClient;
  private readonly now: () => number;
  private traceApi: ApiVersion | undefined;
  private tagApi: ApiVersion | undefined;
  /** Whether TraceQL metrics read every span (see metricsExact); asked once. */
  private metricsExactness: Promise<boolean> | undefined;

  constructor(private readonly options: BackendOptions) {
    const headers: Record<string, string> = { ...options.headers };
    if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;
    this.http = new HttpClient({
      backend: "tempo",
      baseUrl: options.url,
      headers,
      timeoutMs: options.timeoutMs,
      logger: options.logger,
      ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
      ...(options.maxResponseBytes ? { maxResponseBytes: options.maxResponseBytes } : {}),
    });
    this.url = this.http.url;
    this.now = options.now ?? Date.now;
  }

  pushdown(filter: Filter, target: SearchTarget): Pushdown {
    return tempoPushdown(filter, target);
  }

  /**
   * `/api/search` with the TraceQL for the target; hits become partial traces, or with a
   * projection (target "traces") projected traces built from the listed spans.
   */
  async searchTraces(search: BackendSearch): Promise<SearchResult<Trace>> {
    const projection = search.target === "traces" ? search.select : undefined;
    const res = await this.http.get("/api/search", {
      query: [
        ["q", projection ? buildProjectedTraceQL(search.filters, projection) : buildTraceQL(search.filters, search.target)],
        ["limit", search.limit],
        ["start", Math.floor(search.startMs / 1000)],
        ["end", Math.ceil(search.endMs / 1000)],
        // Spans per spanset: Tempo lists 3 by default; a projection wants them all (up to Tempo's cap).
        ...(projection ? [["spss", MAX_SPANS_PER_SPANSET] as const] : []),
      ],
    });
    const hits = this.shape(() => parseSearchHits(res.json, { spans: projection !== undefined }), "GET /api/search");
    const page = hits.slice(0, search.limit);
    return { items: projection ? page.map((h) => projectedTrace(h, projection)) : page.map(hitTrace), notes: [], returned: hits.length };
  }

  /**
   * An aggregate from TraceQL metrics instant queries (`/api/metrics/query`, Tempo >= 2.9 for the
   * [start, end] range), for what traceql-metrics.ts maps exactly, on a Tempo whose metrics read
   * every span; otherwise undefined (the query layer computes it). Tempo declining the query (400:
   * over query_frontend.metrics.max_duration, say; 404: no metrics API) is also undefined.
   */
  async aggregate(query: AggregateQuery): Promise<AggregateAnswer | undefined> {
    const plan = planMetrics(query);
    if (!plan || !(await this.metricsExact())) return undefined;
    const instant = async (q: string) => {
      const res = await this.http.get("/api/metrics/query", {
        query: [
          ["q", q],
          // Nanoseconds (more than 10 digits): the range is [start, end], both ends inclusive.
          ["start", (BigInt(Math.floor(query.startMs)) * 1_000_000n).toString()],
          ["end", (BigInt(Math.floor(query.endMs)) * 1_000_000n).toString()],
        ],
        allowStatus: [400, 404],
      });
      if (res.status === 400 || res.status === 404) {
        this.options.logger.warn({ backend: "tempo", status: res.status }, "Tempo declined a TraceQL metrics query; the aggregate is computed from fetched traces");
        return undefined;
      }
      const answer = this.shape(() => parseInstantAnswer(res.json), "GET /api/metrics/query");
      return answer.partial ? undefined : answer.series;
    };
    const [count, sum, max] = await Promise.all([instant(plan.count), plan.sumDuration ? instant(plan.sumDuration) : [], plan.maxDuration ? instant(plan.maxDuration) : []]);
    if (!count || !sum || !max) return undefined;
    return groupsFromSeries(plan, count, sum, max);
  }

  /**
   * TraceQL metrics count every span only from Tempo 3.0 on (metrics GA: live-stores and backend
   * blocks). Tempo 2.x answers them from the metrics-generator's local-blocks processor, which by
   * default keeps server spans only (filter_server_spans) and needs flushing for older data, so an
   * answer could silently leave spans out. The version comes from `/api/status/buildinfo`.
   */
  private metricsExact(): Promise<boolean> {
    this.metricsExactness ??= this.http
      .get("/api/status/buildinfo", { allowStatus: [404] })
      .then((res) => {
        const version = typeof (res.json as { version?: unknown } | undefined)?.version === "string" ? (res.json as { version: string }).version : "";
        const major = Number(/^v?(\d+)\./.exec(version.trim())?.[1]);
        return res.status === 200 && major >= 3;
      })
      .catch(() => {
        // Not remembered: the next aggregate asks again.
        this.metricsExactness = undefined;
        return false;
      });
    return this.metricsExactness;
  }

  async getTrace(traceId: string): Promise<Trace> {
    const id = normalizeTraceId(traceId);
    if (!id) {
      throw new BackendError(
        "tempo",
        "not_found",
        `'${traceId.slice(0, 80)}' is not a Tempo trace id: expected up to 32 hexadecimal characters (e.g. 42ff472d7feb6215bec0cf4e350675b2).`,
      );
    }
    if (this.traceApi !== "v1") {
      const res = await this.http.get(`/api/v2/traces/${id}`, { allowStatus: [404] });
      if (res.status !== 404) {
        this.traceApi = "v2";
        return this.parseTrace(res.json, id, "v2");
      }
      if (this.traceApi === "v2") throw this.notFound(id);
    }
    // v2 said 404: either the trace is unknown or this Tempo predates the v2 endpoint.
    const res = await this.http.get(`/api/traces/${id}`, { allowStatus: [404] });
    if (res.status === 404) throw this.notFound(id);
    this.traceApi = "v1";
    return this.parseTrace(res.json, id, "v1");
  }

  async listServices(): Promise<string[]> {
    const window = this.recent();
    const values = await this.tagValues(
      ["/api/v2/search/tag/resource.service.name/values", [["start", Math.floor(window.startMs / 1000)], ["end", Math.ceil(window.endMs / 1000)]]],
      ["/api/search/tag/service.name/values", []],
    );
    return [...new Set(values)].sort();
  }

  /**
   * Span names of one service over the last 24 hours. Tempo versions without the v2 tag API cannot
   * scope tag values to a service, so the v1 fallback lists the names of every service.
   */
  async getServiceOperations(service: string): Promise<string[]> {
    const window = this.recent();
    const values = await this.tagValues(
      [
        "/api/v2/search/tag/name/values",
        [
          ["q", `{ resource.service.name = ${quoteString(service)} }`],
          ["start", Math.floor(window.startMs / 1000)],
          ["end", Math.ceil(window.endMs / 1000)],
        ],
      ],
      ["/api/search/tag/name/values", []],
    );
    if (this.tagApi === "v1") {
      this.options.logger.warn({ backend: "tempo" }, "Tempo has no v2 tag API: operations are not scoped to the service");
    }
    return [...new Set(values)].sort();
  }

  /** `/ready` must answer "ready"; where a gateway hides it (404), `/api/echo` must answer "echo". */
  async healthCheck(): Promise<HealthStatus> {
    const base = { backend: "tempo" as const, url: this.url };
    const probe = async (path: string, expected: string): Promise<HealthStatus> => {
      const res = await this.http.get(path, { text: true });
      const text = (res.text ?? "").trim();
      if (text === expected) return { status: "healthy", ...base };
      return {
        status: "unhealthy",
        ...base,
        error: `Tempo at ${this.url} answered GET ${path} with ${JSON.stringify(text.slice(0, 80))} instead of "${expected}": check that --url / BACKEND_URL points to Tempo.`,
      };
    };
    try {
      return await probe("/ready", "ready");
    } catch (err) {
      if (!(err instanceof BackendError && err.kind === "not_found")) return { status: "unhealthy", ...base, error: errorMessage(err) };
    }
    try {
      return await probe("/api/echo", "echo");
    } catch (err) {
      return { status: "unhealthy", ...base, error: errorMessage(err) };
    }
  }

  async close(): Promise<void> {
    await this.http.close();
  }

  private async tagValues(v2: [string, QueryParams], v1: [string, QueryParams]): Promise<string[]> {
    if (this.tagApi !== "v1") {
      const res = await this.http.get(v2[0], { query: v2[1], allowStatus: this.tagApi === "v2" ? [] : [404] });
      if (res.status !== 404) {
        this.tagApi = "v2";
        return this.shape(() => parseTagValues(res.json), `GET ${v2[0]}`);
      }
    }
    const res = await this.http.get(v1[0], { query: v1[1] });
    this.tagApi = "v1";
    return this.shape(() => parseTagValues(res.json), `GET ${v1[0]}`);
  }

  private parseTrace(body: unknown, id: string, api: ApiVersion): Trace {
    const path = api === "v2" ? `/api/v2/traces/${id}` : `/api/traces/${id}`;
    const trace = this.shape(() => mapTempoTrace(body, id), `GET ${path}`);
    if (!trace) throw this.notFound(id);
    return trace;
  }

  private shape<T>(parse: () => T, what: string): T {
    try {
      return parse();
    } catch (err) {
      if (!(err instanceof TempoShapeError)) throw err;
      throw new BackendError(
        "tempo",
        "invalid_response",
        `Tempo at ${this.url} answered ${what} with an unexpected JSON shape (${err.message}). ` +
          `Check that --url / BACKEND_URL points to Tempo's HTTP API (e.g. http://localhost:3200).`,
      );
    }
  }

  private notFound(id: string): BackendError {
    return new BackendError(
      "tempo",
      "not_found",
      `Trace ${id} was not found in Tempo at ${this.url}. Check the id; the trace may be older than ` +
        `Tempo's retention, or too recent to be flushed yet (retry in a few seconds).`,
      404,
    );
  }

  /** The window tag-value listings cover: the default look-back up to now. */
  private recent(): { startMs: number; endMs: number } {
    const end = this.now();
    return { startMs: end - tempo.defaultLookbackMs, endMs: end };
  }
}

export const createTempoBackend: BackendFactory = (options) => new TempoBackend(options);
