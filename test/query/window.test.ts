import { describe, expect, it } from "vitest";
import { resolveWindow, windowOutput } from "../../src/query/window.js";

describe("resolveWindow (the one place a window gets its defaults)", () => {
  it("fills a missing end with now and a missing start with the look-back before the end", () => {
    expect(resolveWindow(undefined, undefined, 1000, 1_000_000_000)).toEqual({ startMs: 999_999_000, endMs: 1_000_000_000 });
    expect(resolveWindow(5, 10, 1000, 99)).toEqual({ startMs: 5, endMs: 10 });
    expect(resolveWindow(undefined, 5000, 1000, 99)).toEqual({ startMs: 4000, endMs: 5000 });
    expect(resolveWindow(7, undefined, 1000, 99)).toEqual({ startMs: 7, endMs: 99 });
  });

  it("states the window as ISO UTC", () => {
    expect(windowOutput({ startMs: Date.UTC(2026, 0, 2, 3, 4, 5), endMs: Date.UTC(2026, 0, 2, 4, 4, 5) })).toEqual({
      start_time: "2026-01-02T03:04:05Z",
      end_time: "2026-01-02T04:04:05Z",
    });
  });
});
