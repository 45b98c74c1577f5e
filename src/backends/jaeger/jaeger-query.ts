/**
 * SearchQuery -> Jaeger's GET /api/traces parameters (pure).
 *
 * The one fact that shapes everything here: Jaeger matches ALL search parameters against ONE span
 * (its storage keeps a trace when some span has the service AND the operation AND every tag AND a
 * duration within min/max AND a start inside the window; see validSpan in Jaeger's memory store).
 * Hence:
 * - For spans that is exactly right: the span we want must satisfy every condition, so every
 *   condition Jaeger understands is sent, as "narrowing" (Jaeger returns whole traces, so the
 *   per-span check runs again locally).
 * - For traces, service / operation / tags are "exact" with Jaeger's meaning ("a span of service S
 *   named O carrying these tags"), which is how Jaeger users read such a search. Duration is a
 *   trace property carried by a different span (the root covers the trace's duration), so it is
 *   only sent when nothing but the service is; otherwise the adapter applies it after fetching.
 * - Status is never sent (see roleOf).
 * - Jaeger has one slot per parameter: a second service / operation / same-key tag is applied
 *   locally with any-span semantics instead of being dropped.
 */
import { traceMatches } from "../../query/filter-engine.js";
import { toNumber } from "../../domain/attributes.js";
import { canonicalField, PSEUDO_FIELDS, type Filter } from "../../domain/filter.js";
import type { SearchQuery } from "../../domain/query.js";
import type { Trace } from "../../domain/trace.js";
import { BackendError } from "../../errors.js";
import type { Pushdown, SearchTarget } from "../trace-backend.js";

export const SERVICE_REQUIRED_MESSAGE =
  "Jaeger backend requires 'service_name' parameter. Use list_services() to see available services, then specify one with service_name parameter.";


/** What a filter becomes in a Jaeger request. */
type Role =
  | { kind: "service"; value: string }
  | { kind: "operation"; value: string }
  | { kind: "tag"; key: string; value: string }
  | { kind: "duration"; minMs?: number; maxMs?: number };

function stringValue(f: Filter): string | undefined {
  if (f.operator !== "equals" || f.valueType !== "string" || f.value === undefined || f.value === null) return undefined;
  return String(f.value);
}

function durationRole(f: Filter): Role | undefined {
  if (f.valueType !== "number") return undefined;
  if (f.operator === "between") {
    const [a, b] = (f.values ?? []).map((v) => toNumber(v));
    if (a === undefined || b === undefined) return undefined;
    return { kind: "duration", minMs: Math.min(a, b), maxMs: Math.max(a, b) };
  }
  const v = toNumber(f.value);
  if (v === undefined) return undefined;
  // Jaeger's bounds are inclusive: gt/lt send the same bound and the strict check runs locally.
  switch (f.operator) {
    case "gte":
    case "gt":
      return { kind: "duration", minMs: v };
    case "lte":
    case "lt":
      return { kind: "duration", maxMs: v };
    default:
      return undefined;
  }
}

function roleOf(f: Filter): Role | undefined {
  const field = canonicalField(f.field);
  if (field === "duration") return durationRole(f);
  const value = stringValue(f);
  if (value === undefined) return undefined;
  if (field === "service.name") return { kind: "service", value };
  if (field === "name" || field === "operation_name") return { kind: "operation", value };
  // Status is never sent as Jaeger's error=true tag: Jaeger v2's in-memory store reads that tag as
  // a boolean, gets false, and keeps only status-OK spans (jaegertracing/jaeger#8553), so an error
  // search would find nothing. The local engine checks status on the fetched traces instead.
  if (field === "status") return undefined;
  if (PSEUDO_FIELDS.has(field)) return undefined;
  return { kind: "tag", key: field, value };
}

/** See the module comment for why traces and spans differ. */
export function jaegerPushdown(filter: Filter, target: SearchTarget): Pushdown {
  const role = roleOf(filter);
  if (!role) return "none";
  if (target === "spans") return "narrowing";
  return role.kind === "duration" ? "narrowing" : "exact";
}

export interface JaegerSearchPlan {
  /** GET /api/traces parameters, in the original's order. */
  params: Array<[string, string]>;
  /** Traces to ask Jaeger for. */
  fetchLimit: number;
  /**
   * Checks the adapter runs on the fetched traces before cutting to the limit ("traces" only;
   * for spans the layer above re-checks every filter per span).
   */
  keep: (trace: Trace) => boolean;
  /** True when `keep` tests something Jaeger did not pre-filter (results may be cut short). */
  filtersLocally: boolean;
  notes: string[];
  window?: { startMs: number; endMs: number };
}

/** Milliseconds as Jaeger's "<n>ms" with µs precision, rounded outwards so the bound stays a superset. */
export function formatDurationMs(ms: number, round: "down" | "up"): string | undefined {
  const us = round === "down" ? Math.floor(ms * 1000) : Math.ceil(ms * 1000);
  if (!Number.isSafeInteger(us) || us <= 0) return undefined;
  return `${us / 1000}ms`;
}

