import { readFileSync } from "node:fs";
import { Agent, type Dispatcher } from "undici";
import { describe, expect, it } from "vitest";
import { compileJaeger, formatDurationMs, jaegerParams, jaegerPushdown, SERVICE_REQUIRED_MESSAGE } from "../../src/backends/jaeger/jaeger-query.js";
import { createJaegerBackend } from "../../src/backends/jaeger/jaeger-backend.js";
import { jaeger } from "../../src/backends/jaeger/descriptor.js";
import { searchSpans, searchTraces } from "../helpers/query.js";
import type { BackendOptions, TraceBackend } from "../../src/backends/trace-backend.js";
import { eq, type Filter } from "../../src/domain/filter.js";
import type { Trace } from "../../src/domain/trace.js";
import { BackendError } from "../../src/errors.js";
import { silentLogger } from "../../src/logger.js";
import type { RecordedRequest } from "../helpers/backend-world.js";
import { generateDataset } from "../helpers/dataset.js";
import { jaegerWorld, type JaegerRunningWorld } from "../helpers/jaeger-world.js";
import { describeBackendConformance, TEST_API_KEY, type ConformanceContext } from "./conformance.js";

const num = (field: string, operator: Filter["operator"], value: number): Filter => ({ field, operator, value, valueType: "number" });
const sortedIds = (traces: Trace[]) => traces.map((t) => t.traceId).sort();

function options(url: string, over: Partial<BackendOptions> = {}): BackendOptions {
  return { url, apiKey: TEST_API_KEY, timeoutMs: 2000, headers: {}, environments: ["prd"], fetchConcurrency: 4, logger: silentLogger(), ...over };
}

/** Runs `fn` against a fresh world serving `dataset`, closing everything afterwards. */
async function withWorld<T>(
  dataset: Trace[],
  fn: (running: JaegerRunningWorld, backend: TraceBackend) => Promise<T>,
  over: Partial<BackendOptions> = {},
  worldOptions: Parameters<typeof jaegerWorld>[0] = {},
): Promise<T> {
  const running = await jaegerWorld(worldOptions).start(dataset);
  const backend = createJaegerBackend(options(running.url, over));
  try {
    return await fn(running, backend);
  } finally {
    await backend.close();
    await running.close();
  }
}

/** The requests a call made. */
async function requestsOf(running: { requests: RecordedRequest[] }, call: () => Promise<unknown>): Promise<RecordedRequest[]> {
  const before = running.requests.length;
  await call();
  return running.requests.slice(before);
}

