import { request as httpRequest } from "node:http";
import { deflateSync, gzipSync } from "node:zlib";
import { OTLPTraceExporter as JsonExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as ProtoExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { CompressionAlgorithm } from "@opentelemetry/otlp-exporter-base";
import { JsonTraceSerializer, ProtobufTraceSerializer } from "@opentelemetry/otlp-transformer";
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace-base";
import { afterEach, describe, expect, it } from "vitest";
import { receiverExposureWarnings } from "../../src/ingest/exposure.js";
import { DEFAULT_MAX_BODY_BYTES, startOtlpReceiver, type OtlpReceiverOptions, type RunningOtlpReceiver } from "../../src/ingest/otlp-receiver.js";
import { silentLogger } from "../../src/logger.js";
import { MemorySink } from "../helpers/memory-sink.js";
import { bySpanId, expectedSpan, recordSampleSpans } from "../helpers/otel-spans.js";

const running: RunningOtlpReceiver[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.close()));
});

async function start(options: Partial<OtlpReceiverOptions> = {}): Promise<{ receiver: RunningOtlpReceiver; sink: MemorySink; traces: string }> {
  const sink = (options.sink as MemorySink | undefined) ?? new MemorySink();
  const receiver = await startOtlpReceiver({ host: "127.0.0.1", port: 0, logger: silentLogger(), ...options, sink });
  running.push(receiver);
  return { receiver, sink, traces: `${receiver.url}/v1/traces` };
}

function exportWith(exporter: SpanExporter, spans: ReadableSpan[]): Promise<{ code: number; error?: Error }> {
  return new Promise((resolve) => exporter.export(spans, resolve));
}

const post = (url: string, body: Uint8Array | string, headers: Record<string, string>) => fetch(url, { method: "POST", body, headers });
const PROTO = { "content-type": "application/x-protobuf" };
const JSON_CT = { "content-type": "application/json" };

describe("OTLP receiver: exports from the real OpenTelemetry JS exporters", () => {
  const recorded = recordSampleSpans({ traces: 3 });
  const expected = bySpanId(recorded.map(expectedSpan));

  const exporters: Array<[string, (url: string) => SpanExporter]> = [
    ["exporter-trace-otlp-proto", (url) => new ProtoExporter({ url })],
    ["exporter-trace-otlp-proto with gzip", (url) => new ProtoExporter({ url, compression: CompressionAlgorithm.GZIP })],
    ["exporter-trace-otlp-http (JSON)", (url) => new JsonExporter({ url })],
    ["exporter-trace-otlp-http (JSON) with gzip", (url) => new JsonExporter({ url, compression: CompressionAlgorithm.GZIP })],
  ];

  for (const [label, make] of exporters) {
    it(`stores exactly what ${label} sent, in one sink call`, async () => {
      const { sink, traces } = await start();
      const exporter = make(traces);
      const result = await exportWith(exporter, recorded);
      await exporter.shutdown();
      expect(result.error).toBeUndefined();
      expect(result.code).toBe(0);
      expect(sink.batches).toHaveLength(1);
      expect(bySpanId(sink.batches[0]!)).toEqual(expected);
      expect(new Set(sink.spans.map((s) => s.kind))).toEqual(new Set(["SERVER", "CLIENT", "PRODUCER", "CONSUMER", "INTERNAL"]));
    });
  }

  it("takes many exporters at once; each request lands whole in its own sink call", async () => {
    const { sink, traces } = await start();
    const batches = Array.from({ length: 8 }, (_, i) => recordSampleSpans({ traces: 2, service: `svc-${i}` }));
    const exporters = batches.map((_, i) => (i % 2 === 0 ? new ProtoExporter({ url: traces }) : new JsonExporter({ url: traces, compression: CompressionAlgorithm.GZIP })));
    const results = await Promise.all(batches.map((b, i) => exportWith(exporters[i]!, b)));
    await Promise.all(exporters.map((e) => e.shutdown()));
    expect(results.map((r) => r.code)).toEqual(batches.map(() => 0));
    expect(sink.batches).toHaveLength(8);
    for (const batch of sink.batches) {
      const service = batch[0]!.serviceName;
      expect(batch.every((s) => s.serviceName === service)).toBe(true);
      const sent = batches[Number(service.slice(4))]!;
      expect(bySpanId(batch)).toEqual(bySpanId(sent.map(expectedSpan)));
    }
  });

  it("requires the bearer token when one is configured", async () => {
    const { sink, traces } = await start({ authToken: "s3cret-token" });
    const body = ProtobufTraceSerializer.serializeRequest(recorded)!;
    expect((await post(traces, body, PROTO)).status).toBe(401);
    const wrong = await post(traces, body, { ...PROTO, authorization: "Bearer s3cret-tokem" });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect((await post(traces, body, { ...PROTO, authorization: "Basic czNjcmV0LXRva2Vu" })).status).toBe(401);
    expect(sink.calls).toBe(0);
    const exporter = new ProtoExporter({ url: traces, headers: { Authorization: "Bearer s3cret-token" } });
    const result = await exportWith(exporter, recorded);
    await exporter.shutdown();
    expect(result.code).toBe(0);
    expect(sink.spans).toHaveLength(recorded.length);
  });
});

