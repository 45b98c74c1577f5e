import { afterEach, describe, expect, it } from "vitest";
import { MAX_PAGES, createTraceloopBackend } from "../../src/backends/traceloop/traceloop-backend.js";
import { traceloop } from "../../src/backends/traceloop/descriptor.js";
import { searchSpans, searchTraces } from "../helpers/query.js";
import type { BackendOptions, TraceBackend } from "../../src/backends/trace-backend.js";
import { eq, type Filter } from "../../src/domain/filter.js";
import type { Trace } from "../../src/domain/trace.js";
import { BackendError } from "../../src/errors.js";
import { traceTotalTokens } from "../../src/genai/llm-span.js";
import { silentLogger } from "../../src/logger.js";
import { DATASET_START_MS, generateDataset } from "../helpers/dataset.js";
import { traceTruth } from "../helpers/dataset-truth.js";
import { traceloopWorld, type TraceloopRunningWorld, type TraceloopWorldOptions } from "../helpers/traceloop-world.js";
import { TEST_API_KEY, describeBackendConformance } from "./conformance.js";

const KEY = "tl-secret-key-0123456789";
const HOUR = 3_600_000;
const NOW = DATASET_START_MS + 2 * HOUR;
const WINDOW = { startMs: DATASET_START_MS - HOUR, endMs: DATASET_START_MS + 23 * HOUR };

let world: TraceloopRunningWorld | undefined;
let backend: TraceBackend | undefined;

afterEach(async () => {
  await backend?.close();
  await world?.close();
  backend = undefined;
  world = undefined;
});

async function setup(
  dataset: Trace[] = generateDataset({ traces: 12 }),
  worldOptions: TraceloopWorldOptions = { apiKey: KEY },
  options: Partial<BackendOptions> = {},
): Promise<{ world: TraceloopRunningWorld; backend: TraceBackend; dataset: Trace[] }> {
  world = await traceloopWorld(worldOptions).start(dataset);
  backend = createTraceloopBackend({
    url: world.url,
    apiKey: KEY,
    timeoutMs: 5000,
    headers: { "x-team": "observability" },
    environments: ["prd"],
    fetchConcurrency: 3,
    logger: silentLogger(),
    now: () => NOW,
    ...options,
  });
  return { world, backend, dataset };
}

const posts = (w: TraceloopRunningWorld, path: string) => w.requests.filter((r) => r.method === "POST" && r.path === path);
const ROOT = "/v2/projects/default/traces/root-spans";
const SPANS = "/v2/projects/default/spans";

describe("traceloop construction", () => {
  it("requires an API key", () => {
    const make = () =>
      createTraceloopBackend({ url: "http://127.0.0.1:1", timeoutMs: 1000, headers: {}, environments: ["prd"], fetchConcurrency: 1, logger: silentLogger() });
    expect(make).toThrow(BackendError);
    expect(make).toThrow("Traceloop backend requires an API key: pass --api-key or set BACKEND_API_KEY");
    try {
      make();
    } catch (err) {
      expect((err as BackendError).kind).toBe("requirement");
    }
  });
});

