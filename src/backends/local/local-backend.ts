/**
 * The local backend: the embedded store (src/store) behind the TraceBackend contract, plus the
 * OTLP receiver that fills it while this process owns the data directory. Every filter runs in
 * the store's SQL, which reproduces the filter engine exactly (normalised GenAI fields included),
 * so the query layer applies nothing locally; answers come newest first and complete.
 */
import { BackendError, errorMessage } from "../../errors.js";
import type { Filter } from "../../domain/filter.js";
import type { Span, Trace } from "../../domain/trace.js";
import { openStore, type LocalStore } from "../../store/index.js";
import type { LlmAttributes } from "../../genai/llm-span.js";
import type {
  AggregateAnswer,
  AggregateQuery,
  BackendOptions,
  BackendSearch,
  ProjectedSpanQuery,
  TraceRankAnswer,
  TraceRankQuery,
  ToolUsageAnswer,
  SessionAnswer,
  SessionQuery,
  ToolUsageQuery,
  HealthStatus,
  LlmCallQuery,
  LlmCostAnswer,
  LlmCostQuery,
  LlmUsageAnswer,
  LlmUsageQuery,
  LlmCallRecord,
  Pushdown,
  SearchResult,
  ServiceEdgeAnswer,
  ServiceEdgeQuery,
  TraceBackend,
} from "../trace-backend.js";
import { local } from "./descriptor.js";
import { OwnerReceiver } from "./receiver.js";
import { rankedTrace } from "../ranked-trace.js";

const KIND = "local";

function storeError(err: unknown, what: string, url: string): BackendError {
  if (err instanceof BackendError) return err;
  return new BackendError(KIND, "invalid_response", `The local store at ${url} failed to ${what}: ${errorMessage(err)}`, undefined, { cause: err });
}

export interface LocalBackend extends TraceBackend {
  /** Resolves once the store is open (and the receiver listening, when this process owns it). */
  ready(): Promise<void>;
  /** The store itself (for demo-data and tests). */
  store(): Promise<LocalStore>;
  /** Where OTLP is received, or why not (startup line, health). */
  receiving(): Promise<{ url?: string; notReceiving?: string }>;
}