const anySpan =
  (test: (s: Trace["spans"][number]) => boolean) =>
  (t: Trace): boolean =>
    t.spans.some(test);

/**
 * Plans one search. `query.filters` holds only filters this backend declared exact/narrowing
 * for `target`. Throws a "requirement" BackendError when no service is given (Jaeger needs one).
 */
export function planJaegerSearch(query: SearchQuery, target: SearchTarget): JaegerSearchPlan {
  let service: string | undefined;
  let operation: string | undefined;
  const tags = new Map<string, string>();
  let minMs: number | undefined;
  let maxMs: number | undefined;
  /** Filters Jaeger will not see, as local checks on a trace. */
  const unsent: Array<(t: Trace) => boolean> = [];
  /** Duration filters: re-checked before the cut (cheap, and exact at the gt/lt boundary). */
  const narrowing: Array<{ filter: Filter; role: Extract<Role, { kind: "duration" }> }> = [];

  for (const f of query.filters) {
    const role = roleOf(f);
    if (!role) {
      // Not expressible in Jaeger: the layer above should not have sent it, but never drop a filter.
      unsent.push((t) => traceMatches(t, [f]));
      continue;
    }
    switch (role.kind) {
      case "service":
        if (service === undefined) service = role.value;
        else if (service !== role.value) unsent.push(anySpan((s) => s.serviceName === role.value));
        break;
      case "operation":
        if (operation === undefined) operation = role.value;
        else if (operation !== role.value) unsent.push(anySpan((s) => s.operationName === role.value));
        break;
      case "tag": {
        const held = tags.get(role.key);
        if (held === undefined) tags.set(role.key, role.value);
        else if (held !== role.value) unsent.push((t) => traceMatches(t, [f]));
        break;
      }
      case "duration":
        if (role.minMs !== undefined) minMs = Math.max(minMs ?? -Infinity, role.minMs);
        if (role.maxMs !== undefined) maxMs = Math.min(maxMs ?? Infinity, role.maxMs);
        narrowing.push({ filter: f, role });
        break;
    }
  }
  if (service === undefined) throw new BackendError("jaeger", "requirement", SERVICE_REQUIRED_MESSAGE);

  const notes: string[] = [];
  // For traces, a duration condition may only join the service alone (see module comment).
  const sendDuration = target === "spans" || (operation === undefined && tags.size === 0);
  const minParam = sendDuration && minMs !== undefined ? formatDurationMs(minMs, "down") : undefined;
  // Jaeger rejects max < min; such a range matches nothing anyway and is settled locally.
  const maxParam =
    sendDuration && maxMs !== undefined && !(minMs !== undefined && maxMs < minMs) ? formatDurationMs(maxMs, "up") : undefined;
  for (const { filter, role } of narrowing) {
    const sent = (role.minMs === undefined || minParam !== undefined) && (role.maxMs === undefined || maxParam !== undefined);
    if (!sent) unsent.push((t) => traceMatches(t, [filter]));
  }

  const narrowingFilters = narrowing.map((n) => n.filter);
  const checks = target === "traces" ? [...unsent, (t: Trace) => traceMatches(t, narrowingFilters)] : [];
  const filtersLocally = target === "traces" && unsent.length > 0;
  // Spans: Jaeger returns whole traces, twice as many as asked, as the original did. Traces:
  // over-fetch only when checks Jaeger did not make may drop some of what it returns.
  const fetchLimit = target === "spans" || filtersLocally ? query.limit * 2 : query.limit;

  const params: Array<[string, string]> = [["service", service]];
  if (operation !== undefined) params.push(["operation", operation]);
  if (query.startMs !== undefined) params.push(["start", String(Math.floor(query.startMs * 1000))]);
  if (query.endMs !== undefined) params.push(["end", String(Math.ceil(query.endMs * 1000))]);
  if (minParam) params.push(["minDuration", minParam]);
  if (maxParam) params.push(["maxDuration", maxParam]);
  params.push(["limit", String(fetchLimit)]);
  if (tags.size > 0) params.push(["tags", JSON.stringify(Object.fromEntries(tags))]);

  if (query.startMs === undefined && query.endMs === undefined) {
    notes.push("No time range given: Jaeger applied its default lookback.");
  } else if (query.startMs === undefined) {
    notes.push("No start time given: Jaeger applied its default lookback (counted back from now).");
  }
  const window = query.startMs !== undefined && query.endMs !== undefined ? { startMs: query.startMs, endMs: query.endMs } : undefined;

  return {
    params,
    fetchLimit,
    keep: (t) => checks.every((c) => c(t)),
    filtersLocally,
    notes,
    ...(window ? { window } : {}),
  };
}
