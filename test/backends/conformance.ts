/**
 * One suite of behaviours every backend adapter must show, run through the real search layer
 * (searchTraces / searchSpans) against the backend's fake world serving the shared dataset.
 * Every expectation is computed from the dataset; none is hard-coded. Trace-level values (root,
 * service, start, duration, status) come from the raw spans (test/helpers/dataset-truth.ts), never
 * from the assembled Trace fields, which src computes; the dataset includes the edge traces
 * (an OK root over an ERROR child, two roots, clock skew, spans in arbitrary order).
 *
 * Searches always name a root service: Jaeger requires a service, and with root services the
 * readings "a span of service S that also matches X" (Jaeger, TraceQL spansets) and "a span of S
 * and a span matching X" agree on this dataset (LLM and tool spans live in the root service).
 * Tests that rely on such a dataset property assert it first, so a dataset change fails loudly.
 */
import { createServer } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createBackend } from "../../src/backends/index.js";
import { searchSpans, searchTraces, type SearchQuery } from "../helpers/query.js";
import type { BackendOptions, TraceBackend } from "../../src/backends/trace-backend.js";
import { TYPED_ATTRIBUTE_KEYS } from "../../src/domain/attributes.js";
import { eq, type Filter } from "../../src/domain/filter.js";
import type { Span, Trace } from "../../src/domain/trace.js";
import { backendLabel } from "../../src/backends/registry.js";
import { BackendError, type BackendErrorKind } from "../../src/errors.js";
import { silentLogger } from "../../src/logger.js";
import type { BackendWorld, Fault, RunningWorld } from "../helpers/backend-world.js";
import { generateDataset, generateEdgeTraces } from "../helpers/dataset.js";
import { truthFor, truthTable, truthWindow } from "../helpers/dataset-truth.js";
import { PROXY_FAULTS, startFaultProxy, type FaultProxy, type ProxyFault } from "../helpers/fault-proxy.js";
import { expectNoSecrets } from "../helpers/secrets.js";

export const TEST_API_KEY = "test-key-123456";
/** Secrets the fault matrix plants besides the API key: a --header token and URL basic-auth credentials. */
export const HEADER_TOKEN = "hdr-token-8c1f0e2d9b7a6c5e4f3a";
export const URL_USER = "mxuser";
export const URL_PASSWORD = "url-pass-71d2e9c4b8a3f6e5";
const MIB = 1024 * 1024;

/** What each injected fault must become: a BackendError of this kind whose message says so. */
const FAULT_EXPECTATIONS: Readonly<Record<ProxyFault, { kind: BackendErrorKind; message?: RegExp }>> = {
  http500: { kind: "http", message: /returned HTTP 500/ },
  http502Html: { kind: "http", message: /returned HTTP 502/ },
  http503: { kind: "http", message: /returned HTTP 503 .*retry later/ },
  http503RetryAfter: { kind: "http", message: /returned HTTP 503 .*retry after 30 s/ },
  http429RetryAfter: { kind: "rate_limited", message: /^Rate limited by \w+ at http:\/\/127\.0\.0\.1:\d+; retry after 7 s/ },
  redirect: { kind: "http", message: /HTTP 302 to https:\/\/sso\.example\.com\/login\); redirects are not followed/ },
  truncated: { kind: "invalid_response", message: /not valid JSON/ },
  resetMidBody: { kind: "network" },
  oversized: { kind: "too_large", message: /more than 1 MB .*--backend-max-response-mb/ },
  oversizedDeclared: { kind: "too_large", message: /with 2 MB, more than the 1 MB limit/ },
  gzipBomb: { kind: "too_large", message: /more than 1 MB/ },
  slowHeaders: { kind: "timeout", message: /did not answer/ },
  slowBody: { kind: "timeout", message: /did not answer/ },
  nonJson: { kind: "invalid_response", message: /not valid JSON/ },
  html: { kind: "invalid_response", message: /not valid JSON/ },
  otherApi: { kind: "invalid_response", message: /expected/ },
  wrongPath: { kind: "invalid_response", message: /expected/ },
  wrongEncoding: { kind: "invalid_response", message: /Content-Encoding gzip/ },
  echoHeaders: { kind: "http", message: /returned HTTP 500/ },
  echoHeaders200: { kind: "invalid_response", message: /not valid JSON/ },
};
/** Faults that take the client's whole timeout: exercised on one call only, to keep the suite fast. */
const SLOW_FAULTS: ReadonlySet<ProxyFault> = new Set(["slowHeaders", "slowBody"]);

