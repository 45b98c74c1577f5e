import { describe, expect, it } from "vitest";
import type { SegmentInfo } from "../../src/store/manifest.js";
import { planCompaction, planRetention } from "../../src/store/plans.js";

const HOUR = 3_600_000;
let n = 0;
function seg(hour: number, rows: number, over: Partial<SegmentInfo> = {}): SegmentInfo {
  n++;
  const minUs = (hour * HOUR + n) * 1000;
  return { file: `s${String(n).padStart(3, "0")}`, rows, bytes: rows * 10, minUs, maxUs: minUs + 1000, bucketMs: hour * HOUR, services: [], ...over };
}

const opts = { targetRows: 1000, fanIn: 4 };

describe("planCompaction", () => {
  it("merges all small segments of an hour that has ended, oldest first, up to the target", () => {
    const a = seg(0, 100);
    const b = seg(0, 200);
    const c = seg(0, 900);
    const big = seg(0, 1000);
    expect(planCompaction([c, big, b, a], 10 * HOUR, opts)?.map((s) => s.file)).toEqual([a.file, b.file]);
    expect(planCompaction([a], 10 * HOUR, opts)).toBeUndefined();
  });

  it("in the current hour waits for fanIn segments of one size tier", () => {
    const now = 5 * HOUR + 10;
    const three = [seg(5, 10), seg(5, 12), seg(5, 11)];
    expect(planCompaction(three, now, opts)).toBeUndefined();
    const fourth = seg(5, 13);
    expect(planCompaction([...three, fourth], now, opts)?.length).toBe(4);
    // A large segment is a tier of its own: it is not rewritten with every small one.
    expect(planCompaction([seg(5, 400), ...three], now, opts)).toBeUndefined();
  });

  it("handles the oldest hour first and never mixes hours", () => {
    const plan = planCompaction([seg(2, 10), seg(1, 10), seg(2, 10), seg(1, 10)], 10 * HOUR, opts)!;
    expect(new Set(plan.map((s) => s.bucketMs))).toEqual(new Set([HOUR]));
  });
});

describe("planRetention", () => {
  it("drops segments older than the retention", () => {
    const old = seg(0, 10);
    const fresh = seg(9, 10);
    expect(planRetention([fresh, old], 0, 10 * HOUR, { retentionMs: 5 * HOUR, maxBytes: 1e9 })).toEqual([old]);
  });

  it("then the oldest until segments plus WAL fit the size cap", () => {
    const s = [seg(1, 100), seg(2, 100), seg(3, 100), seg(4, 100)]; // 1000 bytes each
    const plan = planRetention(s, 500, 5 * HOUR, { retentionMs: 100 * HOUR, maxBytes: 2600 });
    expect(plan.map((x) => x.file)).toEqual([s[0]!.file, s[1]!.file]);
    expect(planRetention(s, 0, 5 * HOUR, { retentionMs: 100 * HOUR, maxBytes: 4000 })).toEqual([]);
  });
});
