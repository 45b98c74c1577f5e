/**
 * HttpClient.stream (issue 15): a 2xx body reaches the consumer chunk by chunk while it arrives,
 * decompressed on the fly, bounded in raw and decoded bytes, with the same errors as `get`
 * (statuses, invalid JSON and bad encodings name the backend and URL; secrets never appear).
 * Through the Jaeger adapter: a streamed search equals the buffered parse of the same answer.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { mapJaegerTraces } from "../../src/backends/jaeger/jaeger-mapper.js";
import { createJaegerBackend } from "../../src/backends/jaeger/jaeger-backend.js";
import { HttpClient } from "../../src/backends/http-client.js";
import { JsonArrayStream } from "../../src/backends/json-array-stream.js";
import { eq } from "../../src/domain/filter.js";
import { BackendError } from "../../src/errors.js";
import { silentLogger } from "../../src/logger.js";
import { listenLoopback } from "../helpers/backend-world.js";
import { generateDataset } from "../helpers/dataset.js";
import { toJaegerTrace } from "../helpers/jaeger-world.js";
import { expectNoSecrets } from "../helpers/secrets.js";

const KEY = "sk-live-0123456789abcdefghijklmn";
const MIB = 1024 * 1024;

let closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.reverse()) await close();
  closers = [];
});

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => handler(req, res));
  });
  const { url, close } = await listenLoopback(server);
  closers.push(close);
  return url;
}

function client(baseUrl: string, maxResponseBytes?: number): HttpClient {
  const c = new HttpClient({ backend: "jaeger", baseUrl, headers: { authorization: `Bearer ${KEY}` }, timeoutMs: 3000, logger: silentLogger(), ...(maxResponseBytes ? { maxResponseBytes } : {}) });
  closers.push(() => c.close());
  return c;
}

const collect = () => {
  const items: unknown[] = [];
  return { items, stream: new JsonArrayStream("data", (v) => items.push(v)) };
};

async function failure(p: Promise<unknown>): Promise<BackendError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(BackendError);
    return err as BackendError;
  }
  throw new Error("expected a failure");
}

const body = JSON.stringify({ data: generateDataset({ seed: 2, traces: 30 }).map(toJaegerTrace), total: 0, limit: 0, offset: 0, errors: null });

describe("HttpClient.stream", () => {
  it.each([
    ["identity", (b: Buffer) => b],
    ["gzip", gzipSync],
    ["deflate", deflateSync],
    // Some servers send raw deflate under "deflate".
    ["deflate", deflateRawSync],
    ["br", brotliCompressSync],
  ] as const)("reads %s answers as JSON.parse reads them", async (encoding, encode) => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "application/json", ...(encoding === "identity" ? {} : { "content-encoding": encoding }) });
      res.end(encode(Buffer.from(body)));
    });
    const { items, stream } = collect();
    const res = await client(url).stream("/api/traces", {}, stream);
    expect(items).toEqual((JSON.parse(body) as { data: unknown[] }).data);
    expect(res.value).toEqual({ kind: "object", members: { total: 0, limit: 0, offset: 0, errors: null }, streamed: "array" });
  });

  it("hands elements over before the body has ended", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const url = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"data":[{"n":1},');
      void gate.then(() => res.end('{"n":2}]}'));
    });
    const seen: unknown[] = [];
    const stream = new JsonArrayStream("data", (v) => {
      seen.push(v);
      if (seen.length === 1) release();
    });
    await client(url).stream("/api/traces", {}, stream);
    expect(seen).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it("caps the decoded size of a compressed answer (a gzip bomb) and the raw size of a plain one", async () => {
    const bomb = gzipSync(Buffer.concat([Buffer.from('{"data":["'), Buffer.alloc(8 * MIB, 0x61), Buffer.from('"]}')]));
    const url = await serve((req, res) => {
      if (req.url === "/bomb") {
        res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" });
        res.end(bomb);
      } else {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(`{"data":["${"b".repeat(2 * MIB)}"]}`);
      }
    });
    for (const path of ["/bomb", "/plain"]) {
      const err = await failure(client(url, MIB).stream(path, {}, collect().stream));
      expect(err.kind).toBe("too_large");
      expect(err.message).toContain(`Jaeger at ${url}`);
    }
  });

  it("reports invalid JSON, a bad encoding and an error status like get does, without secrets", async () => {
    const url = await serve((req, res) => {
      if (req.url === "/html") {
        res.writeHead(200, { "content-type": "text/html" });
        res.end(`<html>token ${KEY}</html>`);
      } else if (req.url === "/cut") {
        res.writeHead(200, { "content-type": "application/json" });
        res.end('{"data":[{"a":1},{"b":');
      } else if (req.url === "/notgzip") {
        res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" });
        res.end("plain text");
      } else {
        res.writeHead(502, { "content-type": "text/plain" });
        res.end(`bad gateway for Bearer ${KEY}`);
      }
    });
    const html = await failure(client(url).stream("/html", {}, collect().stream));
    expect(html.kind).toBe("invalid_response");
    expect(html.message).toMatch(/not valid JSON for GET \/html \(starts with "<html>token/);
    const cut = await failure(client(url).stream("/cut", {}, collect().stream));
    expect(cut.kind).toBe("invalid_response");
    const enc = await failure(client(url).stream("/notgzip", {}, collect().stream));
    expect(enc.message).toMatch(/Content-Encoding gzip that does not decode as gzip/);
    const status = await failure(client(url).stream("/x", {}, collect().stream));
    expect(status).toMatchObject({ kind: "http", status: 502 });
    for (const e of [html, cut, enc, status]) expectNoSecrets(e.message, [KEY]);
  });
});

describe("Jaeger search through the stream", () => {
  it("maps the same traces as the buffered mapper, and keeps Jaeger's errors as a note", async () => {
    const withErrors = JSON.stringify({ ...JSON.parse(body), errors: [{ code: 500, msg: "storage partially unavailable" }] });
    const url = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" });
      res.end(gzipSync(Buffer.from(withErrors)));
    });
    const backend = createJaegerBackend({ url, timeoutMs: 3000, headers: {}, environments: [], fetchConcurrency: 2, logger: silentLogger() });
    closers.push(() => backend.close());
    const res = await backend.searchTraces({ startMs: 0, endMs: Date.now(), limit: 100, filters: [eq("service.name", "chat-api")], target: "traces" });
    expect(res.items).toEqual(mapJaegerTraces((JSON.parse(body) as { data: unknown }).data).traces);
    expect(res.returned).toBe(30);
    expect(res.notes).toEqual(["Jaeger reported: storage partially unavailable."]);
  });

  it("takes traces the caller already holds (hints.known) as they are instead of mapping a copy", async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(body);
    });
    const backend = createJaegerBackend({ url, timeoutMs: 3000, headers: {}, environments: [], fetchConcurrency: 2, logger: silentLogger() });
    closers.push(() => backend.close());
    const search = { startMs: 0, endMs: Date.now(), limit: 100, filters: [eq("service.name", "chat-api")], target: "traces" as const };
    const first = await backend.searchTraces(search);
    const held = new Map(first.items.slice(0, 10).map((t) => [t.traceId, t]));
    const asked: string[] = [];
    const second = await backend.searchTraces(search, { known: (id) => (asked.push(id), held.get(id)) });
    expect(asked).toEqual(first.items.map((t) => t.traceId));
    expect(second.items).toEqual(first.items);
    second.items.forEach((t, i) => (i < 10 ? expect(t).toBe(held.get(t.traceId)) : expect(held.has(t.traceId)).toBe(false)));
  });

  it.each([
    ["[]", "a JSON array"],
    ['{"services":[]}', "an object with members 'services'"],
    ['{"data":"x"}', "'data' of type string"],
    ["", "an empty body"],
  ])("%j is not a Jaeger answer", async (text, got) => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(text);
    });
    const backend = createJaegerBackend({ url, timeoutMs: 3000, headers: {}, environments: [], fetchConcurrency: 2, logger: silentLogger() });
    closers.push(() => backend.close());
    const err = await failure(backend.searchTraces({ startMs: 0, endMs: Date.now(), limit: 100, filters: [eq("service.name", "chat-api")], target: "traces" }));
    expect(err.kind).toBe("invalid_response");
    expect(err.message).toContain(got);
  });
});
