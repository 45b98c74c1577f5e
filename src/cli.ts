/**
 * The command line: reads flags, .env and the environment, resolves the config once, and starts
 * the server on stdio (default) or Streamable HTTP, or runs a subcommand (demo-data, call).
 * Nothing here writes to stdout except commander's --help/--version output and `call`'s result.
 * Every failure ends as one line on stderr (src/cli/errors.ts), never a stack trace. The
 * executable is src/bin.ts, which runs `main` and exits; importing this module runs nothing.
 */
import { Command, CommanderError, type OutputConfiguration } from "commander";
import { CliError, describeFailure, formatCommanderError, listenErrorMessage } from "./cli/errors.js";
import { httpStartupLine, stdioStartupLines } from "./cli/startup.js";
import { DEFAULTS, DEFAULT_URLS, resolveConfig, SETTINGS, type CliFlags, type Config } from "./config.js";
import { loadEnv } from "./env-file.js";
import { createLogger } from "./logger.js";
import { VERSION } from "./version.js";

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

const ENV_HELP = `
Environment variables (a flag wins over the environment, which wins over a .env file in the working directory):
${Object.values(SETTINGS)
  .map((s) => `  ${s.env.padEnd(24)} ${s.flag}`)
  .join("\n")}

Defaults: --backend local (the embedded store; --url alone means jaeger); --url ${DEFAULT_URLS.jaeger} (jaeger), ${DEFAULT_URLS.tempo} (tempo), ${DEFAULT_URLS.traceloop} (traceloop),
${DEFAULT_URLS.clickhouse} (clickhouse: BACKEND_API_KEY is the password of the URL's user, default 'default');
--data-dir the per-user data directory; --otlp-listen ${DEFAULTS.otlpListen}; --retention ${DEFAULTS.retention}; --store-max-mb ${DEFAULTS.storeMaxMb};
--timeout ${DEFAULTS.timeoutSeconds}; --environments prd; --transport stdio; --host ${DEFAULTS.host}; --port ${DEFAULTS.port}.

Examples:
  opentelemetry-mcp                                         # the local store; send OTLP to http://127.0.0.1:4318
  opentelemetry-mcp demo-data                               # sample traces into the local store (or a running server)
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
  const created = createServer({ config, logger });
  const session = await serveStdio(created, { logger, drainGraceMs: drainGraceMs(config.backend.timeoutMs) });
  // The local store's receiver starts after the handshake (oninitialized); a client of the
  // 2026-07-28 revision sends no initialize, so start it shortly after boot regardless.
  setTimeout(() => created.app.start(), 300).unref();
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
  // One call reads the local store; it never takes the store over or receives OTLP.
  if (config.backend.local) config.backend.local.otlpListen = "none";
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

/** How a run ended: one-shot subcommands (`call`) set the exit code; a running server leaves it unset. */
export interface CliRun {
  exitCode?: number;
}

export function buildProgram(run: CliRun = {}): Command {
  const program = new Command("opentelemetry-mcp")
    .description("MCP server for querying OpenTelemetry traces (an embedded store with an OTLP receiver, Jaeger, Grafana Tempo, Traceloop) with LLM usage, cost and latency tools.")
    .version(VERSION, "-v, --version", "print the version and exit")
    .option("--backend <type>", "trace backend: local (the embedded store; the default when no backend or URL is given), jaeger, tempo, traceloop or clickhouse")
    .option("--url <url>", "backend API base URL (a URL without --backend means jaeger)")
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
    .option("--data-dir <dir>", "local store: its directory (default: the per-user data directory, e.g. ~/.local/share/opentelemetry-mcp)")
    .option("--otlp-listen <host:port>", "local store: where the OTLP/HTTP receiver listens (default 127.0.0.1:4318); none = only read the store")
    .option("--otlp-auth-token <token>", "local store: require 'Authorization: Bearer <token>' on the OTLP receiver")
    .option("--retention <duration>", "local store: delete spans older than this, e.g. 7d (default), 36h, 2w")
    .option("--store-max-mb <n>", "local store: delete the oldest spans beyond this size on disk, in MB (default 2048)")
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
    .description("emit a seeded, realistic LLM application's traces over OTLP/HTTP (to a running server's receiver, Jaeger or a Collector; with nothing at the default endpoint, into the local store directly)")
    .option("--otlp-endpoint <url>", "OTLP/HTTP endpoint base; spans are posted to <url>/v1/traces", "http://127.0.0.1:4318")
    .option("--seed <n>", "random seed: the same seed gives the same traces (shapes, times, attributes)", "42")
    .option("--run-id <id>", "ids of this run: trace and span ids are new on every run (so a second run never duplicates spans); pass the run id a run printed to send the same ids again")
    .option("--traces <n>", "number of traces to emit", "60")
    .option("--log-level <level>", "debug, info, warn or error", "info")
    .option("--data-dir <dir>", "with no backend configured and nothing at the default endpoint, store the traces in this local store directly (default: the per-user data directory)")
    .action(async (opts: { otlpEndpoint: string; seed: string; runId?: string; traces: string; logLevel: string; dataDir?: string }, command: Command) => {
      const seed = Number(opts.seed);
      const traces = Number(opts.traces);
      if (!Number.isInteger(seed) || seed < 0) throw new CliError(`Invalid value '${opts.seed}' for --seed: must be a whole number >= 0`);
      if (!Number.isInteger(traces) || traces < 1 || traces > 100_000) throw new CliError(`Invalid value '${opts.traces}' for --traces: must be 1-100000`);
      const level = (["debug", "info", "warn", "error"] as const).find((l) => l === opts.logLevel.toLowerCase()) ?? "info";
      const logger = createLogger(level);
      const [{ runDemoData }, { probeOtlpReceiver }] = await Promise.all([import("./demo/index.js"), import("./demo/otlp-probe.js")]);
      const common = { seed, traces, logger, ...(opts.runId !== undefined ? { runId: opts.runId } : {}) };
      // Nothing at the default endpoint (no server running, no Jaeger): write into the local store instead.
      const explicitEndpoint = command.getOptionValueSource("otlpEndpoint") === "cli";
      const reachable = explicitEndpoint || (await probeOtlpReceiver(`${opts.otlpEndpoint}/v1/traces`, { timeoutMs: 2_000 }).then(() => true, () => false));
      // The fallback is for the default setup only: with a backend configured, a dead endpoint is an error.
      const env = loadEnv();
      const configured = resolveConfig({ ...program.opts(), ...(opts.dataDir ? { dataDir: opts.dataDir } : {}) }, env).backend;
      if (!reachable && configured.local) {
        const local = configured.local;
        const { demoDataIntoStore } = await import("./demo/into-store.js");
        const result = await demoDataIntoStore(local, common);
        logger.info(
          { ...result, dataDir: local.dataDir },
          `Stored ${result.traces} traces (${result.spans} spans) in the local store ${local.dataDir} (run id ${result.runId}); ` +
            `nothing listened at ${opts.otlpEndpoint}. Start the server (${"opentelemetry-mcp"}${opts.dataDir ? ` --data-dir ${opts.dataDir}` : ""}) and ask about them.`,
        );
        return;
      }
      const result = await runDemoData({ otlpEndpoint: opts.otlpEndpoint, ...common });
      logger.info(result, `Sent ${result.traces} traces (${result.spans} spans) to ${opts.otlpEndpoint} (run id ${result.runId})`);
    });

  const call = program
    .command("call")
    .configureOutput(errorOutput("opentelemetry-mcp call"))
    .description("run one tool with this configuration and print its result (structuredContent) as JSON; exit 1 if the tool failed, 2 for an unknown tool or bad JSON")
    .argument("<tool>", "tool name, e.g. list_services (an unknown name lists the tools)")
    .argument("[json-args]", `the tool's arguments as one JSON object, e.g. '{"service_name":"checkout"}'`)
    .action(async (tool: string, argsText: string | undefined, _opts: unknown, command: Command) => {
      run.exitCode = await callTool(subcommandFlags(program, command), tool, argsText);
    });
  // The server's options work after `call` too: the root's own option definitions, parsed again by call.
  for (const option of program.options) if (option.attributeName() !== "version") call.addOption(option);
  return program;
}

/**
 * Parses and runs `argv` (process.argv: node, script, args...). Resolves with the exit code to
 * exit with now (help, version, a failure, `call`), or with undefined when the process is to end
 * by itself (a running server; demo-data once its exports are done). Every failure ends as one
 * line on stderr and an exit code.
 */
export async function main(argv: readonly string[]): Promise<number | undefined> {
  const run: CliRun = {};
  try {
    await buildProgram(run).parseAsync([...argv]);
  } catch (err) {
    // commander has written its own output already (help, version, or a usage error in one line).
    if (err instanceof CommanderError) return err.exitCode;
    const { line, exitCode } = describeFailure(err);
    process.stderr.write(`${line}\n`);
    return exitCode;
  }
  return run.exitCode;
}
