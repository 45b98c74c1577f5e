/**
 * The owner's background work, one step at a time: roll WAL files into segments, compact small
 * segments, apply retention, delete unreferenced files after a grace period (readers may still be
 * reading them), and prove ownership on every step. Every change to the set of files goes through
 * commit(): write the manifest (only if still the owner), then refresh this process's view.
 */
import { stat } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "../logger.js";
import { SEGMENT_DIR, sidecarName, type Catalog } from "./catalog.js";
import type { Conn } from "./duckdb.js";
import { listDir, removeFile, sizeOf } from "./fs-util.js";
import { emptyManifest, writeManifest, type GarbageEntry, type Manifest, type SegmentInfo } from "./manifest.js";
import type { Ownership } from "./ownership.js";
import { planCompaction, planRetention, type CompactionOptions, type RetentionOptions } from "./plans.js";
import { COLUMN_LIST, quoteString, walReadSql } from "./schema.js";
import { HOUR_MS, segmentFileName, writeSegment } from "./segment-writer.js";
import { WAL_DIR, WAL_FILE, type WalWriter } from "./wal-writer.js";

export interface MaintenanceOptions {
  /** Roll when the WAL holds this many bytes... */
  rollBytes: number;
  /** ...or its oldest unrolled span arrived this long ago. */
  rollAgeMs: number;
  rowGroupSize: number;
  compaction: CompactionOptions;
  retention: RetentionOptions;
  /** How long an unreferenced file stays on disk for readers that have not refreshed yet. */
  garbageGraceMs: number;
}

export interface MaintenanceDeps {
  dataDir: string;
  catalog: Catalog;
  maint: Conn;
  wal: WalWriter;
  ownership: Ownership;
  /** Runs a section under the store's read lock (view refreshes). */
  exclusive: <T>(section: () => Promise<T>) => Promise<T>;
  logger: Logger;
  /** The retention clock. */
  now: () => number;
  opts: MaintenanceOptions;
}

export class SupersededError extends Error {
  constructor() {
    super("Another process took over the trace store");
  }
}

const segmentPath = (file: string): string => `${SEGMENT_DIR}/${file}`;

/** WAL files read by one roll (DuckDB's JSON reader needs memory per file it reads at once). */
const FILES_PER_ROLL = 32;

/** How long another owner's WAL file must be unchanged before this owner folds it. */
const FOREIGN_QUIET_MS = 3000;

async function mtimeOf(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).mtimeMs;
  } catch {
    return undefined;
  }
}