describe("OTLP receiver: answers", () => {
  const recorded = recordSampleSpans();
  const protoBody = ProtobufTraceSerializer.serializeRequest(recorded)!;
  const jsonBody = Buffer.from(JsonTraceSerializer.serializeRequest(recorded)!);

  it("answers an empty ExportTraceServiceResponse in the request's encoding", async () => {
    const { traces } = await start();
    const proto = await post(traces, protoBody, PROTO);
    expect(proto.status).toBe(200);
    expect(proto.headers.get("content-type")).toBe("application/x-protobuf");
    expect((await proto.arrayBuffer()).byteLength).toBe(0);
    const json = await post(traces, jsonBody, { "content-type": "application/json; charset=utf-8" });
    expect(json.status).toBe(200);
    expect(json.headers.get("content-type")).toBe("application/json");
    expect(await json.json()).toEqual({});
  });

  it("stores the good spans and reports the bad one in partial_success (JSON)", async () => {
    const { sink, traces } = await start();
    const body = JSON.parse(jsonBody.toString()) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<{ spanId: string }> }> }> };
    const spans = body.resourceSpans[0]!.scopeSpans[0]!.spans;
    const badId = spans[1]!.spanId;
    spans[1]!.spanId = "not-an-id";
    const res = await post(traces, JSON.stringify(body), JSON_CT);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ partialSuccess: { rejectedSpans: "1", errorMessage: "1 span rejected: invalid span id (1)" } });
    expect(sink.batches).toHaveLength(1);
    expect(sink.spans.map((s) => s.spanId).sort()).toEqual(recorded.map((r) => r.spanContext().spanId).filter((id) => id !== badId).sort());
  });

  it("stores the good spans and reports the bad one in partial_success (protobuf)", async () => {
    const { sink, traces } = await start();
    const bad = recorded[0]!;
    const zeroId = { ...bad.spanContext(), spanId: "0000000000000000" };
    const forged = Object.assign(Object.create(Object.getPrototypeOf(bad) as object) as ReadableSpan, bad, { spanContext: () => zeroId });
    const res = await post(traces, ProtobufTraceSerializer.serializeRequest([forged, ...recorded.slice(1)])!, PROTO);
    expect(res.status).toBe(200);
    const answer = ProtobufTraceSerializer.deserializeResponse(new Uint8Array(await res.arrayBuffer()));
    expect(answer.partialSuccess).toEqual({ rejectedSpans: 1, errorMessage: "1 span rejected: invalid span id (1)" });
    expect(bySpanId(sink.spans)).toEqual(bySpanId(recorded.slice(1).map(expectedSpan)));
  });

  it("answers 200 without calling the sink when every span is rejected or there are none", async () => {
    const { sink, traces } = await start();
    const none = await post(traces, "{}", JSON_CT);
    expect(none.status).toBe(200);
    const allBad = await post(traces, JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: "x", spanId: "y", name: "n", startTimeUnixNano: "1" }] }] }] }), JSON_CT);
    expect(await allBad.json()).toMatchObject({ partialSuccess: { rejectedSpans: "1" } });
    expect(sink.calls).toBe(0);
  });

  it("400 for an undecodable protobuf or JSON body, with a google.rpc.Status in that encoding", async () => {
    const { sink, traces } = await start();
    const proto = await post(traces, Buffer.from([0xff, 0xff, 0xff, 0xff]), PROTO);
    expect(proto.status).toBe(400);
    expect(proto.headers.get("content-type")).toBe("application/x-protobuf");
    const statusBytes = Buffer.from(await proto.arrayBuffer());
    expect(statusBytes.subarray(0, 2)).toEqual(Buffer.from([0x08, 0x03]));
    expect(statusBytes.toString("latin1")).toContain("not an OTLP ExportTraceServiceRequest");
    const json = await post(traces, "{nope", JSON_CT);
    expect(json.status).toBe(400);
    expect(await json.json()).toEqual({ code: 3, message: "the body is not valid JSON" });
    const shape = await post(traces, '{"resourceSpans": 7}', JSON_CT);
    expect(shape.status).toBe(400);
    const corruptGzip = await post(traces, Buffer.from("definitely not gzip"), { ...PROTO, "content-encoding": "gzip" });
    expect(corruptGzip.status).toBe(400);
    expect(sink.calls).toBe(0);
  });

  it("415 for other content types and content encodings", async () => {
    const { sink, traces } = await start();
    const text = await post(traces, jsonBody, { "content-type": "text/plain" });
    expect(text.status).toBe(415);
    expect(((await text.json()) as { message: string }).message).toMatch(/application\/x-protobuf or application\/json/);
    expect((await post(traces, jsonBody, {})).status).toBe(415);
    expect((await post(traces, protoBody, { "content-type": "application/grpc" })).status).toBe(415);
    expect((await post(traces, protoBody, { ...PROTO, "content-encoding": "br" })).status).toBe(415);
    expect(sink.calls).toBe(0);
  });

  it("accepts deflate bodies", async () => {
    const { sink, traces } = await start();
    const res = await post(traces, deflateSync(protoBody), { ...PROTO, "content-encoding": "deflate" });
    expect(res.status).toBe(200);
    expect(sink.spans).toHaveLength(recorded.length);
  });

  it("405 for other methods on /v1/traces, 404 for logs, metrics and anything else", async () => {
    const { receiver, traces } = await start();
    const get = await fetch(traces);
    expect(get.status).toBe(405);
    expect(get.headers.get("allow")).toBe("POST");
    expect((await fetch(traces, { method: "PUT", body: protoBody, headers: PROTO })).status).toBe(405);
    for (const path of ["/v1/logs", "/v1/metrics"]) {
      const res = await post(`${receiver.url}${path}`, protoBody, PROTO);
      expect(res.status).toBe(404);
    }
    const logsJson = await post(`${receiver.url}/v1/logs`, "{}", JSON_CT);
    expect(((await logsJson.json()) as { message: string }).message).toMatch(/traces only/);
    expect((await fetch(`${receiver.url}/`)).status).toBe(404);
    expect((await post(`${receiver.url}/v1/traces/extra`, protoBody, PROTO)).status).toBe(404);
  });
});

