/**
 * The one place a tool call is validated, run and rendered, and where every failure becomes an
 * isError result whose text is {"error": "..."}.
 */
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { z } from "zod";
import { BackendError, NoDataError, UserInputError, errorMessage } from "../errors.js";
import type { Logger } from "../logger.js";
import type { ToolContext, ToolDefinition } from "../tools/define-tool.js";
import { renderResult } from "./render.js";

export function errorResult(message: string): CallToolResult {
  return { content: [{ type: "text", text: JSON.stringify({ error: message }) }], isError: true };
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
    return { content: [{ type: "text", text }], structuredContent: structured };
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
