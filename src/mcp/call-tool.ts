/**
 * The one place a tool call is validated, run and rendered, and where every failure becomes an
 * isError result whose text is {"error": "..."}.
 */
import { CallToolRequestSchema, type CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { BackendError, NoDataError, UserInputError, errorMessage } from "../errors.js";
import type { Logger } from "../logger.js";
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

export function errorResult(message: string): CallToolResult {
  const text = message.length > MAX_ERROR_CHARS ? `${message.slice(0, MAX_ERROR_CHARS)}…(message cut)` : message;
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
}

/** Validates, runs and renders one call of `def`. Never throws. */
export async function callTool(def: ToolDefinition, args: unknown, deps: ToolCallDeps): Promise<CallToolResult> {
  const { ctx, logger } = deps;
  const config = ctx.config;
  const started = performance.now();
  const parsed = def.input.safeParse(args ?? {});
  if (!parsed.success) {
    logger.debug({ tool: def.name, issues: parsed.error.issues }, "invalid tool input");
    return errorResult(describeInputError(def, parsed.error));
  }
  try {
    const full = (await def.run(parsed.data, ctx)) as Record<string, unknown>;
    const { text, structured } = renderResult(def, full, config);
    if (text.length > config.maxResponseChars) {
      logger.warn({ tool: def.name, chars: text.length, budget: config.maxResponseChars }, "tool result exceeds the response budget");
    }
    logger.debug({ tool: def.name, ms: Math.round(performance.now() - started), chars: text.length }, "tool call");
    // The text stays first: clients that read content[0] get the answer; links follow it.
    const links = (def.links?.(structured) ?? []).map((link) => ({ type: "resource_link" as const, ...link }));
    return { content: [{ type: "text", text }, ...links], structuredContent: structured };
  } catch (err) {
    if (err instanceof UserInputError || err instanceof NoDataError) {
      logger.debug({ tool: def.name, err: err.message }, "tool call rejected");
      return errorResult(err.message);
    }
    if (err instanceof BackendError) {
      logger.warn({ tool: def.name, kind: err.kind, status: err.status, err: err.message }, "backend error");
      return errorResult(`${def.errorPrefix}: ${err.message}`);
    }
    logger.error({ tool: def.name, err }, `Error executing ${def.name}`);
    return errorResult(`${def.errorPrefix}: ${errorMessage(err)}`);
  }
}