describe("OTLP receiver: limits", () => {
  it("413 above the configured limit, declared or streamed", async () => {
    const { sink, traces } = await start({ maxBodyBytes: 1024 });
    const declared = await post(traces, Buffer.alloc(4096, 1), PROTO);
    expect(declared.status).toBe(413);
    // Chunked: no Content-Length, so only counting the bytes catches it.
    const streamed = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(traces, { method: "POST", headers: { ...PROTO, "transfer-encoding": "chunked" } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      for (let i = 0; i < 8; i++) req.write(Buffer.alloc(512, 1));
      req.end();
    });
    expect(streamed).toBe(413);
    expect(sink.calls).toBe(0);
  });

  it("survives a client that hangs up mid-body, storing nothing from it", async () => {
    const { sink, traces } = await start();
    const body = Buffer.from(ProtobufTraceSerializer.serializeRequest(recordSampleSpans())!);
    await new Promise<void>((resolve) => {
      const req = httpRequest(traces, { method: "POST", headers: { ...PROTO, "content-length": String(body.length) } });
      req.on("error", () => resolve());
      req.write(body.subarray(0, 100), () => setTimeout(() => (req.destroy(), resolve()), 20));
    });
    const ok = await post(traces, body, PROTO);
    expect(ok.status).toBe(200);
    expect(sink.batches).toHaveLength(1);
  });

  it("refuses a limit that is not a positive integer", async () => {
    await expect(start({ maxBodyBytes: 0 })).rejects.toThrow(RangeError);
  });

  it("413 at the default 32 MB limit", async () => {
    const { traces } = await start();
    expect(DEFAULT_MAX_BODY_BYTES).toBe(32 * 1024 * 1024);
    const res = await post(traces, Buffer.alloc(DEFAULT_MAX_BODY_BYTES + 1, 1), PROTO);
    expect(res.status).toBe(413);
  });

  it("413 for a gzip bomb: the decompressed size counts", async () => {
    const { sink, traces } = await start();
    // 64 MiB of zeros in ~64 KB of gzip: small on the wire, twice the limit once inflated.
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(DEFAULT_MAX_BODY_BYTES / 100);
    const res = await post(traces, bomb, { ...PROTO, "content-encoding": "gzip" });
    expect(res.status).toBe(413);
    expect((await post(traces, bomb, { ...JSON_CT, "content-encoding": "gzip" })).status).toBe(413);
    expect(sink.calls).toBe(0);
    // And the receiver still works afterwards.
    const ok = await post(traces, gzipSync(ProtobufTraceSerializer.serializeRequest(recordSampleSpans())!), { ...PROTO, "content-encoding": "gzip" });
    expect(ok.status).toBe(200);
  });
});