describe("traceloop search_traces", () => {
  it("sends the original's body (key order, epoch seconds, environments) with auth and extra headers", async () => {
    const { world, backend } = await setup();
    await backend.searchTraces({ ...WINDOW, limit: 3, filters: [eq("service.name", "chat-api")], target: "traces" });
    const req = posts(world, ROOT)[0]!;
    expect(Object.keys(req.body as object)).toEqual([
      "filters",
      "logical_operator",
      "environments",
      "sort_by",
      "sort_order",
      "cursor",
      "limit",
      "from_timestamp_sec",
      "to_timestamp_sec",
    ]);
    expect(req.body).toEqual({
      filters: [{ field: "service.name", operator: "equals", value: "chat-api", value_type: "string" }],
      logical_operator: "and",
      environments: ["prd"],
      sort_by: "timestamp",
      sort_order: "DESC",
      cursor: 0,
      limit: 3,
      from_timestamp_sec: WINDOW.startMs / 1000,
      to_timestamp_sec: WINDOW.endMs / 1000,
    });
    expect(req.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(req.headers["x-team"]).toBe("observability");
  });

  it("the query layer applies the 24 h default window and reports it", async () => {
    const { world, backend } = await setup();
    const res = await searchTraces(backend, { limit: 2, filters: [] }, { now: () => NOW, lookbackMs: traceloop.defaultLookbackMs });
    expect(res.window).toEqual({ startMs: NOW - 24 * HOUR, endMs: NOW });
    const body = posts(world, ROOT)[0]!.body as { from_timestamp_sec: number; to_timestamp_sec: number };
    expect(body.to_timestamp_sec - body.from_timestamp_sec).toBe(24 * 3600);
    expect(res.items).toHaveLength(2);
  });

  it("follows the cursor until the limit is reached (page size 5 < limit 8)", async () => {
    const { world, backend, dataset } = await setup();
    const res = await backend.searchTraces({ ...WINDOW, limit: 8, filters: [], target: "traces" });
    expect(res.items).toHaveLength(8);
    const newestFirst = [...dataset].sort((a, b) => b.startTimeUs - a.startTimeUs).slice(0, 8);
    expect(res.items.map((t) => t.traceId)).toEqual(newestFirst.map((t) => t.traceId));
    const bodies = posts(world, ROOT).map((r) => r.body as { cursor: unknown; limit: number });
    expect(bodies).toHaveLength(2);
    expect(bodies[0]).toMatchObject({ cursor: 0, limit: 8 });
    // next_cursor "<ms>" goes back as the number it spells; only the missing rows are asked for.
    expect(bodies[1]!.cursor).toBe(Math.floor(newestFirst[4]!.startTimeUs / 1000));
    expect(bodies[1]!.limit).toBe(3);
  });

  describe("a window that does not fall on whole seconds", () => {
    // The API takes whole seconds (from floor(start), to ceil(end)), so it returns rows up to a
    // second outside the asked window; the adapter trims them to the exact milliseconds. Roots
    // start at hh:mm:00.400 (plus µs), a minute apart.
    const dataset = generateDataset({ traces: 4, startMs: DATASET_START_MS + 400 });
    const rootMs = dataset.map((t) => Math.floor(t.spans.find((s) => !s.parentSpanId)!.startTimeUs / 1000));
    /** Rows the API stores: ms timestamps, floored. */
    const rowMs = (startTimeUs: number) => Math.floor(startTimeUs / 1000);

    it("root spans: one millisecond inside each edge is in, one outside is out, though the API returned it", async () => {
      const { world, backend } = await setup(dataset);
      expect(rootMs[0]! % 1000).toBe(400);
      const narrow = { startMs: rootMs[0]! + 1, endMs: rootMs[2]! - 1 };
      const res = await backend.searchTraces({ ...narrow, limit: 50, filters: [], target: "traces" });
      expect(res.items.map((t) => t.traceId)).toEqual([dataset[1]!.traceId]);
      // The API was asked for whole seconds that hold both neighbours, so the trim was the adapter's.
      const body = posts(world, ROOT)[0]!.body as { from_timestamp_sec: number; to_timestamp_sec: number };
      expect(body.from_timestamp_sec * 1000).toBeLessThanOrEqual(rootMs[0]!);
      expect(body.to_timestamp_sec * 1000).toBeGreaterThanOrEqual(rootMs[2]!);
      // Bounds are inclusive: the same window widened by a millisecond on each side takes both.
      const wide = await backend.searchTraces({ startMs: rootMs[0]!, endMs: rootMs[2]!, limit: 50, filters: [], target: "traces" });
      expect(wide.items.map((t) => t.traceId).sort()).toEqual(dataset.slice(0, 3).map((t) => t.traceId).sort());
    });

    it("spans: exactly the rows whose millisecond timestamp is in the window", async () => {
      const { backend } = await setup(dataset);
      const narrow = { startMs: rootMs[0]! + 1, endMs: rootMs[2]! - 1 };
      const res = await backend.searchSpans!({ ...narrow, limit: 1000, filters: [], target: "spans" });
      const want = dataset.flatMap((t) => t.spans).filter((s) => rowMs(s.startTimeUs) >= narrow.startMs && rowMs(s.startTimeUs) <= narrow.endMs);
      expect(want.some((s) => s.traceId === dataset[0]!.traceId), "trace 0's children are in, its root is not").toBe(true);
      expect(res.items.map((s) => s.spanId).sort()).toEqual(want.map((s) => s.spanId).sort());
    });
  });

  it("stops when the listing is exhausted", async () => {
    const { world, backend } = await setup(generateDataset({ traces: 7 }));
    const res = await backend.searchTraces({ ...WINDOW, limit: 50, filters: [], target: "traces" });
    expect(res.items).toHaveLength(7);
    expect(posts(world, ROOT).length).toBeLessThanOrEqual(3);
  });

  it("returns root rows as partial traces, which the query layer completes: every span, tokens and status as in the data", async () => {
    const { world, backend, dataset } = await setup();
    const partial = await backend.searchTraces({ ...WINDOW, limit: 12, filters: [], target: "traces" });
    expect(partial.items.every((t) => t.partial === true && t.spans.length === 1)).toBe(true);
    const res = await searchTraces(backend, { ...WINDOW, limit: 12, filters: [] });
    expect(res.items).toHaveLength(12);
    for (const t of res.items) {
      const want = dataset.find((d) => d.traceId === t.traceId)!;
      expect(t.spans).toHaveLength(want.spans.length);
      // Expected values from the raw spans (dataset-truth.ts), not src's parser or assembler.
      expect(traceTotalTokens(t)).toBe(traceTruth(want.spans).totalTokens);
      expect(t.status).toBe(traceTruth(want.spans).status);
      expect(t.serviceName).toBe(traceTruth(want.spans).serviceName);
      expect(t.rootOperation).toBe("agent.workflow");
      expect(t.spans.every((s) => s.serviceName !== "")).toBe(true);
    }
    expect(res.items.reduce((n, t) => n + traceTotalTokens(t), 0)).toBeGreaterThan(1000);
    expect(res.items.some((t) => t.status === "ERROR")).toBe(true);
    expect(res.items.some((t) => t.status === "OK")).toBe(true);
    expect(world.requests.filter((r) => r.method === "GET" && r.path.endsWith("/spans"))).toHaveLength(12);
    expect(res.notes).toEqual([]);
  });

  it("skips and lists a trace whose spans cannot be fetched, and says so", async () => {
    const { world, backend, dataset } = await setup();
    const newest = [...dataset].sort((a, b) => b.startTimeUs - a.startTimeUs);
    world.failTraceSpans([newest[1]!.traceId]);
    const res = await searchTraces(backend, { ...WINDOW, limit: 3, filters: [] });
    expect(res.items.map((t) => t.traceId)).toEqual([newest[0]!.traceId, newest[2]!.traceId]);
    expect(res.skipped).toEqual([{ trace_id: newest[1]!.traceId, reason: expect.stringContaining("HTTP 500") }]);
    expect(res.notes.join(" ")).toMatch(/1 of 3 traces could not be fetched and were skipped/);
    expect(res.coverage.complete).toBe(false);
  });

  it("applies attribute filters on full traces (any span), not on the root row", async () => {
    const { world, backend, dataset } = await setup();
    const filters: Filter[] = [eq("gen_ai.request.model", "claude-3-5-sonnet")];
    const res = await searchTraces(backend, { ...WINDOW, limit: 20, filters });
    const want = dataset.filter((t) => t.spans.some((s) => s.attributes["gen_ai.request.model"] === "claude-3-5-sonnet"));
    expect(want.length).toBeGreaterThan(0);
    expect(res.items.map((t) => t.traceId).sort()).toEqual(want.map((t) => t.traceId).sort());
    expect((posts(world, ROOT)[0]!.body as { filters: unknown[] }).filters).toEqual([]);
  });

  it("applies what the API cannot (status) locally, beside what it can (service)", async () => {
    const { world, backend, dataset } = await setup();
    const res = await searchTraces(backend, { ...WINDOW, limit: 20, filters: [eq("status", "ERROR"), eq("service.name", "travel-agent")] });
    const want = dataset.filter((t) => traceTruth(t.spans).status === "ERROR" && traceTruth(t.spans).serviceName === "travel-agent");
    expect(want.length).toBeGreaterThan(0);
    expect(res.items.map((t) => t.traceId).sort()).toEqual(want.map((t) => t.traceId).sort());
    expect((posts(world, ROOT)[0]!.body as { filters: unknown[] }).filters).toEqual([
      { field: "service.name", operator: "equals", value: "travel-agent", value_type: "string" },
    ]);
  });

  it("over-fetches once (x5, at least 100) for filters it must apply itself, and says more may match", async () => {
    const { world, backend } = await setup(generateDataset({ traces: 130 }), { apiKey: KEY, pageSize: 50 });
    const res = await searchTraces(backend, { ...WINDOW, limit: 1, filters: [eq("gen_ai.request.model", "no-such-model")] });
    expect(res.items).toEqual([]);
    const fetches = world.requests.filter((r) => r.method === "GET").length;
    expect(fetches).toBe(100);
    expect((posts(world, ROOT)[0]!.body as { limit: number }).limit).toBe(100);
    expect(res.notes.some((n) => n.startsWith("More traces may match beyond the 100 examined"))).toBe(true);
  });

  it("stops at the page bound and says more may match", async () => {
    const { world, backend } = await setup(generateDataset({ traces: MAX_PAGES + 5 }), { apiKey: KEY, pageSize: 1 });
    const res = await backend.searchTraces({ ...WINDOW, limit: MAX_PAGES + 5, filters: [], target: "traces" });
    expect(posts(world, ROOT)).toHaveLength(MAX_PAGES);
    expect(res.items).toHaveLength(MAX_PAGES);
    expect(res.notes.some((n) => n.startsWith(`Stopped after ${MAX_PAGES} pages`))).toBe(true);
  });
});

describe("traceloop search_spans", () => {
  it("maps service and status from the row and pushes column and llm filters", async () => {
    const { world, backend, dataset } = await setup();
    const filters: Filter[] = [eq("service.name", "profile-svc"), { field: "duration", operator: "gte", value: 0, valueType: "number" }];
    const res = await searchSpans(backend, { ...WINDOW, limit: 7, filters });
    expect(res.items).toHaveLength(7);
    expect(res.items.every((s) => s.serviceName === "profile-svc" && s.operationName === "GET /api/profile")).toBe(true);
    expect(res.items.every((s) => s.status === "UNSET")).toBe(true);
    const bodies = posts(world, SPANS).map((r) => r.body as { filters: unknown[] });
    expect(bodies.length).toBe(2);
    expect(bodies[0]!.filters).toEqual([
      { field: "service.name", operator: "equals", value: "profile-svc", value_type: "string" },
      { field: "duration", operator: "greater_than_or_equal", value: "0", value_type: "number" },
    ]);
    expect(dataset.length).toBe(12);
  });

  it("finds error spans locally (status is not an API filter) with their events", async () => {
    const { world, backend, dataset } = await setup();
    const res = await searchSpans(backend, { ...WINDOW, limit: 50, filters: [eq("status", "ERROR"), eq("gen_ai.system", "openai")] });
    const want = dataset.flatMap((t) => t.spans).filter((s) => s.status === "ERROR" && s.attributes["gen_ai.system"] === "openai");
    expect(res.items.map((s) => s.spanId).sort()).toEqual(want.map((s) => s.spanId).sort());
    expect((posts(world, SPANS)[0]!.body as { filters: unknown[] }).filters).toEqual([
      { field: "llm.vendor", operator: "equals", value: "openai", value_type: "string" },
    ]);
  });

  it("re-checks narrowing filters: spans without the attribute are not returned for not_equals", async () => {
    const { backend, dataset } = await setup();
    const f: Filter = { field: "gen_ai.system", operator: "not_equals", value: "openai", valueType: "string" };
    expect(backend.pushdown(f, "spans")).toBe("narrowing");
    const res = await searchSpans(backend, { ...WINDOW, limit: 100, filters: [f] });
    const want = dataset.flatMap((t) => t.spans).filter((s) => s.attributes["gen_ai.system"] !== undefined && s.attributes["gen_ai.system"] !== "openai");
    expect(want.length).toBeGreaterThan(0);
    expect(res.items.map((s) => s.spanId).sort()).toEqual(want.map((s) => s.spanId).sort());
  });

  it("coerces string attributes and enriches llm.* back to gen_ai.*", async () => {
    const { backend } = await setup();
    const res = await backend.searchSpans!({ ...WINDOW, limit: 50, filters: [eq("gen_ai.request.model", "gpt-4o")], target: "spans" });
    expect(res.items.length).toBeGreaterThan(0);
    for (const s of res.items) {
      expect(s.attributes["gen_ai.request.model"]).toBe("gpt-4o");
      expect(typeof s.attributes["gen_ai.usage.prompt_tokens"]).toBe("number");
      expect(s.attributes["gen_ai.request.temperature"]).toBe(0.7);
      expect(s.attributes["gen_ai.request.is_streaming"]).toBe(false);
    }
  });
});

describe("traceloop get_trace", () => {
  it("returns the whole trace with the root's service and status looked up", async () => {
    const { backend, dataset } = await setup();
    const want = dataset[4]!; // every 5th trace has an ERROR LLM span
    expect(want.status).toBe("ERROR");
    const t = await backend.getTrace(want.traceId);
    expect(t.spans).toHaveLength(want.spans.length);
    expect(t.serviceName).toBe(want.serviceName);
    expect(t.status).toBe("ERROR");
    expect(t.spans.find((s) => !s.parentSpanId)!.status).toBe("ERROR");
    const errSpan = want.spans.find((s) => s.status === "ERROR" && s.parentSpanId)!;
    expect(t.spans.find((s) => s.spanId === errSpan.spanId)!.status).toBe("ERROR");
    expect(traceTotalTokens(t)).toBe(traceTotalTokens(want));
  });

  it("maps {spans: null} to not_found naming project and environments", async () => {
    const { world, backend } = await setup();
    const unknown = "feedface".repeat(4);
    const err = await backend.getTrace(unknown).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendError);
    expect((err as BackendError).kind).toBe("not_found");
    expect((err as BackendError).message).toMatch(new RegExp(`^Trace ${unknown} not found in Traceloop \\(project default, environments prd\\)`));
    expect(world.requests.at(-1)!.path).toBe(`/v2/projects/default/traces/${unknown}/spans`);
  });

  it("refuses a malformed id without a request (#11)", async () => {
    const { world, backend } = await setup();
    const err = await backend.getTrace("no/such trace").catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: "not_found" });
    expect((err as Error).message).toMatch(/^'no\/such trace' is not a trace id: a trace id is 1 to 32 hexadecimal characters/);
    expect(world.requests).toEqual([]);
  });
});

