import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { describe, expect, it } from "vitest";
import { searchSpans, searchTraces } from "../helpers/query.js";
import { tempo } from "../../src/backends/tempo/descriptor.js";
import { createTempoBackend } from "../../src/backends/tempo/tempo-backend.js";
import type { BackendOptions, TraceBackend } from "../../src/backends/trace-backend.js";
import { eq, type Filter } from "../../src/domain/filter.js";
import { simpleParamFilters } from "../../src/tools/params.js";
import { assembleTrace, createSpan, type Trace } from "../../src/domain/trace.js";
import { BackendError } from "../../src/errors.js";
import { silentLogger } from "../../src/logger.js";
import type { RecordedRequest } from "../helpers/backend-world.js";
import { DATASET_START_MS, generateDataset } from "../helpers/dataset.js";
import { tempoWorld, type TempoRunningWorld, type TempoWorldOptions } from "../helpers/tempo-world.js";
import { describeBackendConformance, TEST_API_KEY, type ConformanceContext } from "./conformance.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = DATASET_START_MS + 6 * HOUR;
const sortedIds = (traces: Trace[]) => traces.map((t) => t.traceId).sort();
const newestFirst = (traces: Trace[]) => [...traces].sort((a, b) => b.startTimeUs - a.startTimeUs);

function options(url: string, over: Partial<BackendOptions> = {}): BackendOptions {
  return { url, apiKey: TEST_API_KEY, timeoutMs: 2000, headers: {}, environments: ["prd"], fetchConcurrency: 4, logger: silentLogger(), now: () => NOW, ...over };
}

