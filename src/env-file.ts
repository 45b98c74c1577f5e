/** Reads a .env file from the working directory, silently, beneath the real environment. */
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parse as parseDotenv } from "dotenv";
import type { Env } from "./config.js";

/** The real environment wins over .env, which wins over defaults (dotenv's rule). */
export function loadEnv(cwd: string = process.cwd(), env: NodeJS.ProcessEnv = process.env): Env {
  const file = resolve(cwd, ".env");
  let fromFile: Record<string, string> = {};
  if (existsSync(file)) {
    try {
      fromFile = parseDotenv(readFileSync(file));
    } catch {
      fromFile = {};
    }
  }
  return { ...fromFile, ...env };
}

