/**
 * The embedded trace store: what the local backend and the OTLP receiver call. One process owns
 * the data directory (appends, rolls, compacts, applies retention); the others read the same files
 * and take over when the owner exits or dies. See LAYOUT.md for the files and their formats.
 */
import { rm } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { join, resolve } from "node:path";
import type { Span, Trace } from "../domain/trace.js";
import type { Logger } from "../logger.js";
import { Catalog, SEGMENT_DIR, WAL_VIEW } from "./catalog.js";
import { openEngine, type Engine } from "./duckdb.js";
import { encodeSpan } from "./encode.js";
import { StoreQueryError, StoreReadOnlyError } from "./errors.js";
import { ensureDir } from "./fs-util.js";
import { Maintainer, SupersededError } from "./maintenance.js";
import { Mutex } from "./mutex.js";
import { Ownership } from "./ownership.js";
import * as queries from "./queries.js";
import { rankTraces, type RankedTraces } from "./rank-traces.js";
import { sessions, type SessionSpec, type StoredSessions } from "./sessions.js";
import { toolUsage } from "./tool-usage.js";
import type { ToolUsageResult, ToolUsageSpec } from "./sql/tool-usage.js";
import type { RankSpec } from "./sql/rank.js";
import type { ProjectedSpanParams, QueryContext, SearchParams, StoredLlmCall, TimeWindow } from "./queries.js";
import type { AggregateAnswer } from "../analytics/aggregate-answer.js";
import type { AggregateSpec } from "./sql/aggregate.js";
import type { LlmCostAnswer, LlmCostQuery, LlmUsageAnswer, LlmUsageQuery } from "../analytics/llm-usage-answer.js";
import { llmCost, llmUsage } from "./llm-usage.js";
import type { TopologySpec } from "./sql/topology.js";
import type { ServiceEdgeAnswer } from "../analytics/topology.js";
import type { ParamMap, SqlParam } from "./sql/params.js";
import { factsOf } from "./segment-facts.js";
import { processTempDir } from "./temp-dirs.js";
import { WAL_DIR, WalWriter } from "./wal-writer.js";

export type StoreRole = "owner" | "reader";

export interface StoreOptions {
  /** Created if missing. */
  dataDir: string;
  /** Delete data older than this (default 7 days). */
  retentionMs: number;
  /** Delete the oldest data beyond this many bytes on disk (default 2 GiB). */
  maxBytes: number;
  logger: Logger;
  /** "reader" never takes ownership (and never writes). Default "auto". */
  role?: "auto" | "reader";
  /** The retention clock (epoch ms). */
  now?: () => number;
  /** DuckDB memory limit for queries (default "160MB"); larger sorts and aggregations spill to <dataDir>/tmp/<pid>-…. */
  memoryLimit?: string;
  /** DuckDB memory limit for writing and merging segments (default "96MB"). */
  backgroundMemoryLimit?: string;
  threads?: number;
  /** Seal a WAL file at this size (default 4 MiB). */
  walFileBytes?: number;
  /** Roll sealed WAL files into segments once they add up to this (default 8 MiB)... */
  rollBytes?: number;
  /** ...or this long after its first unrolled span (default 10 min). */
  rollAgeMs?: number;
  rowGroupSize?: number;
  compactTargetRows?: number;
  compactFanIn?: number;
  /** How far from a window a trace's spans are looked for (default 1 h). */
  traceHorizonMs?: number;
  maintenanceIntervalMs?: number;
  takeoverIntervalMs?: number;
  /** An owner whose heartbeat is older than this is presumed gone (default 30 s). */
  staleOwnerMs?: number;
  /** Unreferenced files stay this long for readers that have not refreshed yet (default 30 s). */
  garbageGraceMs?: number;
}

export const DEFAULT_RETENTION_MS = 7 * 24 * 3_600_000;
export const DEFAULT_MAX_BYTES = 2 * 1024 ** 3;

