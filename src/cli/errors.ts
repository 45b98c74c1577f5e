/**
 * How the CLI fails: one line on stderr, `opentelemetry-mcp: <what went wrong and what to do>`,
 * and an exit code. Never a stack trace, never the help text, never the throwing source line
 * (Node prints that line for an uncaught error, and in a minified bundle it is ~100 kB long).
 */
import { ConfigError, errorMessage } from "../errors.js";

export const PROGRAM = "opentelemetry-mcp";

/** An error whose message is meant for the user as it is, with the exit code to use. */
export class CliError extends Error {
  override name = "CliError";
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** Exit codes: 1 = the run failed (bad config, backend or tool error); 2 = the command line was wrong (`call`'s tool or arguments). */
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** The one line printed for `err`, and its exit code. */
export function describeFailure(err: unknown): { line: string; exitCode: number } {
  const exitCode = err instanceof CliError ? err.exitCode : EXIT_FAILURE;
  const message = err instanceof CliError || err instanceof ConfigError ? err.message : errorMessage(err);
  return { line: `${PROGRAM}: ${oneLine(message)}`, exitCode };
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, " ").trim() || "failed";
}

/**
 * Rewrites commander's own error text ("error: unknown option '--bogus'\n(Did you mean --port?)")
 * into the CLI's one-line form with a pointer to the right --help.
 */
export function formatCommanderError(text: string, commandPath: string): string {
  const lines = text
    .trim()
    .replace(/^error:\s*/i, "")
    .split(/\n+/)
    .map((l) => l.trim())
    .filter(Boolean);
  const [first = "invalid command line", ...rest] = lines;
  const suggestion = rest.map((l) => l.replace(/^\((.*)\)$/, "$1").replace(/^Did you mean/, "did you mean")).join(" ");
  const head = first.replace(/\.$/, "");
  return `${PROGRAM}: ${head}${suggestion ? `; ${suggestion}` : ""} (run ${commandPath} --help for the options)\n`;
}

/** A listen() failure of the HTTP transport as one actionable line; undefined for errors that are not about the address. */
export function listenErrorMessage(err: unknown, host: string, port: number): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  const where = `port ${port} on ${host}`;
  switch (code) {
    case "EADDRINUSE":
      return `${where} is already in use; pass --port or stop the other process`;
    case "EACCES":
      return `permission denied to listen on ${where} (ports below 1024 need privileges); pass --port with a higher port`;
    case "EADDRNOTAVAIL":
      return `cannot listen on ${where}: the address is not one of this machine's; pass --host (e.g. 127.0.0.1)`;
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return `cannot listen on ${where}: the host name does not resolve; pass --host (e.g. 127.0.0.1)`;
    default:
      return undefined;
  }
}