function jaegerSpecifics(ctx: ConformanceContext): void {
  const roots = () => [...new Set(ctx.dataset.map((t) => t.serviceName))].sort();
  const rootOf = (service: string) => ctx.dataset.filter((t) => t.serviceName === service);
  const q = (filters: Filter[], limit = 100) => ({ ...ctx.window, limit, filters });

  describe("Jaeger specifics", () => {
    it("the adapter requires a service, without calling Jaeger", async () => {
      const before = ctx.running.requests.length;
      for (const call of [
        () => ctx.backend.searchTraces({ ...ctx.window, limit: 10, filters: [eq("gen_ai.system", "openai")], target: "traces" }),
        () => ctx.backend.searchSpans!({ ...ctx.window, limit: 10, filters: [], target: "spans" }),
      ]) {
        const err = await call().catch((e: unknown) => e);
        expect(err).toBeInstanceOf(BackendError);
        expect(err).toMatchObject({ kind: "requirement", message: SERVICE_REQUIRED_MESSAGE });
      }
      expect(ctx.running.requests.length).toBe(before);
    });

    it("without a service, the query layer searches every service (not Jaeger's own) and merges by trace id", async () => {
      const hasOpenAi = (t: Trace) => t.spans.some((s) => s.attributes["gen_ai.system"] === "openai");
      const want = ctx.dataset.filter(hasOpenAi);
      expect(want.length, "dataset has openai traces in several root services").toBeGreaterThan(1);
      const reqs = await requestsOf(ctx.running, async () => {
        const res = await searchTraces(ctx.backend, q([eq("gen_ai.system", "openai")]));
        expect(sortedIds(res.items)).toEqual(sortedIds(want));
        expect(new Set(res.items.map((t) => t.traceId)).size, "no trace twice").toBe(res.items.length);
        expect(res.notes.join(" ")).toMatch(/searched each of the \d+ services/);
      });
      const services = [...new Set(ctx.dataset.flatMap((t) => t.spans.map((s) => s.serviceName)))].sort();
      expect(reqs[0]!.path).toBe("/api/services");
      expect(reqs.slice(1).map((r) => r.query.service).sort()).toEqual(services);
      // The provider filter is normalised, so it runs here (over-fetching once); together the searches stay within the read budget.
      for (const r of reqs.slice(1)) expect(r.query.tags).toBeUndefined();
      expect(reqs.slice(1).reduce((n, r) => n + Number(r.query.limit), 0)).toBeLessThanOrEqual(500);
    });

    it("without a service, a service filter Jaeger cannot express picks which services to search", async () => {
      const chatty = roots().filter((r) => r.includes("chat"));
      expect(chatty.length, "a root service named *chat*").toBeGreaterThan(0);
      const reqs = await requestsOf(ctx.running, async () => {
        const res = await searchTraces(ctx.backend, q([{ field: "service.name", operator: "contains", value: "chat", valueType: "string" }]));
        expect(sortedIds(res.items)).toEqual(sortedIds(ctx.dataset.filter((t) => t.serviceName.includes("chat"))));
      });
      const searched = reqs.filter((r) => r.path === "/api/traces").map((r) => r.query.service);
      expect(searched.every((s) => s!.includes("chat"))).toBe(true);
    });

    it("sends service, operation, window in µs, limit and tags as Jaeger expects", async () => {
      const [req] = await requestsOf(ctx.running, () =>
        searchTraces(ctx.backend, q([eq("service.name", "chat-api"), eq("operation_name", "openai.chat"), eq("app.tenant", "acme")], 7)),
      );
      expect(req!.path).toBe("/api/traces");
      expect(req!.query).toEqual({
        service: "chat-api",
        operation: "openai.chat",
        start: String(ctx.window.startMs * 1000),
        end: String(ctx.window.endMs * 1000),
        limit: "7",
        tags: JSON.stringify({ "app.tenant": "acme" }),
      });
      expect(req!.headers.authorization).toBe(`Bearer ${TEST_API_KEY}`);
    });

    it("sends duration bounds as <n>ms and keeps gt/lt strict locally", async () => {
      const service = roots()[0]!;
      const traces = rootOf(service);
      const pivot = [...traces].sort((a, b) => a.durationMs - b.durationMs)[1]!;
      let reqs = await requestsOf(ctx.running, async () => {
        const res = await searchTraces(ctx.backend, q([eq("service.name", service), num("duration", "gt", pivot.durationMs)]));
        expect(sortedIds(res.items)).toEqual(sortedIds(traces.filter((t) => t.durationMs > pivot.durationMs)));
        expect(res.items.map((t) => t.traceId)).not.toContain(pivot.traceId);
      });
      expect(reqs[0]!.query.minDuration).toBe(`${Math.round(pivot.durationMs * 1000) / 1000}ms`);
      reqs = await requestsOf(ctx.running, async () => {
        const res = await searchTraces(ctx.backend, q([eq("service.name", service), num("duration", "lt", pivot.durationMs)]));
        expect(sortedIds(res.items)).toEqual(sortedIds(traces.filter((t) => t.durationMs < pivot.durationMs)));
      });
      expect(reqs[0]!.query.maxDuration).toBe(`${Math.round(pivot.durationMs * 1000) / 1000}ms`);
      reqs = await requestsOf(ctx.running, () =>
        searchTraces(ctx.backend, q([eq("service.name", service), num("duration", "gte", 100.25), num("duration", "lte", 90_000)])),
      );
      expect(reqs[0]!.query).toMatchObject({ minDuration: "100.25ms", maxDuration: "90000ms" });
    });

    it("does not send a duration next to an operation: Jaeger would demand it of the operation's span", async () => {
      // A service, LLM operation and threshold where some matching trace is long only thanks to other spans.
      let pick: { service: string; op: string; threshold: number; want: Trace[] } | undefined;
      for (const service of roots()) {
        for (const op of ["openai.chat", "anthropic.chat", "cohere.chat"]) {
          const withOp = rootOf(service).filter((t) => t.spans.some((s) => s.operationName === op));
          for (const threshold of withOp.map((t) => t.durationMs)) {
            const want = withOp.filter((t) => t.durationMs >= threshold);
            const longOnlyOverall = want.some((t) => t.spans.filter((s) => s.operationName === op).every((s) => s.durationMs < threshold));
            if (longOnlyOverall && want.length < withOp.length) pick ??= { service, op, threshold, want };
          }
        }
      }
      expect(pick, "dataset offers such a case").toBeDefined();
      const { service, op, threshold, want } = pick!;
      const reqs = await requestsOf(ctx.running, async () => {
        const res = await searchTraces(ctx.backend, q([eq("service.name", service), eq("operation_name", op), num("duration", "gte", threshold)]));
        expect(sortedIds(res.items)).toEqual(sortedIds(want));
      });
      expect(reqs[0]!.query.minDuration).toBeUndefined();
      // The duration runs only here, so the query layer over-fetches (x5) once; nothing multiplies it again.
      expect(reqs[0]!.query.limit).toBe("500");
    });

    it("never sends status to Jaeger (v2's memory store misreads error=true) and checks it locally", async () => {
      // An error trace whose model-X span is not the failing one: error=true with model=X on one span would miss it.
      const errTrace = ctx.dataset.find((t) => t.spans.some((s) => s.status !== "ERROR" && typeof s.attributes["gen_ai.request.model"] === "string") && t.status === "ERROR");
      expect(errTrace, "an error trace with a healthy LLM span").toBeDefined();
      const healthy = errTrace!.spans.find((s) => s.status !== "ERROR" && typeof s.attributes["gen_ai.request.model"] === "string")!;
      const model = healthy.attributes["gen_ai.request.model"] as string;
      const service = errTrace!.serviceName;

      let reqs = await requestsOf(ctx.running, async () => {
        const res = await searchTraces(ctx.backend, q([eq("service.name", service), eq("status", "ERROR")]));
        expect(sortedIds(res.items)).toEqual(sortedIds(rootOf(service).filter((t) => t.status === "ERROR")));
      });
      expect(reqs[0]!.query.tags).toBeUndefined();

      reqs = await requestsOf(ctx.running, async () => {
        const res = await searchTraces(ctx.backend, q([eq("service.name", service), eq("gen_ai.request.model", model), eq("status", "ERROR")]));
        const want = rootOf(service).filter((t) => t.status === "ERROR" && t.spans.some((s) => s.attributes["gen_ai.request.model"] === model));
        expect(sortedIds(res.items)).toEqual(sortedIds(want));
        expect(res.items.map((t) => t.traceId)).toContain(errTrace!.traceId);
      });
      // The model is a normalised GenAI field: checked here too, never sent as one convention's raw tag.
      expect(reqs[0]!.query.tags).toBeUndefined();
    });

    it("applies a second service or operation itself instead of dropping it", async () => {
      const service = roots()[0]!;
      let reqs = await requestsOf(ctx.running, async () => {
        // Every trace calls profile-svc: both services -> all traces of the first.
        const res = await searchTraces(ctx.backend, q([eq("service.name", service), eq("service.name", "profile-svc")]));
        expect(sortedIds(res.items)).toEqual(sortedIds(rootOf(service)));
        const none = await searchTraces(ctx.backend, q([eq("service.name", service), eq("service.name", roots()[1]!)]));
        expect(none.items).toEqual([]);
      });
      expect(reqs.map((r) => r.query.service)).toEqual([service, service]);

      reqs = await requestsOf(ctx.running, async () => {
        const res = await searchTraces(ctx.backend, q([eq("service.name", service), eq("operation_name", "agent.workflow"), eq("name", "GET /api/profile")]));
        expect(sortedIds(res.items)).toEqual(sortedIds(rootOf(service)));
      });
      expect(reqs[0]!.query.operation).toBe("agent.workflow");
    });

    it("searches spans with every condition on the span, over-fetching once for a status checked locally", async () => {
      const service = ctx.dataset.find((t) => t.status === "ERROR")!.serviceName;
      const reqs = await requestsOf(ctx.running, async () => {
        const res = await searchSpans(ctx.backend, q([eq("service.name", service), eq("status", "ERROR")], 10));
        const want = ctx.dataset.flatMap((t) => t.spans).filter((s) => s.serviceName === service && s.status === "ERROR");
        expect(res.items.map((s) => s.spanId).sort()).toEqual(want.map((s) => s.spanId).sort());
      });
      // status is not sent to Jaeger, so the query layer asks for max(10 x 5, 100) traces, and nothing raises it further.
      expect(reqs[0]!.query).toMatchObject({ service, limit: "100" });
      expect(reqs[0]!.query.tags).toBeUndefined();
    });

    it("gets a trace whatever the id's case, and explains unknown or malformed ids", async () => {
      const want = ctx.dataset[0]!;
      const got = await ctx.backend.getTrace(want.traceId.toUpperCase());
      expect(got.traceId).toBe(want.traceId);
      expect(got.spans.flatMap((s) => s.events)).toEqual(want.spans.flatMap((s) => s.events.map((e) => ({ ...e, attributes: { event: e.name, ...e.attributes } }))));

      const unknown = "0".repeat(31) + "1";
      const err = await ctx.backend.getTrace(unknown).catch((e: unknown) => e);
      expect(err).toMatchObject({ kind: "not_found" });
      expect((err as Error).message).toBe(
        `Trace ${unknown} not found in Jaeger at ${ctx.running.url}. Check the id (32 hex characters) or that the trace is still retained.`,
      );

      // A malformed id never reaches Jaeger (a path like ".." would reach another endpoint).
      const reqs = await requestsOf(ctx.running, async () => {
        const bad = await ctx.backend.getTrace("abc/def?x").catch((e: unknown) => e);
        expect(bad).toMatchObject({ kind: "not_found" });
        expect((bad as Error).message).toMatch(/^'abc\/def\?x' is not a trace id: a trace id is 1 to 32 hexadecimal characters/);
      });
      expect(reqs).toEqual([]);
    });

    it("lists services sorted and unique, with their count in the health check", async () => {
      const services = await ctx.backend.listServices();
      const all = [...new Set(ctx.dataset.flatMap((t) => t.spans.map((s) => s.serviceName)))].sort();
      expect(services).toEqual(all);
      expect(await ctx.backend.healthCheck()).toEqual({ status: "healthy", backend: "jaeger", url: ctx.running.url, service_count: all.length });
    });
  });
}

