/**
 * `opentelemetry-mcp call TOOL [JSON-ARGS]`: one tool call from the shell. It connects the SDK's
 * MCP Client to the server in-process over InMemoryTransport, so the call takes exactly the path a
 * real client's does (tools/list, argument validation, rendering, structuredContent checked against
 * the output schema), then closes everything.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { CallToolResult, Tool } from "@modelcontextprotocol/sdk/types.js";
import { VERSION } from "../version.js";
import { CliError, EXIT_FAILURE, EXIT_USAGE, PROGRAM } from "./errors.js";
import type { ServableServer } from "./stdio.js";

export interface CallOutput {
  stdout(text: string): void;
  stderr(text: string): void;
}

/**
 * Only a guard against a hang: the server already bounds every backend request by --timeout, but a
 * many-trace tool makes several rounds of them.
 */
export const CALL_TIMEOUT_MS = 10 * 60_000;

const EXAMPLE = `'{"service_name":"checkout","limit":5}'`;

/** JSON-ARGS as tool arguments; absent means `{}`. Throws a usage CliError (exit 2) for anything but one JSON object. */
export function parseToolArguments(tool: string, text: string | undefined): Record<string, unknown> {
  if (text === undefined || text.trim() === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new CliError(`invalid JSON arguments for ${tool}: ${(err as Error).message}; pass one JSON object, e.g. ${EXAMPLE}`, EXIT_USAGE);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new CliError(`the arguments for ${tool} must be a JSON object, e.g. ${EXAMPLE}; got ${Array.isArray(value) ? "an array" : JSON.stringify(value)}`, EXIT_USAGE);
  }
  return value as Record<string, unknown>;
}

/** The message of an error result: the tools answer `{"error": "..."}` as text. */
function errorText(result: CallToolResult): string {
  const text = result.content
    .filter((c): c is { type: "text"; text: string } => c.type === "text")
    .map((c) => c.text)
    .join("\n");
  try {
    const parsed = JSON.parse(text) as { error?: unknown };
    if (typeof parsed.error === "string") return parsed.error;
  } catch {
    // Not JSON: print it as it is.
  }
  return text || "the tool returned an error without a message";
}

/** The result as JSON: structuredContent, or the text parsed as JSON, or the text itself. */
function resultJson(result: CallToolResult): unknown {
  if (result.structuredContent !== undefined) return result.structuredContent;
  const text = result.content.map((c) => (c.type === "text" ? c.text : "")).join("");
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function toolList(tools: readonly Tool[]): string {
  const width = Math.max(...tools.map((t) => t.name.length));
  return tools.map((t) => `  ${t.name.padEnd(width)}  ${t.title ?? t.annotations?.title ?? ""}`.trimEnd()).join("\n");
}

/**
 * Runs one tool and writes its result: pretty JSON on stdout (exit 0); the error text on stderr
 * (exit 1); an unknown tool lists the tools (exit 2). Closes the client and `target` in every case.
 */
export async function runToolCall(target: ServableServer, tool: string, args: Record<string, unknown>, out: CallOutput): Promise<number> {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: `${PROGRAM}-call`, version: VERSION });
  try {
    await target.server.connect(serverSide);
    await client.connect(clientSide);
    // Listing first also makes the client check structuredContent against each tool's output schema.
    const { tools } = await client.listTools();
    if (!tools.some((t) => t.name === tool)) {
      out.stderr(`${PROGRAM}: unknown tool '${tool}'. The tools are:\n${toolList(tools)}\n`);
      return EXIT_USAGE;
    }
    const result = (await client.callTool({ name: tool, arguments: args }, undefined, { timeout: CALL_TIMEOUT_MS })) as CallToolResult;
    if (result.isError) {
      out.stderr(`${PROGRAM}: ${errorText(result)}\n`);
      return EXIT_FAILURE;
    }
    out.stdout(`${JSON.stringify(resultJson(result), null, 2)}\n`);
    return 0;
  } finally {
    await client.close().catch(() => undefined);
    await target.close().catch(() => undefined);
  }
}
