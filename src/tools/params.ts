/** Shared zod fragments for tool parameters: each is described once and reused. */
import { z } from "zod";
import { filterInputSchema, toFilter, type Filter, type FilterInput } from "../domain/filter.js";
import { formatTimeMs, parseTime, TimeParseError } from "../domain/time.js";
import { UserInputError, errorMessage } from "../errors.js";

const TIME_HELP =
  "ISO 8601 (e.g. '2025-01-15T10:00:00Z'; no offset means UTC), a relative time ('1h', '30m', '7d' = that long ago; " +
  "'now', 'now-2h') or epoch seconds/milliseconds.";

export const startTime = z.string().max(64).optional().describe(`Start of the time window. ${TIME_HELP}`);
export const endTime = z.string().max(64).optional().describe(`End of the time window (default: now). ${TIME_HELP}`);
export const serviceName = z
  .string()
  .min(1)
  .max(512)
  .optional()
  .describe("Service name (service.name), e.g. 'chat-api'. Use list_services to see the names. Required by Jaeger for searches.");
export const operationName = z.string().min(1).max(1024).optional().describe("Span operation name, e.g. 'openai.chat' or 'GET /api/users'.");
export const genAiSystem = z.string().min(1).max(256).optional().describe("LLM provider (gen_ai.system), e.g. 'openai', 'anthropic'.");
export const genAiRequestModel = z
  .string()
  .min(1)
  .max(256)
  .optional()
  .describe("Requested model (gen_ai.request.model), e.g. 'gpt-4o'.");
export const genAiResponseModel = z
  .string()
  .min(1)
  .max(256)
  .optional()
  .describe("Model that actually answered (gen_ai.response.model), e.g. 'gpt-4o-2024-08-06'.");
export const minDurationMs = z.number().int().min(0).optional().describe("Minimum duration in milliseconds (inclusive).");
export const maxDurationMs = z.number().int().min(0).optional().describe("Maximum duration in milliseconds (inclusive).");
export const hasError = z.boolean().optional().describe("true: only items with an error status; false: only items without errors.");
export const tags = z
  .record(z.string(), z.string())
  .optional()
  .describe("Attribute equality filters, e.g. {\"http.status_code\": \"500\"}; all must match.");
export const filters = z
  .array(filterInputSchema)
  .max(50)
  .optional()
  .describe(
    "Generic filters, ANDed. Example: [{\"field\": \"gen_ai.usage.total_tokens\", \"operator\": \"gt\", \"value\": 1000, " +
      "\"value_type\": \"number\"}, {\"field\": \"traceloop.span.kind\", \"operator\": \"equals\", \"value\": \"tool\"}].",
  );

export function limit(defaultValue: number, what: string): z.ZodDefault<z.ZodNumber> {
  return z.number().int().min(1).max(1000).default(defaultValue).describe(`Maximum number of ${what} (1-1000, default ${defaultValue}).`);
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
