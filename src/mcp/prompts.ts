/** prompts/list and prompts/get: arguments checked with the prompt's zod schema, messages rendered. */
import { type GetPromptResult, type Prompt } from "@modelcontextprotocol/sdk/types.js";
import { UserInputError } from "../errors.js";
import { promptArgumentList, type PromptDefinition } from "../prompts/define-prompt.js";
import { quoteInput } from "./call-tool.js";
import { INVALID_PARAMS, RpcError } from "./rpc-error.js";

export function promptListing(def: PromptDefinition): Prompt {
  return { name: def.name, title: def.title, description: def.description, arguments: promptArgumentList(def) };
}

export function getPrompt(prompts: ReadonlyMap<string, PromptDefinition>, name: string, args: Record<string, string> | undefined, now: number): GetPromptResult {
  const def = prompts.get(name);
  if (!def) throw new RpcError(INVALID_PARAMS, `Unknown prompt '${quoteInput(name)}'. Available prompts: ${[...prompts.keys()].join(", ")}.`);
  const parsed = def.arguments.safeParse(args ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues
      .slice(0, 5)
      .map((i) => (i.code === "unrecognized_keys" ? `unknown argument(s) ${i.keys.map((k) => `'${quoteInput(k)}'`).join(", ")}` : `${i.path.map(String).join(".") || "arguments"}: ${i.message}`))
      .join("; ");
    const valid = promptArgumentList(def).map((a) => `${a.name}${a.required ? " (required)" : ""}`).join(", ");
    throw new RpcError(INVALID_PARAMS, `Invalid arguments for prompt ${def.name}: ${problems}. Arguments: ${valid}.`);
  }
  try {
    const messages = def.render(parsed.data, { now });
    return { description: def.description, messages: messages.map((m) => ({ role: m.role, content: { type: "text", text: m.text } })) };
  } catch (err) {
    if (err instanceof UserInputError) throw new RpcError(INVALID_PARAMS, `Invalid arguments for prompt ${def.name}: ${err.message}`);
    throw err;
  }
}
