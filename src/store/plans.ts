/**
 * Pure decisions about segments: which to merge (compaction) and which to delete (retention).
 * Segments never straddle an hour, and merges stay within an hour, so retention can always
 * drop whole files and the oldest data goes first.
 */
import type { SegmentInfo } from "./manifest.js";
import { HOUR_MS } from "./schema.js";

export interface CompactionOptions {
  /** A merge never produces more rows than this. */
  targetRows: number;
  /** Merge this many segments of similar size in an hour that is still being written. */
  fanIn: number;
}

/** Size tier: segments within a factor of fanIn of each other share a tier. */
function tier(rows: number, fanIn: number): number {
  return Math.floor(Math.log(Math.max(rows, 1)) / Math.log(fanIn));
}

function takeUpTo(segments: readonly SegmentInfo[], targetRows: number): SegmentInfo[] {
  const out: SegmentInfo[] = [];
  let rows = 0;
  for (const s of segments) {
    if (out.length > 0 && rows + s.rows > targetRows) break;
    out.push(s);
    rows += s.rows;
  }
  return out;
}

/**
 * The next group of segments to merge, oldest hour first, or undefined. An hour that ended more
 * than `settleMs` ago gets all its small segments merged into as few as possible; the hour being
 * written merges only `fanIn` segments of one size tier at a time, so each span is rewritten
 * about log_fanIn(size) times rather than on every roll.
 */
export function planCompaction(segments: readonly SegmentInfo[], nowMs: number, opts: CompactionOptions, settleMs = 5 * 60_000): SegmentInfo[] | undefined {
  const byHour = new Map<number, SegmentInfo[]>();
  for (const s of segments) {
    if (s.rows >= opts.targetRows) continue;
    const list = byHour.get(s.bucketMs) ?? [];
    list.push(s);
    byHour.set(s.bucketMs, list);
  }
  for (const hour of [...byHour.keys()].sort((a, b) => a - b)) {
    const small = byHour.get(hour)!.sort((a, b) => a.minUs - b.minUs || a.file.localeCompare(b.file));
    if (small.length < 2) continue;
    if (hour + HOUR_MS + settleMs <= nowMs) {
      const group = takeUpTo(small, opts.targetRows);
      if (group.length >= 2) return group;
      continue;
    }
    const tiers = new Map<number, SegmentInfo[]>();
    for (const s of small) {
      const t = tier(s.rows, opts.fanIn);
      tiers.set(t, [...(tiers.get(t) ?? []), s]);
    }
    for (const t of [...tiers.keys()].sort((a, b) => a - b)) {
      const members = tiers.get(t)!;
      if (members.length >= opts.fanIn) {
        const group = takeUpTo(members, opts.targetRows);
        if (group.length >= 2) return group;
      }
    }
  }
  return undefined;
}

export interface RetentionOptions {
  retentionMs: number;
  maxBytes: number;
}

/**
 * Segments to delete: every segment whose newest span is older than the retention, then the
 * oldest segments until the store (segments + WAL) fits in maxBytes.
 */
export function planRetention(segments: readonly SegmentInfo[], walBytes: number, nowMs: number, opts: RetentionOptions): SegmentInfo[] {
  const cutUs = (nowMs - opts.retentionMs) * 1000;
  const doomed = segments.filter((s) => s.maxUs < cutUs);
  const kept = segments.filter((s) => s.maxUs >= cutUs).sort((a, b) => a.maxUs - b.maxUs || a.minUs - b.minUs);
  let total = walBytes + kept.reduce((n, s) => n + s.bytes, 0);
  for (const s of kept) {
    if (total <= opts.maxBytes) break;
    doomed.push(s);
    total -= s.bytes;
  }
  return doomed;
}