const DEFAULTS = {
  memoryLimit: "160MB",
  backgroundMemoryLimit: "128MB",
  walFileBytes: 4 * 1024 * 1024,
  rollBytes: 8 * 1024 * 1024,
  rollAgeMs: 10 * 60_000,
  rowGroupSize: 8192,
  compactTargetRows: 1_000_000,
  compactFanIn: 4,
  traceHorizonMs: 3_600_000,
  maintenanceIntervalMs: 1000,
  takeoverIntervalMs: 1000,
  staleOwnerMs: 30_000,
  garbageGraceMs: 30_000,
};

export interface StoreStats {
  spans: number;
  traces: number;
  segments: number;
  /** Segments, their indexes and the WAL. */
  bytes: number;
  oldestMs?: number;
  newestMs?: number;
}

export interface LocalStore {
  readonly role: StoreRole;
  readonly dataDir: string;
  /** Called after the role changes (a reader took over, or an owner was superseded). */
  onRoleChange(listener: (role: StoreRole) => void): () => void;
  /** Durable when it resolves (fsync'd); rejects with StoreReadOnlyError unless this process owns the store. */
  append(spans: readonly Span[]): Promise<void>;
  searchTraces(q: SearchParams): Promise<{ traces: Trace[]; matched: number }>;
  searchSpans(q: SearchParams): Promise<{ spans: Span[]; matched: number }>;
  /** The LLM calls of every trace matching the filters in the window (no trace cap), as queries.ts llmCalls. */
  llmCalls(q: Omit<SearchParams, "limit">): Promise<{ calls: StoredLlmCall[]; traces: number }>;
  /** Matching spans with only the named attributes and events, as queries.ts projectedSpans. */
  projectedSpans(q: ProjectedSpanParams): Promise<{ spans: Span[]; matched: number }>;
  /** The LLM trace rankings over every trace of the window in SQL, as rank-traces.ts rankTraces. */
  rankTraces(q: RankSpec & TimeWindow): Promise<RankedTraces>;
  /** The LLM calls of the matching traces aggregated in SQL, as llm-usage.ts llmUsage. */
  llmUsage(q: LlmUsageQuery): Promise<LlmUsageAnswer>;
  /** Their dollars at given rates, as llm-usage.ts llmCost. */
  llmCost(q: LlmCostQuery): Promise<LlmCostAnswer>;
  /** list_llm_tools in SQL: the window's tool spans grouped by tool name, as tool-usage.ts toolUsage. */
  toolUsage(q: ToolUsageSpec & TimeWindow): Promise<ToolUsageResult>;
  /** list_sessions in SQL: the window's traces grouped by session, as sessions.ts sessions. */
  sessions(q: SessionSpec & TimeWindow): Promise<StoredSessions>;
  /** A group-by aggregate over the whole window in SQL, as queries.ts aggregate; undefined when it cannot be computed exactly. */
  aggregate(q: AggregateSpec & TimeWindow): Promise<AggregateAnswer | undefined>;
  /** The service graph of every trace in the window in SQL, as queries.ts serviceEdges. */
  serviceEdges(q: TopologySpec & TimeWindow): Promise<ServiceEdgeAnswer>;
  getTrace(traceId: string): Promise<Trace | undefined>;
  listServices(window?: TimeWindow): Promise<string[]>;
  getServiceOperations(service: string): Promise<string[]>;
  /** One read-only SELECT over the view otel_traces; `$name` placeholders bind `params`. */
  query<T = Record<string, unknown>>(sql: string, params?: Record<string, unknown>): Promise<T[]>;
  stats(): Promise<StoreStats>;
  /** Owner: roll the WAL into segments, compact, apply retention now. Reader: refresh. */
  checkpoint(): Promise<void>;
  close(): Promise<void>;
}

function isMissingFile(err: unknown): boolean {
  const msg = err instanceof Error ? err.message : String(err);
  return /No files found|Cannot open file|No such file|ENOENT/i.test(msg);
}

