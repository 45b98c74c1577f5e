/**
 * The shared HTTP layer against real loopback servers: secrets never come back in messages
 * (whatever the backend echoes, wherever a snippet is cut), bodies are bounded while they are read
 * (also after decompression), and 429 / 503 / 3xx answers say what to do.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { deflateSync, gzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { HttpClient, type HttpClientOptions } from "../../src/backends/http-client.js";
import { backendOptionsFromConfig } from "../../src/app.js";
import { createBackend } from "../../src/backends/index.js";
import { BACKEND_KINDS } from "../../src/backends/registry.js";
import { resolveConfig } from "../../src/config.js";
import { BackendError } from "../../src/errors.js";
import { silentLogger } from "../../src/logger.js";
import { listenLoopback } from "../helpers/backend-world.js";
import { expectNoSecrets } from "../helpers/secrets.js";

const KEY = "sk-live-0123456789abcdefghijklmn";
const HEADER_TOKEN = "hdr-tok-ZYXWVUTSRQPONMLKJIH987654";
const URL_USER = "apiuser";
const URL_PASSWORD = "url-pw-4f9a8b7c6d5e4f3a2b1c";
const MIB = 1024 * 1024;

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

let closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.reverse()) await close();
  closers = [];
});

async function serve(handler: Handler): Promise<string> {
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => handler(req, res));
  });
  const { url, close } = await listenLoopback(server);
  closers.push(close);
  return url;
}

function client(baseUrl: string, over: Partial<HttpClientOptions> = {}): HttpClient {
  const c = new HttpClient({
    backend: "jaeger",
    baseUrl,
    headers: { authorization: `Bearer ${KEY}`, "x-auth-token": HEADER_TOKEN },
    timeoutMs: 3000,
    logger: silentLogger(),
    ...over,
  });
  closers.push(() => c.close());
  return c;
}

async function failure(p: Promise<unknown>): Promise<BackendError> {
  const err = await p.then(
    (v) => {
      throw new Error(`expected a BackendError, got success: ${JSON.stringify(v)?.slice(0, 200)}`);
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(BackendError);
  return err as BackendError;
}

const withCredentials = (url: string) => url.replace("http://", `http://${URL_USER}:${URL_PASSWORD}@`);
const basic = Buffer.from(`${URL_USER}:${URL_PASSWORD}`).toString("base64");

describe("redaction (#2, #3)", () => {
  it("redacts an API key echoed across the 200-character cut of an error snippet, at every offset", async () => {
    let offset = 0;
    const url = await serve((req, res) => {
      res.writeHead(500, { "content-type": "application/json" });
      res.end(`${"x".repeat(offset)}${req.headers.authorization} and ${req.headers["x-auth-token"]}"}`);
    });
    const http = client(url);
    for (offset = 150; offset <= 205; offset++) {
      const err = await failure(http.get("/api/services"));
      expect(err.kind).toBe("http");
      expectNoSecrets(err.message, [KEY, HEADER_TOKEN], `offset ${offset}`);
    }
  });

  it("redacts a --header value echoed near the 80-character cut of a non-JSON 2xx body", async () => {
    let offset = 0;
    const url = await serve((req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.end(`${"y".repeat(offset)}${req.headers["x-auth-token"]}`);
    });
    const http = client(url);
    for (offset = 50; offset <= 85; offset++) {
      const err = await failure(http.get("/api/services"));
      expect(err.kind).toBe("invalid_response");
      expectNoSecrets(err.message, [HEADER_TOKEN], `offset ${offset}`);
    }
  });

  it("redacts the part of a secret that a backend cut itself, and JSON-escaped or percent-encoded echoes", async () => {
    const odd = 'tok"with\\quote/and space-0123456789';
    const url = await serve((req, res) => {
      const token = String(req.headers["x-odd"]);
      res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ seen: `${String(req.headers.authorization).slice(0, 22)}...`, odd: token, q: encodeURIComponent(token) }));
    });
    const err = await failure(client(url, { headers: { authorization: `Bearer ${KEY}`, "x-odd": odd } }).get("/x"));
    expectNoSecrets(err.message, [KEY, odd, JSON.stringify(odd).slice(1, -1), encodeURIComponent(odd)]);
  });

  it("redacts the Basic credential built from URL user:password, and the user and password", async () => {
    const url = await serve((req, res) => {
      res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: "bad", authorization: req.headers.authorization }));
    });
    const http = client(withCredentials(url), { headers: {} });
    const err = await failure(http.get("/api/services"));
    expect(err.message).toContain(url);
    expectNoSecrets(err.message, [basic, URL_PASSWORD]);
    expect(err.message).not.toContain(URL_USER);
    // The credential travels as the Authorization header only, never in the request URL.
    expect(http.buildUrl("/api/services").href).toBe(`${url}/api/services`);
  });

  it("redacts the URL user and password themselves when a backend echoes the decoded credential", async () => {
    // A gateway that decodes Basic auth and complains in plain words: the base64 form is not in the body.
    const url = await serve((req, res) => {
      const [user, password] = Buffer.from(String(req.headers.authorization).replace(/^Basic /, ""), "base64").toString("utf8").split(":");
      res.writeHead(401, { "content-type": "text/plain" });
      res.end(`login failed for user=${user} password=${password}`);
    });
    const err = await failure(client(withCredentials(url), { headers: {} }).get("/api/services"));
    expect(err.kind).toBe("auth");
    expect(err.message).toContain(url);
    expect(err.message).not.toContain(basic);
    expectNoSecrets(err.message, [URL_PASSWORD]);
    expect(err.message).not.toContain(URL_USER);
  });
});

describe("bounded response bodies (#4)", () => {
  /** Writes `total` bytes of a JSON string in 64 KiB chunks, respecting back-pressure; no content-length. */
  function stream(res: ServerResponse, total: number, headers: Record<string, string | number> = {}): void {
    res.writeHead(200, { "content-type": "application/json", ...headers });
    const chunk = Buffer.alloc(64 * 1024, 0x78);
    let sent = 0;
    res.write('{"data":[],"padding":"');
    const pump = (): void => {
      while (sent < total) {
        sent += chunk.length;
        if (!res.write(chunk)) return void res.once("drain", pump);
      }
      res.end('"}');
    };
    res.on("error", () => undefined);
    pump();
  }

  it("fails while reading a chunked body past the cap, naming the backend, URL, limit and setting", async () => {
    let closedEarly = false;
    const url = await serve((_req, res) => {
      res.on("close", () => (closedEarly = !res.writableFinished));
      stream(res, 8 * MIB);
    });
    const err = await failure(client(url, { maxResponseBytes: MIB }).get("/api/traces"));
    expect(err.kind).toBe("too_large");
    expect(err.message).toMatch(new RegExp(`^Jaeger at ${url} answered GET /api/traces with more than 1 MB`));
    expect(err.message).toContain("--backend-max-response-mb / BACKEND_MAX_RESPONSE_MB");
    expect(err.message).toMatch(/narrow the query/i);
    await new Promise((r) => setTimeout(r, 50));
    expect(closedEarly, "the client stopped reading and closed the connection").toBe(true);
  });

  it("fails at once when the declared content-length is over the cap", async () => {
    const url = await serve((_req, res) => {
      // Declares 100 MiB, sends a few bytes and then nothing: only a check of the header can answer in time.
      res.writeHead(200, { "content-type": "application/json", "content-length": 100 * MIB });
      res.write('{"data":[');
    });
    const started = performance.now();
    const err = await failure(client(url, { maxResponseBytes: MIB, timeoutMs: 5000 }).get("/api/traces"));
    expect(err.kind).toBe("too_large");
    expect(err.message).toContain("100 MB");
    expect(performance.now() - started).toBeLessThan(4000);
  });

  it("defaults to 64 MB", async () => {
    const url = await serve((_req, res) => stream(res, 65 * MIB));
    const err = await failure(client(url, { timeoutMs: 15_000 }).get("/api/traces"));
    expect(err.kind).toBe("too_large");
    expect(err.message).toContain("more than 64 MB");
  });

  it("accepts a body just under the cap", async () => {
    const url = await serve((_req, res) => stream(res, MIB - 64 * 1024 - 100));
    const res = await client(url, { maxResponseBytes: MIB }).get("/api/traces");
    expect((res.json as { data: unknown[] }).data).toEqual([]);
  });

  // Every backend that talks HTTP (the local store reads files).
  it.each(BACKEND_KINDS.filter((k) => k !== "local"))("--backend-max-response-mb reaches the %s adapter", async (kind) => {
    const url = await serve((_req, res) => stream(res, 2 * MIB));
    const config = resolveConfig({ backend: kind, url, apiKey: KEY, backendMaxResponseMb: "1" }, {});
    const backend = await createBackend(config.backend.type, backendOptionsFromConfig(config, silentLogger()));
    closers.push(() => backend.close());
    const err = await failure(backend.listServices());
    expect(err.kind).toBe("too_large");
    expect(err.message).toContain("more than 1 MB");
  });

  it("caps the decompressed size of a gzip answer (a small gzip bomb)", async () => {
    const bomb = gzipSync(Buffer.concat([Buffer.from('{"data":["a"],"p":"'), Buffer.alloc(16 * MIB, 0x20), Buffer.from('"}')]));
    expect(bomb.length).toBeLessThan(MIB / 8);
    const url = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip", "content-length": bomb.length });
      res.end(bomb);
    });
    const err = await failure(client(url, { maxResponseBytes: MIB }).get("/api/services"));
    expect(err.kind).toBe("too_large");
    expect(err.message).toMatch(/more than 1 MB/);
  });

  it("still reads gzip and deflate answers within the cap", async () => {
    const body = JSON.stringify({ data: ["a", "b"] });
    const url = await serve((req, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-encoding": req.url === "/gz" ? "gzip" : "deflate" });
      res.end(req.url === "/gz" ? gzipSync(body) : deflateSync(body));
    });
    const http = client(url, { maxResponseBytes: MIB });
    expect((await http.get("/gz")).json).toEqual({ data: ["a", "b"] });
    expect((await http.get("/df")).json).toEqual({ data: ["a", "b"] });
  });

  it("reports a body labelled gzip that is not gzip as invalid_response", async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" });
      res.end(JSON.stringify({ data: ["a"] }));
    });
    const err = await failure(client(url).get("/api/services"));
    expect(err.kind).toBe("invalid_response");
    expect(err.message).toMatch(/Content-Encoding gzip/);
    expect(err.message).toContain(url);
  });
});

