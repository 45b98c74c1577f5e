/**
 * JSON that is not the backend's answer (a proxy's status page, another API behind a wrong path)
 * is an invalid_response naming the backend, the URL and what was expected — never "no data" —
 * while the backends' own empty answers stay empty.
 */
import { createServer } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { createBackend } from "../../src/backends/index.js";
import type { TraceBackend } from "../../src/backends/trace-backend.js";
import { eq } from "../../src/domain/filter.js";
import { backendLabel, type BackendKind } from "../../src/backends/registry.js";
import { BackendError } from "../../src/errors.js";
import { silentLogger } from "../../src/logger.js";
import { listenLoopback } from "../helpers/backend-world.js";

const STATUS_PAGE = JSON.stringify({ status: "ok", version: "1.2" });
const WRONG_PATH = JSON.stringify({ status: "ok", items: [1, 2, 3] });
const TRACE_ID = "0123456789abcdef0123456789abcdef";
const WINDOW = { startMs: Date.UTC(2025, 0, 1), endMs: Date.UTC(2025, 0, 2) };

let closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of closers.reverse()) await c();
  closers = [];
});

/** A server answering every request with `answer(path)` as a 200 JSON body. */
async function backendAnswering(kind: BackendKind, answer: (path: string) => string): Promise<{ url: string; backend: TraceBackend }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(answer(new URL(req.url ?? "/", "http://x").pathname));
    });
  });
  const { url, close } = await listenLoopback(server);
  const backend = await createBackend(kind, {
    url,
    apiKey: "test-key-123456",
    timeoutMs: 2000,
    headers: {},
    environments: ["prd"],
    fetchConcurrency: 2,
    logger: silentLogger(),
    now: () => WINDOW.endMs,
  });
  closers.push(close, () => backend.close());
  return { url, backend };
}

const CALLS: Array<[string, (b: TraceBackend) => Promise<unknown>]> = [
  ["listServices", (b) => b.listServices()],
  ["getServiceOperations", (b) => b.getServiceOperations("chat-api")],
  ["searchTraces", (b) => b.searchTraces({ ...WINDOW, limit: 5, filters: [eq("service.name", "chat-api")], target: "traces" })],
  // Tempo has no span search of its own: the query layer searches its traces (with span semantics).
  ["searchSpans", (b) => (b.searchSpans ? b.searchSpans({ ...WINDOW, limit: 5, filters: [eq("service.name", "chat-api")], target: "spans" }) : b.searchTraces({ ...WINDOW, limit: 5, filters: [eq("service.name", "chat-api")], target: "spans" }))],
  ["getTrace", (b) => b.getTrace(TRACE_ID)],
];

describe.each(["jaeger", "tempo", "traceloop"] as const)("JSON of another API on %s (#6)", (kind) => {
  it.each([
    ["a proxy status page", STATUS_PAGE],
    ["a wrong path's JSON", WRONG_PATH],
  ])("%s is an invalid_response on every call, naming the backend, URL and what was expected", async (_what, body) => {
    const { url, backend } = await backendAnswering(kind, () => body);
    for (const [name, call] of CALLS) {
      const err = await call(backend).then(
        (v) => new Error(`${name} succeeded with ${JSON.stringify(v)}`),
        (e: unknown) => e,
      );
      expect(err, name).toBeInstanceOf(BackendError);
      const be = err as BackendError;
      expect(be.kind, `${name}: ${be.message}`).toBe("invalid_response");
      expect(be.message, name).toContain(`${backendLabel(kind)} at ${url}`);
      expect(be.message, name).toMatch(/expected/);
    }
  });
});

describe("genuinely empty answers stay empty (#6)", () => {
  it.each([
    [`{"data":null,"total":0,"limit":0,"offset":0,"errors":null}`],
    [`{"data":[],"total":0,"limit":0,"offset":0,"errors":null}`],
  ])("Jaeger %s", async (body) => {
    const { backend } = await backendAnswering("jaeger", () => body);
    expect(await backend.listServices()).toEqual([]);
    expect(await backend.getServiceOperations("chat-api")).toEqual([]);
    expect((await backend.searchTraces({ ...WINDOW, limit: 5, filters: [eq("service.name", "chat-api")], target: "traces" })).items).toEqual([]);
  });

  it("Tempo {traces: []} and {tagValues: []}", async () => {
    const { backend } = await backendAnswering("tempo", (path) => (path.includes("/tag/") ? `{"tagValues":[],"metrics":{}}` : `{"traces":[],"metrics":{"inspectedBytes":"0"}}`));
    expect(await backend.listServices()).toEqual([]);
    expect((await backend.searchTraces({ ...WINDOW, limit: 5, filters: [], target: "traces" })).items).toEqual([]);
  });

  it("Traceloop {root_spans: {data: null}}, {spans: {data: []}} and {spans: null} for an unknown trace", async () => {
    const { backend } = await backendAnswering("traceloop", (path) =>
      path.endsWith("/root-spans")
        ? `{"root_spans":{"data":null,"page_size":50,"total_results":0,"next_cursor":""}}`
        : path.endsWith("/spans") && path.includes("/traces/")
          ? `{"spans":null}`
          : `{"spans":{"data":[],"page_size":50,"total_results":0,"next_cursor":""}}`,
    );
    expect(await backend.listServices()).toEqual([]);
    expect((await backend.searchTraces({ ...WINDOW, limit: 5, filters: [], target: "traces" })).items).toEqual([]);
    expect((await backend.searchSpans!({ ...WINDOW, limit: 5, filters: [], target: "spans" })).items).toEqual([]);
    await expect(backend.getTrace(TRACE_ID)).rejects.toMatchObject({ kind: "not_found" });
  });
});
