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
import { COLUMN_LIST, COLUMNS, columnListFor, quoteString } from "./schema.js";
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
  /** Columns each segment lacks (read from its Parquet footer once: segments are immutable); empty for a current one. */
  private readonly missing = new Map<string, readonly string[]>();
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
    await this.probeColumns(this.segments);
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
    for (const file of this.missing.keys()) if (!live.has(file)) this.missing.delete(file);
  }

  /**
   * Learns which columns segments lack: a segment written by an earlier version has fewer columns,
   * and naming a column no file of a read_parquet has is an error (union_by_name only fills
   * columns some file has), so source() fills those from each column's fallback.
   */
  async probeColumns(segments: readonly SegmentInfo[]): Promise<void> {
    const unknown = segments.filter((s) => !this.missing.has(s.file));
    if (unknown.length === 0) return;
    const byPath = new Map(unknown.map((s) => [this.segmentPath(s), s.file]));
    const rows = await this.conn.all<{ file_name: string; name: string }>(
      `SELECT file_name, name FROM parquet_schema([${[...byPath.keys()].map(quoteString).join(", ")}])`,
    );
    const names = new Map<string, Set<string>>();
    for (const r of rows) {
      const file = byPath.get(r.file_name);
      if (file === undefined) continue;
      let set = names.get(file);
      if (!set) names.set(file, (set = new Set()));
      set.add(r.name);
    }
    for (const [path, file] of byPath) {
      const has = names.get(file);
      // A footer that lists nothing we know is not ours to reinterpret: read it as it is.
      this.missing.set(file, has ? COLUMNS.map((c) => c.name).filter((n) => !has.has(n)) : []);
      if (!has) this.logger.warn({ segment: path }, "trace store: no columns read from a segment's footer");
    }
  }

  /**
   * Span rows of segments, each group of segments with the same missing columns read with their
   * fallbacks (schema.ts columnListFor). Segments not probed are read as current.
   */
  segmentRows(segments: readonly SegmentInfo[]): string {
    const groups = new Map<string, { missing: readonly string[]; files: string[] }>();
    for (const s of segments) {
      const missing = this.missing.get(s.file) ?? [];
      const key = missing.join("\n");
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { missing, files: [] }));
      g.files.push(quoteString(this.segmentPath(s)));
    }
    return [...groups.values()]
      .map((g) => {
        const lacks = new Set(g.missing);
        const list = lacks.size === 0 ? COLUMN_LIST : columnListFor((c) => !lacks.has(c));
        return `SELECT ${list} FROM read_parquet([${g.files.join(", ")}], union_by_name = true)`;
      })
      .join(" UNION ALL ");
  }

  /** SQL for span rows from the given segments (all by default) and the WAL tail. */
  source(segments: readonly SegmentInfo[] = this.segments): string {
    const wal = `SELECT ${COLUMN_LIST} FROM ${WAL_VIEW}`;
    if (segments.length === 0) return `(${wal})`;
    return `(${this.segmentRows(segments)} UNION ALL ${wal})`;
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
