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
import { COLUMN_LIST, HOUR_MS, walReadSql } from "./schema.js";
import { Mutex } from "./mutex.js";
import { mergeHourly, type HourlyFacts } from "./segment-facts.js";
import { segmentFileName, writeSegment } from "./segment-writer.js";
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
  /** Rolls (WAL -> segments). */
  maint: Conn;
  /** Compactions, on their own connection so a long merge never holds up a roll. */
  compact: Conn;
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

/** The longest an append waits for rolls to catch up. */
const THROTTLE_MAX_WAIT_MS = 10_000;

/** How long another owner's WAL file must be unchanged before this owner folds it. */
const FOREIGN_QUIET_MS = 3000;

async function mtimeOf(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).mtimeMs;
  } catch {
    return undefined;
  }
}

/**
 * Rolls, retention and garbage collection run in one sequence; compactions in another, so a big
 * merge never holds up the rolls that appends wait for. Manifest changes from both are
 * serialized by commit().
 */
export class Maintainer {
  private pendingSince: number | undefined;
  private rollQueued = false;
  private compactQueued = false;
  private readonly rolls = new Mutex();
  private readonly compactions = new Mutex();
  private readonly commits = new Mutex();
  private seq: number | undefined;
  private stopped = false;
  /** Whether the last roll failed (then appends do not wait for rolls). */
  private rollFailed = false;

  constructor(private readonly d: MaintenanceDeps) {}

