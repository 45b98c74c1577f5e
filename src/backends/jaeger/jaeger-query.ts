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
 * - Jaeger has one slot per parameter: a second service / operation / same-key tag is left to the
 *   query layer (applied locally) instead of being dropped.
 */
import { toNumber } from "../../domain/attributes.js";
import { canonicalField, PSEUDO_FIELDS, type Filter } from "../../domain/filter.js";
import { BackendError } from "../../errors.js";
import type { BackendSearch, FilterPlan, Pushdown, SearchTarget } from "../trace-backend.js";

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

/** Milliseconds as Jaeger's "<n>ms" with µs precision, rounded outwards so the bound stays a superset. */
export function formatDurationMs(ms: number, round: "down" | "up"): string | undefined {
  const us = round === "down" ? Math.floor(ms * 1000) : Math.ceil(ms * 1000);
  if (!Number.isSafeInteger(us) || us <= 0) return undefined;
  return `${us / 1000}ms`;
}

/**
 * Splits a filter list the way one Jaeger request can carry it: one service, one operation, one
 * value per tag key, one duration range. A filter that does not fit its slot, and (for traces) a
 * duration beside an operation or tags (see the module comment), is left to the query layer.
 */
export function compileJaeger(filters: readonly Filter[], target: SearchTarget): FilterPlan {
  const plan: FilterPlan = { remote: [], local: [], unpushed: [] };
  const unpushed = (f: Filter): void => {
    plan.local.push(f);
    plan.unpushed.push(f);
  };
  let service: string | undefined;
  let operation: string | undefined;
  const tags = new Map<string, string>();
  const durations: Filter[] = [];
  for (const f of filters) {
    const role = roleOf(f);
    if (!role) {
      unpushed(f);
      continue;
    }
    switch (role.kind) {
      case "service":
        if (service === undefined || service === role.value) service = role.value;
        else {
          unpushed(f);
          continue;
        }
        break;
      case "operation":
        if (operation === undefined || operation === role.value) operation = role.value;
        else {
          unpushed(f);
          continue;
        }
        break;
      case "tag": {
        const held = tags.get(role.key);
        if (held === undefined || held === role.value) tags.set(role.key, role.value);
        else {
          unpushed(f);
          continue;
        }
        break;
      }
      case "duration":
        durations.push(f);
        continue;
    }
    plan.remote.push(f);
    if (jaegerPushdown(f, target) !== "exact") plan.local.push(f);
  }
  // For traces, a duration condition may only join the service alone (see module comment).
  const durationFits = target === "spans" || (operation === undefined && tags.size === 0);
  for (const f of durations) {
    if (durationFits && durationBounds([f]) !== undefined) {
      plan.remote.push(f);
      plan.local.push(f);
    } else unpushed(f);
  }
  return plan;
}

interface Bounds {
  minMs?: number;
  maxMs?: number;
}

function durationBounds(filters: readonly Filter[]): Bounds | undefined {
  const b: Bounds = {};
  for (const f of filters) {
    const role = roleOf(f);
    if (role?.kind !== "duration") return undefined;
    if (role.minMs !== undefined) b.minMs = Math.max(b.minMs ?? -Infinity, role.minMs);
    if (role.maxMs !== undefined) b.maxMs = Math.min(b.maxMs ?? Infinity, role.maxMs);
  }
  return b;
}

/**
 * GET /api/traces parameters for a compiled search, in the original's order. Translation only:
 * every filter here was accepted by compileJaeger. Throws a "requirement" BackendError when no
 * service is given (Jaeger needs one; the query layer searches each service then).
 */
export function jaegerParams(search: BackendSearch): Array<[string, string]> {
  let service: string | undefined;
  let operation: string | undefined;
  const tags = new Map<string, string>();
  const durations: Filter[] = [];
  for (const f of search.filters) {
    const role = roleOf(f);
    if (!role) continue;
    if (role.kind === "service") service ??= role.value;
    else if (role.kind === "operation") operation ??= role.value;
    else if (role.kind === "tag") {
      if (!tags.has(role.key)) tags.set(role.key, role.value);
    } else durations.push(f);
  }
  if (service === undefined) throw new BackendError("jaeger", "requirement", SERVICE_REQUIRED_MESSAGE);
  const bounds = durationBounds(durations) ?? {};
  const minParam = bounds.minMs !== undefined ? formatDurationMs(bounds.minMs, "down") : undefined;
  // Jaeger rejects max < min; such a range matches nothing anyway and is settled locally.
  const maxParam =
    bounds.maxMs !== undefined && !(bounds.minMs !== undefined && bounds.maxMs < bounds.minMs) ? formatDurationMs(bounds.maxMs, "up") : undefined;
  const params: Array<[string, string]> = [["service", service]];
  if (operation !== undefined) params.push(["operation", operation]);
  params.push(["start", String(Math.floor(search.startMs * 1000))]);
  params.push(["end", String(Math.ceil(search.endMs * 1000))]);
  if (minParam) params.push(["minDuration", minParam]);
  if (maxParam) params.push(["maxDuration", maxParam]);
  params.push(["limit", String(search.limit)]);
  if (tags.size > 0) params.push(["tags", JSON.stringify(Object.fromEntries(tags))]);
  return params;
}
