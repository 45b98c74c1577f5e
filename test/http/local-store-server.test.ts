/**
 * The default deployment, end to end: a server on the local store receives OTLP/HTTP from the real
 * OpenTelemetry SDK exporter (demo-data's emitter) and answers questions about it through a real
 * MCP client. A second server on the same data directory reads what the first receives, and takes
 * the receiver over when the first exits. Ground truth comes from the demo plan with plain code.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/config.js";
import { buildDemoPlan, emitDemoPlan } from "../../src/demo/index.js";
import { withRunIds } from "../../src/demo/run-ids.js";
import { probeOtlpReceiver } from "../../src/demo/otlp-probe.js";
import { silentLogger } from "../../src/logger.js";
import { startHttpServer, type RunningHttpServer } from "../../src/mcp/http.js";
import { usage } from "../e2e/ground-truth.js";

const NOW = Date.now();
const plan = withRunIds(buildDemoPlan({ seed: 5, traces: 12, nowMs: NOW }), "a1b2c3d4e5f6");
const later = withRunIds(buildDemoPlan({ seed: 6, traces: 5, nowMs: NOW }), "0f0e0d0c0b0a");

async function freePort(): Promise<number> {
  const s = createNetServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function until<T>(what: string, get: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await get().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const receiving = (port: number) => () => probeOtlpReceiver(`http://127.0.0.1:${port}/v1/traces`, { timeoutMs: 500 }).then(() => true);

let dir: string;
const servers: RunningHttpServer[] = [];
const clients: Client[] = [];

async function serve(otlpPort: number): Promise<{ server: RunningHttpServer; client: Client }> {
  const config = resolveConfig({ transport: "http", host: "127.0.0.1", port: "0", dataDir: dir, otlpListen: `127.0.0.1:${otlpPort}` }, {});
  const server = await startHttpServer(config, silentLogger());
  servers.push(server);
  const client = new Client({ name: "vitest", version: "0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(server.url)));
  clients.push(client);
  return { server, client };
}

async function call(client: Client, name: string, args: Record<string, unknown> = {}): Promise<Record<string, any>> {
  const res = (await client.callTool({ name, arguments: args })) as { isError?: boolean; content: Array<{ text: string }>; structuredContent: Record<string, any> };
  if (res.isError) throw new Error(res.content[0]!.text);
  return res.structuredContent;
}

const servicesOf = (p: typeof plan) => [...new Set(p.traces.flatMap((t) => t.spans.map((s) => s.service)))].sort();
const WINDOW = { start_time: new Date(NOW - 2 * 3_600_000).toISOString(), end_time: new Date(NOW + 60_000).toISOString() };

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "otel-mcp-local-server-"));
});
afterAll(async () => {
  for (const c of clients) await c.close().catch(() => undefined);
  for (const s of servers) await s.close().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

describe("a server on the local store", () => {
  let portA: number;
  let portB: number;
  let a: { server: RunningHttpServer; client: Client };
  let b: { server: RunningHttpServer; client: Client };

  it("receives OTLP from the OpenTelemetry SDK and answers about it", async () => {
    portA = await freePort();
    a = await serve(portA);
    await until("server A's receiver", receiving(portA));
    const sent = await emitDemoPlan(plan, { otlpEndpoint: `http://127.0.0.1:${portA}`, logger: silentLogger() });
    expect(sent.spans).toBe(plan.traces.reduce((n, t) => n + t.spans.length, 0));

    expect((await call(a.client, "list_services")).services).toEqual(servicesOf(plan));
    const got = await call(a.client, "get_llm_usage", WINDOW);
    const want = usage(plan.traces);
    expect(got.summary).toMatchObject({
      total_requests: want.summary.requests,
      total_prompt_tokens: want.summary.prompt_tokens,
      total_completion_tokens: want.summary.completion_tokens,
      total_tokens: want.summary.total_tokens,
    });
    const trace = await call(a.client, "get_trace", { trace_id: plan.traces[0]!.traceId });
    expect(trace.span_count).toBe(plan.traces[0]!.spans.length);
  });

  it("a second server on the same directory reads it without receiving, and takes the receiver over when the first exits", async () => {
    portB = await freePort();
    b = await serve(portB);
    // B reads what A received...
    expect((await call(b.client, "list_services")).services).toEqual(servicesOf(plan));
    // ...but does not listen: A owns the store.
    await new Promise((r) => setTimeout(r, 500));
    await expect(receiving(portB)()).rejects.toThrow();

    await a.server.close();
    await until("server B's receiver after A exited", receiving(portB));
    await emitDemoPlan(later, { otlpEndpoint: `http://127.0.0.1:${portB}`, logger: silentLogger() });
    const services = await until("B to see the new traces", async () => {
      const s = (await call(b.client, "list_services")).services as string[];
      return s.length === servicesOf({ traces: [...plan.traces, ...later.traces] } as typeof plan).length ? s : undefined;
    });
    expect(services).toEqual(servicesOf({ traces: [...plan.traces, ...later.traces] } as typeof plan));
    const got = await call(b.client, "get_llm_usage", WINDOW);
    expect(got.summary.total_requests).toBe(usage([...plan.traces, ...later.traces]).summary.requests);
  });

  it("a busy OTLP port leaves the store readable and says why nothing is received", async () => {
    const blocker = createNetServer();
    await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", r));
    const busy = (blocker.address() as { port: number }).port;
    try {
      const otherDir = mkdtempSync(join(tmpdir(), "otel-mcp-local-busy-"));
      const config = resolveConfig({ backend: "local", dataDir: otherDir, otlpListen: `127.0.0.1:${busy}` }, {});
      const { createApp } = await import("../../src/app.js");
      const app = createApp({ config, logger: silentLogger() });
      try {
        const backend = (await app.backend()) as unknown as { receiving(): Promise<{ url?: string; notReceiving?: string }>; healthCheck(): Promise<{ status: string; details?: Record<string, unknown> }> };
        const state = await backend.receiving();
        expect(state.url).toBeUndefined();
        expect(state.notReceiving).toMatch(new RegExp(`127\\.0\\.0\\.1:${busy} is in use by another program.*--otlp-listen`));
        const health = await backend.healthCheck();
        expect(health.status).toBe("healthy");
        expect(health.details?.not_receiving).toBe(state.notReceiving);
      } finally {
        await app.close();
        rmSync(otherDir, { recursive: true, force: true });
      }
    } finally {
      await new Promise<void>((r) => blocker.close(() => r()));
    }
  });
});