describe("rate limits, unavailability and redirects (#9)", () => {
  it("429 with Retry-After seconds says when to retry, not to check the query", async () => {
    const url = await serve((_req, res) => {
      res.writeHead(429, { "content-type": "text/plain", "retry-after": "7" });
      res.end("Too Many Requests");
    });
    const err = await failure(client(url).get("/api/services"));
    expect(err.kind).toBe("rate_limited");
    expect(err.status).toBe(429);
    expect(err.retryAfterSeconds).toBe(7);
    expect(err.message).toMatch(new RegExp(`^Rate limited by Jaeger at ${url}; retry after 7 s `));
    expect(err.message).not.toMatch(/query parameters/);
  });

  it("429 with an HTTP-date Retry-After, and without one", async () => {
    let header: string | undefined;
    const url = await serve((_req, res) => {
      res.writeHead(429, header ? { "retry-after": header } : {});
      res.end();
    });
    const http = client(url);
    header = new Date(Date.now() + 30_000).toUTCString();
    const dated = await failure(http.get("/api/services"));
    expect(dated.retryAfterSeconds).toBeGreaterThanOrEqual(28);
    expect(dated.retryAfterSeconds).toBeLessThanOrEqual(31);
    expect(dated.message).toMatch(/; retry after (28|29|30|31) s/);
    header = undefined;
    const bare = await failure(http.get("/api/services"));
    expect(bare.kind).toBe("rate_limited");
    expect(bare.retryAfterSeconds).toBeUndefined();
    expect(bare.message).toMatch(new RegExp(`^Rate limited by Jaeger at ${url}; retry in a minute`));
  });

  it("503 with Retry-After quotes it", async () => {
    const url = await serve((_req, res) => {
      res.writeHead(503, { "content-type": "text/html", "retry-after": "12" });
      res.end("<html><body>Service Unavailable</body></html>");
    });
    const err = await failure(client(url).get("/api/services"));
    expect(err).toMatchObject({ kind: "http", status: 503, retryAfterSeconds: 12 });
    expect(err.message).toMatch(/returned HTTP 503 .*retry after 12 s/);
  });

  it("a redirect is not followed and says to use the final URL, without credentials", async () => {
    const url = await serve((_req, res) => {
      res.writeHead(302, { location: "https://user:pw-secret-1234@login.example.com/sso?token=abc" });
      res.end("Found");
    });
    const err = await failure(client(url).get("/api/services"));
    expect(err.kind).toBe("http");
    expect(err.status).toBe(302);
    expect(err.message).toMatch(/redirects are not followed/);
    expect(err.message).toContain("https://login.example.com/sso");
    expect(err.message).not.toMatch(/pw-secret|token=abc|query parameters/);
  });
});
