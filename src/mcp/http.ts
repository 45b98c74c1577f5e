/**
 * Streamable HTTP transport at /mcp, for both protocol eras. A legacy (initialize) MCP session gets
 * its own server instance; a 2026-07-28 request, which carries its protocol version in `_meta` and
 * has no session, is served on its own (http-modern.ts). All share one app (backend, trace cache,
 * redactor, audit log). Requests are checked before the MCP layer sees them: the Host and Origin
 * headers against an allow-list (DNS-rebinding protection) and, when configured, a bearer token
 * (--auth-token and/or the scoped keys of --api-keys-file). The authenticated key's name and
 * service scope ride on the request as the SDK's AuthInfo, and a session answers only the key that
 * opened it. GET /healthz answers probes before any of that: no auth, no data, no backend call.
 */
import { randomUUID } from "node:crypto";
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from "node:http";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import type { AuthInfo } from "@modelcontextprotocol/sdk/server/auth/types.js";
import { isInitializeRequest } from "@modelcontextprotocol/sdk/types.js";
import { ApiKeyStore } from "../access/api-keys.js";
import { ANONYMOUS_CALLER, authInfoFor, type Caller } from "../access/caller.js";
import { createApp, type App } from "../app.js";
import type { TraceBackend } from "../backends/trace-backend.js";
import type { Config } from "../config.js";
import type { Logger } from "../logger.js";
import { isModernBody, serveModernRequest } from "./http-modern.js";
import { invalidBodyError, type JsonRpcErrorMessage } from "./jsonrpc-guard.js";
import { createServer, type CreatedServer } from "./server.js";

const MAX_BODY_BYTES = 4 * 1024 * 1024;
const LOOPBACK_NAMES = ["localhost", "127.0.0.1", "::1", "[::1]"];

export interface RunningHttpServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || host.startsWith("127.");
}

function isWildcard(host: string): boolean {
  return host === "0.0.0.0" || host === "::" || host === "";
}

/** Hostnames (no port) that Host and Origin headers may name. */
export function allowedHostnames(bindHost: string, extra: readonly string[] = []): Set<string> | "any" {
  if (isWildcard(bindHost) && extra.length === 0) return "any";
  return new Set([...LOOPBACK_NAMES, ...(isWildcard(bindHost) ? [] : [bindHost]), ...extra].map((h) => h.toLowerCase()));
}

function hostnameOf(hostHeader: string): string {
  const h = hostHeader.trim().toLowerCase();
  if (h.startsWith("[")) return h.slice(0, h.indexOf("]") + 1);
  const idx = h.lastIndexOf(":");
  return idx > 0 && h.indexOf(":") === idx ? h.slice(0, idx) : h;
}

function reject(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify({ jsonrpc: "2.0", error: { code: -32000, message }, id: null }));
}

function sendJsonRpcError(res: ServerResponse, status: number, message: JsonRpcErrorMessage): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(message));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw Object.assign(new Error("request body too large"), { status: 413 });
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw Object.assign(new Error("request body is not valid JSON"), { status: 400 });
  }
}

/** Warnings about how the server is exposed; logged loudly at start. */
export function exposureWarnings(config: Pick<Config, "host" | "port" | "authToken" | "apiKeysFile">): string[] {
  const out: string[] = [];
  if (!isLoopback(config.host) && !config.authToken && !config.apiKeysFile) {
    out.push(
      `SECURITY WARNING: binding ${config.host}:${config.port} (not loopback) without an auth token. Anyone who can reach this ` +
        "port can query your traces. Set --auth-token / MCP_AUTH_TOKEN or --api-keys-file / MCP_API_KEYS_FILE, or bind 127.0.0.1.",
    );
  }
  if (isWildcard(config.host)) {
    out.push("Host header checks are off because the server binds a wildcard address; Origin headers are still checked against loopback names.");
  }
  return out;
}

export interface HttpServerOptions {
  /** Extra hostnames allowed in Host/Origin headers. */
  allowedHosts?: string[];
  /** Override backend creation (tests). */
  backendFactory?: () => Promise<TraceBackend>;
  /** Clock (tests). */
  now?: () => number;
  /** An app to share (the CLI's); otherwise one is built and closed with the server. */
  app?: App;
}

