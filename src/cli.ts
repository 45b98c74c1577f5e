#!/usr/bin/env node
/**
 * The only impure entry point: reads flags, .env and the environment, resolves the config once,
 * and starts the server on stdio (default) or Streamable HTTP. Nothing here writes to stdout
 * except commander's --help/--version output.
 */
import * as nodeModule from "node:module";
import { Command } from "commander";
import { DEFAULTS, DEFAULT_URLS, resolveConfig, SETTINGS, type CliFlags, type Config } from "./config.js";
import { loadEnv } from "./env-file.js";
import { ConfigError } from "./errors.js";
import { createLogger } from "./logger.js";
import { VERSION } from "./version.js";

// Node >= 22.1 can cache compiled code on disk; later starts of the server (and its lazily loaded
// chunks) skip parsing and compiling. Feature-detected: older Nodes simply start without it.
(nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

const ENV_HELP = `
Environment variables (a flag wins over the environment, which wins over a .env file in the working directory):
${Object.values(SETTINGS)
  .map((s) => `  ${s.env.padEnd(22)} ${s.flag}`)
  .join("\n")}

Defaults: --backend jaeger; --url ${DEFAULT_URLS.jaeger} (jaeger), ${DEFAULT_URLS.tempo} (tempo), ${DEFAULT_URLS.traceloop} (traceloop);
--timeout ${DEFAULTS.timeoutSeconds}; --environments prd; --transport stdio; --host ${DEFAULTS.host}; --port ${DEFAULTS.port}.

Examples:
  opentelemetry-mcp --backend jaeger --url http://localhost:16686
  opentelemetry-mcp --backend tempo --url http://localhost:3200 --header 'X-Scope-OrgID: tenant-a'
  BACKEND_API_KEY=... opentelemetry-mcp --backend traceloop
  opentelemetry-mcp --transport http --port 8000            # Streamable HTTP at http://127.0.0.1:8000/mcp
  opentelemetry-mcp demo-data --otlp-endpoint http://127.0.0.1:4318
`;

async function startServer(config: Config): Promise<void> {
  const logger = createLogger(config.logLevel);
  if (config.transport === "http") {
    const { startHttpServer } = await import("./mcp/http.js");
    await startHttpServer(config, logger);
    return;
  }
  const [{ StdioServerTransport }, { createServer }] = await Promise.all([
    import("@modelcontextprotocol/sdk/server/stdio.js"),
    import("./mcp/server.js"),
  ]);
  const created = createServer({ config, logger });
  const transport = new StdioServerTransport();
  let closing = false;
  const shutdown = async (code: number): Promise<void> => {
    if (closing) return;
    closing = true;
    await created.close();
    process.exit(code);
  };
  transport.onclose = () => void shutdown(0);
  process.stdin.on("end", () => void shutdown(0));
  process.on("SIGINT", () => void shutdown(0));
  process.on("SIGTERM", () => void shutdown(0));
  await created.server.connect(transport);
  logger.info(
    { backend: config.backend.type, url: config.backend.url },
    `Starting MCP server with stdio transport using Backend: ${config.backend.type} connected to: ${config.backend.url}`,
  );
}

export function buildProgram(): Command {
  const program = new Command("opentelemetry-mcp")
    .description("MCP server for querying OpenTelemetry traces (Jaeger, Grafana Tempo, Traceloop) with LLM usage, cost and latency tools.")
    .version(VERSION, "-v, --version", "print the version and exit")
    .option("--backend <type>", "trace backend: jaeger, tempo or traceloop")
    .option("--url <url>", "backend API base URL")
    .option("--api-key <key>", "backend API key (sent as a bearer token; required for traceloop)")
    .option("--environments <list>", "comma-separated Traceloop environments (default prd)")
    .option("--timeout <seconds>", "backend request timeout in seconds, >0 and <=300 (default 30)")
    .option("--header <header>", "extra backend request header 'Name: value' (repeatable), e.g. 'X-Scope-OrgID: acme'", collect, [])
    .option("--transport <kind>", "MCP transport: stdio or http (default stdio)")
    .option("--host <host>", "HTTP bind address (default 127.0.0.1)")
    .option("--port <port>", "HTTP port (default 8000)")
    .option("--auth-token <token>", "require 'Authorization: Bearer <token>' on the HTTP transport")
    .option("--log-level <level>", "debug, info, warn or error (default info); logs go to stderr")
    .option("--max-traces <n>", "most traces one tool call reads from the backend, 1-1000 (default 1000)")
    .option("--concurrency <n>", "trace fetches in flight for the many-trace tools, 1-64 (default 8)")
    .option("--max-response-chars <n>", "budget for one tool result, in characters (default 80000, about 20k tokens)")
    .option("--compress-responses", "render lists in tool text as {columns, rows} (smaller; structuredContent keeps objects)")
    .option("--redact <level>", "what tool answers hide: secrets (default), pii, content (pii + prompt/completion bodies) or none")
    .option("--redact-rules <file>", "JSON file of custom redaction patterns and attribute names")
    .option("--api-keys-file <file>", "JSON file of scoped API keys for the HTTP transport (token hashes and services)")
    .option("--audit-log <file>", "also write the tool-call audit log to this file as JSON lines")
    .addHelpText("after", ENV_HELP)
    .showHelpAfterError()
    // Root options must precede a subcommand, so `demo-data --log-level warn` reaches demo-data.
    .enablePositionalOptions()
    .action(async (flags: CliFlags) => {
      let config: Config;
      try {
        config = resolveConfig(flags, loadEnv());
      } catch (err) {
        if (err instanceof ConfigError) {
          process.stderr.write(`opentelemetry-mcp: ${err.message}\n`);
          process.exit(1);
        }
        throw err;
      }
      await startServer(config);
    });

  program
    .command("demo-data")
    .description("emit a seeded, realistic LLM application's traces over OTLP/HTTP (e.g. into a local Jaeger)")
    .option("--otlp-endpoint <url>", "OTLP/HTTP endpoint base; spans are posted to <url>/v1/traces", "http://127.0.0.1:4318")
    .option("--seed <n>", "random seed: the same seed gives the same data", "42")
    .option("--traces <n>", "number of traces to emit", "60")
    .option("--log-level <level>", "debug, info, warn or error", "info")
    .action(async (opts: { otlpEndpoint: string; seed: string; traces: string; logLevel: string }) => {
      const seed = Number(opts.seed);
      const traces = Number(opts.traces);
      if (!Number.isInteger(seed) || seed < 0) fatal(`Invalid value '${opts.seed}' for --seed: must be a whole number >= 0`);
      if (!Number.isInteger(traces) || traces < 1 || traces > 100_000) fatal(`Invalid value '${opts.traces}' for --traces: must be 1-100000`);
      const level = (["debug", "info", "warn", "error"] as const).find((l) => l === opts.logLevel.toLowerCase()) ?? "info";
      const logger = createLogger(level);
      const { runDemoData } = await import("./demo/index.js");
      const result = await runDemoData({ otlpEndpoint: opts.otlpEndpoint, seed, traces, logger });
      logger.info(result, `Sent ${result.traces} traces (${result.spans} spans) to ${opts.otlpEndpoint}`);
    });
  return program;
}

function fatal(message: string): never {
  process.stderr.write(`opentelemetry-mcp: ${message}\n`);
  process.exit(1);
}

await buildProgram().parseAsync(process.argv);
