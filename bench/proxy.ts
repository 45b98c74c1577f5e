/**
 * A 127.0.0.1 HTTP proxy in front of a fake backend ("world"): it delays every request by a fixed
 * latency, as a backend across a network would, and counts requests and response bytes so the
 * bench can say what each tool call cost the backend. Kept apart from the worlds so their owners'
 * APIs stay untouched.
 *
 * With `cache` on, a GET answered 200 is remembered and later identical GETs are answered from
 * memory (after the same latency). The worlds serve a static dataset, so the answer is the same;
 * what changes is that the simulator stops rendering OTLP / Jaeger JSON for every request, CPU
 * that would otherwise compete with the server under test on a small machine (on a 2-vCPU box the
 * world spent about as much CPU per trace fetch as the server did). The first call of a kind
 * still reaches the world.
 */
import { Agent, createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import type { Socket } from "node:net";

export interface ProxyCounters {
  requests: number;
  /** Response body bytes sent back to the server under test. */
  bytes: number;
  /** Requests by path (query strings dropped), for reading what a tool did. */
  paths: Map<string, number>;
}

export interface LatencyProxy {
  url: string;
  latencyMs: number;
  /** Counters since the last reset. */
  counters(): ProxyCounters;
  reset(): void;
  /** Resolves once no request is in flight (stray background requests, e.g. a health check). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

function routeOf(path: string): string {
  const bare = path.split("?")[0] ?? path;
  // One bucket per endpoint, not per trace id.
  return bare.replace(/\/[0-9a-fA-F]{16,32}$/, "/{id}");
}

interface Cached {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export async function startLatencyProxy(target: string, latencyMs: number, options: { cache?: boolean } = {}): Promise<LatencyProxy> {
  const cache = new Map<string, Cached>();
  const upstream = new URL(target);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const sockets = new Set<Socket>();
  let counters: ProxyCounters = { requests: 0, bytes: 0, paths: new Map() };
  let inflight = 0;
  let idleWaiters: Array<() => void> = [];

  const settle = (): void => {
    inflight -= 1;
    if (inflight === 0) {
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const w of waiters) w();
    }
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    inflight += 1;
    const mine = counters;
    mine.requests += 1;
    const route = routeOf(req.url ?? "/");
    mine.paths.set(route, (mine.paths.get(route) ?? 0) + 1);
    const body: Buffer[] = [];
    req.on("data", (c: Buffer) => body.push(c));
    req.on("end", () => {
      setTimeout(() => {
        const key = req.method === "GET" ? (req.url ?? "/") : undefined;
        const hit = key === undefined ? undefined : cache.get(key);
        if (hit) {
          mine.bytes += hit.body.length;
          res.writeHead(hit.status, hit.headers);
          res.end(hit.body);
          settle();
          return;
        }
        const headers = { ...req.headers, host: upstream.host };
        const out = httpRequest(
          { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers, agent },
          (up) => {
            const status = up.statusCode ?? 502;
            res.writeHead(status, up.headers);
            const chunks: Buffer[] = [];
            up.on("data", (c: Buffer) => {
              mine.bytes += c.length;
              if (options.cache && key !== undefined) chunks.push(c);
              res.write(c);
            });
            up.on("end", () => {
              if (options.cache && key !== undefined && status === 200) cache.set(key, { status, headers: up.headers, body: Buffer.concat(chunks) });
              res.end();
              settle();
            });
          },
        );
        out.on("error", (err) => {
          res.writeHead(502, { "content-type": "text/plain" });
          res.end(`bench proxy: ${err.message}\n`);
          settle();
        });
        out.end(Buffer.concat(body));
      }, latencyMs);
    });
  });
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const addr = server.address();
  if (!addr || typeof addr === "string") throw new Error("bench proxy: no address");

  return {
    url: `http://127.0.0.1:${addr.port}`,
    latencyMs,
    counters: () => counters,
    reset: () => {
      counters = { requests: 0, bytes: 0, paths: new Map() };
    },
    idle: () => (inflight === 0 ? Promise.resolve() : new Promise<void>((resolve) => idleWaiters.push(resolve))),
    close: async () => {
      for (const s of sockets) s.destroy();
      agent.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
