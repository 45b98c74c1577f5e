/**
 * Which services call which, from parent/child links (Jaeger's definition: an edge is a child span
 * whose service differs from its parent span's; its metrics are the callee spans'). Databases
 * (spans with db.system) and LLM providers appear as extra nodes, called by the span's service.
 */
import { attrString } from "../domain/attributes.js";
import type { Span, Trace } from "../domain/trace.js";
import { aggregate } from "./aggregate.js";
import { llmUsageOf } from "./llm-usage.js";
import { percentile } from "./stats.js";

export type NodeKind = "service" | "database" | "llm";

export interface TopologyNode {
  name: string;
  kind: NodeKind;
  span_count: number;
  error_rate: number;
  p95_duration_ms: number | null;
}

export interface TopologyEdge {
  caller: string;
  callee: string;
  call_count: number;
  error_count: number;
  error_rate: number;
  p50_duration_ms: number | null;
  p95_duration_ms: number | null;
}

export interface Topology {
  services: TopologyNode[];
  edges: TopologyEdge[];
  spans: number;
}

/** topologyOf's answer computed by a backend over every trace of a window, with the traces it covers. */
export interface ServiceEdgeAnswer extends Topology {
  traces: number;
}

/** A call across a boundary: who called, what was called, and the callee span. */
interface Call {
  caller: string;
  callee: string;
  calleeKind: NodeKind;
  span: Span;
}

/** The node a span stands for: its service, or the database / LLM provider it called. */
function calleeOf(span: Span): { name: string; kind: NodeKind } | undefined {
  const db = attrString(span.attributes, "db.system.name") ?? attrString(span.attributes, "db.system");
  if (db) return { name: db, kind: "database" };
  const llm = llmUsageOf(span);
  if (llm) return { name: llm.provider, kind: "llm" };
  return undefined;
}

export function callsOf(trace: Pick<Trace, "spans">): Call[] {
  const byId = new Map(trace.spans.map((s) => [s.spanId, s]));
  const out: Call[] = [];
  for (const span of trace.spans) {
    const parent = span.parentSpanId ? byId.get(span.parentSpanId) : undefined;
    if (parent && parent.serviceName !== span.serviceName) out.push({ caller: parent.serviceName, callee: span.serviceName, calleeKind: "service", span });
    const external = calleeOf(span);
    if (external) out.push({ caller: span.serviceName, callee: external.name, calleeKind: external.kind, span });
  }
  return out;
}

const rate = (errors: number, n: number): number => (n === 0 ? 0 : (errors / n) * 100);
const q = (sorted: number[], p: number): number | null => (sorted.length === 0 ? null : percentile(sorted, p));

export function topologyOf(traces: readonly Trace[]): Topology {
  const spans = traces.flatMap((t) => t.spans);
  const calls = traces.flatMap((t) => callsOf(t));
  const edges = aggregate(calls, (c) => JSON.stringify([c.caller, c.callee]), {
    n: { kind: "count" },
    errors: { kind: "countIf", when: (c) => c.span.status === "ERROR" },
    durations: { kind: "values", of: (c) => c.span.durationMs },
  }).map((g) => {
    const [caller, callee] = JSON.parse(g.key) as [string, string];
    return { caller, callee, call_count: g.n, error_count: g.errors, error_rate: rate(g.errors, g.n), p50_duration_ms: q(g.durations, 0.5), p95_duration_ms: q(g.durations, 0.95) };
  });
  const services: TopologyNode[] = aggregate(spans, (s) => s.serviceName, {
    n: { kind: "count" },
    errors: { kind: "countIf", when: (s) => s.status === "ERROR" },
    durations: { kind: "values", of: (s) => s.durationMs },
  }).map((g) => ({ name: g.key, kind: "service", span_count: g.n, error_rate: rate(g.errors, g.n), p95_duration_ms: q(g.durations, 0.95) }));
  // Databases and providers: measured by the calls made to them.
  const externals = aggregate(
    calls.filter((c) => c.calleeKind !== "service"),
    (c) => JSON.stringify([c.callee, c.calleeKind]),
    { n: { kind: "count" }, errors: { kind: "countIf", when: (c) => c.span.status === "ERROR" }, durations: { kind: "values", of: (c) => c.span.durationMs } },
  ).map((g) => {
    const [name, kind] = JSON.parse(g.key) as [string, NodeKind];
    return { name, kind, span_count: g.n, error_rate: rate(g.errors, g.n), p95_duration_ms: q(g.durations, 0.95) };
  });
  return { services: [...services, ...externals], edges, spans: spans.length };
}
