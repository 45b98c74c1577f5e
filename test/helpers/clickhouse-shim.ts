/**
 * A loopback HTTP server that speaks enough of ClickHouse's HTTP interface for the official
 * @clickhouse/client, backed by a real ClickHouse engine (chDB) instead of a fake: the SQL, the
 * `{name:Type}` parameters, the settings and the formats are all the engine's. chDB cannot serve
 * HTTP itself (its --http_port is ignored), hence this shim.
 *
 * What it implements, as ClickHouse does (src/Server/HTTPHandler.cpp):
 * - `GET /ping` and `GET /` -> `Ok.\n`.
 * - `POST /` (and `GET /?query=`): the SQL is the `query` parameter, the body, or both (the body
 *   is appended after a newline); an INSERT whose data is in the body is a raw insert.
 *   `param_<name>` values are passed to the engine's binder verbatim (never interpolated);
 *   `database` selects the current database; `default_format` the output format when the SQL
 *   has no FORMAT clause; every other non-reserved parameter is a setting (max_execution_time,
 *   max_result_rows, readonly, ...), applied to that request only. A GET is read-only (readonly=2).
 * - Authentication by X-ClickHouse-User/X-ClickHouse-Key, Basic auth or user/password parameters
 *   (mixing them is an error); anything but the configured credentials is 403 with
 *   `Code: 516 ... (AUTHENTICATION_FAILED)`.
 * - Errors as ClickHouse sends them: the status from the exception code, a
 *   `Code: N. DB::Exception: ... (NAME) (version V)` body and X-ClickHouse-Exception-Code, so the
 *   client raises a ClickHouseError with code and type.
 * - X-ClickHouse-Format / -Query-Id / -Summary / -Timezone / -Server-Display-Name headers; gzip
 *   request bodies and gzip responses with enable_http_compression=1 (the codec the client uses).
 *
 * Each request runs on a fresh engine connection (so a SET or a setting never leaks into the next
 * request), one at a time (chDB's parameter binding is not safe across concurrent connections).
 * Not implemented: sessions (session_id is accepted and ignored), multipart parameters and the
 * native `compress`/`decompress` framing (both answered NOT_IMPLEMENTED), codecs other than gzip,
 * progress headers.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { gunzipSync, gzipSync } from "node:zlib";
import { listenLoopback, type Fault, type RecordedRequest, type RunningWorld } from "./backend-world.js";
import { loadChdb } from "./chdb.js";
import { httpStatusForClickHouseError } from "./clickhouse-http-status.js";

export interface ClickHouseShimOptions {
  /** The one accepted user (default "default", as on a fresh server). */
  username?: string;
  /** Its password (default empty). */
  password?: string;
  /** More accepted users besides `username` (e.g. one per credential a test sends). */
  users?: ReadonlyArray<{ username: string; password: string }>;
  /**
   * Engine settings applied to every request before the request's own. Defaults: UTC session
   * time zone and implicit_select=0 (chDB enables implicit SELECT; a server does not). Example:
   * `{ output_format_json_quote_64bit_integers: 1 }` answers like a server older than 25.8,
   * which quoted 64-bit integers in JSON formats.
   */
  engineSettings?: Record<string, string | number>;
  /** chdb cache directory (default: $CHDB_DIR or scripts/install-chdb.sh). */
  chdbDir?: string;
  /** X-ClickHouse-Server-Display-Name. */
  displayName?: string;
}

export interface ClickHouseRecordedRequest extends RecordedRequest {
  /** What the engine ran: the statement (for an INSERT with data in the body, without the data). */
  sql: string;
  /** `param_<name>` values as sent (ClickHouse's escaped text form). */
  params: Record<string, string>;
  /** Settings given as URL parameters. */
  settings: Record<string, string>;
  database?: string;
  user?: string;
  /** Rows the INSERT wrote (the engine's count, materialized-view writes included). */
  writtenRows?: number;
  /** Status sent (unset while the request is in flight or hung). */
  status?: number;
  /** ClickHouse exception code of a failed request. */
  errorCode?: number;
  /** Time from the request's arrival to its answer. */
  elapsedMs?: number;
}

export interface RunningClickHouseShim extends RunningWorld {
  requests: ClickHouseRecordedRequest[];
  /** The embedded engine's version, e.g. 26.7.2.1. */
  engineVersion: string;
}

