/**
 * One table, read across: what each filter becomes in a Jaeger request, a TraceQL query and a
 * Traceloop search body, or that the server applies it itself ("local" = pushdown "none").
 *
 * The expected values are written out literally on purpose: this file is the place to look up
 * "what does my filter turn into on backend X". Each was derived once from the pure translation
 * functions and checked against the semantics stated in their module comments.
 *
 * Jaeger refuses a search without a service, so every Jaeger request here is planned with a fixed
 * `service.name equals "chat-api"` filter and the column shows only the parameters the row's
 * filter adds to that baseline (the service row shows its own `service`).
 */
import { describe, expect, it } from "vitest";
import { compileJaeger, jaegerParams as jaegerRequestParams, jaegerPushdown } from "../../src/backends/jaeger/jaeger-query.js";
import { planFilters } from "../../src/query/plan.js";
import { jaeger } from "../../src/backends/jaeger/descriptor.js";
import { tempo } from "../../src/backends/tempo/descriptor.js";
import { traceloop } from "../../src/backends/traceloop/descriptor.js";
import { buildTraceQL, tempoPushdown, translateFilter as translateTraceQL } from "../../src/backends/tempo/traceql.js";
import type { Pushdown, SearchTarget } from "../../src/backends/trace-backend.js";
import {
  buildSearchBody,
  traceloopPushdown,
  translateFilter as translateTraceloop,
  type TraceloopFilter,
} from "../../src/backends/traceloop/traceloop-query.js";
import { canonicalField, eq, toFilter, type Filter, type Operator, type Scalar } from "../../src/domain/filter.js";
import { assembleTrace, createSpan, type Span, type Trace } from "../../src/domain/trace.js";
import type { BackendSearch, TraceBackend } from "../../src/backends/trace-backend.js";
import { filterSpans, filterTraces } from "../../src/query/filter-engine.js";
import { findSpans, findTraces } from "../../src/query/search.js";
import { generateDataset, generateEdgeTraces } from "../helpers/dataset.js";
import { queryContext } from "../helpers/query.js";

type Sent = Exclude<Pushdown, "none">;

interface Row {
  name: string;
  filter: Filter;
  target: SearchTarget;
  jaeger: { pushdown: Sent; params: Record<string, string> } | "local";
  tempo: { pushdown: Sent; traceql: string } | "local";
  traceloop: { pushdown: Sent; body: TraceloopFilter[] } | "local";
}

const str = (field: string, operator: Operator, value: string): Filter => ({ field, operator, value, valueType: "string" });
const num = (field: string, operator: Operator, value: number): Filter => ({ field, operator, value, valueType: "number" });
const list = (field: string, operator: Operator, values: Scalar[], valueType: Filter["valueType"] = "string"): Filter => ({
  field,
  operator,
  values,
  valueType,
});
const presence = (field: string, operator: "exists" | "not_exists"): Filter => ({ field, operator, valueType: "string" });
const body = (field: string, operator: TraceloopFilter["operator"], value: string, value_type: TraceloopFilter["value_type"]): TraceloopFilter => ({
  field,
  operator,
  value,
  value_type,
});

const INJECTION = 'x" || true || "';
const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";

