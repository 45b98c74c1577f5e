/**
 * completion/complete: a prompt argument or resource-template variable that declares a
 * completion kind is answered from the backend (src/prompts/completion.ts); anything else gets
 * no suggestions. A backend failure is an error naming the backend, never an empty list that
 * would read as "nothing exists".
 */
import { type CompleteResult } from "@modelcontextprotocol/sdk/types.js";
import { BackendError, errorMessage } from "../errors.js";
import type { CompletionKind } from "../prompts/completion.js";
import type { ToolContext } from "../tools/define-tool.js";
import { quoteInput } from "./call-tool.js";
import { INTERNAL_ERROR, INVALID_PARAMS, RpcError } from "./rpc-error.js";
import type { Surface } from "./surface.js";

export type CompletionRef = { type: "ref/prompt"; name: string } | { type: "ref/resource"; uri: string };

function kindFor(surface: Surface, ref: CompletionRef, argument: string): CompletionKind | undefined {
  if (ref.type === "ref/prompt") {
    const def = surface.prompts.get(ref.name);
    if (!def) throw new RpcError(INVALID_PARAMS, `Unknown prompt '${quoteInput(ref.name)}'. Available prompts: ${[...surface.prompts.keys()].join(", ")}.`);
    return (def.complete as Record<string, CompletionKind | undefined> | undefined)?.[argument];
  }
  const def = surface.templates.find((t) => t.uriTemplate === ref.uri);
  if (!def) throw new RpcError(INVALID_PARAMS, `Unknown resource template '${quoteInput(ref.uri, 200)}'. Templates: ${surface.templates.map((t) => t.uriTemplate).join(", ")}.`);
  return def.complete?.[argument];
}

export async function completeArgument(surface: Surface, ref: CompletionRef, argument: { name: string; value: string }, ctx: ToolContext): Promise<CompleteResult> {
  const kind = kindFor(surface, ref, argument.name);
  if (!kind) return { completion: { values: [], total: 0, hasMore: false } };
  try {
    return { completion: { ...(await surface.complete(kind, argument.value, ctx)) } };
  } catch (err) {
    const message = err instanceof BackendError ? err.message : errorMessage(err);
    throw new RpcError(INTERNAL_ERROR, `Failed to complete ${argument.name}: ${message}`);
  }
}
