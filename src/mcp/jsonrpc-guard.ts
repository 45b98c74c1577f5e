/**
 * JSON-RPC checks the MCP SDK (1.32.2) leaves out, shared by our stdio and HTTP transports.
 * The SDK validates every incoming message with its schema and, on stdio, drops one that fails
 * (a request with `"params": 5` is never answered, so the client waits for its own timeout); over
 * HTTP it answers "parse error" for JSON that parsed, and 202 with no body for an empty batch.
 * JSON-RPC 2.0 asks for an Invalid Request (-32600) or Invalid params (-32602) error instead,
 * carrying the request's id when it can be read. Anything the SDK accepts is left to the SDK.
 */
import { JSONRPCMessageSchema } from "@modelcontextprotocol/sdk/types.js";

export const INVALID_REQUEST = -32600;
export const INVALID_PARAMS = -32602;

export interface JsonRpcErrorMessage {
  jsonrpc: "2.0";
  id: string | number | null;
  error: { code: number; message: string };
}

function errorMessage(id: string | number | null, code: number, message: string): JsonRpcErrorMessage {
  return { jsonrpc: "2.0", id, error: { code, message } };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function typeName(v: unknown): string {
  return v === null ? "null" : Array.isArray(v) ? "an array" : `a ${typeof v}`;
}

/**
 * The error for a request (a `method` and an `id`) that the SDK's schema rejects; undefined when
 * `value` is not request-shaped or is valid (the SDK handles those).
 */
export function invalidRequestError(value: unknown): JsonRpcErrorMessage | undefined {
  if (!isPlainObject(value) || typeof value.method !== "string") return undefined;
  const id = typeof value.id === "string" || (typeof value.id === "number" && Number.isFinite(value.id)) ? value.id : undefined;
  if (id === undefined) return undefined;
  const parsed = JSONRPCMessageSchema.safeParse(value);
  if (parsed.success) return undefined;
  if ("params" in value && !isPlainObject(value.params)) {
    return errorMessage(id, INVALID_PARAMS, `Invalid params: 'params' must be an object of named parameters, not ${typeName(value.params)}`);
  }
  const issues = parsed.error.issues
    .slice(0, 3)
    .map((i) => `${i.path.map(String).join(".").slice(0, 64) || "message"}: ${i.message.slice(0, 200)}`)
    .join("; ");
  return errorMessage(id, INVALID_REQUEST, `Invalid Request: not a valid JSON-RPC 2.0 request (${issues})`);
}

/**
 * The error for an HTTP body that is not a message object or a non-empty batch of them (or holds
 * a request the SDK would reject); undefined when the SDK should take it.
 */
export function invalidBodyError(body: unknown): JsonRpcErrorMessage | undefined {
  if (Array.isArray(body)) {
    if (body.length === 0) return errorMessage(null, INVALID_REQUEST, "Invalid Request: an empty batch; send a JSON-RPC message or a non-empty array of them");
    for (const [i, m] of body.entries()) {
      if (!isPlainObject(m)) return errorMessage(null, INVALID_REQUEST, `Invalid Request: batch element ${i} is ${typeName(m)}, not a JSON-RPC message object`);
      const err = invalidRequestError(m);
      if (err) return err;
    }
    return undefined;
  }
  if (body !== undefined && !isPlainObject(body)) {
    return errorMessage(null, INVALID_REQUEST, `Invalid Request: the body is ${typeName(body)}, not a JSON-RPC message object or a batch of them`);
  }
  return invalidRequestError(body);
}
