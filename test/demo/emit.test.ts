/**
 * emitDemoPlan through the real SDK and OTLP/HTTP JSON exporter into a loopback receiver:
 * what arrives must be exactly the plan (ids, parents, services, times, attributes, status,
 * exception events).
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { buildDemoPlan, DEMO_SCOPE, emitDemoPlan, runDemoData } from "../../src/demo/index.js";
import type { DemoAttributes, DemoSpan } from "../../src/demo/types.js";
import { silentLogger } from "../../src/logger.js";

interface OtlpValue {
  stringValue?: string;
  intValue?: number | string;
  doubleValue?: number;
  boolValue?: boolean;
  arrayValue?: { values?: OtlpValue[] };
}
interface OtlpKv {
  key: string;
  value: OtlpValue;
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes?: OtlpKv[];
  events?: Array<{ name: string; timeUnixNano: string; attributes?: OtlpKv[] }>;
  status?: { code?: number; message?: string };
}
interface Received {
  service: string;
  scope: string;
  span: OtlpSpan;
}

function decode(v: OtlpValue): unknown {
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.arrayValue) return (v.arrayValue.values ?? []).map(decode);
  return undefined;
}
const attrs = (kvs: OtlpKv[] = []): Record<string, unknown> => Object.fromEntries(kvs.map((kv) => [kv.key, decode(kv.value)]));

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
});

async function body(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const raw = Buffer.concat(chunks);
  return req.headers["content-encoding"] === "gzip" ? gunzipSync(raw) : raw;
}

/** A loopback OTLP/HTTP receiver; `status` lets a test make it refuse. */
async function receiver(status = 200): Promise<{ url: string; spans: Received[]; requests: Array<{ path: string; contentType: string }> }> {
  const spans: Received[] = [];
  const requests: Array<{ path: string; contentType: string }> = [];
  const server = createServer(async (req, res) => {
    const buf = await body(req);
    requests.push({ path: req.url ?? "", contentType: String(req.headers["content-type"]) });
    if (status === 200) {
      const json = JSON.parse(buf.toString("utf8")) as {
        resourceSpans: Array<{ resource: { attributes: OtlpKv[] }; scopeSpans: Array<{ scope: { name: string }; spans: OtlpSpan[] }> }>;
      };
      for (const rs of json.resourceSpans) {
        const service = String(attrs(rs.resource.attributes)["service.name"]);
        for (const ss of rs.scopeSpans) for (const span of ss.spans) spans.push({ service, scope: ss.scope.name, span });
      }
    }
    res.writeHead(status, { "content-type": "application/json" });
    res.end(status === 200 ? "{}" : '{"message":"refused by test"}');
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, spans, requests };
}

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const KIND = { internal: 1, server: 2, client: 3 } as const;
const STATUS = { UNSET: 0, OK: 1, ERROR: 2 } as const;
const ns = (us: number) => String(BigInt(us) * 1000n);
const plain = (a: DemoAttributes): Record<string, unknown> => ({ ...a });

describe("emitDemoPlan", () => {
  it("sends exactly the planned spans over OTLP/HTTP JSON", async () => {
    const rx = await receiver();
    const plan = buildDemoPlan({ seed: 11, traces: 8, nowMs: NOW });
    const planned = new Map<string, { traceId: string; span: DemoSpan }>();
    for (const t of plan.traces) for (const s of t.spans) planned.set(s.spanId, { traceId: t.traceId, span: s });

    const result = await emitDemoPlan(plan, { otlpEndpoint: `${rx.url}/`, logger: silentLogger() });

    expect(result).toEqual({ traces: 8, spans: planned.size });
    expect(rx.spans).toHaveLength(planned.size);
    expect(rx.requests.every((r) => r.path === "/v1/traces" && r.contentType.startsWith("application/json"))).toBe(true);
    let exceptions = 0;
    for (const { service, scope, span } of rx.spans) {
      const want = planned.get(span.spanId);
      expect(want, span.spanId).toBeDefined();
      const { traceId, span: s } = want!;
      expect(scope).toBe(DEMO_SCOPE);
      expect(service).toBe(s.service);
      expect(span.traceId).toBe(traceId);
      expect(span.parentSpanId || null).toBe(s.parentSpanId);
      expect(span.name).toBe(s.name);
      expect(span.kind).toBe(KIND[s.kind]);
      expect(span.startTimeUnixNano).toBe(ns(s.startUs));
      expect(span.endTimeUnixNano).toBe(ns(s.endUs));
      expect(attrs(span.attributes)).toEqual(plain(s.attributes));
      expect(span.status?.code ?? 0).toBe(STATUS[s.status.code]);
      if (s.status.message) expect(span.status?.message).toBe(s.status.message);
      const events = span.events ?? [];
      expect(events.map((e) => e.name)).toEqual(s.events.map((e) => e.name));
      events.forEach((e, i) => {
        expect(e.timeUnixNano).toBe(ns(s.events[i]!.timeUs));
        expect(attrs(e.attributes)).toEqual(plain(s.events[i]!.attributes));
        if (e.name === "exception") exceptions++;
      });
    }
    expect(exceptions).toBeGreaterThan(0);
    const byService = new Set(rx.spans.map((r) => r.service));
    expect(byService.size).toBeGreaterThanOrEqual(3);
  });

  it("fails loudly, naming the endpoint, when the receiver refuses the spans", async () => {
    const rx = await receiver(400);
    const plan = buildDemoPlan({ seed: 3, traces: 2, nowMs: NOW });
    await expect(emitDemoPlan(plan, { otlpEndpoint: rx.url, logger: silentLogger() })).rejects.toThrow(
      new RegExp(`Could not send demo traces to ${rx.url}/v1/traces: 0 of \\d+ spans accepted`),
    );
  });
});

describe("runDemoData", () => {
  it("plans with the given seed and count and sends it under this run's ids", async () => {
    const rx = await receiver();
    const out = await runDemoData({ otlpEndpoint: rx.url, seed: 5, traces: 3, logger: silentLogger(), now: () => NOW });
    const plan = buildDemoPlan({ seed: 5, traces: 3, nowMs: NOW });
    expect(out).toMatchObject({ traces: 3, spans: plan.traces.reduce((n, t) => n + t.spans.length, 0) });
    expect(out.runId).toMatch(/^[0-9a-f]{12}$/);
    // Same traces as planned (names, services, times), none under a planned id.
    const received = new Map<string, string[]>();
    for (const r of rx.spans) received.set(r.span.traceId, [...(received.get(r.span.traceId) ?? []), `${r.service}/${r.span.name}/${r.span.startTimeUnixNano}`]);
    const planned = plan.traces.map((t) => t.spans.map((s) => `${s.service}/${s.name}/${ns(s.startUs)}`).sort().join());
    expect([...received.values()].map((v) => v.sort().join()).sort()).toEqual(planned.sort());
    const plannedIds = new Set(plan.traces.flatMap((t) => [t.traceId, ...t.spans.map((s) => s.spanId)]));
    expect(rx.spans.filter((r) => plannedIds.has(r.span.traceId) || plannedIds.has(r.span.spanId))).toEqual([]);
    for (const r of rx.spans) {
      expect(r.span.traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(r.span.spanId).toMatch(/^[0-9a-f]{16}$/);
    }
  });

  it("two runs never share ids; the same runId gives the same ids", async () => {
    const send = async (runId?: string) => {
      const rx = await receiver();
      await runDemoData({ otlpEndpoint: rx.url, seed: 5, traces: 2, logger: silentLogger(), now: () => NOW, ...(runId ? { runId } : {}) });
      return new Set(rx.spans.flatMap((r) => [r.span.traceId, r.span.spanId]));
    };
    const [a, b, c, d] = [await send(), await send(), await send("fixed"), await send("fixed")];
    expect([...b].filter((id) => a.has(id))).toEqual([]);
    expect(c).toEqual(d);
    expect([...c].filter((id) => a.has(id) || b.has(id))).toEqual([]);
  });

  it("rejects a bad trace count or seed before sending anything", async () => {
    await expect(runDemoData({ otlpEndpoint: "http://127.0.0.1:9", traces: 0, logger: silentLogger() })).rejects.toThrow("--traces must be an integer");
    await expect(runDemoData({ otlpEndpoint: "http://127.0.0.1:9", seed: 1.5, logger: silentLogger() })).rejects.toThrow("--seed must be an integer");
    await expect(runDemoData({ otlpEndpoint: "http://127.0.0.1:9", runId: "a/b", logger: silentLogger() })).rejects.toThrow("Invalid value 'a/b' for --run-id");
  });
});
