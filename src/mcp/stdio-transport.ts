/**
 * The SDK's stdio transport (MCP SDK 1.32.2) with one addition, until the SDK does it itself: a
 * request whose message the SDK's schema rejects (e.g. `"params": 5`) is dropped by the SDK
 * without an answer, so the client waits for its own timeout. Lines are read here first; such a
 * request gets the JSON-RPC error (see jsonrpc-guard.ts) and every other line reaches the SDK
 * byte for byte, so all else stays SDK behaviour.
 */
import process from "node:process";
import { Transform, type Readable, type TransformCallback, type Writable } from "node:stream";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { invalidRequestError, type JsonRpcErrorMessage } from "./jsonrpc-guard.js";

/** Longer lines are passed to the SDK unread (its own buffer limit, 10 MB, then applies). */
const MAX_CHECKED_LINE_BYTES = 16 * 1024 * 1024;

/** Splits the input into lines and answers the requests the SDK would drop. */
class JsonRpcLineGuard extends Transform {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(private readonly answer: (message: JsonRpcErrorMessage) => void) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    let start = 0;
    let nl: number;
    while ((nl = chunk.indexOf(0x0a, start)) !== -1) {
      const tail = chunk.subarray(start, nl + 1);
      const line = this.pending.length > 0 ? Buffer.concat([...this.pending, tail]) : tail;
      this.pending = [];
      this.pendingBytes = 0;
      this.forward(line);
      start = nl + 1;
    }
    if (start < chunk.length) {
      this.pending.push(chunk.subarray(start));
      this.pendingBytes += chunk.length - start;
      if (this.pendingBytes > MAX_CHECKED_LINE_BYTES) {
        for (const part of this.pending) this.push(part);
        this.pending = [];
        this.pendingBytes = 0;
      }
    }
    done();
  }

  override _flush(done: TransformCallback): void {
    for (const part of this.pending) this.push(part);
    done();
  }

  private forward(line: Buffer): void {
    let value: unknown;
    try {
      value = JSON.parse(line.toString("utf8"));
    } catch {
      this.push(line); // not JSON: the SDK reports it as it always has
      return;
    }
    const error = invalidRequestError(value);
    if (error) this.answer(error);
    else this.push(line);
  }
}

export class GuardedStdioServerTransport extends StdioServerTransport {
  constructor(stdin: Readable = process.stdin, stdout: Writable = process.stdout) {
    const guard = new JsonRpcLineGuard((message) => stdout.write(`${JSON.stringify(message)}\n`));
    stdin.on("error", (err) => guard.destroy(err));
    stdin.pipe(guard);
    super(guard, stdout);
  }
}

/** Under the SDK's name, so the CLI swaps transports by changing one import path. */
export { GuardedStdioServerTransport as StdioServerTransport };
