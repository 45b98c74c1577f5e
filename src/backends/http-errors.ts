/**
 * How an HTTP failure becomes a BackendError: one wording for every adapter, whether it speaks
 * HTTP itself (http-client.ts) or through a vendor client (ClickHouse's @clickhouse/client).
 * Messages name the backend and its URL (credentials stripped), say what to do, and carry only
 * redacted text: callers pass a `redact` that removes every credential they send.
 */
import { BackendError } from "../errors.js";
import { displayUrl } from "../util/url.js";

const MIB = 1024 * 1024;
/** The setting that raises the response size limit, for messages. */
export const LIMIT_SETTING = "--backend-max-response-mb / BACKEND_MAX_RESPONSE_MB";
/** Snippets are redacted over this many characters, then cut. */
export const REDACT_WINDOW_CHARS = 64 * 1024;

export interface ErrorSite {
  /** Backend kind, e.g. "jaeger". */
  backend: string;
  /** Its label, e.g. "Jaeger". */
  label: string;
  /** The URL for messages (credentials stripped). */
  url: string;
  redact(text: string): string;
}

export const NETWORK_HINTS: Readonly<Record<string, string>> = {
  ECONNREFUSED: "connection refused",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "DNS lookup failed",
  ECONNRESET: "connection reset",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  EPIPE: "connection closed by the server",
  UND_ERR_SOCKET: "connection closed by the server",
  UND_ERR_CONNECT_TIMEOUT: "connect timeout",
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: "the answer ended before its declared length",
};

type Headers = Record<string, string | string[] | undefined>;

