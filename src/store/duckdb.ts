/**
 * The DuckDB engine: loaded with a dynamic import only when a store opens (remote backends never
 * pay for it), locked down before first use (no extension downloads, no file access outside the
 * data directory, configuration frozen), and used through connections that run one statement at
 * a time, so callers never interleave statements on a connection.
 */
import type { DuckDBConnection, DuckDBInstance, DuckDBType, DuckDBValue, DuckDBValueConverter } from "@duckdb/node-api";
import { join, sep } from "node:path";
import { quoteString } from "./schema.js";
import type { ParamMap, SqlParam } from "./sql/params.js";

type DuckDBModule = typeof import("@duckdb/node-api");

export type Row = Record<string, unknown>;

export interface EngineOptions {
  /** Absolute; the only directory DuckDB may touch. */
  dataDir: string;
  /** This process's spill directory (inside dataDir); each instance gets a subdirectory. */
  tempDir: string;
  /** Memory limit of the query instance. */
  memoryLimit: string;
  /** Memory limit of the background (segment-writing) instance. */
  backgroundMemoryLimit: string;
  threads: number;
}

let modulePromise: Promise<DuckDBModule> | undefined;

function loadDuckDB(): Promise<DuckDBModule> {
  modulePromise ??= import("@duckdb/node-api");
  return modulePromise;
}

/** One connection, one statement at a time (a promise chain), with our parameter and row conventions. */
export class Conn {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly mod: DuckDBModule,
    private readonly conn: DuckDBConnection,
    private readonly converter: DuckDBValueConverter<unknown>,
  ) {}

  private serial<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }

  private bind(params: ParamMap | undefined): { values?: Record<string, DuckDBValue>; types?: Record<string, DuckDBType> } {
    if (!params || Object.keys(params).length === 0) return {};
    const values: Record<string, DuckDBValue> = {};
    const types: Record<string, DuckDBType> = {};
    for (const [name, p] of Object.entries(params)) {
      values[name] = this.value(p);
      types[name] = this.type(p);
    }
    return { values, types };
  }

  private value(p: SqlParam): DuckDBValue {
    if (p.value === null) return null;
    if (Array.isArray(p.value)) return this.mod.listValue([...(p.value as readonly (string | number)[])]);
    if (p.type === "BIGINT") return BigInt(p.value as number | bigint);
    return p.value as DuckDBValue;
  }

  private type(p: SqlParam): DuckDBType {
    const m = this.mod;
    switch (p.type) {
      case "VARCHAR":
        return m.VARCHAR;
      case "DOUBLE":
        return m.DOUBLE;
      case "BIGINT":
        return m.BIGINT;
      case "BOOLEAN":
        return m.BOOLEAN;
      case "VARCHAR[]":
        return m.LIST(m.VARCHAR);
      case "DOUBLE[]":
        return m.LIST(m.DOUBLE);
      default: {
        const never: never = p.type;
        return never;
      }
    }
  }

  run(sql: string, params?: ParamMap): Promise<void> {
    return this.serial(async () => {
      const { values, types } = this.bind(params);
      await this.conn.run(sql, values, types);
    });
  }

  all<T = Row>(sql: string, params?: ParamMap): Promise<T[]> {
    return this.serial(async () => {
      const { values, types } = this.bind(params);
      const reader = await this.conn.runAndReadAll(sql, values, types);
      return reader.convertRowObjects(this.converter) as T[];
    });
  }

  /** Statement types of a SQL text, without running it (the read-only guard of query()). */
  statementTypes(sql: string): Promise<number[]> {
    return this.serial(async () => {
      const extracted = await this.conn.extractStatements(sql);
      const types: number[] = [];
      for (let i = 0; i < extracted.count; i++) {
        const prepared = await extracted.prepare(i);
        types.push(prepared.statementType);
        prepared.destroySync();
      }
      return types;
    });
  }

  get selectType(): number {
    return this.mod.StatementType.SELECT;
  }

  close(): void {
    this.conn.closeSync();
  }
}

