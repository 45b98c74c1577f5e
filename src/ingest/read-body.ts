/**
 * Reads an HTTP request body under a byte limit, before and after decompression. The limit on
 * the decompressed size is what stops a gzip bomb: zlib aborts as soon as its output passes the
 * limit (maxOutputLength), so memory stays bounded by the limit, not by the bomb.
 */
import type { IncomingMessage } from "node:http";
import { promisify } from "node:util";
import { gunzip, inflate, inflateRaw, type ZlibOptions } from "node:zlib";
import type { BodyCoding } from "./request-format.js";

const gunzipAsync = promisify<Buffer, ZlibOptions, Buffer>(gunzip);
const inflateAsync = promisify<Buffer, ZlibOptions, Buffer>(inflate);
const inflateRawAsync = promisify<Buffer, ZlibOptions, Buffer>(inflateRaw);

/** A body the receiver refuses: 413 (too large) or 400 (not decodable). */
export class BodyError extends Error {
  override name = "BodyError";
  constructor(
    readonly status: 400 | 413,
    message: string,
  ) {
    super(message);
  }
}

function tooLarge(maxBytes: number): BodyError {
  return new BodyError(413, `the request body exceeds the receiver's limit of ${maxBytes} bytes (after decompression)`);
}

function isTooLarge(err: unknown): boolean {
  return (err as { code?: unknown }).code === "ERR_BUFFER_TOO_LARGE";
}

async function decompress(raw: Buffer, coding: BodyCoding, maxBytes: number): Promise<Buffer> {
  const options = { maxOutputLength: maxBytes };
  try {
    if (coding === "gzip") return await gunzipAsync(raw, options);
    try {
      return await inflateAsync(raw, options);
    } catch (err) {
      // "deflate" should be zlib-wrapped (RFC 9110), but some clients send raw deflate.
      if (isTooLarge(err)) throw err;
      return await inflateRawAsync(raw, options);
    }
  } catch (err) {
    if (isTooLarge(err)) throw tooLarge(maxBytes);
    throw new BodyError(400, `the request body is not valid ${coding} data`);
  }
}

/**
 * The wire bytes, up to `maxBytes`. Past the limit the rest is drained and dropped rather than the
 * stream destroyed: destroying the request would kill the socket before the 413 gets out.
 */
function readRaw(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on("data", (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > maxBytes) {
        over = true;
        chunks.length = 0;
        reject(tooLarge(maxBytes));
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)));
    req.on("error", reject);
    // A client that hangs up mid-body: settle, or the handler would wait forever (no-op once settled).
    req.on("close", () => reject(new BodyError(400, "the request body was cut off")));
  });
}

/**
 * The decoded body. Rejects with BodyError(413) as soon as the wire bytes or the decompressed
 * bytes pass `maxBytes`, and with BodyError(400) for a corrupt compressed body.
 */
export async function readBody(req: IncomingMessage, coding: BodyCoding, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > maxBytes) {
    req.resume();
    throw tooLarge(maxBytes);
  }
  const raw = await readRaw(req, maxBytes);
  return coding === "identity" ? raw : decompress(raw, coding, maxBytes);
}
