/**
 * The 2026-07-28 revision over Streamable HTTP: every request is its own POST, with no session;
 * its `_meta` names the protocol version and its headers mirror the body (MCP-Protocol-Version,
 * Mcp-Method, Mcp-Name) so intermediaries can route on them, which is why the server must check
 * that they agree (400, HeaderMismatch -32020). Each request is served by a fresh SDK server on
 * the shared app (so no state can leak between callers) through a one-exchange transport, and
 * answered as one JSON object. Legacy traffic (initialize, Mcp-Session-Id) never comes here.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AuthInfo } from "@modelcontextprotocol/sdk/server/auth/types.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { JSONRPCMessage, MessageExtraInfo, RequestId } from "@modelcontextprotocol/sdk/types.js";
import type { App } from "../app.js";
import { claimedVersion, claimsModernEra, envelopeError, HEADER_MISMATCH, UNSUPPORTED_PROTOCOL_VERSION, type ErrorMessage } from "./eras.js";
import { createServer } from "./server.js";

const METHOD_NOT_FOUND = -32601;
const INVALID_REQUEST = -32600;
/** Methods whose Mcp-Name header mirrors a body field. */
const NAMED: Readonly<Record<string, "name" | "uri">> = { "tools/call": "name", "prompts/get": "name", "resources/read": "uri" };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** True for a body the modern path serves: one message that claims the envelope, or a server/discover probe. */
export function isModernBody(body: unknown): boolean {
  if (Array.isArray(body)) return body.some((m) => claimsModernEra(m));
  return isObject(body) && (claimsModernEra(body) || body.method === "server/discover");
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** A header value, with the `=?base64?…?=` sentinel form decoded (spec: Streamable HTTP, "Value Encoding"). */
export function decodeHeaderValue(value: string): string {
  const m = /^=\?base64\?([A-Za-z0-9+/=]*)\?=$/.exec(value);
  return m ? Buffer.from(m[1]!, "base64").toString("utf8") : value;
}

/** The HeaderMismatch problem of a modern request, or undefined when its headers mirror its body. */
export function headerProblem(req: IncomingMessage, body: Record<string, unknown>): string | undefined {
  const version = claimedVersion(body);
  const versionHeader = header(req, "mcp-protocol-version");
  if (versionHeader === undefined) return "the MCP-Protocol-Version header is missing";
  if (versionHeader !== version) return `MCP-Protocol-Version header '${versionHeader.slice(0, 32)}' does not match the body's protocol version '${String(version).slice(0, 32)}'`;
  const method = header(req, "mcp-method");
  if (method === undefined) return "the Mcp-Method header is missing";
  if (method !== body.method) return `Mcp-Method header '${method.slice(0, 64)}' does not match the body's method '${String(body.method).slice(0, 64)}'`;
  const field = NAMED[method];
  if (field) {
    const named = header(req, "mcp-name");
    const expected = isObject(body.params) ? body.params[field] : undefined;
    if (named === undefined) return `the Mcp-Name header is missing (required for ${method})`;
    if (decodeHeaderValue(named) !== expected) return `Mcp-Name header does not match the body's params.${field}`;
  }
  return undefined;
}

function send(res: ServerResponse, status: number, message: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(message));
}

function statusFor(message: { error?: { code: number } }): number {
  const code = message.error?.code;
  if (code === METHOD_NOT_FOUND) return 404;
  if (code === UNSUPPORTED_PROTOCOL_VERSION || code === HEADER_MISMATCH) return 400;
  return 200;
}

/** Delivers one request to a server and hands back its response. */
class ExchangeTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage, extra?: MessageExtraInfo) => void;
  private readonly waiting = new Map<RequestId, (message: JSONRPCMessage | undefined) => void>();

  async start(): Promise<void> {}

  async send(message: JSONRPCMessage): Promise<void> {
    const id = (message as { id?: RequestId }).id;
    // Requests and notifications from the server have no place on this revision's POST answer.
    if (id === undefined || !("result" in message || "error" in message)) return;
    this.waiting.get(id)?.(message);
    this.waiting.delete(id);
  }

  async close(): Promise<void> {
    this.onclose?.();
  }

  /**
   * The response to `request`, or undefined once `cancel` gave up on it (the SDK answers no
   * cancelled request). `authInfo` (the caller the HTTP layer authenticated) reaches the handlers
   * as `extra.authInfo`, exactly as on a session, so a scoped key stays scoped on this revision.
   */
  exchange(request: JSONRPCMessage & { id: RequestId }, authInfo: AuthInfo | undefined): Promise<JSONRPCMessage | undefined> {
    return new Promise((resolve) => {
      this.waiting.set(request.id, resolve);
      this.onmessage?.(request, authInfo ? { authInfo } : undefined);
    });
  }

  cancel(id: RequestId, reason: string): void {
    this.onmessage?.({ jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: id, reason } });
    this.waiting.get(id)?.(undefined);
    this.waiting.delete(id);
  }
}

export async function serveModernRequest(req: IncomingMessage, res: ServerResponse, body: unknown, app: App): Promise<void> {
  if (!isObject(body)) {
    return send(res, 400, { jsonrpc: "2.0", id: null, error: { code: INVALID_REQUEST, message: "Invalid Request: a protocol 2026-07-28 POST carries one JSON-RPC message, not a batch" } });
  }
  const id = typeof body.id === "string" || typeof body.id === "number" ? body.id : undefined;
  // No client notification is defined for this revision on HTTP; accept and drop, as the spec says a server may.
  if (id === undefined) {
    res.writeHead(202).end();
    return;
  }
  if (claimsModernEra(body)) {
    const invalid: ErrorMessage | undefined = envelopeError(body);
    if (invalid) return send(res, 400, invalid);
    const problem = headerProblem(req, body);
    if (problem) return send(res, 400, { jsonrpc: "2.0", id, error: { code: HEADER_MISMATCH, message: `Header mismatch: ${problem}` } });
  }
  const created = createServer({ app });
  const transport = new ExchangeTransport();
  await created.server.connect(transport);
  // The client closing its request is this revision's cancellation signal.
  res.on("close", () => {
    if (!res.writableFinished) transport.cancel(id, "the HTTP request was closed");
  });
  try {
    const answer = await transport.exchange(body as JSONRPCMessage & { id: RequestId }, (req as IncomingMessage & { auth?: AuthInfo }).auth);
    if (answer && !res.destroyed) send(res, statusFor(answer as { error?: { code: number } }), answer);
  } finally {
    await created.server.close().catch(() => undefined);
  }
}
