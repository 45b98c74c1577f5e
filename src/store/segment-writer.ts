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
import { SegmentFacts } from "./segment-facts.js";

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
  known?: SegmentFacts,
): Promise<SegmentInfo | undefined> {
  const dir = join(dataDir, SEGMENT_DIR);
  const final = join(dir, file);
  const tmp = `${final}.tmp`;
  try {
    const [copied] = await conn.all<{ Count: number }>(
      `COPY (${select}) TO ${quoteString(tmp)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE ${opts.rowGroupSize})`,
    );
    if (!copied || copied.Count === 0) {
      await removeFile(tmp);
      return undefined;
    }
    await fsyncFile(tmp);
    // Facts gathered on append describe the segment unless the row count says otherwise.
    const facts = known && known.rows === copied.Count ? known : await describe(conn, tmp);
    const operations = Object.fromEntries([...facts.operations].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([svc, ops]) => [svc, [...ops].sort()]));
    const pairs = Object.values(operations).reduce((n, ops) => n + ops.length, 0);
    const index: SegmentIndexJson = {
      traceIds: Bloom.forItems([...facts.traceIds]).toJSON(),
      operations: pairs <= MAX_LISTED_OPERATIONS ? operations : null,
    };
    const sidecar = join(dir, sidecarName(file));
    await writeFileAtomic(sidecar, JSON.stringify(index));
    await rename(tmp, final);
    await fsyncDir(dir);
    return {
      file,
      rows: facts.rows,
      bytes: ((await sizeOf(final)) ?? 0) + ((await sizeOf(sidecar)) ?? 0),
      minUs: facts.minUs,
      maxUs: facts.maxUs,
      bucketMs,
      services: Object.keys(operations),
    };
  } catch (err) {
    await removeFile(tmp);
    throw err;
  }
}

/** Reads a written segment back for its facts (segments from other owners' WAL, compactions). */
async function describe(conn: Conn, path: string): Promise<SegmentFacts> {
  const src = `read_parquet(${quoteString(path)})`;
  const [range] = await conn.all<{ rows: number; min_us: number; max_us: number }>(
    `SELECT count(*) AS rows, epoch_us(min(Timestamp)) AS min_us, epoch_us(max(Timestamp)) AS max_us FROM ${src}`,
  );
  const services = await conn.all<{ service: string; ops: string[] }>(`SELECT ServiceName AS service, list(DISTINCT SpanName) AS ops FROM ${src} GROUP BY 1`);
  const ids = await conn.all<{ id: string }>(`SELECT DISTINCT TraceId AS id FROM ${src}`);
  const facts = new SegmentFacts();
  facts.rows = range?.rows ?? 0;
  facts.minUs = range?.min_us ?? 0;
  facts.maxUs = range?.max_us ?? 0;
  for (const s of services) facts.operations.set(s.service, new Set(s.ops));
  for (const r of ids) facts.traceIds.add(r.id);
  return facts;
}

/** Segment file names sort by hour, then by writer epoch and sequence: 20251113T12-00000003-000017.parquet. */
export function segmentFileName(bucketMs: number, epoch: number, seq: number): string {
  const hour = new Date(bucketMs).toISOString().slice(0, 13).replaceAll("-", "");
  return `${hour}-${String(epoch).padStart(8, "0")}-${String(seq).padStart(6, "0")}.parquet`;
}
