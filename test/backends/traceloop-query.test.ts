import { describe, expect, it } from "vitest";
import type { Filter } from "../../src/domain/filter.js";
import {
  buildSearchBody,
  nextCursor,
  traceloopPushdown,
  translateFilter,
  type TraceloopFilter,
} from "../../src/backends/traceloop/traceloop-query.js";

const f = (field: string, operator: Filter["operator"], value: Filter["value"], valueType: Filter["valueType"] = "string"): Filter => ({
  field,
  operator,
  value,
  valueType,
});

type Row = [string, Filter, TraceloopFilter[] | "none", traces: string, spans: string];

// One logical filter per row: the body filter(s) it becomes, and its pushdown per target.
const TABLE: Row[] = [
  ["service equals", f("service.name", "equals", "chat-api"), [{ field: "service.name", operator: "equals", value: "chat-api", value_type: "string" }], "exact", "exact"],
  ["service not_equals", f("service.name", "not_equals", "x"), [{ field: "service.name", operator: "not_equals", value: "x", value_type: "string" }], "exact", "exact"],
  ["operation_name", f("operation_name", "equals", "agent.workflow"), [{ field: "span_name", operator: "equals", value: "agent.workflow", value_type: "string" }], "exact", "exact"],
  ["name alias", f("name", "equals", "openai.chat"), [{ field: "span_name", operator: "equals", value: "openai.chat", value_type: "string" }], "exact", "exact"],
  ["duration gte", f("duration", "gte", 100, "number"), [{ field: "duration", operator: "greater_than_or_equal", value: "100", value_type: "number" }], "exact", "exact"],
  ["duration_ms gt", f("duration_ms", "gt", 50, "number"), [{ field: "duration", operator: "greater_than", value: "50", value_type: "number" }], "exact", "exact"],
  ["duration lt", f("duration", "lt", 2.5, "number"), [{ field: "duration", operator: "less_than", value: "2.5", value_type: "number" }], "exact", "exact"],
  ["duration lte", f("duration", "lte", 900, "number"), [{ field: "duration", operator: "less_than_or_equal", value: "900", value_type: "number" }], "exact", "exact"],
  [
    "duration between",
    { field: "duration", operator: "between", values: [500, 100], valueType: "number" },
    [
      { field: "duration", operator: "greater_than_or_equal", value: "100", value_type: "number" },
      { field: "duration", operator: "less_than_or_equal", value: "500", value_type: "number" },
    ],
    "exact",
    "exact",
  ],
  ["gen_ai.system", f("gen_ai.system", "equals", "openai"), [{ field: "llm.vendor", operator: "equals", value: "openai", value_type: "string" }], "none", "exact"],
  ["gen_ai.request.model", f("gen_ai.request.model", "equals", "gpt-4o-mini"), [{ field: "llm.request.model", operator: "equals", value: "gpt-4o-mini", value_type: "string" }], "none", "exact"],
  ["gen_ai tokens gt", f("gen_ai.usage.total_tokens", "gt", 500, "number"), [{ field: "llm.usage.total_tokens", operator: "greater_than", value: "500", value_type: "number" }], "none", "narrowing"],
  ["llm.* unchanged", f("llm.vendor", "not_equals", "openai"), [{ field: "llm.vendor", operator: "not_equals", value: "openai", value_type: "string" }], "none", "narrowing"],
  ["traceloop.* unchanged", f("traceloop.span.kind", "equals", "tool"), [{ field: "traceloop.span.kind", operator: "equals", value: "tool", value_type: "string" }], "none", "exact"],
  ["other attribute", f("http.response.status_code", "equals", 200, "number"), [{ field: "span_attributes.http.response.status_code", operator: "equals", value: "200", value_type: "number" }], "none", "exact"],
  ["boolean as string", f("llm.is_streaming", "equals", false, "boolean"), [{ field: "llm.is_streaming", operator: "equals", value: "false", value_type: "boolean" }], "none", "exact"],
  ["equals empty string", f("error.type", "equals", ""), [{ field: "span_attributes.error.type", operator: "equals", value: "", value_type: "string" }], "none", "narrowing"],
  ["equals zero", f("llm.usage.prompt_tokens", "equals", 0, "number"), [{ field: "llm.usage.prompt_tokens", operator: "equals", value: "0", value_type: "number" }], "none", "narrowing"],
  ["status (no API filter)", f("status", "equals", "ERROR"), "none", "none", "none"],
  ["trace_id", f("trace_id", "equals", "abc"), "none", "none", "none"],
  ["span_id", f("span_id", "equals", "abc"), "none", "none", "none"],
  ["total_tokens (trace-only)", f("total_tokens", "gt", 5, "number"), "none", "none", "none"],
  ["has_errors (trace-only)", f("has_errors", "equals", true, "boolean"), "none", "none", "none"],
  ["contains (no operator)", f("service.name", "contains", "chat"), "none", "none", "none"],
  ["in (no operator)", { field: "service.name", operator: "in", values: ["a", "b"], valueType: "string" }, "none", "none", "none"],
  ["exists (no operator)", { field: "gen_ai.system", operator: "exists", valueType: "string" }, "none", "none", "none"],
  ["duration compared as string", f("duration", "equals", "100"), "none", "none", "none"],
  ["service compared as number", f("service.name", "equals", 5, "number"), "none", "none", "none"],
];

describe("traceloop filter translation", () => {
  it.each(TABLE)("%s", (_name, filter, body, traces, spans) => {
    expect(translateFilter(filter) ?? "none").toEqual(body);
    expect(traceloopPushdown(filter, "traces")).toBe(traces);
    expect(traceloopPushdown(filter, "spans")).toBe(spans);
  });
});

describe("traceloop search body", () => {
  it("keeps the original's key order and sends epoch seconds rounded outwards", () => {
    const body = buildSearchBody({
      filters: [],
      environments: ["prd", "stg"],
      cursor: 0,
      limit: 10,
      window: { startMs: 1_763_000_000_500, endMs: 1_763_086_400_200 },
    });
    expect(Object.keys(body)).toEqual([
      "filters",
      "logical_operator",
      "environments",
      "sort_by",
      "sort_order",
      "cursor",
      "limit",
      "from_timestamp_sec",
      "to_timestamp_sec",
    ]);
    expect(body).toMatchObject({ logical_operator: "and", sort_by: "timestamp", sort_order: "DESC", from_timestamp_sec: 1_763_000_000, to_timestamp_sec: 1_763_086_401 });
  });
});

describe("traceloop cursor", () => {
  it("sends a numeric next_cursor back as a number (the API accepted cursor: 0)", () => {
    expect(nextCursor("1763272914648", 0)).toBe(1763272914648);
  });
  it("echoes a non-numeric cursor verbatim", () => {
    expect(nextCursor("eyJ0cyI6MX0=", 0)).toBe("eyJ0cyI6MX0=");
  });
  it("stops on -1, absence, blank or a cursor that does not move", () => {
    expect(nextCursor("-1", 0)).toBeUndefined();
    expect(nextCursor(undefined, 0)).toBeUndefined();
    expect(nextCursor("", 0)).toBeUndefined();
    expect(nextCursor("1763272914648", 1763272914648)).toBeUndefined();
  });
});
