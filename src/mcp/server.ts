/**
 * createServer wires the tool registry into an MCP server: capabilities, the lazy registry, the
 * tool listing and dispatch (validation, rendering and error mapping live in call-tool.ts).
 */
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { ListToolsRequestSchema, type Tool } from "@modelcontextprotocol/sdk/types.js";
import { argKeys } from "../access/audit.js";
import { callerOf } from "../access/caller.js";
import { createApp, type App, type AppOptions } from "../app.js";
import type { ToolDefinition } from "../tools/define-tool.js";
import { VERSION } from "../version.js";
import { callTool, errorResult, quoteInput, RawCallToolRequestSchema } from "./call-tool.js";
import { jsonSchema } from "./json-schema.js";

export const SERVER_NAME = "opentelemetry-mcp";

export const INSTRUCTIONS = [
  "Query OpenTelemetry traces (Jaeger, Grafana Tempo or Traceloop) and LLM usage recorded with OpenLLMetry / gen_ai.* attributes.",
  "Typical flow: list_services to learn service names; search_traces (or search_spans for individual spans, find_errors for failures) " +
    "with a service_name and time window; then get_trace for the full tree of one trace.",
  "For cost and latency questions use the LLM tools: get_llm_usage (tokens by model and service), list_llm_models, " +
    "get_llm_model_stats (latency/token percentiles, error rate), get_llm_expensive_traces, get_llm_slow_traces, list_llm_tools.",
  "Times accept ISO 8601 (UTC when no offset), relative forms like '1h' or 'now-30m', or epoch seconds. Answers may carry `notes` " +
    "about default windows, filters applied locally, cuts or skipped traces: read them before concluding.",
].join("\n");

/** Either an app to share (HTTP sessions), or what to build a private one from (stdio, tests). */
export type ServerDeps = { app: App } | AppOptions;

export interface CreatedServer {
  server: Server;
  app: App;
  /** Closes the app when this server built it (a shared app is its owner's to close). */
  close(): Promise<void>;
}

function toolListing(def: ToolDefinition): Tool {
  return {
    name: def.name,
    title: def.title,
    description: def.description,
    inputSchema: jsonSchema(def.input, "input"),
    outputSchema: jsonSchema(def.output, "output") as Tool["outputSchema"],
    annotations: { title: def.title, readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  };
}

interface Registry {
  tools: readonly ToolDefinition[];
  byName: Map<string, ToolDefinition>;
}

let registry: Promise<Registry> | undefined;

/**
 * The tool registry, imported on first use (one copy per process). Answering `initialize` needs
 * none of the eleven tools' modules and zod schemas, so loading them later keeps the stdio cold
 * start short; `createServer` preloads them as soon as the client has initialized.
 */
function loadRegistry(): Promise<Registry> {
  registry ??= import("../tools/index.js").then(({ TOOLS }) => ({ tools: TOOLS, byName: new Map(TOOLS.map((t) => [t.name, t])) }));
  return registry;
}

export function createServer(deps: ServerDeps): CreatedServer {
  const owned = !("app" in deps);
  const app = "app" in deps ? deps.app : createApp(deps);
  const { logger } = app;
  let listing: Tool[] | undefined;

  const server = new Server({ name: SERVER_NAME, version: VERSION }, { capabilities: { tools: {} }, instructions: INSTRUCTIONS });

  // After the initialize handshake the client's next request is usually tools/list: start loading now.
  server.oninitialized = () => {
    void loadRegistry();
    void app.redactor();
  };

  server.setRequestHandler(ListToolsRequestSchema, async () => {
    const { tools } = await loadRegistry();
    listing ??= tools.map(toolListing);
    return { tools: listing };
  });

  server.setRequestHandler(RawCallToolRequestSchema, async (request, extra) => {
    const name = request.params.name;
    const caller = callerOf(extra.authInfo);
    const [{ byName }, red] = await Promise.all([loadRegistry(), app.redactor()]);
    const def = byName.get(name);
    if (!def) {
      // The name is the client's text: capped, so the audit line stays a line.
      app.audit.record({ key: caller.key, tool: name.slice(0, 100), arg_keys: argKeys(request.params.arguments), outcome: "error", error_kind: "unknown_tool", ms: 0 });
      return errorResult(`Unknown tool '${quoteInput(name)}'. Available tools: ${[...byName.keys()].join(", ")}.`, red);
    }
    return callTool(def, request.params.arguments, { ctx: app.tools, logger, redactor: red, audit: app.audit, caller });
  });

  return {
    server,
    app,
    async close() {
      if (owned) await app.close();
    },
  };
}
