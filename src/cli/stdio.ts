/**
 * The stdio session: an MCP server on stdin/stdout that, when stdin closes, first answers every
 * request it has already received and only then exits. Clients and shell pipes close stdin right
 * after their last request (`printf '<initialize>\n<tools/list>\n' | opentelemetry-mcp`); exiting
 * on `end` would drop every answer still being computed.
 *
 * Requests are tracked at the transport: an id is owed from the moment its request is read until
 * its response has been written (a `notifications/cancelled` releases it, since the SDK sends no
 * answer for a cancelled request). The wait is bounded, so a hung backend cannot keep the process
 * alive forever.
 */
import type { Readable, Writable } from "node:stream";
import type { Server } from "@modelcontextprotocol/sdk/server/index.js";
// Ours, not the SDK's: it answers requests the SDK would drop (src/mcp/stdio-transport.ts).
import { StdioServerTransport } from "../mcp/stdio-transport.js";
import type { JSONRPCMessage, RequestId } from "@modelcontextprotocol/sdk/types.js";
import type { Logger } from "../logger.js";

/** What serveStdio runs: the MCP server and how to release what it holds (src/mcp/server.ts's CreatedServer). */
export interface ServableServer {
  server: Server;
  close(): Promise<void>;
}

export interface StdioOptions {
  logger: Logger;
  /** Longest wait, once stdin has closed, for the answers still owed. */
  drainGraceMs: number;
  stdin?: Readable;
  stdout?: Writable;
  /** Ends the process once the session is over (default process.exit); tests pass their own. */
  exit?: (code: number) => void;
}

export interface StdioSession {
  /** Ends the session now (signals), without waiting for owed answers. */
  stop(code?: number): void;
  /** Settles with the exit code once the session has ended and `exit` was called. */
  readonly done: Promise<number>;
}

/** The drain grace for a configuration: long enough for one backend request to time out, at least 30 s. */
export function drainGraceMs(backendTimeoutMs: number): number {
  return Math.max(30_000, backendTimeoutMs + 5_000);
}

/** How long ending the session waits for the server and backend to close. */
const CLOSE_WAIT_MS = 2_000;

/** Waits for `p` (ignoring its outcome) at most `ms`. */
async function settleWithin(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([p.catch(() => undefined), new Promise<void>((r) => (timer = setTimeout(r, ms).unref()))]);
  clearTimeout(timer);
}

function isRequest(m: JSONRPCMessage): m is JSONRPCMessage & { id: RequestId; method: string } {
  return "method" in m && "id" in m && m.id !== undefined;
}

function isResponse(m: JSONRPCMessage): m is JSONRPCMessage & { id: RequestId } {
  return "id" in m && ("result" in m || "error" in m);
}

function cancelledId(m: JSONRPCMessage): RequestId | undefined {
  if (!("method" in m) || "id" in m || m.method !== "notifications/cancelled") return undefined;
  const id = (m.params as { requestId?: unknown } | undefined)?.requestId;
  return typeof id === "string" || typeof id === "number" ? id : undefined;
}

export async function serveStdio(target: ServableServer, options: StdioOptions): Promise<StdioSession> {
  const { logger } = options;
  const stdin = options.stdin ?? process.stdin;
  const stdout = options.stdout ?? process.stdout;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const transport = new StdioServerTransport(stdin, stdout);

  const owed = new Set<RequestId>();
  let inputClosed = false;
  let ending: Promise<number> | undefined;
  let graceTimer: NodeJS.Timeout | undefined;
  let resolveDone!: (code: number) => void;
  const done = new Promise<number>((r) => (resolveDone = r));

  const end = (code: number): void => {
    ending ??= (async () => {
      if (graceTimer) clearTimeout(graceTimer);
      // Closing the backend's pool waits for its requests in flight; a hung one must not hold the exit.
      await settleWithin(target.close(), CLOSE_WAIT_MS);
      await settleWithin(target.server.close(), CLOSE_WAIT_MS);
      // Everything written so far must reach the client before the process goes.
      await new Promise<void>((r) => (stdout.writableEnded ? r() : stdout.write("", () => r())));
      resolveDone(code);
      exit(code);
      return code;
    })();
  };

  const settle = (id: RequestId): void => {
    owed.delete(id);
    if (inputClosed && owed.size === 0) end(0);
  };

  // Set before connect(): the SDK's Protocol wraps an existing onmessage and calls it first, so a
  // request is counted before its handler starts.
  transport.onmessage = (message) => {
    if (isRequest(message)) owed.add(message.id);
    const cancelled = cancelledId(message);
    if (cancelled !== undefined) settle(cancelled);
  };
  const send = transport.send.bind(transport);
  transport.send = async (message: JSONRPCMessage) => {
    await send(message);
    if (isResponse(message)) settle(message.id);
  };
  // The transport closes itself on unreadable input; the SDK wraps this handler too.
  transport.onclose = () => end(0);

  const onInputEnd = (): void => {
    if (inputClosed) return;
    inputClosed = true;
    if (owed.size === 0) return end(0);
    logger.debug({ owed: owed.size }, "stdin closed; answering the requests already received before exiting");
    graceTimer = setTimeout(() => {
      logger.warn({ unanswered: owed.size, graceMs: options.drainGraceMs }, "stdin closed and requests are still unanswered after the grace period; exiting");
      end(0);
    }, options.drainGraceMs);
  };
  stdin.on("end", onInputEnd);
  stdin.on("close", onInputEnd);
  // The client went away (EPIPE): there is nobody left to answer.
  stdout.on("error", () => end(0));

  await target.server.connect(transport);
  return { stop: (code = 0) => end(code), done };
}
