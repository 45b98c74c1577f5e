/**
 * Where a trace's time went: the critical path by Jaeger's algorithm (jaeger-ui
 * `computeCriticalPath`): children are first clamped to their parent's interval; from the end of
 * the root, walk back taking the last-finishing child that ends before the current point, its
 * own critical path, then the parent's time before that child, and so on. The segments tile the
 * root's interval, so they sum to its duration. Plus self time (time not covered by children).
 */
import { attrString } from "../domain/attributes.js";
import type { Span, Trace } from "../domain/trace.js";
import { isToolSpan } from "../genai/tool-span.js";
import { llmUsageOf } from "./llm-usage.js";
import { selfTimeMs, traceTree } from "./trace-tree.js";

export type SpanCategory = "llm" | "tool" | "db" | "other";

export function categoryOf(span: Span): SpanCategory {
  if (llmUsageOf(span)) return "llm";
  if (isToolSpan(span)) return "tool";
  if (attrString(span.attributes, "db.system") || attrString(span.attributes, "db.system.name")) return "db";
  return "other";
}

export interface PathSegment {
  span: Span;
  /** µs, absolute. */
  startUs: number;
  endUs: number;
}

interface Clamped {
  span: Span;
  startUs: number;
  endUs: number;
  children: Clamped[];
}

/** The tree with every child clamped into its parent's interval (children wholly outside dropped). */
function clampTree(span: Span, kids: ReadonlyMap<string, Span[]>, startUs: number, endUs: number): Clamped {
  const children: Clamped[] = [];
  for (const c of kids.get(span.spanId) ?? []) {
    const cs = Math.max(c.startTimeUs, startUs);
    const ce = Math.min(c.startTimeUs + c.durationMs * 1000, endUs);
    if (ce > cs || (ce === cs && c.durationMs === 0 && cs >= startUs && cs <= endUs)) children.push(clampTree(c, kids, cs, ce));
  }
  return { span, startUs, endUs, children };
}

/** Segments in time order; they tile [root start, root end]. */
export function criticalPath(trace: Pick<Trace, "spans">): PathSegment[] {
  const tree = traceTree(trace);
  const root = tree.roots[0];
  if (!root) return [];
  const top = clampTree(root, tree.children, root.startTimeUs, root.startTimeUs + root.durationMs * 1000);
  const out: PathSegment[] = [];
  const parents = new Map<Clamped, Clamped>();
  const index = (n: Clamped): void => {
    for (const c of n.children) {
      parents.set(c, n);
      index(c);
    }
  };
  index(top);
  let node: Clamped | undefined = top;
  let until = top.endUs;
  // Iterative: deep traces must not overflow the stack.
  while (node) {
    const current: Clamped = node;
    let last: Clamped | undefined;
    for (const c of current.children) {
      if (c.endUs <= until && (c.endUs < until || c.startUs < until) && (!last || c.endUs > last.endUs)) last = c;
    }
    if (last && last.endUs > current.startUs) {
      if (until > last.endUs) out.push({ span: current.span, startUs: last.endUs, endUs: until });
      node = last;
      until = last.endUs;
      continue;
    }
    if (until > current.startUs) out.push({ span: current.span, startUs: current.startUs, endUs: until });
    const parent = parents.get(current);
    until = current.startUs;
    node = parent;
  }
  return out.reverse();
}

export interface SelfTime {
  span: Span;
  selfMs: number;
}

/** Every span's time not covered by its own children, largest first. */
export function selfTimes(trace: Pick<Trace, "spans">): SelfTime[] {
  const tree = traceTree(trace);
  return tree.ordered
    .map((span) => ({ span, selfMs: selfTimeMs(span, tree.children.get(span.spanId) ?? []) }))
    .sort((a, b) => b.selfMs - a.selfMs || (a.span.spanId < b.span.spanId ? -1 : 1));
}
