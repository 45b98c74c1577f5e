/** A pino logger whose JSON lines are collected in memory (to assert what reaches stderr). */
import { Writable } from "node:stream";
import { pino, type Logger } from "pino";

export interface CapturedLog {
  logger: Logger;
  lines: Array<Record<string, unknown>>;
}

export function captureLog(level: "debug" | "info" = "info"): CapturedLog {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString("utf8").split("\n")) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level }, stream), lines };
}
