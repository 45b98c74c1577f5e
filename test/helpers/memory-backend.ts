/**
 * An in-memory TraceBackend for tool-logic tests: it pushes nothing down (so every filter runs in
 * the local engine), can pretend its search returns partial traces, and can fail chosen fetches.
 * It records every search so tests can check what the query layer asked for. HTTP behaviour is
 * tested against the real adapters and their worlds instead.
 */
import type { BackendCapabilities } from "../../src/backends/descriptor.js";
import type { BackendSearch, Pushdown, SearchResult, TraceBackend } from "../../src/backends/trace-backend.js";
import type { Span, Trace } from "../../src/domain/trace.js";
import { BackendError } from "../../src/errors.js";

export interface MemoryBackendOptions {
  /** When false, search returns root-only partial traces and the query layer must fetch each trace. */
  complete?: boolean;
  /** Trace ids whose getTrace fails. */
  failIds?: Set<string>;
  /** Capabilities to claim (default: no service needed, newest first). */
  capabilities?: Partial<BackendCapabilities>;
  /** Search order: "newest" (default), "oldest" or "shuffled" (a seeded permutation, like a Jaeger memory store). */
  order?: "newest" | "oldest" | "shuffled";
}

export class MemoryBackend implements TraceBackend {
  readonly kind = "memory";
  readonly url = "memory://test";
  readonly capabilities: BackendCapabilities;
  searches = 0;
  fetches = 0;
  /** Every search the query layer made, in order. */
  readonly requests: BackendSearch[] = [];

  constructor(
    private readonly traces: Trace[],
    private readonly options: MemoryBackendOptions = {},
  ) {
    this.capabilities = {
      requiresService: false,
      selfServices: [],
      searchOrder: options.order === undefined || options.order === "newest" ? "newest" : "arbitrary",
      completeTracesInSearch: options.complete ?? true,
      ...options.capabilities,
    };
  }

  pushdown(): Pushdown {
    return "none";
  }

  private inWindow(t: Trace, q: BackendSearch): boolean {
    const ms = t.startTimeUs / 1000;
    return ms >= q.startMs && ms <= q.endMs;
  }

  private ordered(traces: Trace[]): Trace[] {
    const byStart = [...traces].sort((a, b) => b.startTimeUs - a.startTimeUs);
    if (this.options.order === "oldest") return byStart.reverse();
    if (this.options.order === "shuffled") {
      // Deterministic permutation by a hash of the id: "any order", but repeatable.
      const h = (id: string) => [...id].reduce((n, c) => (n * 31 + c.charCodeAt(0)) >>> 0, 7);
      return byStart.sort((a, b) => h(a.traceId) - h(b.traceId));
    }
    return byStart;
  }

  async searchTraces(q: BackendSearch): Promise<SearchResult<Trace>> {
    this.searches++;
    this.requests.push(q);
    const hits = this.ordered(this.traces.filter((t) => this.inWindow(t, q))).slice(0, q.limit);
    const items = hits.map((t) => (this.capabilities.completeTracesInSearch ? t : { ...t, spans: t.spans.filter((s) => !s.parentSpanId), partial: true }));
    return { items, notes: [] };
  }

  async searchSpans(q: BackendSearch): Promise<SearchResult<Span>> {
    this.searches++;
    this.requests.push(q);
    const hits = this.ordered(this.traces.filter((t) => this.inWindow(t, q))).slice(0, q.limit);
    return { items: hits.flatMap((t) => t.spans), notes: [], returned: hits.length };
  }

  async getTrace(id: string): Promise<Trace> {
    this.fetches++;
    if (this.options.failIds?.has(id)) throw new BackendError("memory", "http", `Memory at memory://test returned HTTP 500 for GET /api/traces/${id}`, 500);
    const t = this.traces.find((x) => x.traceId === id);
    if (!t) throw new BackendError("memory", "not_found", `Trace ${id} not found`);
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
