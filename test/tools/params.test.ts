import { describe, expect, it } from "vitest";
import { simpleParamFilters, type SimpleParams } from "../../src/tools/params.js";
import type { Filter } from "../../src/domain/filter.js";

const str = (field: string, value: string, operator: Filter["operator"] = "equals"): Filter => ({ field, operator, value, valueType: "string" });
const num = (operator: Filter["operator"], value: number): Filter => ({ field: "duration", operator, value, valueType: "number" });

describe("simpleParamFilters", () => {
  it("emits the original's order: service, operation, min, max, error, system, request model, response model, tags", () => {
    const params: SimpleParams = {
      // Deliberately listed out of order: the output order must not depend on key order.
      tags: { "http.method": "POST", "app.env": "prod" },
      gen_ai_response_model: "gpt-4o-2024-08-06",
      gen_ai_request_model: "gpt-4o",
      gen_ai_system: "openai",
      has_error: true,
      max_duration_ms: 5000,
      min_duration_ms: 100,
      operation_name: "openai.chat",
      service_name: "chat-api",
    };
    expect(simpleParamFilters(params)).toEqual([
      str("service.name", "chat-api"),
      str("operation_name", "openai.chat"),
      num("gte", 100),
      num("lte", 5000),
      str("status", "ERROR"),
      str("gen_ai.system", "openai"),
      str("gen_ai.request.model", "gpt-4o"),
      str("gen_ai.response.model", "gpt-4o-2024-08-06"),
      str("http.method", "POST"),
      str("app.env", "prod"),
    ]);
  });

  it.each<[string, SimpleParams, Filter[]]>([
    ["nothing", {}, []],
    ["all null", { service_name: null, operation_name: null, min_duration_ms: null, max_duration_ms: null, has_error: null, gen_ai_system: null, gen_ai_request_model: null, gen_ai_response_model: null, tags: null }, []],
    ["empty strings are ignored (as the original's truthiness test)", { service_name: "", operation_name: "", gen_ai_system: "", gen_ai_request_model: "", gen_ai_response_model: "" }, []],
    ["min_duration_ms=0 is kept", { min_duration_ms: 0 }, [num("gte", 0)]],
    ["max_duration_ms=0 is kept (the original dropped it)", { max_duration_ms: 0 }, [num("lte", 0)]],
    ["has_error=true", { has_error: true }, [str("status", "ERROR")]],
    ["has_error=false -> status not_equals ERROR (the original dropped it)", { has_error: false }, [str("status", "ERROR", "not_equals")]],
    ["empty tags", { tags: {} }, []],
    ["a tag with an empty value is still a filter", { tags: { "custom.note": "" } }, [str("custom.note", "")]],
    ["tags keep their insertion order", { tags: { b: "2", a: "1" } }, [str("b", "2"), str("a", "1")]],
  ])("%s", (_label, params, expected) => {
    expect(simpleParamFilters(params)).toEqual(expected);
  });
});
