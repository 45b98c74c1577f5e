/** pino on stderr (fd 2) only: stdout belongs to the MCP protocol on stdio. */
import { pino, type Logger } from "pino";

export type { Logger };
export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function createLogger(level: LogLevel | "silent" = "info"): Logger {
  return pino(
    {
      name: "opentelemetry-mcp",
      level,
      // Defence in depth: secrets are never passed to the logger, but redact the usual suspects anyway.
      redact: { paths: ["apiKey", "api_key", "authorization", "headers", "*.apiKey", "*.authorization", "*.headers"], censor: "[redacted]" },
    },
    pino.destination({ dest: 2, sync: true }),
  );
}

/** A logger that discards everything (tests, library use). */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
