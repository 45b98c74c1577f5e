/**
 * The one place a tool call is validated, run and rendered, and where every failure becomes an
 * isError result whose text is {"error": "..."}. Answers and error messages (which may echo
 * backend text) pass through the redactor; every call is recorded in the audit log.
 */
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { z } from "zod";
import { argKeys, type AuditLog } from "../access/audit.js";
import { LOCAL_CALLER, type Caller } from "../access/caller.js";
import { BackendError, NoDataError, UserInputError, errorMessage } from "../errors.js";
import type { Logger } from "../logger.js";
import type { Redactor } from "../redact/redactor.js";
import type { ToolContext, ToolDefinition } from "../tools/define-tool.js";
import { renderResult } from "./render.js";

/** An isError result; with a redactor, the message is redacted first. */
export function errorResult(message: string, redactor?: Redactor): CallToolResult {
  const text = redactor ? redactor.redactText(message).value : message;
  return { content: [{ type: "text", text: JSON.stringify({ error: text }) }], isError: true };
}

/** Turns zod issues into one actionable sentence. */
export function describeInputError(def: ToolDefinition, error: z.ZodError): string {
  const parts = error.issues.map((issue) => {
    const path = issue.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("").replace(/^\./, "");
    if (issue.code === "unrecognized_keys") {
      const valid = Object.keys(def.input.shape).join(", ");
      const where = path ? `${path}: ` : "";
      return `${where}unknown argument(s) ${issue.keys.map((k) => `'${k}'`).join(", ")}; valid arguments: ${valid}`;
    }
    return `${path || "arguments"}: ${issue.message}`;
  });
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

/** Validates, runs and renders one call of `def`. Never throws. */
export async function callTool(def: ToolDefinition, args: unknown, deps: ToolCallDeps): Promise<CallToolResult> {
  const { ctx, logger, redactor } = deps;
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
    const content: CallToolResult["content"] = [{ type: "text", text }];
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