/**
 * Where a backend's documented semantics genuinely differ from the default expectations. Keep
 * every use justified by the backend's wire format or API, not by an adapter shortcut.
 */
export interface ConformanceExpectations {
  /** Span fields the backend's trace-by-id answer does not carry (not compared by get-by-id). */
  getTraceOmits?: ReadonlyArray<"serviceName" | "status">;
  /** Which operations getServiceOperations can list: every span's ("all", default) or root spans' only. */
  serviceOperations?: "all" | "root";
  /**
   * What an operation_name search matches on traces: a span of that name anywhere in the trace
   * ("any-span", default: Jaeger, TraceQL) or the root span only (APIs that search root spans).
   */
  traceOperation?: "any-span" | "root";
  /** Precision of span times on the wire, in µs (default 1: exact). */
  timePrecisionUs?: number;
}

export interface ConformanceContext {
  readonly dataset: Trace[];
  readonly running: RunningWorld;
  /** The shared backend (built with the default options). */
  readonly backend: TraceBackend;
  /** A window (epoch ms) covering the whole dataset. */
  readonly window: { startMs: number; endMs: number };
  /** Builds another backend against the running world; closed after the suite. */
  makeBackend(overrides?: Partial<BackendOptions>): Promise<TraceBackend>;
}

/** Adjusts the options a backend is built with (e.g. environments for Traceloop). */
export type MakeOptions = (base: BackendOptions, running: RunningWorld) => BackendOptions;

export interface ConformanceSuiteOptions {
  /** Backend-specific tests, registered inside the suite's describe block. */
  extra?: (ctx: ConformanceContext) => void;
  expectations?: ConformanceExpectations;
  /** False for a backend that speaks no HTTP (the local store): the HTTP failure and fault-matrix tests do not apply. */
  http?: boolean;
}

const ids = (items: Array<Trace | Span>): string[] => items.map((i) => ("spanId" in i ? i.spanId : i.traceId)).sort();
const sortedIds = (traces: Trace[]): string[] => traces.map((t) => t.traceId).sort();

