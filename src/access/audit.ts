/**
 * The audit log: one line per tool call with when, which key, which tool, the argument *names*,
 * the outcome and the duration. Never argument values (they may hold customer data) and never
 * tokens (the key's name identifies the caller). Lines go to stderr through pino (a child logger
 * with `audit: true`, at info level) and, with --audit-log FILE, to that file as JSON lines
 * (appended; a new file is created with mode 0600).
 */
import { closeSync, openSync, writeSync } from "node:fs";
import type { Logger } from "../logger.js";

export type AuditOutcome = "ok" | "error";

/** One tool call, as the file records it. */
export interface AuditEntry {
  /** ISO 8601, UTC. */
  time: string;
  key: string;
  tool: string;
  arg_keys: string[];
  outcome: AuditOutcome;
  /** invalid_input, no_data, backend_<kind> (backend_timeout, …), unknown_tool, internal. */
  error_kind?: string;
  ms: number;
}

export type AuditRecord = Omit<AuditEntry, "time">;

export interface AuditLog {
  record(entry: AuditRecord): void;
  close(): void;
}

export interface AuditLogOptions {
  logger: Logger;
  /** --audit-log FILE. */
  file?: string;
  /** Clock (epoch ms), for tests. */
  now?: () => number;
}

/** The argument names of a call, sorted; values are never looked at. */
export function argKeys(args: unknown): string[] {
  return args && typeof args === "object" && !Array.isArray(args) ? Object.keys(args).sort() : [];
}

export function createAuditLog(options: AuditLogOptions): AuditLog {
  const audit = options.logger.child({ audit: true });
  const now = options.now ?? Date.now;
  let fd: number | undefined;
  let fileFailed = false;
  if (options.file) fd = openSync(options.file, "a", 0o600);

  return {
    record(entry) {
      // Fields in a fixed order: time, key, tool, arg_keys, outcome, error_kind (errors only), ms.
      const fields = {
        key: entry.key,
        tool: entry.tool,
        arg_keys: entry.arg_keys,
        outcome: entry.outcome,
        ...(entry.error_kind ? { error_kind: entry.error_kind } : {}),
        ms: entry.ms,
      };
      const line: AuditEntry = { time: new Date(now()).toISOString(), ...fields };
      audit.info(fields, "tool call");
      if (fd === undefined) return;
      try {
        // Synchronous and whole-line: entries from concurrent calls never interleave, and none is lost on exit.
        writeSync(fd, `${JSON.stringify(line)}\n`);
      } catch (err) {
        if (!fileFailed) options.logger.error({ file: options.file, err: (err as Error).message }, "cannot write the audit log file");
        fileFailed = true;
      }
    },
    close() {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}
