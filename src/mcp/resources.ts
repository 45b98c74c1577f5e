/**
 * resources/templates/list and resources/read. A read renders exactly as a tool call does
 * (renderResult: rounding, redaction, the response budget via the template's fit, compact JSON), and every
 * failure is a JSON-RPC error whose message says what to do: an unknown or malformed URI is
 * "invalid params", a trace or service that does not exist is "resource not found" (-32002; the
 * 2026-07-28 era turns it into -32602, see eras.ts), a backend failure names the backend.
 */
import { type ReadResourceResult, type ResourceTemplate } from "@modelcontextprotocol/sdk/types.js";
import { BackendError, NoDataError, UserInputError, errorMessage } from "../errors.js";
import type { Logger } from "../logger.js";
import type { Redactor } from "../redact/redactor.js";
import { matchTemplate, type ResourceTemplateDefinition } from "../resources/define-resource.js";
import type { ToolContext } from "../tools/define-tool.js";
import { quoteInput } from "./call-tool.js";
import { INTERNAL_ERROR, INVALID_PARAMS, RpcError } from "./rpc-error.js";
import { renderResult } from "./render.js";

/** The legacy era's code for a resource that does not exist (MCP 2025-11-25). */
export const RESOURCE_NOT_FOUND = -32002;

export function templateListing(def: ResourceTemplateDefinition): ResourceTemplate {
  return { uriTemplate: def.uriTemplate, name: def.name, title: def.title, description: def.description, mimeType: def.mimeType };
}

/** The template a URI belongs to, with its variables. */
export function resolveUri(templates: readonly ResourceTemplateDefinition[], uri: string): { def: ResourceTemplateDefinition; vars: Record<string, string> } | undefined {
  for (const def of templates) {
    const vars = matchTemplate(def.uriTemplate, uri);
    if (vars) return { def, vars };
  }
  return undefined;
}

export async function readResource(
  templates: readonly ResourceTemplateDefinition[],
  uri: string,
  deps: { ctx: ToolContext; logger: Logger; redactor?: Redactor },
): Promise<ReadResourceResult> {
  const hit = resolveUri(templates, uri);
  if (!hit) {
    throw new RpcError(INVALID_PARAMS, `Unknown resource URI '${quoteInput(uri, 200)}'. Resource URIs have the forms ${templates.map((t) => t.uriTemplate).join(", ")}.`);
  }
  const { def, vars } = hit;
  const started = performance.now();
  try {
    const full = await def.read(vars, deps.ctx);
    const { text } = renderResult(def, full, deps.ctx.config, deps.redactor);
    deps.logger.debug({ resource: def.name, ms: Math.round(performance.now() - started), chars: text.length }, "resource read");
    return { contents: [{ uri, mimeType: def.mimeType, text }] };
  } catch (err) {
    if (err instanceof UserInputError) throw new RpcError(INVALID_PARAMS, err.message);
    if (err instanceof NoDataError) throw new RpcError(RESOURCE_NOT_FOUND, err.message, { uri });
    if (err instanceof BackendError) {
      deps.logger.warn({ resource: def.name, kind: err.kind, status: err.status, err: err.message }, "backend error");
      throw new RpcError(err.kind === "not_found" ? RESOURCE_NOT_FOUND : INTERNAL_ERROR, `${def.errorPrefix}: ${err.message}`, err.kind === "not_found" ? { uri } : undefined);
    }
    deps.logger.error({ resource: def.name, err }, `Error reading ${uri}`);
    throw new RpcError(INTERNAL_ERROR, `${def.errorPrefix}: ${errorMessage(err)}`);
  }
}
