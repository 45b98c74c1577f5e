/**
 * createServer wires the surface into an MCP server: capabilities, both protocol eras (eras.ts),
 * the lazily loaded tools, resource templates and prompts, and their handlers (validation,
 * rendering and error mapping live in call-tool.ts, resources.ts, prompts.ts, completion.ts).
 */
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import {
  CompleteRequestSchema,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  ReadResourceRequestSchema,
  type ServerCapabilities,
  type Tool,
} from "@modelcontextprotocol/sdk/types.js";
import { argKeys } from "../access/audit.js";
import { callerOf } from "../access/caller.js";
import { createApp, type App, type AppOptions } from "../app.js";
import type { ToolDefinition } from "../tools/define-tool.js";
import { VERSION } from "../version.js";
import { callTool, contextFor, errorResult, quoteInput, RawCallToolRequestSchema } from "./call-tool.js";
import { completeArgument } from "./completion.js";
import { DualEraTransport, type ServerIdentity } from "./eras.js";
import { jsonSchema } from "./json-schema.js";
import { getPrompt, promptListing } from "./prompts.js";
import { readResource, templateListing } from "./resources.js";
import { loadSurface } from "./surface.js";

export const SERVER_NAME = "opentelemetry-mcp";

export const INSTRUCTIONS = [
  "Query OpenTelemetry traces (the embedded local store, Jaeger, Grafana Tempo, Traceloop or ClickHouse) and LLM usage recorded " +
    "in any GenAI convention (OpenLLMetry, OTel gen_ai.*, OpenInference, Vercel AI SDK, LiteLLM).",
  "Typical flow: list_services to learn service names; search_traces (or search_spans for individual spans, find_errors for failures) " +
    "with a time window; then get_trace for one trace's tree, analyze_trace for its critical path and cost.",
  "Aggregates: aggregate_traces (group by service, operation, model, any attribute: counts, error rate, latency percentiles, tokens, " +
    "cost_usd, optional time buckets), analyze_errors (errors grouped by fingerprint), get_service_topology (who calls whom).",
  "LLM cost and latency: get_llm_usage (tokens and dollars by model and service), list_llm_models, get_llm_model_stats, " +
    "get_llm_expensive_traces, get_llm_slow_traces, list_llm_tools; conversations: list_sessions, get_session.",
  "Times accept ISO 8601 (UTC when no offset), relative forms like '1h' or 'now-30m', or epoch seconds. Answers carry `coverage` " +
    "(what they were computed from; complete=false means a sample) and `notes` (defaults, local filters, cuts): read them before concluding.",
  "Answers that list traces link each one as a trace://{trace_id} resource (the get_trace JSON); service://{service_name} " +
    "summarises a service's operations. The prompts cost_review, error_triage, latency_regression and debug_agent_loop lay out common investigations.",
].join("\n");

export const CAPABILITIES: ServerCapabilities = { tools: {}, resources: {}, prompts: {}, completions: {} };

export const IDENTITY: ServerIdentity = { name: SERVER_NAME, version: VERSION, capabilities: CAPABILITIES, instructions: INSTRUCTIONS };

/** An SDK server that also serves the 2026-07-28 revision on whatever transport it is connected to. */
class DualEraServer extends Server {
  override connect(transport: Transport): Promise<void> {
    return super.connect(new DualEraTransport(transport, IDENTITY));
  }
}

/** Either an app to share (HTTP sessions), or what to build a private one from (stdio, tests). */
export type ServerDeps = { app: App } | AppOptions;

export interface CreatedServer {
  server: Server;
  app: App;
  /** Closes the app when this server built it (a shared app is its owner's to close). */
  close(): Promise<void>;
}

/**
 * Every tool only reads, from a backend outside the server. Per the spec, destructiveHint and
 * idempotentHint mean something only when readOnlyHint is false, openWorldHint is true when
 * absent, and the title is already the tool's own `title`: listing them would cost bytes in every
 * conversation and tell a client nothing.
 */
export const TOOL_ANNOTATIONS = { readOnlyHint: true } as const;

function toolListing(def: ToolDefinition): Tool {
  return {
    name: def.name,
    title: def.title,
    description: def.description,
    inputSchema: jsonSchema(def.input, "input"),
    outputSchema: jsonSchema(def.output, "output") as Tool["outputSchema"],
    annotations: TOOL_ANNOTATIONS,
  };
}

/** The listing is the same for every server of the process (one per HTTP session or request): built once. */
let listing: Tool[] | undefined;

export function createServer(deps: ServerDeps): CreatedServer {
  const owned = !("app" in deps);
  const app = "app" in deps ? deps.app : createApp(deps);
  const { logger } = app;

  const server = new DualEraServer({ name: SERVER_NAME, version: VERSION }, { capabilities: CAPABILITIES, instructions: INSTRUCTIONS });

  // After the initialize handshake the client's next request is usually tools/list: start loading now.
  server.oninitialized = () => {
    void loadSurface();
    void app.redactor();
    // The local store's receiver: after the handshake, off the cold-start path.
    app.start();
  };

  server.setRequestHandler(ListToolsRequestSchema, async () => {
    const { tools } = await loadSurface();
    listing ??= tools.map(toolListing);
    return { tools: listing };
  });

  server.setRequestHandler(RawCallToolRequestSchema, async (request, extra) => {
    const name = request.params.name;
    const caller = callerOf(extra.authInfo);
    const [{ byName }, red] = await Promise.all([loadSurface(), app.redactor()]);
    const def = byName.get(name);
    if (!def) {
      // The name is the client's text: capped, so the audit line stays a line.
      app.audit.record({ key: caller.key, tool: name.slice(0, 100), arg_keys: argKeys(request.params.arguments), outcome: "error", error_kind: "unknown_tool", ms: 0 });
      return errorResult(`Unknown tool '${quoteInput(name)}'. Available tools: ${[...byName.keys()].join(", ")}.`, red);
    }
    return callTool(def, request.params.arguments, { ctx: app.tools, logger, redactor: red, audit: app.audit, caller });
  });

  // Traces and services are addressed by template; there is no fixed list of resources.
  server.setRequestHandler(ListResourcesRequestSchema, () => ({ resources: [] }));

  server.setRequestHandler(ListResourceTemplatesRequestSchema, async () => ({ resourceTemplates: (await loadSurface()).templates.map(templateListing) }));

  // Resources and completions answer as the caller's tools would: within its scope, redacted.
  server.setRequestHandler(ReadResourceRequestSchema, async (request, extra) => {
    const [{ templates }, redactor] = await Promise.all([loadSurface(), app.redactor()]);
    return readResource(templates, request.params.uri, { ctx: contextFor(app.tools, callerOf(extra.authInfo)), logger, redactor });
  });

  server.setRequestHandler(ListPromptsRequestSchema, async () => ({ prompts: [...(await loadSurface()).prompts.values()].map(promptListing) }));

  server.setRequestHandler(GetPromptRequestSchema, async (request) =>
    getPrompt((await loadSurface()).prompts, request.params.name, request.params.arguments, app.tools.now()),
  );

  server.setRequestHandler(CompleteRequestSchema, async (request, extra) =>
    completeArgument(await loadSurface(), request.params.ref, request.params.argument, contextFor(app.tools, callerOf(extra.authInfo))),
  );

  return {
    server,
    app,
    async close() {
      if (owned) await app.close();
    },
  };
}
