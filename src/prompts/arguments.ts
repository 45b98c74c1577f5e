/** Argument schemas the prompts share: strings, as prompt arguments are, checked before rendering. */
import { z } from "zod";
import { parseTime } from "../domain/time.js";
import { isTraceId, TRACE_ID_HINT } from "../domain/trace-id.js";

function parses(value: string): boolean {
  try {
    parseTime(value);
    return true;
  } catch {
    return false;
  }
}

/** A time in any form the tools accept (ISO 8601, '1h', 'now-30m', epoch seconds). */
export function timeArgument(description: string) {
  return z
    .string()
    .max(64)
    .refine(parses, { message: "not a time: use ISO 8601 (UTC if no offset), a relative time like '1h' or 'now-30m', or epoch seconds" })
    .optional()
    .describe(description);
}

const DURATION = /^(\d+)(m|h|d)$/;
const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A window length such as '30m', '1h' or '7d', in ms. */
export function durationMs(text: string): number {
  const m = DURATION.exec(text.trim())!;
  return Number(m[1]) * UNIT_MS[m[2]!]!;
}

export const windowLength = z
  .string()
  .max(16)
  .refine((v) => DURATION.test(v.trim()) && durationMs(v) > 0, { message: "a window length like '30m', '1h' or '7d'" })
  .optional()
  .describe("Length of each compared window, e.g. '30m', '1h' (default), '1d'.");

const SERVICE_HELP = "Service name (see list_services); completes from the backend.";
export const requiredService = z.string().min(1).max(512).describe(SERVICE_HELP);
export const optionalService = z.string().min(1).max(512).optional().describe(SERVICE_HELP);

export const modelArgument = z.string().min(1).max(256).optional().describe("LLM model, requested or responding (see list_llm_models); completes from recent calls.");

export const traceIdArgument = z
  .string()
  .trim()
  .refine(isTraceId, { message: TRACE_ID_HINT })
  .optional()
  .describe("Trace id (from search_traces, find_errors or a trace:// link).");

export const sessionIdArgument = z.string().min(1).max(512).optional().describe("Agent session id (the session.id attribute); completes from recent spans.");
