/** Errors the store reports to its callers (the local backend maps them to tool errors). */

/** append() on a process that does not own the store. */
export class StoreReadOnlyError extends Error {
  constructor(dataDir: string) {
    super(`The trace store in ${dataDir} is owned by another opentelemetry-mcp process; this one only reads it`);
  }
}

/** query() given anything but one read-only SELECT. */
export class StoreQueryError extends Error {}