export function header(headers: Headers, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function megabytes(bytes: number): string {
  const mb = bytes / MIB;
  return Number.isInteger(mb) ? String(mb) : mb.toFixed(1);
}

/** Retry-After as whole seconds from now: delta-seconds or an HTTP-date; undefined when absent or unreadable. */
export function retryAfterSeconds(value: string | undefined, nowMs: number = Date.now()): number | undefined {
  const v = value?.trim();
  if (!v) return undefined;
  if (/^\d+$/.test(v)) return Number(v);
  const at = Date.parse(v);
  return Number.isFinite(at) ? Math.max(0, Math.ceil((at - nowMs) / 1000)) : undefined;
}

/** A redacted, whitespace-collapsed start of `body`: redacted whole first, so no cut splits a secret. */
export function snippet(site: ErrorSite, body: string, max: number): string {
  const text = site.redact(body.slice(0, REDACT_WINDOW_CHARS)).replace(/\s+/g, " ").trim();
  return text.length > max ? text.slice(0, max) : text;
}

export function tooLargeError(site: ErrorSite, what: string, maxBytes: number, declaredBytes?: number): BackendError {
  const size = declaredBytes === undefined ? `more than ${megabytes(maxBytes)} MB` : `${megabytes(declaredBytes)} MB, more than the ${megabytes(maxBytes)} MB limit`;
  return new BackendError(
    site.backend,
    "too_large",
    `${site.label} at ${site.url} answered ${what} with ${size} (the response size limit), so the answer was not read. ` +
      `Narrow the query (a shorter time range, more filters or a lower limit), or raise the limit with ${LIMIT_SETTING}.`,
  );
}

export function notJsonError(site: ErrorSite, what: string, body: string, status: number, api = "query API"): BackendError {
  return new BackendError(
    site.backend,
    "invalid_response",
    `${site.label} at ${site.url} returned a response that is not valid JSON for ${what} ` +
      `(starts with ${JSON.stringify(snippet(site, body, 80))}). ` +
      `Check that the URL points to the ${site.label} ${api}, not a UI page or a proxy.`,
    status,
  );
}

export function undecodableError(site: ErrorSite, what: string, enc: string, status: number, why: string): BackendError {
  return new BackendError(
    site.backend,
    "invalid_response",
    `${site.label} at ${site.url} answered ${what} with a body marked Content-Encoding ${enc.slice(0, 40)} that ${why}. ` +
      `Check any proxy or gateway between this server and ${site.label}.`,
    status,
  );
}

export function timeoutError(site: ErrorSite, what: string, timeoutMs: number, cause?: unknown): BackendError {
  return new BackendError(
    site.backend,
    "timeout",
    `${site.label} at ${site.url} did not answer ${what} within ${timeoutMs / 1000}s. ` +
      `The backend may be overloaded or the query too broad: narrow the time range or filters, ` +
      `or raise the timeout (--timeout / BACKEND_TIMEOUT).`,
    undefined,
    cause === undefined ? undefined : { cause },
  );
}

/** A failure below HTTP (refused, reset, DNS): the code's plain reading, else the redacted message. */
export function networkError(site: ErrorSite, what: string, err: unknown): BackendError {
  const e = err as { code?: string; cause?: { code?: string }; message?: string };
  const code = e?.code ?? e?.cause?.code ?? "";
  const reason = NETWORK_HINTS[code] ?? (site.redact(e?.message ?? String(err)) || "network error");
  return new BackendError(
    site.backend,
    "network",
    `Cannot reach ${site.label} at ${site.url} (${reason}) for ${what}. ` +
      `Check that the backend is running and that --url / BACKEND_URL points to it.`,
    undefined,
    { cause: err },
  );
}

export interface StatusErrorOptions {
  /** What to check on 401/403 (default: the API key and extra headers). */
  authAdvice?: string;
}

/** A non-2xx answer: auth, not found, rate limited, redirect, or an HTTP error with the body's start. */
export function statusError(site: ErrorSite, status: number, what: string, body: string, headers: Headers, requestUrl: URL, options: StatusErrorOptions = {}): BackendError {
  const cut = snippet(site, body, 200);
  const detail = cut ? `: ${cut}` : "";
  if (status === 401 || status === 403) {
    return new BackendError(
      site.backend,
      "auth",
      `${site.label} at ${site.url} rejected ${what} with HTTP ${status} (${status === 401 ? "unauthorized" : "forbidden"})${detail}. ` +
        (options.authAdvice ?? "Check the API key (--api-key / BACKEND_API_KEY) and any extra headers (--header / BACKEND_HEADERS)."),
      status,
    );
  }
  if (status === 404) {
    return new BackendError(
      site.backend,
      "not_found",
      `${site.label} at ${site.url} answered HTTP 404 for ${what}${detail}. ` + `Check that --url / BACKEND_URL is the ${site.label} API base URL.`,
      status,
    );
  }
  const after = retryAfterSeconds(header(headers, "retry-after"));
  const retry = after === undefined ? {} : { retryAfterSeconds: after };
  if (status === 429) {
    const when = after === undefined ? "retry in a minute (no Retry-After was given)" : `retry after ${after} s`;
    return new BackendError(
      site.backend,
      "rate_limited",
      `Rate limited by ${site.label} at ${site.url}; ${when} (HTTP 429 for ${what}${detail}). ` +
        `The query itself is fine: wait before calling again, and make fewer calls at once.`,
      status,
      retry,
    );
  }
  if (status >= 300 && status < 400) {
    const location = header(headers, "location");
    const target = location ? ` to ${displayUrl(new URL(location, requestUrl).toString())}` : "";
    return new BackendError(
      site.backend,
      "http",
      `${site.label} at ${site.url} answered ${what} with a redirect (HTTP ${status}${target}); redirects are not followed, ` +
        `so credentials never travel to another address. Set --url / BACKEND_URL to the final URL of the ${site.label} API.`,
      status,
    );
  }
  const advice =
    status >= 500
      ? after === undefined
        ? "The backend failed; retry later or narrow the query."
        : `The backend is unavailable; retry after ${after} s.`
      : "Check the query parameters.";
  return new BackendError(site.backend, "http", `${site.label} at ${site.url} returned HTTP ${status} for ${what}${detail}. ${advice}`, status, retry);
}
