/**
 * The JSON-RPC error a request handler throws. The SDK answers with its `code`, `message` and
 * `data` as they are; the SDK's own McpError would put "MCP error <code>: " in front of every
 * message the client shows.
 */
export const INVALID_PARAMS = -32602;
export const INTERNAL_ERROR = -32603;

export class RpcError extends Error {
  override name = "RpcError";
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }
}
