/**
 * Writes one immutable Parquet segment from a SELECT over otel_traces rows, durably and
 * invisibly until done: COPY to a temporary name, fsync, describe it (row count, time range,
 * services and operations, a Bloom filter of its trace ids) into a sidecar, then rename into
 * place. The segment joins the store only when the manifest lists it (maintenance.ts).
 */
import { rename } from "node:fs/promises";
import { join } from "node:path";
import { Bloom } from "./bloom.js";
import { SEGMENT_DIR, sidecarName, type SegmentIndexJson } from "./catalog.js";
import type { Conn } from "./duckdb.js";
import { fsyncDir, fsyncFile, removeFile, sizeOf, writeFileAtomic } from "./fs-util.js";
import type { SegmentInfo } from "./manifest.js";
import { quoteString } from "./schema.js";

/** Sidecars list operations per service up to this many pairs; beyond it they are read from the segment. */
const MAX_LISTED_OPERATIONS = 10_000;

export interface SegmentWriteOptions {
  rowGroupSize: number;
}

export async function writeSegment(
  conn: Conn,
  dataDir: string,
  select: string,
  file: string,
  bucketMs: number,
  opts: SegmentWriteOptions,
): Promise<SegmentInfo | undefined> {
  const dir = join(dataDir, SEGMENT_DIR);
  const final = join(dir, file);
  const tmp = `${final}.tmp`;
  try {
    await conn.run(`COPY (${select}) TO ${quoteString(tmp)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE ${opts.rowGroupSize})`);
    await fsyncFile(tmp);
    const src = `read_parquet(${quoteString(tmp)})`;
    const [range] = await conn.all<{ rows: number; min_us: number | null; max_us: number | null }>(
      `SELECT count(*) AS rows, epoch_us(min(Timestamp)) AS min_us, epoch_us(max(Timestamp)) AS max_us FROM ${src}`,
    );
    if (!range || range.rows === 0 || range.min_us === null || range.max_us === null) {
      await removeFile(tmp);
      return undefined;
    }
    const services = await conn.all<{ service: string; ops: string[] }>(
      `SELECT ServiceName AS service, list(DISTINCT SpanName ORDER BY SpanName) AS ops FROM ${src} GROUP BY 1 ORDER BY 1`,
    );
    const ids = await conn.all<{ id: string }>(`SELECT DISTINCT TraceId AS id FROM ${src}`);
    const pairs = services.reduce((n, s) => n + s.ops.length, 0);
    const index: SegmentIndexJson = {
      traceIds: Bloom.forItems(ids.map((r) => r.id)).toJSON(),
      operations: pairs <= MAX_LISTED_OPERATIONS ? Object.fromEntries(services.map((s) => [s.service, s.ops])) : null,
    };
    const sidecar = join(dir, sidecarName(file));
    await writeFileAtomic(sidecar, JSON.stringify(index));
    await rename(tmp, final);
    await fsyncDir(dir);
    return {
      file,
      rows: range.rows,
      bytes: ((await sizeOf(final)) ?? 0) + ((await sizeOf(sidecar)) ?? 0),
      minUs: range.min_us,
      maxUs: range.max_us,
      bucketMs,
      services: services.map((s) => s.service),
    };
  } catch (err) {
    await removeFile(tmp);
    throw err;
  }
}

/** Segment file names sort by hour, then by writer epoch and sequence: 20251113T12-00000003-000017.parquet. */
export function segmentFileName(bucketMs: number, epoch: number, seq: number): string {
  const hour = new Date(bucketMs).toISOString().slice(0, 13).replaceAll("-", "");
  return `${hour}-${String(epoch).padStart(8, "0")}-${String(seq).padStart(6, "0")}.parquet`;
}

export const HOUR_MS = 3_600_000;