describe("OTLP receiver: durability contract", () => {
  const body = ProtobufTraceSerializer.serializeRequest(recordSampleSpans())!;

  it("answers 200 only after the sink's promise resolves", async () => {
    const { sink, traces } = await start();
    let open!: () => void;
    sink.gate = new Promise<void>((resolve) => (open = resolve));
    let answered = false;
    const pending = post(traces, body, PROTO).then((res) => {
      answered = true;
      return res;
    });
    while (sink.calls === 0) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 50));
    expect(answered).toBe(false);
    open();
    expect((await pending).status).toBe(200);
    expect(sink.batches).toHaveLength(1);
  });

  it("503 with Retry-After when the sink fails", async () => {
    const { sink, traces } = await start();
    sink.failWith = new Error("disk full");
    const res = await post(traces, body, PROTO);
    expect(res.status).toBe(503);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(Buffer.from(await res.arrayBuffer()).subarray(0, 2)).toEqual(Buffer.from([0x08, 14]));
    const json = await post(traces, Buffer.from(JsonTraceSerializer.serializeRequest(recordSampleSpans())!), JSON_CT);
    expect(json.status).toBe(503);
    expect(((await json.json()) as { code: number }).code).toBe(14);
    expect(sink.batches).toHaveLength(0);
  });
});

describe("OTLP receiver: binding", () => {
  it("rejects with EADDRINUSE when the port is taken", async () => {
    const { receiver } = await start();
    const err = await startOtlpReceiver({ host: "127.0.0.1", port: receiver.port, sink: new MemorySink(), logger: silentLogger() }).catch((e: unknown) => e);
    expect((err as { code?: string }).code).toBe("EADDRINUSE");
  });

  it("reports its URL and stops listening on close", async () => {
    const { receiver } = await start();
    expect(receiver.url).toBe(`http://127.0.0.1:${receiver.port}`);
    await receiver.close();
    running.splice(running.indexOf(receiver), 1);
    await expect(fetch(`${receiver.url}/v1/traces`)).rejects.toThrow();
  });

  it("warns about a non-loopback bind without a token, and only then", () => {
    expect(receiverExposureWarnings("0.0.0.0", 4318, undefined)).toEqual([expect.stringMatching(/^SECURITY WARNING: the OTLP receiver binds 0\.0\.0\.0:4318 \(not loopback\) without an auth token/)]);
    expect(receiverExposureWarnings("0.0.0.0", 4318, "t")).toEqual([]);
    expect(receiverExposureWarnings("127.0.0.1", 4318, undefined)).toEqual([]);
    expect(receiverExposureWarnings("::1", 4318, undefined)).toEqual([]);
    expect(receiverExposureWarnings("localhost", 4318, undefined)).toEqual([]);
  });
});
