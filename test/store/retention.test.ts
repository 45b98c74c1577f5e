/** Retention by age and by size, on the injectable clock; the oldest data goes first, whole segments at a time. */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createSpan, type Span } from "../../src/domain/trace.js";
import { StoreHarness } from "./helpers.js";

const harness = new StoreHarness();
afterAll(() => harness.cleanup());

const HOUR = 3_600_000;
const BASE_MS = Date.UTC(2025, 5, 1, 0, 0, 0);

/** `n` spans in hour `h` after BASE_MS, one trace per hour. */
function hourSpans(h: number, n = 50): Span[] {
  const traceId = (h + 1).toString(16).padStart(32, "0");
  return Array.from({ length: n }, (_, i) =>
    createSpan({
      traceId,
      spanId: (i + 1).toString(16).padStart(16, "0"),
      parentSpanId: i === 0 ? null : "1".padStart(16, "0"),
      operationName: `op-${i}`,
      serviceName: `svc-${h}`,
      startTimeUs: (BASE_MS + h * HOUR + i * 1000) * 1000,
      durationMs: 5,
      attributes: { payload: "p".repeat(200), i },
    }),
  );
}

describe("retention", () => {
  it("deletes data older than the retention, by whole hours", async () => {
    let now = BASE_MS + 10 * HOUR;
    const dir = harness.dir();
    const store = await harness.open(dir, { retentionMs: 5 * HOUR, now: () => now, garbageGraceMs: 0 });
    for (const h of [0, 3, 6, 9]) await store.append(hourSpans(h));
    await store.checkpoint();
    // Hours 0 and 3 ended more than 5 hours before "now".
    expect(await store.listServices()).toEqual(["svc-6", "svc-9"]);
    expect(await store.getTrace((0 + 1).toString(16).padStart(32, "0"))).toBeUndefined();
    expect((await store.getTrace((6 + 1).toString(16).padStart(32, "0")))?.spans).toHaveLength(50);
    now += 2 * HOUR;
    await store.checkpoint();
    expect(await store.listServices()).toEqual(["svc-9"]);
    // The files are gone too (after the grace period, here zero).
    await store.checkpoint();
    const files = readdirSync(join(dir, "segments"));
    expect(files.filter((f) => f.endsWith(".parquet"))).toHaveLength(1);
  });

  it("keeps the store under maxBytes by deleting the oldest segments first", async () => {
    const dir = harness.dir();
    const probe = await harness.open(harness.dir());
    await probe.append(hourSpans(0));
    await probe.checkpoint();
    const oneHour = (await probe.stats()).bytes;
    await probe.close();

    const store = await harness.open(dir, { maxBytes: Math.floor(oneHour * 3.5), now: () => BASE_MS + 24 * HOUR, retentionMs: 365 * 24 * HOUR });
    for (let h = 0; h < 6; h++) await store.append(hourSpans(h));
    await store.checkpoint();
    const stats = await store.stats();
    expect(stats.bytes).toBeLessThanOrEqual(oneHour * 3.5);
    expect(await store.listServices()).toEqual(["svc-3", "svc-4", "svc-5"]);
  });
});
