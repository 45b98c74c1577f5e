/**
 * Global setup of the ClickHouse suite: install (once) and locate chDB, and hand its directory to
 * the test files, which each start their own shim on it.
 */
import type { TestProject } from "vitest/node";
import { locateChdb } from "../helpers/chdb.js";

declare module "vitest" {
  export interface ProvidedContext {
    chdbDir: string;
  }
}

export default function setup(project: TestProject): void {
  const started = Date.now();
  const dir = locateChdb();
  process.stderr.write(`clickhouse: chDB at ${dir} (located in ${Date.now() - started} ms)\n`);
  project.provide("chdbDir", dir);
}
