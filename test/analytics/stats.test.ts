import { describe, expect, it } from "vitest";
import { percentile, round2, summarize } from "../../src/analytics/stats.js";

/*
 * Expected values computed by hand with numpy's "linear" method: index = (n - 1) * p,
 * result = v[floor] + (v[floor + 1] - v[floor]) * (index - floor).
 */
describe("percentile", () => {
  it.each([
    ["n=1", [7], 0.5, 7],
    ["n=1", [7], 0.99, 7],
    ["n=2, index 0.5", [10, 20], 0.5, 15],
    ["n=2, index 0.95", [10, 20], 0.95, 19.5],
    ["n=2, index 0.99", [10, 20], 0.99, 19.9],
    ["n=5, index 2", [1, 2, 3, 4, 5], 0.5, 3],
    ["n=5, index 3.8", [1, 2, 3, 4, 5], 0.95, 4.8],
    ["n=5, index 3.96", [1, 2, 3, 4, 5], 0.99, 4.96],
    ["n=10, index 4.5", [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.5, 5.5],
    ["n=10, index 8.55", [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.95, 9.55],
    ["n=10, index 8.91", [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.99, 9.91],
    ["p=0", [3, 4], 0, 3],
    ["p=1", [3, 4], 1, 4],
    ["empty", [], 0.5, 0],
  ])("%s: percentile(%j, %d) = %d", (_label, sorted, p, expected) => {
    expect(percentile(sorted, p)).toBeCloseTo(expected, 10);
  });
});

describe("summarize", () => {
  it("empty input gives zeros", () => {
    expect(summarize([])).toEqual({ mean: 0, median: 0, p50: 0, p95: 0, p99: 0 });
  });

  it.each([
    // [values, mean, median/p50, p95, p99]
    [[42], 42, 42, 42, 42],
    [[100, 300], 200, 200, 290, 298],
    // sorted: 10 20 30 40 100; p95 index 3.8 -> 40 + 0.8 * 60 = 88; p99 index 3.96 -> 40 + 0.96 * 60 = 97.6
    [[100, 30, 10, 40, 20], 40, 30, 88, 97.6],
    // sorted: 1..9, 1000; mean 1045 / 10; p50 index 4.5 -> 5.5; p95 index 8.55 -> 9 + 0.55 * 991 = 554.05;
    // p99 index 8.91 -> 9 + 0.91 * 991 = 910.81
    [[1000, 9, 8, 7, 6, 5, 4, 3, 2, 1], 104.5, 5.5, 554.05, 910.81],
  ])("%j", (values, mean, median, p95, p99) => {
    const s = summarize(values);
    expect(s.mean).toBeCloseTo(mean, 10);
    expect(s.median).toBeCloseTo(median, 10);
    expect(s.p50).toBe(s.median);
    expect(s.p95).toBeCloseTo(p95, 10);
    expect(s.p99).toBeCloseTo(p99, 10);
  });

  it("does not reorder the caller's array", () => {
    const values = [3, 1, 2];
    summarize(values);
    expect(values).toEqual([3, 1, 2]);
  });

  it("sorts numerically, not as strings", () => {
    expect(summarize([9, 10, 100]).median).toBe(10);
  });
});

describe("round2 (Python's round(x, 2))", () => {
  // Expected values checked against CPython 3.11.
  it.each([
    [12.125, 12.12], // exact binary tie -> even
    [0.125, 0.12],
    [0.375, 0.38],
    [1.125, 1.12],
    [-12.125, -12.12],
    [-0.125, -0.12],
    [2.675, 2.67], // 2.675 is really 2.67499999...
    [1.005, 1],
    [1.115, 1.11], // x * 100 is exactly 111.5 in binary, yet 1.115 is below the tie
    [0.285, 0.28],
    [-2.675, -2.67],
    [99.995, 100],
    [33.333333, 33.33],
    [66.666666, 66.67],
    [5, 5],
    [0, 0],
    [0.0025, 0],
    [100, 100],
  ])("round2(%d) = %d", (x, expected) => {
    expect(round2(x)).toBe(expected);
  });

  it.each([[Number.NaN], [Number.POSITIVE_INFINITY], [1e22]])("passes %d through", (x) => {
    expect(round2(x)).toBe(x);
  });
});
