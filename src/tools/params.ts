/** Shared zod fragments for tool parameters: each is described once and reused. */
import { z } from "zod";
import { attributeNameProblem, attributeNameSchema, eq, filterInputSchema, RESERVED_NAMES, toFilter, type Filter, type FilterInput } from "../domain/filter.js";
import { formatTimeMs, parseTime, TimeParseError } from "../domain/time.js";
import { isTraceId, TRACE_ID_HINT } from "../domain/trace-id.js";
import { UserInputError, errorMessage } from "../errors.js";

export const startTime = z
  .string()
  .max(64)
  .optional()
  .describe("Window start: ISO 8601 (UTC if no offset), '1h', 'now-30m' or epoch seconds.");
export const endTime = z.string().max(64).optional().describe("Window end (default now), same forms.");
export const serviceName = z
  .string()
  .min(1)
  .max(512)
  .optional()
  .describe("Service name (see list_services); default all.");
export const operationName = z.string().min(1).max(1024).optional().describe("Span operation name, e.g. 'openai.chat'.");
export const genAiSystem = z.string().min(1).max(256).optional().describe("LLM provider (gen_ai.system), e.g. 'openai'.");
export const genAiRequestModel = z
  .string()
  .min(1)
  .max(256)
  .optional()
  .describe("Requested model (gen_ai.request.model).");
export const genAiResponseModel = z
  .string()
  .min(1)
  .max(256)
  .optional()
  .describe("Responding model (gen_ai.response.model).");
export const minDurationMs = z.number().int().min(0).optional().describe("Minimum duration, ms.");
export const maxDurationMs = z.number().int().min(0).optional().describe("Maximum duration, ms.");
export const hasError = z.boolean().optional().describe("true: only errors; false: no errors.");
/**
 * zod's records skip an own "__proto__" key without a word (JSON.parse keeps it as an ordinary
 * key), so reserved names are looked for in the raw object before the record parses it.
 */
export const tags = z
  .preprocess((value, ctx) => {
    const reserved = typeof value === "object" && value !== null ? Object.keys(value).find((k) => RESERVED_NAMES.has(k)) : undefined;
    if (reserved) ctx.addIssue({ code: "custom", message: attributeNameProblem(reserved)! });
    return value;
  }, z.record(attributeNameSchema, z.string()))
  .optional()
  .describe("Attribute equality filters, e.g. {\"http.status_code\": \"500\"}.");
export const traceId = z
  .string()
  .trim()
  .min(1)
  .max(128)
  .refine(isTraceId, { message: `${TRACE_ID_HINT}; take it from search_traces or find_errors` })
  .describe("Trace id (hex), from search_traces or find_errors.");
export const filters = z
  .array(filterInputSchema)
  .max(50)
  .optional()
  .describe(
    "Filters, ANDed, e.g. [{\"field\":\"gen_ai.usage.total_tokens\",\"operator\":\"gt\",\"value\":1000}].",
  );

/** The parameters search_traces and search_spans share (the original's names and order). */
export const searchInput = {
  service_name: serviceName,
  operation_name: operationName,
  start_time: startTime,
  end_time: endTime,
  min_duration_ms: minDurationMs,
  max_duration_ms: maxDurationMs,
  gen_ai_system: genAiSystem,
  gen_ai_request_model: genAiRequestModel,
  gen_ai_response_model: genAiResponseModel,
  has_error: hasError,
  tags,
  filters,
};

export function limit(defaultValue: number, what: string): z.ZodDefault<z.ZodNumber> {
  return z.number().int().min(1).max(1000).default(defaultValue).describe(`Max ${what}.`);
}

/** Validates generic filters; errors say which filter is wrong and why. */
export function parseFilters(inputs: readonly FilterInput[] | undefined): Filter[] {
  return (inputs ?? []).map((input, i) => {
    try {
      return toFilter(input);
    } catch (err) {
      throw new UserInputError(`Invalid filter format: filters[${i}]: ${errorMessage(err)}`);
    }
  });
}

export interface Window {
  startMs?: number;
  endMs?: number;
}

/** Resolves start_time/end_time to epoch ms; undefined bounds are left to the backend's default. */
export function parseWindow(args: { start_time?: string | undefined; end_time?: string | undefined }, now: number): Window {
  const out: Window = {};
  for (const key of ["start_time", "end_time"] as const) {
    const raw = args[key];
    if (raw === undefined || raw.trim() === "") continue;
    try {
      const ms = parseTime(raw, now);
      if (key === "start_time") out.startMs = ms;
      else out.endMs = ms;
    } catch (err) {
      const why = err instanceof TimeParseError ? err.message : errorMessage(err);
      throw new UserInputError(`Invalid ${key} format: ${why}`);
    }
  }
  if (out.startMs !== undefined && out.endMs !== undefined && out.startMs > out.endMs) {
    throw new UserInputError(
      `Invalid query parameters: start_time (${formatTimeMs(out.startMs)}) is after end_time (${formatTimeMs(out.endMs)}); swap them.`,
    );
  }
  return out;
}

/** The simple search parameters every search-like tool accepts (snake_case, as the tools name them). */
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

/**
 * The simple parameters as filters, in the original's order (explicit filters follow them).
 * Unlike the original, max_duration_ms=0 and has_error=false are kept (the original dropped them).
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