/** Runs `fn` against a fresh world serving `dataset`, closing everything afterwards. */
async function withWorld<T>(
  dataset: Trace[],
  fn: (running: TempoRunningWorld, backend: TraceBackend) => Promise<T>,
  over: Partial<BackendOptions> = {},
  worldOptions: TempoWorldOptions = { apiKey: TEST_API_KEY },
): Promise<T> {
  const running = await tempoWorld(worldOptions).start(dataset);
  const backend = createTempoBackend(options(running.url, over));
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

function tempoSpecifics(ctx: ConformanceContext): void {
  const q = (filters: Filter[], limit = 100) => ({ ...ctx.window, limit, filters });

  describe("Tempo specifics", () => {
    it("sends TraceQL, limit and the window in seconds, then fetches each hit from the v2 API", async () => {
      // A plain attribute (not a normalised GenAI field, which the query layer evaluates itself).
      const filters = [eq("service.name", "chat-api"), eq("http.request.method", "GET"), { field: "duration", operator: "gte", value: 100.5, valueType: "number" } as Filter, eq("status", "ERROR")];
      const want = ctx.dataset.filter(
        (t) => t.serviceName === "chat-api" && t.durationMs >= 100.5 && t.status === "ERROR" && t.spans.some((s) => s.attributes["http.request.method"] === "GET"),
      );
      expect(want.length, "the dataset has such a trace").toBeGreaterThan(0);
      let res: Awaited<ReturnType<typeof searchTraces>> | undefined;
      const reqs = await requestsOf(ctx.running, async () => (res = await searchTraces(ctx.backend, q(filters, 7))));
      expect(sortedIds(res!.items)).toEqual(sortedIds(want));
      expect(reqs[0]!.path).toBe("/api/search");
      expect(reqs[0]!.query).toEqual({
        q: `{ resource.service.name = "chat-api" && traceDuration >= 100500000ns } && { span.http.request.method = "GET" } && { status = error }`,
        limit: "7",
        start: String(Math.floor(ctx.window.startMs / 1000)),
        end: String(Math.ceil(ctx.window.endMs / 1000)),
      });
      expect(reqs.length).toBeGreaterThan(1);
      for (const r of reqs.slice(1)) expect(r.path).toMatch(/^\/api\/v2\/traces\/[0-9a-f]{32}$/);
      for (const r of reqs) expect(r.headers.authorization).toBe(`Bearer ${TEST_API_KEY}`);
    });

    it("searches spans with one spanset and returns exactly the matching spans", async () => {
      // gen_ai.system is a normalised GenAI field: checked here, not sent as one convention's raw attribute.
      const filters = [eq("service.name", "travel-agent"), eq("gen_ai.system", "openai"), { field: "duration", operator: "gt", value: 1000, valueType: "number" } as Filter];
      const want = ctx.dataset
        .flatMap((t) => t.spans)
        .filter((s) => s.serviceName === "travel-agent" && s.attributes["gen_ai.system"] === "openai" && s.durationMs > 1000);
      expect(want.length).toBeGreaterThan(0);
      let res: Awaited<ReturnType<typeof searchSpans>> | undefined;
      const [search] = await requestsOf(ctx.running, async () => (res = await searchSpans(ctx.backend, q(filters, 1000))));
      expect(search!.query.q).toBe(`{ resource.service.name = "travel-agent" && duration > 1000ms }`);
      expect(res!.items.map((s) => s.spanId).sort()).toEqual(want.map((s) => s.spanId).sort());
    });

    it("has_error=false finds exactly the traces without an error span", async () => {
      const service = "travel-agent";
      const want = ctx.dataset.filter((t) => t.serviceName === service && !t.spans.some((s) => s.status === "ERROR"));
      const some = ctx.dataset.filter((t) => t.serviceName === service && t.spans.some((s) => s.status === "ERROR"));
      expect(want.length).toBeGreaterThan(0);
      expect(some.length, "the service also has error traces").toBeGreaterThan(0);
      let res: Awaited<ReturnType<typeof searchTraces>> | undefined;
      const [search] = await requestsOf(ctx.running, async () => (res = await searchTraces(ctx.backend, q(simpleParamFilters({ service_name: service, has_error: false })))));
      expect(search!.query.q).toBe(`{ resource.service.name = "travel-agent" } && { status != error }`);
      expect(sortedIds(res!.items)).toEqual(sortedIds(want));
      for (const t of res!.items) expect(t.status).toBe("OK");
    });

    it("asks the v2 tag API for services and per-service operations over the last 24 hours", async () => {
      const backend = await ctx.makeBackend({ now: () => NOW });
      const [svc] = await requestsOf(ctx.running, () => backend.listServices());
      expect(svc!.path).toBe("/api/v2/search/tag/resource.service.name/values");
      expect(svc!.query).toEqual({ start: String(Math.floor((NOW - DAY) / 1000)), end: String(Math.ceil(NOW / 1000)) });
      let ops: string[] = [];
      const [op] = await requestsOf(ctx.running, async () => (ops = await backend.getServiceOperations('chat-api "x"')));
      expect(op!.path).toBe("/api/v2/search/tag/name/values");
      expect(op!.query.q).toBe(`{ resource.service.name = "chat-api \\"x\\"" }`);
      expect(ops).toEqual([]);
    });

    it("lists every service that has spans, sorted, including child-only ones", async () => {
      const want = [...new Set(ctx.dataset.flatMap((t) => t.spans.map((s) => s.serviceName)))].sort();
      expect(want).toContain("profile-svc");
      expect(await ctx.backend.listServices()).toEqual(want);
    });
  });
}

describeBackendConformance(tempoWorld({ apiKey: TEST_API_KEY }), undefined, { extra: tempoSpecifics });
// The same behaviour from a Tempo without the v2 endpoints (trace-by-id and tags via v1).
describeBackendConformance(tempoWorld({ apiKey: TEST_API_KEY, apiVersion: "v1" }));

describe("Tempo adapter: search edges", () => {
  it("the query layer applies Tempo's 24 hour default window and reports it", async () => {
    const dataset = generateDataset({ traces: 6, startMs: NOW - 2 * HOUR });
    const service = dataset[0]!.serviceName;
    await withWorld(dataset, async (running, backend) => {
      const res = await searchTraces(backend, { limit: 10, filters: [eq("service.name", service)] }, { now: () => NOW, lookbackMs: tempo.defaultLookbackMs });
      expect(sortedIds(res.items)).toEqual(sortedIds(dataset.filter((t) => t.serviceName === service)));
      expect(res.window).toEqual({ startMs: NOW - DAY, endMs: NOW });
      const search = running.requests.find((r) => r.path === "/api/search")!;
      expect(search.query.start).toBe(String((NOW - DAY) / 1000));
      expect(search.query.end).toBe(String(NOW / 1000));
    });
  });

  it("fills a missing start as 24 hours before the given end", async () => {
    await withWorld(generateDataset({ traces: 2 }), async (running, backend) => {
      const endMs = DATASET_START_MS + HOUR;
      const res = await searchTraces(backend, { endMs, limit: 5, filters: [] }, { now: () => NOW, lookbackMs: tempo.defaultLookbackMs });
      expect(res.window).toEqual({ startMs: endMs - DAY, endMs });
      expect(running.requests[0]!.query.start).toBe(String((endMs - DAY) / 1000));
    });
  });

  it("honours a limit above 50 (no hidden cap), answers the newest first, and fetches only those", async () => {
    const dataset = generateDataset({ traces: 65 });
    await withWorld(dataset, async (running, backend) => {
      const res = await searchTraces(backend, { startMs: DATASET_START_MS - HOUR, endMs: DATASET_START_MS + 3 * HOUR, limit: 60, filters: [] });
      expect(res.items.map((t) => t.traceId)).toEqual(newestFirst(dataset).slice(0, 60).map((t) => t.traceId));
      const searches = running.requests.filter((r) => r.path === "/api/search");
      expect(searches[0]!.query.limit).toBe("60");
      // 60 of 65 came back (any 60, for Tempo), so the window's start moved up to the 60th newest and the
      // search ran again asking for one more, which told "exactly 60 there" from "more exist".
      expect(searches.length).toBeGreaterThan(1);
      expect(searches.at(-1)!.query.limit).toBe("61");
      expect(Number(searches.at(-1)!.query.start)).toBeGreaterThan(Number(searches[0]!.query.start));
      expect(running.requests.filter((r) => r.path.startsWith("/api/v2/traces/"))).toHaveLength(60);
      expect(res.notes).toEqual([]);
    });
  });

  it("skips traces whose fetch fails and says how many and why", async () => {
    const dataset = generateDataset({ traces: 8 });
    await withWorld(dataset, async (running, backend) => {
      const bad = [dataset[2]!.traceId, dataset[5]!.traceId];
      running.failTraces(bad);
      const res = await searchTraces(backend, { startMs: DATASET_START_MS - HOUR, endMs: DATASET_START_MS + HOUR, limit: 20, filters: [] });
      expect(sortedIds(res.items)).toEqual(sortedIds(dataset.filter((t) => !bad.includes(t.traceId))));
      expect(res.notes).toHaveLength(1);
      expect(res.notes[0]).toMatch(/^2 of 8 traces could not be fetched and were skipped \(first reason: Tempo at http:\/\/127\.0\.0\.1:\d+ returned HTTP 500/);
      // Listed, not only counted.
      expect(res.skipped.map((x) => x.trace_id).sort()).toEqual([...bad].sort());
    });
  });

  it("pads ids Tempo lists without their leading zeros", async () => {
    const [base] = generateDataset({ traces: 1 });
    const id = `00${base!.traceId.slice(2)}`;
    const trace = assembleTrace(id, base!.spans.map((s) => ({ ...s, traceId: id })))!;
    await withWorld([trace], async (running, backend) => {
      const res = await searchTraces(backend, { startMs: DATASET_START_MS - HOUR, endMs: DATASET_START_MS + HOUR, limit: 5, filters: [] });
      expect(res.items.map((t) => t.traceId)).toEqual([id]);
      expect(running.requests.at(-1)!.path).toBe(`/api/v2/traces/${id}`);
      expect(res.items[0]!.spans.every((s) => s.traceId === id)).toBe(true);
    });
  });

  it("passes hostile values through TraceQL intact (quotes, backslashes, newlines, regex characters)", async () => {
    const [base] = generateDataset({ traces: 1 });
    const hostile = 'say "hi" \\ a.b*c\nnext line) || true || ("';
    const trace = assembleTrace(base!.traceId, base!.spans.map((s, i) => (i === 1 ? createSpan({ ...s, attributes: { ...s.attributes, note: hostile } }) : s)))!;
    const window = { startMs: DATASET_START_MS - HOUR, endMs: DATASET_START_MS + HOUR };
    await withWorld([trace], async (_running, backend) => {
      for (const f of [eq("note", hostile), { field: "note", operator: "contains", value: "a.b*c\nnext", valueType: "string" } as Filter]) {
        const hit = await searchTraces(backend, { ...window, limit: 5, filters: [f] });
        expect(hit.items.map((t) => t.traceId), JSON.stringify(f)).toEqual([trace.traceId]);
      }
      // Without escaping, a regex or an injected "|| true" would match these.
      for (const f of [eq("note", 'say "hi"'), { field: "note", operator: "contains", value: "a.b.c", valueType: "string" } as Filter]) {
        const miss = await searchTraces(backend, { ...window, limit: 5, filters: [f] });
        expect(miss.items, JSON.stringify(f)).toEqual([]);
      }
    });
  });

  it("matches a string tag against an int attribute (tags always arrive as strings)", async () => {
    const dataset = generateDataset({ traces: 3 });
    await withWorld(dataset, async (running, backend) => {
      const res = await searchTraces(backend, {
        startMs: DATASET_START_MS - HOUR,
        endMs: DATASET_START_MS + HOUR,
        limit: 10,
        filters: simpleParamFilters({ tags: { "http.response.status_code": "200" } }),
      });
      expect(sortedIds(res.items)).toEqual(sortedIds(dataset));
      expect(running.requests[0]!.query.q).toBe(`{ (span.http.response.status_code = "200" || span.http.response.status_code = 200) }`);
    });
  });

  it("keeps a filter Tempo cannot express and applies it locally; the adapter refuses it rather than dropping it", async () => {
    const dataset = generateDataset({ traces: 6 });
    const window = { startMs: DATASET_START_MS - HOUR, endMs: DATASET_START_MS + HOUR };
    await withWorld(dataset, async (running, backend) => {
      const keep = dataset[1]!.traceId;
      const res = await searchTraces(backend, { ...window, limit: 10, filters: [eq("trace_id", keep)] });
      expect(res.items.map((t) => t.traceId)).toEqual([keep]);
      expect(running.requests[0]!.query.q).toBe("{}");
      await expect(backend.searchTraces({ ...window, limit: 10, filters: [eq("trace_id", keep)], target: "traces" })).rejects.toThrow(/cannot be sent to Tempo/);
    });
  });

  it("takes spans from the newest traces", async () => {
    const dataset = generateDataset({ traces: 5 });
    await withWorld(dataset, async (_running, backend) => {
      const res = await searchSpans(backend, { startMs: DATASET_START_MS - HOUR, endMs: DATASET_START_MS + HOUR, limit: 2, filters: [] });
      const want = dataset.flatMap((t) => t.spans).sort((a, b) => b.startTimeUs - a.startTimeUs).slice(0, 2);
      expect(res.items.map((s) => s.spanId)).toEqual(want.map((s) => s.spanId));
    });
  });
});

describe("Tempo adapter: trace by id", () => {
  const dataset = generateDataset({ traces: 3 });
  const unknown = "0123456789abcdef0123456789abcdef";

  it("falls back to v1 once on a Tempo without /api/v2, then remembers", async () => {
    await withWorld(
      dataset,
      async (running, backend) => {
        const first = await requestsOf(running, () => backend.getTrace(dataset[0]!.traceId));
        expect(first.map((r) => r.path)).toEqual([`/api/v2/traces/${dataset[0]!.traceId}`, `/api/traces/${dataset[0]!.traceId}`]);
        const second = await requestsOf(running, () => backend.getTrace(dataset[1]!.traceId));
        expect(second.map((r) => r.path)).toEqual([`/api/traces/${dataset[1]!.traceId}`]);
        const trace = await backend.getTrace(dataset[2]!.traceId.toUpperCase());
        expect(trace.traceId).toBe(dataset[2]!.traceId);
        expect(sortedIds([trace])).toEqual([dataset[2]!.traceId]);
        const err = await backend.getTrace(unknown).catch((e: unknown) => e);
        expect(err).toMatchObject({ kind: "not_found" });
      },
      {},
      { apiKey: TEST_API_KEY, apiVersion: "v1" },
    );
  });

  it("on a v2 Tempo an unknown id costs two requests until v2 is known to work, then one", async () => {
    await withWorld(dataset, async (running, backend) => {
      const probe = await requestsOf(running, () => backend.getTrace(unknown).catch(() => undefined));
      expect(probe.map((r) => r.path)).toEqual([`/api/v2/traces/${unknown}`, `/api/traces/${unknown}`]);
      await backend.getTrace(dataset[0]!.traceId);
      let err: unknown;
      const after = await requestsOf(running, async () => (err = await backend.getTrace(unknown).catch((e: unknown) => e)));
      expect(after.map((r) => r.path)).toEqual([`/api/v2/traces/${unknown}`]);
      expect(err).toBeInstanceOf(BackendError);
      expect(err).toMatchObject({ kind: "not_found", status: 404 });
      expect((err as Error).message).toContain(`Trace ${unknown} was not found in Tempo`);
    });
  });

  it("rejects a malformed id without calling Tempo", async () => {
    await withWorld(dataset, async (running, backend) => {
      const err = await backend.getTrace("not-a-trace-id").catch((e: unknown) => e);
      expect(err).toMatchObject({ kind: "not_found" });
      expect((err as Error).message).toContain("is not a Tempo trace id");
      expect(running.requests).toHaveLength(0);
    });
  });
});

describe("Tempo adapter: headers, tags and health", () => {
  const dataset = generateDataset({ traces: 4 });

  it("sends the bearer key and extra headers (X-Scope-OrgID) on every request", async () => {
    await withWorld(
      dataset,
      async (running, backend) => {
        await searchTraces(backend, { startMs: DATASET_START_MS - HOUR, endMs: DATASET_START_MS + HOUR, limit: 2, filters: [] });
        await backend.listServices();
        await backend.healthCheck();
        expect(running.requests.length).toBeGreaterThan(3);
        for (const r of running.requests) {
          expect(r.headers["x-scope-orgid"], r.path).toBe("tenant-a");
          expect(r.headers.authorization, r.path).toBe(`Bearer ${TEST_API_KEY}`);
        }
      },
      { headers: { "X-Scope-OrgID": "tenant-a" } },
    );
  });

  it("sends no Authorization header without a key", async () => {
    await withWorld(
      dataset,
      async (running, backend) => {
        await backend.listServices();
        expect(running.requests[0]!.headers.authorization).toBeUndefined();
      },
      { apiKey: undefined },
      {},
    );
  });

  it("falls back to the v1 tag API (services and, unscoped, operations) once", async () => {
    await withWorld(
      dataset,
      async (running, backend) => {
        const services = await requestsOf(running, () => backend.listServices());
        expect(services.map((r) => r.path)).toEqual(["/api/v2/search/tag/resource.service.name/values", "/api/search/tag/service.name/values"]);
        let ops: string[] = [];
        const opReqs = await requestsOf(running, async () => (ops = await backend.getServiceOperations("chat-api")));
        expect(opReqs.map((r) => r.path)).toEqual(["/api/search/tag/name/values"]);
        expect(ops).toEqual([...new Set(dataset.flatMap((t) => t.spans.map((s) => s.operationName)))].sort());
      },
      {},
      { apiKey: TEST_API_KEY, apiVersion: "v1" },
    );
  });

  it("checks /ready, and /api/echo where a gateway hides /ready", async () => {
    await withWorld(dataset, async (running, backend) => {
      expect(await backend.healthCheck()).toEqual({ status: "healthy", backend: "tempo", url: running.url });
      expect(running.requests.map((r) => r.path)).toEqual(["/ready"]);
    });
    await withWorld(
      dataset,
      async (running, backend) => {
        expect(await backend.healthCheck()).toMatchObject({ status: "healthy" });
        expect(running.requests.map((r) => r.path)).toEqual(["/ready", "/api/echo"]);
      },
      {},
      { apiKey: TEST_API_KEY, hideReady: true },
    );
  });
});

describe("Tempo adapter on recorded responses", () => {
  const fixture = (name: string) => readFileSync(new URL(`../fixtures/tempo/${name}`, import.meta.url), "utf8");

  it("reads the recorded listing and trace, and skips hits Tempo cannot return", async () => {
    // Replays the recorded shapes: 7 hits, only one trace body recorded (v1 only, like Tempo < 2.5 without v2).
    const server = createServer((req, res) => {
      const path = new URL(req.url ?? "/", "http://x").pathname;
      if (path === "/api/search") return res.writeHead(200, { "content-type": "application/json" }).end(fixture("search-listing.json"));
      if (path === "/api/traces/42ff472d7feb6215bec0cf4e350675b2") return res.writeHead(200, { "content-type": "application/json" }).end(fixture("trace-by-id-v1.json"));
      res.writeHead(404, { "content-length": "0" }).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const addr = server.address() as { port: number };
    const backend = createTempoBackend(options(`http://127.0.0.1:${addr.port}`, { fetchConcurrency: 1 }));
    try {
      const res = await searchTraces(backend, { startMs: 1763041000000, endMs: 1763043000000, limit: 10, filters: [] });
      expect(res.items.map((t) => t.traceId)).toEqual(["42ff472d7feb6215bec0cf4e350675b2"]);
      expect(res.items[0]!.spans).toHaveLength(10);
      expect(res.notes).toEqual([expect.stringMatching(/^6 of 7 traces could not be fetched and were skipped \(first reason: Trace [0-9a-f]{32} was not found in Tempo/)]);
    } finally {
      await backend.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
