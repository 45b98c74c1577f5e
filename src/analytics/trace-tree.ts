/**
 * A trace as a tree: children by parent, depth, tree order (root first, children after their
 * parent, siblings by start time), self time. A span whose parent is not in the trace is a root
 * (several roots happen: missing spans, clock skew, links to other traces).
 */
import type { Span, Trace } from "../domain/trace.js";

export interface TraceTree {
  roots: Span[];
  children: ReadonlyMap<string, Span[]>;
  depth: ReadonlyMap<string, number>;
  /** Every span once, root first, each parent before its children, siblings by start time. */
  ordered: Span[];
}

const byStart = (a: Span, b: Span): number => a.startTimeUs - b.startTimeUs || (a.spanId < b.spanId ? -1 : a.spanId > b.spanId ? 1 : 0);

export function traceTree(trace: Pick<Trace, "spans">): TraceTree {
  const ids = new Set(trace.spans.map((s) => s.spanId));
  const children = new Map<string, Span[]>();
  const roots: Span[] = [];
  for (const s of trace.spans) {
    if (s.parentSpanId && ids.has(s.parentSpanId) && s.parentSpanId !== s.spanId) {
      const list = children.get(s.parentSpanId);
      if (list) list.push(s);
      else children.set(s.parentSpanId, [s]);
    } else roots.push(s);
  }
  roots.sort(byStart);
  for (const list of children.values()) list.sort(byStart);
  const depth = new Map<string, number>();
  const ordered: Span[] = [];
  const visit = (start: Span): void => {
    // Iterative depth-first walk: deep traces must not overflow the stack.
    const stack: Array<[Span, number]> = [[start, 0]];
    while (stack.length > 0) {
      const [span, d] = stack.pop()!;
      if (depth.has(span.spanId)) continue;
      depth.set(span.spanId, d);
      ordered.push(span);
      const kids = children.get(span.spanId) ?? [];
      for (let i = kids.length - 1; i >= 0; i--) stack.push([kids[i]!, d + 1]);
    }
  };
  for (const r of roots) visit(r);
  // Spans on a parent cycle are reachable from no root: list them as roots so none is lost.
  for (const s of [...trace.spans].sort(byStart)) {
    if (!depth.has(s.spanId)) {
      roots.push(s);
      visit(s);
    }
  }
  return { roots, children, depth, ordered };
}

/** Time a span spent not covered by its children (overlapping children counted once), in ms. */
export function selfTimeMs(span: Span, children: readonly Span[]): number {
  const start = span.startTimeUs;
  const end = span.startTimeUs + span.durationMs * 1000;
  const intervals = children
    .map((c) => [Math.max(start, c.startTimeUs), Math.min(end, c.startTimeUs + c.durationMs * 1000)] as const)
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  let covered = 0;
  let curA = -Infinity;
  let curB = -Infinity;
  for (const [a, b] of intervals) {
    if (a > curB) {
      if (curB > curA) covered += curB - curA;
      curA = a;
      curB = b;
    } else if (b > curB) curB = b;
  }
  if (curB > curA) covered += curB - curA;
  return Math.max(0, (end - start - covered) / 1000);
}
