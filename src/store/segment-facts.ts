/**
 * What a segment's manifest entry and sidecar say about it (rows, time range, services and
 * operations, trace ids), gathered while its spans are appended, so a roll need not read the
 * segment back to describe it. Kept per hour, the unit segments are cut by.
 */
import type { Span } from "../domain/trace.js";
import { HOUR_MS } from "./schema.js";

export class SegmentFacts {
  rows = 0;
  minUs = Infinity;
  maxUs = -Infinity;
  readonly operations = new Map<string, Set<string>>();
  readonly traceIds = new Set<string>();

  add(span: Span): void {
    this.rows++;
    if (span.startTimeUs < this.minUs) this.minUs = span.startTimeUs;
    if (span.startTimeUs > this.maxUs) this.maxUs = span.startTimeUs;
    let ops = this.operations.get(span.serviceName);
    if (!ops) this.operations.set(span.serviceName, (ops = new Set()));
    ops.add(span.operationName);
    this.traceIds.add(span.traceId);
  }

  merge(other: SegmentFacts): void {
    this.rows += other.rows;
    this.minUs = Math.min(this.minUs, other.minUs);
    this.maxUs = Math.max(this.maxUs, other.maxUs);
    for (const [service, ops] of other.operations) {
      const mine = this.operations.get(service) ?? new Set<string>();
      for (const o of ops) mine.add(o);
      this.operations.set(service, mine);
    }
    for (const id of other.traceIds) this.traceIds.add(id);
  }
}

/** Facts per hour (epoch ms of the hour's start). */
export type HourlyFacts = Map<number, SegmentFacts>;

/** The hour a span start falls in, as segments are cut (epoch_us // 3.6e9 in SQL). */
export function hourOf(startTimeUs: number): number {
  return Math.trunc(Math.trunc(startTimeUs) / (HOUR_MS * 1000)) * HOUR_MS;
}

export function factsOf(spans: readonly Span[]): HourlyFacts {
  const out: HourlyFacts = new Map();
  for (const span of spans) {
    const hour = hourOf(span.startTimeUs);
    let facts = out.get(hour);
    if (!facts) out.set(hour, (facts = new SegmentFacts()));
    facts.add(span);
  }
  return out;
}

export function mergeHourly(into: HourlyFacts, from: HourlyFacts): void {
  for (const [hour, facts] of from) {
    const mine = into.get(hour);
    if (mine) mine.merge(facts);
    else {
      const copy = new SegmentFacts();
      copy.merge(facts);
      into.set(hour, copy);
    }
  }
}