export function createLocalBackend(options: BackendOptions): LocalBackend {
  const settings = options.local;
  if (!settings) throw new Error("the local backend needs options.local (data directory, receiver address, retention)");
  const url = options.url || `file://${settings.dataDir}`;
  const logger = options.logger;
  let receiver: OwnerReceiver | undefined;

  const opened: Promise<LocalStore> = (async () => {
    const store = await openStore({
      dataDir: settings.dataDir,
      retentionMs: settings.retentionMs,
      maxBytes: settings.maxBytes,
      logger,
      // --otlp-listen none: never take the store over, only read it.
      role: settings.otlpListen === "none" ? "reader" : "auto",
      ...(options.now ? { now: options.now } : {}),
    });
    receiver = new OwnerReceiver(store, { listen: settings.otlpListen, ...(settings.otlpAuthToken ? { authToken: settings.otlpAuthToken } : {}) }, logger);
    await receiver.start();
    return store;
  })();
  // Opening fails loudly at the first call that needs the store; never an unhandled rejection.
  opened.catch(() => undefined);

  const withStore = async <T>(what: string, run: (store: LocalStore) => Promise<T>): Promise<T> => {
    let store: LocalStore;
    try {
      store = await opened;
    } catch (err) {
      throw new BackendError(KIND, "network", `Cannot open the local store at ${url}: ${errorMessage(err)}`, undefined, { cause: err });
    }
    try {
      return await run(store);
    } catch (err) {
      throw storeError(err, what, url);
    }
  };

  const params = (search: BackendSearch): { startMs: number; endMs: number; filters: Filter[]; limit: number } => ({
    startMs: search.startMs,
    endMs: search.endMs,
    filters: search.filters,
    limit: search.limit,
  });

  return {
    kind: KIND,
    url,
    capabilities: local.capabilities,
    // The store's SQL reproduces the filter engine for every field and operator (src/store/sql/filters.ts).
    pushdown: (): Pushdown => "exact",

    async searchTraces(search: BackendSearch): Promise<SearchResult<Trace>> {
      return withStore("search traces", async (store) => {
        // Always trace semantics: with searchSpans present the query layer never asks for "spans" here.
        const res = await store.searchTraces(params(search));
        return { items: res.traces, notes: [], returned: res.traces.length };
      });
    },

    async searchSpans(search: BackendSearch): Promise<SearchResult<Span>> {
      return withStore("search spans", async (store) => {
        const res = await store.searchSpans(params(search));
        return { items: res.spans, notes: [], returned: res.spans.length };
      });
    },

    async llmCalls(query: LlmCallQuery): Promise<{ calls: LlmCallRecord[]; traces: number }> {
      return withStore("read LLM calls", async (store) => {
        const res = await store.llmCalls({ startMs: query.startMs, endMs: query.endMs, filters: query.filters });
        // The LlmCall column is the parser's own reading, written with the span (src/store/derived.ts).
        const calls = res.calls.map(({ call, ...span }) => ({ span, llm: JSON.parse(call) as LlmAttributes }));
        return { calls, traces: res.traces };
      });
    },

    async llmUsage(query: LlmUsageQuery): Promise<LlmUsageAnswer> {
      return withStore("aggregate LLM calls", (store) => store.llmUsage({ ...query, filters: [...query.filters] }));
    },

    async llmCost(query: LlmCostQuery): Promise<LlmCostAnswer> {
      return withStore("price LLM calls", (store) => store.llmCost({ ...query, filters: [...query.filters] }));
    },

    async projectedSpans(query: ProjectedSpanQuery): Promise<{ spans: Span[]; matched: number }> {
      return withStore("read spans", (store) => store.projectedSpans({ ...query, filters: [...query.filters] }));
    },

    async rankTraces(query: TraceRankQuery): Promise<TraceRankAnswer> {
      return withStore("rank traces", async (store) => {
        const res = await store.rankTraces(query);
        const traces = res.traces.map(rankedTrace);
        return { traces, matched: res.matched, calls: res.calls };
      });
    },

    async sessions(query: SessionQuery): Promise<SessionAnswer> {
      return withStore("group sessions", async (store) => {
        const res = await store.sessions({ ...query, filters: [...query.filters] });
        // The LlmCall column is the parser's own reading, written with the span (src/store/derived.ts).
        const calls = res.calls.map(({ sessionId, call, ...span }) => ({ sessionId, call: { span, llm: JSON.parse(call) as LlmAttributes } }));
        return { sessions: res.sessions, total: res.total, matched: res.matched, calls };
      });
    },

    async toolUsage(query: ToolUsageQuery): Promise<ToolUsageAnswer> {
      return withStore("group tool calls", (store) => store.toolUsage(query));
    },

    async aggregate(query: AggregateQuery): Promise<AggregateAnswer | undefined> {
      return withStore("compute an aggregate", (store) => store.aggregate(query));
    },

    async serviceEdges(query: ServiceEdgeQuery): Promise<ServiceEdgeAnswer> {
      return withStore("compute the service topology", (store) => store.serviceEdges(query));
    },

    async getTrace(traceId: string): Promise<Trace> {
      const trace = await withStore("read a trace", (store) => store.getTrace(traceId.toLowerCase()));
      if (!trace) throw new BackendError(KIND, "not_found", `Trace '${traceId.slice(0, 64)}' not found in the local store at ${url}.`, 404);
      return trace;
    },

    listServices: () => withStore("list services", (store) => store.listServices()),
    getServiceOperations: (service: string) => withStore("list operations", (store) => store.getServiceOperations(service)),

    async healthCheck(): Promise<HealthStatus> {
      try {
        const store = await opened;
        const stats = await store.stats();
        const state = receiver?.state ?? {};
        return {
          status: "healthy",
          backend: KIND,
          url,
          details: {
            role: store.role,
            spans: stats.spans,
            traces: stats.traces,
            bytes: stats.bytes,
            ...(state.url ? { otlp_endpoint: `${state.url}/v1/traces` } : {}),
            ...(state.notReceiving ? { not_receiving: state.notReceiving } : {}),
          },
        };
      } catch (err) {
        return { status: "unhealthy", backend: KIND, url, error: `Cannot open the local store at ${url}: ${errorMessage(err)}` };
      }
    },

    ready: async () => void (await opened),
    store: () => opened,
    async receiving() {
      await opened.catch(() => undefined);
      return { ...(receiver?.state ?? {}) };
    },

    async close(): Promise<void> {
      await receiver?.stop();
      const store = await opened.catch(() => undefined);
      await store?.close();
    },
  };
}

