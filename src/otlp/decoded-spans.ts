/**
 * What decoding one OTLP export request yields: the spans that passed validation, and a count of
 * the rejected ones by reason (the receiver reports them in `partial_success`).
 */
import type { Span } from "../domain/trace.js";

export const REJECT_REASONS = ["invalid trace id", "invalid span id", "invalid parent span id", "missing name", "missing start time"] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

export interface DecodedSpans {
  spans: Span[];
  /** Spans dropped by validation (the sum of `reasons`). */
  rejected: number;
  reasons: Partial<Record<RejectReason, number>>;
}

/** The body is not an OTLP export request at all (bad protobuf, bad JSON, wrong shape). */
export class OtlpDecodeError extends Error {
  override name = "OtlpDecodeError";
}

/** Accumulates the outcome of one request. */
export class SpanTally {
  readonly spans: Span[] = [];
  rejected = 0;
  readonly reasons: Partial<Record<RejectReason, number>> = {};

  add(outcome: Span | RejectReason): void {
    if (typeof outcome === "string") {
      this.rejected++;
      this.reasons[outcome] = (this.reasons[outcome] ?? 0) + 1;
    } else this.spans.push(outcome);
  }

  result(): DecodedSpans {
    return { spans: this.spans, rejected: this.rejected, reasons: this.reasons };
  }
}

/** "2 spans rejected: invalid span id (1), missing name (1)"; "" when nothing was rejected. */
export function rejectionMessage(decoded: Pick<DecodedSpans, "rejected" | "reasons">): string {
  if (decoded.rejected === 0) return "";
  const parts = REJECT_REASONS.filter((r) => decoded.reasons[r]).map((r) => `${r} (${decoded.reasons[r]})`);
  return `${decoded.rejected} span${decoded.rejected === 1 ? "" : "s"} rejected: ${parts.join(", ")}`;
}