function toParam(name: string, value: unknown): SqlParam {
  if (typeof value === "string") return { value, type: "VARCHAR" };
  if (typeof value === "boolean") return { value, type: "BOOLEAN" };
  if (typeof value === "bigint") return { value, type: "BIGINT" };
  if (typeof value === "number") return { value, type: Number.isSafeInteger(value) ? "BIGINT" : "DOUBLE" };
  if (value === null) return { value: null, type: "VARCHAR" };
  if (Array.isArray(value) && value.every((v) => typeof v === "string")) return { value: value as string[], type: "VARCHAR[]" };
  if (Array.isArray(value) && value.every((v) => typeof v === "number")) return { value: value as number[], type: "DOUBLE[]" };
  throw new StoreQueryError(`Parameter $${name}: unsupported value ${JSON.stringify(value)}; use a string, number, boolean, or an array of strings or numbers`);
}

class Store implements LocalStore {
  role: StoreRole = "reader";
  private readonly mutex = new Mutex();
  private readonly listeners = new Set<(role: StoreRole) => void>();
  private wal: WalWriter | undefined;
  private maintainer: Maintainer | undefined;
  private ownership: Ownership | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private closed = false;
  private readonly ctx: QueryContext;

  constructor(
    readonly dataDir: string,
    private readonly engine: Engine,
    private readonly catalog: Catalog,
    private readonly opts: StoreOptions & typeof DEFAULTS & { tempDir: string },
  ) {
    this.ctx = { catalog, conn: engine.reads, horizonMs: opts.traceHorizonMs };
  }

  private get logger(): Logger {
    return this.opts.logger;
  }

  onRoleChange(listener: (role: StoreRole) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private setRole(role: StoreRole): void {
    if (this.role === role) return;
    this.role = role;
    this.logger.info({ dataDir: this.dataDir, role }, `trace store: this process is now the ${role}`);
    for (const l of this.listeners) {
      try {
        l(role);
      } catch (err) {
        this.logger.error({ err }, "trace store: a role-change listener failed");
      }
    }
  }

  /** Tries to own the store; on success starts the WAL and maintenance. */
  async tryTakeOver(): Promise<boolean> {
    if (this.closed || this.role === "owner" || this.opts.role === "reader") return false;
    const ownership = await Ownership.tryAcquire(this.dataDir, this.opts.staleOwnerMs);
    if (!ownership) return false;
    if (this.closed) {
      await ownership.release();
      return false;
    }
    this.ownership = ownership;
    this.wal = new WalWriter(this.dataDir, ownership.epoch, this.opts.walFileBytes, () => this.maintainer?.onSealed());
    this.maintainer = new Maintainer({
      dataDir: this.dataDir,
      catalog: this.catalog,
      maint: this.engine.maint,
      compact: this.engine.compact,
      wal: this.wal,
      ownership,
      exclusive: (section) => this.mutex.run(section),
      logger: this.logger,
      now: this.opts.now ?? Date.now,
      opts: {
        rollBytes: this.opts.rollBytes,
        rollAgeMs: this.opts.rollAgeMs,
        rowGroupSize: this.opts.rowGroupSize,
        compaction: { targetRows: this.opts.compactTargetRows, fanIn: this.opts.compactFanIn },
        retention: { retentionMs: this.opts.retentionMs, maxBytes: this.opts.maxBytes },
        garbageGraceMs: this.opts.garbageGraceMs,
      },
    });
    try {
      await this.maintainer.startup();
    } catch (err) {
      // Holding the epoch without acting on it would leave the store without a writer.
      this.wal = undefined;
      this.maintainer = undefined;
      this.ownership = undefined;
      await ownership.release();
      throw err;
    }
    this.setRole("owner");
    return true;
  }

  private async stepDown(): Promise<void> {
    const wal = this.wal;
    const maintainer = this.maintainer;
    this.wal = undefined;
    this.maintainer = undefined;
    this.ownership = undefined;
    await maintainer?.stop();
    await wal?.close();
    this.setRole("reader");
  }

  /** Owner: maintenance ticks. Reader: takeover attempts. One timer, re-armed after each run. */
  schedule(): void {
    if (this.closed) return;
    const owner = this.role === "owner";
    this.timer = setTimeout(() => {
      this.running = this.onTimer();
    }, owner ? this.opts.maintenanceIntervalMs : this.opts.takeoverIntervalMs);
    this.timer.unref();
  }

  private async onTimer(): Promise<void> {
    try {
      if (this.role === "owner") await this.maintainer?.tick();
      else await this.tryTakeOver();
    } catch (err) {
      if (err instanceof SupersededError) {
        this.logger.warn({ dataDir: this.dataDir }, "trace store: another process took over; continuing as a reader");
        await this.stepDown();
      } else {
        this.logger.error({ err, dataDir: this.dataDir }, "trace store: background maintenance failed; will retry");
      }
    }
    this.schedule();
  }

  async append(spans: readonly Span[]): Promise<void> {
    if (spans.length === 0) return;
    const wal = this.wal;
    if (this.role !== "owner" || !wal || this.closed) throw new StoreReadOnlyError(this.dataDir);
    let data = "";
    for (const span of spans) data += encodeSpan(span);
    await this.maintainer?.throttle();
    this.maintainer?.noteAppend();
    await wal.append(data, factsOf(spans));
  }

  /** A read section: refresh the view and run; retried (twice at most) if a file vanished under a stale view. */
  private read<T>(run: (ctx: QueryContext) => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error("The trace store is closed"));
    return this.mutex.run(async () => {
      for (let attempt = 0; ; attempt++) {
        await this.catalog.refresh();
        try {
          return await run(this.ctx);
        } catch (err) {
          if (attempt >= 2 || !isMissingFile(err)) throw err;
          this.catalog.invalidate();
        }
      }
    });
  }