export class Maintainer {
  private pendingSince: number | undefined;
  private rollQueued = false;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly d: MaintenanceDeps) {}

  /** Called on every append: starts the roll-age clock. */
  noteAppend(): void {
    this.pendingSince ??= Date.now();
  }

  /**
   * Backpressure: appends wait while sealed-but-unrolled WAL exceeds three rolls' worth, so the
   * WAL (and the memory of every process that loads it) stays bounded at any ingest rate.
   */
  async throttle(): Promise<void> {
    while (this.d.wal.sealedBytes > 3 * this.d.opts.rollBytes) {
      this.rollSoon();
      await this.chain;
    }
  }

  /** Called when the writer seals a file. */
  onSealed(): void {
    this.rollSoon();
  }

  private serial<T>(task: () => Promise<T>): Promise<T> {
    const result = this.chain.then(task, task);
    this.chain = result.catch(() => undefined);
    return result;
  }

  private get manifest(): Manifest {
    return this.d.catalog.manifest ?? emptyManifest();
  }

  /** Resolves when no maintenance step is running. */
  idle(): Promise<void> {
    return this.serial(async () => undefined);
  }

  /** First step of a new owner: remove what a crashed owner left half-written. */
  startup(): Promise<void> {
    return this.serial(async () => {
      await this.refresh();
      const known = new Set(this.manifest.segments.flatMap((s) => [s.file, sidecarName(s.file)]));
      const garbage = new Set(this.manifest.garbage.map((g) => g.path));
      for (const name of await listDir(join(this.d.dataDir, SEGMENT_DIR))) {
        if (!known.has(name) && !garbage.has(segmentPath(name))) await removeFile(join(this.d.dataDir, SEGMENT_DIR, name));
      }
    });
  }

  /** One round of background work. Throws SupersededError when another process owns the store. */
  tick(): Promise<void> {
    return this.serial(async () => {
      if (!(await this.d.ownership.heartbeat())) throw new SupersededError();
      const need = await this.rollNeeded();
      if (need !== "none") await this.roll(need === "all");
      await this.compactOnce();
      await this.applyRetention();
      await this.collectGarbage(false);
    });
  }

  /** Everything now: roll the whole WAL, compact until nothing is left to merge, apply retention. */
  checkpoint(): Promise<void> {
    return this.serial(async () => {
      if (!(await this.d.ownership.stillOwner())) throw new SupersededError();
      let more = await this.roll(true);
      while (more) more = await this.roll(false);
      while (await this.compactOnce()) {
        // keep merging
      }
      await this.applyRetention();
      await this.collectGarbage(false);
    });
  }

  private refresh(): Promise<void> {
    return this.d.exclusive(() => this.d.catalog.refresh({ loadWal: false }));
  }

  /** Rolls as soon as enough is sealed (called when the writer seals a file), not at the next tick. */
  rollSoon(): void {
    if (this.rollQueued) return;
    this.rollQueued = true;
    void this.serial(async () => {
      this.rollQueued = false;
      const need = await this.rollNeeded();
      if (need !== "none") await this.roll(need === "all");
    }).catch((err: unknown) => {
      if (!(err instanceof SupersededError)) this.d.logger.error({ err }, "trace store: rolling the WAL failed; will retry");
    });
  }

  /**
   * What to roll now: "sealed" files when they add up to rollBytes (or an earlier owner left some),
   * "all" (sealing the active file) when the oldest unrolled span has waited rollAgeMs.
   */
  private async rollNeeded(): Promise<"none" | "sealed" | "all"> {
    if (this.pendingSince !== undefined && Date.now() - this.pendingSince >= this.d.opts.rollAgeMs) return "all";
    const sealed = await this.sealedWalFiles();
    if (sealed.some((f) => !this.d.wal.sealed.has(f))) return "sealed";
    let bytes = 0;
    for (const f of sealed) bytes += (await sizeOf(join(this.d.dataDir, f))) ?? 0;
    return bytes >= this.d.opts.rollBytes ? "sealed" : "none";
  }

  private async commit(mutate: (m: Manifest) => void): Promise<void> {
    if (!(await this.d.ownership.stillOwner())) throw new SupersededError();
    const next = structuredClone(this.manifest);
    mutate(next);
    next.version += 1;
    next.epoch = this.d.ownership.epoch;
    await writeManifest(this.d.dataDir, next);
    await this.refresh();
  }

  private garbageOf(paths: readonly string[]): GarbageEntry[] {
    const since = Date.now();
    return paths.map((path) => ({ path, since }));
  }

  /**
   * Folds sealed WAL files into segments (one per hour their spans fall in). Only sealed files:
   * this writer's, and every file of an earlier owner. Their content is final, so what the
   * refresh loads is all of it.
   */
  /** Returns whether sealed files are left over (a backlog is rolled FILES_PER_ROLL at a time). */
  private async roll(sealActive: boolean): Promise<boolean> {
    if (sealActive) {
      this.pendingSince = undefined;
      await this.d.wal.seal();
    }
    const sealed = await this.sealedWalFiles();
    const candidates = sealed.slice(0, FILES_PER_ROLL);
    if (candidates.length === 0) return false;
    // Sealed files are final: read them directly, whatever this process has loaded.
    const rows = `(${walReadSql(candidates.map((f) => join(this.d.dataDir, f)))})`;
    const hours = await this.d.maint.all<{ hour: number }>(
      `SELECT DISTINCT (epoch_us(Timestamp) // ${HOUR_MS * 1000}) * ${HOUR_MS} AS hour FROM ${rows} ORDER BY 1`,
    );
    let seq = this.manifest.nextSeq;
    const written: SegmentInfo[] = [];
    for (const { hour } of hours) {
      const select =
        `SELECT ${COLUMN_LIST} FROM ${rows} ` +
        `WHERE epoch_us(Timestamp) >= ${hour * 1000} AND epoch_us(Timestamp) < ${(hour + HOUR_MS) * 1000}`;
      const info = await writeSegment(this.d.maint, this.d.dataDir, select, segmentFileName(hour, this.d.ownership.epoch, seq++), hour, this.d.opts);
      if (info) written.push(info);
    }
    await this.commit((m) => {
      m.nextSeq = seq;
      m.segments.push(...written);
      m.garbage.push(...this.garbageOf(candidates));
    });
    for (const f of candidates) this.d.wal.sealed.delete(f);
    this.d.logger.debug({ walFiles: candidates.length, segments: written.length, rows: written.reduce((n, s) => n + s.rows, 0) }, "trace store: rolled WAL into segments");
    return sealed.length > candidates.length;
  }

  /**
   * WAL files no one will write again: sealed by this writer, or left by an earlier owner. When
   * that owner was only presumed gone (stale heartbeat), its files must also have been quiet for
   * FOREIGN_QUIET_MS: a superseded owner that has not noticed yet may still be appending.
   */
  private async sealedWalFiles(): Promise<string[]> {
    const garbage = new Set(this.manifest.garbage.map((g) => g.path));
    const out: string[] = [];
    for (const name of (await listDir(join(this.d.dataDir, WAL_DIR))).sort()) {
      const match = WAL_FILE.exec(name);
      const rel = `${WAL_DIR}/${name}`;
      if (!match || garbage.has(rel)) continue;
      if (this.d.wal.sealed.has(rel)) out.push(rel);
      else if (Number(match[1]) !== this.d.ownership.epoch && (await this.foreignFileFinal(rel))) out.push(rel);
    }
    return out;
  }

  private async foreignFileFinal(rel: string): Promise<boolean> {
    if (this.d.ownership.takeover !== "stale") return true;
    return Date.now() - ((await mtimeOf(join(this.d.dataDir, rel))) ?? 0) > FOREIGN_QUIET_MS;
  }

  private async compactOnce(): Promise<boolean> {
    const group = planCompaction(this.manifest.segments, Date.now(), this.d.opts.compaction);
    if (!group) return false;
    const seq = this.manifest.nextSeq;
    const hour = group[0]!.bucketMs;
    const files = group.map((s) => quoteString(this.d.catalog.segmentPath(s))).join(", ");
    // Inputs are each sorted and listed oldest first; DuckDB reads them in order, so no re-sort.
    const select = `SELECT ${COLUMN_LIST} FROM read_parquet([${files}], union_by_name = true)`;
    const info = await writeSegment(this.d.maint, this.d.dataDir, select, segmentFileName(hour, this.d.ownership.epoch, seq), hour, this.d.opts);
    const merged = new Set(group.map((s) => s.file));
    await this.commit((m) => {
      m.nextSeq = seq + 1;
      m.segments = m.segments.filter((s) => !merged.has(s.file)).concat(info ? [info] : []);
      m.garbage.push(...this.garbageOf(group.flatMap((s) => [segmentPath(s.file), segmentPath(sidecarName(s.file))])));
    });
    this.d.logger.debug({ inputs: group.length, rows: info?.rows }, "trace store: compacted segments");
    return true;
  }

  private async applyRetention(): Promise<void> {
    let walBytes = 0;
    for (const size of this.d.catalog.walFiles.values()) walBytes += size;
    const doomed = planRetention(this.manifest.segments, walBytes, this.d.now(), this.d.opts.retention);
    if (doomed.length === 0) return;
    const gone = new Set(doomed.map((s) => s.file));
    await this.commit((m) => {
      m.segments = m.segments.filter((s) => !gone.has(s.file));
      m.garbage.push(...this.garbageOf(doomed.flatMap((s) => [segmentPath(s.file), segmentPath(sidecarName(s.file))])));
    });
    this.d.logger.info({ segments: doomed.length, rows: doomed.reduce((n, s) => n + s.rows, 0) }, "trace store: retention removed old data");
  }

  private async collectGarbage(force: boolean): Promise<void> {
    const due = this.manifest.garbage.filter((g) => force || Date.now() - g.since >= this.d.opts.garbageGraceMs);
    const removed = new Set<string>();
    for (const g of due) if (await removeFile(join(this.d.dataDir, g.path))) removed.add(g.path);
    if (removed.size > 0) await this.commit((m) => void (m.garbage = m.garbage.filter((g) => !removed.has(g.path))));
  }
}