describeBackendConformance(jaegerWorld(), undefined, { extra: jaegerSpecifics });

describe("Jaeger adapter: edges", () => {
  it("applies Jaeger's own default look-back (2 days) when no window is given, and states it", async () => {
    const now = Date.now();
    const dataset = generateDataset({ traces: 3, startMs: now - 3_600_000 });
    const service = dataset[0]!.serviceName;
    await withWorld(dataset, async (running, backend) => {
      const res = await searchTraces(backend, { limit: 10, filters: [eq("service.name", service)] }, { now: () => now, lookbackMs: jaeger.defaultLookbackMs });
      expect(sortedIds(res.items)).toEqual(sortedIds(dataset.filter((t) => t.serviceName === service)));
      expect(res.window).toEqual({ startMs: now - 2 * 86_400_000, endMs: now });
      const query = running.requests.at(-1)!.query;
      expect(query.start).toBe(String((now - 2 * 86_400_000) * 1000));
      expect(query.end).toBe(String(now * 1000));
    });
  });

  it("encodes service names in the operations path", async () => {
    const [trace] = generateDataset({ traces: 1 });
    const odd = "Travel Planner/agent {v2}";
    const renamed = { ...trace!, serviceName: odd, spans: trace!.spans.map((s) => (s.serviceName === trace!.serviceName ? { ...s, serviceName: odd } : s)) };
    await withWorld([renamed], async (running, backend) => {
      const want = [...new Set(renamed.spans.filter((s) => s.serviceName === odd).map((s) => s.operationName))];
      expect((await backend.getServiceOperations(odd)).sort()).toEqual(want.sort());
      expect(running.requests.at(-1)!.path).toBe(`/api/services/${encodeURIComponent(odd)}/operations`);
      expect(await backend.getServiceOperations("nobody")).toEqual([]);
      expect(await backend.listServices()).toEqual(["profile-svc", odd].sort());
    });
  });

  it("reads data: null as nothing", async () => {
    await withWorld([], async (running, backend) => {
      expect(await backend.listServices()).toEqual([]);
      running.setOverride(({ path }) => (path === "/api/traces" ? { status: 200, body: '{"data":null,"total":0,"limit":0,"offset":0,"errors":null}' } : undefined));
      const res = await searchTraces(backend, { limit: 5, filters: [eq("service.name", "x")] });
      expect(res.items).toEqual([]);
    });
  });

  it("reports skipped spans/traces and Jaeger's own errors in notes", async () => {
    const body = JSON.stringify({
      data: [
        { traceID: "a".repeat(32), processes: { p1: { serviceName: "x" } }, spans: [{ traceID: "a".repeat(32), spanID: "b".repeat(16), operationName: "op", startTime: 1, duration: 1, processID: "p1" }, { spanID: "c" }] },
        { traceID: "d".repeat(32), spans: [] },
      ],
      errors: [{ code: 500, msg: "some storage shard timed out" }],
    });
    await withWorld([], async (running, backend) => {
      running.setOverride(() => ({ status: 200, body }));
      const res = await searchTraces(backend, { limit: 5, filters: [eq("service.name", "x")] });
      expect(res.items.map((t) => t.traceId)).toEqual(["a".repeat(32)]);
      expect(res.notes.join("\n")).toContain("1 trace(s) and 1 span(s) in Jaeger's answer could not be read");
      expect(res.notes.join("\n")).toContain("Jaeger reported: some storage shard timed out.");
    });
  });

  it("rejects JSON of the wrong shape as invalid_response", async () => {
    await withWorld([], async (running, backend) => {
      for (const body of ['["jaeger"]', '{"data":{"a":1}}', "42"]) {
        running.setOverride(() => ({ status: 200, body }));
        await expect(backend.listServices(), body).rejects.toMatchObject({ kind: "invalid_response" });
      }
    });
  });

  it("replays recorded Jaeger answers", async () => {
    const read = (name: string) => readFileSync(new URL(`../fixtures/jaeger/${name}`, import.meta.url), "utf8");
    await withWorld([], async (running, backend) => {
      running.setOverride(({ path }) => {
        if (path === "/api/services") return { status: 200, body: read("services.json") };
        if (path === "/api/services/trace-analyzer-agent/operations") return { status: 200, body: read("operations.json") };
        if (path === "/api/traces") return { status: 200, body: read("search-10-traces.json") };
        if (path === "/api/traces/0a133b2ffa5d05faf89fe1f489cb020e") return { status: 200, body: read("trace-by-id.json") };
        return { status: 404, body: read("trace-not-found-404.json"), contentType: "text/plain; charset=utf-8" };
      });
      expect(await backend.listServices()).toEqual(["jaeger", "model-comparison", "trace-analyzer-agent", "travel-agent-demo"]);
      expect(await backend.getServiceOperations("trace-analyzer-agent")).toEqual(["openai.chat", "tools/list.mcp", "initialize.mcp", "search_traces.tool"]);
      const errors = await searchTraces(backend, { limit: 10, filters: [eq("service.name", "jaeger"), eq("status", "ERROR")] });
      expect(errors.items).toHaveLength(6);
      expect((await backend.getTrace("0a133b2ffa5d05faf89fe1f489cb020e")).spans).toHaveLength(1);
      await expect(backend.getTrace("0".repeat(32))).rejects.toMatchObject({ kind: "not_found" });
    });
  });

  it("sends the API key and extra headers, and nothing when there is no key", async () => {
    await withWorld(
      [],
      async (running, backend) => {
        await backend.listServices();
        expect(running.requests.at(-1)!.headers).toMatchObject({ authorization: `Bearer ${TEST_API_KEY}`, "x-scope-orgid": "tenant-1" });
        const anonymous = createJaegerBackend(options(running.url, { apiKey: undefined }));
        await expect(anonymous.listServices()).rejects.toMatchObject({ kind: "auth" });
        expect(running.requests.at(-1)!.headers.authorization).toBeUndefined();
        await anonymous.close();
      },
      { headers: { "X-Scope-OrgID": "tenant-1" } },
      { apiKey: TEST_API_KEY },
    );
  });

  it("uses the dispatcher it is given", async () => {
    let dispatched = 0;
    class CountingAgent extends Agent {
      override dispatch(opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
        dispatched++;
        return super.dispatch(opts, handler);
      }
    }
    const dispatcher = new CountingAgent();
    await withWorld([], async (_running, backend) => {
      await backend.listServices();
    }, { dispatcher });
    await dispatcher.close();
    expect(dispatched).toBe(1);
  });
});