  searchTraces(q: SearchParams): Promise<{ traces: Trace[]; matched: number }> {
    return this.read((ctx) => queries.searchTraces(ctx, q));
  }

  searchSpans(q: SearchParams): Promise<{ spans: Span[]; matched: number }> {
    return this.read((ctx) => queries.searchSpans(ctx, q));
  }

  llmCalls(q: Omit<SearchParams, "limit">): Promise<{ calls: StoredLlmCall[]; traces: number }> {
    return this.read((ctx) => queries.llmCalls(ctx, q));
  }

  projectedSpans(q: ProjectedSpanParams): Promise<{ spans: Span[]; matched: number }> {
    return this.read((ctx) => queries.projectedSpans(ctx, q));
  }

  rankTraces(q: RankSpec & TimeWindow): Promise<RankedTraces> {
    return this.read((ctx) => rankTraces(ctx, q));
  }

  llmUsage(q: LlmUsageQuery): Promise<LlmUsageAnswer> {
    return this.read((ctx) => llmUsage(ctx, q));
  }

  llmCost(q: LlmCostQuery): Promise<LlmCostAnswer> {
    return this.read((ctx) => llmCost(ctx, q));
  }

  toolUsage(q: ToolUsageSpec & TimeWindow): Promise<ToolUsageResult> {
    return this.read((ctx) => toolUsage(ctx, q));
  }

  sessions(q: SessionSpec & TimeWindow): Promise<StoredSessions> {
    return this.read((ctx) => sessions(ctx, q));
  }

  aggregate(q: AggregateSpec & TimeWindow): Promise<AggregateAnswer | undefined> {
    return this.read((ctx) => queries.aggregate(ctx, q));
  }

  serviceEdges(q: TopologySpec & TimeWindow): Promise<ServiceEdgeAnswer> {
    return this.read((ctx) => queries.serviceEdges(ctx, q));
  }

  getTrace(traceId: string): Promise<Trace | undefined> {
    return this.read((ctx) => queries.getTrace(ctx, traceId));
  }

  listServices(window?: TimeWindow): Promise<string[]> {
    return this.read((ctx) => queries.listServices(ctx, window));
  }