const TABLE: Row[] = [
  // --- service / operation: exact on traces (a span of that service / name), narrowing on spans
  // for Jaeger and Tempo, which return whole traces; Traceloop filters the row itself.
  {
    name: "service.name equals",
    filter: eq("service.name", "chat-api"),
    target: "traces",
    jaeger: { pushdown: "exact", params: { service: "chat-api" } },
    tempo: { pushdown: "exact", traceql: `{ resource.service.name = "chat-api" }` },
    traceloop: { pushdown: "exact", body: [body("service.name", "equals", "chat-api", "string")] },
  },
  {
    name: "service.name equals",
    filter: eq("service.name", "chat-api"),
    target: "spans",
    jaeger: { pushdown: "narrowing", params: { service: "chat-api" } },
    tempo: { pushdown: "narrowing", traceql: `{ resource.service.name = "chat-api" }` },
    traceloop: { pushdown: "exact", body: [body("service.name", "equals", "chat-api", "string")] },
  },
  {
    name: "operation_name equals",
    filter: eq("operation_name", "openai.chat"),
    target: "traces",
    jaeger: { pushdown: "exact", params: { operation: "openai.chat" } },
    tempo: { pushdown: "exact", traceql: `{ name = "openai.chat" }` },
    traceloop: { pushdown: "exact", body: [body("span_name", "equals", "openai.chat", "string")] },
  },
  {
    name: "operation_name equals",
    filter: eq("operation_name", "openai.chat"),
    target: "spans",
    jaeger: { pushdown: "narrowing", params: { operation: "openai.chat" } },
    tempo: { pushdown: "narrowing", traceql: `{ name = "openai.chat" }` },
    traceloop: { pushdown: "exact", body: [body("span_name", "equals", "openai.chat", "string")] },
  },
  {
    name: "name equals (alias of operation_name)",
    filter: eq("name", "openai.chat"),
    target: "traces",
    jaeger: { pushdown: "exact", params: { operation: "openai.chat" } },
    tempo: { pushdown: "exact", traceql: `{ name = "openai.chat" }` },
    traceloop: { pushdown: "exact", body: [body("span_name", "equals", "openai.chat", "string")] },
  },

  // --- duration (ms). Jaeger's bounds are inclusive and per span: always narrowing, gt/lt send the
  // same bound and the strict check runs locally. TraceQL uses traceDuration on traces.
  {
    name: "duration gte",
    filter: num("duration", "gte", 100),
    target: "traces",
    jaeger: { pushdown: "narrowing", params: { minDuration: "100ms" } },
    tempo: { pushdown: "exact", traceql: `{ traceDuration >= 100ms }` },
    traceloop: { pushdown: "exact", body: [body("duration", "greater_than_or_equal", "100", "number")] },
  },
  {
    name: "duration gte",
    filter: num("duration", "gte", 100),
    target: "spans",
    jaeger: { pushdown: "narrowing", params: { minDuration: "100ms" } },
    tempo: { pushdown: "narrowing", traceql: `{ duration >= 100ms }` },
    traceloop: { pushdown: "exact", body: [body("duration", "greater_than_or_equal", "100", "number")] },
  },
  {
    name: "duration lt",
    filter: num("duration", "lt", 2000),
    target: "traces",
    jaeger: { pushdown: "narrowing", params: { maxDuration: "2000ms" } },
    tempo: { pushdown: "exact", traceql: `{ traceDuration < 2000ms }` },
    traceloop: { pushdown: "exact", body: [body("duration", "less_than", "2000", "number")] },
  },
  {
    name: "duration between (bounds given high, low)",
    filter: list("duration", "between", [500, 100], "number"),
    target: "traces",
    jaeger: { pushdown: "narrowing", params: { minDuration: "100ms", maxDuration: "500ms" } },
    tempo: { pushdown: "exact", traceql: `{ traceDuration >= 100ms && traceDuration <= 500ms }` },
    traceloop: {
      pushdown: "exact",
      body: [body("duration", "greater_than_or_equal", "100", "number"), body("duration", "less_than_or_equal", "500", "number")],
    },
  },
  {
    name: "duration gte, fractional ms",
    filter: num("duration", "gte", 1.5),
    target: "spans",
    jaeger: { pushdown: "narrowing", params: { minDuration: "1.5ms" } },
    tempo: { pushdown: "narrowing", traceql: `{ duration >= 1500000ns }` },
    traceloop: { pushdown: "exact", body: [body("duration", "greater_than_or_equal", "1.5", "number")] },
  },
  {
    name: "duration_ms gt (alias, via toFilter)",
    filter: toFilter({ field: "duration_ms", operator: "gt", value: 50 }),
    target: "traces",
    jaeger: { pushdown: "narrowing", params: { minDuration: "50ms" } },
    tempo: { pushdown: "exact", traceql: `{ traceDuration > 50ms }` },
    traceloop: { pushdown: "exact", body: [body("duration", "greater_than", "50", "number")] },
  },

  // --- status (has_error). Jaeger never sends error=true (its v2 memory store misreads it);
  // Traceloop has no status filter. A trace is ERROR when some span is.
  {
    name: "status equals ERROR (has_error=true)",
    filter: eq("status", "ERROR"),
    target: "traces",
    jaeger: "local",
    tempo: { pushdown: "exact", traceql: `{ status = error }` },
    traceloop: "local",
  },
  {
    name: "status equals ERROR (has_error=true)",
    filter: eq("status", "ERROR"),
    target: "spans",
    jaeger: "local",
    tempo: { pushdown: "narrowing", traceql: `{ status = error }` },
    traceloop: "local",
  },
  {
    // "No span is ERROR" has no TraceQL form; "some span is not ERROR" is implied, so it narrows.
    name: "status not_equals ERROR (has_error=false)",
    filter: str("status", "not_equals", "ERROR"),
    target: "traces",
    jaeger: "local",
    tempo: { pushdown: "narrowing", traceql: `{ status != error }` },
    traceloop: "local",
  },
  {
    name: "status not_equals ERROR (has_error=false)",
    filter: str("status", "not_equals", "ERROR"),
    target: "spans",
    jaeger: "local",
    tempo: { pushdown: "narrowing", traceql: `{ status != error }` },
    traceloop: "local",
  },

  // --- normalised GenAI fields (provider, models, tokens: src/genai/fields.ts) read the same whatever
  // convention recorded a span, so Jaeger and Tempo, whose raw attribute would be one convention's,
  // leave them to the query layer. Traceloop holds OpenLLMetry data only (gen_ai.* lives under llm.*),
  // so its raw field is the normalised one; on traces its root-span search cannot test "any span".
  {
    name: "gen_ai.system equals",
    filter: eq("gen_ai.system", "openai"),
    target: "traces",
    jaeger: "local",
    tempo: "local",
    traceloop: "local",
  },
  {
    name: "gen_ai.system equals",
    filter: eq("gen_ai.system", "openai"),
    target: "spans",
    jaeger: "local",
    tempo: "local",
    traceloop: { pushdown: "exact", body: [body("llm.vendor", "equals", "openai", "string")] },
  },
  {
    name: "gen_ai.request.model equals",
    filter: eq("gen_ai.request.model", "gpt-4o"),
    target: "traces",
    jaeger: "local",
    tempo: "local",
    traceloop: "local",
  },
  {
    name: "gen_ai.request.model equals",
    filter: eq("gen_ai.request.model", "gpt-4o"),
    target: "spans",
    jaeger: "local",
    tempo: "local",
    traceloop: { pushdown: "exact", body: [body("llm.request.model", "equals", "gpt-4o", "string")] },
  },
  {
    // Tags arrive as text; TraceQL also tries the int, since instrumentations store status codes as ints.
    name: 'tag http.status_code equals "500"',
    filter: eq("http.status_code", "500"),
    target: "traces",
    jaeger: { pushdown: "exact", params: { tags: '{"http.status_code":"500"}' } },
    tempo: { pushdown: "narrowing", traceql: `{ (span.http.status_code = "500" || span.http.status_code = 500) }` },
    traceloop: "local",
  },
  {
    name: 'tag http.status_code equals "500"',
    filter: eq("http.status_code", "500"),
    target: "spans",
    jaeger: { pushdown: "narrowing", params: { tags: '{"http.status_code":"500"}' } },
    tempo: { pushdown: "narrowing", traceql: `{ (span.http.status_code = "500" || span.http.status_code = 500) }` },
    traceloop: { pushdown: "exact", body: [body("span_attributes.http.status_code", "equals", "500", "string")] },
  },
  {
    // Traceloop values are strings in a map: an undocumented missing-key reading keeps numbers narrowing.
    name: "gen_ai.usage.total_tokens gt (number)",
    filter: num("gen_ai.usage.total_tokens", "gt", 1000),
    target: "traces",
    jaeger: "local",
    tempo: "local",
    traceloop: "local",
  },
  {
    name: "gen_ai.usage.total_tokens gt (number)",
    filter: num("gen_ai.usage.total_tokens", "gt", 1000),
    target: "spans",
    jaeger: "local",
    tempo: "local",
    traceloop: { pushdown: "narrowing", body: [body("llm.usage.total_tokens", "greater_than", "1000", "number")] },
  },

  // --- string operators only TraceQL can express (anchored RE2 with (?s), metacharacters escaped).
  {
    name: "contains on a string attribute",
    filter: str("app.plan", "contains", "gpt"),
    target: "traces",
    jaeger: "local",
    tempo: { pushdown: "narrowing", traceql: `{ span.app.plan =~ "(?s).*gpt.*" }` },
    traceloop: "local",
  },
  {
    name: "starts_with on a string attribute (regex metacharacter)",
    filter: str("app.plan", "starts_with", "claude-3.5"),
    target: "spans",
    jaeger: "local",
    tempo: { pushdown: "narrowing", traceql: String.raw`{ span.app.plan =~ "(?s)^claude-3\\.5.*" }` },
    traceloop: "local",
  },
  {
    name: "not_contains on a string attribute",
    filter: str("app.plan", "not_contains", "mini"),
    target: "traces",
    jaeger: "local",
    tempo: { pushdown: "narrowing", traceql: `{ span.app.plan !~ "(?s).*mini.*" }` },
    traceloop: "local",
  },
  {
    name: "in",
    filter: list("app.tier", "in", ["openai", "anthropic"]),
    target: "traces",
    jaeger: "local",
    tempo: { pushdown: "narrowing", traceql: `{ (span.app.tier = "openai" || span.app.tier = "anthropic") }` },
    traceloop: "local",
  },
  {
    name: "not_in",
    filter: list("app.tier", "not_in", ["openai", "anthropic"]),
    target: "spans",
    jaeger: "local",
    tempo: { pushdown: "narrowing", traceql: `{ (span.app.tier != "openai" && span.app.tier != "anthropic") }` },
    traceloop: "local",
  },

  // --- presence: TraceQL has `!= nil` for "exists" and nothing for "absent".
  {
    name: "exists",
    filter: presence("error.type", "exists"),
    target: "traces",
    jaeger: "local",
    tempo: { pushdown: "exact", traceql: `{ span.error.type != nil }` },
    traceloop: "local",
  },
  {
    name: "exists",
    filter: presence("error.type", "exists"),
    target: "spans",
    jaeger: "local",
    tempo: { pushdown: "narrowing", traceql: `{ span.error.type != nil }` },
    traceloop: "local",
  },
  {
    name: "not_exists",
    filter: presence("error.type", "not_exists"),
    target: "traces",
    jaeger: "local",
    tempo: "local",
    traceloop: "local",
  },

  // --- boolean attribute: Traceloop sends booleans as the string "true" with value_type boolean.
  {
    name: "boolean equals",
    filter: eq("gen_ai.request.is_streaming", true, "boolean"),
    target: "traces",
    jaeger: "local",
    tempo: { pushdown: "narrowing", traceql: `{ span.gen_ai.request.is_streaming = true }` },
    traceloop: "local",
  },
  {
    name: "boolean equals",
    filter: eq("gen_ai.request.is_streaming", true, "boolean"),
    target: "spans",
    jaeger: "local",
    tempo: { pushdown: "narrowing", traceql: `{ span.gen_ai.request.is_streaming = true }` },
    traceloop: { pushdown: "exact", body: [body("llm.request.is_streaming", "equals", "true", "boolean")] },
  },

  // --- ids and trace-only aggregates: no backend search can express them.
  {
    name: "trace_id equals",
    filter: eq("trace_id", TRACE_ID),
    target: "traces",
    jaeger: "local",
    tempo: "local",
    traceloop: "local",
  },
  {
    name: "trace-only total_tokens gt",
    filter: num("total_tokens", "gt", 1000),
    target: "traces",
    jaeger: "local",
    tempo: "local",
    traceloop: "local",
  },

  // --- a value that tries to break out of its literal: one escaped literal everywhere.
  {
    name: "value needing escaping",
    filter: eq("app.note", INJECTION),
    target: "traces",
    jaeger: { pushdown: "exact", params: { tags: String.raw`{"app.note":"x\" || true || \""}` } },
    tempo: { pushdown: "narrowing", traceql: String.raw`{ span.app.note = "x\" || true || \"" }` },
    traceloop: "local",
  },
  {
    name: "value needing escaping",
    filter: eq("app.note", INJECTION),
    target: "spans",
    jaeger: { pushdown: "narrowing", params: { tags: String.raw`{"app.note":"x\" || true || \""}` } },
    tempo: { pushdown: "narrowing", traceql: String.raw`{ span.app.note = "x\" || true || \"" }` },
    traceloop: { pushdown: "exact", body: [body("span_attributes.app.note", "equals", INJECTION, "string")] },
  },
];

