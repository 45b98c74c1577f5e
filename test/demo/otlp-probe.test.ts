/**
 * probeOtlpReceiver against loopback servers that answer like an OTLP/HTTP receiver, like a UI,
 * like a query API, with an error, or not at all; and emitDemoPlan sending nothing after a failed probe.
 */
import { createServer, type IncomingHttpHeaders } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { buildDemoPlan, emitDemoPlan } from "../../src/demo/index.js";
import { probeOtlpReceiver, ProbeFailure } from "../../src/demo/otlp-probe.js";
import { silentLogger } from "../../src/logger.js";
import { listenLoopback } from "../helpers/backend-world.js";

interface Seen {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});

/** A server answering every request with `status`, `contentType` and `body` (or never, when `hang`). */
async function answering(status: number, contentType: string | undefined, body: string, hang = false): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    let text = "";
    req.on("data", (c: Buffer) => (text += c.toString("utf8")));
    req.on("end", () => {
      seen.push({ method: req.method ?? "", path: req.url ?? "", headers: req.headers, body: text });
      if (hang) return;
      res.writeHead(status, contentType ? { "content-type": contentType, ...(status === 302 ? { location: "/elsewhere" } : {}) } : {});
      res.end(body);
    });
  });
  const listening = await listenLoopback(server);
  closers.push(listening.close);
  return { url: `${listening.url}/v1/traces`, seen };
}

async function reason(url: string, timeoutMs = 2_000): Promise<string> {
  try {
    await probeOtlpReceiver(url, { timeoutMs });
  } catch (err) {
    expect(err).toBeInstanceOf(ProbeFailure);
    return (err as ProbeFailure).reason;
  }
  return "accepted";
}

describe("probeOtlpReceiver", () => {
  it("posts one empty ExportTraceServiceRequest as JSON", async () => {
    const rx = await answering(200, "application/json", "{}");
    expect(await reason(rx.url)).toBe("accepted");
    expect(rx.seen).toHaveLength(1);
    expect(rx.seen[0]).toMatchObject({ method: "POST", path: "/v1/traces" });
    expect(rx.seen[0]!.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(rx.seen[0]!.body)).toEqual({ resourceSpans: [] });
  });

  it.each([
    ["a collector's JSON answer", 200, "application/json", '{"partialSuccess":{}}'],
    ["an empty JSON body", 200, "application/json; charset=utf-8", ""],
    ["a protobuf answer (an empty message is zero bytes)", 200, "application/x-protobuf", ""],
    ["202 with JSON", 202, "application/json", "{}"],
  ])("accepts %s", async (_what, status, type, body) => {
    expect(await reason((await answering(status, type, body)).url)).toBe("accepted");
  });

  it.each([
    ["a UI page", 200, "text/html; charset=utf-8", "<!doctype html><html><body>Jaeger UI</body></html>", /^it answered HTTP 200 with text\/html \("<!doctype html>.*"\), not an OTLP response$/],
    ["a query API's JSON", 200, "application/json", '{"data":[],"total":0}', /^it answered HTTP 200 with JSON that is not an OTLP ExportTraceServiceResponse \("\{"data":\[\],"total":0\}"\)$/],
    ["an array", 200, "application/json", "[]", /not an OTLP ExportTraceServiceResponse/],
    ["broken JSON", 200, "application/json", "{nope", /JSON that does not parse/],
    ["no content type", 200, undefined, "ok", /^it answered HTTP 200 with no content type \("ok"\)/],
    ["a 404", 404, "text/plain", "404 page not found\n", /^HTTP 404: 404 page not found$/],
    ["a redirect", 302, "text/plain", "", /^HTTP 302$/],
  ])("rejects %s", async (_what, status, type, body, expected) => {
    expect(await reason((await answering(status, type, body)).url)).toMatch(expected);
  });

  it("gives up on a receiver that never answers", async () => {
    const rx = await answering(200, "application/json", "{}", true);
    expect(await reason(rx.url, 300)).toBe("no answer within 300 ms");
  });
});

describe("emitDemoPlan after a failed probe", () => {
  it("sends no spans and says why, naming the endpoint", async () => {
    const ui = await answering(200, "text/html", "<html></html>");
    const plan = buildDemoPlan({ seed: 3, traces: 2, nowMs: Date.UTC(2026, 0, 15) });
    const total = plan.traces.reduce((n, t) => n + t.spans.length, 0);
    await expect(emitDemoPlan(plan, { otlpEndpoint: ui.url.replace(/\/v1\/traces$/, ""), logger: silentLogger() })).rejects.toThrow(
      `Could not send demo traces to ${ui.url}: 0 of ${total} spans accepted (it answered HTTP 200 with text/html ("<html></html>"), not an OTLP response). Point --otlp-endpoint`,
    );
    expect(ui.seen).toHaveLength(1);
    expect(JSON.parse(ui.seen[0]!.body)).toEqual({ resourceSpans: [] });
  });
});
