/**
 * One process's view of the store: the manifest's segments plus the WAL files not yet folded into
 * segments (in-memory tables behind the view wal_tail, see wal-tail.ts), behind the view otel_traces. Every process,
 * owner or reader, builds its view the same way from the files on disk (there is no shared
 * database file, hence no lock errors); refresh() brings it up to date, cheaply when nothing
 * changed (a stat of the manifest, a listing of wal/, a stat per WAL file).
 */
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "../logger.js";
import { Bloom, type BloomJson } from "./bloom.js";
import type { Conn } from "./duckdb.js";
import { isMissing } from "./fs-util.js";
import { MANIFEST_FILE, readManifest, type Manifest, type SegmentInfo } from "./manifest.js";
import { COLUMN_LIST, quoteString } from "./schema.js";
import { duckdbDialect } from "./sql/dialect.js";
import { WalTail, WAL_VIEW } from "./wal-tail.js";

export { WAL_VIEW };

export const SEGMENT_DIR = "segments";

/** What a segment's sidecar (<segment>.idx.json) holds. */
export interface SegmentIndexJson {
  traceIds: BloomJson;
  /** Operations per service; null when there were too many to list (then read from the segment). */
  operations: Record<string, string[]> | null;
}

export interface SegmentIndex {
  traceIds: Bloom;
  operations: Record<string, string[]> | null;
}

export function sidecarName(segmentFile: string): string {
  return `${segmentFile}.idx.json`;
}

export class Catalog {
  manifest: Manifest | undefined;
  private manifestStamp = "";
  private viewKey: string | undefined;
  private readonly indexes = new Map<string, SegmentIndex>();
  private readonly wal: WalTail;

  constructor(
    readonly dataDir: string,
    private readonly conn: Conn,
    private readonly logger: Logger,
  ) {
    this.wal = new WalTail(dataDir, conn);
  }

  async init(): Promise<void> {
    for (const sql of duckdbDialect.setup) await this.conn.run(sql);
    await this.wal.init();
  }

  get segments(): SegmentInfo[] {
    return this.manifest?.segments ?? [];
  }

  /** WAL files currently in wal_tail, with their loaded sizes. */
  get walFiles(): ReadonlyMap<string, number> {
    return this.wal.loaded;
  }

  abs(relative: string): string {
    return join(this.dataDir, relative);
  }

  segmentPath(seg: SegmentInfo): string {
    return join(this.dataDir, SEGMENT_DIR, seg.file);
  }

  /**
   * Brings the view up to date. `loadWal: false` (the owner after its own manifest changes) only
   * drops the WAL files folded into segments; new WAL content is loaded by the next read.
   */
  async refresh(opts: { loadWal?: boolean } = {}): Promise<void> {
    await this.refreshManifest();
    await this.wal.refresh(new Set((this.manifest?.garbage ?? []).map((g) => g.path)), opts.loadWal ?? true);
    await this.refreshView();
  }

  /** Forget the cached manifest stamp, so the next refresh re-reads it (after a missing-file error). */
  invalidate(): void {
    this.manifestStamp = "";
  }

  private async refreshManifest(): Promise<void> {
    let stamp = "none";
    try {
      const st = await stat(join(this.dataDir, MANIFEST_FILE));
      stamp = `${st.mtimeMs}:${st.size}:${st.ino}`;
    } catch (err) {
      if (!isMissing(err)) throw err;
    }
    if (stamp === this.manifestStamp && this.manifest) return;
    this.manifest = await readManifest(this.dataDir);
    this.manifestStamp = stamp;
    const live = new Set(this.manifest.segments.map((s) => s.file));
    for (const file of this.indexes.keys()) if (!live.has(file)) this.indexes.delete(file);
  }

  /** SQL for span rows from the given segments (all by default) and the WAL tail. */
  source(segments: readonly SegmentInfo[] = this.segments): string {
    const wal = `SELECT ${COLUMN_LIST} FROM ${WAL_VIEW}`;
    if (segments.length === 0) return `(${wal})`;
    const files = segments.map((s) => quoteString(this.segmentPath(s))).join(", ");
    return `(SELECT ${COLUMN_LIST} FROM read_parquet([${files}], union_by_name = true) UNION ALL ${wal})`;
  }

  private async refreshView(): Promise<void> {
    const key = this.segments.map((s) => s.file).join("\n");
    if (key === this.viewKey) return;
    await this.conn.run(`CREATE OR REPLACE VIEW otel_traces AS SELECT * FROM ${this.source()}`);
    this.viewKey = key;
  }

  /** A segment's sidecar, loaded once (segments are immutable). */
  async index(seg: SegmentInfo): Promise<SegmentIndex> {
    const cached = this.indexes.get(seg.file);
    if (cached) return cached;
    const json = JSON.parse(await readFile(join(this.dataDir, SEGMENT_DIR, sidecarName(seg.file)), "utf8")) as SegmentIndexJson;
    const index = { traceIds: Bloom.fromJSON(json.traceIds), operations: json.operations };
    this.indexes.set(seg.file, index);
    return index;
  }

  /** Segments that may hold a trace (by their Bloom filters). */
  async segmentsWithTrace(traceId: string): Promise<SegmentInfo[]> {
    const out: SegmentInfo[] = [];
    for (const seg of this.segments) {
      try {
        if ((await this.index(seg)).traceIds.mayContain(traceId)) out.push(seg);
      } catch (err) {
        // A missing or unreadable sidecar costs speed, never answers: scan the segment.
        this.logger.warn({ err, segment: seg.file }, "trace store: segment index unreadable; scanning the segment");
        out.push(seg);
      }
    }
    return out;
  }
}
