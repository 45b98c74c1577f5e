/**
 * demo-data through the built bin into loopback receivers: a failed export is one short line and
 * exit 1; a 200 that is not an OTLP answer (a UI page) is a failure, not "Sent"; a second run with
 * the same seed sends the same shapes under new ids, and --run-id reproduces ids exactly.
 */
import { createServer } from "node:http";
import { gunzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { listenLoopback } from "../helpers/backend-world.js";
import { runCli } from "../helpers/cli-process.js";

interface Got {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  service: string;
  durationNs: bigint;
}

interface Receiver {
  url: string;
  spans: Got[];
  posts: number;
}

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});

/** An OTLP/HTTP JSON receiver, or (answer "html") a UI that answers every POST with 200 and a page. */
async function receiver(answer: "otlp" | "html" = "otlp"): Promise<Receiver> {
  const got: Receiver = { url: "", spans: [], posts: 0 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      got.posts++;
      const raw = Buffer.concat(chunks);
      const body = JSON.parse((req.headers["content-encoding"] === "gzip" ? gunzipSync(raw) : raw).toString("utf8")) as {
        resourceSpans: Array<{
          resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> };
          scopeSpans: Array<{ spans: Array<{ traceId: string; spanId: string; parentSpanId?: string; name: string; startTimeUnixNano: string; endTimeUnixNano: string }> }>;
        }>;
      };
      if (answer === "html") {
        res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
        return res.end("<!doctype html><html><head><title>Jaeger UI</title></head><body></body></html>");
      }
      for (const rs of body.resourceSpans) {
        const service = rs.resource.attributes.find((a) => a.key === "service.name")?.value.stringValue ?? "";
        for (const ss of rs.scopeSpans) {
          for (const s of ss.spans) {
            got.spans.push({ traceId: s.traceId, spanId: s.spanId, parentSpanId: s.parentSpanId ?? "", name: s.name, service, durationNs: BigInt(s.endTimeUnixNano) - BigInt(s.startTimeUnixNano) });
          }
        }
      }
      res.writeHead(200, { "content-type": "application/json" });
      res.end('{"partialSuccess":{}}');
    });
  });
  const listening = await listenLoopback(server);
  closers.push(listening.close);
  got.url = listening.url;
  return got;
}

/** What a run sent, ids aside: each trace as its spans' (service, name, duration, is-root), in a canonical order. */
function shapes(spans: Got[]): string[] {
  const byTrace = new Map<string, Got[]>();
  for (const s of spans) byTrace.set(s.traceId, [...(byTrace.get(s.traceId) ?? []), s]);
  return [...byTrace.values()]
    .map((t) =>
      t
        .map((s) => `${s.service}/${s.name}/${s.durationNs}/${s.parentSpanId === "" ? "root" : "child"}`)
        .sort()
        .join(","),
    )
    .sort();
}

const ids = (spans: Got[]) => new Set(spans.flatMap((s) => [s.traceId, s.spanId]));

describe("demo-data (built bin)", () => {
  it("a dead endpoint: one short line on stderr and exit 1", async () => {
    const r = await runCli(["demo-data", "--otlp-endpoint", "http://127.0.0.1:9", "--traces", "3"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr.length).toBeLessThan(400);
    expect(r.stderr).toMatch(/^opentelemetry-mcp: Could not send demo traces to http:\/\/127\.0\.0\.1:9\/v1\/traces: 0 of \d+ spans accepted \(connection refused, ECONNREFUSED\)\. Is an OTLP\/HTTP receiver .* listening there\?\n$/);
  });

  it("an endpoint answering 200 with HTML is an error, and no span data is sent to it", async () => {
    const ui = await receiver("html");
    const r = await runCli(["demo-data", "--otlp-endpoint", ui.url, "--traces", "3"]);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toContain("Sent");
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/it answered HTTP 200 with text\/html \("<!doctype html>.*"\), not an OTLP response\)\. Point --otlp-endpoint at an OTLP\/HTTP receiver .*4318/);
    expect(ui.posts).toBe(1);
  });

  it("the same seed twice: the same shapes, no id in common; the same --run-id twice: the same ids", async () => {
    const args = (url: string, ...more: string[]) => ["demo-data", "--otlp-endpoint", url, "--traces", "4", "--seed", "7", "--log-level", "warn", ...more];
    const first = await receiver();
    const second = await receiver();
    expect((await runCli(args(first.url))).code).toBe(0);
    expect((await runCli(args(second.url))).code).toBe(0);
    expect(first.spans.length).toBeGreaterThan(4);
    expect(shapes(second.spans)).toEqual(shapes(first.spans));
    const overlap = [...ids(second.spans)].filter((id) => ids(first.spans).has(id));
    expect(overlap).toEqual([]);
    // Parent links still point inside each run's own trace.
    for (const run of [first, second]) {
      const spanIds = new Set(run.spans.map((s) => `${s.traceId}/${s.spanId}`));
      for (const s of run.spans) if (s.parentSpanId) expect(spanIds.has(`${s.traceId}/${s.parentSpanId}`)).toBe(true);
    }

    const again = [await receiver(), await receiver()];
    for (const rx of again) expect((await runCli(args(rx.url, "--run-id", "rerun-1"))).code).toBe(0);
    expect(ids(again[1]!.spans)).toEqual(ids(again[0]!.spans));
    expect([...ids(again[0]!.spans)].some((id) => ids(first.spans).has(id))).toBe(false);
  });

  it("prints the run id so a run can be repeated exactly", async () => {
    const rx = await receiver();
    const r = await runCli(["demo-data", "--otlp-endpoint", rx.url, "--traces", "2", "--run-id", "abc-42"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("(run id abc-42)");
    const bad = await runCli(["demo-data", "--otlp-endpoint", rx.url, "--run-id", "has space"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^opentelemetry-mcp: Invalid value 'has space' for --run-id/);
  });
});

describe("demo-data with nothing at the default endpoint", () => {
  /** True when something already listens on 127.0.0.1:4318 (a developer's Jaeger): then the fallback cannot be seen. */
  async function defaultPortTaken(): Promise<boolean> {
    const { createConnection } = await import("node:net");
    return new Promise((resolve) => {
      const socket = createConnection({ host: "127.0.0.1", port: 4318 });
      socket.once("connect", () => (socket.destroy(), resolve(true)));
      socket.once("error", () => resolve(false));
    });
  }

  it("stores the traces in the local store, where the server then finds them", async (ctx) => {
    if (await defaultPortTaken()) ctx.skip();
    const { mkdtempSync, rmSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const dir = mkdtempSync(join(tmpdir(), "otel-mcp-demo-store-"));
    closers.push(async () => rmSync(dir, { recursive: true, force: true }));
    const r = await runCli(["demo-data", "--data-dir", dir, "--traces", "4", "--seed", "3"]);
    expect(r.code, r.stderr).toBe(0);
    const stored = r.stderr.split("\n").find((l) => l.includes("Stored 4 traces"));
    expect(stored).toContain(`in the local store ${dir}`);
    const spans = Number(/\((\d+) spans\)/.exec(stored!)![1]);
    // The same seed and count, as plain data: what must now be in the store.
    const { buildDemoPlan } = await import("../../src/demo/index.js");
    const plan = buildDemoPlan({ seed: 3, traces: 4, nowMs: Date.now() });
    expect(spans).toBe(plan.traces.reduce((n, t) => n + t.spans.length, 0));
    const listed = await runCli(["--data-dir", dir, "call", "list_services"]);
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout).services).toEqual([...new Set(plan.traces.flatMap((t) => t.spans.map((s) => s.service)))].sort());
  });
});