// ---------------------------------------------------------------------------------------------
// What each backend actually puts in its request for one filter.
// ---------------------------------------------------------------------------------------------

const SERVICE = eq("service.name", "chat-api");
const LIMIT = 20;

const JAEGER = { pushdown: jaegerPushdown, compile: compileJaeger, capabilities: jaeger.capabilities };
const TEMPO = { pushdown: tempoPushdown, capabilities: tempo.capabilities };
const TRACELOOP = { pushdown: traceloopPushdown, capabilities: traceloop.capabilities };

/**
 * The Jaeger parameters this filter adds to a search for `SERVICE` alone, through the real path:
 * the query layer's plan picks what is sent, then the adapter translates it.
 */
function jaegerParams(filter: Filter, target: SearchTarget): Record<string, string> {
  const isService = canonicalField(filter.field) === "service.name" && jaegerPushdown(filter, target) !== "none";
  const request = (filters: Filter[]) => jaegerRequestParams({ startMs: 0, endMs: 1_000, limit: LIMIT, filters: planFilters(JAEGER, filters, target).remote, target });
  const plan = request(isService ? [filter] : [SERVICE, filter]);
  const baseline = request([SERVICE]).filter(([k]) => !(isService && k === "service"));
  return Object.fromEntries(plan.filter(([k, v]) => !baseline.some(([bk, bv]) => bk === k && bv === v)));
}

