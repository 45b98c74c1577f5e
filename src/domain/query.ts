/**
 * A resolved search: absolute time bounds, a limit, and the filters the simple tool parameters
 * turn into (in the original's order) followed by the explicit filters.
 */
import { eq, type Filter } from "./filter.js";

export interface SimpleParams {
  service_name?: string | null;
  operation_name?: string | null;
  min_duration_ms?: number | null;
  max_duration_ms?: number | null;
  has_error?: boolean | null;
  gen_ai_system?: string | null;
  gen_ai_request_model?: string | null;
  gen_ai_response_model?: string | null;
  tags?: Record<string, string> | null;
}

export interface SearchQuery {
  /** Epoch milliseconds; undefined lets the backend apply its default window. */
  startMs?: number;
  endMs?: number;
  limit: number;
  filters: Filter[];
}

/**
 * Converts the simple parameters into filters. Unlike the original, max_duration_ms=0 and
 * has_error=false are kept (the original dropped them).
 */
export function simpleParamFilters(p: SimpleParams): Filter[] {
  const out: Filter[] = [];
  if (p.service_name) out.push(eq("service.name", p.service_name));
  if (p.operation_name) out.push(eq("operation_name", p.operation_name));
  if (p.min_duration_ms !== undefined && p.min_duration_ms !== null) {
    out.push({ field: "duration", operator: "gte", value: p.min_duration_ms, valueType: "number" });
  }
  if (p.max_duration_ms !== undefined && p.max_duration_ms !== null) {
    out.push({ field: "duration", operator: "lte", value: p.max_duration_ms, valueType: "number" });
  }
  if (p.has_error === true) out.push(eq("status", "ERROR"));
  if (p.has_error === false) out.push({ field: "status", operator: "not_equals", value: "ERROR", valueType: "string" });
  if (p.gen_ai_system) out.push(eq("gen_ai.system", p.gen_ai_system));
  if (p.gen_ai_request_model) out.push(eq("gen_ai.request.model", p.gen_ai_request_model));
  if (p.gen_ai_response_model) out.push(eq("gen_ai.response.model", p.gen_ai_response_model));
  for (const [k, v] of Object.entries(p.tags ?? {})) out.push(eq(k, v));
  return out;
}
