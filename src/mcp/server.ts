/**
 * createServer wires the tool registry into an MCP server: capabilities, the lazy registry, the
 * tool listing and dispatch (validation, rendering and error mapping live in call-tool.ts).
 */
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { CallToolRequestSchema, ListToolsRequestSchema, type Tool } from "@modelcontextprotocol/sdk/types.js";
import { argKeys, createAuditLog, type AuditLog } from "../access/audit.js";
import { callerOf } from "../access/caller.js";
import { createBackendFromConfig } from "../backends/index.js";
import { TraceCache } from "../query/trace-cache.js";
import type { TraceBackend } from "../backends/trace-backend.js";
import type { Config } from "../config.js";
import type { Logger } from "../logger.js";
import type { Redactor } from "../redact/redactor.js";
import type { ToolContext, ToolDefinition } from "../tools/define-tool.js";
import { VERSION } from "../version.js";
import { callTool, errorResult } from "./call-tool.js";
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

export interface ServerDeps {
  config: Config;
  logger: Logger;
  /** Override backend creation (tests); defaults to the registry in backends/index.ts. */
  backendFactory?: () => Promise<TraceBackend>;
  cache?: TraceCache;
  now?: () => number;
  /** Shared across sessions by the HTTP transport; built from config.redact / redactRules otherwise. */
  redactor?: Redactor;
  /** Shared across sessions by the HTTP transport; otherwise this server opens (and closes) its own. */
  audit?: AuditLog;
}

export interface CreatedServer {
  server: Server;
  /** Closes the backend's HTTP pool. */
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
  const { config, logger } = deps;
  const cache = deps.cache ?? new TraceCache();
  const now = deps.now ?? Date.now;
  let listing: Tool[] | undefined;
  let backendPromise: Promise<TraceBackend> | undefined;

  const makeBackend = deps.backendFactory ?? (() => createBackendFromConfig(config, logger, deps.now, cache));

  /** Created once, on first use; a failed creation is retried on the next call. */
  function backend(): Promise<TraceBackend> {
    if (!backendPromise) {
      backendPromise = makeBackend().then(
        (b) => {
          logger.info({ backend: b.kind, url: b.url }, "backend ready");
          void b.healthCheck().then((h) =>
            h.status === "healthy" ? logger.info({ health: h }, "backend health check") : logger.warn({ health: h }, "backend is not healthy; requests may fail"),
          );
          return b;
        },
        (err: unknown) => {
          backendPromise = undefined;
          throw err;
        },
      );
    }
    return backendPromise;
  }

  const ctx: ToolContext = { backend, cache, config, logger, now };
  // Like the registry, the redactor's module loads after the handshake, off the cold-start path.
  let redactorPromise: Promise<Redactor> | undefined;
  const redactor = (): Promise<Redactor> =>
    (redactorPromise ??= deps.redactor
      ? Promise.resolve(deps.redactor)
      : import("../redact/redactor.js").then((m) => m.createRedactor({ level: config.redact, ...(config.redactRules ? { rules: config.redactRules } : {}) })));
  const audit = deps.audit ?? createAuditLog({ logger, ...(config.auditLog ? { file: config.auditLog } : {}) });

  const server = new Server({ name: SERVER_NAME, version: VERSION }, { capabilities: { tools: {} }, instructions: INSTRUCTIONS });

  // After the initialize handshake the client's next request is usually tools/list: start loading now.
  server.oninitialized = () => {
    void loadRegistry();
    void redactor();
  };

  server.setRequestHandler(ListToolsRequestSchema, async () => {
    const { tools } = await loadRegistry();
    listing ??= tools.map(toolListing);
    return { tools: listing };
  });

  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const name = request.params.name;
    const caller = callerOf(extra.authInfo);
    const [{ byName }, red] = await Promise.all([loadRegistry(), redactor()]);
    const def = byName.get(name);
    if (!def) {
      // The name is the client's text: capped, so the audit line stays a line.
      audit.record({ key: caller.key, tool: name.slice(0, 100), arg_keys: argKeys(request.params.arguments), outcome: "error", error_kind: "unknown_tool", ms: 0 });
      return errorResult(`Unknown tool '${name}'. Available tools: ${[...byName.keys()].join(", ")}.`, red);
    }
    return callTool(def, request.params.arguments, { ctx, logger, redactor: red, audit, caller });
  });

  return {
    server,
    async close() {
      const pending = backendPromise;
      backendPromise = undefined;
      // A backend handed in by the caller (shared across HTTP sessions, or a test double) is the caller's to close.
      if (pending && !deps.backendFactory) await pending.then((b) => b.close()).catch(() => undefined);
      if (!deps.audit) audit.close();
    },
  };
}
