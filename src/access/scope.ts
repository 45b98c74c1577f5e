/**
 * Which services an API key may see. A scope is either every service or a list of names and
 * `*` globs (`billing-service`, `payment-*`), matched case-sensitively against the whole name.
 * The query layer uses these helpers to restrict listings, searches, aggregates and traces.
 */
import { assembleTrace, type Span, type Trace } from "../domain/trace.js";

export interface RestrictedTrace {
  /** The trace as this scope may see it. */
  trace: Trace;
  /** Spans of out-of-scope services that were left out. */
  withheldSpans: number;
}

export interface ServiceScope {
  /** True when every service is visible. */
  readonly all: boolean;
  /** The names and globs the scope was made from (`["*"]` for all). */
  readonly patterns: readonly string[];
  allows(service: string): boolean;
  allowsSpan(span: Pick<Span, "serviceName">): boolean;
  filterServices(services: readonly string[]): string[];
  /**
   * The in-scope part of a trace, or undefined when none of its spans is in scope (the caller
   * answers "not found", exactly as for an unknown id). Out-of-scope spans are dropped and each
   * in-scope span whose parent was dropped is re-parented to its nearest in-scope ancestor (or
   * becomes a root when there is none), so the tree stays connected and never names a hidden span.
   * Root service/operation, start, duration and status are recomputed from the visible spans.
   */
  restrictTrace(trace: Trace): RestrictedTrace | undefined;
}

function globSource(glob: string): string {
  return glob
    .split("*")
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
}

function restrict(trace: Trace, allows: (service: string) => boolean): RestrictedTrace | undefined {
  const visible = trace.spans.filter((s) => allows(s.serviceName));
  if (visible.length === 0) return undefined;
  if (visible.length === trace.spans.length) return { trace, withheldSpans: 0 };
  const byId = new Map(trace.spans.map((s) => [s.spanId, s]));
  const visibleIds = new Set(visible.map((s) => s.spanId));
  const spans = visible.map((span) => {
    let parent = span.parentSpanId;
    const seen = new Set<string>();
    // Climb through withheld ancestors; a parent that is not in the trace at all stays as it was.
    while (parent && !visibleIds.has(parent) && byId.has(parent) && !seen.has(parent)) {
      seen.add(parent);
      parent = byId.get(parent)!.parentSpanId;
    }
    if (parent && seen.has(parent)) parent = null; // a cycle among withheld spans
    return parent === span.parentSpanId ? span : { ...span, parentSpanId: parent };
  });
  const restricted = assembleTrace(trace.traceId, spans)!;
  if (trace.partial) restricted.partial = true;
  return { trace: restricted, withheldSpans: trace.spans.length - visible.length };
}

function makeScope(patterns: readonly string[], allows: (service: string) => boolean, all: boolean): ServiceScope {
  return {
    all,
    patterns,
    allows,
    allowsSpan: (span) => allows(span.serviceName),
    filterServices: (services) => services.filter(allows),
    restrictTrace: (trace) => (all ? { trace, withheldSpans: 0 } : restrict(trace, allows)),
  };
}

export const ALL_SERVICES: ServiceScope = makeScope(["*"], () => true, true);

/** A scope over names and `*` globs; a list containing `*` alone is every service. */
export function serviceScope(patterns: readonly string[]): ServiceScope {
  if (patterns.includes("*")) return ALL_SERVICES;
  const re = new RegExp(`^(?:${patterns.map(globSource).join("|")})$`);
  return makeScope([...patterns], (service) => re.test(service), false);
}

/** The note an answer carries when spans were withheld. */
export function withheldNote(withheldSpans: number): string | undefined {
  if (withheldSpans <= 0) return undefined;
  return (
    `${withheldSpans} span${withheldSpans === 1 ? "" : "s"} of services outside this API key's scope ` +
    `${withheldSpans === 1 ? "was" : "were"} withheld; their visible children are attached to the nearest visible ancestor`
  );
}
