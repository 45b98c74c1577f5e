/**
 * createServer wires the tool registry into an MCP server. It owns the single place where tool
 * input is validated, results are rendered (compact JSON text + structuredContent) and every
 * failure becomes an isError result whose text is {"error": "..."}.
 */
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { CallToolRequestSchema, ListToolsRequestSchema, type CallToolResult, type Tool } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { createBackendFromConfig } from "./backends/index.js";
import { TraceStore } from "./backends/trace-store.js";
import type { TraceBackend } from "./backends/trace-backend.js";
import type { Config } from "./config.js";
import { BackendError, NoDataError, UserInputError, errorMessage } from "./errors.js";
import type { Logger } from "./logger.js";
import type { ToolContext, ToolDefinition } from "./tools/define-tool.js";
import { toColumnar } from "./tools/columnar.js";
import { VERSION } from "./version.js";

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
  store?: TraceStore;
  now?: () => number;
}

export interface CreatedServer {
  server: Server;
  /** Closes the backend's HTTP pool. */
  close(): Promise<void>;
}

/** Output schemas are for validation, not for the model: their descriptions would only cost context. */
function stripDescriptions(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(stripDescriptions);
  if (!node || typeof node !== "object") return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) if (k !== "description") out[k] = stripDescriptions(v);
  return out;
}

/**
 * Input schemas go to function-calling dialects that allow one `type` per schema (e.g. Gemini's
 * OpenAPI subset): spell `type: [a, b]` as `anyOf`, and leave `null` out (validation still accepts it).
 */
function portableTypes(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(portableTypes);
  if (!node || typeof node !== "object") return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) out[k] = portableTypes(v);
  if (Array.isArray(out.type)) {
    const types = (out.type as string[]).filter((t) => t !== "null");
    delete out.type;
    if (types.length === 1) out.type = types[0];
    else out.anyOf = types.map((type) => ({ type }));
  }
  return out;
}

function jsonSchema(schema: z.ZodType, io: "input" | "output"): Tool["inputSchema"] {
  const out = z.toJSONSchema(schema, { target: "draft-7", io }) as Record<string, unknown>;
  delete out.$schema;
  return (io === "output" ? stripDescriptions(out) : portableTypes(out)) as Tool["inputSchema"];
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
  registry ??= import("./tools/index.js").then(({ TOOLS }) => ({ tools: TOOLS, byName: new Map(TOOLS.map((t) => [t.name, t])) }));
  return registry;
}

function errorResult(message: string): CallToolResult {
  return { content: [{ type: "text", text: JSON.stringify({ error: message }) }], isError: true };
}

/** Turns zod issues into one actionable sentence. */
export function describeInputError(def: ToolDefinition, error: z.ZodError): string {
  const parts = error.issues.map((issue) => {
    const path = issue.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("").replace(/^\./, "");
    if (issue.code === "unrecognized_keys") {
      const valid = Object.keys(def.input.shape).join(", ");
      const where = path ? `${path}: ` : "";
      return `${where}unknown argument(s) ${issue.keys.map((k) => `'${k}'`).join(", ")}; valid arguments: ${valid}`;
    }
    return `${path || "arguments"}: ${issue.message}`;
  });
  const prefix = error.issues.some((i) => i.path[0] === "filters") ? "Invalid filter format" : "Invalid query parameters";
  return `${prefix}: ${parts.join("; ")}. Fix the argument(s) and call ${def.name} again.`;
}

export function createServer(deps: ServerDeps): CreatedServer {
  const { config, logger } = deps;
  const store = deps.store ?? new TraceStore();
  const now = deps.now ?? Date.now;
  let listing: Tool[] | undefined;
  let backendPromise: Promise<TraceBackend> | undefined;

  const makeBackend = deps.backendFactory ?? (() => createBackendFromConfig(config, logger, deps.now, store));

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

  const ctx: ToolContext = { backend, store, config, logger, now };

  const server = new Server({ name: SERVER_NAME, version: VERSION }, { capabilities: { tools: {} }, instructions: INSTRUCTIONS });

  // After the initialize handshake the client's next request is usually tools/list: start loading now.
  server.oninitialized = () => void loadRegistry();

  server.setRequestHandler(ListToolsRequestSchema, async () => {
    const { tools } = await loadRegistry();
    listing ??= tools.map(toolListing);
    return { tools: listing };
  });

  server.setRequestHandler(CallToolRequestSchema, async (request) => {
    const name = request.params.name;
    const { byName } = await loadRegistry();
    const def = byName.get(name);
    if (!def) {
      return errorResult(`Unknown tool '${name}'. Available tools: ${[...byName.keys()].join(", ")}.`);
    }
    const started = performance.now();
    const parsed = def.input.safeParse(request.params.arguments ?? {});
    if (!parsed.success) {
      logger.debug({ tool: name, issues: parsed.error.issues }, "invalid tool input");
      return errorResult(describeInputError(def, parsed.error));
    }
    try {
      const full = (await def.run(parsed.data, ctx)) as Record<string, unknown>;
      const result = def.fit ? def.fit(full, config.maxResponseChars) : full;
      const text = JSON.stringify(config.compressResponses ? toColumnar(result) : result);
      if (text.length > config.maxResponseChars) {
        logger.warn({ tool: name, chars: text.length, budget: config.maxResponseChars }, "tool result exceeds the response budget");
      }
      logger.debug({ tool: name, ms: Math.round(performance.now() - started), chars: text.length }, "tool call");
      return { content: [{ type: "text", text }], structuredContent: result };
    } catch (err) {
      if (err instanceof UserInputError || err instanceof NoDataError) {
        logger.debug({ tool: name, err: err.message }, "tool call rejected");
        return errorResult(err.message);
      }
      if (err instanceof BackendError) {
        logger.warn({ tool: name, kind: err.kind, status: err.status, err: err.message }, "backend error");
        return errorResult(`${def.errorPrefix}: ${err.message}`);
      }
      logger.error({ tool: name, err }, `Error executing ${name}`);
      return errorResult(`${def.errorPrefix}: ${errorMessage(err)}`);
    }
  });

  return {
    server,
    async close() {
      const pending = backendPromise;
      backendPromise = undefined;
      // A backend handed in by the caller (shared across HTTP sessions, or a test double) is the caller's to close.
      if (pending && !deps.backendFactory) await pending.then((b) => b.close()).catch(() => undefined);
    },
  };
}
