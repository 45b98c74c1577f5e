/**
 * An in-memory TraceBackend for tool-logic tests: it pushes nothing down (so every filter runs in
 * the local engine), can pretend its search returns partial traces, and can fail chosen fetches.
 * HTTP behaviour is tested against the real adapters and their worlds instead.
 */
import type { Pushdown, SearchResult, TraceBackend } from "../../src/backends/trace-backend.js";
import type { SearchQuery } from "../../src/domain/query.js";
import type { Span, Trace } from "../../src/domain/trace.js";
import { BackendError } from "../../src/errors.js";

export interface MemoryBackendOptions {
  /** When false, search returns root-only traces and tools must fetch each trace. */
  complete?: boolean;
  /** Trace ids whose getTrace fails. */
  failIds?: Set<string>;
}

export class MemoryBackend implements TraceBackend {
  readonly kind = "jaeger" as const;
  readonly url = "memory://test";
  readonly completeTracesInSearch: boolean;
  searches = 0;
  fetches = 0;

  constructor(
    private readonly traces: Trace[],
    private readonly options: MemoryBackendOptions = {},
  ) {
    this.completeTracesInSearch = options.complete ?? true;
  }

  pushdown(): Pushdown {
    return "none";
  }

  private inWindow(t: Trace, q: SearchQuery): boolean {
    const ms = t.startTimeUs / 1000;
    return (q.startMs === undefined || ms >= q.startMs) && (q.endMs === undefined || ms <= q.endMs);
  }

  async searchTraces(q: SearchQuery): Promise<SearchResult<Trace>> {
    this.searches++;
    const items = this.traces
      .filter((t) => this.inWindow(t, q))
      .slice(0, q.limit)
      .map((t) => (this.completeTracesInSearch ? t : { ...t, spans: t.spans.filter((s) => !s.parentSpanId) }));
    return { items, notes: [] };
  }

  async searchSpans(q: SearchQuery): Promise<SearchResult<Span>> {
    this.searches++;
    return { items: this.traces.filter((t) => this.inWindow(t, q)).flatMap((t) => t.spans).slice(0, q.limit), notes: [] };
  }

  async getTrace(id: string): Promise<Trace> {
    this.fetches++;
    if (this.options.failIds?.has(id)) throw new BackendError("jaeger", "http", `Jaeger at memory://test returned HTTP 500 for GET /api/traces/${id}`, 500);
    const t = this.traces.find((x) => x.traceId === id);
    if (!t) throw new BackendError("jaeger", "not_found", `Trace ${id} not found`);
    return t;
  }

  async listServices(): Promise<string[]> {
    return [...new Set(this.traces.flatMap((t) => t.spans.map((s) => s.serviceName)))];
  }

  async getServiceOperations(service: string): Promise<string[]> {
    return [...new Set(this.traces.flatMap((t) => t.spans.filter((s) => s.serviceName === service).map((s) => s.operationName)))];
  }

  async healthCheck() {
    return { status: "healthy" as const, backend: this.kind, url: this.url };
  }

  async close(): Promise<void> {}
}
