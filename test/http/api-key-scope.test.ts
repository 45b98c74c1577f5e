/**
 * What a scoped API key sees, over real Streamable HTTP: only its services in listings, searches
 * and aggregates; a trace with none of its services is "not found"; inside an allowed trace the
 * other services' spans are withheld (and said so). The same holds for resources, completion and
 * the 2026-07-28 revision's sessionless requests. Expected values come from the built spans.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { Client as ClientV2, StreamableHTTPClientTransport as HttpTransportV2 } from "@modelcontextprotocol/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/config.js";
import { silentLogger } from "../../src/logger.js";
import { startHttpServer, type RunningHttpServer } from "../../src/mcp/http.js";
import { allSpans, analyticsDataset, ANALYTICS_START_MS, HOUR_MS, toTrace } from "../helpers/analytics-dataset.js";
import { MemoryBackend } from "../helpers/memory-backend.js";

const sha = (t: string) => createHash("sha256").update(t, "utf8").digest("hex");
const PAYMENTS = "payments-token-0a1b2c3d";
const FRONT = "frontend-token-9f8e7d6c";
const NOW = ANALYTICS_START_MS + 6 * HOUR_MS;
const WINDOW = { start_time: new Date(ANALYTICS_START_MS - HOUR_MS).toISOString(), end_time: new Date(NOW).toISOString() };

const ds = analyticsDataset(11, 20);
// A trace of another team only: no payments span in it.
const LONE = "f".repeat(32);
const lone = toTrace(LONE, [{ id: "1".repeat(16), parent: null, service: "reports", name: "nightly", startMs: ANALYTICS_START_MS + HOUR_MS, durationMs: 50 }]);
const traces = [...ds.traces, lone];
const spans = allSpans(ds);

let server: RunningHttpServer;
const clients: Client[] = [];

async function clientFor(token: string): Promise<Client> {
  const client = new Client({ name: "vitest", version: "0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(server.url), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
  clients.push(client);
  return client;
}

async function call(client: Client, name: string, args: Record<string, unknown> = {}) {
  const res = (await client.callTool({ name, arguments: args })) as { isError?: boolean; content: Array<{ text: string }> };
  return { isError: res.isError === true, json: JSON.parse(res.content[0]!.text) as Record<string, any> };
}

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), "otel-mcp-scope-"));
  const keys = join(dir, "keys.json");
  writeFileSync(
    keys,
    JSON.stringify({
      keys: [
        { name: "payments-team", token_sha256: sha(PAYMENTS), services: ["pay*"] },
        { name: "frontend-team", token_sha256: sha(FRONT), services: ["frontend", "checkout"] },
      ],
    }),
  );
  const config = resolveConfig({ transport: "http", host: "127.0.0.1", port: "0", apiKeysFile: keys }, {});
  server = await startHttpServer(config, silentLogger(), { backendFactory: async () => new MemoryBackend(traces), now: () => NOW });
});
afterAll(async () => {
  for (const c of clients) await c.close();
  await server.close();
});

describe("a key sees only its services", () => {
  it("list_services lists only the key's services", async () => {
    const pay = await clientFor(PAYMENTS);
    expect((await call(pay, "list_services")).json.services).toEqual(["payments"]);
    const front = await clientFor(FRONT);
    expect((await call(front, "list_services")).json.services).toEqual(["checkout", "frontend"]);
  });

  it("searches return only in-scope spans, and traces without one are absent", async () => {
    const pay = await clientFor(PAYMENTS);
    const found = await call(pay, "search_spans", { ...WINDOW, limit: 1000 });
    const want = spans.filter((s) => s.service === "payments");
    expect(found.json.spans.map((s: { span_id: string }) => s.span_id).sort()).toEqual(want.map((s) => s.id).sort());
    const traceIds = (await call(pay, "search_traces", { ...WINDOW, limit: 1000 })).json.traces.map((t: { trace_id: string }) => t.trace_id);
    expect(traceIds).not.toContain(LONE);
    expect(traceIds.sort()).toEqual([...new Set(want.map((s) => s.traceId))].sort());
  });

  it("a filter cannot match through a hidden span", async () => {
    const pay = await clientFor(PAYMENTS);
    // db.system lives on checkout's spans only: the payments key must find nothing with it.
    const r = await call(pay, "search_traces", { ...WINDOW, filters: [{ field: "db.system", operator: "equals", value: "postgresql" }] });
    expect(r.json.count).toBe(0);
  });

  it("aggregates are computed over in-scope spans only", async () => {
    const front = await clientFor(FRONT);
    const r = await call(front, "aggregate_traces", { ...WINDOW, group_by: ["service.name"], metrics: ["count"] });
    const want = new Map<string, number>();
    for (const s of spans.filter((x) => x.service === "frontend" || x.service === "checkout")) want.set(s.service, (want.get(s.service) ?? 0) + 1);
    expect(Object.fromEntries(r.json.groups.map((g: any) => [g.key["service.name"], g.count]))).toEqual(Object.fromEntries(want));
  });

  it("get_trace: not found without an in-scope span; otherwise other services' spans are withheld and said so", async () => {
    const pay = await clientFor(PAYMENTS);
    const none = await call(pay, "get_trace", { trace_id: LONE });
    expect(none.isError).toBe(true);
    expect(none.json.error).toMatch(/not found/);
    const id = ds.traces[0]!.traceId;
    const one = await call(pay, "get_trace", { trace_id: id });
    expect(one.isError).toBe(false);
    expect(one.json.spans.map((s: { service_name: string }) => s.service_name)).toEqual(["payments"]);
    expect(JSON.stringify(one.json)).not.toContain("checkout");
    expect(one.json.notes.join(" ")).toMatch(/withheld/);
    // The same trace, whole, for a key that sees every one of its services... the frontend key sees two of three.
    const front = await clientFor(FRONT);
    const other = await call(front, "get_trace", { trace_id: id });
    expect(new Set(other.json.spans.map((s: { service_name: string }) => s.service_name))).toEqual(new Set(["frontend", "checkout"]));
  });
});

describe("the scope holds on every path, not just tools/call over a session", () => {
  it("a protocol 2026-07-28 client (v2 SDK, no session) is scoped like a session", async () => {
    const client = new ClientV2({ name: "v2", version: "0" }, { versionNegotiation: { mode: { pin: "2026-07-28" } } });
    await client.connect(new HttpTransportV2(new URL(server.url), { requestInit: { headers: { authorization: `Bearer ${PAYMENTS}` } } }));
    try {
      expect(client.getProtocolEra()).toBe("modern");
      const res = (await client.callTool({ name: "list_services", arguments: {} })) as { content: Array<{ text: string }> };
      expect(JSON.parse(res.content[0]!.text).services).toEqual(["payments"]);
      const lone = (await client.callTool({ name: "get_trace", arguments: { trace_id: LONE } })) as { isError?: boolean };
      expect(lone.isError).toBe(true);
    } finally {
      await client.close();
    }
  });

  it("trace:// resources withhold other services' spans, and a trace without an in-scope span is not found", async () => {
    const pay = await clientFor(PAYMENTS);
    await expect(pay.readResource({ uri: `trace://${LONE}` })).rejects.toThrow(/not found/);
    const read = await pay.readResource({ uri: `trace://${ds.traces[0]!.traceId}` });
    const json = JSON.parse((read.contents[0] as { text: string }).text);
    expect(json.spans.map((s: { service_name: string }) => s.service_name)).toEqual(["payments"]);
    expect(JSON.stringify(json)).not.toContain("checkout");
    await expect(pay.readResource({ uri: "service://checkout" })).rejects.toThrow(/Unknown service 'checkout'/);
  });

  it("completion offers only the key's services", async () => {
    const front = await clientFor(FRONT);
    const done = await front.complete({ ref: { type: "ref/prompt", name: "error_triage" }, argument: { name: "service_name", value: "" } });
    expect(done.completion.values.sort()).toEqual(["checkout", "frontend"]);
  });
});
