/**
 * The error vocabulary. Messages are written for the model: what failed, why, what to do next.
 * Nothing here ever includes an API key or header value.
 */
/** Bad tool input. The message is complete (it carries its own prefix, e.g. "Invalid start_time format: ..."). */
export class UserInputError extends Error {
  override name = "UserInputError";
}

/** The query was fine but found nothing to report (e.g. model stats for an unseen model). */
export class NoDataError extends Error {
  override name = "NoDataError";
}

/** Invalid configuration (flags / environment). */
export class ConfigError extends Error {
  override name = "ConfigError";
}

export type BackendErrorKind =
  | "http" // non-2xx status
  | "auth" // 401 / 403
  | "not_found" // unknown trace id / endpoint
  | "network" // connection refused, DNS, reset
  | "timeout"
  | "invalid_response" // malformed JSON or unexpected shape
  | "too_large" // the answer is bigger than the response size limit
  | "rate_limited" // 429: retry later (see retryAfterSeconds)
  | "unsupported" // the backend cannot answer this query
  | "requirement"; // a required parameter or setting is missing for this backend

/** A failure talking to, or understanding, a trace backend. */
export class BackendError extends Error {
  override name = "BackendError";
  /** From a Retry-After header (429, 503): when the backend said to try again. */
  readonly retryAfterSeconds?: number;
  constructor(
    /** The backend's kind, e.g. "jaeger". */
    readonly backend: string,
    readonly kind: BackendErrorKind,
    message: string,
    readonly status?: number,
    options?: { cause?: unknown; retryAfterSeconds?: number },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    if (options?.retryAfterSeconds !== undefined) this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
