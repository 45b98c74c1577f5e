/**
 * The one HTTP layer every adapter uses: base-URL joining, auth and extra headers, an overall
 * deadline per request, bounded reading and decoding of bodies, and failures mapped to
 * BackendError with messages that name the backend and URL and say what to do. Header values
 * (and the Basic credential built from URL userinfo) never reach a message or a log: texts are
 * redacted whole, before any cut.
 */
import { pipeline, Readable, type Transform } from "node:stream";
import {
  brotliDecompressSync,
  constants as zlib,
  createBrotliDecompress,
  createGunzip,
  createInflate,
  createInflateRaw,
  gunzipSync,
  inflateRawSync,
  inflateSync,
  type ZlibOptions,
} from "node:zlib";
import { Agent, request, type Dispatcher } from "undici";
import { BackendError } from "../errors.js";
import { JsonSyntaxError } from "./json-array-stream.js";
import { backendLabel } from "./registry.js";
import type { Logger } from "../logger.js";
import { displayUrl } from "../util/url.js";

// Re-exported: callers imported it from here before it moved to a neutral module.
export { displayUrl };
import { headerSecrets, SecretRedactor } from "./secret-redactor.js";
import {
  header,
  networkError,
  notJsonError,
  REDACT_WINDOW_CHARS,
  retryAfterSeconds,
  snippet,
  statusError,
  timeoutError,
  tooLargeError,
  undecodableError,
  type ErrorSite,
} from "./http-errors.js";

// Re-exported: callers and tests import it from here.
export { retryAfterSeconds };

export type QueryParams = ReadonlyArray<readonly [string, string | number | boolean | undefined | null]>;

export interface HttpClientOptions {
  /** Backend kind, e.g. "jaeger" (its label names it in messages). */
  backend: string;
  baseUrl: string;
  headers: Record<string, string>;
  timeoutMs: number;
  logger: Logger;
  dispatcher?: Dispatcher;
  /** Largest body one response may have, in bytes, also after decompression (default 64 MiB). */
  maxResponseBytes?: number;
}

const MIB = 1024 * 1024;
/** 1,000 Jaeger traces of 30 spans are about 13 MB: 64 MiB leaves room without risking the process. */
export const DEFAULT_MAX_RESPONSE_BYTES = 64 * MIB;
/** Bodies of failed requests are read this far: a snippet needs no more. */
const ERROR_BODY_BYTES = 64 * 1024;

export interface HttpResponse {
  status: number;
  /** Parsed JSON, or undefined for an empty body. */
  json: unknown;
  /** The body as text (its first 64 Ki characters, secrets redacted), only for requests made with `text: true`. */
  text?: string;
  bytes: number;
}

export interface RequestOptions {
  query?: QueryParams;
  body?: unknown;
  /** Non-2xx statuses the caller handles itself (e.g. 404 for an unknown trace). */
  allowStatus?: readonly number[];
  /** Plain-text endpoints (e.g. Tempo's /ready): return the 2xx body as `text`, do not parse JSON. */
  text?: boolean;
}

type Decoder = (raw: Buffer, options: ZlibOptions & { maxOutputLength: number }) => Buffer;

/** HTTP's "deflate" is zlib-wrapped, but some servers send raw deflate. */
const inflateAny: Decoder = (raw, options) => {
  try {
    return inflateSync(raw, options);
  } catch (err) {
    if ((err as { code?: string }).code !== "Z_DATA_ERROR") throw err;
    return inflateRawSync(raw, options);
  }
};

const DECODERS: Readonly<Record<string, Decoder>> = {
  gzip: gunzipSync,
  "x-gzip": gunzipSync,
  deflate: inflateAny,
  br: brotliDecompressSync,
};

/** Streaming decoders; "deflate" picks zlib-wrapped or raw from the first bytes. */
const STREAM_DECODERS: Readonly<Record<string, (head: Buffer) => Transform>> = {
  gzip: () => createGunzip(),
  "x-gzip": () => createGunzip(),
  // A zlib header: deflate method (CM 8) and a header checksum that is a multiple of 31.
  deflate: (head) => (head.length >= 2 && (head[0]! & 0x0f) === 8 && ((head[0]! << 8) | head[1]!) % 31 === 0 ? createInflate() : createInflateRaw()),
  br: () => createBrotliDecompress(),
};

