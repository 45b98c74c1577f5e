/**
 * The one place a tool call is validated, run and rendered, and where every failure becomes an
 * isError result whose text is {"error": "..."}. Answers and error messages (which may echo
 * backend text) pass through the redactor; every call is recorded in the audit log.
 */
import { CallToolRequestSchema, type CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { argKeys, type AuditLog } from "../access/audit.js";
import { LOCAL_CALLER, type Caller } from "../access/caller.js";
import { BackendError, NoDataError, UserInputError, errorMessage } from "../errors.js";
import type { Logger } from "../logger.js";
import type { Redactor } from "../redact/redactor.js";
import type { ToolContext, ToolDefinition } from "../tools/define-tool.js";
import { renderResult } from "./render.js";

/** At most this many characters of a name or value the caller sent are quoted back. */
export const MAX_QUOTED_CHARS = 64;
/** Unknown argument names listed in one message. */
const MAX_LISTED_KEYS = 10;
/** Problems described in one message. */
const MAX_LISTED_ISSUES = 5;
/** No error text is longer than this: a message must never eat the response budget. */
export const MAX_ERROR_CHARS = 4000;

/** `text` cut to `max` characters, saying how much was left out. */
export function quoteInput(text: string, max: number = MAX_QUOTED_CHARS): string {
  return text.length > max ? `${text.slice(0, max)}…(${text.length - max} more)` : text;
}

/** An isError result: the message bounded, and redacted first when there is a redactor. */
export function errorResult(message: string, redactor?: Redactor): CallToolResult {
  const redacted = redactor ? redactor.redactText(message).value : message;
  const text = redacted.length > MAX_ERROR_CHARS ? `${redacted.slice(0, MAX_ERROR_CHARS)}…(message cut)` : redacted;
  return { content: [{ type: "text", text: JSON.stringify({ error: text }) }], isError: true };
}

/**
 * tools/call with `arguments` kept as sent. The SDK's schema parses them as a zod record, which
 * drops an own "__proto__" key without a word, so the tool's strict schema could never report it.
 * The SDK still validates the request with its own schema before the handler runs.
 */
export const RawCallToolRequestSchema = CallToolRequestSchema.extend({
  params: CallToolRequestSchema.shape.params.extend({ arguments: z.unknown().optional() }),
});

/** Turns zod issues into one actionable sentence; every name the caller sent is quoted cut to MAX_QUOTED_CHARS. */
export function describeInputError(def: ToolDefinition, error: z.ZodError): string {
  const parts = error.issues.slice(0, MAX_LISTED_ISSUES).map((issue) => {
    // A record key that fails its own check is named by the check's message, not by the path.
    const segments = issue.code === "invalid_key" ? issue.path.slice(0, -1) : issue.path;
    const path = segments.map((p) => (typeof p === "number" ? `[${p}]` : `.${quoteInput(String(p))}`)).join("").replace(/^\./, "");
    if (issue.code === "unrecognized_keys") {
      const valid = Object.keys(def.input.shape).join(", ");
      const where = path ? `${path}: ` : "";
      const listed = issue.keys.slice(0, MAX_LISTED_KEYS).map((k) => `'${quoteInput(k)}'`).join(", ");
      const more = issue.keys.length > MAX_LISTED_KEYS ? ` and ${issue.keys.length - MAX_LISTED_KEYS} more` : "";
      return `${where}unknown argument(s) ${listed}${more}; valid arguments: ${valid}`;
    }
    const message = issue.code === "invalid_key" && issue.issues[0] ? issue.issues[0].message : issue.message;
    return `${path || "arguments"}: ${quoteInput(message, 300)}`;
  });
  if (error.issues.length > MAX_LISTED_ISSUES) parts.push(`and ${error.issues.length - MAX_LISTED_ISSUES} more problem(s)`);
  const prefix = error.issues.some((i) => i.path[0] === "filters") ? "Invalid filter format" : "Invalid query parameters";
  return `${prefix}: ${parts.join("; ")}. Fix the argument(s) and call ${def.name} again.`;
}

export interface ToolCallDeps {
  ctx: ToolContext;
  logger: Logger;
  /** Applied to every answer and error message; without one, answers go out raw. */
  redactor?: Redactor;
  audit?: AuditLog;
  /** Who is calling (the HTTP transport's key); the local caller by default. */
  caller?: Caller;
}

/** The context one request runs in: the caller's service scope (an API key's) rides on it, never on the shared one. */
export function contextFor(ctx: ToolContext, caller: Caller | undefined): ToolContext {
  const scope = caller?.scope;
  return scope && !scope.all ? { ...ctx, scope } : ctx;
}

/** Validates, runs and renders one call of `def`. Never throws. */
export async function callTool(def: ToolDefinition, args: unknown, deps: ToolCallDeps): Promise<CallToolResult> {
  const { logger, redactor } = deps;
  const ctx = contextFor(deps.ctx, deps.caller);
  const config = ctx.config;
  const started = performance.now();
  const finish = (result: CallToolResult, errorKind?: string): CallToolResult => {
    deps.audit?.record({
      key: (deps.caller ?? LOCAL_CALLER).key,
      tool: def.name,
      arg_keys: argKeys(args),
      outcome: errorKind ? "error" : "ok",
      ...(errorKind ? { error_kind: errorKind } : {}),
      ms: Math.round(performance.now() - started),
    });
    return result;
  };
  const parsed = def.input.safeParse(args ?? {});
  if (!parsed.success) {
    logger.debug({ tool: def.name, issues: parsed.error.issues }, "invalid tool input");
    return finish(errorResult(describeInputError(def, parsed.error), redactor), "invalid_input");
  }
  try {
    const full = (await def.run(parsed.data, ctx)) as Record<string, unknown>;
    const { text, structured, extraNote } = renderResult(def, full, config, redactor);
    if (text.length > config.maxResponseChars) {
      logger.warn({ tool: def.name, chars: text.length, budget: config.maxResponseChars }, "tool result exceeds the response budget");
    }
    logger.debug({ tool: def.name, ms: Math.round(performance.now() - started), chars: text.length }, "tool call");
    // The text stays first: clients that read content[0] get the answer; links and a redaction note follow it.
    const links = (def.links?.(structured) ?? []).map((link) => ({ type: "resource_link" as const, ...link }));
    const content: CallToolResult["content"] = [{ type: "text", text }, ...links];
    if (extraNote) content.push({ type: "text", text: extraNote });
    return finish({ content, structuredContent: structured });
  } catch (err) {
    if (err instanceof UserInputError || err instanceof NoDataError) {
      logger.debug({ tool: def.name, err: err.message }, "tool call rejected");
      return finish(errorResult(err.message, redactor), err instanceof NoDataError ? "no_data" : "invalid_input");
    }
    if (err instanceof BackendError) {
      logger.warn({ tool: def.name, kind: err.kind, status: err.status, err: err.message }, "backend error");
      return finish(errorResult(`${def.errorPrefix}: ${err.message}`, redactor), `backend_${err.kind}`);
    }
    logger.error({ tool: def.name, err }, `Error executing ${def.name}`);
    return finish(errorResult(`${def.errorPrefix}: ${errorMessage(err)}`, redactor), "internal");
  }
}
