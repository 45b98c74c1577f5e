/** A SpanSink that records every append call (one entry per export request) and can be made to fail or wait. */
import type { Span } from "../../src/domain/trace.js";
import type { SpanSink } from "../../src/ingest/span-sink.js";

export class MemorySink implements SpanSink {
  readonly batches: Span[][] = [];
  /** When set, append rejects with this error (after recording nothing). */
  failWith: Error | undefined;
  /** When set, append waits for this promise before storing and resolving. */
  gate: Promise<void> | undefined;
  calls = 0;

  async append(spans: readonly Span[]): Promise<void> {
    this.calls++;
    if (this.gate) await this.gate;
    if (this.failWith) throw this.failWith;
    this.batches.push([...spans]);
  }

  get spans(): Span[] {
    return this.batches.flat();
  }
}