  getServiceOperations(service: string): Promise<string[]> {
    return this.read((ctx) => queries.getServiceOperations(ctx, service));
  }

  query<T = Record<string, unknown>>(sql: string, params: Record<string, unknown> = {}): Promise<T[]> {
    const bound: ParamMap = {};
    for (const [name, value] of Object.entries(params)) bound[name] = toParam(name, value);
    return this.read(async (ctx) => {
      let types: number[];
      try {
        types = await ctx.conn.statementTypes(sql);
      } catch (err) {
        throw new StoreQueryError(err instanceof Error ? err.message : String(err));
      }
      if (types.length !== 1 || types[0] !== ctx.conn.selectType) {
        throw new StoreQueryError("Only one read-only SELECT (or WITH ... SELECT) statement is allowed");
      }
      try {
        return await ctx.conn.all<T>(sql, bound);
      } catch (err) {
        // A vanished file is retried by read(); anything else is the query's own error.
        if (isMissingFile(err)) throw err;
        throw new StoreQueryError(err instanceof Error ? err.message : String(err));
      }
    });
  }

  stats(): Promise<StoreStats> {
    return this.read(async (ctx) => {
      const [wal] = await ctx.conn.all<{ n: number; lo: number | null; hi: number | null }>(
        `SELECT count(*) AS n, epoch_us(min(Timestamp)) AS lo, epoch_us(max(Timestamp)) AS hi FROM ${WAL_VIEW}`,
      );
      const [traces] = await ctx.conn.all<{ n: number }>(`SELECT count(DISTINCT TraceId) AS n FROM ${this.catalog.source()}`);
      const segments = this.catalog.segments;
      const lows = [...segments.map((s) => s.minUs), ...(wal?.lo != null ? [wal.lo] : [])];
      const highs = [...segments.map((s) => s.maxUs), ...(wal?.hi != null ? [wal.hi] : [])];
      let bytes = segments.reduce((n, s) => n + s.bytes, 0);
      for (const size of this.catalog.walFiles.values()) bytes += size;
      const out: StoreStats = {
        spans: segments.reduce((n, s) => n + s.rows, 0) + (wal?.n ?? 0),
        traces: traces?.n ?? 0,
        segments: segments.length,
        bytes,
      };
      if (lows.length > 0) out.oldestMs = Math.floor(Math.min(...lows) / 1000);
      if (highs.length > 0) out.newestMs = Math.floor(Math.max(...highs) / 1000);
      return out;
    });
  }

  async checkpoint(): Promise<void> {
    if (this.role === "owner" && this.maintainer) await this.maintainer.checkpoint();
    else await this.read(async () => undefined);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
    await this.maintainer?.stop();
    await this.wal?.close();
    await this.ownership?.release();
    await this.mutex.run(async () => this.engine.close());
    await rm(this.opts.tempDir, { recursive: true, force: true }).catch(() => undefined);
    this.setRole("reader");
  }
}

/** Opens (creating if needed) the store in opts.dataDir and takes ownership when it is free. */
export async function openStore(options: StoreOptions): Promise<LocalStore> {
  const opts = { ...DEFAULTS, threads: Math.min(2, availableParallelism()), ...options };
  const dataDir = resolve(opts.dataDir);
  for (const dir of [dataDir, join(dataDir, WAL_DIR), join(dataDir, SEGMENT_DIR)]) await ensureDir(dir);
  const tempDir = await processTempDir(dataDir);
  const engine = await openEngine({
    dataDir,
    tempDir,
    memoryLimit: opts.memoryLimit,
    backgroundMemoryLimit: opts.backgroundMemoryLimit,
    threads: opts.threads,
  });
  const catalog = new Catalog(dataDir, engine.reads, opts.logger);
  await catalog.init();
  const store = new Store(dataDir, engine, catalog, { ...opts, tempDir });
  await store.tryTakeOver();
  store.schedule();
  return store;
}
