/**
 * The query layer's small pure parts with exact expectations: how filters split (a backend's own
 * compile wins), the over-fetch, the local-filter and coverage notes, and when a trace a search
 * returned counts as complete.
 */
import { describe, expect, it } from "vitest";
import type { BackendCapabilities } from "../../src/backends/descriptor.js";
import type { FilterPlan, Pushdown, TraceBackend } from "../../src/backends/trace-backend.js";
import { eq, type Filter } from "../../src/domain/filter.js";
import { assembleTrace, createSpan } from "../../src/domain/trace.js";
import { coverageNote } from "../../src/query/coverage.js";
import { isComplete } from "../../src/query/fetch-traces.js";
import { fetchLimit, localFilterNote, planFilters, splitByPushdown } from "../../src/query/plan.js";

const svc = eq("service.name", "checkout");
// Not a normalised GenAI field: those stay local unless the backend evaluates them (see query-path tests).
const model = eq("http.route", "/chat");
const tokens: Filter = { field: "total_tokens", operator: "gt", value: 100, valueType: "number" };
const modes: Record<string, Pushdown> = { "service.name": "exact", "http.route": "narrowing", total_tokens: "none" };
const byField = { pushdown: (f: Filter): Pushdown => modes[f.field]! };

describe("planFilters", () => {
  it("splits filter by filter: exact sent only, narrowing sent and re-checked, none kept here", () => {
    expect(splitByPushdown(byField, [svc, model, tokens], "traces")).toEqual({ remote: [svc, model], local: [model, tokens], unpushed: [tokens] });
    expect(planFilters(byField, [svc, model, tokens], "traces")).toEqual({ remote: [svc, model], local: [model, tokens], unpushed: [tokens] });
  });

  it("uses the backend's own compile when it has one", () => {
    const own: FilterPlan = { remote: [], local: [svc, model, tokens], unpushed: [svc, model, tokens] };
    expect(planFilters({ ...byField, compile: () => own }, [svc, model, tokens], "spans")).toBe(own);
  });
});

describe("fetchLimit", () => {
  const none: FilterPlan = { remote: [], local: [], unpushed: [] };
  const local: FilterPlan = { remote: [], local: [tokens], unpushed: [tokens] };
  const narrowing: FilterPlan = { remote: [model], local: [model], unpushed: [] };
  it("asks for what was requested, unless a filter runs only here: then x5, at least 100, within the cap", () => {
    expect(fetchLimit(7, none, 1000)).toBe(7);
    expect(fetchLimit(7, narrowing, 1000)).toBe(7);
    expect(fetchLimit(7, local, 1000)).toBe(100);
    expect(fetchLimit(30, local, 1000)).toBe(150);
    expect(fetchLimit(30, local, 120)).toBe(120);
    expect(fetchLimit(0, none, 1000)).toBe(1);
  });
});

describe("localFilterNote", () => {
  it("names the filters this server applied and what matched of what was examined; nothing when none", () => {
    expect(localFilterNote({ remote: [svc], local: [], unpushed: [] }, 3, 10, "traces")).toBeUndefined();
    expect(localFilterNote({ remote: [], local: [tokens], unpushed: [tokens] }, 3, 10, "traces")).toBe(
      "1 filter(s) applied by this server, not the backend (total_tokens gt 100): 3 of 10 traces examined matched.",
    );
    const errors = eq("status", "ERROR");
    expect(localFilterNote({ remote: [], local: [tokens, errors], unpushed: [tokens, errors] }, 0, 4, "spans")).toBe(
      '2 filter(s) applied by this server, not the backend (total_tokens gt 100; status equals "ERROR"): 0 of 4 spans examined matched.',
    );
  });
});

describe("coverageNote", () => {
  it("is silent for a complete answer and for an incomplete one without a limit (skipped traces have their own note)", () => {
    expect(coverageNote({ traces: 5, complete: true, examined: 5 })).toBeUndefined();
    expect(coverageNote({ traces: 5, complete: false, examined: 5, skipped: 1 })).toBeUndefined();
    expect(coverageNote({ traces: 5, complete: true, examined: 5, limit: 5 })).toBeUndefined();
  });

  it("states how much of at least how many was read, in the unit given (traces by default)", () => {
    expect(coverageNote({ traces: 1234, complete: false, examined: 1500, limit: 1500 })).toBe(
      "Incomplete: computed from 1,234 of at least 1,500 traces in the window (the most one call reads; --max-traces / MAX_TRACES_PER_QUERY); " +
        "narrow the window or the filters for a complete answer.",
    );
    expect(coverageNote({ traces: 2, complete: false, examined: 9, limit: 9 }, "spans")).toMatch(/^Incomplete: computed from 2 of at least 9 spans in the window/);
  });
});

describe("isComplete", () => {
  const t = assembleTrace("ab", [createSpan({ traceId: "ab", spanId: "01", operationName: "op", serviceName: "s", startTimeUs: 0, durationMs: 1 })])!;
  const backend = (completeTracesInSearch: boolean) => ({ capabilities: { completeTracesInSearch } as BackendCapabilities }) as TraceBackend;
  it("only a backend whose search returns whole traces, and only for a trace not marked partial", () => {
    expect(isComplete(t, backend(true))).toBe(true);
    expect(isComplete({ ...t, partial: true }, backend(true))).toBe(false);
    expect(isComplete(t, backend(false))).toBe(false);
  });
});
