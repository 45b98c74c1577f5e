/**
 * Where the receiver hands accepted spans. The receiver answers 200 only after `append` resolves,
 * so an acknowledged export is durable; a rejection becomes a retryable 503.
 */
import type { Span } from "../domain/trace.js";

export interface SpanSink {
  /** Durably stores the spans of one export request; resolves only once they survive a crash. */
  append(spans: readonly Span[]): Promise<void>;
}