describe("traceloop listings and health", () => {
  it("lists distinct services over 7 days, following the cursor", async () => {
    const { world, backend } = await setup();
    expect(await backend.listServices()).toEqual(["chat-api", "rag-worker", "travel-agent"]);
    const bodies = posts(world, ROOT).map((r) => r.body as { limit: number; from_timestamp_sec: number; to_timestamp_sec: number; filters: unknown[] });
    expect(bodies.length).toBeGreaterThanOrEqual(3);
    expect(bodies[0]!).toMatchObject({ limit: 1000, filters: [] });
    expect(bodies[0]!.to_timestamp_sec - bodies[0]!.from_timestamp_sec).toBe(7 * 24 * 3600);
  });

  it("reads operations from workflow-names (project-wide, ms window)", async () => {
    const { world, backend } = await setup();
    expect(await backend.getServiceOperations("chat-api")).toEqual(["agent.workflow"]);
    const req = world.requests.at(-1)!;
    expect(req.path).toBe("/v2/projects/default/spans/workflow-names");
    expect(Number(req.query.end_time)).toBe(NOW);
    expect(Number(req.query.end_time) - Number(req.query.start_time)).toBe(7 * 24 * HOUR);
  });

  it("health is one cheap root-spans call; failures are reported, not thrown", async () => {
    const { world, backend } = await setup();
    expect(await backend.healthCheck()).toEqual({ status: "healthy", backend: "traceloop", url: world.url, project_id: "default" });
    expect(posts(world, ROOT).at(-1)!.body).toMatchObject({ limit: 1, filters: [] });
    world.setFault("http500");
    const h = await backend.healthCheck();
    expect(h.status).toBe("unhealthy");
    expect(h.error).toContain("HTTP 500");
  });
});