function traceql(filter: Filter, target: SearchTarget): string {
  return buildTraceQL(planFilters(TEMPO, [filter], target).remote, target);
}

function traceloopBody(filter: Filter, target: SearchTarget): TraceloopFilter[] {
  const filters = planFilters(TRACELOOP, [filter], target).remote.flatMap((f) => translateTraceloop(f) ?? []);
  return buildSearchBody({ filters, environments: ["prd"], cursor: 0, limit: LIMIT, window: { startMs: 0, endMs: 1_000 } }).filters;
}

/** The table's view of one backend, recomputed from the translation functions. */
/** How the query layer's plan treats one filter on a backend (the policy above the adapters included). */
function planned(backend: Parameters<typeof planFilters>[0], filter: Filter, target: SearchTarget): Pushdown {
  const plan = planFilters(backend, [filter], target);
  if (!plan.remote.includes(filter)) return "none";
  return plan.local.includes(filter) ? "narrowing" : "exact";
}

function observed(row: Row): Pick<Row, "jaeger" | "tempo" | "traceloop"> {
  const { filter, target } = row;
  const j = planned(JAEGER, filter, target);
  const t = planned(TEMPO, filter, target);
  const l = planned(TRACELOOP, filter, target);
  return {
    jaeger: j === "none" ? "local" : { pushdown: j, params: jaegerParams(filter, target) },
    tempo: t === "none" ? "local" : { pushdown: t, traceql: traceql(filter, target) },
    traceloop: l === "none" ? "local" : { pushdown: l, body: traceloopBody(filter, target) },
  };
}

