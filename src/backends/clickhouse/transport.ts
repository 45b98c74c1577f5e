/**
 * ClickHouse's HTTP interface through the official client (@clickhouse/client), bounded and
 * parameterized: every query is a read (SELECT), every value a `{name:Type}` parameter sent as
 * `param_<name>`, every query capped by max_execution_time, max_result_rows / max_result_bytes
 * (result_overflow_mode=throw) and a client deadline, every answer read within the response size
 * limit. Failures become BackendErrors naming ClickHouse and the URL (http-errors.ts), with every
 * credential redacted: the password, the API key, header values and the Basic credential.
 *
 * The client's `exec` with ignore_error_response hands back status, headers and the raw body of
 * every answer, so a gateway's 429, 503, redirect or HTML page is reported as precisely as
 * HttpClient reports it for the other backends, and ClickHouse's own exceptions (`Code: 60.
 * DB::Exception: ... (UNKNOWN_TABLE)`) say what to fix.
 *
 * Credentials: the user is the URL's (http://user@host:8123), else `default`; the password is
 * BACKEND_API_KEY (--api-key), else the URL's password. Both go as HTTP basic auth. A configured
 * Authorization or X-ClickHouse-User/-Key header (--header) is sent instead of basic auth.
 */
import { randomUUID } from "node:crypto";
import type { Readable } from "node:stream";
import { brotliDecompressSync, gunzipSync, inflateRawSync, inflateSync, type ZlibOptions } from "node:zlib";
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from "@clickhouse/client";
import { BackendError } from "../../errors.js";
import type { Logger } from "../../logger.js";
import type { ParamMap } from "../../store/sql/params.js";
import { displayUrl } from "../../util/url.js";
import { DEFAULT_MAX_RESPONSE_BYTES } from "../http-client.js";
import {
  header,
  networkError,
  notJsonError,
  snippet,
  statusError,
  timeoutError,
  tooLargeError,
  undecodableError,
  type ErrorSite,
} from "../http-errors.js";
import { headerSecrets, SecretRedactor } from "../secret-redactor.js";

export interface ClickHouseTransportOptions {
  url: string;
  apiKey?: string;
  headers: Record<string, string>;
  timeoutMs: number;
  logger: Logger;
  maxResponseBytes?: number;
  /** Rows one answer may have before ClickHouse fails the query (default 1,000,000). */
  maxResultRows?: number;
}

/** One JSON-format answer: the rows, and the WITH TOTALS row when the query asked for one. */
export interface SelectResult<T> {
  rows: T[];
  totals?: T;
}

const DEFAULT_MAX_RESULT_ROWS = 1_000_000;
/** Bodies of failed requests are read this far: a snippet needs no more. */
const ERROR_BODY_BYTES = 64 * 1024;
const AUTH_ADVICE =
  "Check the ClickHouse credentials: BACKEND_API_KEY (--api-key) is the password of the user named in the URL " +
  "(http://USER@host:8123, default 'default'); or send your own Authorization / X-ClickHouse-User and X-ClickHouse-Key headers (--header / BACKEND_HEADERS).";
const TABLE_ADVICE =
  "Check --clickhouse-database (CLICKHOUSE_DATABASE, default otel), --clickhouse-traces-table (CLICKHOUSE_TRACES_TABLE, default otel_traces) and " +
  "--clickhouse-trace-id-table (CLICKHOUSE_TRACE_ID_TABLE, default otel_traces_trace_id_ts): the Collector's clickhouseexporter creates them " +
  "(create_schema: true), and the user needs SELECT on them.";

type Decoder = (raw: Buffer, options: ZlibOptions & { maxOutputLength: number }) => Buffer;
const DECODERS: Readonly<Record<string, Decoder>> = {
  gzip: gunzipSync,
  "x-gzip": gunzipSync,
  deflate: (raw, o) => {
    try {
      return inflateSync(raw, o);
    } catch (err) {
      if ((err as { code?: string }).code !== "Z_DATA_ERROR") throw err;
      return inflateRawSync(raw, o);
    }
  },
  br: brotliDecompressSync,
};

