/**
 * A resource template is a value, like a tool: a URI template (RFC 6570, simple `{name}`
 * expansions only), what it holds, which of its variables complete from the backend, and a `read`
 * that returns domain data. The server (src/mcp/) renders what `read` returns exactly as it
 * renders a tool result (rounding, the response budget through `fit`, compact JSON), and turns
 * failures into JSON-RPC errors.
 */
import type { CompletionKind } from "../prompts/completion.js";
import type { ToolContext } from "../tools/define-tool.js";

export interface ResourceTemplateDefinition {
  /** Short identifier, e.g. "trace". */
  name: string;
  title: string;
  /** e.g. "trace://{trace_id}". */
  uriTemplate: string;
  description: string;
  mimeType: string;
  /** Template variables that complete, and from what. */
  complete?: Readonly<Record<string, CompletionKind>>;
  /** What failed, e.g. "Failed to fetch trace"; backend errors read "<prefix>: <message>". */
  errorPrefix: string;
  /** Reads the resource named by `vars`. Throws UserInputError (bad URI), NoDataError, BackendError. */
  read(vars: Readonly<Record<string, string>>, ctx: ToolContext): Promise<Record<string, unknown>>;
  /** Cuts a result to the response budget, declaring the cut (as a tool's fit). */
  fit?(result: Record<string, unknown>, maxChars: number): Record<string, unknown>;
}

export function defineResourceTemplate(def: ResourceTemplateDefinition): ResourceTemplateDefinition {
  return def;
}

const VARIABLE = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** The template's variable names, in order. */
export function templateVariables(template: string): string[] {
  return [...template.matchAll(VARIABLE)].map((m) => m[1]!);
}

/**
 * The variables of `uri` under `template`, or undefined when the URI is not of this template.
 * A variable matches one non-empty path segment (no '/', '?' or '#'), percent-decoded.
 */
export function matchTemplate(template: string, uri: string): Record<string, string> | undefined {
  const names: string[] = [];
  let pattern = "";
  let last = 0;
  for (const m of template.matchAll(VARIABLE)) {
    pattern += template.slice(last, m.index).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    pattern += "([^/?#]+)";
    names.push(m[1]!);
    last = m.index! + m[0].length;
  }
  pattern += template.slice(last).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const hit = new RegExp(`^${pattern}$`).exec(uri);
  if (!hit) return undefined;
  const out: Record<string, string> = {};
  try {
    names.forEach((name, i) => (out[name] = decodeURIComponent(hit[i + 1]!)));
  } catch {
    return undefined; // malformed percent-encoding
  }
  return out;
}

/** The URI for `vars` under `template` (each value percent-encoded). */
export function expandTemplate(template: string, vars: Readonly<Record<string, string>>): string {
  return template.replace(VARIABLE, (_, name: string) => encodeURIComponent(vars[name] ?? ""));
}