describe("filter translation table", () => {
  it.each(TABLE)("$name ($target)", (row) => {
    expect(observed(row)).toEqual({ jaeger: row.jaeger, tempo: row.tempo, traceloop: row.traceloop });
  });

  it("every filter is either sent in the request or applied locally, on every backend", () => {
    /** `contributes`: the request differs from one without the filter; `carries`: its translation is in it. */
    const backends = [
      {
        name: "jaeger",
        pushdown: (f: Filter, t: SearchTarget) => planned(JAEGER, f, t),
        backend: JAEGER,
        contributes: (f: Filter, t: SearchTarget) => Object.keys(jaegerParams(f, t)).length > 0,
        carries: (f: Filter, t: SearchTarget) => Object.keys(jaegerParams(f, t)).length > 0,
      },
      {
        name: "tempo",
        pushdown: (f: Filter, t: SearchTarget) => planned(TEMPO, f, t),
        backend: TEMPO,
        contributes: (f: Filter, t: SearchTarget) => traceql(f, t) !== "{}",
        carries: (f: Filter, t: SearchTarget) => {
          const tr = translateTraceQL(f, t);
          return tr.pushdown !== "none" && traceql(f, t).includes(tr.condition);
        },
      },
      {
        name: "traceloop",
        pushdown: (f: Filter, t: SearchTarget) => planned(TRACELOOP, f, t),
        backend: TRACELOOP,
        contributes: (f: Filter, t: SearchTarget) => traceloopBody(f, t).length > 0,
        carries: (f: Filter, t: SearchTarget) => {
          const translated = translateTraceloop(f);
          return translated !== undefined && translated.length > 0 && JSON.stringify(traceloopBody(f, t)) === JSON.stringify(translated);
        },
      },
    ] as const;

    for (const row of TABLE) {
      for (const backend of backends) {
        const label = `${backend.name}: ${row.name} (${row.target})`;
        const mode = backend.pushdown(row.filter, row.target);
        const plan = planFilters(backend.backend, [row.filter], row.target);
        const where = [plan.remote.includes(row.filter), plan.local.includes(row.filter)];
        if (mode === "none") {
          // Absent from the request, so the search layer must be the one applying it.
          expect(backend.contributes(row.filter, row.target), label).toBe(false);
          expect(where, label).toEqual([false, true]);
        } else {
          expect(backend.carries(row.filter, row.target), label).toBe(true);
          // Exact filters are trusted to the backend; narrowing ones are re-checked here as well.
          expect(where, label).toEqual([true, mode === "narrowing"]);
        }
      }
    }
  });
});