/** A ClickHouse exception in an answer body: `Code: 60. DB::Exception: ... (UNKNOWN_TABLE)`. */
interface Exception {
  code: number;
  name: string | undefined;
}

function exceptionOf(body: string, codeHeader: string | undefined): Exception | undefined {
  const m = /Code: (\d+)\. DB::Exception: /.exec(body);
  const code = codeHeader !== undefined && /^\d+$/.test(codeHeader) ? Number(codeHeader) : m ? Number(m[1]) : undefined;
  if (code === undefined) return undefined;
  const name = /\(([A-Z][A-Z0-9_]+)\)(?: \(version [^)]*\))?\s*$/.exec(body.trim())?.[1];
  return { code, name };
}

const UNKNOWN_TABLE = new Set([60, 81]);
const TIMEOUT_EXCEEDED = 159;
const TOO_MANY_ROWS = new Set([158, 396]);
const ACCESS_DENIED = 497;

export class ClickHouseTransport {
  /** Base URL for messages (credentials stripped). */
  readonly url: string;
  /** Queries sent so far (benchmarks and tests count them). */
  queries = 0;
  private readonly client: ClickHouseClient;
  private readonly redactor: SecretRedactor;
  private readonly site: ErrorSite;
  private readonly maxBytes: number;
  private readonly settings: Record<string, string | number>;
  private readonly base: URL;

  constructor(private readonly opts: ClickHouseTransportOptions) {
    this.base = new URL(opts.url);
    this.url = displayUrl(opts.url);
    const username = decodeURIComponent(this.base.username) || "default";
    const urlPassword = decodeURIComponent(this.base.password);
    const password = opts.apiKey ?? urlPassword;
    this.base.username = "";
    this.base.password = "";
    this.base.search = "";
    const headers = Object.fromEntries(Object.entries(opts.headers).map(([k, v]) => [k.toLowerCase(), v]));
    // ClickHouse refuses two authentication methods in one request: a configured one replaces basic auth.
    const ownAuth = "authorization" in headers || "x-clickhouse-user" in headers || "x-clickhouse-key" in headers;
    const basic = Buffer.from(`${username}:${password}`).toString("base64");
    this.redactor = new SecretRedactor([
      ...Object.values(headers).flatMap(headerSecrets),
      ...(ownAuth ? [] : [basic, password]),
      ...(opts.apiKey ? [opts.apiKey] : []),
      ...(urlPassword ? [urlPassword] : []),
    ]);
    this.site = { backend: "clickhouse", label: "ClickHouse", url: this.url, redact: (t) => this.redactor.redact(t) };
    this.maxBytes = opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    const maxRows = opts.maxResultRows ?? DEFAULT_MAX_RESULT_ROWS;
    this.settings = {
      // The server stops a query before the client gives up on it.
      max_execution_time: Math.max(1, Math.floor(opts.timeoutMs / 1000)),
      max_result_rows: maxRows,
      max_result_bytes: this.maxBytes,
      result_overflow_mode: "throw",
      cancel_http_readonly_queries_on_client_close: 1,
      // 64-bit integers as JSON strings (nanosecond times, UInt64 counts stay exact), on every server version.
      output_format_json_quote_64bit_integers: 1,
      // Correctly rounded text -> Float64 (the filter compiler's toNumber, and Float64 parameters).
      precise_float_parsing: 1,
      // The normalised GenAI expressions are long; the default 256 KiB is tight for several of them.
      max_query_size: 4 * 1024 * 1024,
    };
    this.client = createClient({
      url: this.base.toString().replace(/\/$/, ""),
      username,
      password,
      http_headers: headers,
      set_basic_auth_header: !ownAuth,
      // Backstop only: the AbortSignal in select() is the deadline for the whole answer.
      request_timeout: opts.timeoutMs + 1000,
      compression: { request: false, response: false },
      max_open_connections: 8,
      log: { level: ClickHouseLogLevel.OFF },
    });
  }

