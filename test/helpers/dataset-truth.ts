/**
 * The expected trace-level values of a dataset, computed from its raw spans with plain code that
 * imports nothing from src/ but types. The datasets themselves are assembled with src's
 * assembleTrace (many tests depend on that shape), so a test that compared an answer with
 * `trace.status` or `trace.durationMs` would compare src with itself: tests compare with these.
 *
 * The rules are the documented ones (docs: upstream-backends.md, "Trace assembly rule"):
 * - root: the first span, in the order given, without a parent; else the first span;
 * - service / operation: the root's;
 * - start: the earliest span start; duration: the latest span end minus that start (a child that
 *   starts before its parent or ends after it counts);
 * - status: ERROR when any span is ERROR, else OK (never the root's own status, never UNSET);
 * - LLM spans: spans with gen_ai.system or gen_ai.provider.name; a span's tokens are
 *   gen_ai.usage.total_tokens, else prompt + completion (the datasets carry no other counters).
 */
import type { Span, Trace } from "../../src/domain/trace.js";

export interface TraceTruth {
  traceId: string;
  rootSpanId: string;
  serviceName: string;
  rootOperation: string;
  /** Epoch µs. */
  startTimeUs: number;
  /** Epoch µs of the latest span end. */
  endTimeUs: number;
  /** Whole nanoseconds (span ends carry sub-µs durations). */
  durationNs: number;
  durationMs: number;
  status: "OK" | "ERROR";
  hasErrors: boolean;
  spanCount: number;
  llmSpanCount: number;
  totalTokens: number;
}

const int = (v: unknown): number => (typeof v === "number" && Number.isInteger(v) ? v : 0);

/** Tokens of one LLM span, 0 for other spans. */
export function spanTokens(span: Span): number {
  const a = span.attributes;
  if (!isLlm(span)) return 0;
  const total = int(a["gen_ai.usage.total_tokens"]);
  if (total > 0) return total;
  return (int(a["gen_ai.usage.prompt_tokens"]) || int(a["gen_ai.usage.input_tokens"])) + (int(a["gen_ai.usage.completion_tokens"]) || int(a["gen_ai.usage.output_tokens"]));
}

function isLlm(span: Span): boolean {
  const a = span.attributes;
  return (typeof a["gen_ai.system"] === "string" && a["gen_ai.system"] !== "") || typeof a["gen_ai.provider.name"] === "string";
}

export function traceTruth(spans: readonly Span[]): TraceTruth {
  if (spans.length === 0) throw new Error("traceTruth: a trace has at least one span");
  let root: Span | undefined;
  for (const s of spans) {
    if (s.parentSpanId === null || s.parentSpanId === "") {
      root = s;
      break;
    }
  }
  root ??= spans[0]!;
  // Whole nanoseconds from the first span's start (epoch ns would exceed 2^53), so the truth
  // carries no float error of its own.
  const baseUs = spans[0]!.startTimeUs;
  let startNs = Number.POSITIVE_INFINITY;
  let endNs = Number.NEGATIVE_INFINITY;
  let errors = 0;
  let llm = 0;
  let tokens = 0;
  for (const s of spans) {
    const begin = (s.startTimeUs - baseUs) * 1000;
    const end = begin + Math.round(s.durationMs * 1_000_000);
    if (begin < startNs) startNs = begin;
    if (end > endNs) endNs = end;
    if (s.status === "ERROR") errors++;
    if (isLlm(s)) llm++;
    tokens += spanTokens(s);
  }
  return {
    traceId: root.traceId,
    rootSpanId: root.spanId,
    serviceName: root.serviceName,
    rootOperation: root.operationName,
    startTimeUs: baseUs + startNs / 1000,
    endTimeUs: baseUs + endNs / 1000,
    durationNs: endNs - startNs,
    durationMs: (endNs - startNs) / 1_000_000,
    status: errors > 0 ? "ERROR" : "OK",
    hasErrors: errors > 0,
    spanCount: spans.length,
    llmSpanCount: llm,
    totalTokens: tokens,
  };
}

/** The truth of every trace of a dataset, by trace id (from `trace.spans` only). */
export function truthTable(traces: readonly Trace[]): Map<string, TraceTruth> {
  return new Map(traces.map((t) => [t.traceId, traceTruth(t.spans)]));
}

/** The truth of one trace of `table`; throws for an id the dataset does not hold. */
export function truthFor(table: ReadonlyMap<string, TraceTruth>, traceId: string): TraceTruth {
  const t = table.get(traceId);
  if (!t) throw new Error(`no such trace in the dataset: ${traceId}`);
  return t;
}

/** A window (epoch ms) covering every trace of the truth, with a margin. */
export function truthWindow(table: ReadonlyMap<string, TraceTruth>, marginMs = 60_000): { startMs: number; endMs: number } {
  const all = [...table.values()];
  return {
    startMs: Math.floor(Math.min(...all.map((t) => t.startTimeUs)) / 1000) - marginMs,
    endMs: Math.ceil(Math.max(...all.map((t) => t.endTimeUs)) / 1000) + marginMs,
  };
}