/** Reads a body as it arrives (see json-array-stream.ts): push each decoded chunk, then end. */
export interface BodyConsumer<T> {
  push(chunk: Buffer): void;
  end(): T;
}

type Headers = Record<string, string | string[] | undefined>;

export class HttpClient {
  readonly url: string;
  private readonly label: string;
  private readonly base: URL;
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  /** Every header we send besides accept / content-type: the configured ones and Basic auth from URL userinfo. */
  private readonly headers: Record<string, string>;
  private readonly redactor: SecretRedactor;
  private readonly maxBytes: number;

  constructor(private readonly opts: HttpClientOptions) {
    this.base = new URL(opts.baseUrl);
    this.url = displayUrl(opts.baseUrl);
    this.label = backendLabel(opts.backend);
    this.maxBytes = opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    this.ownsDispatcher = !opts.dispatcher;
    this.dispatcher =
      opts.dispatcher ??
      new Agent({
        keepAliveTimeout: 10_000,
        connect: { timeout: opts.timeoutMs },
        // The AbortSignal below is the real deadline; these are backstops.
        headersTimeout: opts.timeoutMs + 1000,
        bodyTimeout: opts.timeoutMs + 1000,
      });
    this.headers = { ...opts.headers };
    const userinfo: string[] = [];
    if (this.base.username || this.base.password) {
      const user = decodeURIComponent(this.base.username);
      const password = decodeURIComponent(this.base.password);
      userinfo.push(user, password);
      // URL credentials are sent as basic auth unless an Authorization header is configured.
      if (!Object.keys(this.headers).some((k) => k.toLowerCase() === "authorization")) {
        this.headers.authorization = `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
      }
      this.base.username = "";
      this.base.password = "";
    }
    // Every value we send is a secret (tokens, tenant ids, the Basic credential), and so is the userinfo.
    this.redactor = new SecretRedactor([...Object.values(this.headers).flatMap(headerSecrets), ...userinfo]);
  }

  /** Builds the request URL: base path + path (a base of http://h/prefix keeps /prefix). */
  buildUrl(path: string, query?: QueryParams): URL {
    const u = new URL(this.base.toString());
    u.pathname = u.pathname.replace(/\/+$/, "") + (path.startsWith("/") ? path : `/${path}`);
    u.search = "";
    const params = new URLSearchParams();
    for (const [k, v] of query ?? []) {
      if (v !== undefined && v !== null) params.append(k, String(v));
    }
    const qs = params.toString();
    if (qs) u.search = `?${qs}`;
    return u;
  }

  get(path: string, options: Omit<RequestOptions, "body"> = {}): Promise<HttpResponse> {
    return this.send("GET", path, options);
  }

  post(path: string, body: unknown, options: Omit<RequestOptions, "body"> = {}): Promise<HttpResponse> {
    return this.send("POST", path, { ...options, body });
  }

  /**
   * GET whose 2xx body is handed to `consumer` chunk by chunk as it arrives (decompressed on the
   * fly), never held whole: for answers too large to buffer, parse and map at once. The size limit
   * counts raw and decoded bytes; a consumer's JsonSyntaxError is an invalid response naming the
   * backend and URL; statuses, timeouts and redaction are those of `get`.
   */
  async stream<T>(path: string, options: { query?: QueryParams }, consumer: BodyConsumer<T>): Promise<{ status: number; value: T; bytes: number }> {
    const url = this.buildUrl(path, options.query);
    const what = `GET ${url.pathname}`;
    const started = performance.now();
    let res: Dispatcher.ResponseData;
    try {
      res = await request(url, {
        method: "GET",
        headers: { accept: "application/json", ...this.headers },
        dispatcher: this.dispatcher,
        signal: AbortSignal.timeout(this.opts.timeoutMs),
      });
    } catch (err) {
      throw this.transportError(err, what);
    }
    const status = res.statusCode;
    const encoding = (header(res.headers, "content-encoding") ?? "").trim().toLowerCase();
    if (status < 200 || status >= 300) {
      let raw: Buffer;
      try {
        raw = await this.readBody(res, what, false);
      } catch (err) {
        if (err instanceof BackendError) throw err;
        throw this.transportError(err, what);
      }
      throw this.statusError(status, what, this.decodeLeniently(raw, encoding), res.headers, url);
    }
    const declared = Number(header(res.headers, "content-length"));
    if (Number.isFinite(declared) && declared > this.maxBytes) {
      res.body.destroy();
      throw this.tooLarge(what, declared);
    }
    const makeDecoder = encoding === "" || encoding === "identity" ? undefined : STREAM_DECODERS[encoding];
    if (encoding !== "" && encoding !== "identity" && !makeDecoder) {
      res.body.destroy();
      throw this.undecodable(what, encoding, status, "this server cannot decode (it understands gzip, deflate and br)");
    }
    let rawBytes = 0;
    let decodedBytes = 0;
    let head = "";
    const limit = this.maxBytes;
    const tooLarge = (): BackendError => this.tooLarge(what);
    const body = res.body as AsyncIterable<Buffer> & { destroy(): void };
    async function* counted(): AsyncGenerator<Buffer> {
      for await (const chunk of body) {
        rawBytes += chunk.length;
        if (rawBytes > limit) throw tooLarge();
        yield chunk;
      }
    }
    let decoder: Transform | undefined;
    try {
      let chunks: AsyncIterable<Buffer> = counted();
      if (makeDecoder) {
        const it = counted();
        const first = await it.next();
        const firstChunk = first.done ? Buffer.alloc(0) : first.value;
        decoder = makeDecoder(firstChunk);
        const source = Readable.from(
          (async function* () {
            if (!first.done) yield firstChunk;
            yield* it;
          })(),
        );
        chunks = pipeline(source, decoder, () => undefined) as unknown as AsyncIterable<Buffer>;
      }
      for await (const chunk of chunks) {
        decodedBytes += chunk.length;
        if (decodedBytes > limit) throw tooLarge();
        if (head.length < 1024) head += chunk.subarray(0, 1024).toString("utf8");
        consumer.push(chunk);
      }
      const value = consumer.end();
      const ms = Math.round(performance.now() - started);
      this.opts.logger.debug({ backend: this.opts.backend, method: "GET", path: url.pathname, status, ms, bytes: rawBytes, streamed: true }, "backend request");
      return { status, value, bytes: rawBytes };
    } catch (err) {
      body.destroy();
      decoder?.destroy();
      if (err instanceof BackendError) throw err;
      if (err instanceof JsonSyntaxError) {
        throw notJsonError(this.site, what, head, status);
      }
      const code = (err as { code?: string }).code ?? "";
      if (decoder && code.startsWith("Z_")) throw this.undecodable(what, encoding, status, `does not decode as ${encoding}`);
      throw this.transportError(err, what);
    }
  }

  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.close();
  }

  /** Removes any secret (whole, encoded, or a long enough part of it) that may have been echoed back. */
  redact(text: string): string {
    return this.redactor.redact(text);
  }

  private async send(method: "GET" | "POST", path: string, options: RequestOptions): Promise<HttpResponse> {
    const url = this.buildUrl(path, options.query);
    const what = `${method} ${url.pathname}`;
    const headers: Record<string, string> = { accept: "application/json", ...this.headers };
    let payload: string | undefined;
    if (options.body !== undefined) {
      payload = JSON.stringify(options.body);
      headers["content-type"] = "application/json";
    }
    const started = performance.now();
    let status: number;
    let resHeaders: Headers;
    let raw: Buffer;
    let ok: boolean;
    try {
      const res = await request(url, {
        method,
        headers,
        body: payload,
        dispatcher: this.dispatcher,
        signal: AbortSignal.timeout(this.opts.timeoutMs),
      });
      status = res.statusCode;
      resHeaders = res.headers;
      ok = (status >= 200 && status < 300) || options.allowStatus?.includes(status) === true;
      raw = await this.readBody(res, what, ok);
    } catch (err) {
      if (err instanceof BackendError) throw err;
      throw this.transportError(err, what);
    }
    const ms = Math.round(performance.now() - started);
    this.opts.logger.debug({ backend: this.opts.backend, method, path: url.pathname, status, ms, bytes: raw.length }, "backend request");
    const encoding = header(resHeaders, "content-encoding");
    if (!ok) throw this.statusError(status, what, this.decodeLeniently(raw, encoding), resHeaders, url);
    const body = this.decode(raw, encoding, what, status);
    if (status < 200 || status >= 300) return { status, json: tryParse(body), bytes: raw.length };
    if (options.text) return { status, json: undefined, text: this.redact(body.slice(0, REDACT_WINDOW_CHARS)), bytes: raw.length };
    if (body.trim() === "") return { status, json: undefined, bytes: raw.length };
    try {
      return { status, json: JSON.parse(body), bytes: raw.length };
    } catch {
      throw notJsonError(this.site, what, body, status);
    }
  }

  /**
   * Reads the body, counting bytes as they arrive: past the limit the connection is dropped and
   * the answer fails (a declared Content-Length over it fails before reading). The body of a
   * failed request is only needed for a snippet, so it is read up to ERROR_BODY_BYTES and cut.
   */
  private async readBody(res: Dispatcher.ResponseData, what: string, wanted: boolean): Promise<Buffer> {
    const limit = wanted ? this.maxBytes : ERROR_BODY_BYTES;
    const declared = Number(header(res.headers, "content-length"));
    if (wanted && Number.isFinite(declared) && declared > limit) {
      res.body.destroy();
      throw this.tooLarge(what, declared);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) {
        res.body.destroy();
        if (wanted) throw this.tooLarge(what);
        chunks.push(chunk.subarray(0, chunk.length - (size - limit)));
        break;
      }
      chunks.push(chunk);
    }
    return Buffer.concat(chunks);
  }

  /** The body as text, decompressed within the size limit; a body that does not decode is an invalid response. */
  private decode(raw: Buffer, encoding: string | undefined, what: string, status: number): string {
    const enc = (encoding ?? "").trim().toLowerCase();
    if (enc === "" || enc === "identity") return raw.toString("utf8");
    const decoder = DECODERS[enc];
    if (!decoder) throw this.undecodable(what, enc, status, "this server cannot decode (it understands gzip, deflate and br)");
    try {
      return decoder(raw, { maxOutputLength: this.maxBytes }).toString("utf8");
    } catch (err) {
      if ((err as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") throw this.tooLarge(what);
      throw this.undecodable(what, enc, status, `does not decode as ${enc}`);
    }
  }

  private undecodable(what: string, enc: string, status: number, why: string): BackendError {
    return undecodableError(this.site, what, enc, status, why);
  }

  /** For error snippets: whatever decodes (a cut body decodes up to the cut), else the raw text. */
  private decodeLeniently(raw: Buffer, encoding: string | undefined): string {
    const decoder = DECODERS[(encoding ?? "").trim().toLowerCase()];
    if (decoder) {
      try {
        return decoder(raw, { maxOutputLength: ERROR_BODY_BYTES, finishFlush: zlib.Z_SYNC_FLUSH }).toString("utf8");
      } catch {
        // fall through: the raw bytes are still the best description we have
      }
    }
    return raw.toString("utf8");
  }

  private get site(): ErrorSite {
    return { backend: this.opts.backend, label: this.label, url: this.url, redact: (t) => this.redact(t) };
  }

  /** A redacted, whitespace-collapsed start of `body`: redacted whole first, so no cut splits a secret. */
  private snippet(body: string, max: number): string {
    return snippet(this.site, body, max);
  }

  private tooLarge(what: string, declaredBytes?: number): BackendError {
    return tooLargeError(this.site, what, this.maxBytes, declaredBytes);
  }

  private transportError(err: unknown, what: string): BackendError {
    const e = err as { name?: string; code?: string };
    if (e?.name === "TimeoutError" || e?.code === "UND_ERR_HEADERS_TIMEOUT" || e?.code === "UND_ERR_BODY_TIMEOUT") {
      return timeoutError(this.site, what, this.opts.timeoutMs, err);
    }
    return networkError(this.site, what, err);
  }

  private statusError(status: number, what: string, body: string, headers: Headers, requestUrl: URL): BackendError {
    return statusError(this.site, status, what, body, headers, requestUrl);
  }
}

function tryParse(body: string): unknown {
  if (body.trim() === "") return undefined;
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}
