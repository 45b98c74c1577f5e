/**
 * An OTLP/HTTP trace receiver, as a Collector's `otlp` receiver answers: POST /v1/traces with
 * protobuf or JSON, optionally gzip/deflate, answered in the request's encoding.
 *
 * Durability: 200 is sent only after the sink has stored every accepted span of the request in one
 * `append` call (the store resolves once they are fsync'd), so an acknowledged export survives a
 * crash; a failing sink yields 503 + Retry-After, which OTLP exporters retry. Spans that fail
 * validation are reported in `partial_success` and the rest is stored. Nothing a client sends can
 * crash the process: every failure becomes a status code.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "../logger.js";
import { decodeExportRequest } from "../otlp/decode.js";
import { OtlpDecodeError, rejectionMessage, type DecodedSpans } from "../otlp/decoded-spans.js";
import { CONTENT_TYPES, encodeExportResponse, encodeRpcStatus, RPC_CODE, type OtlpEncoding } from "../otlp/export-response.js";
import { bearerTokenMatches } from "./bearer-auth.js";
import { receiverExposureWarnings } from "./exposure.js";
import { BodyError, readBody } from "./read-body.js";
import { bodyCodingOf, otlpEncodingOf } from "./request-format.js";
import type { SpanSink } from "./span-sink.js";

export const TRACES_PATH = "/v1/traces";
/** The default body limit, applied to the wire bytes and again to the decompressed bytes. */
export const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;
/** What a 503 tells exporters to wait before retrying. */
export const RETRY_AFTER_SECONDS = 2;
/** How long close() lets in-flight exports finish before cutting their connections. */
const CLOSE_GRACE_MS = 5_000;

export interface OtlpReceiverOptions {
  host: string;
  /** 0 picks any free port. */
  port: number;
  sink: SpanSink;
  logger: Logger;
  maxBodyBytes?: number;
  /** When set, every request needs `Authorization: Bearer <authToken>`. */
  authToken?: string;
}

export interface RunningOtlpReceiver {
  /** Base URL; exporters post to `${url}/v1/traces`. */
  url: string;
  port: number;
  close(): Promise<void>;
}

class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly rpcCode: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

function send(res: ServerResponse, status: number, encoding: OtlpEncoding, body: Buffer, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  res.writeHead(status, { "content-type": CONTENT_TYPES[encoding], "content-length": String(body.length), ...headers });
  res.end(body);
}

function notFoundMessage(path: string): string {
  if (path === "/v1/logs" || path === "/v1/metrics") return `${path} is not supported: this receiver accepts traces only (POST ${TRACES_PATH})`;
  return `not found: the OTLP traces endpoint is POST ${TRACES_PATH}`;
}