describe("Jaeger query planning", () => {
  const svc = eq("service.name", "chat-api");
  const base = { startMs: 1_000, endMs: 2_000, limit: 10 };

  it("declares pushdown per filter and target", () => {
    const cases: Array<[Filter, string, string]> = [
      [svc, "exact", "narrowing"],
      [eq("operation_name", "x"), "exact", "narrowing"],
      [eq("name", "x"), "exact", "narrowing"],
      [eq("gen_ai.request.model", "gpt-4o"), "exact", "narrowing"],
      [eq("status", "ERROR"), "none", "none"],
      [eq("status", "OK"), "none", "none"],
      [num("duration", "gte", 5), "narrowing", "narrowing"],
      [num("duration_ms", "gt", 5), "narrowing", "narrowing"],
      [num("duration", "lt", 5), "narrowing", "narrowing"],
      [{ field: "duration", operator: "between", values: [1, 2], valueType: "number" }, "narrowing", "narrowing"],
      [num("duration", "equals", 5), "none", "none"],
      [num("gen_ai.usage.total_tokens", "equals", 5), "none", "none"],
      [{ field: "gen_ai.system", operator: "not_equals", value: "x", valueType: "string" }, "none", "none"],
      [{ field: "gen_ai.system", operator: "exists", valueType: "string" }, "none", "none"],
      [eq("trace_id", "abc"), "none", "none"],
      [eq("has_errors", "true"), "none", "none"],
      [eq("service.name", true, "boolean"), "none", "none"],
    ];
    for (const [f, traces, spans] of cases) {
      expect([jaegerPushdown(f, "traces"), jaegerPushdown(f, "spans")], JSON.stringify(f)).toEqual([traces, spans]);
    }
  });

  it("formats duration bounds outwards at µs precision", () => {
    expect(formatDurationMs(100, "down")).toBe("100ms");
    expect(formatDurationMs(0.0015, "down")).toBe("0.001ms");
    expect(formatDurationMs(0.0015, "up")).toBe("0.002ms");
    expect(formatDurationMs(1234.5678, "up")).toBe("1234.568ms");
    expect(formatDurationMs(0, "down")).toBeUndefined();
    expect(formatDurationMs(-3, "up")).toBeUndefined();
    expect(formatDurationMs(1e300, "down")).toBeUndefined();
  });

  it("keeps the original's parameter order and tags as a JSON object", () => {
    const filters = [eq("gen_ai.system", "openai"), svc, num("duration", "gte", 5), eq("operation_name", "op")];
    const plan = compileJaeger(filters, "spans");
    expect(plan.remote).toHaveLength(filters.length);
    expect(plan.remote).toEqual(expect.arrayContaining(filters));
    const params = jaegerParams({ ...base, filters: plan.remote, target: "spans" });
    expect(params.map(([k]) => k)).toEqual(["service", "operation", "start", "end", "minDuration", "limit", "tags"]);
    expect(params).toContainEqual(["start", "1000000"]);
    // The adapter sends the limit it is given: the query layer alone decides over-fetching.
    expect(params).toContainEqual(["limit", "10"]);
  });

  it("never lets a contradictory range reach Jaeger", () => {
    const filters = [svc, num("duration", "gte", 50), num("duration", "lte", 10)];
    const plan = compileJaeger(filters, "traces");
    const params = Object.fromEntries(jaegerParams({ ...base, filters: plan.remote, target: "traces" }));
    expect(params).toMatchObject({ minDuration: "50ms" });
    expect(params.maxDuration).toBeUndefined();
    // Both bounds are re-checked locally, so the empty range matches nothing.
    expect(plan.local).toEqual(expect.arrayContaining([filters[1], filters[2]]));
  });

  it("leaves a second value for the same tag key, service or operation to the query layer", () => {
    const second = [eq("k", "b"), eq("service.name", "other"), eq("operation_name", "op2")];
    const plan = compileJaeger([svc, eq("k", "a"), eq("operation_name", "op"), ...second], "traces");
    expect(plan.unpushed).toEqual(second);
    const params = Object.fromEntries(jaegerParams({ ...base, filters: plan.remote, target: "traces" }));
    expect(params).toMatchObject({ service: "chat-api", operation: "op", tags: '{"k":"a"}' });
  });

  it("does not send a duration beside an operation or tags when searching traces", () => {
    const d = num("duration", "gte", 5);
    expect(compileJaeger([svc, d], "traces").unpushed).toEqual([]);
    expect(compileJaeger([svc, eq("operation_name", "op"), d], "traces").unpushed).toEqual([d]);
    expect(compileJaeger([svc, eq("k", "v"), d], "traces").unpushed).toEqual([d]);
    // Spans: every condition is on the one span, so the duration goes along.
    expect(compileJaeger([svc, eq("operation_name", "op"), d], "spans").unpushed).toEqual([]);
  });
});
