/**
 * The one HTTP layer every adapter uses: base-URL joining, auth and extra headers, an overall
 * deadline per request, JSON decoding, and failures mapped to BackendError with messages that
 * name the backend and URL and say what to do. Header values never reach a message or a log.
 */
import { gunzipSync, inflateSync } from "node:zlib";
import { Agent, request, type Dispatcher } from "undici";
import { BackendError } from "../errors.js";
import { backendLabel } from "./registry.js";
import type { Logger } from "../logger.js";
import { displayUrl } from "../util/url.js";

// Re-exported: callers imported it from here before it moved to a neutral module.
export { displayUrl };

export type QueryParams = ReadonlyArray<readonly [string, string | number | boolean | undefined | null]>;

export interface HttpClientOptions {
  /** Backend kind, e.g. "jaeger" (its label names it in messages). */
  backend: string;
  baseUrl: string;
  headers: Record<string, string>;
  timeoutMs: number;
  logger: Logger;
  dispatcher?: Dispatcher;
}

export interface HttpResponse {
  status: number;
  /** Parsed JSON, or undefined for an empty body. */
  json: unknown;
  /** The body as text (secrets redacted), only for requests made with `text: true`. */
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

const NETWORK_HINTS: Readonly<Record<string, string>> = {
  ECONNREFUSED: "connection refused",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "DNS lookup failed",
  ECONNRESET: "connection reset",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  UND_ERR_SOCKET: "connection closed by the server",
  UND_ERR_CONNECT_TIMEOUT: "connect timeout",
};

export class HttpClient {
  readonly url: string;
  private readonly label: string;
  private readonly base: URL;
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private readonly secrets: string[];

  constructor(private readonly opts: HttpClientOptions) {
    this.base = new URL(opts.baseUrl);
    this.url = displayUrl(opts.baseUrl);
    this.label = backendLabel(opts.backend);
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
    // Redact whole header values and their credential part ("Bearer <key>" -> "<key>").
    this.secrets = Object.values(opts.headers)
      .flatMap((v) => [v, v.includes(" ") ? v.slice(v.indexOf(" ") + 1).trim() : ""])
      .filter((v) => v.length >= 4)
      .sort((a, b) => b.length - a.length);
    if (this.base.username || this.base.password) {
      this.secrets.push(decodeURIComponent(this.base.password), decodeURIComponent(this.base.username));
    }
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

  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.close();
  }

  /** Removes any secret value that may have been echoed back in a body or error. */
  redact(text: string): string {
    let out = text;
    for (const s of this.secrets) if (s) out = out.split(s).join("[redacted]");
    return out;
  }

  private async send(method: "GET" | "POST", path: string, options: RequestOptions): Promise<HttpResponse> {
    const url = this.buildUrl(path, options.query);
    const what = `${method} ${url.pathname}`;
    const headers: Record<string, string> = { accept: "application/json", ...this.opts.headers };
    if (url.username || url.password) {
      headers.authorization ??= `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString("base64")}`;
      url.username = "";
      url.password = "";
    }
    let payload: string | undefined;
    if (options.body !== undefined) {
      payload = JSON.stringify(options.body);
      headers["content-type"] = "application/json";
    }
    const started = performance.now();
    let status: number;
    let raw: Buffer;
    let encoding: string | undefined;
    try {
      const res = await request(url, {
        method,
        headers,
        body: payload,
        dispatcher: this.dispatcher,
        signal: AbortSignal.timeout(this.opts.timeoutMs),
      });
      status = res.statusCode;
      const enc = res.headers["content-encoding"];
      encoding = Array.isArray(enc) ? enc[0] : enc;
      raw = Buffer.from(await res.body.arrayBuffer());
    } catch (err) {
      throw this.transportError(err, what);
    }
    const ms = Math.round(performance.now() - started);
    this.opts.logger.debug({ backend: this.opts.backend, method, path: url.pathname, status, ms, bytes: raw.length }, "backend request");
    const body = decode(raw, encoding);
    if (status < 200 || status >= 300) {
      if (options.allowStatus?.includes(status)) {
        return { status, json: tryParse(body), bytes: raw.length };
      }
      throw this.statusError(status, what, body);
    }
    if (options.text) return { status, json: undefined, text: this.redact(body), bytes: raw.length };
    if (body.trim() === "") return { status, json: undefined, bytes: raw.length };
    try {
      return { status, json: JSON.parse(body), bytes: raw.length };
    } catch {
      throw new BackendError(
        this.opts.backend,
        "invalid_response",
        `${this.label} at ${this.url} returned a response that is not valid JSON for ${what} ` +
          `(starts with ${JSON.stringify(this.redact(body.slice(0, 80)))}). ` +
          `Check that the URL points to the ${this.label} query API, not a UI page or a proxy.`,
        status,
      );
    }
  }

  private transportError(err: unknown, what: string): BackendError {
    const e = err as { name?: string; code?: string; cause?: { code?: string }; message?: string };
    if (e?.name === "TimeoutError" || e?.code === "UND_ERR_HEADERS_TIMEOUT" || e?.code === "UND_ERR_BODY_TIMEOUT") {
      return new BackendError(
        this.opts.backend,
        "timeout",
        `${this.label} at ${this.url} did not answer ${what} within ${this.opts.timeoutMs / 1000}s. ` +
          `The backend may be overloaded or the query too broad: narrow the time range or filters, ` +
          `or raise the timeout (--timeout / BACKEND_TIMEOUT).`,
        undefined,
        { cause: err },
      );
    }
    const code = e?.code ?? e?.cause?.code ?? "";
    const reason = NETWORK_HINTS[code] ?? (this.redact(e?.message ?? String(err)) || "network error");
    return new BackendError(
      this.opts.backend,
      "network",
      `Cannot reach ${this.label} at ${this.url} (${reason}) for ${what}. ` +
        `Check that the backend is running and that --url / BACKEND_URL points to it.`,
      undefined,
      { cause: err },
    );
  }

  private statusError(status: number, what: string, body: string): BackendError {
    const snippet = this.redact(body.replace(/\s+/g, " ").trim().slice(0, 200));
    const detail = snippet ? `: ${snippet}` : "";
    if (status === 401 || status === 403) {
      return new BackendError(
        this.opts.backend,
        "auth",
        `${this.label} at ${this.url} rejected ${what} with HTTP ${status} (${status === 401 ? "unauthorized" : "forbidden"})${detail}. ` +
          `Check the API key (--api-key / BACKEND_API_KEY) and any extra headers (--header / BACKEND_HEADERS).`,
        status,
      );
    }
    if (status === 404) {
      return new BackendError(
        this.opts.backend,
        "not_found",
        `${this.label} at ${this.url} answered HTTP 404 for ${what}${detail}. ` +
          `Check that --url / BACKEND_URL is the ${this.label} API base URL.`,
        status,
      );
    }
    return new BackendError(
      this.opts.backend,
      "http",
      `${this.label} at ${this.url} returned HTTP ${status} for ${what}${detail}. ` +
        (status >= 500 ? "The backend failed; retry later or narrow the query." : "Check the query parameters."),
      status,
    );
  }
}

function decode(raw: Buffer, encoding: string | undefined): string {
  try {
    if (encoding === "gzip") return gunzipSync(raw).toString("utf8");
    if (encoding === "deflate") return inflateSync(raw).toString("utf8");
  } catch {
    // fall through: treat as plain bytes, JSON parsing will report the problem
  }
  return raw.toString("utf8");
}

function tryParse(body: string): unknown {
  if (body.trim() === "") return undefined;
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}
