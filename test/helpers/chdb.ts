/**
 * Loads chDB (ClickHouse embedded as a Node addon) from the cache that scripts/install-chdb.sh
 * fills. chdb is not a project dependency: it is ~550 MB, so only the ClickHouse suite installs
 * it, and nothing in the unit suite may import this module's loader.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The engine's answer to one query: output bytes in the requested format plus engine counters. */
export interface ChdbRawResult {
  bytes: Uint8Array;
  elapsed: number;
  rowsRead: number;
  bytesRead: number;
}

export interface ChdbRawInsertResult {
  elapsed: number;
  rowsWritten: number;
  bytesWritten: number;
  rowsSent?: number;
}

/**
 * The addon's connection-level entry points (chdb 3.4.0, dist/loader.js loadNative()). The shim
 * uses these rather than Session.queryBindAsync because the public binder re-escapes string
 * values, which is right for JS values but wrong for the already-encoded `param_*` strings an
 * HTTP client sends (it would double their backslash escapes); the native call takes them
 * verbatim, as ClickHouse's HTTP handler does.
 */
export interface ChdbNative {
  CreateConnection(path: string, args?: readonly string[]): unknown;
  CloseConnection(connection: unknown): void;
  QueryAsyncConnection(connection: unknown, sql: string, format: string, params?: Record<string, string>): Promise<ChdbRawResult>;
  InsertRawAsyncConnection(connection: unknown, prefix: string, data: Buffer, countLines: boolean): Promise<ChdbRawInsertResult>;
}

export interface ChdbSession {
  readonly path: string;
  close(): void;
}

export interface Chdb {
  /** Directory holding node_modules/chdb. */
  dir: string;
  /** The chdb package version (e.g. 3.4.0); the engine's own is `SELECT version()`. */
  chdbVersion: string;
  /** Opens the process's one engine on a fresh temporary data directory (removed by close()). */
  openSession(): ChdbSession;
  /** Resolves once no native operation is outstanding (needed before a new session can open). */
  drainPending(): Promise<void>;
  native: ChdbNative;
}

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "../..");

/**
 * The chdb cache directory: $CHDB_DIR when set, else what scripts/install-chdb.sh prints
 * (it installs into ~/.cache/opentelemetry-mcp/chdb-<version> once and reuses it after).
 */
export function locateChdb(): string {
  const fromEnv = process.env.CHDB_DIR;
  if (fromEnv && existsSync(join(fromEnv, "node_modules", "chdb"))) return fromEnv;
  const out = execFileSync("bash", [join(repoRoot, "scripts/install-chdb.sh")], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  const dir = out.trim().split("\n").pop();
  if (!dir) throw new Error("scripts/install-chdb.sh printed no path");
  return dir;
}

let loaded: Chdb | undefined;

/** Loads chdb once per process (the addon binds one engine per process anyway). */
export function loadChdb(dir: string = locateChdb()): Chdb {
  if (loaded) {
    if (loaded.dir !== dir) throw new Error(`chdb is already loaded from ${loaded.dir}; cannot also load it from ${dir}`);
    return loaded;
  }
  const req = createRequire(join(dir, "package.json"));
  const mod = req("chdb") as {
    Session: new () => ChdbSession;
    drainPending(): Promise<void>;
    version(): { chdb: string };
  };
  // Not in the package's "exports" map, hence the file path; the version is pinned by the install script.
  const loader = req(join(dir, "node_modules", "chdb", "dist", "loader.js")) as { loadNative(): ChdbNative };
  loaded = {
    dir,
    chdbVersion: mod.version().chdb,
    openSession: () => new mod.Session(),
    drainPending: () => mod.drainPending(),
    native: loader.loadNative(),
  };
  return loaded;
}