describe("traceloop failures", () => {
  it("never shows the API key, even when the API echoes it back", async () => {
    const { world, backend } = await setup();
    world.setFault("http401");
    const err = (await backend.searchTraces({ ...WINDOW, limit: 1, filters: [], target: "traces" }).catch((e: unknown) => e)) as BackendError;
    expect(err).toBeInstanceOf(BackendError);
    expect(err.kind).toBe("auth");
    expect(err.message).not.toContain(KEY);
    const h = await backend.healthCheck();
    expect(h.error).toBeDefined();
    expect(h.error).not.toContain(KEY);
    expect(JSON.stringify(h)).not.toContain(KEY);
  });

  it("reports a malformed body as invalid_response", async () => {
    const { world, backend } = await setup();
    world.setFault("malformed");
    await expect(backend.listServices()).rejects.toMatchObject({ kind: "invalid_response" });
  });

  it("gives up on a hanging API within the configured timeout", async () => {
    const { world, backend } = await setup(undefined, undefined, { timeoutMs: 300 });
    world.setFault("hang");
    await expect(backend.getTrace("abc")).rejects.toMatchObject({ kind: "timeout" });
  });
});

// The shared suite. Deviations, each forced by the Traceloop API rather than by the adapter:
// - the trace-spans endpoint carries no service_name or status_code per span: child spans take the
//   root's service, and their status is only what error markers reveal (OK cannot be recovered);
// - operations are the project's workflow names (root workflows), not every span name;
// - times are whole milliseconds on the wire.
// The clock is pinned near the dataset so the 7-day listing windows cover it.
// Traceloop searches traces through their root spans, so operation_name matches the root span's name
// (as in the original); the trace-spans endpoint carries no per-span service or status; times are ms.
describeBackendConformance(traceloopWorld({ apiKey: TEST_API_KEY }), (base) => ({ ...base, now: () => NOW }), {
  expectations: { getTraceOmits: ["serviceName", "status"], serviceOperations: "root", timePrecisionUs: 1000, traceOperation: "root" },
});