/**
 * Rows as plain JS: BIGINTs as numbers when exact (else decimal strings, lossless and JSON-safe),
 * maps as objects, timestamps as epoch milliseconds; the rest as DuckDB's JS converter has them.
 */
function rowConverter(mod: DuckDBModule): DuckDBValueConverter<unknown> {
  const js = mod.JSDuckDBValueConverter as DuckDBValueConverter<unknown>;
  const { DuckDBTypeId } = mod;
  const wide = new Set<number>([DuckDBTypeId.BIGINT, DuckDBTypeId.UBIGINT, DuckDBTypeId.HUGEINT, DuckDBTypeId.UHUGEINT]);
  const times = new Set<number>([
    DuckDBTypeId.TIMESTAMP,
    DuckDBTypeId.TIMESTAMP_S,
    DuckDBTypeId.TIMESTAMP_MS,
    DuckDBTypeId.TIMESTAMP_NS,
    DuckDBTypeId.TIMESTAMP_TZ,
    DuckDBTypeId.DATE,
  ]);
  const convert: DuckDBValueConverter<unknown> = (value, type, self) => {
    if (value === null || value === undefined) return null;
    if (wide.has(type.typeId)) {
      const big = js(value, type, self) as bigint;
      return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big.toString();
    }
    if (times.has(type.typeId)) return (js(value, type, self) as Date).getTime();
    if (type.typeId === DuckDBTypeId.MAP) {
      const entries = js(value, type, self) as Array<{ key: unknown; value: unknown }>;
      return Object.fromEntries(entries.map((e) => [String(e.key), e.value]));
    }
    return js(value, type, self);
  };
  return convert;
}

export interface Engine {
  /** API queries and the process's view of the data. */
  reads: Conn;
  /** Rolls (WAL -> segments), in a separate single-threaded instance (below). */
  maint: Conn;
  /** Compactions, beside the rolls, so a long merge never blocks a roll. */
  compact: Conn;
  close(): void;
}

/** An in-memory instance, locked down: no extension downloads, no files outside `dataDir`, settings frozen. */
async function lockedInstance(mod: DuckDBModule, dataDir: string, tempDir: string, threads: number, memoryLimit: string): Promise<DuckDBInstance> {
  const instance = await mod.DuckDBInstance.create(":memory:", {
    threads: String(threads),
    memory_limit: memoryLimit,
    temp_directory: tempDir,
    autoinstall_known_extensions: "false",
    autoload_known_extensions: "false",
    // Hand freed memory back to the OS soon, so RSS follows what is in use.
    allocator_flush_threshold: "16MB",
    allocator_background_threads: "true",
    allocator_bulk_deallocation_flush_threshold: "16MB",
  });
  const conn = await instance.connect();
  const dir = dataDir.endsWith(sep) ? dataDir : `${dataDir}${sep}`;
  try {
    for (const sql of [
      "SET parquet_metadata_cache = true",
      `SET allowed_directories = [${quoteString(dir)}]`,
      "SET enable_external_access = false",
      "SET lock_configuration = true",
    ]) {
      await conn.run(sql);
    }
  } finally {
    conn.closeSync();
  }
  return instance;
}

/**
 * Two instances: one for queries (all the threads and memory they may use), one for background
 * segment writing (one thread, a small memory limit), so maintenance never takes memory or CPU
 * the queries need, and the process's memory does not grow with the size of the merges.
 */
export async function openEngine(opts: EngineOptions): Promise<Engine> {
  const mod = await loadDuckDB();
  const converter = rowConverter(mod);
  const front = await lockedInstance(mod, opts.dataDir, join(opts.tempDir, "query"), opts.threads, opts.memoryLimit);
  const back = await lockedInstance(mod, opts.dataDir, join(opts.tempDir, "background"), 1, opts.backgroundMemoryLimit);
  const reads = new Conn(mod, await front.connect(), converter);
  const maint = new Conn(mod, await back.connect(), converter);
  const compact = new Conn(mod, await back.connect(), converter);
  return {
    reads,
    maint,
    compact,
    close() {
      reads.close();
      maint.close();
      compact.close();
      front.closeSync();
      back.closeSync();
    },
  };
}
