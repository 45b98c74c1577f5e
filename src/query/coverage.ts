/**
 * What an answer was computed from, so an assistant never presents a sample as a total:
 * `complete: false` whenever the window may hold more than was read (a cap or the backend's limit
 * was hit, or traces could not be fetched).
 */
export interface Coverage {
  /** Traces the answer was computed from (after every filter); absent when the backend counted spans only (TraceQL metrics). */
  traces?: number;
  /** Spans the answer was computed from, for span-level answers and aggregates. */
  spans?: number;
  /** False when the window may hold more matching data than was read. */
  complete: boolean;
  /** Traces (or spans, on span-native APIs) read from the backend before local filters. */
  examined: number;
  /** Set when a limit stopped the read: the most the call asked for. */
  limit?: number;
  /** Traces that matched but could not be fetched (listed in `skipped`). */
  skipped?: number;
}

export function coverageNote(c: Coverage, what = "traces"): string | undefined {
  if (c.complete) return undefined;
  const parts: string[] = [];
  if (c.limit !== undefined) {
    parts.push(
      `computed from ${(c.traces ?? c.spans ?? 0).toLocaleString("en-US")} of at least ${c.limit.toLocaleString("en-US")} ${what} in the window ` +
        `(the most one call reads; --max-traces / MAX_TRACES_PER_QUERY); narrow the window or the filters for a complete answer`,
    );
  }
  // Skipped traces have their own note (and the `skipped` list).
  return parts.length > 0 ? `Incomplete: ${parts.join("; ")}.` : undefined;
}