function urlOf(host: string, port: number): string {
  return `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
}

export async function startOtlpReceiver(options: OtlpReceiverOptions): Promise<RunningOtlpReceiver> {
  const { sink, logger, authToken } = options;
  const maxBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (!Number.isSafeInteger(maxBytes) || maxBytes <= 0) throw new RangeError(`maxBodyBytes must be a positive integer, got ${maxBytes}`);

  /** Everything up to a decoded request; throws Refusal for what the client must fix. */
  const decodeRequest = async (req: IncomingMessage, encoding: OtlpEncoding | undefined): Promise<{ encoding: OtlpEncoding; decoded: DecodedSpans }> => {
    const path = (req.url ?? "/").split("?", 1)[0]!;
    if (path !== TRACES_PATH) throw new Refusal(404, RPC_CODE.NOT_FOUND, notFoundMessage(path));
    if (req.method !== "POST") throw new Refusal(405, RPC_CODE.UNIMPLEMENTED, `${TRACES_PATH} accepts POST only`, { allow: "POST" });
    if (authToken !== undefined && !bearerTokenMatches(req.headers.authorization, authToken)) {
      throw new Refusal(401, RPC_CODE.UNAUTHENTICATED, "unauthorized: send 'Authorization: Bearer <token>' with the receiver's auth token", {
        "www-authenticate": 'Bearer realm="opentelemetry-mcp"',
      });
    }
    if (!encoding) {
      throw new Refusal(415, RPC_CODE.INVALID_ARGUMENT, `unsupported content type '${req.headers["content-type"] ?? ""}': send application/x-protobuf or application/json`);
    }
    const coding = bodyCodingOf(req.headers["content-encoding"]);
    if (!coding) throw new Refusal(415, RPC_CODE.INVALID_ARGUMENT, `unsupported content encoding '${req.headers["content-encoding"]}': send gzip, deflate or none`);
    let body: Buffer;
    try {
      body = await readBody(req, coding, maxBytes);
    } catch (err) {
      if (err instanceof BodyError) {
        const code = err.status === 413 ? RPC_CODE.RESOURCE_EXHAUSTED : RPC_CODE.INVALID_ARGUMENT;
        throw new Refusal(err.status, code, err.message, err.status === 413 ? { connection: "close" } : {});
      }
      throw err;
    }
    try {
      return { encoding, decoded: decodeExportRequest(encoding, body) };
    } catch (err) {
      if (err instanceof OtlpDecodeError) throw new Refusal(400, RPC_CODE.INVALID_ARGUMENT, err.message);
      throw err;
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const requested = otlpEncodingOf(req.headers["content-type"]);
    // Error bodies use the request's encoding when it names one, else JSON.
    const replyEncoding = requested ?? "json";
    try {
      const { encoding, decoded } = await decodeRequest(req, requested);
      if (decoded.spans.length > 0) {
        try {
          await sink.append(decoded.spans);
        } catch (err) {
          logger.error({ err: err instanceof Error ? err.message : String(err), spans: decoded.spans.length }, "OTLP receiver: storing spans failed; answered 503 so the exporter retries");
          throw new Refusal(503, RPC_CODE.UNAVAILABLE, "the trace store could not save the spans; retry later", { "retry-after": String(RETRY_AFTER_SECONDS) });
        }
      }
      const message = rejectionMessage(decoded);
      if (decoded.rejected > 0) logger.warn({ accepted: decoded.spans.length, rejected: decoded.rejected, reasons: decoded.reasons }, "OTLP receiver: rejected invalid spans");
      send(res, 200, encoding, encodeExportResponse(encoding, decoded.rejected, message));
    } catch (err) {
      if (err instanceof Refusal) {
        if (err.status < 500) logger.debug({ status: err.status, message: err.message }, "OTLP receiver: refused a request");
        send(res, err.status, replyEncoding, encodeRpcStatus(replyEncoding, err.rpcCode, err.message), err.headers);
        return;
      }
      logger.error({ err: err instanceof Error ? err.message : String(err) }, "OTLP receiver: unexpected failure");
      send(res, 500, replyEncoding, encodeRpcStatus(replyEncoding, RPC_CODE.INTERNAL, "internal error"));
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => logger.error({ err: err instanceof Error ? err.message : String(err) }, "OTLP receiver: could not answer"));
  });

  await new Promise<void>((resolve, reject) => {
    // A busy port rejects with the listen error itself (code EADDRINUSE): the caller decides.
    const onError = (err: Error): void => reject(err);
    server.once("error", onError);
    server.listen(options.port, options.host, () => {
      server.off("error", onError);
      resolve();
    });
  });
  server.on("error", (err) => logger.error({ err: err.message }, "OTLP receiver: server error"));

  const port = (server.address() as AddressInfo).port;
  const url = urlOf(options.host, port);
  for (const warning of receiverExposureWarnings(options.host, port, authToken)) logger.warn(warning);
  logger.info({ url: `${url}${TRACES_PATH}`, maxBodyBytes: maxBytes, auth: authToken !== undefined }, "OTLP receiver listening");

  return {
    url,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // In-flight exports get a grace period to reach the sink and be answered.
        setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS).unref();
      }),
  };
}