export async function startHttpServer(config: Config, logger: Logger, options: HttpServerOptions = {}): Promise<RunningHttpServer> {
  const allowed = allowedHostnames(config.host, options.allowedHosts ?? []);
  for (const warning of exposureWarnings(config)) logger.warn(warning);

  const app =
    options.app ??
    createApp({ config, logger, ...(options.backendFactory ? { backendFactory: options.backendFactory } : {}), ...(options.now ? { now: options.now } : {}) });

  // Throws ConfigError on a malformed keys file (resolveConfig has normally caught it already).
  const keys = ApiKeyStore.open({ ...(config.apiKeysFile ? { file: config.apiKeysFile } : {}), ...(config.authToken ? { authToken: config.authToken } : {}), logger });
  const unauthorized =
    "Unauthorized: send 'Authorization: Bearer <token>' with " +
    (config.apiKeysFile
      ? `a token from --api-keys-file / MCP_API_KEYS_FILE${config.authToken ? " or the token set by --auth-token / MCP_AUTH_TOKEN" : ""}`
      : "the token set by --auth-token / MCP_AUTH_TOKEN");
  const sessions = new Map<string, { transport: StreamableHTTPServerTransport; server: CreatedServer; key: string }>();
  const originAllowed = (origin: string): boolean => {
    let hostname: string;
    try {
      hostname = new URL(origin).hostname.toLowerCase();
    } catch {
      return false;
    }
    const set = allowed === "any" ? new Set(LOOPBACK_NAMES) : allowed;
    return set.has(hostname) || set.has(`[${hostname}]`) || set.has(hostname.replace(/^\[|\]$/g, ""));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://placeholder");
    // For load balancers and orchestrators: up means the process serves HTTP. Nothing about the backend or the data.
    if (url.pathname === "/healthz" && (req.method === "GET" || req.method === "HEAD")) {
      res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" });
      res.end(req.method === "HEAD" ? undefined : JSON.stringify({ status: "ok" }));
      return;
    }
    if (url.pathname !== "/mcp") return reject(res, 404, "Not found: the MCP endpoint is /mcp");
    const host = req.headers.host ?? "";
    if (allowed !== "any" && !allowed.has(hostnameOf(host))) {
      logger.warn({ host }, "rejected request with a Host header outside the allow-list");
      return reject(res, 403, `Forbidden: Host '${host}' is not allowed`);
    }
    const origin = req.headers.origin;
    if (origin && !originAllowed(origin)) {
      logger.warn({ origin }, "rejected request from a foreign Origin");
      return reject(res, 403, `Forbidden: Origin '${origin}' is not allowed`);
    }
    let caller: Caller = ANONYMOUS_CALLER;
    if (keys.enabled) {
      const auth = req.headers.authorization ?? "";
      const token = auth.toLowerCase().startsWith("bearer ") ? auth.slice(7).trim() : "";
      const found = keys.authenticate(token);
      if (!found) return reject(res, 401, unauthorized, { "www-authenticate": 'Bearer realm="opentelemetry-mcp"' });
      caller = found;
    }
    (req as IncomingMessage & { auth?: AuthInfo }).auth = authInfoFor(caller);

    let body: unknown;
    if (req.method === "POST") {
      try {
        body = await readJson(req);
      } catch (err) {
        return reject(res, (err as { status?: number }).status ?? 400, (err as Error).message);
      }
      // The SDK answers an empty batch with 202 and no body, and JSON that is not a message with "parse error".
      // Protocol 2026-07-28: the body itself says which era it is; such requests have no session.
      if (isModernBody(body)) return serveModernRequest(req, res, body, app);
      const invalid = invalidBodyError(body);
      if (invalid) return sendJsonRpcError(res, 400, invalid);
    }
    const sessionId = req.headers["mcp-session-id"];
    if (sessionId !== undefined) {
      const existing = typeof sessionId === "string" ? sessions.get(sessionId) : undefined;
      // Another key's session id is answered like an unknown one: a session keeps its opener's scope.
      if (existing && existing.key === caller.key) {
        await existing.transport.handleRequest(req, res, body);
        return;
      }
      // The spec: a session that ended (or never existed, e.g. after a restart) is 404, so the client re-initializes.
      return sendJsonRpcError(res, 404, {
        jsonrpc: "2.0",
        id: null,
        error: { code: -32001, message: "Session not found: it ended or the server restarted; start a new session with an initialize request (without Mcp-Session-Id)" },
      });
    }
    if (req.method !== "POST" || !isInitializeRequest(body)) {
      return reject(res, 400, "Bad Request: no valid session; start with an initialize request");
    }
    const created = createServer({ app });
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        sessions.set(id, { transport, server: created, key: caller.key });
      },
    });
    transport.onclose = () => {
      if (transport.sessionId) sessions.delete(transport.sessionId);
    };
    await created.server.connect(transport);
    await transport.handleRequest(req, res, body);
  };

  const http: HttpServer = createHttpServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      logger.error({ err }, "HTTP request failed");
      if (!res.headersSent) reject(res, 500, "Internal server error");
      else res.end();
    });
  });
  try {
    await new Promise<void>((resolveListen, rejectListen) => {
      http.once("error", rejectListen);
      http.listen(config.port, config.host, () => resolveListen());
    });
  } catch (err) {
    keys.close();
    if (!options.app) await app.close();
    throw err;
  }
  // The local store's OTLP receiver, now that the server is up.
  app.start();
  const address = http.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  const shownHost = config.host.includes(":") ? `[${config.host}]` : config.host;
  const url = `http://${shownHost}:${port}/mcp`;
  logger.info({ url }, `Starting MCP server with HTTP transport; connect clients to: ${url}`);

  return {
    url,
    port,
    async close() {
      for (const { transport } of sessions.values()) await transport.close().catch(() => undefined);
      sessions.clear();
      await new Promise<void>((r) => http.close(() => r()));
      http.closeAllConnections?.();
      if (!options.app) await app.close();
      keys.close();
    },
  };
}
