/**
 * Error fingerprints: a message with its variable parts templated out, so "order 48213 not
 * found" and "order 10077 not found" are one group; and a class for the errors LLM apps meet.
 */
import { createHash } from "node:crypto";
import type { ErrorInfo } from "./error-info.js";

/** Replacements, applied in order: the more specific shapes first, bare numbers last. */
const TEMPLATE_RULES: ReadonlyArray<readonly [RegExp, string | ((m: string) => string)]> = [
  // Query values of URLs (keep the keys, they say what was asked).
  [/([?&][^=&\s#]+=)[^&\s#]*/g, "$1<v>"],
  [/"(?:[^"\\]|\\.){0,500}"/g, '"<v>"'],
  [/'(?:[^'\\]|\\.){0,500}'/g, "'<v>'"],
  [/`[^`]{0,500}`/g, "`<v>`"],
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, "<uuid>"],
  [/\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b/g, "<email>"],
  [/\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b/g, "<ip>"],
  // Ids: long hex runs with a digit in them (trace ids, hashes, object ids).
  [/\b(?=[0-9a-f]*\d)[0-9a-f]{8,}\b/gi, "<id>"],
  [/\b\d+(?:\.\d+)?\s?(?:ns|µs|us|ms|s|sec|secs|seconds|m|min|mins|minutes|h|hours)\b/gi, "<duration>"],
  [/-?\b\d+(?:[.,]\d+)*\b/g, "<n>"],
];

export function messageTemplate(message: string): string {
  let out = message.length > 2000 ? message.slice(0, 2000) : message;
  for (const [re, to] of TEMPLATE_RULES) out = out.replace(re, to as string);
  return out.replace(/\s+/g, " ").trim();
}

/** A short stable id for a group. */
export function fingerprintOf(parts: ReadonlyArray<string | undefined>): string {
  return createHash("sha256").update(parts.map((p) => p ?? "").join("\u0000")).digest("hex").slice(0, 16);
}

export const ERROR_CLASSES = [
  "rate_limit",
  "context_length_exceeded",
  "content_filter",
  "timeout",
  "authentication",
  "invalid_request",
  "not_found",
  "server_error",
  "network",
  "tool_error",
  "other",
] as const;
export type ErrorClass = (typeof ERROR_CLASSES)[number];

const CLASS_RULES: ReadonlyArray<readonly [ErrorClass, RegExp, readonly number[]]> = [
  ["rate_limit", /rate.?limit|too many requests|quota|throttl/i, [429]],
  ["context_length_exceeded", /context.?length|context window|maximum context|too many tokens|token limit|prompt is too long|reduce the length/i, []],
  ["content_filter", /content.?filter|content.?policy|safety|moderation|blocked by/i, []],
  ["timeout", /time.?out|timed out|deadline exceeded/i, [408, 504]],
  ["authentication", /authenticat|api.?key|unauthori[sz]ed|forbidden|permission denied|invalid.?token/i, [401, 403]],
  ["not_found", /not.?found|no such|does not exist/i, [404]],
  ["invalid_request", /invalid.?request|bad.?request|validation|unprocessable/i, [400, 422]],
  ["server_error", /internal.?server|server.?error|overloaded|unavailable|bad gateway|\b(?:HTTP|status)[ :]*5\d\d\b/i, [500, 502, 503]],
  ["network", /ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|connection (?:refused|reset|closed)|network|socket hang up/i, []],
];

/** The class of an error, from its type, message and HTTP status; tool spans fall back to tool_error. */
export function errorClassOf(info: ErrorInfo, isTool: boolean): ErrorClass {
  const text = `${info.type ?? ""} ${info.message}`;
  for (const [cls, re, statuses] of CLASS_RULES) {
    if ((info.httpStatus !== undefined && statuses.includes(info.httpStatus)) || re.test(text)) return cls;
  }
  if (info.httpStatus !== undefined && info.httpStatus >= 500) return "server_error";
  return isTool ? "tool_error" : "other";
}