/**
 * The same table through the real query layer (findTraces / findSpans) over a probe backend with
 * each adapter's own pushdown (and Jaeger's compile), which records the filters it is sent and
 * answers with every item in the window, ignoring them, as a backend that ignores a filter does.
 * So a filter the backend is told to apply must be in what it was sent, and a filter it does not
 * apply exactly must still shape the answer: the answer is the filter engine's (the reference
 * semantics, src/query/filter-engine.ts, tested on its own) over the probe's items. An exact
 * filter is trusted to the backend, so the probe's unfiltered answer comes back whole.
 *
 * (This replaces an assertion that could not fail: "a 'none' filter adds nothing to the request"
 * was checked on a request built from the plan's remote filters, which exclude it by construction.)
 */
describe("filter translation table, end to end through the query layer", () => {
  // A trace that fails the table's positive filters (other service and name, 1 ms, no attributes).
  const odd = (() => {
    const traceId = "0000000000000000000000000000abcd";
    return assembleTrace(traceId, [createSpan({ traceId, spanId: "000000000000abcd", operationName: "other", serviceName: "other", startTimeUs: Date.UTC(2025, 10, 13, 12, 0, 30) * 1000, durationMs: 1, status: "OK" })])!;
  })();
  const traces: Trace[] = [...generateDataset(), ...generateEdgeTraces(), odd];
  const spans: Span[] = traces.flatMap((t) => t.spans);
  const WINDOW_ALL = { startMs: Date.UTC(2025, 10, 13, 11), endMs: Date.UTC(2025, 10, 13, 14) };

  function probe(name: string, pushdown: TraceBackend["pushdown"], capabilities: TraceBackend["capabilities"], compile?: TraceBackend["compile"]): { backend: TraceBackend; sent: Filter[][] } {
    const sent: Filter[][] = [];
    const record = (q: BackendSearch) => void sent.push(q.filters);
    const backend: TraceBackend = {
      kind: `probe-${name}`,
      url: "probe://",
      // The adapter's own capabilities (they decide what the plan keeps local), made searchable without a service.
      capabilities: { ...capabilities, requiresService: false, selfServices: [], searchOrder: "newest", completeTracesInSearch: true },
      pushdown,
      ...(compile ? { compile } : {}),
      searchTraces: async (q) => (record(q), { items: traces, notes: [] }),
      searchSpans: async (q) => (record(q), { items: spans, notes: [] }),
      getTrace: async (id) => traces.find((t) => t.traceId === id)!,
      listServices: async () => [],
      getServiceOperations: async () => [],
      healthCheck: async () => ({ status: "healthy", backend: name, url: "probe://" }),
      close: async () => undefined,
    };
    return { backend, sent };
  }

  const PROBES = [
    { name: "jaeger", backend: JAEGER },
    { name: "tempo", backend: TEMPO },
    { name: "traceloop", backend: TRACELOOP },
  ] as const;

  const key = (x: Trace | Span) => ("spanId" in x ? `${x.traceId}/${x.spanId}` : x.traceId);

  it.each(TABLE)("$name ($target)", async (row) => {
    const everything = (row.target === "traces" ? traces : spans).map(key).sort();
    const reference = (row.target === "traces" ? filterTraces(traces, [row.filter]) : filterSpans(spans, [row.filter])).map(key).sort();
    // Otherwise "applied" and "not applied" would give the same answer here.
    expect(reference.length, "the filter rejects some probe items").toBeLessThan(everything.length);
    for (const p of PROBES) {
      const { backend, sent } = probe(p.name, p.backend.pushdown, p.backend.capabilities, "compile" in p.backend ? p.backend.compile : undefined);
      const request = { ...WINDOW_ALL, filters: [row.filter], limit: 10_000, mode: "window" as const };
      const found = row.target === "traces" ? await findTraces(queryContext(backend), request) : await findSpans(queryContext(backend), request);
      const mode = planned(p.backend, row.filter, row.target);
      const label = `${p.name}: ${mode}`;
      expect(sent.length, label).toBeGreaterThan(0);
      for (const filters of sent) expect(filters.includes(row.filter), `${label}: sent to the backend`).toBe(mode !== "none");
      expect(found.items.map(key).sort(), label).toEqual(mode === "exact" ? everything : reference);
    }
  });
});
