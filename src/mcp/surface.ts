/**
 * The server's surface — tools, resource templates, prompts — imported on first use (one copy
 * per process). Answering `initialize` or `server/discover` needs none of their modules and zod
 * schemas, so loading them later keeps the stdio cold start short.
 */
import type { complete } from "../prompts/completion.js";
import type { PromptDefinition } from "../prompts/define-prompt.js";
import type { ResourceTemplateDefinition } from "../resources/define-resource.js";
import type { ToolDefinition } from "../tools/define-tool.js";

export interface Surface {
  tools: readonly ToolDefinition[];
  byName: ReadonlyMap<string, ToolDefinition>;
  templates: readonly ResourceTemplateDefinition[];
  prompts: ReadonlyMap<string, PromptDefinition>;
  /** Argument completion from the backend (it needs the query layer, so it loads with the rest). */
  complete: typeof complete;
}

let surface: Promise<Surface> | undefined;

export function loadSurface(): Promise<Surface> {
  surface ??= Promise.all([import("../tools/index.js"), import("../resources/index.js"), import("../prompts/index.js"), import("../prompts/completion.js")]).then(
    ([{ TOOLS }, { RESOURCE_TEMPLATES }, { PROMPTS }, { complete }]) => ({
      tools: TOOLS,
      byName: new Map(TOOLS.map((t) => [t.name, t])),
      templates: RESOURCE_TEMPLATES,
      prompts: new Map(PROMPTS.map((p) => [p.name, p])),
      complete,
    }),
  );
  return surface;
}