/** Parameters ClickHouse's HTTP handler consumes itself; every other one is a setting. */
const RESERVED_PARAMS = new Set([
  "query",
  "database",
  "default_format",
  "query_id",
  "session_id",
  "session_timeout",
  "session_check",
  "close_session",
  "compress",
  "decompress",
  "user",
  "password",
  "quota_key",
  "stacktrace",
  "role",
  "buffer_size",
  "wait_end_of_query",
  "client_protocol_version",
]);

const DEFAULT_ENGINE_SETTINGS: Record<string, string | number> = { session_timezone: "UTC", implicit_select: 0 };

/** A ClickHouse exception: its code, its name (e.g. SYNTAX_ERROR) and the `Code: N. DB::Exception: ...` text. */
class ShimError extends Error {
  constructor(
    readonly code: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

class UnsupportedEncoding extends Error {}

let running = false;

export async function startClickHouseShim(options: ClickHouseShimOptions = {}): Promise<RunningClickHouseShim> {
  if (running) {
    throw new Error("a ClickHouse shim is already running in this process (chDB binds one engine per process); close it first");
  }
  running = true;
  try {
    return await start(options);
  } catch (err) {
    running = false;
    throw err;
  }
}

async function start(options: ClickHouseShimOptions): Promise<RunningClickHouseShim> {
  const chdb = loadChdb(options.chdbDir);
  const session = chdb.openSession();
  const native = chdb.native;
  const username = options.username ?? "default";
  const password = options.password ?? "";
  const displayName = options.displayName ?? "chdb-shim";
  const engineSettings = { ...DEFAULT_ENGINE_SETTINGS, ...options.engineSettings };

  // One request on the engine at a time; `tail` lets close() wait for the last one.
  let tail: Promise<unknown> = Promise.resolve();
  const serially = <T>(task: () => Promise<T>): Promise<T> => {
    const result = tail.then(task);
    tail = result.catch(() => undefined);
    return result;
  };
  const onFreshConnection = <T>(task: (conn: unknown) => Promise<T>): Promise<T> =>
    serially(async () => {
      const conn = native.CreateConnection(session.path);
      try {
        return await task(conn);
      } finally {
        native.CloseConnection(conn);
      }
    });

  const text = async (sql: string): Promise<string> =>
    onFreshConnection(async (conn) => Buffer.from((await native.QueryAsyncConnection(conn, sql, "TabSeparated")).bytes).toString("utf8"));
  let engineVersion: string;
  let errorNames: Map<number, string>;
  try {
    engineVersion = (await text("SELECT version()")).trim();
    errorNames = new Map(
      (await text("SELECT number, errorCodeToName(toInt32(number)) AS n FROM numbers(2000) WHERE n != ''"))
        .trim()
        .split("\n")
        .map((line) => {
          const [code, name] = line.split("\t");
          return [Number(code), name!] as const;
        }),
    );
  } catch (err) {
    session.close();
    throw err;
  }

  const exceptionBody = (message: string): string =>
    `${message}${/\(version [^)]*\)\s*$/.test(message) ? "" : ` (version ${engineVersion})`}\n`;
  const codeByName = new Map([...errorNames].map(([code, name]) => [name, code]));
  const shimError = (name: string, message: string): ShimError => {
    const code = codeByName.get(name) ?? 1001;
    return new ShimError(code, name, `Code: ${code}. DB::Exception: ${message}. (${name})`);
  };
  const fromEngine = (err: unknown): ShimError => {
    if (err instanceof ShimError) return err;
    const message = err instanceof Error ? err.message : String(err);
    const match = /Code: (\d+)\./.exec(message);
    if (!match) return shimError("STD_EXCEPTION", message);
    const code = Number(match[1]);
    // The name from the code, not from the text: messages quote SQL, "(SELEC)" included.
    return new ShimError(code, errorNames.get(code) ?? "UNKNOWN_EXCEPTION", message.slice(match.index).trimEnd());
  };

  const requests: ClickHouseRecordedRequest[] = [];
  let fault: Fault | null = null;

  const baseHeaders = (queryId: string): Record<string, string> => ({
    "X-ClickHouse-Server-Display-Name": displayName,
    "X-ClickHouse-Query-Id": queryId,
    "X-ClickHouse-Timezone": String(engineSettings.session_timezone),
  });
  const sendError = (res: ServerResponse, rec: ClickHouseRecordedRequest | undefined, queryId: string, err: ShimError, extra: Record<string, string> = {}): void => {
    const status = httpStatusForClickHouseError(err.type);
    if (rec) {
      rec.status = status;
      rec.errorCode = err.code;
    }
    res.writeHead(status, {
      ...baseHeaders(queryId),
      "Content-Type": "text/plain; charset=UTF-8",
      "X-ClickHouse-Exception-Code": String(err.code),
      ...extra,
    });
    res.end(exceptionBody(err.message));
  };

  const authenticate = (req: IncomingMessage, q: URLSearchParams): string => {
    const headerUser = single(req.headers["x-clickhouse-user"]);
    const headerKey = single(req.headers["x-clickhouse-key"]);
    const authorization = req.headers.authorization;
    const paramUser = q.get("user");
    const paramPassword = q.get("password");
    let user: string;
    let pass: string;
    if (headerUser !== undefined || headerKey !== undefined) {
      if (authorization !== undefined || paramUser !== null || paramPassword !== null) {
        throw shimError("AUTHENTICATION_FAILED", "Invalid authentication: it is not allowed to use X-ClickHouse HTTP headers and other authentication methods simultaneously");
      }
      user = headerUser || "default";
      pass = headerKey ?? "";
    } else if (authorization !== undefined) {
      if (paramUser !== null || paramPassword !== null) {
        throw shimError("AUTHENTICATION_FAILED", "Invalid authentication: it is not allowed to use Authorization HTTP header and authentication via parameters simultaneously");
      }
      const [scheme, info = ""] = authorization.split(/\s+/, 2);
      if (scheme?.toLowerCase() !== "basic") {
        throw shimError("AUTHENTICATION_FAILED", `Invalid authentication: '${scheme}' HTTP Authorization scheme is not supported`);
      }
      const decoded = Buffer.from(info, "base64").toString("utf8");
      const colon = decoded.indexOf(":");
      user = colon < 0 ? decoded : decoded.slice(0, colon);
      pass = colon < 0 ? "" : decoded.slice(colon + 1);
    } else {
      user = paramUser ?? "default";
      pass = paramPassword ?? "";
    }
    const known = (user === username && pass === password) || (options.users ?? []).some((u) => u.username === user && u.password === pass);
    if (!known) {
      throw shimError("AUTHENTICATION_FAILED", `${user}: Authentication failed: password is incorrect, or there is no user with such name`);
    }
    return user;
  };

  /**
   * Runs one statement on a fresh connection after the settings, in the server's order: a GET is
   * readonly=2 first; then the request's settings go in one SET, which (like the HTTP handler)
   * checks them all against the current constraints before applying any, so readonly=1 next to
   * max_execution_time works and readonly=0 on a GET does not.
   */
  const execute = (
    rec: ClickHouseRecordedRequest,
    statement: { sql: string; insertData?: Buffer; format: string },
  ): Promise<{ body: Buffer; summary: Record<string, string> }> =>
    onFreshConnection(async (conn) => {
      const setAll = async (settings: Record<string, string | number>) => {
        const entries = Object.entries(settings);
        if (entries.length === 0) return;
        await native.QueryAsyncConnection(conn, `SET ${entries.map(([k, v]) => `${settingName(k)} = ${settingLiteral(String(v))}`).join(", ")}`, "TabSeparated");
      };
      await setAll(engineSettings);
      if (rec.method === "GET") await setAll({ readonly: 2 });
      if (rec.database !== undefined) await native.QueryAsyncConnection(conn, `USE ${identifier(rec.database)}`, "TabSeparated");
      await setAll(rec.settings);
      if (statement.insertData) {
        const r = await native.InsertRawAsyncConnection(conn, statement.sql, statement.insertData, false);
        rec.writtenRows = r.rowsWritten;
        return { body: Buffer.alloc(0), summary: summary({ written_rows: r.rowsWritten, written_bytes: r.bytesWritten, elapsed: r.elapsed }) };
      }
      const r = await native.QueryAsyncConnection(conn, statement.sql, statement.format, rec.params);
      const body = Buffer.from(r.bytes);
      return { body, summary: summary({ read_rows: r.rowsRead, read_bytes: r.bytesRead, result_rows: r.rowsRead, result_bytes: body.length, elapsed: r.elapsed }) };
    });

  const handle = async (req: IncomingMessage, res: ServerResponse, raw: Buffer): Promise<void> => {
    const arrived = Date.now();
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const q = url.searchParams;
    const params: Record<string, string> = {};
    const settings: Record<string, string> = {};
    for (const [key, value] of q) {
      if (key.startsWith("param_")) params[key.slice("param_".length)] = value;
      else if (!RESERVED_PARAMS.has(key)) settings[key] = value;
    }
    const queryId = q.get("query_id") ?? randomUUID();
    const rec: ClickHouseRecordedRequest = {
      method: req.method ?? "",
      path: url.pathname,
      query: Object.fromEntries(q),
      headers: { ...req.headers },
      sql: "",
      params,
      settings,
    };
    const database = single(req.headers["x-clickhouse-database"]) || q.get("database");
    if (database) rec.database = database;
    requests.push(rec);
    const finish = (status: number): void => {
      rec.status = status;
      rec.elapsedMs = Date.now() - arrived;
    };

    if (fault === "hang") return;
    if (fault === "http401") {
      return sendError(res, rec, queryId, shimError("REQUIRED_PASSWORD", `${username}: Authentication failed: password is incorrect, or there is no user with such name`), {
        "WWW-Authenticate": 'Basic realm="ClickHouse server HTTP API"',
      });
    }
    if (fault === "http403") return sendError(res, rec, queryId, shimError("AUTHENTICATION_FAILED", `${username}: Authentication failed: password is incorrect, or there is no user with such name`));
    if (fault === "http404") {
      res.writeHead(404, { "Content-Type": "text/plain; charset=UTF-8" }).end(`There is no handle ${url.pathname}\n`);
      return finish(404);
    }
    if (fault === "http500") {
      return sendError(res, rec, queryId, shimError("MEMORY_LIMIT_EXCEEDED", "(total) memory limit exceeded: would use 9.31 GiB (attempt to allocate chunk of 4194304 bytes), maximum: 9.31 GiB"));
    }

    const sqlParam = q.get("query");
    let body: Buffer;
    try {
      body = decodeBody(raw, single(req.headers["content-encoding"]));
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      return sendError(res, rec, queryId, shimError(err instanceof UnsupportedEncoding ? "UNSUPPORTED_MEDIA_TYPE" : "CANNOT_DECOMPRESS", message));
    }
    if (url.pathname === "/ping" || (url.pathname === "/" && req.method === "GET" && sqlParam === null && body.length === 0)) {
      res.writeHead(200, { "Content-Type": "text/html; charset=UTF-8" }).end("Ok.\n");
      return finish(200);
    }
    if (url.pathname !== "/") {
      res.writeHead(404, { "Content-Type": "text/plain; charset=UTF-8" }).end(`There is no handle ${url.pathname}\n\nUse / or /ping for health checks.\n`);
      return finish(404);
    }

    try {
      rec.user = authenticate(req, q);
      if (q.get("decompress") === "1" || q.get("compress") === "1") {
        throw shimError("NOT_IMPLEMENTED", "the chDB shim does not implement ClickHouse's native compressed framing (compress/decompress=1)");
      }
      if (/^multipart\/form-data/i.test(single(req.headers["content-type"]) ?? "")) {
        throw shimError("NOT_IMPLEMENTED", "the chDB shim does not implement multipart query parameters");
      }
      const insert = sqlParam !== null && body.length > 0 && /^\s*(?:(?:--[^\n]*\n|\/\*[\s\S]*?\*\/)\s*)*INSERT\b/i.test(sqlParam);
      const sql = insert ? sqlParam! : sqlParam !== null ? (body.length > 0 ? `${sqlParam}\n${body.toString("utf8")}` : sqlParam) : body.toString("utf8");
      rec.sql = sql;
      if (sql.trim() === "") throw shimError("SYNTAX_ERROR", "Empty query");
      const format = (!insert && trailingFormat(sql)) || single(req.headers["x-clickhouse-format"]) || q.get("default_format") || "TabSeparated";
      const out = await execute(rec, insert ? { sql, insertData: body, format } : { sql, format });

      if (fault === "malformed") {
        res.writeHead(200, { ...baseHeaders(queryId), "Content-Type": contentType(format), "X-ClickHouse-Format": format });
        res.end("<html><body>502 Bad Gateway</body></html>\n");
        return finish(200);
      }
      const gzip = settings.enable_http_compression === "1" && /\bgzip\b/.test(single(req.headers["accept-encoding"]) ?? "");
      res.writeHead(200, {
        ...baseHeaders(queryId),
        "Content-Type": contentType(format),
        "X-ClickHouse-Format": format,
        "X-ClickHouse-Summary": JSON.stringify(out.summary),
        ...(gzip ? { "Content-Encoding": "gzip" } : {}),
      });
      res.end(gzip ? gzipSync(out.body) : out.body);
      finish(200);
    } catch (err) {
      sendError(res, rec, queryId, fromEngine(err));
      rec.elapsedMs = Date.now() - arrived;
    }
  };

  // ClickHouse accepts URLs up to http_max_uri_size (1 MiB by default); Node's default is 16 KiB.
  const server = createServer({ maxHeaderSize: 1024 * 1024 }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      handle(req, res, Buffer.concat(chunks)).catch((err: unknown) => {
        if (!res.headersSent) sendError(res, undefined, randomUUID(), fromEngine(err));
        else res.destroy();
      });
    });
  });
  let listening: Awaited<ReturnType<typeof listenLoopback>>;
  try {
    listening = await listenLoopback(server);
  } catch (err) {
    session.close();
    throw err;
  }
  let closed = false;
  return {
    url: listening.url,
    requests,
    engineVersion,
    setFault: (f) => void (fault = f),
    async close() {
      if (closed) return;
      closed = true;
      await listening.close();
      await tail;
      session.close();
      await chdb.drainPending();
      running = false;
    },
  };
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The FORMAT clause closing a statement (the client appends one to every SELECT). */
function trailingFormat(sql: string): string | undefined {
  return /\bFORMAT\s+([A-Za-z][A-Za-z0-9_]*)\s*;?\s*$/i.exec(sql)?.[1];
}

