/**
 * A tool's data → MCP content: floats rounded, fit to the response budget, optionally columnar text, compact
 * JSON text beside the same object as structuredContent. Shared by tool calls and
 * resource reads (resources.ts), so both answer in the same shape.
 */
import type { Config } from "../config.js";
import { toColumnar } from "../tools/columnar.js";
import type { ToolDefinition } from "../tools/define-tool.js";
import { tidyNumbers } from "./tidy-numbers.js";

export interface Rendered {
  text: string;
  structured: Record<string, unknown>;
}

export function renderResult(def: Pick<ToolDefinition, "fit">, full: Record<string, unknown>, config: Pick<Config, "maxResponseChars" | "compressResponses">): Rendered {
  const tidy = tidyNumbers(full);
  const structured = def.fit ? def.fit(tidy, config.maxResponseChars) : tidy;
  const text = JSON.stringify(config.compressResponses ? toColumnar(structured) : structured);
  return { text, structured };
}
