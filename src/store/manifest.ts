/**
 * manifest.json: the one file that says which segments make up the store. Only the owner writes
 * it (atomically: write, fsync, rename), so every reader sees a consistent set of segments, and
 * a segment is part of the store exactly when the manifest lists it.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { isMissing, writeFileAtomic } from "./fs-util.js";
import { LAYOUT_VERSION } from "./schema.js";

export interface SegmentInfo {
  /** File name inside segments/. */
  file: string;
  rows: number;
  /** Parquet file plus its index sidecar. */
  bytes: number;
  /** Span start range, epoch microseconds (inclusive). */
  minUs: number;
  maxUs: number;
  /** Start of the hour the segment's spans fall in, epoch ms: segments never straddle hours. */
  bucketMs: number;
  services: string[];
}

export interface GarbageEntry {
  /** Path relative to the data directory (segments/… or wal/…). */
  path: string;
  /** Epoch ms when it stopped being referenced; deleted after a grace period. */
  since: number;
}

export interface Manifest {
  layout: number;
  /** Ownership epoch of the writer. */
  epoch: number;
  /** Incremented on every write. */
  version: number;
  /** Next segment sequence number. */
  nextSeq: number;
  segments: SegmentInfo[];
  /** Unreferenced files (folded WAL files, compacted or expired segments) awaiting deletion. */
  garbage: GarbageEntry[];
}

export const MANIFEST_FILE = "manifest.json";

export function emptyManifest(): Manifest {
  return { layout: LAYOUT_VERSION, epoch: 0, version: 0, nextSeq: 1, segments: [], garbage: [] };
}

export async function readManifest(dataDir: string): Promise<Manifest> {
  try {
    const parsed = JSON.parse(await readFile(join(dataDir, MANIFEST_FILE), "utf8")) as Manifest;
    if (parsed.layout !== LAYOUT_VERSION) {
      throw new Error(`The store in ${dataDir} has layout version ${parsed.layout}; this version reads ${LAYOUT_VERSION}`);
    }
    return parsed;
  } catch (err) {
    if (isMissing(err)) return emptyManifest();
    throw err;
  }
}

export async function writeManifest(dataDir: string, manifest: Manifest): Promise<void> {
  await writeFileAtomic(join(dataDir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 1)}\n`);
}
