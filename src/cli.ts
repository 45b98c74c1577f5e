#!/usr/bin/env node
/**
 * The only impure entry point: reads flags, .env and the environment, resolves the config once,
 * and starts the server on stdio (default) or Streamable HTTP, or runs a subcommand (demo-data,
 * call). Nothing here writes to stdout except commander's --help/--version output and `call`'s
 * result. Every failure ends as one line on stderr (src/cli/errors.ts), never a stack trace.
 */
import * as nodeModule from "node:module";
import { Command, CommanderError, type OutputConfiguration } from "commander";
import { CliError, describeFailure, formatCommanderError, listenErrorMessage } from "./cli/errors.js";
import { httpStartupLine, stdioStartupLines } from "./cli/startup.js";
import { DEFAULTS, DEFAULT_URLS, resolveConfig, SETTINGS, type CliFlags, type Config } from "./config.js";
import { loadEnv } from "./env-file.js";
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

Defaults: --backend jaeger; --url ${DEFAULT_URLS.jaeger} (jaeger), ${DEFAULT_URLS.tempo} (tempo), ${DEFAULT_URLS.traceloop} (traceloop),
${DEFAULT_URLS.clickhouse} (clickhouse: BACKEND_API_KEY is the password of the URL's user, default 'default');
--timeout ${DEFAULTS.timeoutSeconds}; --environments prd; --transport stdio; --host ${DEFAULTS.host}; --port ${DEFAULTS.port}.

Examples:
  opentelemetry-mcp --backend jaeger --url http://localhost:16686
  opentelemetry-mcp --backend tempo --url http://localhost:3200 --header 'X-Scope-OrgID: tenant-a'
  BACKEND_API_KEY=... opentelemetry-mcp --backend traceloop
  BACKEND_API_KEY=<password> opentelemetry-mcp --backend clickhouse --url http://mcp_reader@localhost:8123
  opentelemetry-mcp --transport http --port 8000            # Streamable HTTP at http://127.0.0.1:8000/mcp
  opentelemetry-mcp demo-data --otlp-endpoint http://127.0.0.1:4318
  opentelemetry-mcp --url http://localhost:16686 call search_traces '{"service_name":"checkout","limit":3}'
`;

async function startServer(config: Config): Promise<void> {
  const logger = createLogger(config.logLevel);
  if (config.transport === "http") {
    const { startHttpServer } = await import("./mcp/http.js");
    const line = httpStartupLine(config);
    logger.info(line.fields, line.msg);
    try {
      await startHttpServer(config, logger);
    } catch (err) {
      const message = listenErrorMessage(err, config.host, config.port);
      throw message ? new CliError(message) : err;
    }
    return;
  }
  const [{ serveStdio, drainGraceMs }, { createServer }] = await Promise.all([import("./cli/stdio.js"), import("./mcp/server.js")]);
  // When stdin closes, the session answers the requests already read, then exits (src/cli/stdio.ts).
  const session = await serveStdio(createServer({ config, logger }), { logger, drainGraceMs: drainGraceMs(config.backend.timeoutMs) });
  process.on("SIGINT", () => session.stop(0));
  process.on("SIGTERM", () => session.stop(0));
  for (const line of stdioStartupLines(config, process.stdin.isTTY === true)) logger.info(line.fields, line.msg);
}

/** Runs `call`: one tool through an in-process MCP client, its result on stdout; resolves with the exit code. */
async function callTool(flags: CliFlags, tool: string, argsText: string | undefined): Promise<number> {
  const [{ parseToolArguments, runToolCall }, { createServer }] = await Promise.all([import("./cli/call.js"), import("./mcp/server.js")]);
  const args = parseToolArguments(tool, argsText);
  const env = loadEnv();
  // A one-shot command from a shell: only errors are logged unless --log-level / LOG_LEVEL asks for more.
  const config = resolveConfig({ ...flags, logLevel: flags.logLevel ?? (env[SETTINGS.logLevel.env] ? undefined : "error") }, env);
  const logger = createLogger(config.logLevel);
  return runToolCall(createServer({ config, logger }), tool, args, {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
  });
}

/** The root's options as given before a subcommand, overridden (lists: extended) by the same options given after it. */
function subcommandFlags(root: Command, sub: Command): CliFlags {
  const merged: Record<string, unknown> = { ...root.opts() };
  for (const [key, value] of Object.entries(sub.opts())) {
    if (sub.getOptionValueSource(key) !== "cli") continue;
    const before = merged[key];
    merged[key] = Array.isArray(before) && Array.isArray(value) ? [...before, ...value] : value;
  }
  return merged as CliFlags;
}

/** commander's errors in the CLI's one-line form, with the --help of the command that failed. */
function errorOutput(commandPath: string): OutputConfiguration {
  return { outputError: (text, write) => write(formatCommanderError(text, commandPath)) };
}

export function buildProgram(): Command {
  const program = new Command("opentelemetry-mcp")
    .description("MCP server for querying OpenTelemetry traces (Jaeger, Grafana Tempo, Traceloop) with LLM usage, cost and latency tools.")
    .version(VERSION, "-v, --version", "print the version and exit")
    .option("--backend <type>", "trace backend: jaeger, tempo, traceloop or clickhouse")
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
    .option("--backend-max-response-mb <n>", "largest backend answer read, in MB, 1-4096 (default 64); larger answers fail with advice to narrow the query")
    .option("--compress-responses", "render lists in tool text as {columns, rows} (smaller; structuredContent keeps objects)")
    .option("--pricing <file>", "JSON price overrides {prices: [{match, input, output, cache_read?, cache_write?, reasoning?}]} in USD per million tokens")
    .option("--redact <level>", "what tool answers hide: secrets (default), pii, content (pii + prompt/completion bodies) or none")
    .option("--redact-rules <file>", "JSON file of custom redaction patterns and attribute names")
    .option("--api-keys-file <file>", "JSON file of scoped API keys for the HTTP transport (token hashes and services)")
    .option("--audit-log <file>", "also write the tool-call audit log to this file as JSON lines")
    .option("--clickhouse-database <name>", "clickhouse: the database the Collector's clickhouseexporter writes (default otel)")
    .option("--clickhouse-traces-table <name>", "clickhouse: the spans table (default otel_traces)")
    .option("--clickhouse-trace-id-table <name>", "clickhouse: the trace id -> time range table (default otel_traces_trace_id_ts)")
    .addHelpText("after", ENV_HELP)
    // A usage error prints one line and the hint to run --help, not the whole help; main() exits.
    .configureOutput(errorOutput("opentelemetry-mcp"))
    .exitOverride()
    // Root options must precede a subcommand, so `demo-data --log-level warn` reaches demo-data.
    .enablePositionalOptions()
    // A stray word is reported as an unknown command (below) rather than commander's argument count.
    .allowExcessArguments()
    .action(async (flags: CliFlags, command: Command) => {
      if (command.args.length > 0) throw new CliError(`unknown command '${command.args[0]}' (run opentelemetry-mcp --help for the commands)`);
      await startServer(resolveConfig(flags, loadEnv()));
    });

  program
    .command("demo-data")
    .configureOutput(errorOutput("opentelemetry-mcp demo-data"))
    .description("emit a seeded, realistic LLM application's traces over OTLP/HTTP (e.g. into a local Jaeger)")
    .option("--otlp-endpoint <url>", "OTLP/HTTP endpoint base; spans are posted to <url>/v1/traces", "http://127.0.0.1:4318")
    .option("--seed <n>", "random seed: the same seed gives the same traces (shapes, times, attributes)", "42")
    .option("--run-id <id>", "ids of this run: trace and span ids are new on every run (so a second run never duplicates spans); pass the run id a run printed to send the same ids again")
    .option("--traces <n>", "number of traces to emit", "60")
    .option("--log-level <level>", "debug, info, warn or error", "info")
    .action(async (opts: { otlpEndpoint: string; seed: string; runId?: string; traces: string; logLevel: string }) => {
      const seed = Number(opts.seed);
      const traces = Number(opts.traces);
      if (!Number.isInteger(seed) || seed < 0) throw new CliError(`Invalid value '${opts.seed}' for --seed: must be a whole number >= 0`);
      if (!Number.isInteger(traces) || traces < 1 || traces > 100_000) throw new CliError(`Invalid value '${opts.traces}' for --traces: must be 1-100000`);
      const level = (["debug", "info", "warn", "error"] as const).find((l) => l === opts.logLevel.toLowerCase()) ?? "info";
      const logger = createLogger(level);
      const { runDemoData } = await import("./demo/index.js");
      const result = await runDemoData({ otlpEndpoint: opts.otlpEndpoint, seed, traces, logger, ...(opts.runId !== undefined ? { runId: opts.runId } : {}) });
      logger.info(result, `Sent ${result.traces} traces (${result.spans} spans) to ${opts.otlpEndpoint} (run id ${result.runId})`);
    });

  const call = program
    .command("call")
    .configureOutput(errorOutput("opentelemetry-mcp call"))
    .description("run one tool with this configuration and print its result (structuredContent) as JSON; exit 1 if the tool failed, 2 for an unknown tool or bad JSON")
    .argument("<tool>", "tool name, e.g. list_services (an unknown name lists the tools)")
    .argument("[json-args]", `the tool's arguments as one JSON object, e.g. '{"service_name":"checkout"}'`)
    .action(async (tool: string, argsText: string | undefined, _opts: unknown, command: Command) => {
      process.exitCode = await callTool(subcommandFlags(program, command), tool, argsText);
    });
  // The server's options work after `call` too: the root's own option definitions, parsed again by call.
  for (const option of program.options) if (option.attributeName() !== "version") call.addOption(option);
  return program;
}

/** Parses and runs; every failure ends as one line on stderr and an exit code. */
async function main(argv: string[]): Promise<void> {
  // The reader of stdout went away (`call ... | head -n 5`, a client that quit): nobody is left to tell.
  process.stdout.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") process.exit(Number(process.exitCode ?? 0));
  });
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    // commander has written its own output already (help, version, or a usage error in one line).
    if (err instanceof CommanderError) return exit(err.exitCode);
    const { line, exitCode } = describeFailure(err);
    process.stderr.write(`${line}\n`);
    return exit(exitCode);
  }
  // A one-shot subcommand is done: exit now rather than wait for idle keep-alive sockets and timers.
  if (process.exitCode !== undefined) return exit(Number(process.exitCode));
}

/** Exits once stdout has taken everything written to it (a pipe may still be draining). */
function exit(code: number): Promise<void> {
  return new Promise(() => process.stdout.write("", () => process.exit(code)));
}

await main(process.argv);
