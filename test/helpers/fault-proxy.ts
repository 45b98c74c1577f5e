/**
 * A loopback HTTP proxy in front of any world that injects the faults real deployments show:
 * failing and rate-limiting gateways, redirects, cut and reset bodies, answers too large to read
 * (streamed, never buffered), slow headers and bodies, answers that are not JSON or are another
 * API's JSON, a lying Content-Encoding, and gateways that echo request headers into error bodies.
 * With no fault set it forwards every request unchanged.
 */
import { createServer, request, type IncomingMessage, type ServerResponse } from "node:http";
import { gzipSync } from "node:zlib";
import { listenLoopback } from "./backend-world.js";

export const PROXY_FAULTS = [
  "http500",
  "http502Html",
  "http503",
  "http503RetryAfter",
  "http429RetryAfter",
  "redirect",
  "truncated",
  "resetMidBody",
  "oversized",
  "oversizedDeclared",
  "gzipBomb",
  "slowHeaders",
  "slowBody",
  "nonJson",
  "html",
  "otherApi",
  "wrongPath",
  "wrongEncoding",
  "echoHeaders",
  "echoHeaders200",
] as const;
export type ProxyFault = (typeof PROXY_FAULTS)[number];

export interface FaultProxyOptions {
  /** Bytes the oversized faults stream (default 2 MiB: set the client's limit below it). */
  oversizeBytes?: number;
  /** The request header the echo faults place across the snippet cut (default "authorization"). */
  echoHeader?: string;
  /** The header echoHeaders200 places across the 80-character cut (default "x-auth-token"). */
  echoHeader200?: string;
}

export interface ProxiedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
}