/** A free port: listen on 0, note the port, close. Connecting to it is refused. */
async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const addr = server.address();
  if (!addr || typeof addr === "string") throw new Error("no address");
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${addr.port}`;
}

/** Awaits a rejection and checks it is a BackendError of `kind` that does not leak the API key. */
async function expectBackendError(promise: Promise<unknown>, kind: BackendErrorKind): Promise<BackendError> {
  const err = await promise.then(
    () => {
      throw new Error(`expected a BackendError of kind ${kind}, but the call succeeded`);
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(BackendError);
  const be = err as BackendError;
  expect({ kind: be.kind, message: be.message }).toMatchObject({ kind });
  expect(be.message).not.toContain(TEST_API_KEY);
  expect(String(be.cause ?? "")).not.toContain(TEST_API_KEY);
  return be;
}

/** Attributes every backend must hand back as they were: strings, and the well-known typed keys. */
function portableAttributes(span: Span): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(span.attributes)) {
    if (typeof v === "string" || k in TYPED_ATTRIBUTE_KEYS) out[k] = v;
  }
  return out;
}

export function describeBackendConformance(world: BackendWorld, makeOptions?: MakeOptions, suite: ConformanceSuiteOptions = {}): void {
  const expectations = suite.expectations ?? {};
  const precisionUs = expectations.timePrecisionUs ?? 1;
  const dataset = [...generateDataset(), ...generateEdgeTraces()];
  const truth = truthTable(dataset);
  const truthOf = (t: Trace) => truthFor(truth, t.traceId);
  const window = truthWindow(truth);
  const roots = [...new Set(dataset.map((t) => truthOf(t).serviceName))].sort();
  const rootOf = (service: string) => dataset.filter((t) => truthOf(t).serviceName === service);

  describe(`${world.kind} backend conformance`, () => {
    let running: RunningWorld;
    let backend: TraceBackend;
    const built: TraceBackend[] = [];

    const make = async (overrides: Partial<BackendOptions> = {}): Promise<TraceBackend> => {
      const base: BackendOptions = {
        url: running.url,
        apiKey: TEST_API_KEY,
        timeoutMs: 2000,
        headers: {},
        environments: ["prd"],
        fetchConcurrency: 4,
        logger: silentLogger(),
        // Services / operations take no window: backends that apply a default one count it back from now.
        now: () => window.endMs,
        ...overrides,
      };
      const b = await createBackend(world.kind, makeOptions ? makeOptions(base, running) : base);
      built.push(b);
      return b;
    };

    const query = (filters: Filter[], limit = 100): SearchQuery => ({ ...window, limit, filters });

    beforeAll(async () => {
      running = await world.start(dataset);
      backend = await make();
    });
    afterEach(() => running.setFault(null));
    afterAll(async () => {
      await Promise.all(built.map((b) => b.close()));
      await running?.close();
    });

    it("finds exactly the traces of a root service, complete", async () => {
      for (const service of roots) {
        const res = await searchTraces(backend, query([eq("service.name", service)]));
        expect(sortedIds(res.items), service).toEqual(sortedIds(rootOf(service)));
        for (const t of res.items) {
          const want = dataset.find((d) => d.traceId === t.traceId)!;
          expect(ids(t.spans), `spans of ${t.traceId}`).toEqual(ids(want.spans));
          expect(t.serviceName).toBe(service);
        }
      }
    });

    it("finds traces by service and operation name (traces containing a span of that name)", async () => {
      // An LLM operation present in some, not all, traces of a root service.
      let pick: { service: string; op: string } | undefined;
      for (const service of roots) {
        const traces = rootOf(service);
        const llmOps = [...new Set(traces.flatMap((t) => t.spans.map((s) => s.operationName)).filter((o) => o.endsWith(".chat")))].sort();
        const op = llmOps.find((o) => {
          const n = traces.filter((t) => t.spans.some((s) => s.operationName === o)).length;
          return n > 0 && n < traces.length;
        });
        if (op) {
          pick = { service, op };
          break;
        }
      }
      expect(pick, "dataset has a partially present LLM operation").toBeDefined();
      const { service, op } = pick!;
      const carriers = dataset.flatMap((t) => t.spans).filter((s) => s.operationName === op && rootOf(service).some((t) => t.traceId === s.traceId));
      expect(carriers.every((s) => s.serviceName === service), "LLM spans live in the root service").toBe(true);

      const search = async (operation: string) =>
        sortedIds((await searchTraces(backend, query([eq("service.name", service), eq("operation_name", operation)]))).items);
      if (expectations.traceOperation === "root") {
        expect(await search(op)).toEqual([]);
        const rootOp = truthOf(rootOf(service)[0]!).rootOperation;
        expect(await search(rootOp)).toEqual(sortedIds(rootOf(service).filter((t) => truthOf(t).rootOperation === rootOp)));
      } else {
        expect(await search(op)).toEqual(sortedIds(rootOf(service).filter((t) => t.spans.some((s) => s.operationName === op))));
      }
    });

    it("finds traces by minimum duration", async () => {
      const service = roots[0]!;
      const durations = [...new Set(rootOf(service).map((t) => truthOf(t).durationMs))].sort((a, b) => a - b);
      expect(durations.length, "distinct durations").toBeGreaterThan(1);
      const mid = Math.floor(durations.length / 2);
      // Halfway between two durations (fractional ms): no boundary ties, and bounds must convert exactly enough.
      const threshold = (durations[mid - 1]! + durations[mid]!) / 2;
      const want = rootOf(service).filter((t) => truthOf(t).durationMs >= threshold);
      expect(want.length).toBeGreaterThan(0);
      expect(want.length).toBeLessThan(rootOf(service).length);

      const res = await searchTraces(backend, query([eq("service.name", service), { field: "duration", operator: "gte", value: threshold, valueType: "number" }]));
      expect(sortedIds(res.items)).toEqual(sortedIds(want));
    });

    it("finds exactly the traces with an error span (has_error)", async () => {
      let total = 0;
      for (const service of roots) {
        const want = rootOf(service).filter((t) => t.spans.some((s) => s.status === "ERROR"));
        total += want.length;
        const res = await searchTraces(backend, query([eq("service.name", service), eq("status", "ERROR")]));
        expect(sortedIds(res.items), service).toEqual(sortedIds(want));
        for (const t of res.items) expect(t.status).toBe("ERROR");
      }
      expect(total, "dataset has error traces").toBeGreaterThan(0);
    });

    it("applies a generic attribute filter (gen_ai.request.model equals gpt-4o)", async () => {
      const hasModel = (t: Trace) => t.spans.some((s) => s.attributes["gen_ai.request.model"] === "gpt-4o");
      const service = roots.find((s) => {
        const n = rootOf(s).filter(hasModel).length;
        return n > 0 && n < rootOf(s).length;
      });
      expect(service, "a service with some gpt-4o traces").toBeDefined();
      const res = await searchTraces(backend, query([eq("service.name", service!), eq("gen_ai.request.model", "gpt-4o")]));
      expect(sortedIds(res.items)).toEqual(sortedIds(rootOf(service!).filter(hasModel)));
    });

    it("honours the limit", async () => {
      const service = roots[0]!;
      expect(rootOf(service).length).toBeGreaterThan(2);
      const res = await searchTraces(backend, query([eq("service.name", service)], 2));
      expect(res.items).toHaveLength(2);
      const all = new Set(rootOf(service).map((t) => t.traceId));
      for (const t of res.items) expect(all.has(t.traceId)).toBe(true);
    });

    it("searches spans by service and attribute: exactly the tool spans", async () => {
      for (const service of roots) {
        const want = dataset.flatMap((t) => t.spans).filter((s) => s.serviceName === service && s.attributes["traceloop.span.kind"] === "tool");
        const res = await searchSpans(backend, query([eq("service.name", service), eq("traceloop.span.kind", "tool")], 1000));
        expect(ids(res.items), service).toEqual(ids(want));
        for (const s of res.items) expect(s.operationName.endsWith(".tool")).toBe(true);
      }
    });

    it("honours the limit when searching spans", async () => {
      const service = roots[0]!;
      const res = await searchSpans(backend, query([eq("service.name", service)], 3));
      expect(res.items).toHaveLength(3);
      for (const s of res.items) expect(s.serviceName).toBe(service);
    });

    it("gets a trace by id with every span, parent links, statuses, attributes and durations", async () => {
      const want = dataset.find((t) => t.spans.some((s) => s.status === "ERROR") && t.spans.some((s) => s.attributes["traceloop.span.kind"] === "tool"));
      expect(want, "an error trace with a tool span").toBeDefined();
      const got = await backend.getTrace(want!.traceId);
      const omits = new Set(expectations.getTraceOmits ?? []);

      expect(got.traceId).toBe(want!.traceId);
      expect(ids(got.spans)).toEqual(ids(want!.spans));
      expect(got.rootOperation).toBe(truthOf(want!).rootOperation);
      expect(got.durationMs).toBeCloseTo(truthOf(want!).durationMs, 3);
      if (!omits.has("status")) expect(got.status).toBe("ERROR");
      if (!omits.has("serviceName")) expect(got.serviceName).toBe(truthOf(want!).serviceName);
      for (const w of want!.spans) {
        const g = got.spans.find((s) => s.spanId === w.spanId)!;
        const label = `${w.operationName} ${w.spanId}`;
        expect(g.parentSpanId, label).toBe(w.parentSpanId);
        expect(g.operationName, label).toBe(w.operationName);
        if (!omits.has("serviceName")) expect(g.serviceName, label).toBe(w.serviceName);
        if (!omits.has("status")) expect(g.status, label).toBe(w.status);
        expect(Math.abs(g.startTimeUs - w.startTimeUs), label).toBeLessThanOrEqual(precisionUs);
        expect(Math.abs(g.durationMs - w.durationMs), label).toBeLessThanOrEqual(precisionUs / 1000 + 1e-9);
        expect(g.attributes, label).toMatchObject(portableAttributes(w));
        for (const [k, v] of Object.entries(g.attributes)) {
          if (k.startsWith("gen_ai.usage.")) expect(Number.isInteger(v), `${label} ${k}`).toBe(true);
        }
      }
    });

    /** A trace as read back, against the truth: root, service, start, duration, status, span count. */
    const expectTruth = (got: Trace, label: string): void => {
      const want = truth.get(got.traceId);
      expect(want, `${label}: a trace of the dataset`).toBeDefined();
      expect({ root: got.rootOperation, status: got.status, spans: got.spans.length }, label).toEqual({
        root: want!.rootOperation,
        status: want!.status,
        spans: want!.spanCount,
      });
      if (!(expectations.getTraceOmits ?? []).includes("serviceName")) expect(got.serviceName, label).toBe(want!.serviceName);
      expect(Math.abs(got.startTimeUs - want!.startTimeUs), `${label}: start`).toBeLessThanOrEqual(precisionUs);
      // Start and end are each read to the wire's precision.
      expect(Math.abs(got.durationMs - want!.durationMs), `${label}: duration`).toBeLessThanOrEqual((2 * precisionUs) / 1000 + 1e-9);
    };

    it("reads every trace by id with the root, start, duration and status of its raw spans (edge traces included)", async () => {
      expect(dataset.some((t) => truthOf(t).status === "ERROR" && t.spans.find((s) => !s.parentSpanId)!.status === "OK"), "an OK root over an ERROR child").toBe(true);
      expect(dataset.some((t) => t.spans.filter((s) => !s.parentSpanId).length > 1), "a trace with two roots").toBe(true);
      expect(dataset.some((t) => truthOf(t).startTimeUs < t.spans.find((s) => !s.parentSpanId)!.startTimeUs), "a child that starts before its root").toBe(true);
      for (const t of dataset) expectTruth(await backend.getTrace(t.traceId), `getTrace ${t.traceId}`);
    });

    it("search results carry the same trace-level values as the truth, on every root service", async () => {
      for (const service of roots) {
        const res = await searchTraces(backend, query([eq("service.name", service)]));
        expect(sortedIds(res.items), service).toEqual(sortedIds(rootOf(service)));
        for (const t of res.items) expectTruth(t, `search ${service} ${t.traceId}`);
      }
    });

    it("reports an unknown trace id as not_found", async () => {
      const known = new Set(dataset.map((t) => t.traceId));
      const unknown = ["0123456789abcdef0123456789abcdef", "fedcba9876543210fedcba9876543210"].find((id) => !known.has(id))!;
      await expectBackendError(backend.getTrace(unknown), "not_found");
    });

    it("lists services including every root service", async () => {
      const services = await backend.listServices();
      expect(services).toEqual(expect.arrayContaining(roots));
      expect(new Set(services).size).toBe(services.length);
    });

    it("lists a service's operations", async () => {
      const service = roots[0]!;
      const want =
        expectations.serviceOperations === "root"
          ? rootOf(service).map((t) => truthOf(t).rootOperation)
          : dataset.flatMap((t) => t.spans).filter((s) => s.serviceName === service).map((s) => s.operationName);
      const ops = await backend.getServiceOperations(service);
      expect(ops).toEqual(expect.arrayContaining([...new Set(want)]));
    });

    it("reports healthy", async () => {
      const health = await backend.healthCheck();
      expect(health).toMatchObject({ status: "healthy", backend: world.kind });
    });

    describe.runIf(suite.http !== false)("failures", () => {
      const search = () => searchTraces(backend, query([eq("service.name", roots[0]!)]));

      for (const [fault, status] of [
        ["http401", 401],
        ["http403", 403],
      ] as const) {
        it(`maps HTTP ${status} to an auth error that points at BACKEND_API_KEY`, async () => {
          running.setFault(fault);
          const err = await expectBackendError(search(), "auth");
          expect(err.message).toContain("BACKEND_API_KEY");
          expect(err.status).toBe(status);
        });
      }

      it("maps HTTP 404 to a not_found error", async () => {
        running.setFault("http404");
        const err = await expectBackendError(search(), "not_found");
        expect(err.message).toContain(running.url);
      });

      it("maps HTTP 500 to an http error naming the backend and URL", async () => {
        running.setFault("http500");
        const err = await expectBackendError(search(), "http");
        expect(err.message).toContain(backendLabel(world.kind));
        expect(err.message).toContain(running.url);
        expect(err.status).toBe(500);
      });

      it("maps a body that is not JSON to invalid_response", async () => {
        running.setFault("malformed");
        await expectBackendError(search(), "invalid_response");
      });

      it("maps a refused connection to a network error naming the URL", async () => {
        const url = await closedPortUrl();
        const dead = await make({ url });
        const err = await expectBackendError(searchTraces(dead, query([eq("service.name", roots[0]!)])), "network");
        expect(err.message).toContain(url);
      });

      it("gives up on a hanging backend within the timeout", async () => {
        const timeoutMs = 500;
        const slow = await make({ timeoutMs });
        running.setFault("hang");
        const started = performance.now();
        await expectBackendError(searchTraces(slow, query([eq("service.name", roots[0]!)])), "timeout");
        expect(performance.now() - started).toBeLessThan(timeoutMs + 1500);
      });

      it("reports unhealthy without throwing, and without the API key", async () => {
        // Not "malformed": a health endpoint may legitimately answer plain text (Tempo's /ready).
        for (const fault of ["http401", "http500"] satisfies Fault[]) {
          running.setFault(fault);
          const health = await backend.healthCheck();
          expect(health.status, fault).toBe("unhealthy");
          expect(health.error, fault).toBeTruthy();
          expect(JSON.stringify(health)).not.toContain(TEST_API_KEY);
        }
      });
    });

    describe.runIf(suite.http !== false)("fault matrix through a fault-injecting proxy", () => {
      let proxy: FaultProxy;
      let faulty: TraceBackend;
      const withCredentials = (url: string) => url.replace("http://", `http://${URL_USER}:${URL_PASSWORD}@`);
      const basic = Buffer.from(`${URL_USER}:${URL_PASSWORD}`).toString("base64");
      const secrets = [TEST_API_KEY, HEADER_TOKEN, URL_PASSWORD, basic];
      const knownTrace = () => rootOf(roots[0]!)[0]!.traceId;
      const calls: Array<[string, (b: TraceBackend) => Promise<unknown>]> = [
        ["listServices", (b) => b.listServices()],
        ["searchTraces", (b) => searchTraces(b, query([eq("service.name", roots[0]!)], 5))],
        ["getTrace", (b) => b.getTrace(knownTrace())],
      ];

      beforeAll(async () => {
        proxy = await startFaultProxy(running.url, { oversizeBytes: 2 * MIB });
        faulty = await make({ url: withCredentials(proxy.url), headers: { "x-auth-token": HEADER_TOKEN }, timeoutMs: 400, maxResponseBytes: MIB });
      });
      afterEach(() => proxy.setFault(null));
      afterAll(async () => {
        await proxy?.close();
      });

      const expectFault = async (p: Promise<unknown>, fault: ProxyFault, label: string): Promise<void> => {
        const err = await p.then(
          (v) => new Error(`${label} succeeded under ${fault}: ${JSON.stringify(v)?.slice(0, 200)}`),
          (e: unknown) => e,
        );
        expect(err, label).toBeInstanceOf(BackendError);
        const be = err as BackendError;
        const want = FAULT_EXPECTATIONS[fault];
        expect(be.kind, `${label}: ${be.message}`).toBe(want.kind);
        if (want.message) expect(be.message, label).toMatch(want.message);
        expect(be.message, label).toContain(`${backendLabel(world.kind)} at ${proxy.url}`);
        expectNoSecrets(`${be.message} ${String(be.cause ?? "")}`, secrets, `${label} under ${fault}`);
        expect(be.message, label).not.toContain(URL_USER);
      };

      it("passes healthy traffic through unchanged", async () => {
        expect(await faulty.listServices()).toEqual(await backend.listServices());
        const direct = await searchTraces(backend, query([eq("service.name", roots[0]!)], 5));
        const proxied = await searchTraces(faulty, query([eq("service.name", roots[0]!)], 5));
        expect(sortedIds(proxied.items)).toEqual(sortedIds(direct.items));
      });

      for (const fault of PROXY_FAULTS) {
        it(`${fault}: a ${FAULT_EXPECTATIONS[fault].kind} error naming ${world.kind} and the URL, with no secret, never an empty success`, async () => {
          proxy.setFault(fault);
          for (const [name, call] of SLOW_FAULTS.has(fault) ? calls.slice(0, 1) : calls) await expectFault(call(faulty), fault, name);
          proxy.setFault(null);
          // The next call is served normally.
          expect((await faulty.listServices()).length).toBeGreaterThan(0);
        });
      }

      it.runIf(world.kind !== "traceloop")("the Basic credential built from URL user:password never comes back", async () => {
        // Without an API key the URL credentials are sent as basic auth (Traceloop always sends its key instead).
        const basicOnly = await make({ url: withCredentials(proxy.url), apiKey: undefined, headers: { "x-auth-token": HEADER_TOKEN }, timeoutMs: 400 });
        for (const fault of ["echoHeaders", "echoHeaders200"] as const) {
          proxy.setFault(fault);
          const before = proxy.requests.length;
          await expectFault(basicOnly.listServices(), fault, `listServices (basic auth) under ${fault}`);
          expect(proxy.requests[before]!.headers.authorization).toBe(`Basic ${basic}`);
        }
      });
    });

    suite.extra?.({
      dataset,
      window,
      get running() {
        return running;
      },
      get backend() {
        return backend;
      },
      makeBackend: make,
    });
  });
}