  /** No new work after this; resolves when the running work is done (before the engine closes). */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.idle();
  }

  /** Called on every append: starts the roll-age clock. */
  noteAppend(): void {
    this.pendingSince ??= Date.now();
  }

  /**
   * Backpressure: appends wait while sealed-but-unrolled WAL exceeds three rolls' worth, so the
   * WAL (and the memory of every process that loads it) stays bounded at any ingest rate. Only
   * while rolls succeed: if they fail (say, the disk is full), appends go on to the WAL, which is
   * what durability needs, rather than hang.
   */
  async throttle(): Promise<void> {
    const deadline = Date.now() + THROTTLE_MAX_WAIT_MS;
    while (!this.stopped && this.d.wal.sealedBytes > 3 * this.d.opts.rollBytes && !this.rollFailed && Date.now() < deadline) {
      this.rollSoon();
      await this.rolls.run(async () => undefined);
    }
  }

  /** Called when the writer seals a file. */
  onSealed(): void {
    this.rollSoon();
  }

  private get manifest(): Manifest {
    return this.d.catalog.manifest ?? emptyManifest();
  }

  /** Resolves when no maintenance step is running. */
  async idle(): Promise<void> {
    await this.rolls.run(async () => undefined);
    await this.compactions.run(async () => undefined);
  }

  /** Segment sequence numbers, unique across concurrent rolls and compactions. */
  private nextSeq(): number {
    this.seq = Math.max(this.seq ?? 0, this.manifest.nextSeq);
    return this.seq++;
  }

  /** First step of a new owner: remove what a crashed owner left half-written. */
  startup(): Promise<void> {
    return this.rolls.run(async () => {
      await this.refresh();
      const known = new Set(this.manifest.segments.flatMap((s) => [s.file, sidecarName(s.file)]));
      const garbage = new Set(this.manifest.garbage.map((g) => g.path));
      for (const name of await listDir(join(this.d.dataDir, SEGMENT_DIR))) {
        if (!known.has(name) && !garbage.has(segmentPath(name))) await removeFile(join(this.d.dataDir, SEGMENT_DIR, name));
      }
    });
  }

  /** One round of background work. Throws SupersededError when another process owns the store. */
  async tick(): Promise<void> {
    if (this.stopped) return;
    await this.rolls.run(async () => {
      if (!(await this.d.ownership.heartbeat())) throw new SupersededError();
      const need = await this.rollNeeded();
      if (need !== "none") await this.rollGuarded(need === "all");
      await this.applyRetention();
      await this.collectGarbage();
    });
    this.compactSoon();
  }

  /** Merges segments in the background, one group after another while there is work. */
  private compactSoon(): void {
    if (this.compactQueued || this.stopped) return;
    this.compactQueued = true;
    void this.compactions
      .run(async () => {
        this.compactQueued = false;
        if (await this.compactOnce()) this.compactSoon();
      })
      .catch((err: unknown) => {
        if (!(err instanceof SupersededError)) this.d.logger.error({ err }, "trace store: compaction failed; will retry");
      });
  }

  /** Everything now: roll the whole WAL, compact until nothing is left to merge, apply retention. */
  async checkpoint(): Promise<void> {
    await this.rolls.run(async () => {
      if (!(await this.d.ownership.stillOwner())) throw new SupersededError();
      let more = await this.rollGuarded(true);
      while (more) more = await this.rollGuarded(false);
    });
    await this.compactions.run(async () => {
      while (await this.compactOnce()) {
        // keep merging
      }
    });
    await this.rolls.run(async () => {
      await this.applyRetention();
      await this.collectGarbage();
    });
  }

  private refresh(): Promise<void> {
    return this.d.exclusive(() => this.d.catalog.refresh({ loadWal: false }));
  }

  /** Rolls as soon as enough is sealed (called when the writer seals a file), not at the next tick. */
  rollSoon(): void {
    if (this.rollQueued || this.stopped) return;
    this.rollQueued = true;
    void this.rolls.run(async () => {
      this.rollQueued = false;
      const need = await this.rollNeeded();
      if (need !== "none") await this.rollGuarded(need === "all");
    }).catch((err: unknown) => {
      if (!(err instanceof SupersededError)) this.d.logger.error({ err }, "trace store: rolling the WAL failed; will retry");
    });
  }

  private async rollGuarded(sealActive: boolean): Promise<boolean> {
    try {
      const more = await this.roll(sealActive);
      this.rollFailed = false;
      return more;
    } catch (err) {
      this.rollFailed = true;
      throw err;
    }
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

  /** Applies a change to the latest manifest and writes it; false (nothing written) when `mutate` declines. */
  private commit(mutate: (m: Manifest) => boolean | void): Promise<boolean> {
    return this.commits.run(async () => {
      if (!(await this.d.ownership.stillOwner())) throw new SupersededError();
      const next = structuredClone(this.manifest);
      if (mutate(next) === false) return false;
      next.version += 1;
      next.epoch = this.d.ownership.epoch;
      next.nextSeq = Math.max(next.nextSeq, this.seq ?? 0);
      await writeManifest(this.d.dataDir, next);
      await this.refresh();
      return true;
    });
  }

  private garbageOf(paths: readonly string[]): GarbageEntry[] {
    const since = Date.now();
    return paths.map((path) => ({ path, since }));
  }

  /**
   * Folds sealed WAL files into segments, one per hour their spans fall in. Only sealed files (see
   * sealedWalFiles): their content is final. Returns whether sealed files are left over (a backlog
   * is rolled FILES_PER_ROLL at a time).
   */
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
    const known = this.knownFacts(candidates);
    const hours = known
      ? [...known.keys()].sort((a, b) => a - b)
      : (await this.d.maint.all<{ hour: number }>(`SELECT DISTINCT (epoch_us(Timestamp) // ${HOUR_MS * 1000}) * ${HOUR_MS} AS hour FROM ${rows} ORDER BY 1`)).map((r) => r.hour);
    const written: SegmentInfo[] = [];
    for (const hour of hours) {
      const select =
        hours.length === 1
          ? `SELECT ${COLUMN_LIST} FROM ${rows}`
          : `SELECT ${COLUMN_LIST} FROM ${rows} WHERE epoch_us(Timestamp) >= ${hour * 1000} AND epoch_us(Timestamp) < ${(hour + HOUR_MS) * 1000}`;
      const file = segmentFileName(hour, this.d.ownership.epoch, this.nextSeq());
      const info = await writeSegment(this.d.maint, this.d.dataDir, select, file, hour, this.d.opts, known?.get(hour));
      if (info) written.push(info);
    }
    await this.commit((m) => {
      m.segments.push(...written);
      m.garbage.push(...this.garbageOf(candidates));
    });
    for (const f of candidates) this.d.wal.forget(f);
    this.d.logger.debug({ walFiles: candidates.length, segments: written.length, rows: written.reduce((n, s) => n + s.rows, 0) }, "trace store: rolled WAL into segments");
    return sealed.length > candidates.length;
  }

  /** Facts about the candidates' rows per hour, when this writer knows them for every file. */
  private knownFacts(files: readonly string[]): HourlyFacts | undefined {
    const merged: HourlyFacts = new Map();
    for (const f of files) {
      const facts = this.d.wal.factsOf(f);
      if (!facts) return undefined;
      mergeHourly(merged, facts);
    }
    return merged;
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
    const hour = group[0]!.bucketMs;
    // Inputs are listed oldest first and DuckDB reads them in order: the merge keeps arrival order
    // (segments written by an earlier version, with fewer columns, are read after the others).
    await this.d.catalog.probeColumns(group);
    const select = this.d.catalog.segmentRows(group);
    const info = await writeSegment(this.d.compact, this.d.dataDir, select, segmentFileName(hour, this.d.ownership.epoch, this.nextSeq()), hour, this.d.opts);
    const merged = new Set(group.map((s) => s.file));
    const committed = await this.commit((m) => {
      // Retention may have removed an input meanwhile: then the merge would bring it back.
      if (!group.every((g) => m.segments.some((s) => s.file === g.file))) return false;
      m.segments = m.segments.filter((s) => !merged.has(s.file)).concat(info ? [info] : []);
      m.garbage.push(...this.garbageOf(group.flatMap((s) => [segmentPath(s.file), segmentPath(sidecarName(s.file))])));
      return true;
    });
    if (!committed && info) {
      await removeFile(join(this.d.dataDir, SEGMENT_DIR, info.file));
      await removeFile(join(this.d.dataDir, SEGMENT_DIR, sidecarName(info.file)));
    }
    this.d.logger.debug({ inputs: group.length, rows: info?.rows, committed }, "trace store: compacted segments");
    return committed;
  }

  /** Bytes of the WAL files on disk that are not rolled yet. */
  private async walBytes(): Promise<number> {
    const garbage = new Set(this.manifest.garbage.map((g) => g.path));
    let bytes = 0;
    for (const name of await listDir(join(this.d.dataDir, WAL_DIR))) {
      const rel = `${WAL_DIR}/${name}`;
      if (WAL_FILE.test(name) && !garbage.has(rel)) bytes += (await sizeOf(join(this.d.dataDir, rel))) ?? 0;
    }
    return bytes;
  }

  private async applyRetention(): Promise<void> {
    const walBytes = await this.walBytes();
    const doomed = planRetention(this.manifest.segments, walBytes, this.d.now(), this.d.opts.retention);
    if (doomed.length === 0) return;
    const gone = new Set(doomed.map((s) => s.file));
    let removed: SegmentInfo[] = [];
    await this.commit((m) => {
      removed = m.segments.filter((s) => gone.has(s.file));
      if (removed.length === 0) return false;
      m.segments = m.segments.filter((s) => !gone.has(s.file));
      m.garbage.push(...this.garbageOf(removed.flatMap((s) => [segmentPath(s.file), segmentPath(sidecarName(s.file))])));
      return true;
    });
    if (removed.length > 0) {
      this.d.logger.info({ segments: removed.length, rows: removed.reduce((n, s) => n + s.rows, 0) }, "trace store: retention removed old data");
    }
  }

  private async collectGarbage(): Promise<void> {
    const due = this.manifest.garbage.filter((g) => Date.now() - g.since >= this.d.opts.garbageGraceMs);
    const removed = new Set<string>();
    for (const g of due) if (await removeFile(join(this.d.dataDir, g.path))) removed.add(g.path);
    if (removed.size > 0) {
      await this.commit((m) => {
        m.garbage = m.garbage.filter((g) => !removed.has(g.path));
      });
    }
  }
}