export interface FaultProxy {
  url: string;
  /** Requests the proxy received (also the faulted ones). */
  requests: ProxiedRequest[];
  setFault(fault: ProxyFault | null): void;
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-authorization", "proxy-authenticate", "host"]);

const OTHER_API = JSON.stringify({ status: "ok", version: "1.2" });
const WRONG_PATH = JSON.stringify({ status: "ok", items: [1, 2, 3] });
const HTML = "<!DOCTYPE html><html><head><title>Sign in</title></head><body><h1>Welcome</h1></body></html>";

let bomb: Buffer | undefined;
/** 8 MiB of JSON that gzips to a few KiB. */
function gzipBomb(): Buffer {
  bomb ??= gzipSync(Buffer.concat([Buffer.from('{"data":[],"padding":"'), Buffer.alloc(8 * 1024 * 1024, 0x20), Buffer.from('"}')]));
  return bomb;
}

function headerValue(req: IncomingMessage, name: string): string {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(", ") : (v ?? "");
}

/**
 * `prefix`, padding, `label` and `value`, with `value` ending 3 characters past `cut`: a snippet
 * cut there keeps all of the secret but its last 3 characters.
 */
function straddling(prefix: string, label: string, value: string, cut: number): string {
  const before = Math.max(1, value.length - 3);
  return prefix + "x".repeat(Math.max(0, cut - before - prefix.length - label.length)) + label + value;
}

/** Streams `total` bytes of valid JSON in 64 KiB chunks, respecting back-pressure, stopping when the client leaves. */
function streamLarge(res: ServerResponse, total: number, declared: boolean): void {
  const head = Buffer.from('{"data":[],"padding":"');
  const tail = Buffer.from('"}');
  const chunk = Buffer.alloc(64 * 1024, 0x78);
  const body = Math.max(0, total - head.length - tail.length);
  res.writeHead(200, { "content-type": "application/json", ...(declared ? { "content-length": head.length + body + tail.length } : {}) });
  res.write(head);
  let sent = 0;
  let gone = false;
  res.on("close", () => (gone = true));
  const pump = (): void => {
    while (!gone && sent < body) {
      const n = Math.min(chunk.length, body - sent);
      sent += n;
      if (!res.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return void res.once("drain", pump);
    }
    if (!gone) res.end(tail);
  };
  pump();
}

export async function startFaultProxy(upstream: string, options: FaultProxyOptions = {}): Promise<FaultProxy> {
  const target = new URL(upstream);
  const oversize = options.oversizeBytes ?? 2 * 1024 * 1024;
  const echoHeader = options.echoHeader ?? "authorization";
  const echoHeader200 = options.echoHeader200 ?? "x-auth-token";
  const requests: ProxiedRequest[] = [];
  let fault: ProxyFault | null = null;
  const timers = new Set<NodeJS.Timeout>();

  /** Forwards the request and hands the upstream answer (status, headers, whole body) to `then`. */
  const forward = (req: IncomingMessage, body: Buffer, then: (status: number, headers: Record<string, string>, upstreamBody: Buffer) => void): void => {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(k) && v !== undefined) headers[k] = Array.isArray(v) ? v.join(", ") : v;
    const out = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...headers, host: target.host } },
      (up) => {
        const chunks: Buffer[] = [];
        up.on("data", (c: Buffer) => chunks.push(c));
        up.on("end", () => {
          const h: Record<string, string> = {};
          for (const [k, v] of Object.entries(up.headers)) if (!HOP_BY_HOP.has(k) && k !== "content-length" && v !== undefined) h[k] = Array.isArray(v) ? v.join(", ") : v;
          then(up.statusCode ?? 502, h, Buffer.concat(chunks));
        });
      },
    );
    out.on("error", () => undefined);
    out.end(body);
  };

  const handle = (req: IncomingMessage, res: ServerResponse, body: Buffer): void => {
    const send = (status: number, text: string | Buffer, headers: Record<string, string | number> = {}): void => {
      res.writeHead(status, { "content-type": "application/json", ...headers });
      res.end(text);
    };
    switch (fault) {
      case null:
        return forward(req, body, (status, headers, b) => send(status, b, { ...headers, "content-length": b.length }));
      case "http500":
        return send(500, JSON.stringify({ error: "internal error", detail: "upstream storage failed" }));
      case "http502Html":
        return send(502, "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>", { "content-type": "text/html" });
      case "http503":
        return send(503, "upstream connect error or disconnect/reset before headers", { "content-type": "text/plain" });
      case "http503RetryAfter":
        return send(503, "<html><body>Service Unavailable: maintenance</body></html>", { "content-type": "text/html", "retry-after": "30" });
      case "http429RetryAfter":
        return send(429, JSON.stringify({ error: "too many requests" }), { "retry-after": "7" });
      case "redirect":
        return send(302, "Found", { location: "https://sso.example.com/login?return=/api&token=leaky-token-value", "content-type": "text/plain" });
      case "truncated":
        // A body that ends cleanly half way (chunked, no length): unparseable JSON.
        return forward(req, body, (status, headers, b) => {
          res.writeHead(status, headers);
          res.end(b.subarray(0, Math.max(1, Math.floor(b.length / 2))));
        });
      case "resetMidBody":
        return forward(req, body, (status, headers, b) => {
          res.writeHead(status, { ...headers, "content-length": b.length });
          res.write(b.subarray(0, Math.max(1, Math.floor(b.length / 2))), () => res.socket?.destroy());
        });
      case "oversized":
        return streamLarge(res, oversize, false);
      case "oversizedDeclared":
        return streamLarge(res, oversize, true);
      case "gzipBomb": {
        const gz = gzipBomb();
        return send(200, gz, { "content-encoding": "gzip", "content-length": gz.length });
      }
      case "slowHeaders":
        // Accept and say nothing: the client's deadline must end it.
        return;
      case "slowBody": {
        res.writeHead(200, { "content-type": "application/json" });
        res.write('{"data":[');
        const t = setInterval(() => res.write(" "), 100);
        timers.add(t);
        res.on("close", () => {
          clearInterval(t);
          timers.delete(t);
        });
        return;
      }
      case "nonJson":
        return send(200, "OK", { "content-type": "text/plain" });
      case "html":
        return send(200, HTML, { "content-type": "text/html; charset=utf-8" });
      case "otherApi":
        return send(200, OTHER_API);
      case "wrongPath":
        return send(200, WRONG_PATH);
      case "wrongEncoding":
        return forward(req, body, (status, headers, b) => send(status, b, { ...headers, "content-encoding": "gzip", "content-length": b.length }));
      case "echoHeaders": {
        // A debugging gateway: the secret header just before the 200-character snippet cut, then every header.
        const head = straddling('{"message":"request rejected: ', `","${echoHeader}":"`, headerValue(req, echoHeader), 200);
        return send(500, `${head}","request_headers":${JSON.stringify(req.headers)}}`);
      }
      case "echoHeaders200":
        return send(200, `${straddling("upstream says: ", "token=", headerValue(req, echoHeader200), 80)} ${JSON.stringify(req.headers)}`, { "content-type": "text/plain" });
    }
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      requests.push({ method: req.method ?? "", path: new URL(req.url ?? "/", "http://x").pathname, headers: { ...req.headers } });
      res.on("error", () => undefined);
      handle(req, res, Buffer.concat(chunks));
    });
  });
  const { url, close } = await listenLoopback(server);
  return {
    url,
    requests,
    setFault: (f) => void (fault = f),
    async close() {
      for (const t of timers) clearInterval(t);
      timers.clear();
      await close();
    },
  };
}
