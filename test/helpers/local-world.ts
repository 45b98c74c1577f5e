/**
 * The local backend's "world": a data directory filled by the embedded store itself (an owner
 * process appends the dataset, rolls part of it into Parquet segments and leaves the rest in the
 * write-ahead log, then exits cleanly), which the backend under test opens as a reader. There is
 * no HTTP and nothing to misbehave: the conformance suite's HTTP fault tests do not apply.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Trace } from "../../src/domain/trace.js";
import { silentLogger } from "../../src/logger.js";
import { openStore } from "../../src/store/index.js";
import type { BackendWorld, RunningWorld } from "./backend-world.js";

/** Far beyond any dataset's age: retention must never delete test data. */
export const KEEP_FOREVER_MS = 100 * 365 * 86_400_000;

/** Fills a fresh data directory with `traces`: the first half in segments, the rest in the WAL. */
export async function filledDataDir(traces: readonly Trace[], prefix = "otel-mcp-local-"): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const store = await openStore({ dataDir: dir, retentionMs: KEEP_FOREVER_MS, maxBytes: 64 * 1024 ** 3, logger: silentLogger() });
  const half = Math.ceil(traces.length / 2);
  await store.append(traces.slice(0, half).flatMap((t) => t.spans));
  await store.checkpoint();
  await store.append(traces.slice(half).flatMap((t) => t.spans));
  await store.close();
  return dir;
}

export function localWorld(): BackendWorld {
  return {
    kind: "local",
    async start(dataset: Trace[]): Promise<RunningWorld> {
      const dir = await filledDataDir(dataset);
      return {
        url: dir,
        requests: [],
        setFault(fault) {
          if (fault !== null) throw new Error("the local store has no HTTP to fault");
        },
        async close() {
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  };
}

/** Backend options for a data directory, read-only (no receiver). */
export function localOptions(dataDir: string) {
  return { dataDir, otlpListen: "none" as const, retentionMs: KEEP_FOREVER_MS, maxBytes: 64 * 1024 ** 3 };
}