  /** The text with every credential this transport sends removed. */
  redact(text: string): string {
    return this.redactor.redact(text);
  }

  /**
   * Runs one SELECT (`FORMAT JSON` is appended) with its parameters; `what` names it in messages
   * ("the span search"). Rows come back as JSON objects (64-bit integers as strings).
   */
  async select<T>(sql: string, params: ParamMap, what: string): Promise<SelectResult<T>> {
    this.queries++;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.opts.timeoutMs);
    const started = performance.now();
    const query_params = Object.fromEntries(Object.entries(params).map(([k, p]) => [k, p.value]));
    try {
      let res: Awaited<ReturnType<ClickHouseClient["exec"]>>;
      try {
        res = await this.client.exec({
          query: `${sql}\nFORMAT JSON`,
          query_params,
          clickhouse_settings: this.settings,
          abort_signal: controller.signal,
          ignore_error_response: true,
          // Bodies are decoded here, within the size limit (a gzip bomb must not inflate unbounded).
          decompress_response_stream: false,
          query_id: randomUUID(),
        });
      } catch (err) {
        throw this.transportError(err, what, controller.signal);
      }
      // The client's signal covers the request; past the headers the deadline ends the body read.
      const stream = res.stream;
      controller.signal.addEventListener("abort", () => stream.destroy(new Error("deadline")), { once: true });
      const status = res.http_status_code ?? 0;
      const headers = res.response_headers;
      const ok = status >= 200 && status < 300;
      let raw: Buffer;
      try {
        raw = await this.readBody(stream, headers, what, ok);
      } catch (err) {
        if (err instanceof BackendError) throw err;
        throw this.transportError(err, what, controller.signal);
      }
      const encoding = (header(headers, "content-encoding") ?? "").trim().toLowerCase();
      if (!ok) throw this.statusError(status, what, this.decodeLeniently(raw, encoding), headers);
      const body = this.decode(raw, encoding, what, status);
      const parsed = this.parse<T>(body, what, status);
      this.opts.logger.debug({ backend: "clickhouse", what, status, ms: Math.round(performance.now() - started), bytes: raw.length, rows: parsed.rows.length }, "backend query");
      return parsed;
    } finally {
      clearTimeout(timer);
    }
  }

  /** `GET /ping`, for the health check (true when ClickHouse answers `Ok.`). */
  async ping(): Promise<{ ok: true } | { ok: false; error: string }> {
    const res = await this.client.ping();
    if (res.success) return { ok: true };
    const err = (res as { error?: unknown }).error;
    return { ok: false, error: this.transportError(err, "GET /ping", undefined).message };
  }

  close(): Promise<void> {
    return this.client.close();
  }

  private async readBody(stream: Readable, headers: Record<string, string | string[] | undefined>, what: string, wanted: boolean): Promise<Buffer> {
    const limit = wanted ? this.maxBytes : ERROR_BODY_BYTES;
    const declared = Number(header(headers, "content-length"));
    if (wanted && Number.isFinite(declared) && declared > limit) {
      stream.destroy();
      throw tooLargeError(this.site, what, this.maxBytes, declared);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) {
        stream.destroy();
        if (wanted) throw tooLargeError(this.site, what, this.maxBytes);
        chunks.push(chunk.subarray(0, chunk.length - (size - limit)));
        break;
      }
      chunks.push(chunk);
    }
    return Buffer.concat(chunks);
  }

  private decode(raw: Buffer, encoding: string, what: string, status: number): string {
    if (encoding === "" || encoding === "identity") return raw.toString("utf8");
    const decoder = DECODERS[encoding];
    if (!decoder) throw undecodableError(this.site, what, encoding, status, "this server cannot decode (it understands gzip, deflate and br)");
    try {
      return decoder(raw, { maxOutputLength: this.maxBytes }).toString("utf8");
    } catch (err) {
      if ((err as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") throw tooLargeError(this.site, what, this.maxBytes);
      throw undecodableError(this.site, what, encoding, status, `does not decode as ${encoding}`);
    }
  }

  private decodeLeniently(raw: Buffer, encoding: string): string {
    const decoder = DECODERS[encoding];
    if (decoder) {
      try {
        return decoder(raw, { maxOutputLength: ERROR_BODY_BYTES }).toString("utf8");
      } catch {
        // the raw bytes are still the best description we have
      }
    }
    return raw.toString("utf8");
  }

  private parse<T>(body: string, what: string, status: number): SelectResult<T> {
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      // ClickHouse reports a failure that happens after the first rows were sent at the end of the body.
      const exception = exceptionOf(body.slice(-ERROR_BODY_BYTES), undefined);
      if (exception) throw this.exceptionError(exception, status, what, body.slice(body.lastIndexOf("Code: ")));
      throw notJsonError(this.site, what, body, status, "HTTP interface (port 8123)");
    }
    const o = json as { data?: unknown; meta?: unknown; totals?: unknown };
    if (!o || typeof o !== "object" || !Array.isArray(o.data) || !Array.isArray(o.meta)) {
      throw new BackendError(
        "clickhouse",
        "invalid_response",
        `ClickHouse at ${this.url} answered ${what} with JSON that is not a ClickHouse result (expected an object with "meta" and "data"; ` +
          `got ${JSON.stringify(snippet(this.site, body, 80))}). Check that the URL points to ClickHouse's HTTP interface (port 8123), not another service.`,
        status,
      );
    }
    return { rows: o.data as T[], ...(o.totals && typeof o.totals === "object" ? { totals: o.totals as T } : {}) };
  }

  private statusError(status: number, what: string, body: string, headers: Record<string, string | string[] | undefined>): BackendError {
    const exception = exceptionOf(body, header(headers, "x-clickhouse-exception-code"));
    if (exception && status !== 401 && status !== 403 && exception.code !== ACCESS_DENIED) return this.exceptionError(exception, status, what, body);
    return statusError(this.site, status, what, body, headers, this.base, { authAdvice: exception?.code === ACCESS_DENIED ? TABLE_ADVICE : AUTH_ADVICE });
  }

  /** A ClickHouse exception, with the advice its code calls for. */
  private exceptionError(e: Exception, status: number, what: string, body: string): BackendError {
    const text = snippet(this.site, body, 300);
    if (UNKNOWN_TABLE.has(e.code)) {
      return new BackendError("clickhouse", "http", `ClickHouse at ${this.url} has no such table or database (${what}): ${text}. ${TABLE_ADVICE}`, status);
    }
    if (e.code === TIMEOUT_EXCEEDED) {
      return new BackendError(
        "clickhouse",
        "timeout",
        `ClickHouse at ${this.url} stopped ${what} at its time limit (max_execution_time ${this.settings.max_execution_time} s): ${text}. ` +
          "Narrow the time range or filters, or raise the timeout (--timeout / BACKEND_TIMEOUT).",
        status,
      );
    }
    if (TOO_MANY_ROWS.has(e.code)) {
      return new BackendError(
        "clickhouse",
        "too_large",
        `ClickHouse at ${this.url} answered ${what} with more rows than the limit (max_result_rows ${this.settings.max_result_rows}): ${text}. ` +
          "Narrow the query (a shorter time range, more filters or a lower limit).",
        status,
      );
    }
    return statusError(this.site, status, what, body, {}, this.base);
  }

  private transportError(err: unknown, what: string, signal: AbortSignal | undefined): BackendError {
    if (err instanceof BackendError) return err;
    const e = err as { code?: string; message?: string };
    if (signal?.aborted || e?.code === "ETIMEDOUT" || /Timeout error/i.test(e?.message ?? "")) return timeoutError(this.site, what, this.opts.timeoutMs, err);
    return networkError(this.site, what, err);
  }
}