function contentType(format: string): string {
  if (/^JSON/i.test(format)) return "application/json; charset=UTF-8";
  if (/^(TabSeparated|TSV)/i.test(format)) return "text/tab-separated-values; charset=UTF-8";
  if (/^CSV/i.test(format)) return "text/csv; charset=UTF-8";
  return "text/plain; charset=UTF-8";
}

function summary(v: { read_rows?: number; read_bytes?: number; written_rows?: number; written_bytes?: number; result_rows?: number; result_bytes?: number; elapsed: number }): Record<string, string> {
  // ClickHouse sends every counter as a string.
  return {
    read_rows: String(v.read_rows ?? 0),
    read_bytes: String(v.read_bytes ?? 0),
    written_rows: String(v.written_rows ?? 0),
    written_bytes: String(v.written_bytes ?? 0),
    total_rows_to_read: "0",
    result_rows: String(v.result_rows ?? 0),
    result_bytes: String(v.result_bytes ?? 0),
    elapsed_ns: String(Math.round(v.elapsed * 1e9)),
  };
}

/** A gzip request body (what the client's compression.request sends); other codecs are refused. */
function decodeBody(raw: Buffer, encoding: string | undefined): Buffer {
  const e = (encoding ?? "").toLowerCase();
  if (e === "" || e === "identity") return raw;
  if (e === "gzip") return gunzipSync(raw);
  throw new UnsupportedEncoding(`the chDB shim cannot decode Content-Encoding '${encoding}' (gzip only)`);
}

/** A setting name from the URL; anything else is the server's UNKNOWN_SETTING. */
function settingName(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new ShimError(115, "UNKNOWN_SETTING", `Code: 115. DB::Exception: Unknown setting '${name}'. (UNKNOWN_SETTING)`);
  }
  return name;
}

/** A setting value as a SET literal: numbers bare, anything else a quoted, escaped string. */
function settingLiteral(value: string): string {
  return /^-?\d+(?:\.\d+)?$/.test(value) ? value : `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

function identifier(name: string): string {
  return `\`${name.replace(/\\/g, "\\\\").replace(/`/g, "\\`")}\``;
}
